@0xc8f2cfe26d0e8707;
# The object envelope (see capstan/object.h): how the kernel stores and ships objects.
# Kubernetes-free: the API layer's typed objects travel in `body`.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::schema");

struct KeyValue {
  key @0 :Text;
  value @1 :Text;
}

struct OwnerReference {
  apiVersion @0 :Text;
  kind @1 :Text;
  name @2 :Text;
  uid @3 :Text;
  controller @4 :Bool;
  blockOwnerDeletion @5 :Bool;
}

struct Object {
  type @0 :Text;
  ns @1 :Text;
  name @2 :Text;
  uid @3 :Text;
  revision @4 :Int64;
  createRevision @5 :Int64;
  creationTime @6 :Int64;     # unix nanoseconds
  expireTime @7 :Int64;      # unix seconds, 0 = never
  labels @8 :List(KeyValue);
  ownerReferences @9 :List(OwnerReference);
  indexes @10 :List(KeyValue);
  format @11 :UInt8;         # capstan::BodyFormat
  body @12 :Data;
}
