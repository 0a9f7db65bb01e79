#include "pod_topology_spread.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

namespace {

constexpr const char* kZone = "topology.kubernetes.io/zone";
constexpr const char* kHostname = "kubernetes.io/hostname";

Labels sorted(Labels labels) {
  std::sort(labels.begin(), labels.end());
  return labels;
}

// A node labelled with its hostname and, unless `zone` is empty, its zone.
NodeInfo makeNode(const std::string& name, const std::string& zone, Labels extra = {}) {
  NodeInfo n;
  n.name = name;
  n.allocatable.pods = 110;
  extra.emplace_back(kHostname, name);
  if (!zone.empty()) extra.emplace_back(kZone, zone);
  n.labels = sorted(std::move(extra));
  return n;
}

PodInfo makePod(const std::string& name, Labels labels, const std::string& ns = "default") {
  PodInfo p;
  p.ns = ns;
  p.name = name;
  p.uid = "uid-" + ns + "-" + name;
  p.labels = sorted(std::move(labels));
  return p;
}

void place(NodeInfo& node, PodInfo pod) {
  pod.nodeName = node.name;
  addPodToNode(node, std::make_shared<const PodInfo>(std::move(pod)));
}

// Places `n` pods labelled app=<app> on the node.
void placeApps(NodeInfo& node, int n, const std::string& app = "web") {
  for (int i = 0; i < n; ++i) place(node, makePod(node.name + "-" + app + "-" + std::to_string(i), {{"app", app}}));
}

LabelSelector appIs(const std::string& app) { return LabelSelector{{Requirement{"app", SelectorOp::kIn, {app}}}}; }

TopologySpreadConstraint spread(const std::string& key, std::int32_t maxSkew, bool doNotSchedule,
                                std::optional<LabelSelector> selector = appIs("web")) {
  TopologySpreadConstraint c;
  c.topologyKey = key;
  c.maxSkew = maxSkew;
  c.doNotSchedule = doNotSchedule;
  c.labelSelector = std::move(selector);
  return c;
}

PodInfo incoming(std::vector<TopologySpreadConstraint> constraints, Labels labels = {{"app", "web"}}) {
  PodInfo p = makePod("incoming", std::move(labels));
  p.topologySpreadConstraints = std::move(constraints);
  return p;
}

std::vector<Code> codes(const std::vector<NodeVerdict>& verdicts) {
  std::vector<Code> out;
  for (const auto& v : verdicts) out.push_back(v.code);
  return out;
}

PodTopologySpreadArgs argsFrom(const std::string& yaml) {
  auto args = PodTopologySpreadArgs::parse(yaml);
  INFO(args.status().message());
  REQUIRE(args.ok());
  return args.value();
}

std::string argsError(const std::string& yaml) {
  auto args = PodTopologySpreadArgs::parse(yaml);
  REQUIRE_FALSE(args.ok());
  return args.status().message();
}

constexpr Code kOk = Code::kSuccess;
constexpr Code kNo = Code::kUnschedulable;
constexpr Code kNever = Code::kUnschedulableAndUnresolvable;

}  // namespace

TEST_CASE("PodTopologySpread answers its four kinds") {
  PodTopologySpread plugin;
  CHECK(plugin.queryInterface("scheduler.preFilter") == static_cast<PreFilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.filter") == static_cast<FilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.preScore") == static_cast<PreScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.score") == static_cast<ScorePlugin*>(&plugin));
}

