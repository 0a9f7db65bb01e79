#pragma once
// NodeResourcesBalancedAllocation (Kubernetes' plugin of the same name): favours nodes whose
// allocated fractions of the listed resources (cpu and memory by default) would be closest
// to each other with the pod placed: score = (1 - standard deviation of the fractions) * 100.
// Unlike NodeResourcesFit's scoring it uses the plain requests (a pod requesting nothing
// adds nothing).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"
#include "capstan/status.h"

namespace capstan::sched {

// Kubernetes' NodeResourcesBalancedAllocationArgs, with its defaults applied. Every weight is
// 1 (Kubernetes accepts no other).
struct NodeResourcesBalancedAllocationArgs {
  std::vector<std::string> resources{"cpu", "memory"};

  // Decodes and validates args YAML (empty or "null": the defaults). Errors name the key
  // path: `NodeResourcesBalancedAllocation args: unknown field "resources[0].wieght"`.
  static Result<NodeResourcesBalancedAllocationArgs> parse(const std::string& yaml);
};

class NodeResourcesBalancedAllocation final : public Plugin, public PreScorePlugin, public ScorePlugin {
 public:
  static constexpr std::string_view kPreScoreStateKey = "PreScoreNodeResourcesBalancedAllocation";

  NodeResourcesBalancedAllocation();
  explicit NodeResourcesBalancedAllocation(NodeResourcesBalancedAllocationArgs args);

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  StageStatus preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes) override;
  StageStatus score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                    std::span<std::int64_t> scores) override;

  enum class ResourceKind : std::uint8_t { kCpu, kMemory, kEphemeralStorage, kOther };
  // A scored resource, classified once at init so Score compares no names for cpu/memory.
  struct ScoredResource {
    ResourceKind kind = ResourceKind::kOther;
    bool scalar = false;  // Kubernetes' IsScalarResourceName: left out when the pod requests none
    std::string name;
  };

 private:
  void applyArgs(const NodeResourcesBalancedAllocationArgs& args);
  std::int64_t scoreNode(const NodeInfo& node, const std::int64_t* podRequests) const;

  std::vector<ScoredResource> scored_;
};

}  // namespace capstan::sched
