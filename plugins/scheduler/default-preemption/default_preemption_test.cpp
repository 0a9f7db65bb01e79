#include "default_preemption.h"

#include <catch2/catch.hpp>
#include <deque>
#include <map>
#include <optional>

#include "capstan/json.h"
#include "capstan/scheduler_testing.h"

using namespace capstan;
using namespace capstan::sched;

namespace {

// A Filter that checks cpu only: what the dry runs below fit pods against.
class CpuFit final : public NodeFilter {
 protected:
  NodeVerdict filterNode(CycleContext&, const PodInfo& pod, const NodeInfo& node) override {
    if (node.requested.milliCpu + pod.requests.milliCpu > node.allocatable.milliCpu)
      return reject(sched::Code::kUnschedulable, "Insufficient cpu");
    return {};
  }
};

// The API side: records every batch and answers each request as configured (PDB and
// nominated-pod lists, per-pod codes for patches and deletes).
class RecordingApi final : public TestFrameworkHandle {
 public:
  std::string apiBatch(const std::string& requests) override {
    batches.push_back(requests);
    if (failWith) throw std::runtime_error(*failWith);
    auto doc = json::parse(requests);
    if (!doc.ok() || !doc->isArray()) throw std::runtime_error("test: a batch that is not a JSON array");
    std::string out = "[";
    for (std::size_t i = 0; i < doc->items().size(); ++i) out += (i ? "," : "") + answer(doc->items()[i]);
    return out + "]";
  }

  json::Value batch(std::size_t i) const {
    auto doc = json::parse(batches.at(i));
    REQUIRE(doc.ok());
    return doc.value();
  }
  // Names of the pods every request with `verb` on pods (no subresource) addressed, in order.
  std::vector<std::string> podNames(std::string_view verb) const {
    std::vector<std::string> out;
    for (std::size_t b = 0; b < batches.size(); ++b) {
      const json::Value requests = batch(b);
      for (const json::Value& r : requests.items())
        if (r["verb"].asString() == verb && r["resource"].asString() == "pods" && r["name"].isString())
          out.push_back(r["name"].asString());
    }
    return out;
  }
  std::vector<std::string> deleted() const { return podNames("delete"); }

  std::string pdbItems = "[]";
  std::string nominatedItems = "[]";
  std::map<std::string, int> patchCodes, deleteCodes;  // by pod name; 200 otherwise
  std::optional<std::string> failWith;
  std::vector<std::string> batches;

 private:
  static std::string status(int code, std::string_view message) {
    return R"({"code":)" + std::to_string(code) + R"(,"body":{"kind":"Status","message":)" + json::quote(message) +
           "}}";
  }
  std::string answer(const json::Value& r) const {
    const std::string& verb = r["verb"].asString();
    const std::string& resource = r["resource"].asString();
    const std::string name = r["name"].isString() ? r["name"].asString() : "";
    if (verb == "list" && resource == "poddisruptionbudgets")
      return R"({"code":200,"body":{"kind":"PodDisruptionBudgetList","items":)" + pdbItems + "}}";
    if (verb == "list" && resource == "pods")
      return R"({"code":200,"body":{"kind":"PodList","items":)" + nominatedItems + "}}";
    auto codeOf = [&](const std::map<std::string, int>& codes) {
      auto it = codes.find(name);
      return it == codes.end() ? 200 : it->second;
    };
    if (verb == "patch") {
      int code = codeOf(patchCodes);
      return code == 200 ? R"({"code":200,"body":{"kind":"Pod"}})" : status(code, "patch of " + name + " failed");
    }
    if (verb == "delete") {
      int code = codeOf(deleteCodes);
      return code == 200 ? R"({"code":200,"body":{"kind":"Pod"}})" : status(code, "delete of " + name + " failed");
    }
    if (verb == "create") return R"({"code":201,"body":{}})";
    return status(400, "unexpected request");
  }
};

PodInfoPtr makePod(const std::string& name, std::int32_t priority, std::int64_t milliCpu, std::int64_t created = 0,
                   Labels labels = {}) {
  auto p = std::make_shared<PodInfo>();
  p->ns = "default";
  p->name = name;
  p->uid = "uid-" + name;
  p->schedulerName = "default-scheduler";
  p->priority = priority;
  p->creationTime = created;
  p->labels = std::move(labels);
  p->requests.milliCpu = milliCpu;
  return p;
}

// One pod's failed cycle: nodes, the pod's rejections, the plugin's context.
struct Cluster {
  CycleState state;
  Snapshot snapshot;
  RecordingApi api;
  CycleContext ctx{state, snapshot, api};
  CpuFit cpuFit;
  std::deque<NodeInfo> nodes;  // stable addresses for the snapshot

  Cluster() {
    api.filterPlugins = {&cpuFit};
    state.setOwner(DefaultPreemption::kName);
  }

