@0xe8d02891781aa7f4;
# Test metadata types for capnpc-capstan: the same shapes as plugin-api/schema/k8s/meta.capnp
# (ObjectMeta, Quantity, IntOrString, map entries), kept small and independent of it.

using Cxx = import "/capnp/c++.capnp";
using K = import "/k8s/annotations.capnp";

$Cxx.namespace("capstan::k8s::testmeta");
$K.openapiPackage("io.k8s.apimachinery.pkg.apis.meta.v1");

struct StringEntry {
  key @0 :Text;
  value @1 :Text;
}

struct QuantityEntry {
  key @0 :Text;
  value @1 :Quantity;
}

struct Quantity $K.quantity $K.openapiName("io.k8s.apimachinery.pkg.api.resource.Quantity") {
  # Quantity is a fixed-point representation of a number: "500m", "2Gi", "1.5".
  string @0 :Text;   # As written.
  value @1 :Int64;   # Rounded up to an integer of the base unit.
  milli @2 :Int64;   # In thousandths of the base unit, rounded up.
}

struct IntOrString $K.intOrString $K.openapiName("io.k8s.apimachinery.pkg.util.intstr.IntOrString") {
  # IntOrString holds an int32 or a string.
  union {
    intVal @0 :Int32;
    strVal @1 :Text;
  }
}

struct OwnerReference {
  # OwnerReference names the object that owns this one.
  apiVersion @0 :Text $K.required;   # API version of the referent.
  kind @1 :Text $K.required;         # Kind of the referent.
  name @2 :Text $K.required;         # Name of the referent.
  uid @3 :Text $K.required;          # UID of the referent.
  controller :union { unset @4 :Void; value @5 :Bool; }  # If true, this reference points to the managing controller.
}

struct ObjectMeta {
  # ObjectMeta is metadata that all persisted resources must have.
  name @0 :Text $K.protobuf(1);              # Name must be unique within a namespace.
  generateName @1 :Text $K.protobuf(2);      # An optional prefix for a generated name.
  namespace @2 :Text $K.protobuf(3);         # The namespace the object lives in.
  uid @3 :Text $K.protobuf(5);               # The unique id of the object.
  resourceVersion @4 :Text $K.protobuf(6);   # An opaque value that changes on every write.
  generation @5 :Int64 $K.protobuf(7);       # The generation of the desired state.
  creationTimestamp @6 :Text $K.format("date-time") $K.protobuf(8);  # When the object was created.
  labels @7 :List(StringEntry) $K.map $K.protobuf(11);        # Map of string keys and values for selection.
  annotations @8 :List(StringEntry) $K.map $K.protobuf(12);   # Unstructured key-value metadata.
  ownerReferences @9 :List(OwnerReference) $K.patchStrategy("merge") $K.patchMergeKey("uid")
      $K.listType("map") $K.listMapKeys(["uid"]) $K.protobuf(13);  # Objects this one depends on.
  finalizers @10 :List(Text) $K.patchStrategy("merge") $K.listType("set") $K.protobuf(14);  # Must be empty before deletion.
}
