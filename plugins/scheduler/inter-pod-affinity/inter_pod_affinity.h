#pragma once
// InterPodAffinity (Kubernetes' plugin of the same name): places pods relative to pods
// already in the cluster, by topology domain (the value of a node label such as
// topology.kubernetes.io/zone or kubernetes.io/hostname).
//
// Filter enforces required terms both ways: the incoming pod's affinity (a domain must hold
// a pod matching all its terms, unless no pod anywhere does and the pod matches them itself:
// the first pod of a group) and anti-affinity (no domain of the node may hold a matching
// pod), and the required anti-affinity of existing pods (the incoming pod must not land in a
// domain of a pod whose term it matches). PreFilter counts matching pods per topology pair
// once per pod, so Filter is a few label and hash lookups per node. Score ranks nodes by the
// preferred terms of both sides (and existing pods' required affinity, weighted by
// hardPodAffinityWeight), summed per topology pair in PreScore.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"
#include "capstan/status.h"

namespace capstan::sched {

// Kubernetes' InterPodAffinityArgs, with its defaults applied.
struct InterPodAffinityArgs {
  // Score weight of an existing pod's required affinity term the incoming pod matches
  // (0..100; 0 turns that part of scoring off).
  std::int32_t hardPodAffinityWeight = 1;
  // Score only by the incoming pod's own preferred terms; a pod without any skips Score.
  bool ignorePreferredTermsOfExistingPods = false;

  // Decodes and validates args YAML (empty or "null": the defaults). Errors name the key
  // path: `InterPodAffinity args: unknown field "hardPodAfinityWeight"`.
  static Result<InterPodAffinityArgs> parse(const std::string& yaml);
};

class InterPodAffinity final : public Plugin,
                               public PreFilterPlugin,
                               public FilterPlugin,
                               public PreScorePlugin,
                               public ScorePlugin {
 public:
  static constexpr std::string_view kReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
  static constexpr std::string_view kReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";
  static constexpr std::string_view kReasonExistingAntiAffinityRulesNotMatch =
      "node(s) didn't satisfy existing pods anti-affinity rules";
  static constexpr std::string_view kPreFilterStateKey = "PreFilterInterPodAffinity";
  static constexpr std::string_view kPreScoreStateKey = "PreScoreInterPodAffinity";

  InterPodAffinity();
  explicit InterPodAffinity(InterPodAffinityArgs args);

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  const InterPodAffinityArgs& args() const { return args_; }

  PreFilterResult preFilter(CycleContext& ctx, const PodInfo& pod) override;
  StageStatus addPod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other, const NodeInfo& node) override;
  StageStatus removePod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other, const NodeInfo& node) override;
  void filter(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
              std::span<NodeVerdict> out) override;
  std::vector<std::string> reasons(std::uint32_t reason) const override { return reasonTable_.texts(reason); }

  StageStatus preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes) override;
  StageStatus score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                    std::span<std::int64_t> scores) override;
  StageStatus normalize(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                        std::span<std::int64_t> scores) override;

 private:
  StageStatus updateWithPod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
                            std::int64_t delta);

  InterPodAffinityArgs args_;
  ReasonTable reasonTable_;
  std::uint32_t affinityRulesNotMatch_ = 0;
  std::uint32_t antiAffinityRulesNotMatch_ = 0;
  std::uint32_t existingAntiAffinityRulesNotMatch_ = 0;
  std::uint32_t missingState_ = 0;
};

}  // namespace capstan::sched
