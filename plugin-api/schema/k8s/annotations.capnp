@0xa1d3c0b7e25f4c19;
# Annotations that turn Cap'n Proto structs into Kubernetes API types.
# tools/capnpc-capstan reads them and generates, from one source: JSON encode/decode with
# Kubernetes' semantics, the type registry (discovery), schema tables (strategic merge
# patch, field paths) and the OpenAPI v3 document (descriptions are the doc comments).
#
# Conventions (see plugin-api/schema/k8s/README.md for the full list):
# - A field's JSON name is its Cap'n Proto name unless $json says otherwise.
# - Optional scalars (Go pointer fields such as `replicas *int32`) are groups holding an
#   unnamed union of `unset :Void` (first, the default) and `value :T`:
#       replicas :union { unset @4 :Void; value @5 :Int32; }
#   JSON `null` or an absent key leaves `unset`.
# - Pointer fields (Text, Data, List, struct) are present when set: the JSON key is
#   written when has*() is true. Plain scalars are written when not zero/false, unless
#   the field carries $always.
# - Enumerations are Text (Kubernetes' enums are open strings).
# - Maps are List(Entry) of a struct whose first two fields are `key` and `value`, marked $map.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::annotations");

struct KindInfo {
  group @0 :Text;         # "" for the core group
  version @1 :Text;       # "v1"
  kind @2 :Text;          # "Pod"
  resource @3 :Text;      # "pods"
  singular @4 :Text;      # "pod"
  namespaced @5 :Bool;
  shortNames @6 :List(Text);
  categories @7 :List(Text);
  subresources @8 :List(Text);  # "status", "scale", "binding", "eviction", "log", "exec"
  listKind @9 :Text;      # default: kind + "List"
  verbs @10 :List(Text);  # default: create delete deletecollection get list patch update watch
}

# A top-level API type (has `metadata :ObjectMeta`; `kind`/`apiVersion` come from here).
annotation kind @0xd2a4c8e7f1b35a01 (struct) :KindInfo;

# The JSON name, when it differs from the Cap'n Proto name.
annotation json @0xd2a4c8e7f1b35a02 (field, group, union) :Text;

# Written even when zero/empty (Go fields without omitempty, e.g. containerPort).
annotation always @0xd2a4c8e7f1b35a03 (field) :Void;

# List(Entry) written as a JSON object (Go map[string]T); Entry = (key :Text, value :T).
annotation map @0xd2a4c8e7f1b35a04 (field) :Void;

# A Text field that holds raw JSON (runtime.RawExtension, JSON schema props): embedded as is.
annotation rawJson @0xd2a4c8e7f1b35a05 (field) :Void;

# Strategic merge patch: patchStrategy ("merge", "replace", "retainKeys", "merge,retainKeys")
# and patchMergeKey, as the Go struct tags say.
annotation patchStrategy @0xd2a4c8e7f1b35a06 (field) :Text;
annotation patchMergeKey @0xd2a4c8e7f1b35a07 (field) :Text;

# Server-side apply list semantics: listType "atomic" | "set" | "map", and the map keys.
annotation listType @0xd2a4c8e7f1b35a08 (field) :Text;
annotation listMapKeys @0xd2a4c8e7f1b35a09 (field) :List(Text);

# The field number in Kubernetes' generated.proto (protobuf request bodies).
annotation protobuf @0xd2a4c8e7f1b35a0a (field, group) :UInt32;

# OpenAPI: a required field, and a format hint ("int-or-string", "quantity", "date-time", "byte").
annotation required @0xd2a4c8e7f1b35a0b (field) :Void;
annotation format @0xd2a4c8e7f1b35a0c (field, struct) :Text;

# JSON number/string union types: IntOrString and Quantity are structs marked by these.
annotation intOrString @0xd2a4c8e7f1b35a0d (struct) :Void;
annotation quantity @0xd2a4c8e7f1b35a0e (struct) :Void;

# OpenAPI: the package that names this file's definitions ("io.k8s.api.core.v1" gives
# "io.k8s.api.core.v1.Pod"), and a full definition name for one struct where it differs
# (Quantity: "io.k8s.apimachinery.pkg.api.resource.Quantity").
annotation openapiPackage @0xd2a4c8e7f1b35a0f (file) :Text;
annotation openapiName @0xd2a4c8e7f1b35a10 (struct) :Text;
