#include "inter_pod_affinity.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

namespace {

constexpr const char* kZone = "topology.kubernetes.io/zone";
constexpr const char* kHostname = "kubernetes.io/hostname";

constexpr Code kOk = Code::kSuccess;
constexpr Code kNo = Code::kUnschedulable;
constexpr Code kNever = Code::kUnschedulableAndUnresolvable;

Labels sorted(Labels labels) {
  std::sort(labels.begin(), labels.end());
  return labels;
}

// A node labelled with its hostname and, unless `zone` is empty, its zone.
NodeInfo makeNode(const std::string& name, const std::string& zone) {
  NodeInfo n;
  n.name = name;
  Labels labels{{kHostname, name}};
  if (!zone.empty()) labels.emplace_back(kZone, zone);
  n.labels = sorted(std::move(labels));
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

LabelSelector appIs(const std::string& app) { return LabelSelector{{Requirement{"app", SelectorOp::kIn, {app}}}}; }

PodAffinityTerm term(std::optional<LabelSelector> selector, const std::string& topologyKey,
                     std::vector<std::string> namespaces = {},
                     std::optional<LabelSelector> namespaceSelector = std::nullopt) {
  PodAffinityTerm t;
  t.labelSelector = std::move(selector);
  t.topologyKey = topologyKey;
  t.namespaces = std::move(namespaces);
  t.namespaceSelector = std::move(namespaceSelector);
  return t;
}

WeightedPodAffinityTerm weighted(std::int32_t weight, PodAffinityTerm t) { return {weight, std::move(t)}; }

std::vector<Code> codes(const std::vector<NodeVerdict>& verdicts) {
  std::vector<Code> out;
  for (const auto& v : verdicts) out.push_back(v.code);
  return out;
}

std::vector<Code> filterIn(InterPodAffinity& plugin, CycleContext& ctx, const PodInfo& pod,
                           const std::vector<const NodeInfo*>& nodes) {
  std::vector<NodeVerdict> out(nodes.size());
  plugin.filter(ctx, pod, nodes, out);
  return codes(out);
}

std::string reasonOf(const InterPodAffinity& plugin, const NodeVerdict& v) {
  auto texts = plugin.reasons(v.reason);
  REQUIRE(texts.size() == 1);
  return texts[0];
}

InterPodAffinityArgs argsFrom(const std::string& yaml) {
  auto args = InterPodAffinityArgs::parse(yaml);
  INFO(args.status().message());
  REQUIRE(args.ok());
  return args.value();
}

std::string argsError(const std::string& yaml) {
  auto args = InterPodAffinityArgs::parse(yaml);
  REQUIRE_FALSE(args.ok());
  return args.status().message();
}

}  // namespace

TEST_CASE("InterPodAffinity answers its four kinds") {
  InterPodAffinity plugin;
  CHECK(plugin.queryInterface("scheduler.preFilter") == static_cast<PreFilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.filter") == static_cast<FilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.preScore") == static_cast<PreScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.score") == static_cast<ScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.bind") == nullptr);
}

TEST_CASE("InterPodAffinity PreFilter skips when no required term applies") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a");
  place(a1, makePod("web-0", {{"app", "web"}}));
  t.setNodes({&a1});
  PodInfo plain = makePod("plain", {{"app", "web"}});

  SECTION("no terms on the pod and no existing pod with required anti-affinity") {
    CHECK(t.preFilter(plugin, plain).status.code == Code::kSkip);
  }
  SECTION("preferred terms alone do not make Filter run") {
    plain.preferredAntiAffinity.push_back(weighted(10, term(appIs("web"), kHostname)));
    CHECK(t.preFilter(plugin, plain).status.code == Code::kSkip);
  }
  SECTION("existing pods' anti-affinity that does not match the pod") {
    PodInfo guard = makePod("guard", {{"app", "guard"}});
    guard.requiredAntiAffinity.push_back(term(appIs("db"), kHostname));
    place(a1, guard);
    t.setNodes({&a1});
    CHECK(t.preFilter(plugin, plain).status.code == Code::kSkip);

    SECTION("but one that does match runs the Filter") {
      PodInfo db = makePod("db", {{"app", "db"}});
      auto r = t.preFilter(plugin, db);
      CHECK(r.status.code == kOk);
      CHECK_FALSE(r.nodeNames.has_value());
    }
  }
  SECTION("a pod with a required term runs the Filter even in an empty cluster") {
    t.setNodes({});
    plain.requiredAffinity.push_back(term(appIs("db"), kZone));
    CHECK(t.preFilter(plugin, plain).status.code == kOk);
  }
}

