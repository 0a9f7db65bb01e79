// Kubernetes API benchmark: creates, lists (JSON and Table) and watch fan-out over HTTP/1.1
// against a real daemon running the kube-api plugin. Prints one summary line of figures on
// stdout (progress on stderr); it reports, it asserts nothing about the figures.
//
//   build/bin/api_bench [--quick] [--keep] [--capstan PATH]
//
// Full sizes are the issue's targets:
//   create32    50,000 ~1 KiB Pods POSTed by 32 threads, one keep-alive connection each
//               (objects/s counting 201s; writes are durable: the store fsyncs).
//   list10k_*   10,000 Pods in namespace "bench", listed 30 times as JSON and 30 times as
//               Table (after one untimed warm-up each); p99 of request sent -> body read.
//   watchN_*    N HTTP watchers (1, then 100) on namespace "watch" from a list's
//               resourceVersion; a paced writer makes 10,000 events at 1,000/s (creates of
//               1,000 pods, then updates of them), each pod carrying its send time
//               (CLOCK_REALTIME ns) in the annotation bench/sent-ns. Latency = watcher's
//               receive time - send time, so it includes the durable write. cpu_per_event =
//               daemon utime+stime (/proc/PID/stat) over the run / events.
// --quick: 2,000 creates, 1,000 pods listed 5 times, 10 watchers and 500 events at 500/s.
//
// The line: api create32=N/s list10k_json_p99=Nms list10k_table_p99=Nms watch1_p99=Nms
//   watch100_p99=Nms watch100_events=DELIVERED/EXPECTED watch1_cpu_per_event=Nus
//   watch100_cpu_per_event=Nus watch_cpu_per_delivery=Nus watch100_rate=N/s errors=N
// watch_cpu_per_delivery = (cpu_per_event with 100 watchers - with 1) / 99: the daemon's cost
// of one more watcher receiving one event. Encoding each event once for all watchers keeps it
// at a copy and a write; encoding per watcher makes it about one object's JSON encoding.
// watch100_rate is the write rate achieved (the pace is 1,000/s; a loaded machine lags).
//
// Exit status: 0 when every request answered 2xx, 1 otherwise (the line is still printed),
// 2 for a usage error. The daemon is always stopped; its data dir (a mkdtemp under /tmp) is
// removed unless --keep.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

#include "bench_support.h"

using namespace capstan::bench;

namespace {

// ---------------------------------------------------------------------------------------
// Sizes

struct Sizes {
  int creates = 50000;
  int createClients = 32;
  int listPods = 10000;
  int lists = 30;
  int watchers = 100;
  int watchEvents = 10000;
  int watchRate = 1000;      // events/s
  int watchPool = 1000;      // pods created; later events update them
  int watchWriters = 16;     // threads sharing the paced schedule (writes wait for fsync)
};

Sizes quickSizes() {
  Sizes s;
  s.creates = 2000;
  s.listPods = 1000;
  s.lists = 5;
  s.watchers = 10;
  s.watchEvents = 500;
  s.watchRate = 500;
  s.watchPool = 250;
  return s;
}

// ---------------------------------------------------------------------------------------
// Pods

// A realistic ~1 KiB Pod: labels, one container with image, ports, env and resources.
std::string podJson(const std::string& name, int64_t sentNs = 0, int generation = 0) {
  std::string s;
  s.reserve(1200);
  s += R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")";
  s += name;
  s += R"(","labels":{"app":"bench-api","tier":"backend","release":"stable","team":"capstan","shard":")";
  s += std::to_string(std::hash<std::string>{}(name) % 16);
  s += R"("})";
  if (sentNs) {
    s += R"(,"annotations":{"bench/sent-ns":")";
    s += std::to_string(sentNs);
    s += R"(","bench/generation":")";
    s += std::to_string(generation);
    s += R"("})";
  }
  s += R"(},"spec":{"containers":[{"name":"app","image":"registry.example.com/capstan/bench-app:1.27.3",)"
       R"("args":["--listen=:8080","--metrics=:9090","--log-format=json"],)"
       R"("ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},)"
       R"({"name":"metrics","containerPort":9090,"protocol":"TCP"}],)"
       R"("env":[{"name":"LOG_LEVEL","value":"info"},{"name":"CACHE_SIZE","value":"256Mi"},)"
       R"({"name":"UPSTREAM_URL","value":"http://backend.default.svc.cluster.local:8080/api"},)"
       R"({"name":"FEATURE_FLAGS","value":"alpha=false,beta=true,gamma=true"},)"
       R"({"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],)"
       R"("resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"512Mi"}},)"
       R"("readinessProbe":{"httpGet":{"path":"/healthz","port":8080},"periodSeconds":10},)"
       R"("imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,)"
       R"("nodeSelector":{"kubernetes.io/os":"linux"}}})";
  return s;
}

