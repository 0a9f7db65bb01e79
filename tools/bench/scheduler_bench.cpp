// Scheduler benchmark, modelled on Kubernetes' scheduler_perf. Prints one summary line per
// workload on stdout (progress on stderr); it reports, it asserts nothing about the figures.
//
//   build/bin/scheduler_bench [--quick] [--e2e] [--no-swap] [--workload NAME]... [--parallelism N] [--nodes N] [--pods N]
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
//   HotSwap                5,000 nodes, 100,000 pods, while every 20 ms the probe stage
//                          (plugins/test/scheduler-probe) is swapped v1 <-> v2 or
//                          NodeResourcesFit flips LeastAllocated <-> MostAllocated; a second
//                          line: swaps=N reconfigures=N swap_stall_ms=N reconfigure_stall_ms=N
//                          max_gap_ms=N (the longest pause between two pods being assumed that
//                          overlaps an operation, and over the whole run); --no-swap: the
//                          same windows with nothing done in them (the machine's baseline)
// --quick: 200 nodes and 1,000 pods each; HotSwap 1,000 nodes, 20,000 pods (CI smoke test).
//
// The line: scheduler WORKLOAD mode=scheduling-only nodes=N pods=N pods_per_s=N p50_us=N
//   p99_us=N scheduled=N unschedulable=N errors=N
//
// --e2e: end to end instead, for the SchedulingBasic workloads: a real daemon (its embedded
// defaults), nodes and pending pods created through the HTTP API (32 clients), then the
// scheduler plugin loaded into the running daemon; pods/s from the first binding to the last
// (each binding durable in the store), as scheduler_perf's SchedulingThroughput.
//   scheduler WORKLOAD mode=end-to-end nodes=N pods=N pods_per_s=N create_per_s=N scheduled=N errors=N

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

#include "bench_support.h"
#include "capstan/json.h"
#include "framework.h"
#include "plugin/manager.h"
#include "plugin/test_support.h"

using namespace capstan;
using namespace capstan::sched;
using capstan::bench::Clock;
using capstan::bench::HttpConn;
namespace fs = std::filesystem;

