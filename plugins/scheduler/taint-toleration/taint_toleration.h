#pragma once
// TaintToleration (Kubernetes' plugin of the same name):
//  - Filter: a node with a NoSchedule or NoExecute taint the pod does not tolerate is
//    rejected (UnschedulableAndUnresolvable), naming the node's first such taint.
//  - PreScore/Score: a node scores the number of its PreferNoSchedule taints the pod does
//    not tolerate; NormalizeScore reverses that, so the fewest untolerated taints get 100.

#include <string>
#include <vector>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"

namespace capstan::sched {

class TaintToleration final : public Plugin, public FilterPlugin, public PreScorePlugin, public ScorePlugin {
 public:
  // CycleState key of the PreScore data, Kubernetes' name.
  static constexpr std::string_view kPreScoreStateKey = "PreScoreTaintToleration";

  // The pod's tolerations that can tolerate a PreferNoSchedule taint (that effect, or
  // every effect), collected once per cycle by PreScore for Score.
  struct PreScoreState final : StateData {
    std::vector<Toleration> tolerationsPreferNoSchedule;
    std::unique_ptr<StateData> clone() const override { return std::make_unique<PreScoreState>(*this); }
  };

  // "node(s) had untolerated taint {key: value}", Kubernetes' Filter reason.
  static std::string untoleratedReason(const Taint& taint);

  // TaintToleration takes no args: empty, null or {} pass, anything else is refused.
  static Status checkArgs(const std::string& argsYaml);

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  void filter(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
              std::span<NodeVerdict> out) override;
  std::vector<std::string> reasons(std::uint32_t reason) const override { return reasonTable_.texts(reason); }

  StageStatus preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes) override;
  StageStatus score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                    std::span<std::int64_t> scores) override;
  StageStatus normalize(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                        std::span<std::int64_t> scores) override;

 private:
  ReasonTable reasonTable_;
};

}  // namespace capstan::sched
