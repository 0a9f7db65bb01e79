// Unit tests of the framework's parts: args and profiles, the scheduling queue, the cache.
// The whole scheduler (framework + stage plugins + API) is tested end to end in
// tests/scheduler_test.cpp.

#include <catch2/catch.hpp>

#include <map>
#include <thread>

#include "cache.h"
#include "profile.h"
#include "queue.h"

using namespace capstan;
using namespace capstan::sched;
using namespace std::chrono_literals;

namespace {

// A registry of named slots implementing given kinds (no plugin code behind them: profile
// resolution only asks which slots implement which points).
class KindsRegistry : public PluginRegistry {
 public:
  struct Slot : PluginSlot {
    std::string name_;
    std::vector<std::string> kinds;
    const std::string& name() const override { return name_; }
    void* pin(std::string_view, std::shared_ptr<const void>&, std::string*) const override { return nullptr; }
    bool pinMany(std::span<const std::string_view>, std::span<void*>, std::shared_ptr<const void>&,
                 std::string*) const override {
      return false;
    }
  };
  void add(std::string name, std::vector<std::string> kinds) {
    auto s = std::make_shared<Slot>();
    s->name_ = std::move(name);
    s->kinds = std::move(kinds);
    slots.push_back(s);
  }
  std::vector<std::shared_ptr<const PluginSlot>> slotsOfKind(std::string_view kind) override {
    std::vector<std::shared_ptr<const PluginSlot>> out;
    for (auto& s : slots)
      if (std::find(s->kinds.begin(), s->kinds.end(), kind) != s->kinds.end()) out.push_back(s);
    return out;
  }
  std::shared_ptr<const PluginSlot> slot(std::string_view name) override {
    for (auto& s : slots)
      if (s->name_ == name) return s;
    return nullptr;
  }
  std::vector<std::shared_ptr<Slot>> slots;
};

std::vector<std::string> namesAt(const ResolvedProfile& p, Point point) {
  std::vector<std::string> out;
  for (const auto& use : p.points[point]) out.push_back(p.stages[use.stage].name);
  return out;
}

PodInfoPtr pod(const std::string& name, std::int32_t priority = 0) {
  auto p = std::make_shared<PodInfo>();
  p->ns = "default";
  p->name = name;
  p->uid = "uid-" + name;
  p->priority = priority;
  return p;
}

bool byPriority(const QueuedPodInfo& a, const QueuedPodInfo& b) {
  if (a.pod->priority != b.pod->priority) return a.pod->priority > b.pod->priority;
  return a.timestamp < b.timestamp;
}

std::string popName(SchedulingQueue& q, SchedulingQueue::Clock::duration wait = 0ms) {
  auto info = q.pop(wait, byPriority, reinterpret_cast<const void*>(&byPriority));
  return info ? info->pod->name : "";
}

}  // namespace

TEST_CASE("numFeasibleNodesToFind follows Kubernetes' adaptive percentage") {
  CHECK(numFeasibleNodesToFind(0, 50) == 50);        // under 100 nodes: all of them
  CHECK(numFeasibleNodesToFind(0, 1000) == 420);     // 50 - 1000/125 = 42%
  CHECK(numFeasibleNodesToFind(0, 5000) == 500);     // 50 - 40 = 10%
  CHECK(numFeasibleNodesToFind(0, 15000) == 750);    // 50 - 120 < 5: at least 5%
  CHECK(numFeasibleNodesToFind(10, 500) == 100);     // 10% = 50, but at least 100
  CHECK(numFeasibleNodesToFind(100, 5000) == 5000);  // 100%: every node
  CHECK(numFeasibleNodesToFind(30, 5000) == 1500);
}

TEST_CASE("scheduler args are decoded with defaults, and errors name the field") {
  auto defaults = decodeSchedulerArgs("");
  REQUIRE(defaults.ok());
  CHECK(defaults->api == "api");
  CHECK(defaults->parallelism >= 1);
  REQUIRE(defaults->profiles.size() == 1);
  CHECK(defaults->profiles[0].schedulerName == "default-scheduler");

  auto typo = decodeSchedulerArgs("profiles:\n- schedulerName: a\n  plugins:\n    filtr: {}\n");
  CHECK(typo.status().message() == "scheduler args: unknown field \"profiles[0].plugins.filtr\"");
  auto range = decodeSchedulerArgs("percentageOfNodesToScore: 120");
  CHECK(range.status().message() ==
        "scheduler args: percentageOfNodesToScore: Invalid value: 120: not in valid range [0-100]");
  auto dup = decodeSchedulerArgs("profiles: [{schedulerName: a}, {schedulerName: a}]");
  CHECK(dup.status().message() == "scheduler args: profiles[1].schedulerName: Duplicate value: \"a\"");
  auto bad = decodeSchedulerArgs("parallelism: many");
  CHECK(bad.status().message() == "scheduler args: parallelism: invalid value \"many\"");
  auto star = decodeSchedulerArgs("profiles: [{plugins: {score: {enabled: [{name: '*'}]}}}]");
  CHECK(star.status().message() ==
        "scheduler args: profiles[0].plugins.score.enabled[0].name: \"*\" can only disable plugins");
}

