#pragma once
// The resources the API serves, built from the generated kind registry
// (capstan/k8s/codec.h): URL names, store type names, scope, verbs and subresources.

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "capstan/k8s/codec.h"

namespace capstan::kube {

struct Resource {
  const k8s::KindInfo* kind = nullptr;
  std::string group;
  std::string version;
  std::string name;       // plural resource name, "deployments"
  std::string storeType;  // the store's type: "pods", "apps/deployments"
  bool namespaced = true;
  bool served = true;     // false: a subresource body type (Scale, Eviction), not a collection
  std::vector<std::string> verbs;
  bool hasSubresource(std::string_view sub) const;
  bool hasSpec() const;
  bool hasStatus() const;
  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
};

class ResourceTable {
 public:
  explicit ResourceTable(std::span<const k8s::KindInfo* const> kinds);

  const Resource* find(std::string_view group, std::string_view version, std::string_view resource) const;
  const Resource* findKind(std::string_view apiVersion, std::string_view kind) const;
  const Resource* findStoreType(std::string_view storeType) const;
  // Served resources, in registry order.
  const std::vector<Resource>& all() const { return resources_; }
  // "v1" first, then "group/version" in registry order.
  std::vector<std::string> groupVersions() const;

 private:
  std::vector<Resource> resources_;
};

}  // namespace capstan::kube