TEST_CASE("InterPodAffinity Filter: required affinity by zone and by hostname") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), a2 = makeNode("a2", "a"), b1 = makeNode("b1", "b"), bare = makeNode("bare", "");
  place(a1, makePod("db-0", {{"app", "db"}}));
  place(b1, makePod("cache-0", {{"app", "cache"}}));
  std::vector<const NodeInfo*> nodes{&a1, &a2, &b1, &bare};
  t.setNodes(nodes);

  PodInfo pod = makePod("web", {{"app", "web"}});
  pod.requiredAffinity.push_back(term(appIs("db"), kZone));
  REQUIRE(t.preFilter(plugin, pod).status.ok());
  auto verdicts = t.filter(plugin, pod, nodes);
  // Zone a holds the db pod; zone b does not; the bare node has no zone label at all.
  CHECK(codes(verdicts) == std::vector<Code>{kOk, kOk, kNever, kNever});
  CHECK(reasonOf(plugin, verdicts[2]) == "node(s) didn't match pod affinity rules");
  CHECK(reasonOf(plugin, verdicts[3]) == "node(s) didn't match pod affinity rules");

  SECTION("hostname: only the db pod's own node") {
    pod.requiredAffinity = {term(appIs("db"), kHostname)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kNever, kNever, kNever});
  }
  SECTION("every term must hold, each in its own topology") {
    pod.requiredAffinity = {term(appIs("db"), kZone), term(appIs("cache"), kHostname)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // No node is both in zone a and the cache pod's host, and no pod matches both terms:
    // the counts stay empty, so the pod is refused everywhere (it matches neither term).
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNever, kNever, kNever, kNever});
  }
  SECTION("a pod matching all terms is needed: one pod with both labels") {
    place(a2, makePod("db-cache", {{"app", "db"}, {"tier", "cache"}}));
    t.setNodes(nodes);
    LabelSelector tierCache{{Requirement{"tier", SelectorOp::kIn, {"cache"}}}};
    pod.requiredAffinity = {term(appIs("db"), kZone), term(tierCache, kHostname)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // db-0 matches only the first term and does not count; db-cache on a2 matches both.
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNever, kOk, kNever, kNever});
  }
  SECTION("a term without labelSelector matches no pod") {
    pod.requiredAffinity = {term(std::nullopt, kZone)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNever, kNever, kNever, kNever});
  }
  SECTION("an empty labelSelector matches every pod of the namespace") {
    pod.requiredAffinity = {term(LabelSelector{}, kZone)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kOk, kOk, kNever});
  }
}

TEST_CASE("InterPodAffinity Filter: the first pod of a group may go anywhere with the topology") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b"), bare = makeNode("bare", "");
  place(a1, makePod("db-0", {{"app", "db"}}));
  std::vector<const NodeInfo*> nodes{&a1, &b1, &bare};
  t.setNodes(nodes);

  PodInfo pod = makePod("web-0", {{"app", "web"}});
  pod.requiredAffinity.push_back(term(appIs("web"), kZone));
  REQUIRE(t.preFilter(plugin, pod).status.ok());
  // No web pod anywhere and the pod matches its own term; it still needs the zone label.
  CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kOk, kNever});

  SECTION("not when the pod does not match its own terms") {
    pod.labels = {{"app", "api"}};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNever, kNever, kNever});
  }
  SECTION("not once a matching pod exists: then it must join that pod's zone") {
    place(b1, makePod("web-1", {{"app", "web"}}));
    t.setNodes(nodes);
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNever, kOk, kNever});
  }
}