TEST_CASE("profiles resolve against the loaded stage plugins") {
  KindsRegistry registry;
  registry.add("PrioritySort", {"scheduler.queueSort"});
  registry.add("NodeName", {"scheduler.filter"});
  registry.add("TaintToleration", {"scheduler.filter", "scheduler.preScore", "scheduler.score"});
  registry.add("NodeResourcesFit", {"scheduler.preFilter", "scheduler.filter", "scheduler.score"});
  registry.add("Custom", {"scheduler.score"});
  registry.add("DefaultBinder", {"scheduler.bind"});

  SECTION("the default profile runs every loaded stage at every point it implements, in config order") {
    auto args = decodeSchedulerArgs("");
    auto profiles = resolveProfiles(*args, registry);
    REQUIRE(profiles.ok());
    const auto& p = profiles->front();
    CHECK(namesAt(p, kQueueSort) == std::vector<std::string>{"PrioritySort"});
    CHECK(namesAt(p, kFilter) == std::vector<std::string>{"NodeName", "TaintToleration", "NodeResourcesFit"});
    CHECK(namesAt(p, kScore) == std::vector<std::string>{"TaintToleration", "NodeResourcesFit", "Custom"});
    CHECK(namesAt(p, kBind) == std::vector<std::string>{"DefaultBinder"});
    // Kubernetes' default weights: TaintToleration 3, others 1.
    CHECK(p.points[kScore][0].weight == 3);
    CHECK(p.points[kScore][1].weight == 1);
  }
  SECTION("disabled '*' at a point, enabled with weights, multiPoint") {
    auto args = decodeSchedulerArgs(R"(
profiles:
  - schedulerName: custom
    plugins:
      multiPoint:
        disabled: [{name: NodeName}]
      score:
        disabled: [{name: "*"}]
        enabled: [{name: Custom, weight: 5}]
)");
    REQUIRE(args.ok());
    auto profiles = resolveProfiles(*args, registry);
    REQUIRE(profiles.ok());
    const auto& p = profiles->front();
    CHECK(p.schedulerName == "custom");
    CHECK(namesAt(p, kFilter) == std::vector<std::string>{"TaintToleration", "NodeResourcesFit"});
    CHECK(namesAt(p, kScore) == std::vector<std::string>{"Custom"});
    CHECK(p.points[kScore][0].weight == 5);
  }
  SECTION("a plugin that is not loaded, or lacks the point, is an error naming it") {
    auto missing = decodeSchedulerArgs("profiles: [{plugins: {filter: {enabled: [{name: Nope}]}}}]");
    CHECK(resolveProfiles(*missing, registry).status().message() ==
          "scheduler profile \"default-scheduler\": plugin \"Nope\" is not loaded (add it to the daemon config's "
          "plugins)");
    auto wrong = decodeSchedulerArgs("profiles: [{plugins: {bind: {enabled: [{name: NodeName}]}}}]");
    CHECK(resolveProfiles(*wrong, registry).status().message() ==
          "scheduler profile \"default-scheduler\": plugin \"NodeName\" does not implement scheduler.bind");
  }
}

TEST_CASE("the scheduling queue orders by priority, then age") {
  SchedulingQueue q({});
  q.add(pod("low", 0), nullptr);
  q.add(pod("high", 100), nullptr);
  q.add(pod("low2", 0), nullptr);
  CHECK(popName(q) == "high");
  CHECK(popName(q) == "low");
  CHECK(popName(q) == "low2");
  CHECK(popName(q) == "");
  CHECK(q.counts().inFlight == 3);
}

TEST_CASE("a failed pod backs off; an unschedulable one waits for a cluster event") {
  SchedulingQueue::Options options;
  options.initialBackoff = 60s;  // long enough that "not yet" is certain
  options.maxBackoff = 60s;
  SchedulingQueue q(options);
  q.add(pod("a"), nullptr);
  auto a = q.pop(0ms, byPriority, nullptr);
  REQUIRE(a);

  SECTION("error: to backoffQ, not poppable before the backoff ends") {
    q.requeue(*a, true, q.schedulingCycle());
    CHECK(q.counts().backoff == 1);
    CHECK(popName(q) == "");
  }
  SECTION("unschedulable: parked until moveAllToActiveOrBackoff, then backoff still applies") {
    q.requeue(*a, false, q.schedulingCycle() - 1);  // no move request since its cycle began
    CHECK(q.counts().unschedulable == 1);
    q.moveAllToActiveOrBackoff();
    CHECK(q.counts().backoff == 1);  // it is still backing off from its attempt
  }
  SECTION("a move request during the attempt sends the pod to backoffQ, not to unschedulable") {
    std::int64_t cycle = q.schedulingCycle();
    q.moveAllToActiveOrBackoff();
    q.requeue(*a, false, cycle);
    CHECK(q.counts().backoff == 1);
  }
  SECTION("deleted while in flight: requeue does nothing") {
    q.remove("uid-a");
    q.requeue(*a, true, q.schedulingCycle());
    CHECK(q.counts().backoff == 0);
  }
}

