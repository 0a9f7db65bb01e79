#pragma once
// NodePorts (Kubernetes' plugin of the same name): a node where a pod already uses a host
// port the new pod wants (same protocol and port, and the same host IP or 0.0.0.0 on either
// side) is rejected as Unschedulable (preemption may free the port). PreFilter skips the
// Filter for pods without host ports.

#include <string>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"

namespace capstan::sched {

// Kubernetes' HostPortInfo.CheckConflict over a node's used ports: an empty IP means
// 0.0.0.0, an empty protocol TCP, a port <= 0 is no host port.
bool hostPortConflicts(const std::vector<HostPort>& used, const HostPort& wanted);

class NodePorts final : public Plugin, public PreFilterPlugin, public FilterPlugin {
 public:
  static constexpr std::string_view kReason = "node(s) didn't have free ports for the requested pod ports";

  // NodePorts takes no args: empty, null or {} pass, anything else is refused.
  static Status checkArgs(const std::string& argsYaml);

  NodePorts();

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  PreFilterResult preFilter(CycleContext& ctx, const PodInfo& pod) override;

  void filter(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
              std::span<NodeVerdict> out) override;
  std::vector<std::string> reasons(std::uint32_t reason) const override { return reasonTable_.texts(reason); }

 private:
  ReasonTable reasonTable_;
  std::uint32_t reason_;
};

}  // namespace capstan::sched
