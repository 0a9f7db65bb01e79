#include "node_ports.h"

#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

namespace {

HostPort port(std::string ip, std::string protocol, std::int32_t number) {
  return {std::move(ip), std::move(protocol), number};
}

NodeInfo nodeUsing(std::string name, std::vector<HostPort> used) {
  NodeInfo n;
  n.name = std::move(name);
  auto pod = std::make_shared<PodInfo>();
  pod->ns = "default";
  pod->name = "existing-on-" + n.name;
  pod->uid = "uid-" + n.name;
  pod->hostPorts = std::move(used);
  addPodToNode(n, pod);
  return n;
}

PodInfo podWanting(std::vector<HostPort> ports) {
  PodInfo pod;
  pod.ns = "default";
  pod.name = "new";
  pod.hostPorts = std::move(ports);
  return pod;
}

}  // namespace

TEST_CASE("NodePorts PreFilter skips pods without host ports") {
  NodePorts plugin;
  StageTestContext t;
  PodInfo none = podWanting({});
  CHECK(t.preFilter(plugin, none).status.code == Code::kSkip);

  SECTION("a port entry with hostPort 0 is no host port") {
    PodInfo zero = podWanting({port("0.0.0.0", "TCP", 0)});
    CHECK(t.preFilter(plugin, zero).status.code == Code::kSkip);
  }
  SECTION("a pod with a host port runs the Filter, without narrowing nodes") {
    PodInfo one = podWanting({port("0.0.0.0", "TCP", 8080)});
    auto r = t.preFilter(plugin, one);
    CHECK(r.status.code == Code::kSuccess);
    CHECK_FALSE(r.nodeNames.has_value());
  }
}

TEST_CASE("NodePorts Filter rejects host port conflicts as Unschedulable") {
  NodePorts plugin;
  StageTestContext t;
  NodeInfo free = nodeUsing("free", {});
  NodeInfo busy = nodeUsing("busy", {port("0.0.0.0", "TCP", 8080)});
  t.setNodes({&free, &busy});

  PodInfo pod = podWanting({port("0.0.0.0", "TCP", 8080)});
  auto v = t.filter(plugin, pod, {&free, &busy});
  CHECK(v[0].code == Code::kSuccess);
  CHECK(v[1].code == Code::kUnschedulable);
  CHECK(plugin.reasons(v[1].reason) ==
        std::vector<std::string>{"node(s) didn't have free ports for the requested pod ports"});

  SECTION("another port number fits") {
    pod = podWanting({port("0.0.0.0", "TCP", 8081)});
    CHECK(t.filter(plugin, pod, {&busy})[0].code == Code::kSuccess);
  }
  SECTION("UDP and TCP on the same port do not conflict") {
    pod = podWanting({port("0.0.0.0", "UDP", 8080)});
    CHECK(t.filter(plugin, pod, {&busy})[0].code == Code::kSuccess);
  }
  SECTION("SCTP is a protocol of its own") {
    NodeInfo sctp = nodeUsing("sctp", {port("0.0.0.0", "SCTP", 8080)});
    pod = podWanting({port("0.0.0.0", "TCP", 8080)});
    CHECK(t.filter(plugin, pod, {&sctp})[0].code == Code::kSuccess);
    pod = podWanting({port("0.0.0.0", "SCTP", 8080)});
    CHECK(t.filter(plugin, pod, {&sctp})[0].code == Code::kUnschedulable);
  }
  SECTION("one conflicting port among several rejects the node") {
    pod = podWanting({port("0.0.0.0", "TCP", 9000), port("0.0.0.0", "TCP", 8080)});
    CHECK(t.filter(plugin, pod, {&free, &busy})[1].code == Code::kUnschedulable);
  }
  SECTION("removing the pod that held the port frees it (what preemption simulates)") {
    NodeInfo copy = busy;
    REQUIRE(removePodFromNode(copy, "uid-busy"));
    CHECK(t.filter(plugin, pod, {&copy})[0].code == Code::kSuccess);
  }
}

TEST_CASE("NodePorts host IPs: 0.0.0.0 collides with every IP, specific IPs only with themselves") {
  NodePorts plugin;
  StageTestContext t;
  NodeInfo wildcard = nodeUsing("wildcard", {port("0.0.0.0", "TCP", 80)});
  NodeInfo specific = nodeUsing("specific", {port("10.0.0.1", "TCP", 80)});
  t.setNodes({&wildcard, &specific});

  SECTION("a specific IP wanted on a node where 0.0.0.0 is taken") {
    PodInfo pod = podWanting({port("10.0.0.2", "TCP", 80)});
    CHECK(t.filter(plugin, pod, {&wildcard})[0].code == Code::kUnschedulable);
  }
  SECTION("0.0.0.0 wanted on a node where a specific IP is taken") {
    PodInfo pod = podWanting({port("0.0.0.0", "TCP", 80)});
    CHECK(t.filter(plugin, pod, {&specific})[0].code == Code::kUnschedulable);
  }
  SECTION("the same specific IP conflicts") {
    PodInfo pod = podWanting({port("10.0.0.1", "TCP", 80)});
    CHECK(t.filter(plugin, pod, {&specific})[0].code == Code::kUnschedulable);
  }
  SECTION("a different specific IP fits") {
    PodInfo pod = podWanting({port("10.0.0.2", "TCP", 80)});
    CHECK(t.filter(plugin, pod, {&specific})[0].code == Code::kSuccess);
  }
  SECTION("a different specific IP with another protocol fits on the wildcard node") {
    PodInfo pod = podWanting({port("10.0.0.2", "UDP", 80)});
    CHECK(t.filter(plugin, pod, {&wildcard})[0].code == Code::kSuccess);
  }
}

TEST_CASE("NodePorts treats an empty IP as 0.0.0.0 and an empty protocol as TCP") {
  std::vector<HostPort> used{port("", "", 53)};
  CHECK(hostPortConflicts(used, port("0.0.0.0", "TCP", 53)));
  CHECK(hostPortConflicts(used, port("192.168.1.5", "TCP", 53)));
  CHECK_FALSE(hostPortConflicts(used, port("", "UDP", 53)));
  CHECK(hostPortConflicts({port("10.0.0.1", "TCP", 53)}, port("", "", 53)));
  // A used entry with port 0 is not a host port (HostPortInfo.Add ignores it).
  CHECK_FALSE(hostPortConflicts({port("", "TCP", 0)}, port("", "TCP", 0)));
}

TEST_CASE("NodePorts answers preFilter and filter and takes no args") {
  NodePorts plugin;
  CHECK(plugin.queryInterface("scheduler.preFilter") == static_cast<PreFilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.filter") == static_cast<FilterPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.score") == nullptr);
  CHECK(NodePorts::checkArgs("{}").ok());
  auto status = NodePorts::checkArgs("ports: [80]");
  CHECK(status.code() == capstan::Code::kInvalidArgument);
  CHECK(status.message() == "NodePorts args: unknown field \"ports\"");
}
