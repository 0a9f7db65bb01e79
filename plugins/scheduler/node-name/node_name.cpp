#include "node_name.h"

#include <yaml-cpp/yaml.h>

namespace capstan::sched {

Status NodeName::checkArgs(const std::string& argsYaml) {
  YAML::Node args;
  try {
    args = YAML::Load(argsYaml);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("NodeName args: ") + e.what());
  }
  if (!args || args.IsNull() || (args.IsMap() && args.size() == 0)) return {};
  if (!args.IsMap()) return Status::invalidArgument("NodeName args: expected a mapping");
  return Status::invalidArgument("NodeName args: unknown field \"" + args.begin()->first.Scalar() + "\"");
}

Status NodeName::init(Host&, const PluginConfig& config) { return checkArgs(config.argsYaml); }

void* NodeName::queryInterface(std::string_view kind) {
  return kind == FilterPlugin::kKind ? static_cast<FilterPlugin*>(this) : nullptr;
}

NodeVerdict NodeName::filterNode(CycleContext&, const PodInfo& pod, const NodeInfo& node) {
  if (pod.nodeName.empty() || pod.nodeName == node.name) return {};
  return reject(Code::kUnschedulableAndUnresolvable, kReason);
}

}  // namespace capstan::sched