  NodeInfo& addNode(const std::string& name, std::int64_t milliCpu) {
    NodeInfo& n = nodes.emplace_back();
    n.name = name;
    n.allocatable.milliCpu = milliCpu;
    n.allocatable.pods = 110;
    snapshot.nodes.push_back(&n);
    snapshot.byName[name] = &n;
    return n;
  }
  PodInfoPtr place(NodeInfo& node, const std::string& name, std::int32_t priority, std::int64_t milliCpu,
                   std::int64_t created = 0, Labels labels = {}) {
    auto p = std::make_shared<PodInfo>(*makePod(name, priority, milliCpu, created, std::move(labels)));
    p->nodeName = node.name;
    addPodToNode(node, p);
    return p;
  }

  // What the framework hands over: every node the filter rejected, with its verdict
  // (`unresolvable` names nodes some other Filter rejected as UnschedulableAndUnresolvable).
  std::vector<NodeRejection> rejections(const PodInfo& pod, const std::vector<std::string>& unresolvable = {}) {
    std::vector<NodeRejection> out;
    for (const NodeInfo& n : nodes) {
      if (std::find(unresolvable.begin(), unresolvable.end(), n.name) != unresolvable.end()) {
        out.push_back(
            {&n, sched::Code::kUnschedulableAndUnresolvable, {"node(s) didn't match Pod's node affinity/selector"}});
        continue;
      }
      CpuFit probe;
      NodeVerdict v;
      const NodeInfo* np = &n;
      probe.filter(ctx, pod, std::span<const NodeInfo* const>(&np, 1), std::span<NodeVerdict>(&v, 1));
      REQUIRE(v.code != sched::Code::kSuccess);  // the pod fits nowhere, or PostFilter would not run
      out.push_back({&n, v.code, probe.reasons(v.reason)});
    }
    return out;
  }

  PostFilterResult preempt(DefaultPreemption& plugin, const PodInfo& pod,
                           const std::vector<std::string>& unresolvable = {}) {
    auto r = rejections(pod, unresolvable);
    return plugin.postFilter(ctx, pod, r);
  }
};

DefaultPreemption withOffset(std::int32_t offset, DefaultPreemptionArgs args = {}) {
  return DefaultPreemption(args, [offset](std::int32_t) { return offset; });
}

std::string pdb(const std::string& ns, const std::string& name, const std::string& selector, int allowed,
                const std::string& disruptedPods = "{}") {
  return R"({"metadata":{"namespace":")" + ns + R"(","name":")" + name + R"("},"spec":{"selector":)" + selector +
         R"(},"status":{"disruptionsAllowed":)" + std::to_string(allowed) + R"(,"disruptedPods":)" + disruptedPods +
         "}}";
}

DefaultPreemptionArgs argsFrom(const std::string& yaml) {
  auto args = DefaultPreemptionArgs::parse(yaml);
  INFO(args.status().message());
  REQUIRE(args.ok());
  return args.value();
}

std::string argsError(const std::string& yaml) {
  auto args = DefaultPreemptionArgs::parse(yaml);
  REQUIRE_FALSE(args.ok());
  return args.status().message();
}

}  // namespace

