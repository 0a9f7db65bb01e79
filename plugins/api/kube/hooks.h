#pragma once
// Per-kind behaviour of the API machinery, written against the typed (Cap'n Proto) objects:
// defaulting, validation, the index keys lists and field selectors use, and server-side
// printing. Kinds without hooks get the generic behaviour (metadata checks, Name/Age table).

#include <capnp/any.h>

#include <map>
#include <string>
#include <vector>

#include "capstan/json.h"
#include "capstan/k8s/codec.h"
#include "errors.h"

namespace capstan::kube {

struct TableColumn {
  std::string_view name;  // "Ready"
  std::string_view type;  // "string", "integer", "date"
  std::string_view format;  // "name" for the first column
  std::string_view description;
  int priority = 0;  // >0: only with -o wide
};

struct KindHooks {
  // Kubernetes' defaults (SetDefaults_*) applied to a new or updated object.
  void (*setDefaults)(capnp::AnyStruct::Builder object) = nullptr;
  // Field errors of the object's own fields (metadata is checked generically).
  void (*validate)(capnp::AnyStruct::Reader object, std::vector<FieldError>& errors) = nullptr;
  // Extra checks of an update (immutable fields): old, new.
  void (*validateUpdate)(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject,
                         std::vector<FieldError>& errors) = nullptr;
  // Status a new object starts with (e.g. a Pod is Pending, a Namespace Active).
  void (*prepareCreate)(capnp::AnyStruct::Builder object) = nullptr;
  // Index keys for field selectors, e.g. {"spec.nodeName": "n1", "status.phase": "Running"}.
  void (*indexes)(capnp::AnyStruct::Reader object, std::map<std::string, std::string>& out) = nullptr;
  // Server-side printing: the columns, and one row's cells (after Name, which is added
  // generically; Age is a cell the printer places where the kind shows it, via `age`).
  std::span<const TableColumn> columns;
  void (*row)(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& cells) = nullptr;
};

// Field selectors a kind supports beyond metadata.name and metadata.namespace are exactly
// the keys `indexes` produces (Kubernetes' per-kind field label sets).

// The hooks of a kind (never null; empty hooks for kinds without special behaviour).
const KindHooks& hooksFor(const k8s::KindInfo& kind);

}  // namespace capstan::kube
