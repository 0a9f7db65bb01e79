@0xb7a2610ec643714b;
# The apps API group, version v1: deployments, replica sets, stateful sets, daemon sets and
# controller revisions.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::apps::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.apps.v1");

using Meta = import "meta.capnp";
using Core = import "core_v1.capnp";

# ---------------------------------------------------------------------------------------------
# Deployment

struct Deployment $K.kind(group = "apps", version = "v1", kind = "Deployment",
                          resource = "deployments", singular = "deployment", namespaced = true,
                          shortNames = ["deploy"], categories = ["all"],
                          subresources = ["status", "scale"]) {
  # Declarative updates for a set of identical pods: the deployment rolls its pod template
  # out through replica sets.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :DeploymentSpec $K.protobuf(2);
  # The desired pods and how to roll out changes to them.

  status @2 :DeploymentStatus $K.protobuf(3);
  # The most recently observed state of the deployment.
}

struct DeploymentSpec {
  # The desired behaviour of a deployment.

  replicas :group $K.protobuf(1) { union { unset @0 :Void; value @1 :Int32; } }
  # Number of pods wanted; 1 when unset.

  selector @2 :Meta.LabelSelector $K.required $K.protobuf(2);
  # Selects the pods (and replica sets) the deployment manages; must match the template's
  # labels.

  template @3 :Core.PodTemplateSpec $K.required $K.protobuf(3);
  # The pods to create; only restartPolicy Always is allowed.

  strategy @4 :DeploymentStrategy $K.patchStrategy("retainKeys") $K.protobuf(4);
  # How old pods are replaced by new ones.

  minReadySeconds @5 :Int32 $K.protobuf(5);
  # Seconds a new pod must be ready, without a container crashing, to count as available.

  revisionHistoryLimit :group $K.protobuf(6) { union { unset @6 :Void; value @7 :Int32; } }
  # Number of old replica sets kept for rollback; 10 when unset.

  paused @8 :Bool $K.protobuf(7);
  # When true, changes to the template are not rolled out.

  progressDeadlineSeconds :group $K.protobuf(9) { union { unset @9 :Void; value @10 :Int32; } }
  # Seconds a rollout may go without progress before it is reported as failed (the
  # Progressing condition turns False); 600 when unset.
}

struct DeploymentStrategy {
  # How a deployment replaces its pods.

  type @0 :Text $K.protobuf(1);
  # RollingUpdate (the default) or Recreate, which deletes all old pods first.

  rollingUpdate @1 :RollingUpdateDeployment $K.protobuf(2);
  # Settings of a rolling update.
}

struct RollingUpdateDeployment {
  # The pace of a deployment's rolling update.

  maxUnavailable @0 :Meta.IntOrString $K.protobuf(1);
  # Pods that may be unavailable during the update, as a number or a percentage of replicas
  # (rounded down); 25% by default.

  maxSurge @1 :Meta.IntOrString $K.protobuf(2);
  # Pods that may be created above the desired number, as a number or a percentage (rounded
  # up); 25% by default.
}

struct DeploymentStatus {
  # The observed state of a deployment.

  observedGeneration @0 :Int64 $K.protobuf(1);
  # The generation the controller last acted on.

  replicas @1 :Int32 $K.protobuf(2);
  # Pods (not terminating) selected by the deployment.

  updatedReplicas @2 :Int32 $K.protobuf(3);
  # Pods that run the current template.

  readyReplicas @3 :Int32 $K.protobuf(7);
  # Pods that are ready.

  availableReplicas @4 :Int32 $K.protobuf(4);
  # Pods that have been ready for at least minReadySeconds.

  unavailableReplicas @5 :Int32 $K.protobuf(5);
  # Pods still needed for the deployment to be fully available.

  conditions @6 :List(DeploymentCondition) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(6);
  # Current conditions: Available, Progressing and ReplicaFailure.

  collisionCount :group $K.protobuf(8) { union { unset @7 :Void; value @8 :Int32; } }
  # Count of hash collisions, used to name new replica sets uniquely.
}

struct DeploymentCondition {
  # One aspect of a deployment's state.

  type @0 :Text $K.required $K.protobuf(1);
  # Available, Progressing or ReplicaFailure.

  status @1 :Text $K.required $K.protobuf(2);
  # "True", "False" or "Unknown".

