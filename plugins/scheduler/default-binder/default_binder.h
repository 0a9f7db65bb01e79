#pragma once
// DefaultBinder (Kubernetes' plugin of the same name): binds each pod by creating its
// `binding` subresource through the API — one batched API call per batch of pods. The API
// refuses to bind a pod that already has a node (409 Conflict), so two schedulers can never
// bind one pod twice.

#include <string>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"

namespace capstan::sched {

class DefaultBinder final : public Plugin, public BindPlugin {
 public:
  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;
  void bind(FrameworkHandle& framework, std::span<const BindItem> items, std::span<StageStatus> out) override;

  // The API request that binds `pod` to `node` (one element of the batch).
  static std::string bindingRequest(const PodInfo& pod, const std::string& node);
};

}  // namespace capstan::sched