bool createNamespace(HttpConn& c, const std::string& ns) {
  try {
    auto r = c.request("POST", "/api/v1/namespaces", R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns +
                                                          R"("}})");
    if (r.code == 201 || r.code == 409) return true;
    recordError("POST /api/v1/namespaces (" + ns + ") -> " + std::to_string(r.code) + " " + shorten(r.body));
  } catch (const std::exception& e) {
    recordError("POST /api/v1/namespaces (" + ns + "): " + e.what());
  }
  return false;
}

// `total` creates of pods PREFIX-i in ns by `clients` threads with a connection each.
// Returns 201s per second.
double createPods(const Daemon& d, const std::string& ns, const std::string& prefix, int total, int clients,
                  int* createdOut = nullptr) {
  std::atomic<int> next{0}, created{0}, reconnects{0};
  std::string path = "/api/v1/namespaces/" + ns + "/pods";
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&] {
      HttpConn c(d.host, d.port);
      while (true) {
        int i = next++;
        if (i >= total) break;
        std::string name = prefix + std::to_string(i);
        try {
          auto r = c.request("POST", path, podJson(name));
          if (r.code == 201) {
            ++created;
          } else {
            recordError("POST " + path + " (" + name + ") -> " + std::to_string(r.code) + " " + shorten(r.body));
          }
        } catch (const std::exception& e) {
          recordError("POST " + path + " (" + name + "): " + e.what());
          c.close();
        }
      }
      reconnects += c.reconnects;
    });
  }
  for (auto& t : threads) t.join();
  double secs = seconds(t0);
  if (reconnects) std::cerr << "api_bench: note: " << reconnects << " kept-alive connections were closed by the server\n";
  if (createdOut) *createdOut = created;
  return created / secs;
}