TEST_CASE("PodTopologySpread Filter: DoNotSchedule and maxSkew") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), a2 = makeNode("a2", "a"), b1 = makeNode("b1", "b");
  placeApps(a1, 2);
  placeApps(b1, 1);
  std::vector<const NodeInfo*> nodes{&a1, &a2, &b1};
  t.setNodes(nodes);

  PodInfo pod = incoming({spread(kZone, 1, true)});
  REQUIRE(t.preFilter(plugin, pod).status.ok());
  // zone a: 2 matching, zone b: 1 (the minimum). a: 2 + 1 - 1 = 2 > 1; b: 1 + 1 - 1 = 1.
  auto verdicts = t.filter(plugin, pod, nodes);
  CHECK(codes(verdicts) == std::vector<Code>{kNo, kNo, kOk});
  CHECK(plugin.reasons(verdicts[0].reason) ==
        std::vector<std::string>{"node(s) didn't match pod topology spread constraints"});

  SECTION("a larger maxSkew tolerates the difference") {
    pod = incoming({spread(kZone, 2, true)});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kOk, kOk});
  }
  SECTION("an empty domain makes the minimum 0") {
    NodeInfo c1 = makeNode("c1", "c");
    nodes.push_back(&c1);
    t.setNodes(nodes);
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // b: 1 + 1 - 0 = 2 > 1 now; only the empty zone c takes the pod.
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kNo, kNo, kOk});
  }
  SECTION("a pod its own selector does not match does not count itself") {
    pod = incoming({spread(kZone, 1, true)}, {{"app", "db"}});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // a: 2 + 0 - 1 = 1
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kOk, kOk});
  }
  SECTION("only pods of the pod's namespace, matching the selector and not terminating count") {
    place(a2, makePod("other-ns", {{"app", "web"}}, "other"));
    PodInfo leaving = makePod("leaving", {{"app", "web"}});
    leaving.terminating = true;
    place(b1, leaving);
    place(b1, makePod("db", {{"app", "db"}}));
    placeApps(b1, 1);  // b: 2 now, a: 2
    t.setNodes(nodes);
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kOk, kOk});
  }
  SECTION("a constraint without labelSelector matches no pod") {
    pod = incoming({spread(kZone, 1, true, std::nullopt)});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kOk, kOk});
  }
  SECTION("an empty labelSelector matches every pod of the namespace") {
    place(b1, makePod("db", {{"app", "db"}}));  // a: 2, b: 2
    t.setNodes(nodes);
    pod = incoming({spread(kZone, 1, true, LabelSelector{})});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kOk, kOk});
  }
}

TEST_CASE("PodTopologySpread Filter: several constraints, each with its own selector and counts") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), a2 = makeNode("a2", "a"), b1 = makeNode("b1", "b");
  std::vector<const NodeInfo*> nodes{&a1, &a2, &b1};

  SECTION("the same selector: zone (maxSkew 3) and hostname (maxSkew 1)") {
    placeApps(a1, 2);
    placeApps(b1, 1);
    t.setNodes(nodes);
    PodInfo pod = incoming({spread(kZone, 3, true), spread(kHostname, 1, true)});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // zone: a 2, b 1 -> every node passes (at most 2 + 1 - 1 = 2 <= 3).
    // hostname: a1 2, a2 0, b1 1 -> a1: 3 > 1, a2: 1, b1: 2 > 1.
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kOk, kNo});
  }
  SECTION("different selectors are counted apart") {
    placeApps(a1, 1, "web");
    placeApps(a1, 2, "db");
    t.setNodes(nodes);
    PodInfo pod = incoming({spread(kZone, 2, true), spread(kHostname, 1, true, appIs("db"))});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // zone/web: a 1, b 0 -> a: 1 + 1 - 0 = 2 <= 2.
    // hostname/db (the pod is no db, so no self match): a1 2 - 0 = 2 > 1; a2 and b1 0.
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kOk, kOk});
  }
}

