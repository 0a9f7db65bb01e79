#include "node_resources_balanced_allocation.h"

#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

namespace {

NodeInfo makeNode(std::string name, std::int64_t milliCpu, std::int64_t memory) {
  NodeInfo n;
  n.name = std::move(name);
  n.allocatable.milliCpu = milliCpu;
  n.allocatable.memory = memory;
  n.allocatable.pods = 110;
  return n;
}

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
  addPodToNode(node, std::make_shared<const PodInfo>(std::move(pod)));
}

std::vector<std::int64_t> scoreAll(NodeResourcesBalancedAllocation& plugin, const PodInfo& pod,
                                   const std::vector<const NodeInfo*>& nodes) {
  StageTestContext t;
  t.setNodes(nodes);
  REQUIRE(t.preScore(plugin, pod, nodes).ok());
  return t.score(plugin, pod, nodes);
}

NodeResourcesBalancedAllocationArgs argsFrom(const std::string& yaml) {
  auto args = NodeResourcesBalancedAllocationArgs::parse(yaml);
  INFO(args.status().message());
  REQUIRE(args.ok());
  return args.value();
}

std::string argsError(const std::string& yaml) {
  auto args = NodeResourcesBalancedAllocationArgs::parse(yaml);
  REQUIRE_FALSE(args.ok());
  return args.status().message();
}

}  // namespace

TEST_CASE("NodeResourcesBalancedAllocation answers preScore and score") {
  NodeResourcesBalancedAllocation plugin;
  CHECK(plugin.queryInterface("scheduler.preScore") == static_cast<PreScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.score") == static_cast<ScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.filter") == nullptr);
}

TEST_CASE("NodeResourcesBalancedAllocation scores (1 - std of the fractions) * 100") {
  NodeResourcesBalancedAllocation plugin;
  SECTION("two resources: std = |f1 - f2| / 2") {
    // Kubernetes' example, pod 3000m / 5000:
    //   n1 (4000m, 10000): 0.75 and 0.5 -> std 0.125 -> 87.5 -> 87 (truncated)
    //   n2 (6000m, 10000): 0.5 and 0.5  -> std 0     -> 100
    NodeInfo n1 = makeNode("n1", 4000, 10000), n2 = makeNode("n2", 6000, 10000);
    CHECK(scoreAll(plugin, makePod(3000, 5000), {&n1, &n2}) == std::vector<std::int64_t>{87, 100});
  }
  SECTION("pods on the node count with their requests") {
    // n1 (4000m, 10000) holding 1000m/2000, pod 1000m/1000: 0.5 and 0.3 -> std 0.1 -> 90
    NodeInfo n1 = makeNode("n1", 4000, 10000);
    place(n1, makePod(1000, 2000));
    CHECK(scoreAll(plugin, makePod(1000, 1000), {&n1}) == std::vector<std::int64_t>{90});
  }
  SECTION("float64 arithmetic as in Kubernetes: exactly 58 computes as 57.999... and truncates to 57") {
    // fractions 0.06 and 0.9: (1 - 0.42) * 100 in double precision is 57.99999999999999
    NodeInfo n1 = makeNode("n1", 100, 100);
    CHECK(scoreAll(plugin, makePod(6, 90), {&n1}) == std::vector<std::int64_t>{57});
  }
  SECTION("fractions are capped at 1") {
    // cpu 8000/4000 -> 1, memory 0.5 -> std 0.25 -> 75
    NodeInfo n1 = makeNode("n1", 4000, 10000);
    CHECK(scoreAll(plugin, makePod(8000, 5000), {&n1}) == std::vector<std::int64_t>{75});
  }
  SECTION("plain requests, not the non-zero defaults: a pod requesting nothing adds nothing") {
    // empty node: 0 and 0 -> 100; node holding a cpu-only pod: 0.5 and 0 -> 75
    NodeInfo empty = makeNode("empty", 4000, 10000), busy = makeNode("busy", 4000, 10000);
    place(busy, makePod(2000, 0));
    CHECK(scoreAll(plugin, makePod(0, 0), {&empty, &busy}) == std::vector<std::int64_t>{100, 75});
  }
  SECTION("a resource the node does not have is left out; one fraction alone has std 0") {
    NodeInfo noMemory = makeNode("no-memory", 4000, 0);
    CHECK(scoreAll(plugin, makePod(3000, 5000), {&noMemory}) == std::vector<std::int64_t>{100});
  }
}