TEST_CASE("DefaultPreemption answers scheduler.postFilter only") {
  DefaultPreemption plugin;
  CHECK(plugin.queryInterface("scheduler.postFilter") == static_cast<PostFilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.filter") == nullptr);
}

TEST_CASE("DefaultPreemption args: defaults, validation and unknown keys") {
  auto defaults = argsFrom("");
  CHECK(defaults.minCandidateNodesPercentage == 10);
  CHECK(defaults.minCandidateNodesAbsolute == 100);
  CHECK(argsFrom("null").minCandidateNodesAbsolute == 100);

  auto custom = argsFrom("{minCandidateNodesPercentage: 50, minCandidateNodesAbsolute: 0}");
  CHECK(custom.minCandidateNodesPercentage == 50);
  CHECK(custom.minCandidateNodesAbsolute == 0);

  CHECK(argsError("{minCandidateNodesPercent: 5}") ==
        "DefaultPreemption args: unknown field \"minCandidateNodesPercent\"");
  CHECK(argsError("{minCandidateNodesPercentage: 101}") ==
        "DefaultPreemption args: minCandidateNodesPercentage: Invalid value: 101: not in valid range [0, 100]");
  CHECK(argsError("{minCandidateNodesAbsolute: -1}") ==
        "DefaultPreemption args: minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)");
  CHECK(argsError("{minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 0}") ==
        "DefaultPreemption args: [minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as "
        "minCandidateNodesAbsolute, minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as "
        "minCandidateNodesPercentage]");
  CHECK(argsError("{minCandidateNodesAbsolute: many}") ==
        "DefaultPreemption args: minCandidateNodesAbsolute: expected an integer, got \"many\"");
  CHECK(argsError("[1]") == "DefaultPreemption args: expected a mapping");
}

TEST_CASE("DefaultPreemption looks for max(percentage of nodes, absolute) candidates, at most all nodes") {
  DefaultPreemption defaults;
  CHECK(defaults.numCandidates(10) == 10);
  CHECK(defaults.numCandidates(1000) == 100);
  CHECK(defaults.numCandidates(5000) == 500);
  DefaultPreemption fixed(argsFrom("{minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 3}"));
  CHECK(fixed.numCandidates(2) == 2);
  CHECK(fixed.numCandidates(1000) == 3);
}

TEST_CASE("DefaultPreemption evicts the least important pods, reprieving every pod it can") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 4000);
  c.place(n1, "top", 100, 1000);  // higher priority than the preemptor: never a victim
  c.place(n1, "c", 3, 1000);
  c.place(n1, "b", 2, 1000);
  c.place(n1, "a", 1, 1000);
  auto pod = makePod("p", 10, 2000);

  DefaultPreemption plugin;
  PostFilterResult r = c.preempt(plugin, *pod);
  REQUIRE(r.status.ok());
  CHECK(r.status.message.empty());
  CHECK(r.nominatedNodeName == "n1");
  // Without b and a there is room; c fits back in.
  CHECK(c.api.deleted() == std::vector<std::string>{"b", "a"});
  CHECK(c.api.rejected == std::vector<std::string>{"uid-b", "uid-a"});
  // The snapshot itself is untouched: the dry run works on copies.
  CHECK(n1.pods.size() == 4);
  CHECK(n1.requested.milliCpu == 4000);
}

TEST_CASE("DefaultPreemption reprieves a more important victim before a less important one of the same priority") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 2000);
  c.place(n1, "young", 1, 1000, /*created=*/200);
  c.place(n1, "old", 1, 1000, /*created=*/100);
  auto pod = makePod("p", 10, 1000);
  DefaultPreemption plugin;
  REQUIRE(c.preempt(plugin, *pod).status.ok());
  // Equal priorities: the pod that started earlier is more important and stays.
  CHECK(c.api.deleted() == std::vector<std::string>{"young"});
}

TEST_CASE("DefaultPreemption picks the node by Kubernetes' rules") {
  Cluster c;
  auto pod = makePod("p", 10, 2000);
  DefaultPreemption plugin = withOffset(0);

  SECTION("fewest PodDisruptionBudget violations first") {
    NodeInfo& n1 = c.addNode("n1", 2000);
    NodeInfo& n2 = c.addNode("n2", 2000);
    c.place(n1, "protected", 1, 2000, 0, {{"app", "db"}});
    c.place(n2, "higher", 5, 2000);
    c.api.pdbItems = "[" + pdb("default", "db", R"({"matchLabels":{"app":"db"}})", 0) + "]";
    PostFilterResult r = c.preempt(plugin, *pod);
    REQUIRE(r.status.ok());
    CHECK(r.nominatedNodeName == "n2");
    CHECK(c.api.deleted() == std::vector<std::string>{"higher"});
  }
  SECTION("then the lowest highest-priority victim") {
    NodeInfo& n1 = c.addNode("n1", 2000);
    NodeInfo& n2 = c.addNode("n2", 2000);
    c.place(n1, "five", 5, 1000);
    c.place(n1, "zero", 0, 1000);
    c.place(n2, "three", 3, 2000);
    CHECK(c.preempt(plugin, *pod).nominatedNodeName == "n2");
  }
  SECTION("then the smallest priority sum") {
    NodeInfo& n1 = c.addNode("n1", 2000);
    NodeInfo& n2 = c.addNode("n2", 2000);
    c.place(n1, "a3", 3, 1000);
    c.place(n1, "a2", 2, 1000);
    c.place(n2, "b3", 3, 1000);
    c.place(n2, "b1", 1, 1000);
    CHECK(c.preempt(plugin, *pod).nominatedNodeName == "n2");
    CHECK(c.api.deleted() == std::vector<std::string>{"b3", "b1"});
  }
  SECTION("the sum counts every victim, so more victims never sum lower") {
    NodeInfo& n1 = c.addNode("n1", 2000);
    NodeInfo& n2 = c.addNode("n2", 2000);
    c.place(n1, "x", -5, 1000);
    c.place(n1, "y", -5, 1000);
    c.place(n2, "z", -5, 2000);
    CHECK(c.preempt(plugin, *pod).nominatedNodeName == "n2");
  }
  SECTION("then the fewest victims") {
    NodeInfo& n1 = c.addNode("n1", 2000);
    NodeInfo& n2 = c.addNode("n2", 2000);
    // Equal highest priority (0) and equal shifted sums (2^31): only the count differs.
    c.place(n1, "m", 0, 1000);
    c.place(n1, "lowest", std::numeric_limits<std::int32_t>::min(), 1000);
    c.place(n2, "single", 0, 2000);
    CHECK(c.preempt(plugin, *pod).nominatedNodeName == "n2");
  }
  SECTION("then the latest start of the highest-priority victims") {
    NodeInfo& n1 = c.addNode("n1", 2000);
    NodeInfo& n2 = c.addNode("n2", 2000);
    c.place(n1, "early", 1, 2000, /*created=*/100);
    c.place(n2, "late", 1, 2000, /*created=*/200);
    CHECK(c.preempt(plugin, *pod).nominatedNodeName == "n2");
  }
  SECTION("then the first candidate, counted from the random start") {
    NodeInfo& n1 = c.addNode("n1", 2000);
    NodeInfo& n2 = c.addNode("n2", 2000);
    c.place(n1, "a", 1, 2000, 100);
    c.place(n2, "b", 1, 2000, 100);
    CHECK(c.preempt(plugin, *pod).nominatedNodeName == "n1");
    DefaultPreemption fromSecond = withOffset(1);
    CHECK(c.preempt(fromSecond, *pod).nominatedNodeName == "n2");
  }
}

