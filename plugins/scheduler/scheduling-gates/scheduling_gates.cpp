#include "scheduling_gates.h"

#include <yaml-cpp/yaml.h>

namespace capstan::sched {

Status SchedulingGates::checkArgs(const std::string& argsYaml) {
  YAML::Node args;
  try {
    args = YAML::Load(argsYaml);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("SchedulingGates args: ") + e.what());
  }
  if (!args || args.IsNull() || (args.IsMap() && args.size() == 0)) return {};
  if (!args.IsMap()) return Status::invalidArgument("SchedulingGates args: expected a mapping");
  return Status::invalidArgument("SchedulingGates args: unknown field \"" + args.begin()->first.Scalar() + "\"");
}

Status SchedulingGates::init(Host&, const PluginConfig& config) { return checkArgs(config.argsYaml); }

void* SchedulingGates::queryInterface(std::string_view kind) {
  return kind == PreEnqueuePlugin::kKind ? static_cast<PreEnqueuePlugin*>(this) : nullptr;
}

StageStatus SchedulingGates::preEnqueue(const PodInfo& pod) {
  if (pod.schedulingGates.empty()) return StageStatus::success();
  // The gate names as Go's %v prints a []string: "[a b]".
  std::string message = "waiting for scheduling gates: [";
  for (std::size_t i = 0; i < pod.schedulingGates.size(); ++i) {
    if (i > 0) message += ' ';
    message += pod.schedulingGates[i];
  }
  message += ']';
  return StageStatus::unresolvable(std::move(message));
}

}  // namespace capstan::sched
