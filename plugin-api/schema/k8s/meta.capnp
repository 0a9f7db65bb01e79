@0xd31499693e521547;
# meta/v1: the metadata every object carries and the small value types the API groups share
# (label selectors, quantities, int-or-string, conditions, delete options).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::meta");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.apimachinery.pkg.apis.meta.v1");

struct ObjectMeta {
  # Metadata that every persisted object has: its identity (name, namespace, uid), its
  # version, labels and annotations, owners, finalizers and timestamps.

  name @0 :Text $K.protobuf(1);
  # Unique name of the object within its namespace (or the cluster, for cluster-scoped
  # kinds). Required on create unless generateName is given; it cannot be changed later.

  generateName @1 :Text $K.protobuf(2);
  # Prefix the server uses to make up a unique name when name is empty; a random suffix is
  # appended to it.

  namespace @2 :Text $K.protobuf(3);
  # Namespace the object lives in. Empty for cluster-scoped kinds; "default" is assumed for
  # namespaced kinds when it is left empty.

  selfLink @3 :Text $K.protobuf(4);
  # Deprecated URL of this object. Not set by the server.

  uid @4 :Text $K.protobuf(5);
  # Unique identifier the server assigns on creation; it never changes and is never reused.

  resourceVersion @5 :Text $K.protobuf(6);
  # Opaque version of the object, changed on every write. Clients send it back unchanged for
  # optimistic concurrency and use it to start watches.

  generation @6 :Int64 $K.protobuf(7);
  # Sequence number of the desired state: the server increases it when the spec changes.

  creationTimestamp @7 :Text $K.format("date-time") $K.protobuf(8);
  # Time the server created the object (RFC 3339, UTC). Set by the server.

  deletionTimestamp @8 :Text $K.format("date-time") $K.protobuf(9);
  # Time after which the object will be gone, set when a graceful delete was requested.
  # While it is set, the object is being deleted and only finalizers may still be removed.

  deletionGracePeriodSeconds :group $K.protobuf(10) { union { unset @9 :Void; value @10 :Int64; } }
  # Seconds the object was given to terminate gracefully; set together with
  # deletionTimestamp and only ever shortened.

  labels @11 :List(StringEntry) $K.map $K.protobuf(11);
  # Key/value pairs used to organize objects and to select them (label selectors).

  annotations @12 :List(StringEntry) $K.map $K.protobuf(12);
  # Free-form key/value metadata for tools and controllers; not used for selection.

  ownerReferences @13 :List(OwnerReference)
      $K.patchStrategy("merge") $K.patchMergeKey("uid") $K.protobuf(13);
  # Objects this one depends on. When all owners are gone the garbage collector deletes this
  # object; at most one owner may be the managing controller.

  finalizers @14 :List(Text) $K.patchStrategy("merge") $K.protobuf(14);
  # Names of pending cleanup steps. The object is only removed from storage once this list is
  # empty; while it is being deleted entries may only be removed.

  managedFields @15 :List(ManagedFieldsEntry) $K.protobuf(17);
  # Which field manager owns which fields, as recorded by server-side apply. Maintained by the
  # server.
}

struct OwnerReference {
  # Points at an object that owns this one, in the same namespace (or cluster-scoped).

  apiVersion @0 :Text $K.required $K.protobuf(5);
  # API version of the owner, such as "apps/v1".

  kind @1 :Text $K.required $K.protobuf(1);
  # Kind of the owner, such as "ReplicaSet".

  name @2 :Text $K.required $K.protobuf(3);
  # Name of the owner.

  uid @3 :Text $K.required $K.protobuf(4);
  # UID of the owner; the reference only matches that exact incarnation of it.

  controller :group $K.protobuf(6) { union { unset @4 :Void; value @5 :Bool; } }
  # True when the owner is the controller that manages this object.

  blockOwnerDeletion :group $K.protobuf(7) { union { unset @6 :Void; value @7 :Bool; } }
  # When true, and the owner is deleted in the foreground, the owner is not removed until this
  # object has been deleted.
}

struct ManagedFieldsEntry {
  # One field manager's ownership record: the manager, how it wrote and which fields it owns.

  manager @0 :Text $K.protobuf(1);
  # Name of the workflow (field manager) that owns the fields.

  operation @1 :Text $K.protobuf(2);
  # How the fields were written: "Apply" or "Update".

  apiVersion @2 :Text $K.protobuf(3);
  # API version the fields are expressed in.

  time @3 :Text $K.format("date-time") $K.protobuf(4);
  # When the manager last changed its set of fields.

  fieldsType @4 :Text $K.protobuf(6);
  # Format of fieldsV1; currently always "FieldsV1".

  fieldsV1 @5 :Text $K.rawJson $K.protobuf(7);
  # The owned fields, as a JSON trie of field paths.