  lastUpdateTime @2 :Text $K.format("date-time") $K.protobuf(6);
  # When the condition was last updated.

  lastTransitionTime @3 :Text $K.format("date-time") $K.protobuf(7);
  # When the status last changed.

  reason @4 :Text $K.protobuf(4);
  # Short reason for the last transition.

  message @5 :Text $K.protobuf(5);
  # Human-readable details.
}

# ---------------------------------------------------------------------------------------------
# ReplicaSet

struct ReplicaSet $K.kind(group = "apps", version = "v1", kind = "ReplicaSet",
                          resource = "replicasets", singular = "replicaset", namespaced = true,
                          shortNames = ["rs"], categories = ["all"],
                          subresources = ["status", "scale"]) {
  # Keeps a given number of identical pods running.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :ReplicaSetSpec $K.protobuf(2);
  # The desired pods.

  status @2 :ReplicaSetStatus $K.protobuf(3);
  # The most recently observed state.
}

struct ReplicaSetSpec {
  # The desired behaviour of a replica set.

  replicas :group $K.protobuf(1) { union { unset @0 :Void; value @1 :Int32; } }
  # Number of pods wanted; 1 when unset.

  minReadySeconds @2 :Int32 $K.protobuf(4);
  # Seconds a new pod must be ready to count as available.

  selector @3 :Meta.LabelSelector $K.required $K.protobuf(2);
  # Selects the pods the replica set counts; must match the template's labels.

  template @4 :Core.PodTemplateSpec $K.protobuf(3);
  # The pods to create when there are too few.
}

struct ReplicaSetStatus {
  # The observed state of a replica set.

  replicas @0 :Int32 $K.always $K.required $K.protobuf(1);
  # Pods (not terminating) currently selected.

  fullyLabeledReplicas @1 :Int32 $K.protobuf(2);
  # Pods whose labels match the template's labels.

  readyReplicas @2 :Int32 $K.protobuf(4);
  # Pods that are ready.

  availableReplicas @3 :Int32 $K.protobuf(5);
  # Pods ready for at least minReadySeconds.

  observedGeneration @4 :Int64 $K.protobuf(3);
  # The generation the controller last acted on.

  conditions @5 :List(ReplicaSetCondition) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(6);
  # Current conditions, such as ReplicaFailure.
}

struct ReplicaSetCondition {
  # One aspect of a replica set's state.

  type @0 :Text $K.required $K.protobuf(1);
  # Which condition this is, such as ReplicaFailure.

  status @1 :Text $K.required $K.protobuf(2);
  # "True", "False" or "Unknown".

  lastTransitionTime @2 :Text $K.format("date-time") $K.protobuf(3);
  # When the status last changed.

  reason @3 :Text $K.protobuf(4);
  # Short reason for the last transition.

  message @4 :Text $K.protobuf(5);
  # Human-readable details.
}

# ---------------------------------------------------------------------------------------------
# StatefulSet

struct StatefulSet $K.kind(group = "apps", version = "v1", kind = "StatefulSet",
                           resource = "statefulsets", singular = "statefulset",
                           namespaced = true, shortNames = ["sts"], categories = ["all"],
                           subresources = ["status", "scale"]) {
  # Pods with stable identities: each has a fixed ordinal name, a stable network name and
  # its own persistent volumes.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :StatefulSetSpec $K.protobuf(2);
  # The desired pods and their storage.

  status @2 :StatefulSetStatus $K.protobuf(3);
  # The most recently observed state.
}

struct StatefulSetSpec {
  # The desired behaviour of a stateful set.

  replicas :group $K.protobuf(1) { union { unset @0 :Void; value @1 :Int32; } }
  # Number of pods wanted; 1 when unset.

  selector @2 :Meta.LabelSelector $K.required $K.protobuf(2);
  # Selects the pods; must match the template's labels.

  template @3 :Core.PodTemplateSpec $K.required $K.protobuf(3);
  # The pods to create, each named <set name>-<ordinal>.

  volumeClaimTemplates @4 :List(Core.PersistentVolumeClaim) $K.listType("atomic") $K.protobuf(4);
  # Claims created for each pod; the pod's containers mount them by name.

  serviceName @5 :Text $K.protobuf(5);
  # Headless service that gives the pods their network names
  # (<pod>.<serviceName>.<namespace>.svc...).