TEST_CASE("backoff expires into activeQ, and backoff doubles per attempt up to the maximum") {
  SchedulingQueue::Options options;
  options.initialBackoff = 1ms;
  options.maxBackoff = 4ms;
  SchedulingQueue q(options);
  q.add(pod("a"), nullptr);
  for (int attempt = 1; attempt <= 5; ++attempt) {
    auto a = q.pop(10s, byPriority, nullptr);  // waits out the backoff
    REQUIRE(a);
    CHECK(a->attempts == attempt);
    q.requeue(*a, true, q.schedulingCycle());
  }
}

TEST_CASE("PreEnqueue gates keep a pod out of activeQ until an update passes them") {
  SchedulingQueue q({});
  auto gate = [](const PodInfo& p) {
    return p.schedulingGates.empty() ? StageStatus{} : StageStatus::unresolvable("waiting for scheduling gates");
  };
  auto gated = std::make_shared<PodInfo>(*pod("g"));
  gated->schedulingGates = {"example.com/wait"};
  q.add(gated, gate);
  CHECK(q.counts().gated == 1);
  CHECK(popName(q) == "");
  q.update(pod("g"), gate);  // the gate was removed
  CHECK(popName(q) == "g");
}

TEST_CASE("the cache keeps node sums through assume, forget, confirm and node churn") {
  Cache cache;
  NodeInfo n1;
  n1.name = "n1";
  n1.allocatable.milliCpu = 4000;
  cache.upsertNode(n1);

  auto p = std::make_shared<PodInfo>(*pod("p"));
  p->requests.milliCpu = 500;
  p->nonZeroMilliCpu = 500;
  p->nodeName = "n1";
  cache.assume(p);
  CHECK(cache.isAssumed("uid-p"));
  const Snapshot& s1 = cache.snapshot();
  REQUIRE(s1.nodes.size() == 1);
  CHECK(s1.nodes[0]->requested.milliCpu == 500);

  SECTION("a failed binding forgets the pod") {
    cache.forget("uid-p");
    CHECK(cache.snapshot().nodes[0]->requested.milliCpu == 0);
    CHECK(cache.snapshot().nodes[0]->pods.empty());
  }
  SECTION("the informer's bound pod confirms the assumption without counting it twice") {
    cache.upsertBoundPod(p);
    CHECK(!cache.isAssumed("uid-p"));
    CHECK(cache.snapshot().nodes[0]->requested.milliCpu == 500);
    CHECK(cache.snapshot().nodes[0]->pods.size() == 1);
  }
  SECTION("a node update keeps its pods; pods of an unknown node wait for it") {
    n1.labels = {{"zone", "a"}};
    cache.upsertNode(n1);
    CHECK(cache.snapshot().nodes[0]->requested.milliCpu == 500);
    CHECK(cache.snapshot().nodes[0]->labels.size() == 1);

    auto q = std::make_shared<PodInfo>(*pod("q"));
    q->requests.milliCpu = 250;
    q->nodeName = "n2";
    cache.upsertBoundPod(q);
    CHECK(cache.snapshot().nodes.size() == 1);  // n2 is not a node yet
    NodeInfo n2;
    n2.name = "n2";
    cache.upsertNode(n2);
    const Snapshot& s2 = cache.snapshot();
    REQUIRE(s2.nodes.size() == 2);
    CHECK(s2.node("n2")->requested.milliCpu == 250);
    cache.removeNode("n1");
    CHECK(cache.snapshot().nodes.size() == 1);
    cache.upsertNode(n1);  // back: with its pod
    CHECK(cache.snapshot().node("n1")->requested.milliCpu == 500);
  }
  SECTION("images count the nodes that have them") {
    n1.images = {{"nginx:1", {1000, 0}}};
    cache.upsertNode(n1);
    NodeInfo n2;
    n2.name = "n2";
    n2.images = {{"nginx:1", {1000, 0}}};
    cache.upsertNode(n2);
    CHECK(cache.snapshot().node("n1")->image("nginx:1")->numNodes == 2);
  }
}

TEST_CASE("a status-only update leaves an unschedulable pod parked; a spec change retries it") {
  SchedulingQueue::Options options;
  options.initialBackoff = std::chrono::milliseconds(1);
  SchedulingQueue q(options);
  q.add(pod("a"), nullptr);
  auto a = q.pop(0ms, byPriority, nullptr);
  REQUIRE(a);
  q.requeue(*a, false, q.schedulingCycle() - 1);
  REQUIRE(q.counts().unschedulable == 1);
  q.update(pod("a"), nullptr, /*schedulingChanged=*/false);  // e.g. our own PodScheduled condition
  CHECK(q.counts().unschedulable == 1);
  q.update(pod("a"), nullptr, /*schedulingChanged=*/true);
  CHECK(q.counts().unschedulable == 0);
}