TEST_CASE("InterPodAffinity Filter: the incoming pod's required anti-affinity") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), a2 = makeNode("a2", "a"), b1 = makeNode("b1", "b"), bare = makeNode("bare", "");
  place(a1, makePod("web-0", {{"app", "web"}}));
  std::vector<const NodeInfo*> nodes{&a1, &a2, &b1, &bare};
  t.setNodes(nodes);

  PodInfo pod = makePod("web-1", {{"app", "web"}});
  pod.requiredAntiAffinity.push_back(term(appIs("web"), kZone));
  REQUIRE(t.preFilter(plugin, pod).status.ok());
  auto verdicts = t.filter(plugin, pod, nodes);
  // A node without the topology label is in no domain, so it holds no conflicting pod.
  CHECK(codes(verdicts) == std::vector<Code>{kNo, kNo, kOk, kOk});
  CHECK(reasonOf(plugin, verdicts[0]) == "node(s) didn't match pod anti-affinity rules");

  SECTION("by hostname only the web pod's node") {
    pod.requiredAntiAffinity = {term(appIs("web"), kHostname)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kOk, kOk, kOk});
  }
  SECTION("affinity is checked first and wins the reason") {
    NodeInfo c1 = makeNode("c1", "c");
    place(c1, makePod("web-2", {{"app", "web"}}));
    place(b1, makePod("db-0", {{"app", "db"}}));
    place(a2, makePod("db-1", {{"app", "db"}}));
    std::vector<const NodeInfo*> all{&a1, &a2, &b1, &c1, &bare};
    t.setNodes(all);
    pod.requiredAffinity = {term(appIs("db"), kZone)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    // c1 breaks both rules (no db pod, a web pod in zone c): affinity is what it reads.
    auto v = t.filter(plugin, pod, all);
    CHECK(codes(v) == std::vector<Code>{kNo, kNo, kOk, kNever, kNever});
    CHECK(reasonOf(plugin, v[3]) == "node(s) didn't match pod affinity rules");
  }
}

TEST_CASE("InterPodAffinity Filter: existing pods' required anti-affinity") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), a2 = makeNode("a2", "a"), b1 = makeNode("b1", "b"), bare = makeNode("bare", "");
  PodInfo loner = makePod("loner", {{"app", "loner"}});
  loner.requiredAntiAffinity.push_back(term(appIs("web"), kHostname));
  place(a1, loner);
  std::vector<const NodeInfo*> nodes{&a1, &a2, &b1, &bare};
  t.setNodes(nodes);

  PodInfo web = makePod("web", {{"app", "web"}});
  REQUIRE(t.preFilter(plugin, web).status.ok());
  auto verdicts = t.filter(plugin, web, nodes);
  CHECK(codes(verdicts) == std::vector<Code>{kNo, kOk, kOk, kOk});
  CHECK(reasonOf(plugin, verdicts[0]) == "node(s) didn't satisfy existing pods anti-affinity rules");

  SECTION("a zone term keeps the whole zone free") {
    NodeInfo z1 = makeNode("z1", "a");
    PodInfo zoneLoner = makePod("zone-loner", {{"app", "loner"}});
    zoneLoner.requiredAntiAffinity.push_back(term(appIs("web"), kZone));
    place(z1, zoneLoner);
    std::vector<const NodeInfo*> withZ{&z1, &a2, &b1, &bare};
    t.setNodes(withZ);
    REQUIRE(t.preFilter(plugin, web).status.ok());
    CHECK(codes(t.filter(plugin, web, withZ)) == std::vector<Code>{kNo, kNo, kOk, kOk});
  }
  SECTION("the incoming pod's own anti-affinity is reported before existing pods'") {
    web.requiredAntiAffinity.push_back(term(appIs("loner"), kHostname));
    REQUIRE(t.preFilter(plugin, web).status.ok());
    auto v = t.filter(plugin, web, nodes);
    CHECK(reasonOf(plugin, v[0]) == "node(s) didn't match pod anti-affinity rules");
  }
  SECTION("a pod of another namespace is not the term's concern") {
    PodInfo elsewhere = makePod("web", {{"app", "web"}}, "other");
    CHECK(t.preFilter(plugin, elsewhere).status.code == Code::kSkip);
  }
}

