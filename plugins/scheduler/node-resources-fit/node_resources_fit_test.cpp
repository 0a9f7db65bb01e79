#include "node_resources_fit.h"

#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

namespace {

constexpr std::int64_t kMi = 1024 * 1024;
constexpr std::int64_t kGi = 1024 * kMi;

NodeInfo makeNode(std::string name, std::int64_t milliCpu, std::int64_t memory, std::int64_t pods = 110) {
  NodeInfo n;
  n.name = std::move(name);
  n.allocatable.milliCpu = milliCpu;
  n.allocatable.memory = memory;
  n.allocatable.pods = pods;
  return n;
}

// A one-container pod; the scoring variants follow Kubernetes' non-zero defaults.
PodInfo makePod(std::int64_t milliCpu, std::int64_t memory) {
  PodInfo p;
  p.ns = "default";
  p.name = "pod";
  p.requests.milliCpu = milliCpu;
  p.requests.memory = memory;
  p.nonZeroMilliCpu = milliCpu ? milliCpu : kDefaultMilliCpuRequest;
  p.nonZeroMemory = memory ? memory : kDefaultMemoryRequest;
  return p;
}

void place(NodeInfo& node, PodInfo pod) {
  static int counter = 0;
  pod.uid = "uid-" + std::to_string(++counter);
  pod.nodeName = node.name;
  addPodToNode(node, std::make_shared<const PodInfo>(std::move(pod)));
}

NodeResourcesFitArgs argsFrom(const std::string& yaml) {
  auto args = NodeResourcesFitArgs::parse(yaml);
  INFO(args.status().message());
  REQUIRE(args.ok());
  return args.value();
}

std::string argsError(const std::string& yaml) {
  auto args = NodeResourcesFitArgs::parse(yaml);
  REQUIRE_FALSE(args.ok());
  return args.status().message();
}

std::vector<std::string> filterTexts(NodeResourcesFit& plugin, StageTestContext& t, const PodInfo& pod,
                                     const NodeInfo& node) {
  auto v = t.filter(plugin, pod, {&node});
  if (v[0].code == Code::kSuccess) return {};
  return plugin.reasons(v[0].reason);
}

std::vector<std::int64_t> scoreAll(NodeResourcesFit& plugin, const PodInfo& pod,
                                   const std::vector<const NodeInfo*>& nodes) {
  StageTestContext t;
  t.setNodes(nodes);
  REQUIRE(t.preScore(plugin, pod, nodes).ok());
  return t.score(plugin, pod, nodes);
}

}  // namespace

TEST_CASE("NodeResourcesFit answers its four kinds") {
  NodeResourcesFit plugin;
  CHECK(plugin.queryInterface("scheduler.preFilter") == static_cast<PreFilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.filter") == static_cast<FilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.preScore") == static_cast<PreScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.score") == static_cast<ScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.bind") == nullptr);
}

TEST_CASE("NodeResourcesFit Filter checks free allocatable against the pod's requests") {
  NodeResourcesFit plugin;
  StageTestContext t;
  NodeInfo node = makeNode("n1", 4000, 8 * kGi);
  place(node, makePod(3000, 2 * kGi));  // 1000m and 6Gi left

  PodInfo pod = makePod(1000, 6 * kGi);
  REQUIRE(t.preFilter(plugin, pod).status.ok());

  SECTION("exactly the free amount fits") { CHECK(t.filter(plugin, pod, {&node})[0].code == Code::kSuccess); }
  SECTION("one millicore more is Insufficient cpu (Unschedulable: preemption may help)") {
    pod.requests.milliCpu = 1001;
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    auto v = t.filter(plugin, pod, {&node});
    CHECK(v[0].code == Code::kUnschedulable);
    CHECK(plugin.reasons(v[0].reason) == std::vector<std::string>{"Insufficient cpu"});
  }
  SECTION("every insufficient resource is reported under one reason id") {
    pod.requests.milliCpu = 2000;
    pod.requests.memory = 7 * kGi;
    pod.requests.ephemeralStorage = 1;
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(filterTexts(plugin, t, pod, node) ==
          std::vector<std::string>{"Insufficient cpu", "Insufficient memory", "Insufficient ephemeral-storage"});
  }
  SECTION("the same failure on several nodes yields the same reason id") {
    pod.requests.memory = 7 * kGi;
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    NodeInfo other = makeNode("n2", 4000, 4 * kGi);
    auto v = t.filter(plugin, pod, {&node, &other});
    CHECK(v[0].code == Code::kUnschedulable);
    CHECK(v[0].reason == v[1].reason);
    CHECK(plugin.reasons(v[1].reason) == std::vector<std::string>{"Insufficient memory"});
  }
  SECTION("a node already over-committed rejects even small requests") {
    place(node, makePod(2000, 0));  // requested 5000m of 4000m
    pod.requests.milliCpu = 1;
    pod.requests.memory = 0;
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(filterTexts(plugin, t, pod, node) == std::vector<std::string>{"Insufficient cpu"});
  }
}

