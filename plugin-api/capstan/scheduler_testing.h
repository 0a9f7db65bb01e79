#pragma once
// Unit-test helpers for scheduler stages (built-in and custom): run a stage's extension
// points against hand-built PodInfo/NodeInfo the way the framework does, without a daemon.
// Integration tests (tests/scheduler_test.cpp) run the real framework.

#include <stdexcept>
#include <string>
#include <vector>

#include "capstan/scheduler.h"

namespace capstan::sched {

// A FrameworkHandle for stage unit tests: no API behind it (apiBatch throws), filters
// run through `filterPlugins` when a test sets them (preemption tests).
class TestFrameworkHandle : public FrameworkHandle {
 public:
  const std::string& profileName() const override { return profile; }
  StageStatus runFilters(CycleState& state, const PodInfo& pod, const NodeInfo& node) override {
    Snapshot snapshot;
    CycleContext ctx{state, snapshot, *this};
    for (FilterPlugin* f : filterPlugins) {
      NodeVerdict v;
      const NodeInfo* n = &node;
      f->filter(ctx, pod, std::span<const NodeInfo* const>(&n, 1), std::span<NodeVerdict>(&v, 1));
      if (v.code != Code::kSuccess) {
        auto texts = f->reasons(v.reason);
        return {v.code, texts.empty() ? std::string() : texts[0]};
      }
    }
    return {};
  }
  StageStatus runPreFilterRemovePod(CycleState&, const PodInfo&, const PodInfo&, const NodeInfo&) override {
    return {};
  }
  StageStatus runPreFilterAddPod(CycleState&, const PodInfo&, const PodInfo&, const NodeInfo&) override { return {}; }
  std::string apiBatch(const std::string&) override { throw std::runtime_error("no API in stage unit tests"); }
  void allowWaitingPod(const std::string& uid, std::string_view) override { allowed.push_back(uid); }
  void rejectWaitingPod(const std::string& uid, std::string_view, const std::string&) override {
    rejected.push_back(uid);
  }

  std::string profile = "default-scheduler";
  std::vector<FilterPlugin*> filterPlugins;
  std::vector<std::string> allowed, rejected;
};

// One pod's cycle: a CycleState, a Snapshot the test fills, and the calls.
struct StageTestContext {
  CycleState state;
  Snapshot snapshot;
  TestFrameworkHandle framework;
  CycleContext ctx{state, snapshot, framework};

  // Fills snapshot.nodes / byName / havePodsWith* from `nodes` (call after changing them).
  void setNodes(const std::vector<const NodeInfo*>& nodes) {
    snapshot.nodes = nodes;
    snapshot.byName.clear();
    snapshot.havePodsWithAffinity.clear();
    snapshot.havePodsWithRequiredAntiAffinity.clear();
    for (const NodeInfo* n : nodes) {
      snapshot.byName[n->name] = n;
      if (!n->podsWithAffinity.empty()) snapshot.havePodsWithAffinity.push_back(n);
      if (!n->podsWithRequiredAntiAffinity.empty()) snapshot.havePodsWithRequiredAntiAffinity.push_back(n);
    }
  }

  PreFilterResult preFilter(PreFilterPlugin& p, const PodInfo& pod, std::string_view owner = "test") {
    state.setOwner(owner);
    return p.preFilter(ctx, pod);
  }
  std::vector<NodeVerdict> filter(FilterPlugin& p, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                                  std::string_view owner = "test") {
    state.setOwner(owner);
    std::vector<NodeVerdict> out(nodes.size());
    p.filter(ctx, pod, nodes, out);
    return out;
  }
  StageStatus preScore(PreScorePlugin& p, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                       std::string_view owner = "test") {
    state.setOwner(owner);
    return p.preScore(ctx, pod, nodes);
  }
  // Score then NormalizeScore, as the framework runs them (before weights).
  std::vector<std::int64_t> score(ScorePlugin& p, const PodInfo& pod, const std::vector<const NodeInfo*>& nodes,
                                  std::string_view owner = "test") {
    state.setOwner(owner);
    std::vector<std::int64_t> out(nodes.size(), 0);
    StageStatus s = p.score(ctx, pod, nodes, out);
    if (!s.ok()) throw std::runtime_error("score failed: " + s.message);
    s = p.normalize(ctx, pod, nodes, out);
    if (!s.ok()) throw std::runtime_error("normalize failed: " + s.message);
    return out;
  }
};

}  // namespace capstan::sched
