#pragma once
// NodeAffinity (Kubernetes' plugin of the same name):
//  - PreFilter/Filter: a node must match the pod's spec.nodeSelector (every label) and its
//    requiredDuringSchedulingIgnoredDuringExecution terms (any term), else it is rejected
//    UnschedulableAndUnresolvable. PreFilter narrows the candidates to node names when
//    every required term pins metadata.name with In, and Skips pods with neither.
//  - args.addedAffinity: a node affinity every pod must also satisfy (required: its own
//    reason; preferred: added to every pod's score).
//  - PreScore/Score: the sum of the weights of the preferred terms a node matches,
//    normalized so the best node gets 100.

#include <optional>
#include <string>
#include <vector>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"
#include "node_affinity_args.h"
#include "node_selector.h"

namespace capstan::sched {

class NodeAffinity final : public Plugin,
                           public PreFilterPlugin,
                           public FilterPlugin,
                           public PreScorePlugin,
                           public ScorePlugin {
 public:
  static constexpr std::string_view kReasonPod = "node(s) didn't match Pod's node affinity/selector";
  static constexpr std::string_view kReasonEnforced = "node(s) didn't match scheduler-enforced node affinity";
  static constexpr std::string_view kReasonConflict = "pod affinity terms conflict";
  // CycleState keys, Kubernetes' names.
  static constexpr std::string_view kPreFilterStateKey = "PreFilterNodeAffinity";
  static constexpr std::string_view kPreScoreStateKey = "PreScoreNodeAffinity";

  // The pod's required node affinity, parsed once per cycle by PreFilter (nodeSelector is
  // read from the pod itself). Empty: the pod has none.
  struct PreFilterState final : StateData {
    std::optional<RequiredNodeSelector> requiredAffinity;
    std::unique_ptr<StateData> clone() const override { return std::make_unique<PreFilterState>(*this); }
  };
  // The pod's preferred terms, parsed once per cycle by PreScore.
  struct PreScoreState final : StateData {
    PreferredSchedulingTerms preferred;
    std::unique_ptr<StateData> clone() const override { return std::make_unique<PreScoreState>(*this); }
  };

  // An instance with `args` (already decoded and validated by decodeNodeAffinityArgs).
  explicit NodeAffinity(const NodeAffinityArgs& args = {});

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  PreFilterResult preFilter(CycleContext& ctx, const PodInfo& pod) override;

  void filter(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
              std::span<NodeVerdict> out) override;
  std::vector<std::string> reasons(std::uint32_t reason) const override { return reasonTable_.texts(reason); }

  StageStatus preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes) override;
  StageStatus score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                    std::span<std::int64_t> scores) override;
  StageStatus normalize(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                        std::span<std::int64_t> scores) override;

 private:
  void applyArgs(const NodeAffinityArgs& args);

  std::optional<RequiredNodeSelector> addedRequired_;
  std::optional<PreferredSchedulingTerms> addedPreferred_;
  ReasonTable reasonTable_;
  std::uint32_t reasonPod_;
  std::uint32_t reasonEnforced_;
};

}  // namespace capstan::sched
