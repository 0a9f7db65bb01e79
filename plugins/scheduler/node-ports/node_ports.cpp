#include "node_ports.h"

#include <yaml-cpp/yaml.h>

namespace capstan::sched {

namespace {

constexpr std::string_view kBindAllHostIp = "0.0.0.0";
constexpr std::string_view kDefaultProtocol = "TCP";

std::string_view ipOf(const HostPort& p) { return p.ip.empty() ? kBindAllHostIp : std::string_view(p.ip); }
std::string_view protocolOf(const HostPort& p) {
  return p.protocol.empty() ? kDefaultProtocol : std::string_view(p.protocol);
}

bool hasHostPorts(const PodInfo& pod) {
  for (const auto& p : pod.hostPorts)
    if (p.port > 0) return true;
  return false;
}

}  // namespace

bool hostPortConflicts(const std::vector<HostPort>& used, const HostPort& wanted) {
  if (wanted.port <= 0) return false;
  const std::string_view ip = ipOf(wanted);
  const std::string_view protocol = protocolOf(wanted);
  for (const auto& u : used) {
    if (u.port != wanted.port || protocolOf(u) != protocol) continue;
    // 0.0.0.0 on either side binds every address, so it collides with any IP; two specific
    // IPs collide only when equal (compared as written, like Kubernetes).
    const std::string_view usedIp = ipOf(u);
    if (ip == kBindAllHostIp || usedIp == kBindAllHostIp || usedIp == ip) return true;
  }
  return false;
}

Status NodePorts::checkArgs(const std::string& argsYaml) {
  YAML::Node args;
  try {
    args = YAML::Load(argsYaml);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("NodePorts args: ") + e.what());
  }
  if (!args || args.IsNull() || (args.IsMap() && args.size() == 0)) return {};
  if (!args.IsMap()) return Status::invalidArgument("NodePorts args: expected a mapping");
  return Status::invalidArgument("NodePorts args: unknown field \"" + args.begin()->first.Scalar() + "\"");
}

NodePorts::NodePorts() : reason_(reasonTable_.intern(kReason)) {}

Status NodePorts::init(Host&, const PluginConfig& config) { return checkArgs(config.argsYaml); }

void* NodePorts::queryInterface(std::string_view kind) {
  if (kind == PreFilterPlugin::kKind) return static_cast<PreFilterPlugin*>(this);
  if (kind == FilterPlugin::kKind) return static_cast<FilterPlugin*>(this);
  return nullptr;
}

PreFilterResult NodePorts::preFilter(CycleContext&, const PodInfo& pod) {
  // PodInfo.hostPorts already is what Kubernetes' PreFilter computes and keeps in its cycle
  // state (GetHostPorts), so there is nothing to keep here: only decide whether to Skip.
  if (!hasHostPorts(pod)) return {StageStatus::skip(), std::nullopt};
  return {};
}

void NodePorts::filter(CycleContext&, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                       std::span<NodeVerdict> out) {
  if (!hasHostPorts(pod)) return;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (const auto& wanted : pod.hostPorts) {
      if (hostPortConflicts(nodes[i]->usedPorts, wanted)) {
        out[i] = {Code::kUnschedulable, reason_};
        break;
      }
    }
  }
}

}  // namespace capstan::sched
