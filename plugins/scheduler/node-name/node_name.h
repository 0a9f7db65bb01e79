#pragma once
// NodeName (Kubernetes' plugin of the same name): a pod whose spec.nodeName is set fits
// only the node of that name; a pod without one fits every node.

#include <string>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"

namespace capstan::sched {

class NodeName final : public Plugin, public NodeFilter {
 public:
  static constexpr std::string_view kReason = "node(s) didn't match the requested node name";

  // NodeName takes no args: empty, null or {} pass, anything else is refused.
  static Status checkArgs(const std::string& argsYaml);

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

 protected:
  NodeVerdict filterNode(CycleContext& ctx, const PodInfo& pod, const NodeInfo& node) override;
};

}  // namespace capstan::sched
