#include "node_unschedulable.h"

#include <yaml-cpp/yaml.h>

namespace capstan::sched {

Status NodeUnschedulable::init(Host&, const PluginConfig& config) {
  YAML::Node args = YAML::Load(config.argsYaml);
  if (args.IsMap() && args.size() > 0)
    return Status::invalidArgument("NodeUnschedulable takes no args (got \"" + args.begin()->first.as<std::string>() + "\")");
  return {};
}

void* NodeUnschedulable::queryInterface(std::string_view kind) {
  return kind == FilterPlugin::kKind ? static_cast<FilterPlugin*>(this) : nullptr;
}

NodeVerdict NodeUnschedulable::filterNode(CycleContext&, const PodInfo& pod, const NodeInfo& node) {
  if (!node.unschedulable) return {};
  const Taint cordon{"node.kubernetes.io/unschedulable", "", TaintEffect::kNoSchedule};
  for (const auto& t : pod.tolerations)
    if (t.tolerates(cordon)) return {};
  return reject(Code::kUnschedulableAndUnresolvable, kReason);
}

}  // namespace capstan::sched