  podManagementPolicy @6 :Text $K.protobuf(6);
  # OrderedReady (the default; one pod at a time, in order) or Parallel.

  updateStrategy @7 :StatefulSetUpdateStrategy $K.protobuf(7);
  # How pods are updated when the template changes.

  revisionHistoryLimit :group $K.protobuf(8) { union { unset @8 :Void; value @9 :Int32; } }
  # Number of old revisions kept; 10 when unset.

  minReadySeconds @10 :Int32 $K.protobuf(9);
  # Seconds a new pod must be ready to count as available.

  persistentVolumeClaimRetentionPolicy @11 :StatefulSetPersistentVolumeClaimRetentionPolicy
      $K.protobuf(10);
  # Whether the claims created from volumeClaimTemplates are deleted with the set or when it
  # scales down.

  ordinals @12 :StatefulSetOrdinals $K.protobuf(11);
  # How the pods' ordinals are numbered.
}

struct StatefulSetUpdateStrategy {
  # How a stateful set updates its pods.

  type @0 :Text $K.protobuf(1);
  # RollingUpdate (the default) or OnDelete, which waits for pods to be deleted by hand.

  rollingUpdate @1 :RollingUpdateStatefulSetStrategy $K.protobuf(2);
  # Settings of a rolling update.
}

struct RollingUpdateStatefulSetStrategy {
  # Settings of a stateful set's rolling update.

  partition :group $K.protobuf(1) { union { unset @0 :Void; value @1 :Int32; } }
  # Only pods with an ordinal of at least this are updated; 0 by default.

  maxUnavailable @2 :Meta.IntOrString $K.protobuf(2);
  # Pods that may be unavailable during the update, as a number or percentage; 1 by default.
}

struct StatefulSetPersistentVolumeClaimRetentionPolicy {
  # What happens to the claims made from a stateful set's volumeClaimTemplates.

  whenDeleted @0 :Text $K.protobuf(1);
  # When the set is deleted: Retain (the default) or Delete.

  whenScaled @1 :Text $K.protobuf(2);
  # When the set scales down: Retain (the default) or Delete the claims of removed pods.
}

struct StatefulSetOrdinals {
  # Numbering of a stateful set's pods.

  start @0 :Int32 $K.always $K.protobuf(1);
  # Ordinal of the first pod; 0 by default.
}

struct StatefulSetStatus {
  # The observed state of a stateful set.

  observedGeneration @0 :Int64 $K.protobuf(1);
  # The generation the controller last acted on.

  replicas @1 :Int32 $K.always $K.required $K.protobuf(2);
  # Pods created by the controller.

  readyReplicas @2 :Int32 $K.protobuf(3);
  # Pods that are ready.

  currentReplicas @3 :Int32 $K.protobuf(4);
  # Pods running the currentRevision.

  updatedReplicas @4 :Int32 $K.protobuf(5);
  # Pods running the updateRevision.

  currentRevision @5 :Text $K.protobuf(6);
  # Revision of the pods with ordinals below currentReplicas.

  updateRevision @6 :Text $K.protobuf(7);
  # Revision being rolled out.

  collisionCount :group $K.protobuf(9) { union { unset @7 :Void; value @8 :Int32; } }
  # Count of hash collisions, used to name new revisions uniquely.

  conditions @9 :List(StatefulSetCondition) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(10);
  # Current conditions of the set.

  availableReplicas @10 :Int32 $K.always $K.protobuf(11);
  # Pods ready for at least minReadySeconds.
}

struct StatefulSetCondition {
  # One aspect of a stateful set's state.

  type @0 :Text $K.required $K.protobuf(1);
  # Which condition this is.

  status @1 :Text $K.required $K.protobuf(2);
  # "True", "False" or "Unknown".

  lastTransitionTime @2 :Text $K.format("date-time") $K.protobuf(3);
  # When the status last changed.

  reason @3 :Text $K.protobuf(4);
  # Short reason for the last transition.

  message @4 :Text $K.protobuf(5);
  # Human-readable details.
}

# ---------------------------------------------------------------------------------------------
# DaemonSet