TEST_CASE("InterPodAffinity Filter: namespaces and namespaceSelector") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b"), c1 = makeNode("c1", "c");
  place(a1, makePod("db", {{"app", "db"}}, "default"));
  place(b1, makePod("db", {{"app", "db"}}, "team-x"));
  place(c1, makePod("db", {{"app", "db"}}, "team-y"));
  std::vector<const NodeInfo*> nodes{&a1, &b1, &c1};
  t.setNodes(nodes);
  t.snapshot.namespaceLabels["default"] = {};
  t.snapshot.namespaceLabels["team-x"] = {{"team", "x"}};
  t.snapshot.namespaceLabels["team-y"] = {{"team", "y"}};
  LabelSelector teamX{{Requirement{"team", SelectorOp::kIn, {"x"}}}};

  PodInfo pod = makePod("web", {{"app", "web"}}, "default");
  auto affinityTo = [&](PodAffinityTerm term) {
    pod.requiredAffinity = {std::move(term)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    return t.filter(plugin, pod, nodes);
  };

  SECTION("no namespaces and no selector: the pod's own namespace") {
    CHECK(codes(affinityTo(term(appIs("db"), kZone))) == std::vector<Code>{kOk, kNever, kNever});
  }
  SECTION("listed namespaces replace the default") {
    CHECK(codes(affinityTo(term(appIs("db"), kZone, {"team-x", "team-y"}))) == std::vector<Code>{kNever, kOk, kOk});
  }
  SECTION("a namespaceSelector selects by namespace labels") {
    CHECK(codes(affinityTo(term(appIs("db"), kZone, {}, teamX))) == std::vector<Code>{kNever, kOk, kNever});
  }
  SECTION("namespaces and a namespaceSelector add up") {
    CHECK(codes(affinityTo(term(appIs("db"), kZone, {"default"}, teamX))) == std::vector<Code>{kOk, kOk, kNever});
  }
  SECTION("an empty namespaceSelector selects every namespace") {
    CHECK(codes(affinityTo(term(appIs("db"), kZone, {}, LabelSelector{}))) == std::vector<Code>{kOk, kOk, kOk});
  }
  SECTION("a namespace the snapshot does not know is selected by no selector") {
    t.snapshot.namespaceLabels.erase("team-x");
    CHECK(codes(affinityTo(term(appIs("db"), kZone, {}, teamX))) == std::vector<Code>{kNever, kNever, kNever});
  }
  SECTION("anti-affinity resolves namespaces the same way") {
    pod.requiredAntiAffinity = {term(appIs("db"), kZone, {}, teamX)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kNo, kOk});
  }
}

TEST_CASE("InterPodAffinity Filter: namespaces of existing pods' anti-affinity terms") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b");
  std::vector<const NodeInfo*> nodes{&a1, &b1};
  t.snapshot.namespaceLabels["default"] = {{"env", "prod"}};
  t.snapshot.namespaceLabels["team-x"] = {{"env", "dev"}};
  PodInfo web = makePod("web", {{"app", "web"}}, "default");
  PodInfo devWeb = makePod("web", {{"app", "web"}}, "team-x");

  SECTION("no namespaces and no selector: the existing pod's namespace") {
    PodInfo guard = makePod("guard", {}, "team-x");
    guard.requiredAntiAffinity.push_back(term(appIs("web"), kZone));
    place(a1, guard);
    t.setNodes(nodes);
    CHECK(t.preFilter(plugin, web).status.code == Code::kSkip);
    REQUIRE(t.preFilter(plugin, devWeb).status.ok());
    CHECK(codes(t.filter(plugin, devWeb, nodes)) == std::vector<Code>{kNo, kOk});
  }
  SECTION("a namespaceSelector is matched against the incoming pod's namespace labels") {
    PodInfo guard = makePod("guard", {}, "team-x");
    guard.requiredAntiAffinity.push_back(
        term(appIs("web"), kZone, {}, LabelSelector{{Requirement{"env", SelectorOp::kIn, {"prod"}}}}));
    place(a1, guard);
    t.setNodes(nodes);
    REQUIRE(t.preFilter(plugin, web).status.ok());
    CHECK(codes(t.filter(plugin, web, nodes)) == std::vector<Code>{kNo, kOk});
    CHECK(t.preFilter(plugin, devWeb).status.code == Code::kSkip);
  }
  SECTION("listed namespaces") {
    PodInfo guard = makePod("guard", {}, "team-x");
    guard.requiredAntiAffinity.push_back(term(appIs("web"), kHostname, {"default"}));
    place(b1, guard);
    t.setNodes(nodes);
    REQUIRE(t.preFilter(plugin, web).status.ok());
    CHECK(codes(t.filter(plugin, web, nodes)) == std::vector<Code>{kOk, kNo});
    CHECK(t.preFilter(plugin, devWeb).status.code == Code::kSkip);
  }
}

