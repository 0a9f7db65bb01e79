@0xa2047a15d2f31207;
# The policy API group, version v1: pod disruption budgets, and Eviction, the body of the
# pods/eviction subresource.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::policy::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.policy.v1");

using Meta = import "meta.capnp";

# ---------------------------------------------------------------------------------------------
# PodDisruptionBudget

struct PodDisruptionBudget $K.kind(group = "policy", version = "v1", kind = "PodDisruptionBudget",
                                   resource = "poddisruptionbudgets",
                                   singular = "poddisruptionbudget", namespaced = true,
                                   shortNames = ["pdb"], subresources = ["status"]) {
  # Limits how many pods of a set may be down at once through voluntary disruptions, such as
  # evictions during a node drain.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  spec @1 :PodDisruptionBudgetSpec;
  # The pods and the disruption they may take.

  status @2 :PodDisruptionBudgetStatus;
  # The observed state of the budget.
}

struct PodDisruptionBudgetSpec {
  # The desired state of a disruption budget. At most one of minAvailable and maxUnavailable
  # is set.

  minAvailable @0 :Meta.IntOrString;
  # Pods that must stay available after an eviction, as a number or percentage.

  selector @1 :Meta.LabelSelector;
  # Selects the pods; an empty selector selects all pods of the namespace.

  maxUnavailable @2 :Meta.IntOrString;
  # Pods that may be unavailable after an eviction, as a number or percentage.

  unhealthyPodEvictionPolicy @3 :Text;
  # When running but not ready pods may be evicted: IfHealthyBudget (the default) or
  # AlwaysAllow.
}

struct PodDisruptionBudgetStatus {
  # The observed state of a disruption budget.

  observedGeneration @0 :Int64;
  # The generation the status was computed from.

  disruptedPods @1 :List(TimeEntry) $K.map;
  # Pods whose eviction was allowed but that have not been deleted yet, with the time of the
  # eviction.

  disruptionsAllowed @2 :Int32 $K.always $K.required;
  # Evictions currently allowed.

  currentHealthy @3 :Int32 $K.always $K.required;
  # Healthy pods now.

  desiredHealthy @4 :Int32 $K.always $K.required;
  # Least number of healthy pods wanted.

  expectedPods @5 :Int32 $K.always $K.required;
  # Pods counted by the budget.

  conditions @6 :List(Meta.Condition) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]);
  # Current conditions, such as DisruptionAllowed.
}

struct TimeEntry {
  # One entry of a map from names to times.

  key @0 :Text;
  # The map key (a pod name).

  value @1 :Text $K.format("date-time");
  # The time stored under the key.
}

# ---------------------------------------------------------------------------------------------
# Eviction

struct Eviction $K.kind(group = "policy", version = "v1", kind = "Eviction", resource = "evictions",
                        singular = "eviction", namespaced = true, verbs = ["create"]) {
  # A request to evict a pod while honouring its disruption budgets. It is the body of the
  # pods/eviction subresource.

  metadata @0 :Meta.ObjectMeta;
  # Names the pod to evict (name and namespace).

  deleteOptions @1 :Meta.DeleteOptions;
  # Options for deleting the pod.
}