struct DaemonSet $K.kind(group = "apps", version = "v1", kind = "DaemonSet",
                         resource = "daemonsets", singular = "daemonset", namespaced = true,
                         shortNames = ["ds"], categories = ["all"],
                         subresources = ["status"]) {
  # Runs one copy of a pod on every node (or every node its template selects).

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :DaemonSetSpec $K.protobuf(2);
  # The pod to run and how to update it.

  status @2 :DaemonSetStatus $K.protobuf(3);
  # The most recently observed state.
}

struct DaemonSetSpec {
  # The desired behaviour of a daemon set.

  selector @0 :Meta.LabelSelector $K.required $K.protobuf(1);
  # Selects the pods; must match the template's labels.

  template @1 :Core.PodTemplateSpec $K.required $K.protobuf(2);
  # The pod run on each eligible node; only restartPolicy Always is allowed.

  updateStrategy @2 :DaemonSetUpdateStrategy $K.protobuf(3);
  # How pods are replaced when the template changes.

  minReadySeconds @3 :Int32 $K.protobuf(4);
  # Seconds a new pod must be ready to count as available.

  revisionHistoryLimit :group $K.protobuf(6) { union { unset @4 :Void; value @5 :Int32; } }
  # Number of old revisions kept for rollback; 10 when unset.
}

struct DaemonSetUpdateStrategy {
  # How a daemon set updates its pods.

  type @0 :Text $K.protobuf(1);
  # RollingUpdate (the default) or OnDelete.

  rollingUpdate @1 :RollingUpdateDaemonSet $K.protobuf(2);
  # Settings of a rolling update.
}

struct RollingUpdateDaemonSet {
  # The pace of a daemon set's rolling update.

  maxUnavailable @0 :Meta.IntOrString $K.protobuf(1);
  # Nodes whose pod may be unavailable during the update, as a number or percentage; 1 by
  # default.

  maxSurge @1 :Meta.IntOrString $K.protobuf(2);
  # Nodes that may run an updated pod next to the old one, as a number or percentage; 0 by
  # default.
}

struct DaemonSetStatus {
  # The observed state of a daemon set.

  currentNumberScheduled @0 :Int32 $K.always $K.required $K.protobuf(1);
  # Nodes running the daemon pod that should run it.

  numberMisscheduled @1 :Int32 $K.always $K.required $K.protobuf(2);
  # Nodes running the daemon pod that should not.

  desiredNumberScheduled @2 :Int32 $K.always $K.required $K.protobuf(3);
  # Nodes that should run the daemon pod.

  numberReady @3 :Int32 $K.always $K.required $K.protobuf(4);
  # Nodes that should run the daemon pod and have it ready.

  observedGeneration @4 :Int64 $K.protobuf(5);
  # The generation the controller last acted on.

  updatedNumberScheduled @5 :Int32 $K.protobuf(6);
  # Nodes running the updated daemon pod.

  numberAvailable @6 :Int32 $K.protobuf(7);
  # Nodes whose daemon pod has been ready for at least minReadySeconds.

  numberUnavailable @7 :Int32 $K.protobuf(8);
  # Nodes that should run the daemon pod but have none available.

  collisionCount :group $K.protobuf(9) { union { unset @8 :Void; value @9 :Int32; } }
  # Count of hash collisions, used to name new revisions uniquely.

  conditions @10 :List(DaemonSetCondition) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(10);
  # Current conditions of the daemon set.
}

struct DaemonSetCondition {
  # One aspect of a daemon set's state.

  type @0 :Text $K.required $K.protobuf(1);
  # Which condition this is.

  status @1 :Text $K.required $K.protobuf(2);
  # "True", "False" or "Unknown".

  lastTransitionTime @2 :Text $K.format("date-time") $K.protobuf(3);
  # When the status last changed.

  reason @3 :Text $K.protobuf(4);
  # Short reason for the last transition.

  message @4 :Text $K.protobuf(5);
  # Human-readable details.
}

# ---------------------------------------------------------------------------------------------
# ControllerRevision

struct ControllerRevision $K.kind(group = "apps", version = "v1", kind = "ControllerRevision",
                                  resource = "controllerrevisions",
                                  singular = "controllerrevision", namespaced = true) {
  # An immutable snapshot of state that a controller (daemon set, stateful set) keeps to
  # roll forward and back. Only its metadata can change after creation.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  data @1 :Text $K.rawJson $K.protobuf(2);
  # The serialized state, as JSON.

  revision @2 :Int64 $K.always $K.required $K.protobuf(3);
  # Revision number of the state in data.
}