TEST_CASE("InterPodAffinity Filter: matchLabelKeys arrive merged into the selector") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b");
  place(a1, makePod("web-v1", {{"app", "web"}, {"version", "v1"}}));
  place(b1, makePod("web-v2", {{"app", "web"}, {"version", "v2"}}));
  std::vector<const NodeInfo*> nodes{&a1, &b1};
  t.setNodes(nodes);

  // Anti-affinity to app=web with matchLabelKeys [version] for a v2 pod: the framework hands
  // over app In (web), version In (v2).
  PodInfo pod = makePod("web-new", {{"app", "web"}, {"version", "v2"}});
  LabelSelector merged = appIs("web");
  merged.requirements.push_back({"version", SelectorOp::kIn, {"v2"}});
  pod.requiredAntiAffinity.push_back(term(merged, kZone));
  REQUIRE(t.preFilter(plugin, pod).status.ok());
  CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kOk, kNo});

  SECTION("mismatchLabelKeys become NotIn") {
    LabelSelector mismatch = appIs("web");
    mismatch.requirements.push_back({"version", SelectorOp::kNotIn, {"v2"}});
    pod.requiredAntiAffinity = {term(mismatch, kZone)};
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kOk});
  }
}

TEST_CASE("InterPodAffinity PreFilter extensions update a cloned state (preemption's what-if)") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), a2 = makeNode("a2", "a"), b1 = makeNode("b1", "b");
  PodInfo db = makePod("db-0", {{"app", "db"}});
  PodInfo webA = makePod("web-a", {{"app", "web"}});
  place(a1, db);
  place(a2, webA);
  std::vector<const NodeInfo*> nodes{&a1, &a2, &b1};
  t.setNodes(nodes);

  // Wants zone of a db pod, no other web pod in its zone; the pod itself is not a db.
  PodInfo pod = makePod("web-new", {{"app", "web"}});
  pod.requiredAffinity.push_back(term(appIs("db"), kZone));
  pod.requiredAntiAffinity.push_back(term(appIs("web"), kZone));
  REQUIRE(t.preFilter(plugin, pod).status.ok());
  REQUIRE(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kNo, kNever});

  auto copy = t.state.clone();
  CycleContext what{*copy, t.snapshot, t.framework};

  SECTION("removing the web pod clears zone a's anti-affinity conflict") {
    REQUIRE(plugin.removePod(what, pod, webA, a2).ok());
    CHECK(filterIn(plugin, what, pod, nodes) == std::vector<Code>{kOk, kOk, kNever});
    // The original state is untouched.
    CHECK(codes(t.filter(plugin, pod, nodes)) == std::vector<Code>{kNo, kNo, kNever});

    SECTION("and adding it back restores it") {
      REQUIRE(plugin.addPod(what, pod, webA, a2).ok());
      CHECK(filterIn(plugin, what, pod, nodes) == std::vector<Code>{kNo, kNo, kNever});
    }
  }
  SECTION("removing the db pod leaves no zone with affinity") {
    REQUIRE(plugin.removePod(what, pod, db, a1).ok());
    CHECK(filterIn(plugin, what, pod, nodes) == std::vector<Code>{kNever, kNever, kNever});
  }
  SECTION("adding a db pod in zone b satisfies affinity there") {
    PodInfo db2 = makePod("db-1", {{"app", "db"}});
    REQUIRE(plugin.addPod(what, pod, db2, b1).ok());
    CHECK(filterIn(plugin, what, pod, nodes) == std::vector<Code>{kNo, kNo, kOk});
  }
  SECTION("adding a pod whose anti-affinity the incoming pod matches") {
    PodInfo db2 = makePod("db-1", {{"app", "db"}});
    PodInfo guard = makePod("guard", {{"app", "guard"}});
    guard.requiredAntiAffinity.push_back(term(appIs("web"), kHostname));
    REQUIRE(plugin.addPod(what, pod, db2, b1).ok());
    REQUIRE(plugin.addPod(what, pod, guard, b1).ok());
    auto verdicts = std::vector<NodeVerdict>(nodes.size());
    plugin.filter(what, pod, nodes, verdicts);
    CHECK(codes(verdicts) == std::vector<Code>{kNo, kNo, kNo});
    CHECK(reasonOf(plugin, verdicts[2]) == "node(s) didn't satisfy existing pods anti-affinity rules");

    SECTION("and removing it again") {
      REQUIRE(plugin.removePod(what, pod, guard, b1).ok());
      CHECK(filterIn(plugin, what, pod, nodes) == std::vector<Code>{kNo, kNo, kOk});
    }
  }
}