TEST_CASE("PodTopologySpread Filter: nodes without the topology label") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b"), bare = makeNode("bare", "");
  placeApps(a1, 1);
  placeApps(bare, 5);  // a node without the key is no domain: its pods count nowhere
  std::vector<const NodeInfo*> nodes{&a1, &b1, &bare};
  t.setNodes(nodes);

  PodInfo pod = incoming({spread(kZone, 1, true)});
  REQUIRE(t.preFilter(plugin, pod).status.ok());
  auto verdicts = t.filter(plugin, pod, nodes);
  // a: 1 + 1 - 0 = 2 > 1; b: 0 + 1 - 0 = 1; bare: missing label, preemption cannot help.
  CHECK(codes(verdicts) == std::vector<Code>{kNo, kOk, kNever});
  CHECK(plugin.reasons(verdicts[2].reason) ==
        std::vector<std::string>{"node(s) didn't match pod topology spread constraints (missing required label)"});

  SECTION("a node missing one constraint's key counts for none of them") {
    // zone + rack: only racked nodes are counted at all, so b1 (unracked) holds no domain.
    NodeInfo racked = makeNode("racked", "b", {{"rack", "r1"}});
    nodes = {&a1, &b1, &racked};
    t.setNodes(nodes);
    a1.labels = sorted({{kHostname, "a1"}, {kZone, "a"}, {"rack", "r2"}});
    pod = incoming({spread(kZone, 1, true), spread("rack", 1, true)});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // zone: a 1, b 0 (racked only); rack: r2 1, r1 0.
    // a1 fails the zone constraint first; b1 passes zone (b: 0 + 1 - 0) then lacks rack.
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kNever, kOk});
  }
}

TEST_CASE("PodTopologySpread Filter: minDomains") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b");
  placeApps(a1, 1);
  placeApps(b1, 1);
  std::vector<const NodeInfo*> nodes{&a1, &b1};
  t.setNodes(nodes);

  auto withMinDomains = [](std::int32_t minDomains) {
    auto c = spread(kZone, 1, true);
    c.minDomains = minDomains;
    return incoming({c});
  };
  SECTION("as many domains as minDomains: the real minimum (1) applies") {
    PodInfo pod = withMinDomains(2);
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kOk});
  }
  SECTION("fewer domains than minDomains: the minimum is 0, so 1 + 1 - 0 > 1 everywhere") {
    PodInfo pod = withMinDomains(3);
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kNo});
  }
}

