#include "node_name.h"

#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

TEST_CASE("NodeName fits only the requested node") {
  NodeName plugin;
  StageTestContext t;
  NodeInfo a, b;
  a.name = "node-a";
  b.name = "node-b";
  t.setNodes({&a, &b});

  PodInfo pod;
  SECTION("no spec.nodeName: every node fits") {
    auto verdicts = t.filter(plugin, pod, {&a, &b});
    CHECK(verdicts[0].code == Code::kSuccess);
    CHECK(verdicts[1].code == Code::kSuccess);
  }
  SECTION("spec.nodeName set: the other nodes are UnschedulableAndUnresolvable") {
    pod.nodeName = "node-b";
    auto verdicts = t.filter(plugin, pod, {&a, &b});
    CHECK(verdicts[0].code == Code::kUnschedulableAndUnresolvable);
    CHECK(plugin.reasons(verdicts[0].reason) ==
          std::vector<std::string>{"node(s) didn't match the requested node name"});
    CHECK(verdicts[1].code == Code::kSuccess);
  }
  SECTION("a node name that does not exist rejects every node") {
    pod.nodeName = "node-c";
    for (const auto& v : t.filter(plugin, pod, {&a, &b})) CHECK(v.code == Code::kUnschedulableAndUnresolvable);
  }
  SECTION("names compare exactly (no case folding or prefix matching)") {
    pod.nodeName = "Node-a";
    CHECK(t.filter(plugin, pod, {&a})[0].code == Code::kUnschedulableAndUnresolvable);
    pod.nodeName = "node-";
    CHECK(t.filter(plugin, pod, {&a})[0].code == Code::kUnschedulableAndUnresolvable);
  }
}

TEST_CASE("NodeName answers only the filter kind and takes no args") {
  NodeName plugin;
  CHECK(plugin.queryInterface("scheduler.filter") == static_cast<FilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.preFilter") == nullptr);
  CHECK(NodeName::checkArgs("null").ok());
  auto status = NodeName::checkArgs("nodeName: x");
  CHECK(status.code() == capstan::Code::kInvalidArgument);
  CHECK(status.message() == "NodeName args: unknown field \"nodeName\"");
}