TEST_CASE("InterPodAffinity removePod of an existing anti-affinity pod frees its node") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b");
  PodInfo guard = makePod("guard", {{"app", "guard"}});
  guard.requiredAntiAffinity.push_back(term(appIs("web"), kZone));
  place(a1, guard);
  std::vector<const NodeInfo*> nodes{&a1, &b1};
  t.setNodes(nodes);

  PodInfo web = makePod("web", {{"app", "web"}});
  REQUIRE(t.preFilter(plugin, web).status.ok());
  REQUIRE(codes(t.filter(plugin, web, nodes)) == std::vector<Code>{kNo, kOk});
  auto copy = t.state.clone();
  CycleContext what{*copy, t.snapshot, t.framework};
  REQUIRE(plugin.removePod(what, web, guard, a1).ok());
  CHECK(filterIn(plugin, what, web, nodes) == std::vector<Code>{kOk, kOk});
  CHECK(codes(t.filter(plugin, web, nodes)) == std::vector<Code>{kNo, kOk});
}

TEST_CASE("InterPodAffinity without PreFilter state") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a");
  t.setNodes({&a1});
  PodInfo pod = makePod("web", {{"app", "web"}});

  auto verdicts = t.filter(plugin, pod, {&a1});
  CHECK(verdicts[0].code == Code::kError);
  CHECK(reasonOf(plugin, verdicts[0]) == "error reading \"PreFilterInterPodAffinity\" from cycleState: not found");
  // PreFilter answered Skip: preemption's what-ifs have nothing to update.
  PodInfo other = makePod("other", {{"app", "web"}});
  CHECK(plugin.addPod(t.ctx, pod, other, a1).ok());
  CHECK(plugin.removePod(t.ctx, pod, other, a1).ok());
}

