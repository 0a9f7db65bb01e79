#pragma once
// Server-side apply (application/apply-patch+yaml): field ownership per apply manager in
// metadata.managedFields (fieldsV1 sets), removal of fields a manager stopped applying,
// and conflicts with the fields other apply managers own.
//
// Not yet: ownership of fields written by non-apply requests (operation "Update"), so
// conflicts arise only between apply managers.

#include <string>
#include <vector>

#include "capstan/json.h"
#include "capstan/k8s/codec.h"
#include "capstan/status.h"

namespace capstan::kube {

// The fieldsV1 set of an applied configuration ("f:spec" -> {"f:replicas": {}}, list items
// of associative lists as "k:{...}", set items as "v:...").
json::Value fieldSet(const json::Value& config, const k8s::StructInfo* info);

struct ApplyConflict {
  std::string manager;
  std::string path;  // ".spec.replicas"
};

struct ApplyResult {
  json::Value object;                  // the new live object (with managedFields)
  std::vector<ApplyConflict> conflicts;  // non-empty: refused (unless forced)
};

// Applies `config` as `manager` to `live` (null: a create). With `force`, conflicting
// fields move to this manager. `now` is the RFC 3339 time recorded in managedFields.
Result<ApplyResult> serverSideApply(const json::Value& live, const json::Value& config, const std::string& manager,
                                    bool force, const k8s::StructInfo* info, const std::string& apiVersion,
                                    const std::string& now);

}  // namespace capstan::kube
