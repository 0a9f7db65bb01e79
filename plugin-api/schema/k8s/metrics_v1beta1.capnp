@0xf4d175a748d3e453;
# The metrics.k8s.io API group, version v1beta1: current resource usage of nodes and pods.
# Read-only: the objects are computed when read, not stored.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::metrics::v1beta1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.metrics.pkg.apis.metrics.v1beta1");

using Meta = import "meta.capnp";

struct NodeMetrics $K.kind(group = "metrics.k8s.io", version = "v1beta1", kind = "NodeMetrics",
                           resource = "nodes", singular = "", namespaced = false,
                           verbs = ["get", "list"]) {
  # Resource usage of a node.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata; the name is the node's.

  timestamp @1 :Text $K.required $K.format("date-time");
  # End of the window the usage was measured over.

  window @2 :Text $K.required;
  # Length of the measuring window, as a duration such as "30s".

  usage @3 :List(Meta.QuantityEntry) $K.required $K.map;
  # Average usage over the window: "cpu" in cores, "memory" in bytes.
}

struct PodMetrics $K.kind(group = "metrics.k8s.io", version = "v1beta1", kind = "PodMetrics",
                          resource = "pods", singular = "", namespaced = true,
                          verbs = ["get", "list"]) {
  # Resource usage of the containers of a pod.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata; name and namespace are the pod's.

  timestamp @1 :Text $K.required $K.format("date-time");
  # End of the window the usage was measured over.

  window @2 :Text $K.required;
  # Length of the measuring window, as a duration such as "30s".

  containers @3 :List(ContainerMetrics) $K.required $K.listType("atomic");
  # Usage of each container.
}

struct ContainerMetrics {
  # Resource usage of one container.

  name @0 :Text $K.required;
  # Name of the container.

  usage @1 :List(Meta.QuantityEntry) $K.required $K.map;
  # Average usage over the window: "cpu" in cores, "memory" in bytes.
}
