#include "resources.h"

#include <algorithm>

namespace capstan::kube {

namespace {
const std::vector<std::string> kDefaultVerbs = {"create", "delete", "deletecollection", "get",
                                                "list",   "patch",  "update",           "watch"};
}  // namespace

bool Resource::hasSubresource(std::string_view sub) const {
  for (auto s : kind->subresources)
    if (s == sub) return true;
  return false;
}

bool Resource::hasSpec() const { return kind->info->field("spec") != nullptr; }

bool Resource::hasStatus() const { return kind->info->field("status") != nullptr; }

ResourceTable::ResourceTable(std::span<const k8s::KindInfo* const> kinds) {
  for (const k8s::KindInfo* k : kinds) {
    Resource r;
    r.kind = k;
    r.group = k->group;
    r.version = k->version;
    r.name = k->resource;
    r.namespaced = k->namespaced;
    r.storeType = r.group.empty() ? r.name : r.group + "/" + r.name;
    // Bodies of subresources are kinds too, but not collections of their own.
    if (r.name == "scale" || r.name == "evictions") r.served = false;
    if (k->verbs.empty()) {
      r.verbs = kDefaultVerbs;
    } else {
      for (auto v : k->verbs) r.verbs.emplace_back(v);
    }
    if (r.name == "bindings" && k->verbs.empty()) r.verbs = {"create"};
    resources_.push_back(std::move(r));
  }
}

const Resource* ResourceTable::find(std::string_view group, std::string_view version, std::string_view resource) const {
  for (const auto& r : resources_)
    if (r.served && r.group == group && r.version == version && r.name == resource) return &r;
  return nullptr;
}

const Resource* ResourceTable::findKind(std::string_view apiVersion, std::string_view kind) const {
  for (const auto& r : resources_)
    if (r.kind->kind == kind && r.apiVersion() == apiVersion) return &r;
  return nullptr;
}

const Resource* ResourceTable::findStoreType(std::string_view storeType) const {
  for (const auto& r : resources_)
    if (r.served && r.storeType == storeType) return &r;
  return nullptr;
}

std::vector<std::string> ResourceTable::groupVersions() const {
  std::vector<std::string> out;
  for (const auto& r : resources_) {
    if (!r.served) continue;
    std::string gv = r.apiVersion();
    if (std::find(out.begin(), out.end(), gv) == out.end()) out.push_back(gv);
  }
  std::stable_partition(out.begin(), out.end(), [](const std::string& gv) { return gv == "v1"; });
  return out;
}

}  // namespace capstan::kube
