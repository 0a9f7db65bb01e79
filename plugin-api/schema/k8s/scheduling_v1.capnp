@0xcab4137473d2665a;
# The scheduling.k8s.io API group, version v1: priority classes.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::scheduling::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.scheduling.v1");

using Meta = import "meta.capnp";

struct PriorityClass $K.kind(group = "scheduling.k8s.io", version = "v1", kind = "PriorityClass",
                             resource = "priorityclasses", singular = "priorityclass",
                             namespaced = false, shortNames = ["pc"]) {
  # A named pod priority. Pods name a class in priorityClassName and get its value.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  value @1 :Int32 $K.always $K.required;
  # The priority; higher values are scheduled first and may preempt lower ones.

  globalDefault @2 :Bool;
  # Use this class for pods that name none. Only one class may be the default.

  description @3 :Text;
  # When to use this class.

  preemptionPolicy @4 :Text;
  # Whether its pods may preempt others: PreemptLowerPriority (the default) or Never.
}