TEST_CASE("pickOneNodeForPreemption applies each rule only to the ties of the previous ones") {
  NodeInfo n1, n2, n3;
  auto victims = [](std::vector<PodInfoPtr> pods, std::int64_t violations) {
    return Victims{std::move(pods), violations};
  };
  std::vector<PreemptionCandidate> candidates{
      {&n1, victims({makePod("a", 1, 0, 300)}, 1)},                          // a violation: out first
      {&n2, victims({makePod("b", 7, 0, 100), makePod("c", 1, 0, 50)}, 0)},  // highest 7
      {&n3, victims({makePod("d", 7, 0, 200), makePod("e", 1, 0, 50)}, 0)},  // highest 7, starts later
  };
  CHECK(pickOneNodeForPreemption(candidates) == 2);
  candidates[2].victims.pods.push_back(makePod("f", 0, 0, 10));  // now a larger sum
  CHECK(pickOneNodeForPreemption(candidates) == 1);
  CHECK(pickOneNodeForPreemption(std::span<const PreemptionCandidate>(candidates.data(), 1)) == 0);
}

TEST_CASE("DefaultPreemption: a pod with preemptionPolicy Never preempts nothing") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 1000);
  c.place(n1, "victim", 1, 1000);
  auto pod = std::make_shared<PodInfo>(*makePod("p", 10, 1000));
  pod->preemptNever = true;
  DefaultPreemption plugin;
  PostFilterResult r = c.preempt(plugin, *pod);
  CHECK(r.status.code == sched::Code::kUnschedulable);
  CHECK(r.status.message == "preemption: not eligible due to preemptionPolicy=Never.");
  CHECK(r.nominatedNodeName.empty());
  CHECK(c.api.batches.empty());
}

TEST_CASE("DefaultPreemption waits while victims of its earlier preemption are terminating") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 2000);
  NodeInfo& n2 = c.addNode("n2", 2000);
  auto leaving = std::make_shared<PodInfo>(*makePod("leaving", 1, 1000));
  leaving->terminating = true;
  addPodToNode(n1, leaving);
  c.place(n1, "other", 1, 1000);
  c.place(n2, "victim", 1, 2000);
  auto pod = std::make_shared<PodInfo>(*makePod("p", 10, 1500));
  pod->nominatedNodeName = "n1";
  DefaultPreemption plugin = withOffset(0);

  SECTION("nominated node still rejected as Unschedulable: not eligible") {
    PostFilterResult r = c.preempt(plugin, *pod);
    CHECK(r.status.code == sched::Code::kUnschedulable);
    CHECK(r.status.message == "preemption: not eligible due to a terminating pod on the nominated node.");
    CHECK(c.api.batches.empty());
  }
  SECTION("nominated node now unresolvable: preempts again elsewhere") {
    PostFilterResult r = c.preempt(plugin, *pod, {"n1"});
    REQUIRE(r.status.ok());
    CHECK(r.nominatedNodeName == "n2");
  }
  SECTION("a terminating pod of higher priority does not count") {
    pod->priority = 1;  // "leaving" is no longer of lower priority, and nothing is
    PostFilterResult r = c.preempt(plugin, *pod);
    CHECK(r.status.message == "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
  }
}