TEST_CASE("InterPodAffinity Score: the incoming pod's preferred terms") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), a2 = makeNode("a2", "a"), b1 = makeNode("b1", "b"), c1 = makeNode("c1", "c");
  place(a1, makePod("db-0", {{"app", "db"}}));
  place(a2, makePod("db-1", {{"app", "db"}}));
  place(b1, makePod("db-2", {{"app", "db"}}));
  place(a1, makePod("web-0", {{"app", "web"}}));
  std::vector<const NodeInfo*> nodes{&a1, &a2, &b1, &c1};
  t.setNodes(nodes);

  PodInfo pod = makePod("web-1", {{"app", "web"}});
  pod.preferredAffinity.push_back(weighted(5, term(appIs("db"), kZone)));
  pod.preferredAntiAffinity.push_back(weighted(3, term(appIs("web"), kHostname)));
  REQUIRE(t.preScore(plugin, pod, nodes).ok());
  // zone a: 2 db x 5 = 10, zone b: 5; host a1: -3 (one web pod).
  // Sums a1 7, a2 10, b1 5, c1 0; scaled by (s - 0) / (10 - 0).
  CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{70, 100, 50, 0});

  SECTION("only the nodes scored count for min and max") {
    CHECK(t.score(plugin, pod, {&a1, &b1}) == std::vector<std::int64_t>{100, 0});
  }
  SECTION("anti-affinity alone: negative sums") {
    pod.preferredAffinity.clear();
    REQUIRE(t.preScore(plugin, pod, nodes).ok());
    // a1 -3, others 0.
    CHECK(t.score(plugin, pod, nodes) == std::vector<std::int64_t>{0, 100, 100, 100});
  }
  SECTION("no matching pod anywhere skips Score") {
    pod.preferredAffinity = {weighted(5, term(appIs("cache"), kZone))};
    pod.preferredAntiAffinity.clear();
    CHECK(t.preScore(plugin, pod, nodes).code == Code::kSkip);
  }
  SECTION("pods on nodes without labels do not count") {
    NodeInfo unlabelled;
    unlabelled.name = "unlabelled";
    place(unlabelled, makePod("db-3", {{"app", "db"}}));
    std::vector<const NodeInfo*> all{&a1, &a2, &b1, &c1, &unlabelled};
    t.setNodes(all);
    REQUIRE(t.preScore(plugin, pod, all).ok());
    CHECK(t.score(plugin, pod, all) == std::vector<std::int64_t>{70, 100, 50, 0, 0});
  }
}

TEST_CASE("InterPodAffinity Score: existing pods' terms toward the incoming pod") {
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), a2 = makeNode("a2", "a"), b1 = makeNode("b1", "b"), b2 = makeNode("b2", "b"),
           c1 = makeNode("c1", "c");
  PodInfo fan = makePod("fan", {{"app", "fan"}});
  fan.preferredAffinity.push_back(weighted(4, term(appIs("web"), kZone)));
  place(b1, fan);
  PodInfo hater = makePod("hater", {{"app", "hater"}});
  hater.preferredAntiAffinity.push_back(weighted(2, term(appIs("web"), kHostname)));
  place(a1, hater);
  std::vector<const NodeInfo*> nodes{&a1, &a2, &b1, &b2, &c1};
  t.setNodes(nodes);
  PodInfo web = makePod("web", {{"app", "web"}});

  InterPodAffinity plugin;
  REQUIRE(t.preScore(plugin, web, nodes).ok());
  // zone b: +4, host a1: -2. Sums a1 -2, a2 0, b1 4, b2 4, c1 0; min -2, max 4:
  // a2 and c1 get 100 * 2 / 6 = 33 (truncated).
  CHECK(t.score(plugin, web, nodes) == std::vector<std::int64_t>{0, 33, 100, 100, 33});

  SECTION("a pod the terms do not select is not scored") {
    PodInfo api = makePod("api", {{"app", "api"}});
    CHECK(t.preScore(plugin, api, nodes).code == Code::kSkip);
  }
  SECTION("ignorePreferredTermsOfExistingPods skips a pod without preferred terms") {
    InterPodAffinity ignoring(argsFrom("ignorePreferredTermsOfExistingPods: true"));
    CHECK(t.preScore(ignoring, web, nodes).code == Code::kSkip);

    SECTION("but a pod with its own terms still sees existing pods' terms") {
      place(c1, makePod("db", {{"app", "db"}}));
      t.setNodes(nodes);
      web.preferredAffinity.push_back(weighted(1, term(appIs("db"), kZone)));
      REQUIRE(t.preScore(ignoring, web, nodes).ok());
      // a1 -2, a2 0, b1 4, b2 4, c1 1: c1 = 100 * 3 / 6 = 50.
      CHECK(t.score(ignoring, web, nodes) == std::vector<std::int64_t>{0, 33, 100, 100, 50});
    }
  }
}