TEST_CASE("PodTopologySpread Filter: nodeAffinityPolicy and nodeTaintsPolicy") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a", {{"disk", "ssd"}}), b1 = makeNode("b1", "b", {{"disk", "ssd"}});
  NodeInfo c1 = makeNode("c1", "c");  // an empty zone the pod's node selector excludes
  placeApps(a1, 1);
  placeApps(b1, 1);
  std::vector<const NodeInfo*> nodes{&a1, &b1, &c1};
  t.setNodes(nodes);

  SECTION("Honor (default): domains of nodes the pod cannot go to are not counted") {
    PodInfo pod = incoming({spread(kZone, 1, true)});
    pod.nodeSelector = {{"disk", "ssd"}};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // zone c is not counted: the minimum is 1, so a: 1 + 1 - 1 = 1
    CHECK(codes(t.filter(plugin, pod, {&a1, &b1})) == std::vector<Code>{kOk, kOk});
  }
  SECTION("Honor with required node affinity terms") {
    PodInfo pod = incoming({spread(kZone, 1, true)});
    NodeSelectorTerm term;
    term.matchExpressions.push_back({kZone, SelectorOp::kIn, {"a", "b"}});
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{term};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, {&a1, &b1})) == std::vector<Code>{kOk, kOk});
  }
  SECTION("Honor with matchFields on metadata.name (terms are ORed)") {
    PodInfo pod = incoming({spread(kZone, 1, true)});
    NodeSelectorTerm onA1, onB1;
    onA1.matchFields.push_back({"metadata.name", SelectorOp::kIn, {"a1"}});
    onB1.matchFields.push_back({"metadata.name", SelectorOp::kIn, {"b1"}});
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{onA1, onB1};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, {&a1, &b1})) == std::vector<Code>{kOk, kOk});
  }
  SECTION("Honor: a term Kubernetes cannot parse (NotIn without values) matches no node") {
    PodInfo pod = incoming({spread(kZone, 1, true)});
    NodeSelectorTerm broken, onA;
    broken.matchExpressions.push_back({kZone, SelectorOp::kNotIn, {}});
    onA.matchExpressions.push_back({kZone, SelectorOp::kIn, {"a"}});
    pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{broken, onA};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // Only zone a is a domain (1 pod, the minimum): a: 1 + 1 - 1 = 1; b counts 0: 0 + 1 - 1.
    // Had the broken term matched every node, zone c (0 pods) would be the minimum and a1 fail.
    CHECK(codes(t.filter(plugin, pod, {&a1, &b1})) == std::vector<Code>{kOk, kOk});
  }
  SECTION("Ignore: every node with the key counts, so the empty zone c is the minimum") {
    auto c = spread(kZone, 1, true);
    c.nodeAffinityPolicyHonor = false;
    PodInfo pod = incoming({c});
    pod.nodeSelector = {{"disk", "ssd"}};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, {&a1, &b1})) == std::vector<Code>{kNo, kNo});
  }

  c1.taints.push_back({"dedicated", "batch", TaintEffect::kNoSchedule});
  auto taintsHonored = [] {
    auto c = spread(kZone, 1, true);
    c.nodeTaintsPolicyHonor = true;
    return c;
  };
  SECTION("nodeTaintsPolicy Ignore (default): the tainted empty zone still counts") {
    PodInfo pod = incoming({spread(kZone, 1, true)});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, {&a1, &b1})) == std::vector<Code>{kNo, kNo});
  }
  SECTION("nodeTaintsPolicy Honor: a node with an untolerated NoSchedule taint is not counted") {
    PodInfo pod = incoming({taintsHonored()});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, {&a1, &b1})) == std::vector<Code>{kOk, kOk});
  }
  SECTION("nodeTaintsPolicy Honor: a tolerated taint keeps the node") {
    PodInfo pod = incoming({taintsHonored()});
    pod.tolerations.push_back({"dedicated", false, "batch", TaintEffect::kNoSchedule, {}});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, {&a1, &b1})) == std::vector<Code>{kNo, kNo});
  }
  SECTION("nodeTaintsPolicy Honor: PreferNoSchedule taints do not exclude") {
    c1.taints = {{"dedicated", "batch", TaintEffect::kPreferNoSchedule}};
    PodInfo pod = incoming({taintsHonored()});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, {&a1, &b1})) == std::vector<Code>{kNo, kNo});
  }
}

TEST_CASE("PodTopologySpread PreFilter extensions update the counts (preemption's what-if)") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b");
  placeApps(a1, 1);
  std::vector<const NodeInfo*> nodes{&a1, &b1};
  t.setNodes(nodes);
  PodInfo pod = incoming({spread(kZone, 1, true)});
  REQUIRE(t.preFilter(plugin, pod).status.ok());
  // a: 1, b: 0 -> a: 1 + 1 - 0 = 2 > 1
  REQUIRE(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kOk});

  auto copy = t.state.clone();
  CycleContext simulated{*copy, t.snapshot, t.framework};
  PodInfo victim = *a1.pods[0];

  SECTION("removing the matching pod from zone a lets the pod in there") {
    REQUIRE(plugin.removePod(simulated, pod, victim, a1).ok());
    std::vector<NodeVerdict> out(2);
    plugin.filter(simulated, pod, nodes, out);
    CHECK(codes(out) == std::vector<Code>{kOk, kOk});
    // The original state is untouched.
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kOk});
  }
  SECTION("adding a matching pod to zone b raises the minimum") {
    REQUIRE(plugin.addPod(simulated, pod, makePod("new", {{"app", "web"}}), b1).ok());
    std::vector<NodeVerdict> out(2);
    plugin.filter(simulated, pod, nodes, out);
    CHECK(codes(out) == std::vector<Code>{kOk, kOk});
  }
  SECTION("pods of other namespaces or not matching change nothing") {
    REQUIRE(plugin.addPod(simulated, pod, makePod("new", {{"app", "web"}}, "other"), b1).ok());
    REQUIRE(plugin.addPod(simulated, pod, makePod("db", {{"app", "db"}}), b1).ok());
    std::vector<NodeVerdict> out(2);
    plugin.filter(simulated, pod, nodes, out);
    CHECK(codes(out) == std::vector<Code>{kNo, kOk});
  }
  SECTION("runFilters on the clone reports the reason text") {
    t.framework.filterPlugins = {&plugin};
    StageStatus s = t.framework.runFilters(*copy, pod, a1);
    CHECK(s.code == kNo);
    CHECK(s.message == "node(s) didn't match pod topology spread constraints");
  }
}