TEST_CASE("DefaultPreemption only considers nodes rejected as Unschedulable") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 1000);
  NodeInfo& n2 = c.addNode("n2", 1000);
  c.place(n1, "cheap", 0, 1000);
  c.place(n2, "dearer", 5, 1000);
  auto pod = makePod("p", 10, 1000);
  DefaultPreemption plugin = withOffset(0);

  SECTION("an UnschedulableAndUnresolvable node is skipped even with cheaper victims") {
    PostFilterResult r = c.preempt(plugin, *pod, {"n1"});
    REQUIRE(r.status.ok());
    CHECK(r.nominatedNodeName == "n2");
    CHECK(c.api.deleted() == std::vector<std::string>{"dearer"});
  }
  SECTION("no node can be helped: no API call at all") {
    PostFilterResult r = c.preempt(plugin, *pod, {"n1", "n2"});
    CHECK(r.status.code == sched::Code::kUnschedulable);
    CHECK(r.status.message == "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
    CHECK(r.nominatedNodeName.empty());
    CHECK(c.api.batches.empty());
  }
}

TEST_CASE("DefaultPreemption says why each node cannot help, counted as the framework counts filter reasons") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 1000);
  NodeInfo& n2 = c.addNode("n2", 1000);
  NodeInfo& n3 = c.addNode("n3", 1000);
  NodeInfo& n4 = c.addNode("n4", 1000);
  c.place(n1, "important", 50, 1000);  // no pod of lower priority
  c.place(n2, "small", 1, 1000);       // the pod is larger than the whole node
  c.place(n3, "important2", 50, 1000);
  c.place(n4, "other", 1, 1000);  // rejected by another filter as unresolvable
  auto pod = makePod("p", 10, 1500);
  DefaultPreemption plugin;
  PostFilterResult r = c.preempt(plugin, *pod, {"n4"});
  CHECK(r.status.code == sched::Code::kUnschedulable);
  CHECK(r.status.message ==
        "preemption: 0/4 nodes are available: 1 Insufficient cpu, 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod.");
  CHECK(r.nominatedNodeName.empty());
  // Only the PodDisruptionBudgets were read; nothing was evicted.
  REQUIRE(c.api.batches.size() == 1);
  CHECK(c.api.batches[0] == R"([{"verb":"list","group":"policy","version":"v1","resource":"poddisruptionbudgets"}])");
}

TEST_CASE("DefaultPreemption clears the pod's own nomination when preemption cannot help any more") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 1000);
  c.place(n1, "important", 50, 1000);
  auto pod = std::make_shared<PodInfo>(*makePod("p", 10, 1000));
  pod->nominatedNodeName = "n1";
  DefaultPreemption plugin;
  PostFilterResult r = c.preempt(plugin, *pod);
  CHECK(r.status.message == "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
  REQUIRE(c.api.batches.size() == 2);
  CHECK(c.api.batches[1] ==
        R"([{"verb":"patch","version":"v1","resource":"pods","namespace":"default","name":"p","subresource":"status",)"
        R"("contentType":"application/strategic-merge-patch+json","body":{"metadata":{"uid":"uid-p"},)"
        R"("status":{"nominatedNodeName":null}}}])");
}

TEST_CASE("DefaultPreemption spares PodDisruptionBudget-protected pods when it can") {
  Cluster c;
  auto pod = makePod("p", 10, 1000);
  DefaultPreemption plugin = withOffset(0);
  const std::string dbSelector = R"({"matchLabels":{"app":"db"}})";

  SECTION("protected victims are reprieved first") {
    NodeInfo& n1 = c.addNode("n1", 3000);
    // Without the budget, db (the youngest, so least important) would be the victim.
    c.place(n1, "db", 1, 1000, /*created=*/300, {{"app", "db"}});
    c.place(n1, "web1", 1, 1000, 100);
    c.place(n1, "web2", 1, 1000, 200);
    c.api.pdbItems = "[" + pdb("default", "db", dbSelector, 0) + "]";
    REQUIRE(c.preempt(plugin, *pod).status.ok());
    CHECK(c.api.deleted() == std::vector<std::string>{"web2"});
  }
  SECTION("when only protected pods can make room, the budget is overridden") {
    NodeInfo& n1 = c.addNode("n1", 1000);
    c.place(n1, "db", 1, 1000, 100, {{"app", "db"}});
    c.api.pdbItems = "[" + pdb("default", "db", dbSelector, 0) + "]";
    PostFilterResult r = c.preempt(plugin, *pod);
    REQUIRE(r.status.ok());
    CHECK(c.api.deleted() == std::vector<std::string>{"db"});
  }
  SECTION("a budget's allowed disruptions go to the most important victims") {
    NodeInfo& n1 = c.addNode("n1", 2000);
    NodeInfo& n2 = c.addNode("n2", 2000);
    // n1: two db pods must go and the budget allows one; n2: two plain pods of higher priority.
    c.place(n1, "db1", 1, 1000, 100, {{"app", "db"}});
    c.place(n1, "db2", 1, 1000, 200, {{"app", "db"}});
    c.place(n2, "web1", 5, 1000);
    c.place(n2, "web2", 5, 1000);
    auto big = makePod("big", 10, 2000);
    c.api.pdbItems = "[" + pdb("default", "db", dbSelector, 1) + "]";
    PostFilterResult r = c.preempt(plugin, *big);
    CHECK(r.nominatedNodeName == "n2");
    SECTION("pods the API already counted as disrupted are no further violation") {
      c.api.batches.clear();
      c.api.pdbItems = "[" + pdb("default", "db", dbSelector, 1, R"({"db2":"2024-01-01T00:00:00Z"})") + "]";
      CHECK(c.preempt(plugin, *big).nominatedNodeName == "n1");
    }
  }
  SECTION("budgets of other namespaces, empty selectors and unlabeled pods protect nothing") {
    NodeInfo& n1 = c.addNode("n1", 1000);
    NodeInfo& n2 = c.addNode("n2", 1000);
    NodeInfo& n3 = c.addNode("n3", 1000);
    c.place(n1, "db", 1, 1000, 0, {{"app", "db"}});
    c.place(n2, "plain", 1, 1000);
    c.place(n3, "web", 5, 1000, 0, {{"app", "web"}});
    c.api.pdbItems =
        "[" + pdb("other", "db", dbSelector, 0) + "," + pdb("default", "all", "{}", 0) + "," +
        pdb("default", "web", R"({"matchExpressions":[{"key":"app","operator":"In","values":["web"]}]})", 0) + "]";
    // n1 and n2 tie on every rule (no violation: the "db" budget is in another namespace,
    // "all" selects nothing); n3 violates "web".
    CHECK(c.preempt(plugin, *pod).nominatedNodeName == "n1");
  }
}

