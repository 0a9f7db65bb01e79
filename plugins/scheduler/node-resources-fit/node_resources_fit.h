#pragma once
// NodeResourcesFit (Kubernetes' plugin of the same name): Filter rejects nodes whose free
// allocatable resources cannot hold the pod's requests (or that have no pod slot left), and
// Score ranks nodes by how allocated they would be with the pod, using one of Kubernetes'
// three scoring strategies (LeastAllocated, MostAllocated, RequestedToCapacityRatio).
//
// The args are decoded once at init and never change for an instance's lifetime.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"
#include "capstan/status.h"

namespace capstan::sched {

// A resource the score looks at, and its weight (Kubernetes' config.ResourceSpec).
struct ResourceSpec {
  std::string name;
  std::int64_t weight = 1;
};

// One point of RequestedToCapacityRatio's broken linear function: utilization in percent
// (0..100), score 0..10 (scaled to 0..100 when scoring).
struct UtilizationShapePoint {
  std::int32_t utilization = 0;
  std::int32_t score = 0;
};

enum class ScoringStrategyType : std::uint8_t { kLeastAllocated, kMostAllocated, kRequestedToCapacityRatio };

// Kubernetes' NodeResourcesFitArgs, with its defaults applied.
struct NodeResourcesFitArgs {
  std::vector<std::string> ignoredResources;       // extended resources Filter does not check
  std::vector<std::string> ignoredResourceGroups;  // ... by prefix before '/': "example.com"
  ScoringStrategyType type = ScoringStrategyType::kLeastAllocated;
  std::vector<ResourceSpec> resources{{"cpu", 1}, {"memory", 1}};
  std::vector<UtilizationShapePoint> shape;  // requestedToCapacityRatio.shape

  // Decodes and validates args YAML (empty or "null": all defaults). Errors name the key
  // path: `NodeResourcesFit args: unknown field "scoringStrategy.tpye"`.
  static Result<NodeResourcesFitArgs> parse(const std::string& yaml);
};

class NodeResourcesFit final : public Plugin,
                               public PreFilterPlugin,
                               public FilterPlugin,
                               public PreScorePlugin,
                               public ScorePlugin {
 public:
  static constexpr std::string_view kPreFilterStateKey = "PreFilterNodeResourcesFit";
  static constexpr std::string_view kPreScoreStateKey = "PreScoreNodeResourcesFit";

  NodeResourcesFit();
  explicit NodeResourcesFit(NodeResourcesFitArgs args);

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  PreFilterResult preFilter(CycleContext& ctx, const PodInfo& pod) override;
  void filter(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
              std::span<NodeVerdict> out) override;
  std::vector<std::string> reasons(std::uint32_t reason) const override;

  StageStatus preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes) override;
  StageStatus score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                    std::span<std::int64_t> scores) override;

  enum class ResourceKind : std::uint8_t { kCpu, kMemory, kEphemeralStorage, kOther };
  // A scored resource, classified once at init so Score compares no names for cpu/memory.
  struct ScoredResource {
    ResourceKind kind = ResourceKind::kOther;
    bool scalar = false;  // Kubernetes' IsScalarResourceName: left out when the pod requests none
    std::string name;
    std::int64_t weight = 1;
  };

 private:
  void applyArgs(NodeResourcesFitArgs args);
  bool ignored(std::string_view resource) const;
  std::int64_t scoreNode(const NodeInfo& node, const std::int64_t* podRequests) const;

  NodeResourcesFitArgs args_;
  std::vector<ScoredResource> scored_;
  std::vector<std::pair<std::int64_t, std::int64_t>> shape_;  // (utilization, score 0..100)
  ReasonTable reasonTable_;
  std::uint32_t missingStateReason_ = 0;
};

}  // namespace capstan::sched
