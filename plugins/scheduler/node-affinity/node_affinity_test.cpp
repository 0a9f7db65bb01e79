#include "node_affinity.h"

#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

namespace {

NodeInfo labeled(std::string name, Labels labels) {
  NodeInfo n;
  n.name = std::move(name);
  std::sort(labels.begin(), labels.end());
  n.labels = std::move(labels);
  return n;
}

Requirement req(std::string key, SelectorOp op, std::vector<std::string> values = {}) {
  return {std::move(key), op, std::move(values)};
}

NodeSelectorTerm expressions(std::vector<Requirement> r) { return {std::move(r), {}}; }
NodeSelectorTerm nameIn(std::vector<std::string> names) {
  return {{}, {req("metadata.name", SelectorOp::kIn, std::move(names))}};
}

NodeAffinity withArgs(const std::string& yaml) {
  auto args = decodeNodeAffinityArgs(yaml);
  REQUIRE(args.ok());
  return NodeAffinity(*args);
}

std::vector<Code> codes(const std::vector<NodeVerdict>& verdicts) {
  std::vector<Code> out;
  for (const auto& v : verdicts) out.push_back(v.code);
  return out;
}

constexpr Code kOk = Code::kSuccess;
constexpr Code kNo = Code::kUnschedulableAndUnresolvable;

// PreFilter then Filter, as the framework runs them (a Skip leaves every node fitting).
std::vector<NodeVerdict> prefilterAndFilter(StageTestContext& t, NodeAffinity& plugin, const PodInfo& pod,
                                            const std::vector<const NodeInfo*>& nodes) {
  auto pre = t.preFilter(plugin, pod);
  if (pre.status.code == Code::kSkip) return std::vector<NodeVerdict>(nodes.size());
  REQUIRE(pre.status.ok());
  return t.filter(plugin, pod, nodes);
}

}  // namespace

TEST_CASE("NodeAffinity PreFilter skips pods with neither nodeSelector nor required affinity") {
  NodeAffinity plugin;
  StageTestContext t;
  PodInfo pod;
  pod.preferredNodeAffinity = {{5, expressions({req("zone", SelectorOp::kExists)})}};
  CHECK(t.preFilter(plugin, pod).status.code == Code::kSkip);

  SECTION("a nodeSelector runs the Filter") {
    pod.nodeSelector = {{"zone", "a"}};
    CHECK(t.preFilter(plugin, pod).status.code == Code::kSuccess);
  }
  SECTION("required affinity, even with no terms, runs the Filter") {
    pod.requiredNodeAffinity.emplace();
    auto r = t.preFilter(plugin, pod);
    CHECK(r.status.code == Code::kSuccess);
    CHECK_FALSE(r.nodeNames.has_value());
  }
  SECTION("scheduler-enforced required affinity runs the Filter for every pod") {
    NodeAffinity enforced = withArgs(R"(
addedAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [batch]}]}]
)");
    CHECK(t.preFilter(enforced, pod).status.code == Code::kSuccess);
  }
}

