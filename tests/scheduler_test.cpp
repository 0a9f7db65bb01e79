// The scheduler end to end: the daemon on its embedded defaults (API, every default stage
// plugin, the framework), nodes and pods created with real kubectl, outcomes read back the
// way a Kubernetes user reads them (spec.nodeName, conditions, events).

#include <algorithm>
#include <chrono>
#include <filesystem>
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
void addNode(Cluster& c, const std::string& name, const std::string& cpu, const std::string& extra = "",
             const std::string& pods = "110") {
  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, node(name, extra)));
  std::string status = R"({"status":{"capacity":{"cpu":")" + cpu + R"(","memory":"8Gi","pods":")" + pods + R"("},)"
                       R"("allocatable":{"cpu":")" + cpu + R"(","memory":"8Gi","pods":")" + pods + R"("}}})";
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

// "prefix" + number, built by appending (GCC 12's -Wrestrict misfires on literal + string).
std::string numbered(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

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
  for (int i = 0; i < 20; ++i) many += pod(numbered("p", i), "250m") + "---\n";
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
  // Kubernetes' message, preemption's part included (its doubled final dot too).
  const std::string expected =
      "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. preemption: 0/3 "
      "nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..";
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

TEST_CASE("stages swapped and reconfigured while pods stream in: no pod lost, none bound twice, no mixed cycle") {
  // The defaults plus the probe stage, which fails any pod whose cycle sees two versions of it.
  std::string defaults = run({binPath("capstan"), "--print-default-config"}).out;
  REQUIRE(contains(defaults, "scheduler-framework.so"));
  TempDir files;
  const std::string probe = files.path() + "/probe.so";  // "rebuilt" in place below
  std::filesystem::copy_file(pluginPath("scheduler-probe-v1.so"), probe);
  auto config = [&](const std::string& probePath, const std::string& strategy) {
    std::string text = defaults;
    std::string from = "        type: LeastAllocated";
    text.replace(text.find(from), from.size(), "        type: " + strategy);
    return text + "  - name: probe\n    path: " + probePath + "\n";
  };
  Cluster c("32", config(probe, "LeastAllocated"));
  for (int i = 0; i < 4; ++i)
    addNode(c, numbered("n", i), "64", numbered("  labels:\n    probe: v", i % 2 + 1) + "\n", "1000");

  const int kPods = std::getenv("CI") && *std::getenv("CI") ? 300 : 1000;
  std::string manifest;
  for (int i = 0; i < kPods; ++i) manifest += pod(numbered("s", i), "10m") + "---\n";
  std::string path = c.write("pods.yaml", manifest);
  std::vector<std::string> apply = c.kubectlArgv({"apply", "-f", path});
  std::string command;
  for (const auto& a : apply) command += "'" + a + "' ";
  Process creator({"/bin/sh", "-c", command + "> /dev/null && echo APPLIED"}, {"HOME=" + c.dir()});

  // Swap while the pods are being created and scheduled: by capctl, by a rebuilt file at the
  // same path, and by config reloads that also flip NodeResourcesFit's scoring strategy.
  int swaps = 0;
  for (int round = 0; !creator.waitForOutput("APPLIED", 0) && round < 200; ++round) {
    auto swapped = c.daemon().capctl({"plugin", "swap", "probe", pluginPath(round % 2 ? "scheduler-probe-v1.so"
                                                                                      : "scheduler-probe-v2.so")});
    INFO(swapped.err << "\n" << c.daemon().log());
    CHECK(swapped.exitCode == 0);
    std::filesystem::copy_file(pluginPath(round % 2 ? "scheduler-probe-v2.so" : "scheduler-probe-v1.so"),
                               probe + ".new", std::filesystem::copy_options::overwrite_existing);
    std::filesystem::rename(probe + ".new", probe);
    c.daemon().rewriteConfig(config(probe, round % 2 ? "LeastAllocated" : "MostAllocated"));
    auto reloaded = c.daemon().capctl({"reload"});
    INFO(reloaded.err);
    CHECK(reloaded.exitCode == 0);
    swaps += 2;
  }
  REQUIRE(creator.waitForOutput("APPLIED", 300));
  INFO("swaps and reloads during the run: " << swaps);
  CHECK(swaps >= 2);

  // Every pod bound exactly once, and no cycle failed (a mixed cycle fails with an error).
  auto bound = [&](const std::string& s) {
    return static_cast<int>(std::count(s.begin(), s.end(), ' ')) == kPods;
  };
  std::string nodes = waitFor(c, {"get", "pods", "-o", "jsonpath={range .items[?(@.spec.nodeName)]}{.spec.nodeName} {end}"},
                              bound, std::chrono::seconds(300));
  CHECK(std::count(nodes.begin(), nodes.end(), ' ') == kPods);
  auto stats = c.daemon().capctl({"call", "scheduler", "stats"});
  REQUIRE(stats.exitCode == 0);
  INFO(stats.out);
  CHECK(contains(stats.out, "\"scheduled\":" + std::to_string(kPods) + ","));
  CHECK(contains(stats.out, "\"errors\":0,"));
  CHECK(contains(stats.out, "\"unschedulable\":0,"));
  std::string scheduled = waitFor(
      c, {"get", "events", "--field-selector", "reason=Scheduled", "-o", "jsonpath={range .items[*]}{.involvedObject.name} {end}"},
      bound);
  CHECK(std::count(scheduled.begin(), scheduled.end(), ' ') == kPods);
}

TEST_CASE("a higher-priority pod preempts a lower-priority one through the API (DefaultPreemption)") {
  Cluster c("32", kDefaults);
  addNode(c, "only", "2");
  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, pod("low", "1500m", "  priority: 0\n")));
  CHECK(waitFor(c, {"get", "pod", "low", "-o", "jsonpath={.spec.nodeName}"}, nonEmpty) == "only");

  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, pod("high", "1500m", "  priority: 1000\n")));
  // The victim is deleted (after a Preempted event), the preemptor nominated and then bound.
  std::string node = waitFor(c, {"get", "pod", "high", "-o", "jsonpath={.spec.nodeName}"}, nonEmpty);
  INFO(c.daemon().log());
  CHECK(node == "only");
  auto low = c.kubectl({"get", "pod", "low"});
  CHECK(low.exitCode != 0);
  CHECK(contains(low.err, "pods \"low\" not found"));
  std::string preempted = waitFor(c, {"get", "events", "--field-selector", "reason=Preempted", "-o",
                                      "jsonpath={.items[0].involvedObject.name} {.items[0].message}"},
                                  nonEmpty);
  CHECK(contains(preempted, "low Preempted by pod "));
  CHECK(contains(preempted, " on node only"));
  auto nominated = c.kubectl({"get", "pod", "high", "-o", "jsonpath={.status.nominatedNodeName}"});
  CHECK(nominated.out == "only");
}
