#include "taint_toleration.h"

#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

namespace {

NodeInfo node(std::string name, std::vector<Taint> taints) {
  NodeInfo n;
  n.name = std::move(name);
  n.taints = std::move(taints);
  return n;
}

Toleration exists(std::string key, std::optional<TaintEffect> effect = std::nullopt) {
  return {std::move(key), true, "", effect, {}};
}

Toleration equal(std::string key, std::string value, std::optional<TaintEffect> effect = std::nullopt) {
  return {std::move(key), false, std::move(value), effect, {}};
}

std::vector<std::string> reasonsOf(TaintToleration& plugin, const NodeVerdict& v) { return plugin.reasons(v.reason); }

}  // namespace

TEST_CASE("TaintToleration Filter rejects untolerated NoSchedule and NoExecute taints") {
  TaintToleration plugin;
  StageTestContext t;
  NodeInfo clean = node("clean", {});
  NodeInfo noSchedule = node("no-schedule", {{"dedicated", "gpu", TaintEffect::kNoSchedule}});
  NodeInfo noExecute = node("no-execute", {{"node.kubernetes.io/not-ready", "", TaintEffect::kNoExecute}});
  NodeInfo prefer = node("prefer", {{"spot", "true", TaintEffect::kPreferNoSchedule}});
  t.setNodes({&clean, &noSchedule, &noExecute, &prefer});
  PodInfo pod;

  auto v = t.filter(plugin, pod, {&clean, &noSchedule, &noExecute, &prefer});
  CHECK(v[0].code == Code::kSuccess);
  CHECK(v[1].code == Code::kUnschedulableAndUnresolvable);
  CHECK(reasonsOf(plugin, v[1]) == std::vector<std::string>{"node(s) had untolerated taint {dedicated: gpu}"});
  CHECK(v[2].code == Code::kUnschedulableAndUnresolvable);
  // An empty taint value prints as nothing after the colon, as Go's %s does.
  CHECK(reasonsOf(plugin, v[2]) ==
        std::vector<std::string>{"node(s) had untolerated taint {node.kubernetes.io/not-ready: }"});
  SECTION("PreferNoSchedule never filters") { CHECK(v[3].code == Code::kSuccess); }

  SECTION("Equal with the taint's value tolerates; another value does not") {
    pod.tolerations = {equal("dedicated", "gpu")};
    CHECK(t.filter(plugin, pod, {&noSchedule})[0].code == Code::kSuccess);
    pod.tolerations = {equal("dedicated", "cpu")};
    CHECK(t.filter(plugin, pod, {&noSchedule})[0].code == Code::kUnschedulableAndUnresolvable);
  }
  SECTION("Exists with the key tolerates any value") {
    pod.tolerations = {exists("dedicated")};
    CHECK(t.filter(plugin, pod, {&noSchedule})[0].code == Code::kSuccess);
  }
  SECTION("Exists with an empty key tolerates every taint") {
    pod.tolerations = {exists("")};
    for (const auto& verdict : t.filter(plugin, pod, {&noSchedule, &noExecute})) CHECK(verdict.code == Code::kSuccess);
  }
  SECTION("Exists with an empty key but an effect tolerates only that effect") {
    pod.tolerations = {exists("", TaintEffect::kNoExecute)};
    auto r = t.filter(plugin, pod, {&noSchedule, &noExecute});
    CHECK(r[0].code == Code::kUnschedulableAndUnresolvable);
    CHECK(r[1].code == Code::kSuccess);
  }
  SECTION("a NoSchedule toleration does not tolerate a NoExecute taint of the same key") {
    pod.tolerations = {exists("node.kubernetes.io/not-ready", TaintEffect::kNoSchedule)};
    CHECK(t.filter(plugin, pod, {&noExecute})[0].code == Code::kUnschedulableAndUnresolvable);
  }
  SECTION("a NoExecute toleration with tolerationSeconds still lets the pod schedule") {
    Toleration tol = exists("node.kubernetes.io/not-ready", TaintEffect::kNoExecute);
    tol.tolerationSeconds = 300;
    pod.tolerations = {tol};
    CHECK(t.filter(plugin, pod, {&noExecute})[0].code == Code::kSuccess);
  }
  SECTION("a PreferNoSchedule toleration does not tolerate a NoSchedule taint") {
    pod.tolerations = {exists("dedicated", TaintEffect::kPreferNoSchedule)};
    CHECK(t.filter(plugin, pod, {&noSchedule})[0].code == Code::kUnschedulableAndUnresolvable);
  }
}

TEST_CASE("TaintToleration Filter names the node's first untolerated taint") {
  TaintToleration plugin;
  StageTestContext t;
  NodeInfo n = node("n", {{"a", "1", TaintEffect::kPreferNoSchedule},
                          {"b", "2", TaintEffect::kNoSchedule},
                          {"c", "3", TaintEffect::kNoExecute}});
  t.setNodes({&n});
  PodInfo pod;
  auto v = t.filter(plugin, pod, {&n});
  CHECK(reasonsOf(plugin, v[0]) == std::vector<std::string>{"node(s) had untolerated taint {b: 2}"});

  pod.tolerations = {equal("b", "2", TaintEffect::kNoSchedule)};
  v = t.filter(plugin, pod, {&n});
  CHECK(reasonsOf(plugin, v[0]) == std::vector<std::string>{"node(s) had untolerated taint {c: 3}"});

  pod.tolerations.push_back(exists("c"));
  CHECK(t.filter(plugin, pod, {&n})[0].code == Code::kSuccess);
}

