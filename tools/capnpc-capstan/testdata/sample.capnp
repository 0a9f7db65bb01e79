@0xa486b0628e4f8830;
# A test schema for capnpc-capstan exercising every convention of plugin-api/schema/k8s:
# kinds, optional scalars, maps, raw JSON, Data, nested lists, IntOrString, Quantity, $always.

using Cxx = import "/capnp/c++.capnp";
using K = import "/k8s/annotations.capnp";
using M = import "sample_meta.capnp";

$Cxx.namespace("capstan::k8s::sample");
$K.openapiPackage("io.capstan.sample.v1");

struct Widget $K.kind((group = "sample.capstan.io", version = "v1", kind = "Widget",
    resource = "widgets", singular = "widget", namespaced = true, shortNames = ["wd"],
    categories = ["all"], subresources = ["status", "scale"])) {
  # A Widget is a made-up kind that uses every feature of the generator.
  metadata @0 :M.ObjectMeta $K.protobuf(1);   # Standard object metadata.
  spec @1 :WidgetSpec $K.protobuf(2);         # The desired state of the widget.
  status @2 :WidgetStatus $K.protobuf(3);     # The observed state of the widget.
}

struct Gadget $K.kind((version = "v1", kind = "Gadget")) {
  # A cluster-scoped kind in the core group, with defaults for everything.
  metadata @0 :M.ObjectMeta;
  data @1 :List(M.StringEntry) $K.map;   # Free-form string data.
  binaryData @2 :List(BytesEntry) $K.map;  # Binary data, base64 in JSON.
}

struct BytesEntry {
  key @0 :Text;
  value @1 :Data;
}

struct WidgetSpec {
  # WidgetSpec is the desired state.
  replicas :union {   # Number of desired widgets. Defaults to 1.
    unset @0 :Void;
    value @1 :Int32 $K.protobuf(1);   # (protobuf numbers of optional scalars sit on `value`)
  }
  paused @2 :Bool $K.protobuf(2);                  # Whether the widget is paused.
  image @3 :Text $K.required $K.protobuf(3);       # The image to run.
  minReadySeconds @4 :Int32 $K.always $K.protobuf(4);  # Written even when zero.
  ratio @5 :Float64 $K.protobuf(5);                # A floating-point ratio.
  payload @6 :Data $K.protobuf(6);                 # Opaque bytes.
  selector @7 :List(M.StringEntry) $K.map $K.protobuf(7);       # Label selector.
  resources @8 :List(M.QuantityEntry) $K.map $K.protobuf(8);    # Resource limits.
  containers @9 :List(Container) $K.patchStrategy("merge") $K.patchMergeKey("name")
      $K.listType("map") $K.listMapKeys(["name"]) $K.protobuf(9);  # The containers.
  config @10 :Text $K.rawJson $K.protobuf(10);     # Free-form configuration.
  matrix @11 :List(List(Int64)) $K.protobuf(11);   # A nested list.
  port @12 :M.IntOrString $K.protobuf(12);         # A port number or name.
  limit @13 :M.Quantity $K.protobuf(13);           # A quantity.
  hostName @14 :Text $K.json("host-name") $K.protobuf(14);  # JSON name differs.
  big @15 :UInt64 $K.protobuf(15);                 # An unsigned 64-bit integer.
  enabled :union { unset @16 :Void; value @17 :Bool; }     # An optional bool.
  nickname :union { unset @18 :Void; value @19 :Text; }    # An optional string.
  small @20 :Int8;                                 # A tiny integer.
  tags @21 :List(Text) $K.listType("set");         # Tags.
  weights @22 :List(Float64);                      # Weights.
  extras @23 :List(Text) $K.rawJson;               # A list of raw JSON values.
  phase @24 :Phase;                                # An enum (prefer Text).
  startTime @25 :Text $K.format("date-time");      # When it started.
  ports @26 :List(M.IntOrString);                  # IntOrString elements.
  union {
    # Exactly one source.
    hostPath @27 :HostPathSource;   # A host path.
    emptyDir @28 :EmptyDirSource;   # A scratch directory.
    noSource @29 :Void;             # No source (not in JSON).
  }
  timeout :group $K.protobuf(16) {   # Optional int64, written as a group holding the union.
    union { unset @30 :Void; value @31 :Int64; }
  }
  ratio32 @32 :Float32;               # A float32.
  parent @33 :Container;              # A nested struct.
}

enum Phase {
  pending @0;
  running @1;
  succeededAll @2;
}

struct HostPathSource {
  path @0 :Text $K.required;   # Path on the host.
  type @1 :Text;               # Type of the path.
}

struct EmptyDirSource {
  sizeLimit @0 :M.Quantity;    # Size limit.
}

struct Container {
  # A single application container.
  name @0 :Text $K.required $K.protobuf(1);   # Name of the container.
  image @1 :Text $K.protobuf(2);              # Container image name.
  args @2 :List(Text) $K.protobuf(3);         # Arguments to the entrypoint.
  ports @3 :List(ContainerPort) $K.patchStrategy("merge") $K.patchMergeKey("containerPort")
      $K.listType("map") $K.listMapKeys(["containerPort", "protocol"]) $K.protobuf(4);  # Ports to expose.
  env @4 :List(EnvVar) $K.protobuf(5);        # Environment variables.
  limits @5 :List(M.QuantityEntry) $K.map $K.protobuf(6);  # Resource limits.
  privileged :union $K.json("privileged") { unset @6 :Void; value @7 :Bool $K.protobuf(7); }  # Run privileged.
}

struct ContainerPort {
  # A network port in a single container.
  name @0 :Text $K.protobuf(1);                         # A name for the port.
  containerPort @1 :Int32 $K.always $K.required $K.protobuf(2);  # The port number.
  protocol @2 :Text $K.protobuf(3);                     # UDP, TCP, or SCTP.
}

struct EnvVar {
  name @0 :Text $K.required $K.protobuf(1);   # Variable name.
  value @1 :Text $K.protobuf(2);              # Variable value.
}

struct WidgetStatus {
  # WidgetStatus is the observed state.
  observedGeneration @0 :Int64;   # The generation observed.
  readyReplicas @1 :Int32;        # Ready widgets.
  conditions @2 :List(Condition) $K.listType("map") $K.listMapKeys(["type"]);  # Observations.
  nested @3 :List(List(Condition));   # Lists of lists of structs.
  quantities @4 :List(M.Quantity);    # A list of quantities.
  labelsByZone @5 :List(ZoneEntry) $K.map;  # Map of struct values.
}

struct ZoneEntry {
  key @0 :Text;
  value @1 :Condition;
}

struct Condition {
  type @0 :Text $K.required;      # Type of condition.
  status @1 :Text $K.required;    # True, False, Unknown.
  message @2 :Text;               # Human-readable message.
  lastTransitionTime @3 :Text $K.format("date-time");  # When it changed.
}
