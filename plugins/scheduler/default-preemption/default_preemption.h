#pragma once
// DefaultPreemption (Kubernetes' PostFilter plugin of the same name, v1.32 semantics): when
// no node fits a pod, find nodes where evicting lower-priority pods would make it fit, pick
// the node whose eviction hurts least, evict those pods through the API and nominate the
// node for the pod.
//
// The search is a dry run on copies: for each candidate node, every lower-priority pod is
// taken off a copy of the node (and out of a clone of the cycle state, through the profile's
// PreFilter extensions), the profile's Filters must then pass, and the victims are put back
// one at a time — PodDisruptionBudget-protected ones first, most important first — as long as
// the pod still fits. What stays off is the node's minimal victim set.
//
// The args are decoded once at init and never change for an instance's lifetime.

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"
#include "capstan/status.h"

namespace capstan::json {
class Value;
}

namespace capstan::sched {

// Kubernetes' DefaultPreemptionArgs, with its defaults applied.
struct DefaultPreemptionArgs {
  std::int32_t minCandidateNodesPercentage = 10;  // 0..100
  std::int32_t minCandidateNodesAbsolute = 100;   // >= 0; not 0 together with the percentage

  // Decodes and validates args YAML (empty or "null": all defaults). Errors name the key
  // path: `DefaultPreemption args: unknown field "minCandidateNodesPercent"`.
  static Result<DefaultPreemptionArgs> parse(const std::string& yaml);
};

// A policy/v1 PodDisruptionBudget as preemption reads it.
struct PodDisruptionBudget {
  std::string ns;
  std::string name;
  // Kubernetes treats an absent, empty or invalid selector as matching no pod; so does
  // `matches()`.
  LabelSelector selector;
  bool selectorMatchesPods = false;
  std::int32_t disruptionsAllowed = 0;     // status.disruptionsAllowed
  std::vector<std::string> disruptedPods;  // names in status.disruptedPods, sorted

  bool matches(const PodInfo& pod) const;
  bool disrupted(const std::string& podName) const;

  // The items of a PodDisruptionBudgetList body (malformed items are skipped).
  static std::vector<PodDisruptionBudget> fromList(const json::Value& list);
};

// The pods to evict on one node, most important first, and how many of them a
// PodDisruptionBudget protects.
struct Victims {
  std::vector<PodInfoPtr> pods;
  std::int64_t numPdbViolations = 0;
};

struct PreemptionCandidate {
  const NodeInfo* node = nullptr;
  Victims victims;
};

// Kubernetes' MoreImportantPod: higher priority, then the earlier start.
bool moreImportantPod(const PodInfo& a, const PodInfo& b);

// Kubernetes' pickOneNodeForPreemption: the index of the candidate with the fewest PDB
// violations, then the lowest highest-victim priority, the smallest priority sum, the fewest
// victims, the latest start among its highest-priority victims, then the first.
std::size_t pickOneNodeForPreemption(std::span<const PreemptionCandidate> candidates);

class DefaultPreemption final : public Plugin, public PostFilterPlugin {
 public:
  // Chooses where in the list of potential nodes the dry run starts: a number in [0, n).
  using OffsetSource = std::function<std::int32_t(std::int32_t n)>;

  static constexpr std::string_view kName = "DefaultPreemption";

  DefaultPreemption();
  // `offset` replaces the random start (tests); empty means random.
  explicit DefaultPreemption(DefaultPreemptionArgs args, OffsetSource offset = {});

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  PostFilterResult postFilter(CycleContext& ctx, const PodInfo& pod,
                              std::span<const NodeRejection> rejections) override;

  // How many candidates the dry run looks for among `numNodes` potential nodes.
  std::int32_t numCandidates(std::int32_t numNodes) const;

  // The minimal victim set for `pod` on `node` (a copy the dry run changes), evaluated on
  // `state` (a clone). Success with at least one victim, or the reason the node cannot help.
  StageStatus selectVictimsOnNode(CycleContext& ctx, CycleState& state, const PodInfo& pod, NodeInfo& node,
                                  std::span<const PodDisruptionBudget> pdbs, Victims& out) const;

 private:
  // Preempt() without the "preemption: " prefix.
  PostFilterResult preempt(CycleContext& ctx, const PodInfo& pod, std::span<const NodeRejection> rejections);
  // Eligibility (PodEligibleToPreemptOthers): the reason the pod may not preempt, or "".
  std::string notEligibleReason(CycleContext& ctx, const PodInfo& pod, std::span<const NodeRejection> rejections) const;
  // Evicts the victims and clears lower-priority nominations to the node (prepareCandidate).
  StageStatus prepareCandidate(CycleContext& ctx, const PodInfo& pod, const PreemptionCandidate& candidate);
  std::int32_t randomOffset(std::int32_t n);
  std::string eventName(const std::string& podName);

  DefaultPreemptionArgs args_;
  OffsetSource offset_;
  std::mutex randomMutex_;
  std::mt19937_64 random_;
  std::atomic<std::uint64_t> eventSequence_{0};
  std::string reportingInstance_;
};

}  // namespace capstan::sched