TEST_CASE("NodeAffinity Filter: nodeSelector needs every label") {
  NodeAffinity plugin;
  StageTestContext t;
  NodeInfo both = labeled("both", {{"zone", "a"}, {"disk", "ssd"}});
  NodeInfo zoneOnly = labeled("zone-only", {{"zone", "a"}});
  NodeInfo otherZone = labeled("other-zone", {{"zone", "b"}, {"disk", "ssd"}});
  std::vector<const NodeInfo*> nodes{&both, &zoneOnly, &otherZone};
  t.setNodes(nodes);

  PodInfo pod;
  pod.nodeSelector = {{"disk", "ssd"}, {"zone", "a"}};
  auto v = prefilterAndFilter(t, plugin, pod, nodes);
  CHECK(codes(v) == std::vector<Code>{kOk, kNo, kNo});
  CHECK(plugin.reasons(v[1].reason) == std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"});
}

TEST_CASE("NodeAffinity Filter: required terms are ORed, their expressions ANDed") {
  NodeAffinity plugin;
  StageTestContext t;
  NodeInfo a = labeled("a", {{"zone", "a"}, {"cores", "16"}});
  NodeInfo b = labeled("b", {{"zone", "b"}, {"cores", "2"}});
  NodeInfo c = labeled("c", {{"zone", "c"}, {"cores", "64"}});
  std::vector<const NodeInfo*> nodes{&a, &b, &c};
  t.setNodes(nodes);

  PodInfo pod;
  pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{
      expressions({req("zone", SelectorOp::kIn, {"a", "b"}), req("cores", SelectorOp::kGt, {"8"})}),
      expressions({req("zone", SelectorOp::kIn, {"c"})})};
  CHECK(codes(prefilterAndFilter(t, plugin, pod, nodes)) == std::vector<Code>{kOk, kNo, kOk});

  SECTION("Lt") {
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{expressions({req("cores", SelectorOp::kLt, {"16"})})};
    CHECK(codes(prefilterAndFilter(t, plugin, pod, nodes)) == std::vector<Code>{kNo, kOk, kNo});
  }
  SECTION("DoesNotExist and NotIn") {
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{
        expressions({req("gpu", SelectorOp::kDoesNotExist), req("zone", SelectorOp::kNotIn, {"a"})})};
    CHECK(codes(prefilterAndFilter(t, plugin, pod, nodes)) == std::vector<Code>{kNo, kOk, kOk});
  }
  SECTION("nodeSelector and affinity together: both must hold") {
    pod.nodeSelector = {{"zone", "c"}};
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{expressions({req("cores", SelectorOp::kGt, {"8"})})};
    CHECK(codes(prefilterAndFilter(t, plugin, pod, nodes)) == std::vector<Code>{kNo, kNo, kOk});
  }
  SECTION("a term without requirements matches nothing, but the other terms still count") {
    pod.requiredNodeAffinity =
        std::vector<NodeSelectorTerm>{NodeSelectorTerm{}, expressions({req("zone", SelectorOp::kIn, {"b"})})};
    CHECK(codes(prefilterAndFilter(t, plugin, pod, nodes)) == std::vector<Code>{kNo, kOk, kNo});
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{NodeSelectorTerm{}};
    CHECK(codes(prefilterAndFilter(t, plugin, pod, nodes)) == std::vector<Code>{kNo, kNo, kNo});
  }
  SECTION("required affinity with an empty term list matches no node") {
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{};
    CHECK(codes(prefilterAndFilter(t, plugin, pod, nodes)) == std::vector<Code>{kNo, kNo, kNo});
  }
  SECTION("an invalid term (In without values) is ignored, not an error") {
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{expressions({req("zone", SelectorOp::kNotIn)}),
                                                             expressions({req("zone", SelectorOp::kIn, {"a"})})};
    CHECK(codes(prefilterAndFilter(t, plugin, pod, nodes)) == std::vector<Code>{kOk, kNo, kNo});
  }
  SECTION("Exists matches a label whose value is empty") {
    NodeInfo emptyValue = labeled("empty-value", {{"zone", ""}});
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{expressions({req("zone", SelectorOp::kExists)})};
    t.setNodes({&emptyValue});
    CHECK(codes(prefilterAndFilter(t, plugin, pod, {&emptyValue})) == std::vector<Code>{kOk});
  }
}

TEST_CASE("NodeAffinity Filter works without PreFilter state") {
  NodeAffinity plugin;
  StageTestContext t;
  NodeInfo a = labeled("a", {{"zone", "a"}});
  NodeInfo b = labeled("b", {{"zone", "b"}});
  t.setNodes({&a, &b});
  PodInfo pod;
  pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{expressions({req("zone", SelectorOp::kIn, {"b"})})};
  CHECK(codes(t.filter(plugin, pod, {&a, &b})) == std::vector<Code>{kNo, kOk});
}

TEST_CASE("NodeAffinity PreFilter narrows to node names pinned by matchFields") {
  NodeAffinity plugin;
  StageTestContext t;
  NodeInfo n1 = labeled("node-1", {{"zone", "a"}});
  NodeInfo n2 = labeled("node-2", {{"zone", "b"}});
  NodeInfo n3 = labeled("node-3", {{"zone", "a"}});
  std::vector<const NodeInfo*> nodes{&n1, &n2, &n3};
  t.setNodes(nodes);
  PodInfo pod;

  SECTION("one term, one name") {
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{nameIn({"node-2"})};
    auto r = t.preFilter(plugin, pod);
    CHECK(r.status.ok());
    CHECK(r.nodeNames == std::vector<std::string>{"node-2"});
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kOk, kNo});
  }
  SECTION("the terms' names are united") {
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{nameIn({"node-3"}), nameIn({"node-1"})};
    auto r = t.preFilter(plugin, pod);
    CHECK(r.nodeNames == std::vector<std::string>{"node-1", "node-3"});
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kNo, kOk});
  }
  SECTION("a term that leaves the name open: no narrowing") {
    pod.requiredNodeAffinity =
        std::vector<NodeSelectorTerm>{nameIn({"node-1"}), expressions({req("zone", SelectorOp::kIn, {"b"})})};
    auto r = t.preFilter(plugin, pod);
    CHECK(r.status.ok());
    CHECK_FALSE(r.nodeNames.has_value());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kOk, kNo});
  }
  SECTION("NotIn on the name does not narrow") {
    pod.requiredNodeAffinity =
        std::vector<NodeSelectorTerm>{NodeSelectorTerm{{}, {req("metadata.name", SelectorOp::kNotIn, {"node-1"})}}};
    CHECK_FALSE(t.preFilter(plugin, pod).nodeNames.has_value());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kOk, kOk});
  }
  SECTION("name pinned and labels required in one term: both hold") {
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{
        NodeSelectorTerm{{req("zone", SelectorOp::kIn, {"b"})}, {req("metadata.name", SelectorOp::kIn, {"node-1"})}}};
    CHECK(t.preFilter(plugin, pod).nodeNames == std::vector<std::string>{"node-1"});
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kNo, kNo});
  }
  SECTION("two name requirements in one term with nothing in common: the pod fits nowhere") {
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{NodeSelectorTerm{
        {}, {req("metadata.name", SelectorOp::kIn, {"node-1"}), req("metadata.name", SelectorOp::kIn, {"node-2"})}}};
    auto r = t.preFilter(plugin, pod);
    CHECK(r.status.code == Code::kUnschedulableAndUnresolvable);
    CHECK(r.status.message == "pod affinity terms conflict");
  }
}

