#include "node_unschedulable.h"

#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

TEST_CASE("NodeUnschedulable filters cordoned nodes unless the pod tolerates the cordon taint") {
  NodeUnschedulable plugin;
  StageTestContext t;
  NodeInfo open, cordoned;
  open.name = "open";
  cordoned.name = "cordoned";
  cordoned.unschedulable = true;

  PodInfo pod;
  auto verdicts = t.filter(plugin, pod, {&open, &cordoned});
  CHECK(verdicts[0].code == Code::kSuccess);
  CHECK(verdicts[1].code == Code::kUnschedulableAndUnresolvable);
  CHECK(plugin.reasons(verdicts[1].reason) == std::vector<std::string>{"node(s) were unschedulable"});

  SECTION("toleration with operator Exists and the NoSchedule effect") {
    pod.tolerations.push_back({"node.kubernetes.io/unschedulable", true, "", TaintEffect::kNoSchedule, {}});
    CHECK(t.filter(plugin, pod, {&cordoned})[0].code == Code::kSuccess);
  }
  SECTION("an empty key with Exists tolerates everything") {
    pod.tolerations.push_back({"", true, "", std::nullopt, {}});
    CHECK(t.filter(plugin, pod, {&cordoned})[0].code == Code::kSuccess);
  }
  SECTION("a NoExecute toleration does not tolerate the NoSchedule cordon") {
    pod.tolerations.push_back({"node.kubernetes.io/unschedulable", true, "", TaintEffect::kNoExecute, {}});
    CHECK(t.filter(plugin, pod, {&cordoned})[0].code == Code::kUnschedulableAndUnresolvable);
  }
}