TEST_CASE("PodTopologySpread PreFilter skips pods without DoNotSchedule constraints") {
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a");
  t.setNodes({&a1});
  SECTION("System defaulting only has ScheduleAnyway constraints") {
    PodTopologySpread plugin;
    CHECK(t.preFilter(plugin, makePod("p", {{"app", "web"}})).status.code == Code::kSkip);
  }
  SECTION("the pod's own ScheduleAnyway constraints") {
    PodTopologySpread plugin;
    CHECK(t.preFilter(plugin, incoming({spread(kZone, 1, false)})).status.code == Code::kSkip);
  }
  SECTION("Filter without PreFilter state is an error") {
    PodTopologySpread plugin;
    PodInfo pod = incoming({spread(kZone, 1, true)});
    auto v = t.filter(plugin, pod, {&a1});
    CHECK(v[0].code == Code::kError);
  }
}

TEST_CASE("PodTopologySpread default constraints (defaultingType List)") {
  PodTopologySpread plugin(argsFrom(R"(
defaultingType: List
defaultConstraints:
  - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}
)"));
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b");
  // Replicas of one workload: same labels except the per-replica ones.
  place(a1, makePod("web-0", {{"app", "web"}, {"controller-revision-hash", "v1"}}));
  place(a1, makePod("web-1", {{"app", "web"}, {"controller-revision-hash", "v2"}}));
  place(b1, makePod("web-2", {{"app", "web"}, {"controller-revision-hash", "v2"}, {"tier", "x"}}));
  place(b1, makePod("api-0", {{"app", "api"}}));
  std::vector<const NodeInfo*> nodes{&a1, &b1};
  t.setNodes(nodes);

  SECTION("a pod without constraints gets the defaults, selecting pods with its labels") {
    PodInfo pod = makePod("web-3", {{"app", "web"}, {"controller-revision-hash", "v3"}});
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // web pods: a 2, b 1 -> a: 2 + 1 - 1 = 2 > 1
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kOk});
  }
  SECTION("a pod without labels gets no default constraints") {
    CHECK(t.preFilter(plugin, makePod("bare", {})).status.code == Code::kSkip);
  }
  SECTION("a pod with its own constraints ignores the defaults") {
    CHECK(t.preFilter(plugin, incoming({spread(kZone, 1, false)})).status.code == Code::kSkip);
  }
}

