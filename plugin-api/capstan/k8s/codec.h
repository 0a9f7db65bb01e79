#pragma once
// What tools/capnpc-capstan generates from the annotated schemas in plugin-api/schema/k8s:
// a schema table per struct (JSON names, kinds, patch strategy, descriptions), typed JSON
// codecs, and the registry of top-level kinds. All of it lives in libcapstan-schema.
//
// Per struct S of the schemas the generator also emits, in "schema/k8s/<file>.codec.h":
//   Status decode(const json::Value& in, S::Builder out, DecodeContext& ctx);
//   void encode(S::Reader in, json::Writer& out, const EncodeOptions& options = {});
//   extern const StructInfo sInfo;     (<capnp name>Info, lower camel: podSpecInfo)
// and per kind K (a struct with $kind):
//   extern const KindInfo kKind;       (<capnp name>Kind, lower camel: podKind, deploymentKind)
// in the namespace of the schema file (e.g. capstan::k8s::core::v1). For a kind, decode()
// also accepts and checks `kind` / `apiVersion`, and encode() writes them first.
// decode(null) leaves `out` untouched; encode() writes one JSON value.

#include <capnp/message.h>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/json.h"
#include "capstan/status.h"

namespace capstan::k8s {

enum class FieldKind : std::uint8_t {
  kBool,
  kInt,    // any integer width
  kFloat,
  kString,
  kBytes,  // Data: base64 in JSON
  kStruct,
  kList,
  kMap,          // $map: JSON object
  kRawJson,      // $rawJson: embedded JSON
  kIntOrString,  // $intOrString struct
  kQuantity,     // $quantity struct
};

struct StructInfo;

struct FieldInfo {
  std::string_view name;  // JSON name
  FieldKind kind = FieldKind::kString;
  FieldKind elementKind = FieldKind::kString;  // kList / kMap: the element's kind (else == kind)
  const StructInfo* structInfo = nullptr;  // kStruct, or the element struct of a list/map; else null
  bool optional = false;                   // an `unset | value` presence group
  bool always = false;                     // written even when zero
  bool required = false;
  std::uint32_t protobuf = 0;              // 0: none
  std::string_view patchStrategy = {};  // "", "merge", "replace", "retainKeys", "merge,retainKeys"
  std::string_view patchMergeKey = {};
  std::string_view listType = {};       // "", "atomic", "set", "map"
  std::string_view listMapKeys = {};    // comma-separated
  std::string_view format = {};         // OpenAPI format hint
  std::string_view description = {};    // the field's doc comment
};

struct StructInfo {
  std::string_view name;         // Cap'n Proto name, e.g. "PodSpec"
  std::string_view openApiName;  // "io.k8s.api.core.v1.PodSpec"
  std::string_view description;  // the struct's doc comment
  std::span<const FieldInfo> fields;
  const FieldInfo* field(std::string_view jsonName) const {
    for (const auto& f : fields)
      if (f.name == jsonName) return &f;
    return nullptr;
  }
};

struct DecodeContext {
  // Paths of JSON keys no field matched, in Kubernetes' form: `unknown field "spec.foo"`
  // is written by the caller from "spec.foo"; list elements read "spec.containers[0].x".
  std::vector<std::string> unknownFields;
  // Stop at the first unknown field with an error (fieldValidation=Strict) instead of
  // collecting it.
  bool strict = false;
  // Where the decoder is ("spec.containers[0]"), maintained by the generated code: the
  // prefix of unknown-field paths and error messages. Empty at the top level; set it to
  // decode a nested value with full paths.
  std::string path;
};
// Decoding fails (InvalidArgument) on a type mismatch, naming the path and both types:
//   "spec.replicas: expected integer, got string"
// Out-of-range integers, invalid base64, and malformed quantities fail the same way.

// Values the store stamps, which override the body's metadata when an object is written out.
struct MetaOverlay {
  std::string_view uid;
  std::int64_t resourceVersion = 0;  // 0: leave the body's
  std::string_view creationTimestamp;  // RFC 3339, empty: leave the body's
};

struct EncodeOptions {
  // Applies to the top-level metadata only: a kind's encode passes it to its `metadata`
  // field, ObjectMeta's encode applies it; nested objects are encoded with no overlay.
  const MetaOverlay* overlay = nullptr;
};

// One top-level API type ($kind).
struct KindInfo {
  std::string_view group;  // "" = core
  std::string_view version;
  std::string_view kind;
  std::string_view listKind;
  std::string_view resource;
  std::string_view singular;
  bool namespaced;
  std::span<const std::string_view> shortNames;
  std::span<const std::string_view> categories;
  std::span<const std::string_view> subresources;
  std::span<const std::string_view> verbs;
  const StructInfo* info;
  // Decodes a JSON object into a new root of this type; `kind` and `apiVersion` keys are
  // accepted and must match when present.
  Status (*decode)(const json::Value& in, capnp::MessageBuilder& message, DecodeContext& ctx);
  // Writes the object with `kind` and `apiVersion` first, then the fields. (For a message
  // being built: capnp::SegmentArrayMessageReader reader(builder.getSegmentsForOutput()).)
  void (*encode)(capnp::MessageReader& message, json::Writer& out, const EncodeOptions& options);
  // "apps/v1" or "v1".
  std::string apiVersion() const { return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version); }
};

// Every generated kind, in schema order.
std::span<const KindInfo* const> allKinds();
const KindInfo* findKind(std::string_view group, std::string_view version, std::string_view kind);
const KindInfo* findResource(std::string_view group, std::string_view version, std::string_view resource);

// OpenAPI v3 `components.schemas` for one group-version ("v1", "apps/v1"): a JSON object
// holding the definition of every kind of that group-version and of every struct they
// reach (ObjectMeta, Quantity, ...), keyed by definition name ("io.k8s.api.apps.v1.Deployment").
// Kinds carry `x-kubernetes-group-version-kind`; fields carry descriptions, types, `$ref`s
// (as Kubernetes does: `allOf: [{$ref}]`), and the x-kubernetes-patch-* / list-* extensions.
// Empty for an unknown group-version.
std::string_view openApiComponents(std::string_view groupVersion);

}  // namespace capstan::k8s