TEST_CASE("NodeAffinity addedAffinity is enforced on every pod with its own reason") {
  NodeAffinity plugin = withArgs(R"(
addedAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpressions: [{key: pool, operator: In, values: [batch]}]
)");
  StageTestContext t;
  NodeInfo batchA = labeled("batch-a", {{"pool", "batch"}, {"zone", "a"}});
  NodeInfo batchB = labeled("batch-b", {{"pool", "batch"}, {"zone", "b"}});
  NodeInfo web = labeled("web", {{"pool", "web"}, {"zone", "a"}});
  std::vector<const NodeInfo*> nodes{&batchA, &batchB, &web};
  t.setNodes(nodes);

  PodInfo pod;
  auto v = prefilterAndFilter(t, plugin, pod, nodes);
  CHECK(codes(v) == std::vector<Code>{kOk, kOk, kNo});
  CHECK(plugin.reasons(v[2].reason) ==
        std::vector<std::string>{"node(s) didn't match scheduler-enforced node affinity"});

  SECTION("the pod's own selector still applies, and the enforced reason comes first") {
    pod.nodeSelector = {{"zone", "a"}};
    v = prefilterAndFilter(t, plugin, pod, nodes);
    CHECK(codes(v) == std::vector<Code>{kOk, kNo, kNo});
    CHECK(plugin.reasons(v[1].reason) == std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"});
    CHECK(plugin.reasons(v[2].reason) ==
          std::vector<std::string>{"node(s) didn't match scheduler-enforced node affinity"});
  }
  SECTION("an empty enforced term list matches no node") {
    NodeAffinity nothing =
        withArgs("addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}");
    CHECK(codes(prefilterAndFilter(t, nothing, pod, nodes)) == std::vector<Code>{kNo, kNo, kNo});
  }
}

TEST_CASE("NodeAffinity Score sums matching preferred weights, normalized to 100") {
  NodeAffinity plugin;
  StageTestContext t;
  NodeInfo best = labeled("best", {{"zone", "a"}, {"disk", "ssd"}});
  NodeInfo some = labeled("some", {{"zone", "a"}, {"disk", "hdd"}});
  NodeInfo none = labeled("none", {{"zone", "b"}});
  std::vector<const NodeInfo*> nodes{&best, &some, &none};
  t.setNodes(nodes);

  PodInfo pod;
  pod.preferredNodeAffinity = {{20, expressions({req("zone", SelectorOp::kIn, {"a"})})},
                               {60, expressions({req("disk", SelectorOp::kIn, {"ssd"})})}};
  REQUIRE(t.preScore(plugin, pod, nodes).ok());
  // Raw 80, 20, 0.
  CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 25, 0});

  SECTION("no node matches: all 0") {
    pod.preferredNodeAffinity = {{10, expressions({req("gpu", SelectorOp::kExists)})}};
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{0, 0, 0});
  }
  SECTION("preferred matchFields on metadata.name") {
    pod.preferredNodeAffinity = {{7, NodeSelectorTerm{{}, {req("metadata.name", SelectorOp::kIn, {"none"})}}}};
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{0, 0, 100});
  }
  SECTION("PreScore skips a pod without preferred terms") {
    pod.preferredNodeAffinity.clear();
    CHECK(t.preScore(plugin, pod, nodes).code == Code::kSkip);
  }
  SECTION("an invalid preferred term is an error") {
    pod.preferredNodeAffinity = {{10, expressions({req("cores", SelectorOp::kGt, {"x"})})}};
    auto status = t.preScore(plugin, pod, nodes);
    CHECK(status.code == Code::kError);
    CHECK(status.message ==
          "[0].matchExpressions[0].values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an "
          "integer");
  }
  SECTION("the state is cloneable") {
    auto copy = t.state.clone();
    CHECK(copy->readOf<NodeAffinity::PreScoreState>("test", NodeAffinity::kPreScoreStateKey) != nullptr);
  }
}