std::size_t countOccurrences(const std::string& hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

std::string listResourceVersion(const std::string& body) {
  // The list's metadata comes before its items: the first resourceVersion is the list's.
  static const std::string key = "\"resourceVersion\":\"";
  auto at = body.find(key);
  if (at == std::string::npos) return "";
  auto end = body.find('"', at + key.size());
  return body.substr(at + key.size(), end - at - key.size());
}

// ---------------------------------------------------------------------------------------
// Phase 2: lists

struct ListResult {
  double jsonP99Ms = NAN, tableP99Ms = NAN, jsonBytes = 0, tableBytes = 0;
};

ListResult runLists(const Daemon& d, const Sizes& sz) {
  ListResult out;
  const std::string path = "/api/v1/namespaces/bench/pods";
  const std::string tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  HttpConn c(d.host, d.port);
  auto one = [&](const std::string& accept, bool table, double& bytes) -> double {
    auto t0 = Clock::now();
    HttpResponse r;
    try {
      r = c.request("GET", path, "", accept);
    } catch (const std::exception& e) {
      recordError("GET " + path + " (Accept: " + accept + "): " + e.what());
      c.close();
      return NAN;
    }
    double ms = seconds(t0) * 1000;
    if (r.code != 200) {
      recordError("GET " + path + " (Accept: " + accept + ") -> " + std::to_string(r.code) + " " + shorten(r.body));
      return NAN;
    }
    bytes = static_cast<double>(r.body.size());
    // Sanity: every pod is there (objects have one uid each; Table rows one "cells").
    std::size_t n = countOccurrences(r.body, table ? "\"cells\":" : "\"uid\":");
    if (n != static_cast<std::size_t>(sz.listPods)) {
      recordError("GET " + path + " (Accept: " + accept + ") returned " + std::to_string(n) + " items, expected " +
                  std::to_string(sz.listPods) + "; body starts: " + shorten(r.body, 300));
    }
    if (table && r.body.find("\"kind\":\"Table\"") == std::string::npos)
      recordError("GET " + path + " (Accept: " + accept + ") is not a Table: " + shorten(r.body, 300));
    return ms;
  };
  for (int pass = 0; pass < 2; ++pass) {
    bool table = pass == 1;
    const std::string accept = table ? tableAccept : "application/json";
    double bytes = 0;
    one(accept, table, bytes);  // warm-up, untimed
    std::vector<double> ms;
    for (int i = 0; i < sz.lists; ++i) {
      double m = one(accept, table, bytes);
      if (!std::isnan(m)) ms.push_back(m);
    }
    double p99 = percentile(ms, 0.99), p50 = percentile(ms, 0.5);
    std::cerr << "api_bench: list " << (table ? "Table" : "JSON") << ": " << ms.size() << " lists of "
              << fmt(bytes / 1e6) << " MB, p50 " << fmt(p50) << " ms, p99 " << fmt(p99) << " ms\n";
    (table ? out.tableP99Ms : out.jsonP99Ms) = p99;
    (table ? out.tableBytes : out.jsonBytes) = bytes;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Phase 3: watch fan-out

struct WatchResult {
  double p50Ms = NAN, p99Ms = NAN, maxMs = NAN;
  long long delivered = 0, expected = 0;
  double cpuPerEventUs = NAN;
  double writeRate = NAN;  // events/s achieved by the paced writer
};

struct Watcher {
  std::thread thread;
  std::atomic<bool> ready{false};   // response headers read (or failed)
  std::atomic<bool> failed{false};  // `error` is set (then written no more)
  std::atomic<long long> seen{0};
  std::vector<double> latMs;
  std::string error;
  std::string badLine;
};

// Latency of one event line, or NAN when the line has no bench/sent-ns annotation.
double lineLatencyMs(const char* p, std::size_t n, int64_t nowNs) {
  static const std::string_view key = "\"bench/sent-ns\"";
  const char* end = p + n;
  const char* at = static_cast<const char*>(::memmem(p, n, key.data(), key.size()));
  if (!at) return NAN;
  at += key.size();
  while (at < end && (*at == ' ' || *at == ':' || *at == '"')) ++at;
  int64_t sent = 0;
  bool any = false;
  while (at < end && *at >= '0' && *at <= '9') {
    sent = sent * 10 + (*at - '0');
    ++at;
    any = true;
  }
  if (!any) return NAN;
  return static_cast<double>(nowNs - sent) / 1e6;
}

void watchLoop(const Daemon& d, const std::string& path, Watcher& w, const std::atomic<bool>& stop) {
  HttpConn c(d.host, d.port);
  try {
    c.connect();
    c.sendRequest("GET", path, "", "application/json", "application/json");
    HttpResponse head = c.readHead(false);
    if (head.code != 200) {
      c.readBody(head);
      w.error = "GET " + path + " -> " + std::to_string(head.code) + " " + shorten(head.body);
      w.failed = true;
      w.ready = true;
      return;
    }
    bool chunked = head.header("transfer-encoding").find("chunked") != std::string::npos;
    w.ready = true;
    std::string pending;  // bytes of an incomplete line
    std::string chunk;
    while (true) {
      chunk.clear();
      if (chunked) {
        std::size_t n = c.readChunkSize(&stop);
        if (n == 0) {
          if (!stop) w.error = "GET " + path + ": the server ended the watch stream";
          return;
        }
        c.readExact(n, chunk, &stop);
        std::string crlf;
        if (!c.readLine(crlf, &stop) || !crlf.empty()) throw std::runtime_error("bad chunk terminator");
      } else {
        std::string line;
        if (!c.readLine(line, &stop)) {
          if (!stop) w.error = "GET " + path + ": the server closed the watch stream";
          return;
        }
        chunk = line + "\n";
      }
      int64_t now = realtimeNs();
      pending += chunk;
      std::size_t start = 0;
      while (true) {
        auto nl = pending.find('\n', start);
        if (nl == std::string::npos) break;
        const char* lp = pending.data() + start;
        std::size_t len = nl - start;
        if (len > 0) {
          double ms = lineLatencyMs(lp, len, now);
          if (!std::isnan(ms)) {
            w.latMs.push_back(ms);
            ++w.seen;
          } else if (w.badLine.empty()) {
            w.badLine = shorten(std::string(lp, len), 400);
          }
        }
        start = nl + 1;
      }
      pending.erase(0, start);
    }
  } catch (const HttpConn::Stopped&) {
  } catch (const std::exception& e) {
    if (!stop) {
      w.error = "GET " + path + ": " + e.what();
      w.failed = true;
    }
    w.ready = true;
  }
}

WatchResult runWatch(const Daemon& d, const Sizes& sz, int watchers, const std::string& prefix) {
  WatchResult out;
  const std::string collection = "/api/v1/namespaces/watch/pods";
  HttpConn c(d.host, d.port);
  std::string rv;
  try {
    auto r = c.request("GET", collection);
    if (r.code != 200) fatal("GET " + collection + " -> " + std::to_string(r.code) + " " + shorten(r.body));
    rv = listResourceVersion(r.body);
  } catch (const std::exception& e) {
    fatal("GET " + collection + ": " + e.what());
  }
  if (rv.empty()) fatal("the list of " + collection + " has no resourceVersion");

  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Watcher>> ws;
  std::string watchPath = collection + "?watch=true&resourceVersion=" + rv;
  for (int i = 0; i < watchers; ++i) {
    ws.push_back(std::make_unique<Watcher>());
    Watcher* w = ws.back().get();
    w->latMs.reserve(static_cast<std::size_t>(sz.watchEvents));
    w->thread = std::thread([&d, watchPath, w, &stop] { watchLoop(d, watchPath, *w, stop); });
  }
  // The server sends the headers once the watch is registered. Events after `rv` reach a
  // watcher either way; this only keeps setup out of the first events' latency.
  auto t0 = Clock::now();
  while (seconds(t0) < 10) {
    if (std::all_of(ws.begin(), ws.end(), [](auto& w) { return w->ready.load(); })) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int notReady = 0, failed = 0;
  for (auto& w : ws) {
    if (!w->ready) ++notReady;
    if (w->failed) ++failed;
  }
  if (failed) std::cerr << "api_bench: " << failed << " of " << watchers << " watches failed to start\n";
  if (notReady)
    std::cerr << "api_bench: note: " << notReady << " watchers had no response headers after 10 s; writing anyway\n";

  // The paced writer: event i is due at start + i/rate; several threads share the schedule
  // because each write waits for its fsync.
  std::atomic<int> next{0};
  std::atomic<long long> written{0};
  double cpu0 = cpuMicros(d.pid), self0 = selfCpuMicros();
  auto start = Clock::now() + std::chrono::milliseconds(20);
  std::vector<std::thread> writers;
  std::atomic<long long> maxLagUs{0};
  for (int t = 0; t < sz.watchWriters; ++t) {
    writers.emplace_back([&] {
      HttpConn wc(d.host, d.port);
      while (true) {
        int i = next++;
        if (i >= sz.watchEvents) break;
        auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * i / sz.watchRate));
        std::this_thread::sleep_until(due);
        long long lag = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due).count();
        long long prev = maxLagUs.load();
        while (lag > prev && !maxLagUs.compare_exchange_weak(prev, lag)) {
        }
        int podIndex = i % sz.watchPool;
        bool create = i < sz.watchPool;
        std::string name = prefix + std::to_string(podIndex);
        std::string path = collection + (create ? "" : "/" + name);
        try {
          auto r = wc.request(create ? "POST" : "PUT", path, podJson(name, realtimeNs(), i / sz.watchPool));
          if (r.code == (create ? 201 : 200)) {
            ++written;
          } else {
            recordError(std::string(create ? "POST " : "PUT ") + path + " -> " + std::to_string(r.code) + " " +
                        shorten(r.body));
          }
        } catch (const std::exception& e) {
          recordError(std::string(create ? "POST " : "PUT ") + path + ": " + e.what());
          wc.close();
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  double writeSecs = seconds(start);
  out.expected = written * watchers;
  // Wait for the deliveries (up to 10 s after the last write).
  auto writtenAt = Clock::now();
  while (seconds(writtenAt) < 10) {
    long long seen = 0;
    for (auto& w : ws) seen += w->seen.load();
    if (seen >= out.expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  double cpu1 = cpuMicros(d.pid), self1 = selfCpuMicros();
  double phaseSecs = seconds(start);
  stop = true;
  for (auto& w : ws) w->thread.join();

  std::vector<double> all;
  all.reserve(static_cast<std::size_t>(out.expected));
  int shortWatchers = 0;
  for (auto& w : ws) {
    out.delivered += static_cast<long long>(w->latMs.size());
    all.insert(all.end(), w->latMs.begin(), w->latMs.end());
    if (!w->error.empty()) recordError(w->error);
    if (static_cast<long long>(w->latMs.size()) < written) ++shortWatchers;
    if (!w->badLine.empty())
      std::cerr << "api_bench: note: a watch line without bench/sent-ns: " << w->badLine << "\n";
  }
  out.p50Ms = percentile(all, 0.5);
  out.p99Ms = percentile(all, 0.99);
  out.maxMs = all.empty() ? NAN : *std::max_element(all.begin(), all.end());
  out.cpuPerEventUs = written ? (cpu1 - cpu0) / static_cast<double>(written) : NAN;
  out.writeRate = static_cast<double>(written) / writeSecs;
  std::cerr << "api_bench: watch x" << watchers << ": " << written << "/" << sz.watchEvents << " writes in "
            << fmt(writeSecs) << " s (target " << fmt(static_cast<double>(sz.watchEvents) / sz.watchRate)
            << " s, worst writer lag " << fmt(maxLagUs / 1000.0) << " ms), delivered " << out.delivered << "/"
            << out.expected << ", latency p50 " << fmt(out.p50Ms) << " ms p99 " << fmt(out.p99Ms) << " ms max "
            << fmt(out.maxMs) << " ms, daemon cpu " << fmt((cpu1 - cpu0) / 1000) << " ms = "
            << fmt(out.cpuPerEventUs) << " us/event; this benchmark's own cpu " << fmt((self1 - self0) / 1000)
            << " ms over " << fmt(phaseSecs) << " s (it shares the machine)\n";
  if (out.writeRate < 0.95 * sz.watchRate)
    std::cerr << "api_bench: note: the writer fell behind the pace: " << fmt(out.writeRate) << " events/s of "
              << sz.watchRate << "/s\n";
  if (shortWatchers)
    std::cerr << "api_bench: note: " << shortWatchers << " of " << watchers << " watchers missed events\n";
  return out;
}

std::string countName(int n) { return n >= 1000 && n % 1000 == 0 ? std::to_string(n / 1000) + "k" : std::to_string(n); }

}  // namespace

int main(int argc, char** argv) {
  gTool = "api_bench";
  bool quick = false;
  std::string capstan;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--keep") gKeep = true;
    else if (a == "--durable") {
    }  // the default: the store fsyncs every write
    else if (a == "--capstan" && i + 1 < argc) capstan = argv[++i];
    else {
      std::cerr << "usage: api_bench [--quick] [--keep] [--capstan PATH]\n";
      return 2;
    }
  }
  if (capstan.empty()) capstan = exeDir() + "/capstan";
  if (::access(capstan.c_str(), X_OK) != 0) {
    std::cerr << "api_bench: " << capstan << " is not an executable (use --capstan PATH)\n";
    return 2;
  }
  Sizes sz = quick ? quickSizes() : Sizes{};

  ::signal(SIGPIPE, SIG_IGN);
  startSignalThread();

  {
    std::string base = fs::temp_directory_path().string() + "/capstan-api-bench-XXXXXX";
    std::vector<char> buf(base.begin(), base.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) {
      std::cerr << "api_bench: mkdtemp failed\n";
      return 1;
    }
    gTempDir = buf.data();
  }

  int status = 0;
  try {
    Daemon d = startDaemon(capstan,
                           "plugins:\n"
                           "  - name: api\n"
                           "    path: kube-api.so\n"
                           "    args: {address: \"127.0.0.1:0\", workers: 64}\n");
    std::cerr << "api_bench: pod body " << podJson("c-00000").size() << " bytes (watch pods "
              << podJson("w100-000", realtimeNs(), 9).size() << ")\n";

    // 1. Creates, 32 clients.
    std::cerr << "api_bench: creating " << sz.creates << " pods in default with " << sz.createClients
              << " clients...\n";
    int created = 0;
    double create32 = createPods(d, "default", "c-", sz.creates, sz.createClients, &created);
    std::cerr << "api_bench: created " << created << "/" << sz.creates << ": " << fmt(create32) << "/s\n";

    // 2. Lists.
    HttpConn admin(d.host, d.port);
    createNamespace(admin, "bench");
    createNamespace(admin, "watch");
    std::cerr << "api_bench: creating " << sz.listPods << " pods in bench...\n";
    int listed = 0;
    createPods(d, "bench", "l-", sz.listPods, sz.createClients, &listed);
    if (listed != sz.listPods) std::cerr << "api_bench: note: only " << listed << " pods in bench\n";
    std::cerr << "api_bench: listing " << sz.lists << " times as JSON and as Table...\n";
    ListResult lists = runLists(d, sz);

    // 3./4. Watch fan-out: 1 watcher, then the full number.
    std::cerr << "api_bench: watch with 1 watcher, " << sz.watchEvents << " events at " << sz.watchRate << "/s...\n";
    WatchResult w1 = runWatch(d, sz, 1, "w1-");
    std::cerr << "api_bench: watch with " << sz.watchers << " watchers, " << sz.watchEvents << " events at "
              << sz.watchRate << "/s...\n";
    WatchResult wn = runWatch(d, sz, sz.watchers, "w" + std::to_string(sz.watchers) + "-");

    {
      int st;
      if (::waitpid(d.pid, &st, WNOHANG) == d.pid) {
        gDaemonPid = -1;
        fatal("the daemon exited during the benchmark (status " + std::to_string(st) + ")");
      }
    }

    std::string l = countName(sz.listPods), n = std::to_string(sz.watchers);
    std::ostringstream line;
    line << "api create" << sz.createClients << "=" << fmt(create32) << "/s list" << l
         << "_json_p99=" << fmt(lists.jsonP99Ms) << "ms list" << l << "_table_p99=" << fmt(lists.tableP99Ms)
         << "ms watch1_p99=" << fmt(w1.p99Ms) << "ms watch" << n << "_p99=" << fmt(wn.p99Ms) << "ms watch" << n
         << "_events=" << wn.delivered << "/" << wn.expected << " watch1_cpu_per_event=" << fmt(w1.cpuPerEventUs)
         << "us watch" << n << "_cpu_per_event=" << fmt(wn.cpuPerEventUs) << "us";
    // The daemon's extra CPU per event per additional watcher: small (a copy and a write) when
    // an event is encoded once for all watchers, about an object's encoding when it is not.
    if (sz.watchers > 1)
      line << " watch_cpu_per_delivery=" << fmt((wn.cpuPerEventUs - w1.cpuPerEventUs) / (sz.watchers - 1)) << "us";
    line << " watch" << n << "_rate=" << fmt(wn.writeRate) << "/s errors=" << gErrors.load();
    stopDaemon();
    std::cout << line.str() << std::endl;
    if (gErrors > 0) status = 1;
  } catch (const std::exception& e) {
    fatal(std::string("unexpected error: ") + e.what());
  }
  if (gErrors > 0) printLogTail();
  cleanup();
  return status;
}