TEST_CASE("NodeResourcesBalancedAllocation with extended resources") {
  NodeResourcesBalancedAllocation plugin(argsFrom(R"(
resources: [{name: cpu, weight: 1}, {name: memory, weight: 1}, {name: nvidia.com/gpu, weight: 1}]
)"));
  NodeInfo gpu = makeNode("gpu", 4000, 10000);
  gpu.allocatable.addScalar("nvidia.com/gpu", 4);
  NodeInfo plain = makeNode("plain", 4000, 10000);

  SECTION("three fractions: std = sqrt(sum((f - mean)^2) / 3)") {
    // 0.5, 0.25, 0.75: mean 0.5, sum 0.125, std sqrt(0.041667) = 0.2041 -> 79.58 -> 79
    // the plain node has no gpu: 0.5 and 0.25 -> std 0.125 -> 87
    PodInfo pod = makePod(2000, 2500);
    pod.requests.addScalar("nvidia.com/gpu", 3);
    CHECK(scoreAll(plugin, pod, {&gpu, &plain}) == std::vector<std::int64_t>{79, 87});
  }
  SECTION("an extended resource the pod does not request is left out") {
    // 0.5 and 0.25 -> 87 on both nodes
    CHECK(scoreAll(plugin, makePod(2000, 2500), {&gpu, &plain}) == std::vector<std::int64_t>{87, 87});
  }
}

TEST_CASE("NodeResourcesBalancedAllocation Score without PreScore computes the requests itself") {
  NodeResourcesBalancedAllocation plugin;
  StageTestContext t;
  NodeInfo n1 = makeNode("n1", 4000, 10000);
  CHECK(t.score(plugin, makePod(3000, 5000), {&n1}) == std::vector<std::int64_t>{87});
}

TEST_CASE("NodeResourcesBalancedAllocation args") {
  SECTION("defaults: cpu and memory") {
    for (const char* yaml : {"", "null", "{}", "resources: []"})
      CHECK(argsFrom(yaml).resources == std::vector<std::string>{"cpu", "memory"});
  }
  SECTION("a list of resources; weight may be omitted") {
    CHECK(argsFrom("resources: [{name: cpu}, {name: example.com/foo, weight: 1}]").resources ==
          std::vector<std::string>{"cpu", "example.com/foo"});
  }
  SECTION("errors") {
    CHECK(argsError("resources: [{name: cpu, wieght: 1}]") ==
          R"(NodeResourcesBalancedAllocation args: unknown field "resources[0].wieght")");
    CHECK(argsError("resource: []") == R"(NodeResourcesBalancedAllocation args: unknown field "resource")");
    CHECK(argsError("resources: [{name: cpu, weight: 2}]") ==
          "NodeResourcesBalancedAllocation args: resources[0].weight: Invalid value: 2: must be 1");
    CHECK(argsError("resources: [{name: cpu}, {name: cpu}]") ==
          "NodeResourcesBalancedAllocation args: resources[1].name: Duplicate value: \"cpu\"");
    CHECK(argsError("resources: [{weight: 1}]") ==
          "NodeResourcesBalancedAllocation args: resources[0].name: Required value");
    CHECK(argsError("resources: cpu") == "NodeResourcesBalancedAllocation args: resources: expected a list");
    CHECK(argsError("resources: [cpu]") == "NodeResourcesBalancedAllocation args: resources[0]: expected a mapping");
  }
}
