#pragma once
// The framework's args, in the shape of Kubernetes' KubeSchedulerConfiguration, and their
// resolution into profiles of stage plugins (by plugin instance name, from the kernel's
// registry).
//
//   parallelism: 16                  # filter/score workers (default: the machine's cores)
//   percentageOfNodesToScore: 0      # 0: Kubernetes' adaptive default
//   podInitialBackoffSeconds: 1
//   podMaxBackoffSeconds: 10
//   api: api                         # instance name of the API plugin (bindings, events)
//   bindBatchSize: 512
//   profiles:
//     - schedulerName: default-scheduler
//       percentageOfNodesToScore: 50
//       plugins:
//         multiPoint: {enabled: [{name: MyPlugin, weight: 2}], disabled: [{name: ImageLocality}]}
//         score: {disabled: [{name: "*"}], enabled: [{name: NodeResourcesFit, weight: 1}]}
//
// Without `profiles`, one profile "default-scheduler" runs every loaded stage plugin at every
// extension point it implements, in config order, with Kubernetes' default score weights.
// Per-plugin args are each stage instance's own `args` in the daemon config.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/registry.h"
#include "capstan/status.h"

namespace capstan::sched {

// Extension points, in the order a pod meets them.
enum Point : int {
  kQueueSort = 0,
  kPreEnqueue,
  kPreFilter,
  kFilter,
  kPostFilter,
  kPreScore,
  kScore,
  kReserve,
  kPermit,
  kPreBind,
  kBind,
  kPostBind,
  kNumPoints
};
// KubeSchedulerConfiguration key ("filter") and plugin kind ("scheduler.filter") of each point.
extern const std::array<std::string_view, kNumPoints> kPointKeys;
extern const std::array<std::string_view, kNumPoints> kPointKinds;
extern const std::array<std::string_view, kNumPoints> kPointNames;  // "Filter", for metrics

struct PluginRef {
  std::string name;
  std::int32_t weight = 0;  // score only; 0: the default
};

struct PluginSet {
  std::vector<PluginRef> enabled;
  std::vector<std::string> disabled;  // "*": every default
};

struct ProfileConfig {
  std::string schedulerName = "default-scheduler";
  std::optional<std::int32_t> percentageOfNodesToScore;
  std::array<PluginSet, kNumPoints> points;
  PluginSet multiPoint;
};

struct SchedulerArgs {
  std::string api = "api";
  int parallelism = 0;  // 0: hardware threads
  std::int32_t percentageOfNodesToScore = 0;
  double podInitialBackoffSeconds = 1;
  double podMaxBackoffSeconds = 10;
  int bindBatchSize = 512;
  std::vector<ProfileConfig> profiles;
};

Result<SchedulerArgs> decodeSchedulerArgs(const std::string& yaml);

// A profile resolved against the registry: the stages it uses and, per point, which.
struct ResolvedProfile {
  std::string schedulerName;
  std::optional<std::int32_t> percentageOfNodesToScore;
  struct Stage {
    std::string name;
    std::shared_ptr<const PluginSlot> slot;
  };
  std::vector<Stage> stages;
  struct Use {
    std::size_t stage;      // index into stages
    std::int64_t weight;    // score weight
  };
  std::array<std::vector<Use>, kNumPoints> points;
};

// Fails when a profile names a plugin that is not loaded or does not implement the point.
Result<std::vector<ResolvedProfile>> resolveProfiles(const SchedulerArgs& args, PluginRegistry& registry);

// Kubernetes' default score weights by plugin name (1 for others).
std::int64_t defaultScoreWeight(std::string_view plugin);

// How many feasible nodes to look for: all below 100 nodes, else percentage (adaptive
// 50 - nodes/125, at least 5) of them, at least 100.
std::size_t numFeasibleNodesToFind(std::int32_t percentage, std::size_t numAllNodes);

}  // namespace capstan::sched
