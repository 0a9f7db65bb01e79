#pragma once
// The patch types kubectl sends, applied to an object's JSON form.
//
//   application/json-patch+json          RFC 6902   applyJsonPatch
//   application/merge-patch+json         RFC 7386   applyMergePatch
//   application/strategic-merge-patch+json          applyStrategicMergePatch
//
// Errors are InvalidArgument with a message a user can act on (Kubernetes' wording where
// kubectl users see it, e.g. "the server rejected our request due to an error in our
// request" is NOT used; say what failed: "json patch: test operation failed at /spec/replicas").

#include "capstan/json.h"
#include "capstan/k8s/codec.h"
#include "capstan/status.h"

namespace capstan::kube {

Result<json::Value> applyJsonPatch(const json::Value& target, const json::Value& patch);
Result<json::Value> applyMergePatch(const json::Value& target, const json::Value& patch);

// Strategic merge patch, driven by the schema's patchStrategy / patchMergeKey:
// lists with patchStrategy "merge" merge by the merge key (or, for primitive lists, as a
// set union); other lists are replaced. Directives: `$patch: replace|delete|merge` (in maps
// and list elements), `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`,
// `$retainKeys`; `null` deletes a key. Fields the schema does not know (or a null
// `schema`) merge as RFC 7386 does.
Result<json::Value> applyStrategicMergePatch(const json::Value& target, const json::Value& patch,
                                             const k8s::StructInfo* schema);

}  // namespace capstan::kube