namespace {

struct Workload {
  std::string name;
  int nodes;
  int pods;
  // Adds the workload's constraints to a pod.
  void (*shape)(PodInfo& pod, int index);
  // Swap the probe stage and reconfigure NodeResourcesFit while the pods are scheduled.
  bool hotSwap = false;
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

// --no-swap: HotSwap's windows without the operations (the baseline its stalls compare to).
bool gNoSwap = false;

struct Figures {
  double podsPerSecond = 0;
  double p50us = 0, p99us = 0;
  Framework::Stats stats;
  // HotSwap: operations done, and the longest pause in scheduling (between two pods being
  // assumed) overlapping a swap / a reconfigure, and over the whole run for comparison.
  int swaps = 0, reconfigures = 0;
  double swapStallMs = 0, reconfigureStallMs = 0, maxGapMs = 0;
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
  const fs::path probe[2] = {pluginDir / "scheduler-probe-v1.so", pluginDir / "scheduler-probe-v2.so"};
  if (w.hotSwap) {
    Status s = manager.load({"probe", probe[0].string()});
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
  std::vector<Clock::time_point> assumed;
  cycles.reserve(w.pods);
  assumed.reserve(w.pods);
  Clock::time_point lastBound;
  fw.setBoundObserver([&](const PodInfo&, const std::string&, std::chrono::nanoseconds cycle,
                          std::chrono::steady_clock::time_point assumedAt) {
    std::lock_guard lock(mutex);
    cycles.push_back(cycle.count());
    assumed.push_back(assumedAt);
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
  // HotSwap: every 20 ms, alternately swap the probe stage v1 <-> v2 and flip NodeResourcesFit's
  // scoring strategy (a reconfigure: a fresh instance with the new args), while pods flow.
  struct Op {
    Clock::time_point begin, end;
    bool swap;
  };
  std::vector<Op> ops;
  std::atomic<bool> finished{false};
  std::thread swapper;
  if (w.hotSwap) {
    swapper = std::thread([&] {
      for (int i = 0; !finished; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (finished) break;
        Op op{Clock::now(), {}, i % 2 == 0};
        if (gNoSwap) {  // baseline: the same windows, nothing done in them
          op.end = Clock::now();
          ops.push_back(op);
          continue;
        }
        Status s = op.swap ? manager.swap("probe", probe[(i / 2 + 1) % 2].string())
                           : manager.reconfigure("NodeResourcesFit", i % 4 == 1 ? "scoringStrategy: {type: MostAllocated}"
                                                                                : "scoringStrategy: {type: LeastAllocated}");
        op.end = Clock::now();
        if (!s.ok()) std::cerr << "scheduler_bench: " << s.toString() << "\n";
        ops.push_back(op);
      }
    });
  }
  {
    std::unique_lock lock(mutex);
    // Pods that cannot be placed would stall: give up once nothing was bound for 10 s.
    while (static_cast<int>(cycles.size()) < w.pods) {
      std::size_t before = cycles.size();
      done.wait_for(lock, std::chrono::seconds(10));
      if (cycles.size() == before) break;
    }
  }
  finished = true;
  if (swapper.joinable()) swapper.join();
  Figures f;
  f.stats = fw.stats();
  fw.stop();
  std::lock_guard lock(mutex);
  if (w.hotSwap && assumed.size() > 1) {
    std::vector<Clock::time_point> t = assumed;
    std::sort(t.begin(), t.end());
    auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    for (std::size_t i = 1; i < t.size(); ++i) f.maxGapMs = std::max(f.maxGapMs, ms(t[i] - t[i - 1]));
    for (const Op& op : ops) {
      if (op.end > t.back()) continue;  // after the last pod: nothing to stall
      (op.swap ? f.swaps : f.reconfigures)++;
      // The gap between the pods assumed around the operation's window.
      auto after = std::lower_bound(t.begin(), t.end(), op.end);
      auto before = std::upper_bound(t.begin(), t.end(), op.begin);
      if (before != t.begin()) --before;
      double gap = 0;
      for (auto it = before; it != after && std::next(it) != t.end(); ++it) gap = std::max(gap, ms(*std::next(it) - *it));
      (op.swap ? f.swapStallMs : f.reconfigureStallMs) = std::max(op.swap ? f.swapStallMs : f.reconfigureStallMs, gap);
    }
  }
  if (!cycles.empty()) {
    f.podsPerSecond = cycles.size() / std::chrono::duration<double>(lastBound - start).count();
    std::sort(cycles.begin(), cycles.end());
    f.p50us = cycles[cycles.size() / 2] / 1000.0;
    f.p99us = cycles[std::min(cycles.size() - 1, cycles.size() * 99 / 100)] / 1000.0;
  }
  return f;
}

// End to end: the daemon on its embedded defaults minus the scheduler; nodes and pending pods
// created over HTTP; then the scheduler is loaded (capctl plugin load) and schedules them all,
// each binding a durable write through the API. Figures from `capctl call scheduler stats`,
// polled every 10 ms: pods/s from the first binding to the last.
struct E2eFigures {
  double podsPerSecond = 0;
  double createPerSecond = 0;
  std::uint64_t scheduled = 0, errors = 0;
};

std::string capture(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  ::pclose(p);
  return out;
}

std::uint64_t statOf(const std::string& stats, const std::string& key) {
  std::string needle = "\"" + key + "\":";
  auto at = stats.find(needle);
  return at == std::string::npos ? 0 : std::strtoull(stats.c_str() + at + needle.size(), nullptr, 10);
}

E2eFigures runEndToEnd(const Workload& w, const fs::path& binDir) {
  using namespace capstan::bench;
  std::string capstan = (binDir / "capstan").string(), capctl = (binDir / "capctl").string();
  std::string defaults = capture("'" + capstan + "' --print-default-config");
  // Everything but the scheduler, which is loaded once the pods wait.
  std::string config = defaults.substr(0, defaults.find("  - name: scheduler\n"));
  Daemon d = startDaemon(capstan, config);
  const std::string dataDir = gTempDir + "/data";

  auto parallel = [&](int total, int threads, const std::function<void(HttpConn&, int)>& one) {
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        HttpConn c(d.host, d.port);
        for (int i = next++; i < total; i = next++) {
          try {
            one(c, i);
          } catch (const std::exception& e) {
            recordError(e.what());
          }
        }
      });
    for (auto& t : pool) t.join();
  };
  std::cerr << "scheduler_bench: creating " << w.nodes << " nodes...\n";
  parallel(w.nodes, 8, [&](HttpConn& c, int i) {
    std::string name = "node-" + std::to_string(i);
    std::string zone = "zone-" + std::to_string(i % 10);
    auto r = c.request("POST", "/api/v1/nodes",
                       R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name +
                           R"(","labels":{"kubernetes.io/hostname":")" + name +
                           R"(","topology.kubernetes.io/zone":")" + zone + R"("}}})");
    if (r.code != 201) recordError("create node: " + std::to_string(r.code) + " " + shorten(r.body));
    r = c.request("PATCH", "/api/v1/nodes/" + name + "/status",
                  R"({"status":{"capacity":{"cpu":"4","memory":"32Gi","pods":"110"},)"
                  R"("allocatable":{"cpu":"4","memory":"32Gi","pods":"110"}}})",
                  "application/json", "application/merge-patch+json");
    if (r.code != 200) recordError("node status: " + std::to_string(r.code) + " " + shorten(r.body));
  });
  std::cerr << "scheduler_bench: creating " << w.pods << " pending pods...\n";
  auto t0 = Clock::now();
  parallel(w.pods, 32, [&](HttpConn& c, int i) {
    auto r = c.request("POST", "/api/v1/namespaces/default/pods",
                       R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod-)" + std::to_string(i) +
                           R"("},"spec":{"containers":[{"name":"app","image":"registry.k8s.io/pause:3.10",)"
                           R"("resources":{"requests":{"cpu":"100m","memory":"500Mi"}}}]}})");
    if (r.code != 201) recordError("create pod: " + std::to_string(r.code) + " " + shorten(r.body));
  });
  E2eFigures f;
  f.createPerSecond = w.pods / seconds(t0);

