// Scheduler benchmark, modelled on Kubernetes' scheduler_perf. Prints one summary line per
// workload on stdout (progress on stderr); it reports, it asserts nothing about the figures.
//
//   build/bin/scheduler_bench [--quick] [--workload NAME]... [--parallelism N] [--nodes N] [--pods N]
//
// Scheduling-only mode: the real framework (plugins/scheduler/framework) with the real stage
// plugins loaded from build/plugins by the kernel's plugin manager, exactly as the daemon's
// embedded defaults list them, fed nodes and pending pods directly (no store, no API; the
// API the binder talks to answers every binding at once). pods/s = pods bound / (last
// binding - first pod queued); p50/p99 = per-pod scheduling-cycle latency (pop -> assumed).
//
// Workloads (nodes 4 cpu / 32Gi / 110 pods, spread over 10 zones; pods request 100m / 500Mi):
//   SchedulingBasic        5,000 nodes, 10,000 pods
//   SchedulingBasic50k     5,000 nodes, 50,000 pods
//   NodeAffinity           5,000 nodes, 10,000 pods requiring zone In [zone-0 .. zone-4]
//   TopologySpreading      5,000 nodes, 10,000 pods, zone maxSkew 1 DoNotSchedule
//   SchedulingBasic15k     15,000 nodes, 10,000 pods
// --quick: 200 nodes and 1,000 pods each (CI smoke test).
//
// The line: scheduler WORKLOAD mode=scheduling-only nodes=N pods=N pods_per_s=N p50_us=N
//   p99_us=N scheduled=N unschedulable=N errors=N

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "capstan/json.h"
#include "framework.h"
#include "plugin/manager.h"
#include "plugin/test_support.h"

using namespace capstan;
using namespace capstan::sched;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Workload {
  std::string name;
  int nodes;
  int pods;
  // Adds the workload's constraints to a pod.
  void (*shape)(PodInfo& pod, int index);
};

void basic(PodInfo&, int) {}
void nodeAffinity(PodInfo& pod, int) {
  pod.requiredNodeAffinity = std::vector<NodeSelectorTerm>{
      {{{"topology.kubernetes.io/zone", SelectorOp::kIn, {"zone-0", "zone-1", "zone-2", "zone-3", "zone-4"}}}, {}}};
}
void spreading(PodInfo& pod, int) {
  TopologySpreadConstraint c;
  c.maxSkew = 1;
  c.topologyKey = "topology.kubernetes.io/zone";
  c.doNotSchedule = true;
  c.labelSelector = LabelSelector{{{"app", SelectorOp::kIn, {"spread"}}}};
  pod.topologySpreadConstraints.push_back(c);
  pod.labels = {{"app", "spread"}};
}

NodeInfo makeNode(int i) {
  NodeInfo n;
  n.name = "node-" + std::to_string(i);
  n.labels = {{"kubernetes.io/hostname", n.name}, {"topology.kubernetes.io/zone", "zone-" + std::to_string(i % 10)}};
  std::sort(n.labels.begin(), n.labels.end());
  n.allocatable.milliCpu = 4000;
  n.allocatable.memory = 32ll << 30;
  n.allocatable.pods = 110;
  return n;
}

PodInfoPtr makePod(const Workload& w, int i) {
  auto p = std::make_shared<PodInfo>();
  p->ns = "bench";
  p->name = "pod-" + std::to_string(i);
  p->uid = "uid-" + std::to_string(i);
  p->schedulerName = "default-scheduler";
  p->requests.milliCpu = 100;
  p->requests.memory = 500ll << 20;
  p->nonZeroMilliCpu = 100;
  p->nonZeroMemory = 500ll << 20;
  p->images = {"registry.k8s.io/pause:3.10"};
  w.shape(*p, i);
  return p;
}