TEST_CASE("TaintToleration Filter gives each distinct taint its own reason in one batch") {
  TaintToleration plugin;
  StageTestContext t;
  NodeInfo a1 = node("a1", {{"pool", "a", TaintEffect::kNoSchedule}});
  NodeInfo a2 = node("a2", {{"pool", "a", TaintEffect::kNoSchedule}});
  NodeInfo b = node("b", {{"pool", "b", TaintEffect::kNoSchedule}});
  NodeInfo a3 = node("a3", {{"pool", "a", TaintEffect::kNoExecute}});
  t.setNodes({&a1, &a2, &b, &a3});
  PodInfo pod;
  auto v = t.filter(plugin, pod, {&a1, &a2, &b, &a3});
  CHECK(v[0].reason == v[1].reason);
  CHECK(v[0].reason != v[2].reason);
  CHECK(v[3].reason == v[0].reason);  // same key and value: the same text
  CHECK(reasonsOf(plugin, v[2]) == std::vector<std::string>{"node(s) had untolerated taint {pool: b}"});
}

TEST_CASE("TaintToleration PreScore keeps the tolerations that matter for PreferNoSchedule") {
  TaintToleration plugin;
  StageTestContext t;
  NodeInfo n = node("n", {});
  t.setNodes({&n});
  PodInfo pod;
  pod.tolerations = {exists("a", TaintEffect::kNoSchedule), exists("b", TaintEffect::kPreferNoSchedule), exists("c"),
                     exists("d", TaintEffect::kNoExecute)};

  REQUIRE(t.preScore(plugin, pod, {&n}).ok());
  const auto* state = t.state.readOf<TaintToleration::PreScoreState>("test", TaintToleration::kPreScoreStateKey);
  REQUIRE(state);
  REQUIRE(state->tolerationsPreferNoSchedule.size() == 2);
  CHECK(state->tolerationsPreferNoSchedule[0].key == "b");
  CHECK(state->tolerationsPreferNoSchedule[1].key == "c");

  SECTION("the state survives a CycleState clone (preemption's simulations)") {
    auto copy = t.state.clone();
    const auto* cloned = copy->readOf<TaintToleration::PreScoreState>("test", TaintToleration::kPreScoreStateKey);
    REQUIRE(cloned);
    CHECK(cloned != state);
    CHECK(cloned->tolerationsPreferNoSchedule.size() == 2);
  }
}

TEST_CASE("TaintToleration PreScore with no nodes writes nothing") {
  TaintToleration plugin;
  StageTestContext t;
  PodInfo pod;
  CHECK(t.preScore(plugin, pod, {}).ok());
  CHECK(t.state.readOf<TaintToleration::PreScoreState>("test", TaintToleration::kPreScoreStateKey) == nullptr);
}

TEST_CASE("TaintToleration Score prefers nodes with fewer untolerated PreferNoSchedule taints") {
  TaintToleration plugin;
  StageTestContext t;
  NodeInfo none = node("none", {});
  NodeInfo one = node("one", {{"spot", "true", TaintEffect::kPreferNoSchedule}});
  NodeInfo two = node("two", {{"spot", "true", TaintEffect::kPreferNoSchedule},
                              {"old", "", TaintEffect::kPreferNoSchedule},
                              {"dedicated", "x", TaintEffect::kNoSchedule}});
  std::vector<const NodeInfo*> nodes{&none, &one, &two};
  t.setNodes(nodes);
  PodInfo pod;

  SECTION("raw counts 0, 1, 2 (NoSchedule taints do not count) normalize reversed to 100, 50, 0") {
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 50, 0});
  }
  SECTION("a tolerated PreferNoSchedule taint does not count") {
    pod.tolerations = {equal("spot", "true", TaintEffect::kPreferNoSchedule)};
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 100, 0});
  }
  SECTION("a toleration without an effect tolerates PreferNoSchedule too") {
    pod.tolerations = {exists("spot")};
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 100, 0});
  }
  SECTION("a NoSchedule toleration does not help scoring") {
    pod.tolerations = {exists("spot", TaintEffect::kNoSchedule), exists("old", TaintEffect::kNoSchedule)};
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 50, 0});
  }
  SECTION("everything tolerated: every node gets the maximum") {
    pod.tolerations = {exists("")};
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 100, 100});
  }
  SECTION("Score without PreScore's state is an error, as in Kubernetes") {
    CHECK_THROWS_WITH(t.score(plugin, pod, nodes), Catch::Contains("PreScoreTaintToleration"));
  }
}

TEST_CASE("TaintToleration answers its three kinds and takes no args") {
  TaintToleration plugin;
  CHECK(plugin.queryInterface("scheduler.filter") == static_cast<FilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.preScore") == static_cast<PreScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.score") == static_cast<ScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.preFilter") == nullptr);
  CHECK(TaintToleration::checkArgs("").ok());
  auto status = TaintToleration::checkArgs("weight: 3");
  CHECK(status.code() == capstan::Code::kInvalidArgument);
  CHECK(status.message() == "TaintToleration args: unknown field \"weight\"");
}