TEST_CASE("PodDisruptionBudget reads a list and matches as Kubernetes does") {
  auto list =
      json::parse(R"({"items":[)" + pdb("default", "a", R"({"matchLabels":{"app":"db"}})", 2, R"({"x":"t","w":"t"})") +
                  "," + pdb("default", "b", R"({"matchExpressions":[{"key":"app","operator":"In","values":[]}]})", 1) +
                  "," + pdb("default", "c", "null", 1) + "," +
                  pdb("default", "d", R"({"matchExpressions":[{"key":"tier","operator":"DoesNotExist"}]})", 1) + "]}");
  REQUIRE(list.ok());
  auto pdbs = PodDisruptionBudget::fromList(*list);
  REQUIRE(pdbs.size() == 4);
  PodInfo db = *makePod("x", 1, 0, 0, {{"app", "db"}});
  PodInfo bare = *makePod("y", 1, 0);
  CHECK(pdbs[0].disruptionsAllowed == 2);
  CHECK(pdbs[0].matches(db));
  CHECK(pdbs[0].disrupted("x"));
  CHECK_FALSE(pdbs[0].disrupted("y"));
  CHECK_FALSE(pdbs[1].matches(db));  // invalid selector: In without values
  CHECK_FALSE(pdbs[2].matches(db));  // no selector
  CHECK(pdbs[3].matches(db));
  CHECK_FALSE(pdbs[3].matches(bare));  // a pod without labels matches no budget
}