// The stage plugins of the embedded defaults, in their order.
const std::vector<std::pair<std::string, std::string>> kStages = {
    {"PrioritySort", "scheduler-priority-sort.so"},
    {"SchedulingGates", "scheduler-scheduling-gates.so"},
    {"NodeUnschedulable", "scheduler-node-unschedulable.so"},
    {"NodeName", "scheduler-node-name.so"},
    {"TaintToleration", "scheduler-taint-toleration.so"},
    {"NodeAffinity", "scheduler-node-affinity.so"},
    {"NodePorts", "scheduler-node-ports.so"},
    {"NodeResourcesFit", "scheduler-node-resources-fit.so"},
    {"PodTopologySpread", "scheduler-pod-topology-spread.so"},
    {"InterPodAffinity", "scheduler-inter-pod-affinity.so"},
    {"DefaultPreemption", "scheduler-default-preemption.so"},
    {"NodeResourcesBalancedAllocation", "scheduler-node-resources-balanced-allocation.so"},
    {"ImageLocality", "scheduler-image-locality.so"},
    {"DefaultBinder", "scheduler-default-binder.so"},
};

// What the binder and the event writer talk to: every request answered as successful.
Result<std::string> acceptAll(const std::string& requests) {
  // Count the top-level elements of the array without building a tree.
  std::size_t n = 0;
  int depth = 0;
  bool inString = false, escaped = false, any = false;
  for (char ch : requests) {
    if (inString) {
      if (escaped)
        escaped = false;
      else if (ch == '\\')
        escaped = true;
      else if (ch == '"')
        inString = false;
      continue;
    }
    if (ch == '"') inString = true;
    if (ch == '{' || ch == '[') {
      if (depth == 1 && ch == '{') any = true;
      ++depth;
    } else if (ch == '}' || ch == ']') {
      --depth;
    } else if (ch == ',' && depth == 1) {
      ++n;
    }
  }
  if (any) ++n;
  std::string out = "[";
  for (std::size_t i = 0; i < n; ++i) out += i ? ",{\"code\":201}" : "{\"code\":201}";
  return out + "]";
}

struct Figures {
  double podsPerSecond = 0;
  double p50us = 0, p99us = 0;
  Framework::Stats stats;
};

Figures runSchedulingOnly(const Workload& w, int parallelism, const fs::path& pluginDir, const fs::path& cacheDir) {
  plugin::PluginManager* managerPtr = nullptr;
  plugin::PluginManager manager(cacheDir, {pluginDir}, [&](const std::string&) {
    return std::make_unique<plugin::testing::TestHost>(*managerPtr, cacheDir);
  });
  managerPtr = &manager;
  for (const auto& [name, file] : kStages) {
    if (!fs::exists(pluginDir / file)) {
      std::cerr << "scheduler_bench: " << file << " is not built; running without " << name << "\n";
      continue;
    }
    Status s = manager.load({name, file});
    if (!s.ok()) {
      std::cerr << "scheduler_bench: " << s.toString() << "\n";
      std::exit(1);
    }
  }
  SchedulerArgs args = *decodeSchedulerArgs("parallelism: " + std::to_string(parallelism));
  auto logger = spdlog::default_logger();
  Framework fw(args, manager, acceptAll, nullptr, logger);

  std::mutex mutex;
  std::condition_variable done;
  std::vector<std::int64_t> cycles;
  cycles.reserve(w.pods);
  Clock::time_point lastBound;
  fw.setBoundObserver([&](const PodInfo&, const std::string&, std::chrono::nanoseconds cycle) {
    std::lock_guard lock(mutex);
    cycles.push_back(cycle.count());
    lastBound = Clock::now();
    if (static_cast<int>(cycles.size()) == w.pods) done.notify_one();
  });
  if (Status s = fw.start(); !s.ok()) {
    std::cerr << "scheduler_bench: " << s.toString() << "\n";
    std::exit(1);
  }
  for (int i = 0; i < w.nodes; ++i) fw.nodeUpserted(makeNode(i));
  std::vector<PodInfoPtr> pods;
  pods.reserve(w.pods);
  for (int i = 0; i < w.pods; ++i) pods.push_back(makePod(w, i));
  // Let the nodes land in the cache first (as scheduler_perf creates nodes before pods).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  Clock::time_point start = Clock::now();
  for (auto& p : pods) fw.podUpserted(p);
  {
    std::unique_lock lock(mutex);
    // Pods that cannot be placed would stall: give up once nothing was bound for 10 s.
    while (static_cast<int>(cycles.size()) < w.pods) {
      std::size_t before = cycles.size();
      done.wait_for(lock, std::chrono::seconds(10));
      if (cycles.size() == before) break;
    }
  }
  Figures f;
  f.stats = fw.stats();
  fw.stop();
  std::lock_guard lock(mutex);
  if (!cycles.empty()) {
    f.podsPerSecond = cycles.size() / std::chrono::duration<double>(lastBound - start).count();
    std::sort(cycles.begin(), cycles.end());
    f.p50us = cycles[cycles.size() / 2] / 1000.0;
    f.p99us = cycles[std::min(cycles.size() - 1, cycles.size() * 99 / 100)] / 1000.0;
  }
  return f;
}