TEST_CASE("NodeResourcesFit Filter: pod slots and pods requesting nothing") {
  NodeResourcesFit plugin;
  StageTestContext t;
  NodeInfo node = makeNode("n1", 1000, kGi, 2);
  place(node, makePod(1000, kGi));  // cpu and memory fully requested, 1 slot left

  PodInfo empty = makePod(0, 0);
  REQUIRE(t.preFilter(plugin, empty).status.ok());
  // Requests of zero never fail on resources, even on a full node.
  CHECK(t.filter(plugin, empty, {&node})[0].code == Code::kSuccess);

  place(node, makePod(0, 0));  // 2 of 2 slots used
  CHECK(filterTexts(plugin, t, empty, node) == std::vector<std::string>{"Too many pods"});

  SECTION("Too many pods comes first and joins the resource reasons") {
    PodInfo pod = makePod(1, 0);
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(filterTexts(plugin, t, pod, node) == std::vector<std::string>{"Too many pods", "Insufficient cpu"});
  }
  SECTION("a node with allocatable pods 0 takes no pod at all") {
    NodeInfo none = makeNode("none", 1000, kGi, 0);
    CHECK(filterTexts(plugin, t, empty, none) == std::vector<std::string>{"Too many pods"});
  }
}

TEST_CASE("NodeResourcesFit Filter: extended resources") {
  StageTestContext t;
  NodeInfo withGpu = makeNode("gpu", 4000, 8 * kGi);
  withGpu.allocatable.addScalar("nvidia.com/gpu", 2);
  NodeInfo plain = makeNode("plain", 4000, 8 * kGi);

  PodInfo pod = makePod(100, kGi);
  pod.requests.addScalar("nvidia.com/gpu", 2);

  SECTION("checked against free allocatable; a node without the resource is insufficient") {
    NodeResourcesFit plugin;
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(t.filter(plugin, pod, {&withGpu})[0].code == Code::kSuccess);
    CHECK(filterTexts(plugin, t, pod, plain) == std::vector<std::string>{"Insufficient nvidia.com/gpu"});
    place(withGpu, [] {
      PodInfo user = makePod(100, kGi);
      user.requests.addScalar("nvidia.com/gpu", 1);
      return user;
    }());
    CHECK(filterTexts(plugin, t, pod, withGpu) == std::vector<std::string>{"Insufficient nvidia.com/gpu"});
  }
  SECTION("a request of 0 is not checked") {
    NodeResourcesFit plugin;
    PodInfo zero = makePod(100, kGi);
    zero.requests.addScalar("nvidia.com/gpu", 0);
    REQUIRE(t.preFilter(plugin, zero).status.ok());
    CHECK(t.filter(plugin, zero, {&plain})[0].code == Code::kSuccess);
  }
  SECTION("several extended resources are reported by name order, after the standard ones") {
    NodeResourcesFit plugin;
    pod.requests.addScalar("example.com/foo", 1);
    pod.requests.milliCpu = 5000;
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(filterTexts(plugin, t, pod, plain) ==
          std::vector<std::string>{"Insufficient cpu", "Insufficient example.com/foo", "Insufficient nvidia.com/gpu"});
  }
  SECTION("ignoredResources skips an extended resource by name") {
    NodeResourcesFit plugin(argsFrom("ignoredResources: [nvidia.com/gpu]"));
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(t.filter(plugin, pod, {&plain})[0].code == Code::kSuccess);
  }
  SECTION("ignoredResourceGroups skips every extended resource of a domain") {
    NodeResourcesFit plugin(argsFrom("ignoredResourceGroups: [nvidia.com]"));
    pod.requests.addScalar("example.com/foo", 1);
    REQUIRE(t.preFilter(plugin, pod).status.ok());
    CHECK(filterTexts(plugin, t, pod, plain) == std::vector<std::string>{"Insufficient example.com/foo"});
  }
  SECTION("hugepages are native resources and cannot be ignored") {
    NodeResourcesFit plugin(argsFrom("ignoredResources: [hugepages-2Mi]"));
    PodInfo huge = makePod(100, kGi);
    huge.requests.addScalar("hugepages-2Mi", 4 * kMi);
    REQUIRE(t.preFilter(plugin, huge).status.ok());
    CHECK(filterTexts(plugin, t, huge, plain) == std::vector<std::string>{"Insufficient hugepages-2Mi"});
  }
  SECTION("many extended resources (beyond the reason cache) are still all reported") {
    NodeResourcesFit plugin;
    PodInfo many = makePod(100, kGi);
    for (int i = 0; i < 10; ++i) many.requests.addScalar("example.com/r" + std::to_string(i), 1);
    REQUIRE(t.preFilter(plugin, many).status.ok());
    auto texts = filterTexts(plugin, t, many, plain);
    REQUIRE(texts.size() == 10);
    CHECK(texts.front() == "Insufficient example.com/r0");
    CHECK(texts.back() == "Insufficient example.com/r9");
  }
}