TEST_CASE("PodTopologySpread Score: ScheduleAnyway") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo n1 = makeNode("n1", "a"), n2 = makeNode("n2", "a"), n3 = makeNode("n3", "b"), n4 = makeNode("n4", "b");
  placeApps(n1, 2);
  placeApps(n3, 1);
  std::vector<const NodeInfo*> nodes{&n1, &n2, &n3, &n4};
  t.setNodes(nodes);

  SECTION("zone: counts per domain, weight log(domains + 2), reversed normalization") {
    PodInfo pod = incoming({spread(kZone, 1, false)});
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    // weight log(2 + 2) = 1.386; zone a: 2 pods -> round(2.773) = 3; zone b: 1 -> round(1.386) = 1.
    // normalize with min 1, max 3: 100 * (3 + 1 - s) / 3 -> a: 33, b: 100
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{33, 33, 100, 100});
  }
  SECTION("nodes without the topology key score 0 and do not shift the others") {
    NodeInfo bare = makeNode("bare", "");
    placeApps(bare, 4);
    nodes.push_back(&bare);
    t.setNodes(nodes);
    PodInfo pod = incoming({spread(kZone, 1, false)});
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{33, 33, 100, 100, 0});
  }
  SECTION("pods are counted on every node, domains come from the filtered nodes") {
    PodInfo pod = incoming({spread(kZone, 1, false)});
    REQUIRE(t.preScore(plugin, pod, {&n2, &n4}).ok());
    // n1's and n3's pods still count for zones a and b: n2 -> 3, n4 -> 1 -> 33, 100
    CHECK(t.score(plugin, pod, {&n2, &n4}) == std::vector<std::int64_t>{33, 100});

    REQUIRE(t.preScore(plugin, pod, {&n1, &n2}).ok());
    // one domain: weight log(3) = 1.099, a: round(2.197) = 2 for both -> 100 * (2 + 2 - 2) / 2 = 100
    CHECK(t.score(plugin, pod, {&n1, &n2}) == std::vector<std::int64_t>{100, 100});
  }
  SECTION("no matching pods anywhere: every node 100") {
    PodInfo pod = incoming({spread(kZone, 1, false, appIs("nothing"))});
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 100, 100, 100});
  }
}

TEST_CASE("PodTopologySpread Score: hostname counts per node") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo n1 = makeNode("n1", "a"), n2 = makeNode("n2", "a"), n3 = makeNode("n3", "a");
  placeApps(n2, 1);
  placeApps(n3, 2);
  std::vector<const NodeInfo*> nodes{&n1, &n2, &n3};
  t.setNodes(nodes);

  SECTION("maxSkew 1") {
    PodInfo pod = incoming({spread(kHostname, 1, false)});
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    // weight log(3 + 2) = 1.609: raw 0, round(1.609) = 2, round(3.219) = 3; min 0, max 3
    // -> 100 * (3 - s) / 3 = 100, 33, 0
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 33, 0});
  }
  SECTION("maxSkew 3 adds maxSkew - 1 to every raw score, softening the differences") {
    PodInfo pod = incoming({spread(kHostname, 3, false)});
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    // raw 2, round(3.609) = 4, round(5.219) = 5; min 2, max 5 -> 100 * (7 - s) / 5 = 100, 60, 40
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 60, 40});
  }
  SECTION("ignored nodes do not count in the hostname domain size") {
    NodeInfo unnamed;
    unnamed.name = "unnamed";  // no hostname label
    nodes.push_back(&unnamed);
    t.setNodes(nodes);
    PodInfo pod = incoming({spread(kHostname, 1, false)});
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{100, 33, 0, 0});
  }
}

TEST_CASE("PodTopologySpread Score: System defaulting") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo n1 = makeNode("n1", "a"), n2 = makeNode("n2", "a"), n3 = makeNode("n3", "");
  placeApps(n1, 1);
  std::vector<const NodeInfo*> nodes{&n1, &n2, &n3};
  t.setNodes(nodes);

  SECTION("hostname maxSkew 3 and zone maxSkew 5; a node without zone still gets hostname spreading") {
    PodInfo pod = makePod("web-new", {{"app", "web"}});
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    // hostname weight log(3 + 2) = 1.609, zone weight log(2 + 2) = 1.386 (domains "a" and "", the
    // zone-less node's). zone a holds 1 pod.
    //   n1: 1 * 1.609 + 2 + 1 * 1.386 + 4 = 8.996 -> 9
    //   n2: 0 + 2 + 1.386 + 4 = 7.386 -> 7
    //   n3: 0 + 2 (no zone label: that constraint is skipped) -> 2
    // min 2, max 9 -> 100 * (11 - s) / 9 = 22, 44, 100
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{22, 44, 100});
  }
  SECTION("a pod without labels has no default constraints: Skip") {
    CHECK(t.preScore(plugin, makePod("bare", {}), nodes).code == Code::kSkip);
  }
  SECTION("a pod with only DoNotSchedule constraints: Skip") {
    CHECK(t.preScore(plugin, incoming({spread(kZone, 1, true)}), nodes).code == Code::kSkip);
  }
  SECTION("an empty cluster: Skip") {
    t.setNodes({});
    CHECK(t.preScore(plugin, makePod("web-new", {{"app", "web"}}), {}).code == Code::kSkip);
  }
}