fs::path exeDir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return fs::current_path();
  buf[n] = 0;
  return fs::path(buf).parent_path();
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  int parallelism = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::string> only;
  int nodesOverride = 0, podsOverride = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--workload" && i + 1 < argc) {
      only.push_back(argv[++i]);
    } else if (a == "--nodes" && i + 1 < argc) {
      nodesOverride = std::atoi(argv[++i]);
    } else if (a == "--pods" && i + 1 < argc) {
      podsOverride = std::atoi(argv[++i]);
    } else if (a == "--parallelism" && i + 1 < argc) {
      parallelism = std::atoi(argv[++i]);
    } else {
      std::cerr << "usage: scheduler_bench [--quick] [--workload NAME]... [--parallelism N] [--nodes N] [--pods N]\n";
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  std::vector<Workload> workloads = {
      {"SchedulingBasic", 5000, 10000, basic},       {"SchedulingBasic50k", 5000, 50000, basic},
      {"NodeAffinity", 5000, 10000, nodeAffinity},   {"TopologySpreading", 5000, 10000, spreading},
      {"SchedulingBasic15k", 15000, 10000, basic},
  };
  fs::path pluginDir = exeDir().parent_path() / "plugins";
  char tmpl[] = "/tmp/capstan-scheduler-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  fs::path cacheDir = tmpl;
  int status = 0;
  for (auto w : workloads) {
    if (!only.empty() && std::find(only.begin(), only.end(), w.name) == only.end()) continue;
    if (quick) {
      w.nodes = 200;
      w.pods = 1000;
    }
    if (nodesOverride > 0) w.nodes = nodesOverride;
    if (podsOverride > 0) w.pods = podsOverride;
    std::cerr << "scheduler_bench: " << w.name << " (" << w.nodes << " nodes, " << w.pods << " pods)...\n";
    Figures f = runSchedulingOnly(w, parallelism, pluginDir, cacheDir);
    std::printf("scheduler %s mode=scheduling-only nodes=%d pods=%d pods_per_s=%.0f p50_us=%.1f p99_us=%.1f "
                "scheduled=%llu unschedulable=%llu errors=%llu\n",
                w.name.c_str(), w.nodes, w.pods, f.podsPerSecond, f.p50us, f.p99us,
                static_cast<unsigned long long>(f.stats.scheduled),
                static_cast<unsigned long long>(f.stats.unschedulable),
                static_cast<unsigned long long>(f.stats.errors));
    std::fflush(stdout);
    if (f.stats.scheduled != static_cast<std::uint64_t>(w.pods) || f.stats.errors != 0) status = 1;
  }
  std::error_code ec;
  fs::remove_all(cacheDir, ec);
  return status;
}
