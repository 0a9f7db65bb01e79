#include "scheduling_gates.h"

#include <catch2/catch.hpp>

using namespace capstan::sched;

TEST_CASE("SchedulingGates lets ungated pods in") {
  SchedulingGates plugin;
  PodInfo pod;
  auto status = plugin.preEnqueue(pod);
  CHECK(status.ok());
  CHECK(status.message.empty());
}

TEST_CASE("SchedulingGates keeps gated pods waiting with Kubernetes' message") {
  SchedulingGates plugin;
  PodInfo pod;

  SECTION("one gate") {
    pod.schedulingGates = {"example.com/quota"};
    auto status = plugin.preEnqueue(pod);
    CHECK(status.code == Code::kUnschedulableAndUnresolvable);
    CHECK(status.message == "waiting for scheduling gates: [example.com/quota]");
  }
  SECTION("several gates, in spec order, as Go's %v of a []string") {
    pod.schedulingGates = {"b", "a", "c"};
    auto status = plugin.preEnqueue(pod);
    CHECK(status.code == Code::kUnschedulableAndUnresolvable);
    CHECK(status.message == "waiting for scheduling gates: [b a c]");
  }
  SECTION("removing the last gate lets the pod in") {
    pod.schedulingGates = {"a"};
    CHECK_FALSE(plugin.preEnqueue(pod).ok());
    pod.schedulingGates.clear();
    CHECK(plugin.preEnqueue(pod).ok());
  }
}

TEST_CASE("SchedulingGates answers only the preEnqueue kind and takes no args") {
  SchedulingGates plugin;
  CHECK(plugin.queryInterface("scheduler.preEnqueue") == static_cast<PreEnqueuePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.filter") == nullptr);
  CHECK(SchedulingGates::checkArgs("").ok());
  CHECK(SchedulingGates::checkArgs("{}").ok());
  auto status = SchedulingGates::checkArgs("gates: [a]");
  CHECK(status.code() == capstan::Code::kInvalidArgument);
  CHECK(status.message() == "SchedulingGates args: unknown field \"gates\"");
}