TEST_CASE("InterPodAffinity Score: existing pods' required affinity and hardPodAffinityWeight") {
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a"), b1 = makeNode("b1", "b"), c1 = makeNode("c1", "c");
  PodInfo follower = makePod("follower", {{"app", "follower"}});
  follower.requiredAffinity.push_back(term(appIs("web"), kZone));
  place(a1, follower);
  PodInfo fan = makePod("fan", {{"app", "fan"}});
  fan.preferredAffinity.push_back(weighted(5, term(appIs("web"), kZone)));
  place(b1, fan);
  std::vector<const NodeInfo*> nodes{&a1, &b1, &c1};
  t.setNodes(nodes);
  PodInfo web = makePod("web", {{"app", "web"}});

  SECTION("default weight 1") {
    InterPodAffinity plugin;
    REQUIRE(plugin.args().hardPodAffinityWeight == 1);
    REQUIRE(t.preScore(plugin, web, nodes).ok());
    // a 1, b 5, c 0: a = 100 * 1 / 5 = 20.
    CHECK(t.score(plugin, web, nodes) == std::vector<std::int64_t>{20, 100, 0});
  }
  SECTION("weight 10") {
    InterPodAffinity plugin(argsFrom("hardPodAffinityWeight: 10"));
    REQUIRE(t.preScore(plugin, web, nodes).ok());
    // a 10, b 5, c 0.
    CHECK(t.score(plugin, web, nodes) == std::vector<std::int64_t>{100, 50, 0});
  }
  SECTION("weight 0 leaves required terms out of scoring") {
    InterPodAffinity plugin(argsFrom("hardPodAffinityWeight: 0"));
    REQUIRE(t.preScore(plugin, web, nodes).ok());
    CHECK(t.score(plugin, web, nodes) == std::vector<std::int64_t>{0, 100, 0});
  }
}

TEST_CASE("InterPodAffinity PreScore skips quickly when no pod has affinity") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a");
  place(a1, makePod("web-0", {{"app", "web"}}));
  t.setNodes({&a1});
  PodInfo pod = makePod("web-1", {{"app", "web"}});
  CHECK(t.preScore(plugin, pod, {&a1}).code == Code::kSkip);
}

TEST_CASE("InterPodAffinity Score without PreScore state is an error") {
  InterPodAffinity plugin;
  StageTestContext t;
  NodeInfo a1 = makeNode("a1", "a");
  t.setNodes({&a1});
  PodInfo pod = makePod("web", {});
  std::vector<std::int64_t> scores(1);
  std::vector<const NodeInfo*> nodes{&a1};
  t.state.setOwner("test");
  StageStatus s = plugin.score(t.ctx, pod, nodes, scores);
  CHECK(s.code == Code::kError);
  CHECK(s.message == "failed to read \"PreScoreInterPodAffinity\" from cycleState: not found");
}

TEST_CASE("InterPodAffinity args") {
  SECTION("defaults") {
    for (const char* yaml : {"", "null", "{}"}) {
      auto args = argsFrom(yaml);
      CHECK(args.hardPodAffinityWeight == 1);
      CHECK_FALSE(args.ignorePreferredTermsOfExistingPods);
    }
  }
  SECTION("values") {
    auto args = argsFrom("hardPodAffinityWeight: 100\nignorePreferredTermsOfExistingPods: true");
    CHECK(args.hardPodAffinityWeight == 100);
    CHECK(args.ignorePreferredTermsOfExistingPods);
    CHECK(argsFrom("hardPodAffinityWeight: 0").hardPodAffinityWeight == 0);
  }
  SECTION("errors") {
    CHECK(argsError("hardPodAfinityWeight: 1") == R"(InterPodAffinity args: unknown field "hardPodAfinityWeight")");
    CHECK(argsError("hardPodAffinityWeight: 101") ==
          "InterPodAffinity args: hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]");
    CHECK(argsError("hardPodAffinityWeight: -1") ==
          "InterPodAffinity args: hardPodAffinityWeight: Invalid value: -1: not in valid range [0, 100]");
    CHECK(argsError("hardPodAffinityWeight: heavy") ==
          R"(InterPodAffinity args: hardPodAffinityWeight: expected an integer, got "heavy")");
    CHECK(argsError("ignorePreferredTermsOfExistingPods: maybe") ==
          R"(InterPodAffinity args: ignorePreferredTermsOfExistingPods: expected true or false, got "maybe")");
    CHECK(argsError("[1, 2]") == "InterPodAffinity args: expected a mapping");
  }
}