  std::cerr << "scheduler_bench: loading the scheduler...\n";
  std::string load =
      capture("'" + capctl + "' --data-dir '" + dataDir + "' plugin load scheduler scheduler-framework.so 2>&1");
  if (load.find("done") == std::string::npos) fatal("loading the scheduler failed: " + load);
  Clock::time_point first{}, last{};
  std::uint64_t previous = 0;
  auto idleSince = Clock::now();
  while (true) {
    std::string stats = capture("'" + capctl + "' --data-dir '" + dataDir + "' call scheduler stats 2>/dev/null");
    std::uint64_t scheduled = statOf(stats, "scheduled");
    auto now = Clock::now();
    if (scheduled > 0 && first == Clock::time_point{}) first = now;
    if (scheduled != previous) {
      last = now;
      idleSince = now;
      previous = scheduled;
    }
    f.scheduled = scheduled;
    f.errors = statOf(stats, "errors");
    if (scheduled >= static_cast<std::uint64_t>(w.pods)) break;
    if (seconds(idleSince) > 30) {
      recordError("no binding for 30 s: " + stats);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (f.scheduled > 1 && last > first)
    f.podsPerSecond = static_cast<double>(f.scheduled - 1) / std::chrono::duration<double>(last - first).count();
  cleanup();
  return f;
}

fs::path exeDir() { return capstan::bench::exeDir(); }

}  // namespace

int main(int argc, char** argv) {
  capstan::bench::gTool = "scheduler_bench";
  bool quick = false, e2e = false;
  int parallelism = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::string> only;
  int nodesOverride = 0, podsOverride = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      quick = true;
    } else if (a == "--e2e") {
      e2e = true;
    } else if (a == "--no-swap") {
      gNoSwap = true;
    } else if (a == "--workload" && i + 1 < argc) {
      only.push_back(argv[++i]);
    } else if (a == "--nodes" && i + 1 < argc) {
      nodesOverride = std::atoi(argv[++i]);
    } else if (a == "--pods" && i + 1 < argc) {
      podsOverride = std::atoi(argv[++i]);
    } else if (a == "--parallelism" && i + 1 < argc) {
      parallelism = std::atoi(argv[++i]);
    } else {
      std::cerr << "usage: scheduler_bench [--quick] [--e2e] [--no-swap] [--workload NAME]... [--parallelism N] [--nodes N] [--pods N]\n";
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  std::vector<Workload> workloads = {
      {"SchedulingBasic", 5000, 10000, basic},       {"SchedulingBasic50k", 5000, 50000, basic},
      {"NodeAffinity", 5000, 10000, nodeAffinity},   {"TopologySpreading", 5000, 10000, spreading},
      {"SchedulingBasic15k", 15000, 10000, basic},
      {"HotSwap", 5000, 100000, basic, true},
  };
  fs::path pluginDir = exeDir().parent_path() / "plugins";
  if (e2e) capstan::bench::startSignalThread();
  char tmpl[] = "/tmp/capstan-scheduler-bench-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  fs::path cacheDir = tmpl;
  int status = 0;
  for (auto w : workloads) {
    if (!only.empty() && std::find(only.begin(), only.end(), w.name) == only.end()) continue;
    if (quick) {
      w.nodes = w.hotSwap ? 1000 : 200;
      w.pods = w.hotSwap ? 20000 : 1000;  // enough pods for a few dozen swaps
    }
    if (nodesOverride > 0) w.nodes = nodesOverride;
    if (podsOverride > 0) w.pods = podsOverride;
    std::cerr << "scheduler_bench: " << w.name << " (" << w.nodes << " nodes, " << w.pods << " pods)...\n";
    if (e2e) {
      if (w.shape != basic || w.hotSwap) continue;  // end to end: the SchedulingBasic workloads
      char dir[] = "/tmp/capstan-scheduler-e2e-XXXXXX";
      if (!::mkdtemp(dir)) return 1;
      capstan::bench::gTempDir = dir;
      E2eFigures f = runEndToEnd(w, exeDir());
      std::printf("scheduler %s mode=end-to-end nodes=%d pods=%d pods_per_s=%.0f create_per_s=%.0f scheduled=%llu "
                  "errors=%llu\n",
                  w.name.c_str(), w.nodes, w.pods, f.podsPerSecond, f.createPerSecond,
                  static_cast<unsigned long long>(f.scheduled), static_cast<unsigned long long>(f.errors));
      std::fflush(stdout);
      if (f.scheduled != static_cast<std::uint64_t>(w.pods) || f.errors != 0 || capstan::bench::gErrors > 0)
        status = 1;
      continue;
    }
    Figures f = runSchedulingOnly(w, parallelism, pluginDir, cacheDir);
    std::printf("scheduler %s mode=scheduling-only nodes=%d pods=%d pods_per_s=%.0f p50_us=%.1f p99_us=%.1f "
                "scheduled=%llu unschedulable=%llu errors=%llu\n",
                w.name.c_str(), w.nodes, w.pods, f.podsPerSecond, f.p50us, f.p99us,
                static_cast<unsigned long long>(f.stats.scheduled),
                static_cast<unsigned long long>(f.stats.unschedulable),
                static_cast<unsigned long long>(f.stats.errors));
    if (w.hotSwap)
      std::printf("scheduler %s swaps=%d reconfigures=%d swap_stall_ms=%.2f reconfigure_stall_ms=%.2f max_gap_ms=%.2f\n",
                  w.name.c_str(), f.swaps, f.reconfigures, f.swapStallMs, f.reconfigureStallMs, f.maxGapMs);
    std::fflush(stdout);
    if (f.stats.scheduled != static_cast<std::uint64_t>(w.pods) || f.stats.errors != 0) status = 1;
  }
  std::error_code ec;
  fs::remove_all(cacheDir, ec);
  return status;
}