TEST_CASE("DefaultPreemption sends Kubernetes' requests: DisruptionTarget, delete, event, nomination cleanup") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 2000);
  c.place(n1, "b", 2, 1000);
  c.place(n1, "a", 1, 1000);
  auto pod = std::make_shared<PodInfo>(*makePod("p", 10, 2000));
  pod->schedulerName = "my-scheduler";
  c.api.nominatedItems =
      R"([{"metadata":{"namespace":"default","name":"low","uid":"uid-low"},"spec":{"priority":1},)"
      R"("status":{"nominatedNodeName":"n1"}},)"
      R"({"metadata":{"namespace":"default","name":"high","uid":"uid-high"},"spec":{"priority":50},)"
      R"("status":{"nominatedNodeName":"n1"}},)"
      R"({"metadata":{"namespace":"default","name":"bound","uid":"uid-bound"},"spec":{"nodeName":"n1"},)"
      R"("status":{"nominatedNodeName":"n1"}}])";
  DefaultPreemption plugin;
  PostFilterResult r = c.preempt(plugin, *pod);
  REQUIRE(r.status.ok());
  CHECK(r.nominatedNodeName == "n1");
  REQUIRE(c.api.batches.size() == 4);

  // 1. PodDisruptionBudgets.
  CHECK(c.api.batches[0] == R"([{"verb":"list","group":"policy","version":"v1","resource":"poddisruptionbudgets"}])");

  // 2. The DisruptionTarget condition on each victim, most important first, and the pods
  // nominated to the node.
  json::Value marks = c.api.batch(1);
  REQUIRE(marks.items().size() == 3);
  for (std::size_t i = 0; i < 2; ++i) {
    const json::Value& m = marks.items()[i];
    const std::string name = i == 0 ? "b" : "a";
    CHECK(m["verb"].asString() == "patch");
    CHECK(m["version"].asString() == "v1");
    CHECK(m["resource"].asString() == "pods");
    CHECK(m["namespace"].asString() == "default");
    CHECK(m["name"].asString() == name);
    CHECK(m["subresource"].asString() == "status");
    CHECK(m["contentType"].asString() == "application/strategic-merge-patch+json");
    CHECK(m["body"]["metadata"]["uid"].asString() == "uid-" + name);
    const json::Value& conditions = m["body"]["status"]["conditions"];
    REQUIRE(conditions.items().size() == 1);
    const json::Value& cond = conditions.items()[0];
    CHECK(cond["type"].asString() == "DisruptionTarget");
    CHECK(cond["status"].asString() == "True");
    CHECK(cond["reason"].asString() == "PreemptionByScheduler");
    CHECK(cond["message"].asString() == "my-scheduler: preempting to accommodate a higher priority pod");
    CHECK(cond["lastTransitionTime"].asString().size() == 20);  // 2024-01-02T03:04:05Z
  }
  CHECK(json::serialize(marks.items()[2]) ==
        R"({"verb":"list","version":"v1","resource":"pods","query":{"fieldSelector":"status.nominatedNodeName=n1"}})");

  // 3. The deletes, exactly.
  CHECK(c.api.batches[2] == R"([{"verb":"delete","version":"v1","resource":"pods","namespace":"default","name":"b"},)"
                            R"({"verb":"delete","version":"v1","resource":"pods","namespace":"default","name":"a"}])");

  // 4. A Preempted event per victim; the lower-priority pod nominated to n1 loses its
  // nomination (not the higher-priority one, not the bound one).
  json::Value last = c.api.batch(3);
  REQUIRE(last.items().size() == 3);
  for (std::size_t i = 0; i < 2; ++i) {
    const json::Value& e = last.items()[i];
    CHECK(e["verb"].asString() == "create");
    CHECK(e["resource"].asString() == "events");
    CHECK(e["body"]["involvedObject"]["name"].asString() == (i == 0 ? "b" : "a"));
    CHECK(e["body"]["related"]["uid"].asString() == "uid-p");
    CHECK(e["body"]["reason"].asString() == "Preempted");
    CHECK(e["body"]["action"].asString() == "Preempting");
    CHECK(e["body"]["type"].asString() == "Normal");
    CHECK(e["body"]["message"].asString() == "Preempted by pod uid-p on node n1");
  }
  CHECK(json::serialize(last.items()[2]) ==
        R"({"verb":"patch","version":"v1","resource":"pods","namespace":"default","name":"low","subresource":"status",)"
        R"("contentType":"application/strategic-merge-patch+json","body":{"metadata":{"uid":"uid-low"},)"
        R"("status":{"nominatedNodeName":null}}})");
}

TEST_CASE("DefaultPreemption reports API failures and evicts nothing more after one") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 2000);
  c.place(n1, "b", 2, 1000);
  c.place(n1, "a", 1, 1000);
  auto pod = makePod("p", 10, 2000);
  DefaultPreemption plugin;

  SECTION("a failed DisruptionTarget patch stops before any delete") {
    c.api.patchCodes["a"] = 500;
    PostFilterResult r = c.preempt(plugin, *pod);
    CHECK(r.status.code == sched::Code::kError);
    CHECK(r.status.message == "preemption: patch of a failed");
    CHECK(r.nominatedNodeName.empty());
    CHECK(c.api.deleted().empty());
  }
  SECTION("a victim that is already gone is simply not deleted") {
    c.api.patchCodes["a"] = 404;
    c.api.deleteCodes["b"] = 404;
    PostFilterResult r = c.preempt(plugin, *pod);
    REQUIRE(r.status.ok());
    CHECK(c.api.deleted() == std::vector<std::string>{"b"});
    // ... and gets no Preempted event.
    CHECK(c.api.batches.size() == 3);
  }
  SECTION("a failed delete fails the preemption") {
    c.api.deleteCodes["b"] = 409;
    PostFilterResult r = c.preempt(plugin, *pod);
    CHECK(r.status.code == sched::Code::kError);
    CHECK(r.status.message == "preemption: delete of b failed");
  }
  SECTION("no API at all") {
    c.api.failWith = "the scheduler has no API connection";
    PostFilterResult r = c.preempt(plugin, *pod);
    CHECK(r.status.code == sched::Code::kError);
    CHECK(r.status.message == "preemption: the scheduler has no API connection");
  }
}