TEST_CASE("PodTopologySpread Score honours nodeAffinityPolicy when counting") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a", {{"disk", "ssd"}}), a2 = makeNode("a2", "a"),
           b1 = makeNode("b1", "b", {{"disk", "ssd"}});
  placeApps(a2, 3);
  placeApps(b1, 1);
  t.setNodes({&a1, &a2, &b1});
  std::vector<const NodeInfo*> filtered{&a1, &b1};  // a2 filtered out by NodeAffinity

  SECTION("Honor: a2's pods do not count for zone a") {
    PodInfo pod = incoming({spread(kZone, 1, false)});
    pod.nodeSelector = {{"disk", "ssd"}};
    REQUIRE(t.preScore(plugin, pod, filtered).ok());
    // a: 0 -> 0; b: 1 -> round(1.386) = 1; min 0, max 1 -> 100, 0
    CHECK(t.score(plugin, pod, filtered) == std::vector<std::int64_t>{100, 0});
  }
  SECTION("Ignore: they do") {
    auto c = spread(kZone, 1, false);
    c.nodeAffinityPolicyHonor = false;
    PodInfo pod = incoming({c});
    pod.nodeSelector = {{"disk", "ssd"}};
    REQUIRE(t.preScore(plugin, pod, filtered).ok());
    // a: 3 -> round(4.159) = 4; b: 1; min 1, max 4 -> 100 * (5 - s) / 4 = 25, 100
    CHECK(t.score(plugin, pod, filtered) == std::vector<std::int64_t>{25, 100});
  }
}

TEST_CASE("PodTopologySpread Score without PreScore state is an error") {
  PodTopologySpread plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a");
  CHECK_THROWS(t.score(plugin, incoming({spread(kZone, 1, false)}), {&a1}));
}