TEST_CASE("NodeAffinity Score without PreScore state parses the pod itself") {
  NodeAffinity plugin;
  StageTestContext t;
  NodeInfo a = labeled("a", {{"zone", "a"}});
  NodeInfo b = labeled("b", {{"zone", "b"}});
  t.setNodes({&a, &b});
  PodInfo pod;
  pod.preferredNodeAffinity = {{3, expressions({req("zone", SelectorOp::kIn, {"b"})})}};
  CHECK(t.score(plugin, pod, {&a, &b}) == std::vector<std::int64_t>{0, 100});
}

TEST_CASE("NodeAffinity addedAffinity preferred terms add to every pod's score") {
  NodeAffinity plugin = withArgs(R"(
addedAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: 50
    preference: {matchExpressions: [{key: pool, operator: In, values: [spot]}]}
)");
  StageTestContext t;
  NodeInfo spot = labeled("spot", {{"pool", "spot"}});
  NodeInfo spotZoneA = labeled("spot-a", {{"pool", "spot"}, {"zone", "a"}});
  NodeInfo onDemand = labeled("on-demand", {{"pool", "on-demand"}, {"zone", "a"}});
  std::vector<const NodeInfo*> nodes{&spot, &spotZoneA, &onDemand};
  t.setNodes(nodes);

  PodInfo pod;
  SECTION("a pod without preferences is scored, not skipped") {
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 100, 0});
  }
  SECTION("the pod's own terms add up with the enforced ones") {
    pod.preferredNodeAffinity = {{50, expressions({req("zone", SelectorOp::kIn, {"a"})})}};
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    // Raw 50, 100, 50.
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{50, 100, 50});
  }
}

TEST_CASE("NodeAffinity answers its four kinds") {
  NodeAffinity plugin;
  CHECK(plugin.queryInterface("scheduler.preFilter") == static_cast<PreFilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.filter") == static_cast<FilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.preScore") == static_cast<PreScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.score") == static_cast<ScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.queueSort") == nullptr);
}