TEST_CASE("DefaultPreemption stops the dry run once enough candidates, one without violations, are found") {
  Cluster c;
  NodeInfo& n1 = c.addNode("n1", 1000);
  NodeInfo& n2 = c.addNode("n2", 1000);
  NodeInfo& n3 = c.addNode("n3", 1000);
  c.place(n1, "v1", 5, 1000, 0, {{"app", "db"}});
  c.place(n2, "v2", 4, 1000);
  c.place(n3, "v3", 1, 1000);  // the best victim overall
  auto pod = makePod("p", 10, 1000);
  auto one = argsFrom("{minCandidateNodesPercentage: 0, minCandidateNodesAbsolute: 1}");

  SECTION("one candidate wanted: the first node from the start wins") {
    DefaultPreemption fromFirst = withOffset(0, one);
    CHECK(c.preempt(fromFirst, *pod).nominatedNodeName == "n1");
    DefaultPreemption fromThird = withOffset(2, one);
    CHECK(c.preempt(fromThird, *pod).nominatedNodeName == "n3");
  }
  SECTION("a candidate violating a budget does not end the search") {
    c.api.pdbItems = "[" + pdb("default", "db", R"({"matchLabels":{"app":"db"}})", 0) + "]";
    DefaultPreemption fromFirst = withOffset(0, one);
    // n1 violates, n2 does not: the search stops there, before the better n3.
    CHECK(c.preempt(fromFirst, *pod).nominatedNodeName == "n2");
  }
  SECTION("the default args look at every node here") {
    DefaultPreemption all = withOffset(0);
    CHECK(c.preempt(all, *pod).nominatedNodeName == "n3");
  }
}

namespace {

// Cycle state a PreFilter extension keeps per pod: free pod slots on the node evaluated.
struct Slots final : StateData {
  int free = 0;
  std::unique_ptr<StateData> clone() const override { return std::make_unique<Slots>(*this); }
};

// A framework whose PreFilter extension tracks Slots and whose Filter reads them.
class SlotsFramework final : public TestFrameworkHandle {
 public:
  StageStatus runPreFilterRemovePod(CycleState& state, const PodInfo&, const PodInfo&, const NodeInfo&) override {
    ++slots(state).free;
    ++removed;
    return {};
  }
  StageStatus runPreFilterAddPod(CycleState& state, const PodInfo&, const PodInfo&, const NodeInfo&) override {
    --slots(state).free;
    return {};
  }
  StageStatus runFilters(CycleState& state, const PodInfo&, const NodeInfo&) override {
    return slots(state).free >= 1 ? StageStatus{} : StageStatus::unschedulable("Too many pods");
  }
  std::string apiBatch(const std::string& requests) override {
    auto doc = json::parse(requests);
    std::string out = "[";
    for (std::size_t i = 0; i < doc->items().size(); ++i)
      out += i ? R"(,{"code":200,"body":{}})" : R"({"code":200,"body":{}})";
    return out + "]";
  }
  int removed = 0;

 private:
  // The extension's own view of the state: it owns "slots".
  static Slots& slots(CycleState& state) { return *CycleState(state, "test").read<Slots>("slots"); }
};

}  // namespace

TEST_CASE("DefaultPreemption simulates on a clone of the cycle state per node, through the PreFilter extensions") {
  CycleState state;
  state.setOwner("test");
  state.write("slots", std::make_unique<Slots>());  // every node is full
  state.setOwner(DefaultPreemption::kName);
  Snapshot snapshot;
  SlotsFramework framework;
  CycleContext ctx{state, snapshot, framework};
  std::deque<NodeInfo> nodes;
  for (const char* name : {"n1", "n2"}) {
    NodeInfo& n = nodes.emplace_back();
    n.name = name;
    for (int i = 0; i < 3; ++i) addPodToNode(n, makePod(std::string(name) + "-" + std::to_string(i), i, 0, 100 + i));
    snapshot.nodes.push_back(&n);
    snapshot.byName[name] = &n;
  }
  std::vector<NodeRejection> rejections{{&nodes[0], sched::Code::kUnschedulable, {"Too many pods"}},
                                        {&nodes[1], sched::Code::kUnschedulable, {"Too many pods"}}};
  auto pod = makePod("p", 10, 0);
  DefaultPreemption plugin = withOffset(0);
  PostFilterResult r = plugin.postFilter(ctx, *pod, rejections);
  REQUIRE(r.status.ok());
  // Each node: 3 removals, 2 reprieves, then the least important pod removed again. The
  // second node starts from the untouched state, so it also needs exactly one victim.
  CHECK(framework.removed == 8);
  CHECK(r.nominatedNodeName == "n1");
  CHECK(state.readOf<Slots>("test", "slots")->free == 0);  // the cycle's own state is untouched
}