TEST_CASE("PodTopologySpread args") {
  SECTION("defaults: System defaulting") {
    for (const char* yaml : {"", "null", "{}"}) {
      auto args = argsFrom(yaml);
      CHECK(args.systemDefaulting);
      CHECK(args.defaultConstraints.empty());
    }
  }
  SECTION("List with constraints") {
    auto args = argsFrom(R"(
defaultingType: List
defaultConstraints:
  - maxSkew: 2
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: DoNotSchedule
    minDomains: 3
    nodeAffinityPolicy: Ignore
    nodeTaintsPolicy: Honor
  - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway}
)");
    CHECK_FALSE(args.systemDefaulting);
    REQUIRE(args.defaultConstraints.size() == 2);
    const auto& zone = args.defaultConstraints[0];
    CHECK(zone.maxSkew == 2);
    CHECK(zone.doNotSchedule);
    CHECK(zone.minDomains == std::optional<std::int32_t>(3));
    CHECK_FALSE(zone.nodeAffinityPolicyHonor);
    CHECK(zone.nodeTaintsPolicyHonor);
    CHECK_FALSE(zone.labelSelector);
    CHECK_FALSE(args.defaultConstraints[1].doNotSchedule);
    CHECK(args.defaultConstraints[1].nodeAffinityPolicyHonor);
  }
  SECTION("List without constraints: no defaults at all") {
    auto args = argsFrom("defaultingType: List");
    CHECK_FALSE(args.systemDefaulting);
    PodTopologySpread plugin(args);
    StageTestContext t;
    NodeInfo a1 = makeNode("a1", "a");
    t.setNodes({&a1});
    CHECK(t.preScore(plugin, makePod("web", {{"app", "web"}}), {&a1}).code == Code::kSkip);
  }
  SECTION("errors") {
    CHECK(argsError("defaultingtype: List") == R"(PodTopologySpread args: unknown field "defaultingtype")");
    CHECK(argsError(R"(
defaultingType: List
defaultConstraints: [{maxSkw: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]
)") == R"(PodTopologySpread args: unknown field "defaultConstraints[0].maxSkw")");
    CHECK(argsError("defaultConstraints: [{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]") ==
          "PodTopologySpread args: defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty");
    CHECK(argsError("defaultingType: Custom") ==
          "PodTopologySpread args: defaultingType: Unsupported value: \"Custom\": supported values: \"System\", "
          "\"List\"");
    CHECK(argsError("defaultingType: List\ndefaultConstraints: [{topologyKey: zone, whenUnsatisfiable: "
                    "DoNotSchedule}]") ==
          "PodTopologySpread args: defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf)");
    CHECK(argsError("defaultingType: List\ndefaultConstraints: [{maxSkew: 1, whenUnsatisfiable: DoNotSchedule}]") ==
          "PodTopologySpread args: defaultConstraints[0].topologyKey: Required value: can not be empty");
    CHECK(argsError("defaultingType: List\ndefaultConstraints: [{maxSkew: 1, topologyKey: zone}]") ==
          "PodTopologySpread args: defaultConstraints[0].whenUnsatisfiable: Required value: can not be empty");
    CHECK(argsError("defaultingType: List\ndefaultConstraints: [{maxSkew: 1, topologyKey: zone, "
                    "whenUnsatisfiable: Never}]") ==
          "PodTopologySpread args: defaultConstraints[0].whenUnsatisfiable: Unsupported value: \"Never\": supported "
          "values: \"DoNotSchedule\", \"ScheduleAnyway\"");
    CHECK(argsError("defaultingType: List\ndefaultConstraints: [{maxSkew: 1, topologyKey: zone, "
                    "whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}]") ==
          "PodTopologySpread args: defaultConstraints[0].labelSelector: Forbidden: constraint must not define a "
          "selector, as they deduced for each pod");
    CHECK(argsError(R"(
defaultingType: List
defaultConstraints:
  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}
  - {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}
)") == "PodTopologySpread args: defaultConstraints[1]: Duplicate value: \"{zone, DoNotSchedule}\"");
    CHECK(argsError("defaultingType: List\ndefaultConstraints: [{maxSkew: 1, topologyKey: zone, "
                    "whenUnsatisfiable: ScheduleAnyway, minDomains: 2}]") ==
          "PodTopologySpread args: defaultConstraints[0].minDomains: Invalid value: 2: can only use minDomains if "
          "whenUnsatisfiable=DoNotSchedule");
    CHECK(argsError("defaultingType: List\ndefaultConstraints: [{maxSkew: 1, topologyKey: zone, "
                    "whenUnsatisfiable: DoNotSchedule, minDomains: 0}]") ==
          "PodTopologySpread args: defaultConstraints[0].minDomains: Invalid value: 0: must be greater than 0");
    CHECK(argsError("defaultingType: List\ndefaultConstraints: [{maxSkew: 1, topologyKey: zone, "
                    "whenUnsatisfiable: DoNotSchedule, nodeTaintsPolicy: Always}]") ==
          "PodTopologySpread args: defaultConstraints[0].nodeTaintsPolicy: Unsupported value: \"Always\": supported "
          "values: \"Honor\", \"Ignore\"");
    CHECK(argsError("defaultingType: List\ndefaultConstraints: [{maxSkew: 1, topologyKey: \"bad key\", "
                    "whenUnsatisfiable: DoNotSchedule}]")
              .find("defaultConstraints[0].topologyKey: Invalid value: \"bad key\"") != std::string::npos);
    CHECK(argsError("defaultConstraints: zone") == "PodTopologySpread args: defaultConstraints: expected a list");
  }
}
