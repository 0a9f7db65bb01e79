#pragma once
// SchedulingGates (Kubernetes' plugin of the same name): a pod with any
// spec.schedulingGates stays out of the activeQ (UnschedulableAndUnresolvable) until every
// gate is removed; the pod update that removes the last gate lets it in.

#include <string>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"

namespace capstan::sched {

class SchedulingGates final : public Plugin, public PreEnqueuePlugin {
 public:
  // SchedulingGates takes no args: empty, null or {} pass, anything else is refused.
  static Status checkArgs(const std::string& argsYaml);

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  StageStatus preEnqueue(const PodInfo& pod) override;
};

}  // namespace capstan::sched
