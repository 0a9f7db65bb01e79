#pragma once
// PodTopologySpread (Kubernetes' plugin of the same name): spreads matching pods evenly
// across topology domains (zones, nodes, ...). DoNotSchedule constraints are enforced in
// Filter (a node is rejected when placing the pod there would make the domain's matching
// pod count exceed the global minimum by more than maxSkew); ScheduleAnyway constraints
// rank nodes in Score (fewer matching pods in the node's domains = higher score).
//
// A pod without constraints of its own gets the args' default constraints. Kubernetes builds
// their selector from the Services, ReplicaSets, ReplicationControllers and StatefulSets
// selecting the pod; PodInfo carries none of that, so here the selector is the pod's own
// labels minus the ones that differ between replicas (kPerReplicaLabels). A pod without
// such labels gets no default constraints, as a bare pod in Kubernetes.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"
#include "capstan/status.h"

namespace capstan::sched {

// Kubernetes' PodTopologySpreadArgs, with its defaults applied.
struct PodTopologySpreadArgs {
  // defaultingType List: these (without labelSelector); System: Kubernetes' built-in
  // ScheduleAnyway constraints (kubernetes.io/hostname maxSkew 3, topology.kubernetes.io/zone
  // maxSkew 5).
  std::vector<TopologySpreadConstraint> defaultConstraints;
  bool systemDefaulting = true;

  // Decodes and validates args YAML (empty or "null": the defaults). Errors name the key
  // path: `PodTopologySpread args: unknown field "defaultConstraints[0].maxSkw"`.
  static Result<PodTopologySpreadArgs> parse(const std::string& yaml);
};

class PodTopologySpread final : public Plugin,
                                public PreFilterPlugin,
                                public FilterPlugin,
                                public PreScorePlugin,
                                public ScorePlugin {
 public:
  static constexpr std::string_view kReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints";
  static constexpr std::string_view kReasonNodeLabelNotMatch =
      "node(s) didn't match pod topology spread constraints (missing required label)";
  static constexpr std::string_view kPreFilterStateKey = "PreFilterPodTopologySpread";
  static constexpr std::string_view kPreScoreStateKey = "PreScorePodTopologySpread";
  // Labels left out of the default-constraint selector: they differ between the replicas
  // of one workload (StatefulSet and indexed Job pods, controller revisions).
  static constexpr std::array<std::string_view, 4> kPerReplicaLabels = {
      "apps.kubernetes.io/pod-index", "batch.kubernetes.io/job-completion-index", "controller-revision-hash",
      "statefulset.kubernetes.io/pod-name"};

  PodTopologySpread();
  explicit PodTopologySpread(PodTopologySpreadArgs args);

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  PreFilterResult preFilter(CycleContext& ctx, const PodInfo& pod) override;
  StageStatus addPod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other, const NodeInfo& node) override;
  StageStatus removePod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other, const NodeInfo& node) override;
  void filter(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
              std::span<NodeVerdict> out) override;
  std::vector<std::string> reasons(std::uint32_t reason) const override;

  StageStatus preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes) override;
  StageStatus score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                    std::span<std::int64_t> scores) override;
  StageStatus normalize(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                        std::span<std::int64_t> scores) override;

  // A constraint as applied to one pod (Kubernetes' internal topologySpreadConstraint).
  struct Constraint {
    std::int32_t maxSkew = 1;
    std::string topologyKey;
    std::optional<LabelSelector> selector;  // absent: matches no pod
    std::int32_t minDomains = 1;
    bool nodeAffinityPolicyHonor = true;
    bool nodeTaintsPolicyHonor = false;
    bool hostname = false;   // topologyKey is kubernetes.io/hostname (counted per node in Score)
    bool selfMatch = false;  // the selector matches the incoming pod itself

    bool matches(const PodInfo& p) const { return selector && selector->matches(p.labels); }
  };

  // The pod's DoNotSchedule (`doNotSchedule`) or ScheduleAnyway constraints: its own, else
  // the defaults with a selector built from its labels.
  std::vector<Constraint> constraintsFor(const PodInfo& pod, bool doNotSchedule) const;

 private:
  void applyArgs(PodTopologySpreadArgs args);
  StageStatus updateWithPod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other, const NodeInfo& node,
                            int delta);

  std::vector<TopologySpreadConstraint> defaults_;
  bool systemDefaulted_ = true;
  ReasonTable reasonTable_;
  std::uint32_t constraintsNotMatch_ = 0;
  std::uint32_t nodeLabelNotMatch_ = 0;
  std::uint32_t missingState_ = 0;
};

}  // namespace capstan::sched
