#include "priority_sort.h"

#include <yaml-cpp/yaml.h>

namespace capstan::sched {

Status PrioritySort::checkArgs(const std::string& argsYaml) {
  YAML::Node args;
  try {
    args = YAML::Load(argsYaml);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("PrioritySort args: ") + e.what());
  }
  if (!args || args.IsNull() || (args.IsMap() && args.size() == 0)) return {};
  if (!args.IsMap()) return Status::invalidArgument("PrioritySort args: expected a mapping");
  return Status::invalidArgument("PrioritySort args: unknown field \"" + args.begin()->first.Scalar() + "\"");
}

Status PrioritySort::init(Host&, const PluginConfig& config) { return checkArgs(config.argsYaml); }

void* PrioritySort::queryInterface(std::string_view kind) {
  return kind == QueueSortPlugin::kKind ? static_cast<QueueSortPlugin*>(this) : nullptr;
}

bool PrioritySort::less(const QueuedPodInfo& a, const QueuedPodInfo& b) const {
  // A pod without a spec.priority has priority 0, like corev1helpers.PodPriority.
  const std::int32_t pa = a.pod ? a.pod->priority : 0;
  const std::int32_t pb = b.pod ? b.pod->priority : 0;
  return pa > pb || (pa == pb && a.timestamp < b.timestamp);
}

}  // namespace capstan::sched
