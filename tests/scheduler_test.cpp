// The scheduler end to end: the daemon on its embedded defaults (API, every default stage
// plugin, the framework), nodes and pods created with real kubectl, outcomes read back the
// way a Kubernetes user reads them (spec.nodeName, conditions, events).

#include <algorithm>
#include <chrono>
#include <functional>
#include <thread>

#include <catch2/catch.hpp>

#include "support/cluster.h"

using namespace capstan::testing;

namespace {

// The embedded defaults (config/capstan.yaml): what `tools/dev run` starts.
constexpr const char* kDefaults = "";

std::string node(const std::string& name, const std::string& extra) {
  return "apiVersion: v1\nkind: Node\nmetadata:\n  name: " + name + "\n" + extra;
}

// Nodes report capacity through the status subresource (what a node agent does).
void addNode(Cluster& c, const std::string& name, const std::string& cpu, const std::string& extra = "") {
  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, node(name, extra)));
  std::string status = R"({"status":{"capacity":{"cpu":")" + cpu + R"(","memory":"8Gi","pods":"110"},)"
                       R"("allocatable":{"cpu":")" + cpu + R"(","memory":"8Gi","pods":"110"}}})";
  REQUIRE_OK(c.kubectl({"patch", "node", name, "--subresource=status", "--type=merge", "-p", status}));
}

std::string pod(const std::string& name, const std::string& cpu, const std::string& extra = "") {
  return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name +
         "\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    resources:\n      requests:\n        cpu: " +
         cpu + "\n" + extra;
}

// Polls `kubectl get` with a jsonpath until it prints something for which `done` holds.
std::string waitFor(Cluster& c, std::vector<std::string> args, const std::function<bool(const std::string&)>& done,
                    std::chrono::seconds timeout = std::chrono::seconds(60)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = c.kubectl(args);
    last = r.out;
    if (r.exitCode == 0 && done(last)) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return last;
}

bool nonEmpty(const std::string& s) { return !s.empty(); }

}  // namespace

TEST_CASE("pods are bound to nodes that fit, with Kubernetes' Scheduled event and condition") {
  Cluster c("32", kDefaults);
  addNode(c, "small", "1");
  addNode(c, "big", "8");
  // Cordoned: NodeUnschedulable keeps pods off it.
  addNode(c, "cordoned", "16", "spec:\n  unschedulable: true\n");

  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, pod("web", "2")));
  std::string nodeName =
      waitFor(c, {"get", "pod", "web", "-o", "jsonpath={.spec.nodeName}"}, nonEmpty);
  INFO(c.daemon().log());
  CHECK(nodeName == "big");  // small has too little cpu, cordoned is unschedulable

  std::string condition = waitFor(
      c, {"get", "pod", "web", "-o", "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].status}"}, nonEmpty);
  CHECK(condition == "True");

  std::string events = waitFor(
      c, {"get", "events", "--field-selector", "involvedObject.name=web", "-o", "jsonpath={.items[*].message}"},
      [](const std::string& s) { return contains(s, "Successfully assigned"); });
  CHECK(events == "Successfully assigned default/web to big");
  auto describe = c.kubectl({"get", "events", "--field-selector", "involvedObject.name=web"});
  CHECK(contains(describe.out, "Scheduled"));
  CHECK(contains(describe.out, "pod/web"));

  // Many pods: all bound, none to the cordoned node, none beyond the nodes' cpu.
  std::string many;
  for (int i = 0; i < 20; ++i) many += pod("p" + std::to_string(i), "250m") + "---\n";
  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, many));
  std::string bound = waitFor(
      c, {"get", "pods", "-o", "jsonpath={range .items[*]}{.spec.nodeName}{\"\\n\"}{end}"},
      [](const std::string& s) {
        return std::count(s.begin(), s.end(), '\n') == 21 && s.find("\n\n") == std::string::npos && s[0] != '\n';
      });
  CHECK(std::count(bound.begin(), bound.end(), '\n') == 21);
  CHECK(!contains(bound, "cordoned"));
  // small (1 cpu) holds at most 4 pods of 250m.
  std::size_t onSmall = 0;
  for (std::size_t at = bound.find("small"); at != std::string::npos; at = bound.find("small", at + 1)) ++onSmall;
  CHECK(onSmall <= 4);
}

TEST_CASE("an unschedulable pod gets Kubernetes' PodScheduled=False message and event, then fits once a node comes") {
  Cluster c("32", kDefaults);
  addNode(c, "gpu", "16", "spec:\n  taints:\n  - key: dedicated\n    value: gpu\n    effect: NoSchedule\n");
  addNode(c, "a", "1");
  addNode(c, "b", "1");

  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, pod("big", "2")));
  const std::string expected = "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.";
  std::string message = waitFor(
      c, {"get", "pod", "big", "-o", "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].message}"},
      [&](const std::string& s) { return s == expected; });
  INFO(c.daemon().log());
  CHECK(message == expected);
  auto reason = c.kubectl(
      {"get", "pod", "big", "-o", "jsonpath={.status.conditions[?(@.type==\"PodScheduled\")].reason}"});
  CHECK(reason.out == "Unschedulable");
  std::string events = waitFor(c, {"get", "events", "--field-selector", "reason=FailedScheduling", "-o",
                                   "jsonpath={.items[0].message}"},
                               nonEmpty);
  CHECK(events == expected);

  // A node with room is a cluster event: the pod is retried and bound there.
  addNode(c, "roomy", "4");
  std::string nodeName = waitFor(c, {"get", "pod", "big", "-o", "jsonpath={.spec.nodeName}"}, nonEmpty);
  CHECK(nodeName == "roomy");

  // Gated pods wait without attempts, as Kubernetes' SchedulingGates plugin does.
  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, pod("gated", "100m", "  schedulingGates:\n  - name: example.com/wait\n")));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto gatedNode = c.kubectl({"get", "pod", "gated", "-o", "jsonpath={.spec.nodeName}"});
  CHECK(gatedNode.out.empty());
  REQUIRE_OK(c.kubectl({"patch", "pod", "gated", "--type=json", "-p", R"([{"op":"remove","path":"/spec/schedulingGates"}])"}));
  CHECK(nonEmpty(waitFor(c, {"get", "pod", "gated", "-o", "jsonpath={.spec.nodeName}"}, nonEmpty)));
}
