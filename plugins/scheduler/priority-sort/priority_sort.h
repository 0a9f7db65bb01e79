#pragma once
// PrioritySort (Kubernetes' plugin of the same name): the default QueueSort. Pods with a
// higher spec.priority are scheduled first; among equal priorities, the one that entered
// the queue earlier goes first.

#include <string>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"

namespace capstan::sched {

class PrioritySort final : public Plugin, public QueueSortPlugin {
 public:
  // PrioritySort takes no args: empty, null or {} pass, anything else is refused.
  static Status checkArgs(const std::string& argsYaml);

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const override;
};

}  // namespace capstan::sched
