#pragma once
// NodeUnschedulable (Kubernetes' plugin of the same name): filters out nodes whose
// spec.unschedulable is true, unless the pod tolerates the node.kubernetes.io/unschedulable
// NoSchedule taint (what `kubectl cordon` sets).

#include "capstan/plugin.h"
#include "capstan/scheduler.h"

namespace capstan::sched {

class NodeUnschedulable final : public Plugin, public NodeFilter {
 public:
  static constexpr std::string_view kReason = "node(s) were unschedulable";

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

 protected:
  NodeVerdict filterNode(CycleContext& ctx, const PodInfo& pod, const NodeInfo& node) override;
};

}  // namespace capstan::sched
