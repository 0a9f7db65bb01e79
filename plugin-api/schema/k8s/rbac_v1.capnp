@0x9e7a993a5410e939;
# The rbac.authorization.k8s.io API group, version v1: roles and cluster roles (sets of
# permissions) and the bindings that grant them to users, groups and service accounts.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::rbac::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.rbac.v1");

using Meta = import "meta.capnp";

struct PolicyRule {
  # Actions allowed on a set of resources or non-resource URLs.

  verbs @0 :List(Text) $K.required $K.listType("atomic");
  # Verbs allowed, such as "get", "list", "watch" or "*" for all.

  apiGroups @1 :List(Text) $K.listType("atomic");
  # API groups of the resources; "" is the core group, "*" all groups.

  resources @2 :List(Text) $K.listType("atomic");
  # Resources the rule applies to, such as "pods" or "pods/log"; "*" for all.

  resourceNames @3 :List(Text) $K.listType("atomic");
  # Names of the objects the rule is limited to; all objects when empty.

  nonResourceURLs @4 :List(Text) $K.listType("atomic");
  # URL paths (not resources), such as "/healthz"; only in cluster roles.
}

struct Role $K.kind(group = "rbac.authorization.k8s.io", version = "v1", kind = "Role",
                    resource = "roles", singular = "role", namespaced = true) {
  # A set of permissions within one namespace, granted through a RoleBinding.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  rules @1 :List(PolicyRule) $K.listType("atomic");
  # The permissions.
}

struct ClusterRole $K.kind(group = "rbac.authorization.k8s.io", version = "v1",
                           kind = "ClusterRole", resource = "clusterroles",
                           singular = "clusterrole", namespaced = false) {
  # A set of permissions that applies cluster-wide or, through a RoleBinding, within one
  # namespace.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  rules @1 :List(PolicyRule) $K.listType("atomic");
  # The permissions. With an aggregationRule, the controller fills them in.

  aggregationRule @2 :AggregationRule;
  # Builds the rules from other cluster roles.
}

struct AggregationRule {
  # Which cluster roles are combined into an aggregated cluster role.

  clusterRoleSelectors @0 :List(Meta.LabelSelector) $K.listType("atomic");
  # Cluster roles matching any of these selectors contribute their rules.
}

struct RoleBinding $K.kind(group = "rbac.authorization.k8s.io", version = "v1",
                           kind = "RoleBinding", resource = "rolebindings",
                           singular = "rolebinding", namespaced = true) {
  # Grants the permissions of a Role or ClusterRole to subjects within the binding's
  # namespace.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  subjects @1 :List(Subject) $K.listType("atomic");
  # Who gets the permissions.

  roleRef @2 :RoleRef $K.required;
  # The role granted; cannot be changed.
}

struct ClusterRoleBinding $K.kind(group = "rbac.authorization.k8s.io", version = "v1",
                                  kind = "ClusterRoleBinding", resource = "clusterrolebindings",
                                  singular = "clusterrolebinding", namespaced = false) {
  # Grants the permissions of a ClusterRole to subjects in the whole cluster.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  subjects @1 :List(Subject) $K.listType("atomic");
  # Who gets the permissions.

  roleRef @2 :RoleRef $K.required;
  # The cluster role granted; cannot be changed.
}

struct Subject {
  # A user, group or service account.

  kind @0 :Text $K.required;
  # User, Group or ServiceAccount.

  apiGroup @1 :Text;
  # "rbac.authorization.k8s.io" for users and groups, "" for service accounts.

  name @2 :Text $K.required;
  # Name of the subject.

  namespace @3 :Text;
  # Namespace of a service account.
}

struct RoleRef {
  # The role a binding grants.

  apiGroup @0 :Text $K.required;
  # "rbac.authorization.k8s.io".

  kind @1 :Text $K.required;
  # Role or ClusterRole.

  name @2 :Text $K.required;
  # Name of the role.
}
