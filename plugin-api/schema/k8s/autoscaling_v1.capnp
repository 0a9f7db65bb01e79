@0xa282fa8bbe085819;
# The autoscaling API group, version v1: Scale, the body of the scale subresource of
# deployments, replica sets and stateful sets.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::autoscaling::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.autoscaling.v1");

using Meta = import "meta.capnp";

struct Scale $K.kind(group = "autoscaling", version = "v1", kind = "Scale", resource = "scale",
                     singular = "scale", namespaced = true) {
  # The replica count of a scalable object, read and written through its scale subresource.

  metadata @0 :Meta.ObjectMeta;
  # Metadata of the scaled object.

  spec @1 :ScaleSpec;
  # The desired replica count.

  status @2 :ScaleStatus;
  # The current replica count and the selector of the pods.
}

struct ScaleSpec {
  # The desired scale of an object.

  replicas @0 :Int32;
  # Number of replicas wanted.
}

struct ScaleStatus {
  # The current scale of an object.

  replicas @0 :Int32 $K.always $K.required;
  # Number of replicas observed.

  selector @1 :Text;
  # Label selector of the object's pods, in query string form ("app=web,tier=front"), as
  # autoscalers use it.
}