  subresource @6 :Text $K.protobuf(8);
  # Subresource the fields were written through ("status", "scale", ...); empty for the main
  # resource.
}

struct StringEntry {
  # One entry of a string-to-string map.

  key @0 :Text;
  # The map key.

  value @1 :Text;
  # The value stored under the key.
}

struct QuantityEntry {
  # One entry of a resource list: a resource name mapped to an amount.

  key @0 :Text;
  # Resource name, such as "cpu", "memory" or "nvidia.com/gpu".

  value @1 :Quantity;
  # The amount of that resource.
}

struct BytesEntry {
  # One entry of a string-to-bytes map; the bytes are base64 in JSON.

  key @0 :Text;
  # The map key.

  value @1 :Data;
  # The bytes stored under the key.
}

struct Quantity $K.quantity $K.format("quantity")
    $K.openapiName("io.k8s.apimachinery.pkg.api.resource.Quantity") {
  # An amount of a resource written as a number with an optional suffix: SI ("m", "k", "M",
  # "G", ...), binary ("Ki", "Mi", "Gi", ...) or an exponent ("1e3"). In JSON it is a string
  # (or a plain number).

  string @0 :Text;
  # The quantity as the user wrote it, such as "500m" or "2Gi".

  value @1 :Int64;
  # The amount in whole base units (bytes, cores), rounded up.

  milli @2 :Int64;
  # The amount in thousandths of the base unit (CPU is read as milli-cores).
}

struct IntOrString $K.intOrString $K.format("int-or-string")
    $K.openapiName("io.k8s.apimachinery.pkg.util.intstr.IntOrString") {
  # A value that is either an integer or a string, such as a port number or a named port, or
  # a count or a percentage.

  union {
    intVal @0 :Int32;
    # The integer form.

    strVal @1 :Text;
    # The string form.
  }
}

struct LabelSelector {
  # A label query over a set of objects. matchLabels and matchExpressions are ANDed; an empty
  # selector matches everything, a missing one nothing.

  matchLabels @0 :List(StringEntry) $K.map $K.protobuf(1);
  # Labels that must all be present with exactly these values.

  matchExpressions @1 :List(LabelSelectorRequirement) $K.protobuf(2);
  # Set-based requirements that must all hold.
}

struct LabelSelectorRequirement {
  # A requirement on one label key: an operator and the values it relates the key to.

  key @0 :Text $K.required $K.patchStrategy("merge") $K.patchMergeKey("key") $K.protobuf(1);
  # The label key the requirement applies to.

  operator @1 :Text $K.required $K.protobuf(2);
  # How the key relates to the values: In, NotIn, Exists or DoesNotExist.

  values @2 :List(Text) $K.protobuf(3);
  # The values to compare with. Must be non-empty for In and NotIn and empty for Exists and
  # DoesNotExist.
}

struct Condition {
  # One aspect of an object's current state, in the standard form shared by API types.

  type @0 :Text $K.required $K.protobuf(1);
  # Type of the condition in CamelCase, such as "Available".

  status @1 :Text $K.required $K.protobuf(2);
  # "True", "False" or "Unknown".

  observedGeneration @2 :Int64 $K.protobuf(3);
  # metadata.generation the condition was computed from.

  lastTransitionTime @3 :Text $K.required $K.format("date-time") $K.protobuf(4);
  # When the status last changed.

  reason @4 :Text $K.required $K.protobuf(5);
  # Machine-readable CamelCase reason for the last transition.

  message @5 :Text $K.required $K.protobuf(6);
  # Human-readable details about the last transition.
}

struct DeleteOptions {
  # Options for a delete: the grace period, preconditions and how dependents are treated.

  kind @0 :Text;
  # "DeleteOptions" when the body names its type.

  apiVersion @1 :Text;
  # API version of the body when it names its type.

  gracePeriodSeconds :group $K.protobuf(1) { union { unset @2 :Void; value @3 :Int64; } }
  # Seconds to wait before the object is deleted; zero deletes at once. Unset uses the kind's
  # default.

  preconditions @4 :Preconditions $K.protobuf(2);
  # Conditions the object must still meet for the delete to go ahead.

  orphanDependents :group $K.protobuf(3) { union { unset @5 :Void; value @6 :Bool; } }
  # Deprecated: use propagationPolicy. True orphans the dependents.

  propagationPolicy @7 :Text $K.protobuf(4);
  # How dependents are garbage collected: "Orphan", "Background" or "Foreground".

  dryRun @8 :List(Text) $K.protobuf(5);
  # When it holds "All", the request is checked but nothing is persisted.
}

struct Preconditions {
  # Conditions an object must meet before an operation on it is carried out.

  uid @0 :Text $K.protobuf(1);
  # The object's UID must be this one.

  resourceVersion @1 :Text $K.protobuf(2);
  # The object's resourceVersion must be this one.
}
