// The per-kind hooks table: Kubernetes' behaviour of each kind, keyed by group and kind.
// The hooks themselves live in kinds/*.cpp.

#include "hooks.h"

#include <array>
#include <utility>

#include "kinds/kinds.h"

namespace capstan::kube {

namespace {

struct Entry {
  std::string_view group;
  std::string_view kind;
  const KindHooks* hooks;
};

constexpr std::array kTable = {
    Entry{"", "Pod", &kinds::kPodHooks},
    Entry{"", "Node", &kinds::kNodeHooks},
    Entry{"", "Namespace", &kinds::kNamespaceHooks},
    Entry{"", "Service", &kinds::kServiceHooks},
    Entry{"", "Endpoints", &kinds::kEndpointsHooks},
    Entry{"", "ConfigMap", &kinds::kConfigMapHooks},
    Entry{"", "Secret", &kinds::kSecretHooks},
    Entry{"", "ServiceAccount", &kinds::kServiceAccountHooks},
    Entry{"", "Event", &kinds::kEventHooks},
    Entry{"", "PersistentVolume", &kinds::kPersistentVolumeHooks},
    Entry{"", "PersistentVolumeClaim", &kinds::kPersistentVolumeClaimHooks},
    Entry{"apps", "Deployment", &kinds::kDeploymentHooks},
    Entry{"apps", "ReplicaSet", &kinds::kReplicaSetHooks},
    Entry{"apps", "StatefulSet", &kinds::kStatefulSetHooks},
    Entry{"apps", "DaemonSet", &kinds::kDaemonSetHooks},
    Entry{"apps", "ControllerRevision", &kinds::kControllerRevisionHooks},
    Entry{"batch", "Job", &kinds::kJobHooks},
    Entry{"batch", "CronJob", &kinds::kCronJobHooks},
    Entry{"coordination.k8s.io", "Lease", &kinds::kLeaseHooks},
    Entry{"discovery.k8s.io", "EndpointSlice", &kinds::kEndpointSliceHooks},
    Entry{"networking.k8s.io", "Ingress", &kinds::kIngressHooks},
    Entry{"networking.k8s.io", "IngressClass", &kinds::kIngressClassHooks},
    Entry{"policy", "PodDisruptionBudget", &kinds::kPodDisruptionBudgetHooks},
    Entry{"scheduling.k8s.io", "PriorityClass", &kinds::kPriorityClassHooks},
    Entry{"storage.k8s.io", "StorageClass", &kinds::kStorageClassHooks},
    Entry{"rbac.authorization.k8s.io", "Role", &kinds::kRoleHooks},
    Entry{"rbac.authorization.k8s.io", "ClusterRole", &kinds::kClusterRoleHooks},
    Entry{"rbac.authorization.k8s.io", "RoleBinding", &kinds::kRoleBindingHooks},
    Entry{"rbac.authorization.k8s.io", "ClusterRoleBinding", &kinds::kClusterRoleBindingHooks},
    Entry{"events.k8s.io", "Event", &kinds::kEventsEventHooks},
};

}  // namespace

const KindHooks& hooksFor(const k8s::KindInfo& kind) {
  static const KindHooks kNone{};
  for (const auto& e : kTable)
    if (e.group == kind.group && e.kind == kind.kind) return *e.hooks;
  return kNone;
}

}  // namespace capstan::kube