TEST_CASE("NodeResourcesFit Filter without PreFilter state is an error") {
  NodeResourcesFit plugin;
  StageTestContext t;
  NodeInfo node = makeNode("n1", 1000, kGi);
  PodInfo pod = makePod(100, 0);
  auto v = t.filter(plugin, pod, {&node});
  CHECK(v[0].code == Code::kError);
  CHECK(plugin.reasons(v[0].reason)[0].find("PreFilterNodeResourcesFit") != std::string::npos);
}

TEST_CASE("NodeResourcesFit PreFilter state survives a clone (preemption's what-if)") {
  NodeResourcesFit plugin;
  StageTestContext t;
  PodInfo pod = makePod(2000, 0);
  REQUIRE(t.preFilter(plugin, pod).status.ok());
  auto copy = t.state.clone();
  NodeInfo node = makeNode("n1", 1000, kGi);
  t.framework.filterPlugins = {&plugin};
  StageStatus s = t.framework.runFilters(*copy, pod, node);
  CHECK(s.code == Code::kUnschedulable);
  CHECK(s.message == "Insufficient cpu");
}

TEST_CASE("NodeResourcesFit Score: LeastAllocated (the default)") {
  NodeResourcesFit plugin;
  SECTION("differently sized nodes") {
    // Kubernetes' example: pod 3000m / 5000 bytes.
    //   n1 (4000m, 10000): cpu (4000-3000)*100/4000 = 25, memory (10000-5000)*100/10000 = 50 -> (25+50)/2 = 37
    //   n2 (6000m, 10000): cpu (6000-3000)*100/6000 = 50, memory 50                            -> 50
    NodeInfo n1 = makeNode("n1", 4000, 10000), n2 = makeNode("n2", 6000, 10000);
    CHECK(scoreAll(plugin, makePod(3000, 5000), {&n1, &n2}) == std::vector<std::int64_t>{37, 50});
  }
  SECTION("pods requesting nothing are scored at 100m / 200Mi, also those already on the node") {
    // n1 (1000m, 1Gi), empty:      cpu 900*100/1000 = 90, memory (1024-200)Mi*100/1024Mi = 80 -> 85
    // n2 (1000m, 1Gi), one such pod: cpu 800*100/1000 = 80, memory 624Mi*100/1024Mi = 60     -> 70
    NodeInfo n1 = makeNode("n1", 1000, kGi), n2 = makeNode("n2", 1000, kGi);
    place(n2, makePod(0, 0));
    CHECK(scoreAll(plugin, makePod(0, 0), {&n1, &n2}) == std::vector<std::int64_t>{85, 70});
  }
  SECTION("requests over capacity score 0 for that resource") {
    // cpu 2000 > 1000 -> 0; memory (1Gi-512Mi)*100/1Gi = 50 -> (0+50)/2 = 25
    NodeInfo n1 = makeNode("n1", 1000, kGi);
    CHECK(scoreAll(plugin, makePod(2000, 512 * kMi), {&n1}) == std::vector<std::int64_t>{25});
  }
  SECTION("resource weights") {
    NodeResourcesFit weighted(argsFrom(R"(
scoringStrategy:
  type: LeastAllocated
  resources: [{name: cpu, weight: 3}, {name: memory, weight: 1}]
)"));
    // cpu 90, memory 80 (as above) -> (90*3 + 80*1) / 4 = 350/4 = 87 (integer division)
    NodeInfo n1 = makeNode("n1", 1000, kGi);
    CHECK(scoreAll(weighted, makePod(0, 0), {&n1}) == std::vector<std::int64_t>{87});
  }
  SECTION("a node without allocatable of a resource leaves it out of the mean") {
    // memory allocatable 0: only cpu counts: (1000-500)*100/1000 = 50
    NodeInfo n1 = makeNode("n1", 1000, 0);
    CHECK(scoreAll(plugin, makePod(500, 0), {&n1}) == std::vector<std::int64_t>{50});
    NodeInfo nothing = makeNode("nothing", 0, 0);
    CHECK(scoreAll(plugin, makePod(500, 0), {&nothing}) == std::vector<std::int64_t>{0});
  }
}

TEST_CASE("NodeResourcesFit Score: MostAllocated") {
  NodeResourcesFit plugin(argsFrom("scoringStrategy: {type: MostAllocated}"));
  // n1 (4000m, 10000) with a 1000m/2000 pod; new pod 1000m/3000:
  //   cpu 2000*100/4000 = 50, memory 5000*100/10000 = 50 -> 50
  // n2 (4000m, 10000) empty: cpu 1000*100/4000 = 25, memory 3000*100/10000 = 30 -> 27
  NodeInfo n1 = makeNode("n1", 4000, 10000), n2 = makeNode("n2", 4000, 10000);
  place(n1, makePod(1000, 2000));
  CHECK(scoreAll(plugin, makePod(1000, 3000), {&n1, &n2}) == std::vector<std::int64_t>{50, 27});

  // Requested above capacity is capped at capacity: cpu 100, memory 3000*100/10000 = 30 -> 65
  CHECK(scoreAll(plugin, makePod(5000, 3000), {&n2}) == std::vector<std::int64_t>{65});
}

TEST_CASE("NodeResourcesFit Score: RequestedToCapacityRatio") {
  SECTION("the least-allocated shape, with Kubernetes' rounding of the weighted mean") {
    NodeResourcesFit plugin(argsFrom(R"(
scoringStrategy:
  type: RequestedToCapacityRatio
  requestedToCapacityRatio:
    shape: [{utilization: 0, score: 10}, {utilization: 100, score: 0}]
)"));
    // Shape scores are scaled x10: (0,100) .. (100,0).
    // n1 (4000m, 10000), pod 1000m/2000: cpu util 25 -> 100 + (0-100)*(25-0)/100 = 75,
    //   memory util 20 -> 80; round((75+80)/2 = 77.5) = 78
    NodeInfo n1 = makeNode("n1", 4000, 10000);
    CHECK(scoreAll(plugin, makePod(1000, 2000), {&n1}) == std::vector<std::int64_t>{78});
    // Over capacity is utilization 100 -> score 0, left out of the mean: only memory's 80.
    CHECK(scoreAll(plugin, makePod(5000, 2000), {&n1}) == std::vector<std::int64_t>{80});
  }
  SECTION("a bin-packing shape; resources scoring 0 are left out of the mean") {
    NodeResourcesFit plugin(argsFrom(R"(
scoringStrategy:
  type: RequestedToCapacityRatio
  requestedToCapacityRatio: {shape: [{utilization: 0, score: 0}, {utilization: 100, score: 10}]}
)"));
    // cpu 100m of 100000m: util 100*100/100000 = 0 -> score 0, not counted;
    // memory 5000 of 10000: util 50 -> 50. Result 50, not (0+50)/2.
    NodeInfo n1 = makeNode("n1", 100000, 10000);
    CHECK(scoreAll(plugin, makePod(100, 5000), {&n1}) == std::vector<std::int64_t>{50});
  }
  SECTION("three points: interpolation truncates toward zero") {
    NodeResourcesFit plugin(argsFrom(R"(
scoringStrategy:
  type: RequestedToCapacityRatio
  resources: [{name: cpu, weight: 1}]
  requestedToCapacityRatio:
    shape: [{utilization: 0, score: 0}, {utilization: 50, score: 10}, {utilization: 100, score: 2}]
)"));
    NodeInfo n1 = makeNode("n1", 100, kGi);
    // util 61: 100 + (20-100)*(61-50)/(100-50) = 100 + (-880/50 = -17) = 83
    CHECK(scoreAll(plugin, makePod(61, 0), {&n1}) == std::vector<std::int64_t>{83});
    // util 25: 0 + (100-0)*(25-0)/50 = 50
    CHECK(scoreAll(plugin, makePod(25, 0), {&n1}) == std::vector<std::int64_t>{50});
  }
  SECTION("utilization below the first point takes its score, above the last point the last score") {
    NodeResourcesFit plugin(argsFrom(R"(
scoringStrategy:
  type: RequestedToCapacityRatio
  resources: [{name: cpu, weight: 1}]
  requestedToCapacityRatio: {shape: [{utilization: 20, score: 4}, {utilization: 80, score: 6}]}
)"));
    NodeInfo n1 = makeNode("n1", 100, kGi);
    CHECK(scoreAll(plugin, makePod(10, 0), {&n1}) == std::vector<std::int64_t>{40});
    CHECK(scoreAll(plugin, makePod(90, 0), {&n1}) == std::vector<std::int64_t>{60});
  }
}

TEST_CASE("NodeResourcesFit Score: extended resources and ephemeral storage") {
  NodeResourcesFit plugin(argsFrom(R"(
scoringStrategy:
  resources: [{name: cpu, weight: 1}, {name: nvidia.com/gpu, weight: 2}, {name: ephemeral-storage, weight: 1}]
)"));
  NodeInfo gpu = makeNode("gpu", 1000, kGi);
  gpu.allocatable.addScalar("nvidia.com/gpu", 4);
  gpu.allocatable.ephemeralStorage = 1000;
  NodeInfo plain = makeNode("plain", 1000, kGi);
  plain.allocatable.ephemeralStorage = 1000;

  PodInfo pod = makePod(500, 0);
  pod.requests.addScalar("nvidia.com/gpu", 1);
  pod.requests.ephemeralStorage = 250;
  // gpu node: cpu 50 (w1), gpu (4-1)*100/4 = 75 (w2), storage 75 (w1) -> (50+150+75)/4 = 68
  // plain node: no gpu allocatable -> left out: (50+75)/2 = 62
  CHECK(scoreAll(plugin, pod, {&gpu, &plain}) == std::vector<std::int64_t>{68, 62});

  // A pod requesting no gpu leaves the gpu out everywhere: (50+100)/2 = 75.
  PodInfo noGpu = makePod(500, 0);
  CHECK(scoreAll(plugin, noGpu, {&gpu, &plain}) == std::vector<std::int64_t>{75, 75});
}

TEST_CASE("NodeResourcesFit Score without PreScore computes the requests itself") {
  NodeResourcesFit plugin;
  StageTestContext t;
  NodeInfo n1 = makeNode("n1", 4000, 10000);
  CHECK(t.score(plugin, makePod(3000, 5000), {&n1}) == std::vector<std::int64_t>{37});
}

TEST_CASE("NodeResourcesFit args") {
  SECTION("empty and null args are the defaults") {
    for (const char* yaml : {"", "null", "{}"}) {
      auto args = argsFrom(yaml);
      CHECK(args.type == ScoringStrategyType::kLeastAllocated);
      REQUIRE(args.resources.size() == 2);
      CHECK(args.resources[0].name == "cpu");
      CHECK(args.resources[1].name == "memory");
      CHECK(args.resources[1].weight == 1);
      CHECK(args.ignoredResources.empty());
    }
  }
  SECTION("the full shape") {
    auto args = argsFrom(R"(
ignoredResources: [example.com/foo]
ignoredResourceGroups: [example.org]
scoringStrategy:
  type: MostAllocated
  resources: [{name: cpu, weight: 2}, {name: memory}]
  requestedToCapacityRatio: {shape: [{utilization: 0, score: 10}, {utilization: 100, score: 0}]}
)");
    CHECK(args.type == ScoringStrategyType::kMostAllocated);
    CHECK(args.ignoredResources == std::vector<std::string>{"example.com/foo"});
    CHECK(args.ignoredResourceGroups == std::vector<std::string>{"example.org"});
    REQUIRE(args.resources.size() == 2);
    CHECK(args.resources[0].weight == 2);
    CHECK(args.resources[1].weight == 1);  // weight 0 / omitted defaults to 1, as in Kubernetes
    CHECK(args.shape.size() == 2);
  }
  SECTION("an empty resources list means cpu and memory") {
    CHECK(argsFrom("scoringStrategy: {type: MostAllocated, resources: []}").resources.size() == 2);
  }
  SECTION("unknown keys name their path") {
    CHECK(argsError("ignoredResource: []") == R"(NodeResourcesFit args: unknown field "ignoredResource")");
    CHECK(argsError("scoringStrategy: {tpye: MostAllocated}") ==
          R"(NodeResourcesFit args: unknown field "scoringStrategy.tpye")");
    CHECK(argsError("scoringStrategy: {resources: [{name: cpu, wieght: 1}]}") ==
          R"(NodeResourcesFit args: unknown field "scoringStrategy.resources[0].wieght")");
    CHECK(argsError(R"(
scoringStrategy:
  type: RequestedToCapacityRatio
  requestedToCapacityRatio: {shape: [{utilization: 0, scor: 1}]}
)") == R"(NodeResourcesFit args: unknown field "scoringStrategy.requestedToCapacityRatio.shape[0].scor")");
  }
  SECTION("wrong types") {
    CHECK(argsError("[1, 2]") == "NodeResourcesFit args: expected a mapping");
    CHECK(argsError("ignoredResources: example.com/foo") == "NodeResourcesFit args: ignoredResources: expected a list");
    CHECK(argsError("scoringStrategy: {resources: [{name: cpu, weight: heavy}]}") ==
          R"(NodeResourcesFit args: scoringStrategy.resources[0].weight: expected an integer, got "heavy")");
    CHECK(argsError("scoringStrategy: [LeastAllocated]") ==
          "NodeResourcesFit args: scoringStrategy: expected a mapping");
    CHECK(argsError("scoringStrategy: {type: [").find("NodeResourcesFit args: not valid YAML") == 0);
  }
  SECTION("Kubernetes' validation") {
    CHECK(argsError("scoringStrategy: {type: BestFit}") ==
          "NodeResourcesFit args: scoringStrategy.type: Unsupported value: \"BestFit\": supported values: "
          "\"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\"");
    CHECK(argsError("scoringStrategy: {resources: [{name: cpu, weight: 101}]}") ==
          "NodeResourcesFit args: scoringStrategy.resources[0].weight: Invalid value: 101: resource weight of cpu "
          "not in valid range (0, 100]");
    CHECK(argsError("scoringStrategy: {resources: [{name: memory, weight: -1}]}").find("(0, 100]") !=
          std::string::npos);
    CHECK(argsError("scoringStrategy: {resources: [{weight: 1}]}") ==
          "NodeResourcesFit args: scoringStrategy.resources[0].name: Required value");
    CHECK(argsError("scoringStrategy: {type: RequestedToCapacityRatio}") ==
          "NodeResourcesFit args: scoringStrategy.requestedToCapacityRatio: Required value: must be specified when "
          "type is RequestedToCapacityRatio");
    CHECK(argsError("scoringStrategy: {type: RequestedToCapacityRatio, requestedToCapacityRatio: {shape: []}}") ==
          "NodeResourcesFit args: scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one "
          "point must be specified");
    CHECK(argsError(R"(
scoringStrategy:
  type: RequestedToCapacityRatio
  requestedToCapacityRatio: {shape: [{utilization: 50, score: 1}, {utilization: 50, score: 2}]}
)") == "NodeResourcesFit args: scoringStrategy.requestedToCapacityRatio.shape[1].utilization: Invalid value: 50: "
           "values must be sorted in increasing order");
    CHECK(argsError(R"(
scoringStrategy:
  type: RequestedToCapacityRatio
  requestedToCapacityRatio: {shape: [{utilization: 101, score: 1}]}
)") == "NodeResourcesFit args: scoringStrategy.requestedToCapacityRatio.shape[0].utilization: Invalid value: 101: "
           "not in valid range [0, 100]");
    CHECK(argsError(R"(
scoringStrategy:
  type: RequestedToCapacityRatio
  requestedToCapacityRatio: {shape: [{utilization: 10, score: 11}]}
)") == "NodeResourcesFit args: scoringStrategy.requestedToCapacityRatio.shape[0].score: Invalid value: 11: "
           "not in valid range [0, 10]");
    CHECK(argsError("ignoredResourceGroups: [example.com/foo]") ==
          "NodeResourcesFit args: ignoredResourceGroups[0]: Invalid value: \"example.com/foo\": resource group name "
          "can't contain '/'");
    CHECK(argsError("ignoredResources: [\"bad name\"]").find("ignoredResources[0]: Invalid value: \"bad name\"") !=
          std::string::npos);
  }
}
