// Store benchmark: durable writes, batched writes, point reads and watch delivery, over the
// bus against a real daemon and in-process against the store itself; etcd on loopback as
// the peer (tools/bench/etcd_peer.sh). Prints one summary line of figures.
//
//   build/bin/store_bench [--quick] [--no-etcd]
//
// Sizes: --quick shrinks every workload (used by the smoke test); full sizes are the
// issue's: 100,000 events to each of 10 bus watchers and 100 in-process watchers.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <kj/async-io.h>

#include "bus/client.h"
#include "bus/convert.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace capstan;
using Clock = std::chrono::steady_clock;

namespace {

struct Sizes {
  int create1 = 3000;
  int create64 = 100000;
  int update64 = 100000;
  int batchObjects = 200000;
  int get64 = 200000;
  int getInProcess = 2000000;
  int watchEvents = 100000;
  int busWatchers = 10;
  int inProcessWatchers = 100;
  int coldStarts = 5;
};

Sizes quickSizes() {
  Sizes s;
  s.create1 = 200;
  s.create64 = 2000;
  s.update64 = 2000;
  s.batchObjects = 5000;
  s.get64 = 5000;
  s.getInProcess = 50000;
  s.watchEvents = 2000;
  s.busWatchers = 2;
  s.inProcessWatchers = 4;
  s.coldStarts = 1;
  return s;
}

double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

std::string exeDir() { return fs::read_symlink("/proc/self/exe").parent_path().string(); }

std::string key32(const std::string& prefix, int i) {
  std::string k = prefix + std::to_string(i);
  if (k.size() < 32) k.insert(0, 32 - k.size(), 'k');
  return k;
}

Object makeObject(const std::string& type, const std::string& name, const std::string& value) {
  Object o;
  o.type = type;
  o.ns = "bench";
  o.name = name;
  o.format = BodyFormat::kJson;
  o.body = value;
  return o;
}

// A 1 KiB JSON body.
const std::string& value1k() {
  static const std::string v = "{\"v\":\"" + std::string(1024 - 8, 'x') + "\"}";
  return v;
}

class DaemonProcess {
 public:
  explicit DaemonProcess(std::string dataDir) : dataDir_(std::move(dataDir)) {}
  ~DaemonProcess() { stop(); }

  // Returns the time from fork to endpoints.json (serving).
  double start() {
    fs::create_directories(dataDir_);
    fs::remove(dataDir_ + "/endpoints.json");
    auto t0 = Clock::now();
    pid_ = ::fork();
    if (pid_ == 0) {
      int devnull = ::open((dataDir_ + ".log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(devnull, 1);
      ::dup2(devnull, 2);
      std::string exe = exeDir() + "/capstan";
      ::execl(exe.c_str(), exe.c_str(), "--data-dir", dataDir_.c_str(), "--log-level", "warn", nullptr);
      ::_exit(127);
    }
    while (!fs::exists(dataDir_ + "/endpoints.json")) {
      int st;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        std::cerr << "store_bench: the daemon exited; see " << dataDir_ << ".log\n";
        std::exit(1);
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return seconds(t0);
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int st;
    ::waitpid(pid_, &st, 0);
    pid_ = -1;
  }

  std::string bus() const { return "unix:" + dataDir_ + "/bus.sock"; }

 private:
  std::string dataDir_;
  pid_t pid_ = -1;
};

// N requesters spread over a few connections, each issuing one request at a time.
template <class MakeRequest>
double runConcurrent(kj::AsyncIoContext& io, std::vector<kj::Own<bus::BusClient>>& clients, int requesters, int total,
                     MakeRequest make) {
  std::atomic<int> next{0};
  int failures = 0;
  std::function<kj::Promise<void>(bus::BusClient&)> loop = [&](bus::BusClient& c) -> kj::Promise<void> {
    int i = next++;
    if (i >= total) return kj::READY_NOW;
    return make(c, i).then([&, i](bool ok) {
      (void)i;
      if (!ok) ++failures;
      return loop(c);
    });
  };
  auto t0 = Clock::now();
  kj::Vector<kj::Promise<void>> all;
  for (int r = 0; r < requesters; ++r) all.add(loop(*clients[static_cast<std::size_t>(r) % clients.size()]));
  kj::joinPromises(all.releaseAsArray()).wait(io.waitScope);
  double secs = seconds(t0);
  if (failures) {
    std::cerr << "store_bench: " << failures << " requests failed\n";
    std::exit(1);
  }
  return total / secs;
}

std::vector<kj::Own<bus::BusClient>> connectClients(kj::AsyncIoContext& io, const std::string& address, int n) {
  std::vector<kj::Own<bus::BusClient>> clients;
  for (int i = 0; i < n; ++i) clients.push_back(bus::BusClient::connect(io, address).wait(io.waitScope));
  return clients;
}

// Counts events per bus watcher and resolves when each has seen `expect`.
class CountingSink final : public schema::WatchSink::Server {
 public:
  CountingSink(int64_t expect, kj::Own<kj::PromiseFulfiller<void>> done) : expect_(expect), done_(kj::mv(done)) {}
  kj::Promise<void> events(EventsContext context) override {
    seen_ += context.getParams().getEvents().size();
    if (seen_ >= expect_ && done_->isWaiting()) done_->fulfill();
    return kj::READY_NOW;
  }
  kj::Promise<void> end(EndContext context) override {
    if (done_->isWaiting()) {
      done_->reject(KJ_EXCEPTION(FAILED, "watch ended", context.getParams().getStatus().getMessage().cStr()));
    }
    return kj::READY_NOW;
  }

 private:
  int64_t expect_;
  int64_t seen_ = 0;
  kj::Own<kj::PromiseFulfiller<void>> done_;
};

std::map<std::string, double> runEtcd(bool quick) {
  std::map<std::string, double> out;
  std::string script = fs::path(exeDir()).parent_path().parent_path().string() + "/tools/bench/etcd_peer.sh";
  const char* src = std::getenv("CAPSTAN_SOURCE_DIR");
  if (src) script = std::string(src) + "/tools/bench/etcd_peer.sh";
  if (!fs::exists(script)) {
    std::cerr << "store_bench: " << script << " not found; skipping etcd\n";
    return out;
  }
  std::string cmd = (quick ? "ETCD_BENCH_TOTAL=2000 " : "") + std::string("bash ") + script;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  std::string last;
  while (std::fgets(buf, sizeof(buf), p)) last = buf;
  ::pclose(p);
  std::istringstream in(last);
  std::string word;
  in >> word;
  if (word != "etcd") {
    std::cerr << "store_bench: etcd peer printed no summary line\n";
    return out;
  }
  while (in >> word) {
    auto eq = word.find('=');
    if (eq == std::string::npos) continue;
    try {
      out[word.substr(0, eq)] = std::stod(word.substr(eq + 1));
    } catch (const std::exception&) {
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, etcd = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--no-etcd") etcd = false;
    else {
      std::cerr << "usage: store_bench [--quick] [--no-etcd]\n";
      return 2;
    }
  }
  Sizes sz = quick ? quickSizes() : Sizes{};
  std::string tmp = fs::temp_directory_path().string() + "/capstan-bench-" + std::to_string(::getpid());
  fs::create_directories(tmp);
  std::map<std::string, double> r;

  // Cold start with an empty store: fork to serving.
  {
    std::vector<double> starts;
    for (int i = 0; i < sz.coldStarts; ++i) {
      DaemonProcess d(tmp + "/cold" + std::to_string(i));
      starts.push_back(d.start());
    }
    std::sort(starts.begin(), starts.end());
    r["coldstart_ms"] = starts[starts.size() / 2] * 1000;
  }

  DaemonProcess daemon(tmp + "/data");
  daemon.start();
  auto io = kj::setupAsyncIo();
  {
    auto one = connectClients(io, daemon.bus(), 1);
    auto four = connectClients(io, daemon.bus(), 4);
    auto create = [](const std::string& prefix) {
      return [prefix](bus::BusClient& c, int i) {
        Mutation m;
        m.op = MutationOp::kCreate;
        m.object = makeObject("bench", key32(prefix, i), value1k());
        return c.write(std::move(m)).then([](WriteResult w) { return w.status.ok(); });
      };
    };
    std::cerr << "bus: creates, 1 requester...\n";
    r["create1"] = runConcurrent(io, one, 1, sz.create1, create("a"));
    std::cerr << "bus: creates, 64 requesters over 4 connections...\n";
    r["create64"] = runConcurrent(io, four, 64, sz.create64, create("b"));
    std::cerr << "bus: updates, 64 requesters...\n";
    r["update64"] = runConcurrent(io, four, 64, sz.update64, [](bus::BusClient& c, int i) {
      Mutation m;
      m.op = MutationOp::kUpsert;
      m.object = makeObject("bench", key32("b", i % 1000), value1k());
      return c.write(std::move(m)).then([](WriteResult w) { return w.status.ok(); });
    });
    std::cerr << "bus: batched creates, 100 per call, 16 callers...\n";
    int calls = sz.batchObjects / 100;
    r["batch100"] = runConcurrent(io, four, 16, calls, [](bus::BusClient& c, int i) {
                      std::vector<Mutation> batch(100);
                      for (int j = 0; j < 100; ++j) {
                        batch[j].op = MutationOp::kCreate;
                        batch[j].object = makeObject("batch", key32("c", i * 100 + j), value1k());
                      }
                      return c.writeBatch(std::move(batch), true).then([](std::vector<WriteResult> w) {
                        return std::all_of(w.begin(), w.end(), [](const WriteResult& x) { return x.status.ok(); });
                      });
                    }) * 100;
    std::cerr << "bus: point reads, 64 requesters...\n";
    int keys = std::min(sz.create64, 10000);
    r["get64"] = runConcurrent(io, four, 64, sz.get64, [keys](bus::BusClient& c, int i) {
      return c.get("bench", "bench", key32("b", i % keys)).then([](Result<Object> o) { return o.ok(); });
    });

    std::cerr << "bus: watch replay to " << sz.busWatchers << " watchers...\n";
    int64_t from = 0;
    {
      std::vector<Mutation> batch;
      for (int i = 0; i < sz.watchEvents; ++i) {
        Mutation m;
        m.op = MutationOp::kUpsert;
        m.object = makeObject("watched", key32("w", i % 5000), "{\"i\":" + std::to_string(i) + "}");
        batch.push_back(std::move(m));
        if (batch.size() == 1000 || i + 1 == sz.watchEvents) {
          auto res = one[0]->writeBatch(std::move(batch), true).wait(io.waitScope);
          if (from == 0) from = res.front().object.revision - 1;
          batch.clear();
        }
      }
    }
    auto t0 = Clock::now();
    kj::Vector<kj::Promise<void>> done;
    std::vector<schema::WatchHandle::Client> handles;
    for (int w = 0; w < sz.busWatchers; ++w) {
      auto paf = kj::newPromiseAndFulfiller<void>();
      auto req = four[static_cast<std::size_t>(w) % 4]->kernel().watchRequest();
      WatchOptions o;
      o.type = "watched";
      o.fromRevision = from;
      bus::toCapnp(o, req.initOptions());
      req.setSink(kj::heap<CountingSink>(sz.watchEvents, kj::mv(paf.fulfiller)));
      auto resp = req.send().wait(io.waitScope);
      handles.push_back(resp.getHandle());
      done.add(kj::mv(paf.promise));
    }
    kj::joinPromises(done.releaseAsArray()).wait(io.waitScope);
    r["watch10_s"] = seconds(t0);
  }
  daemon.stop();

  // In-process: the store itself, as a plugin in the daemon sees it.
  {
    store::StoreOptions options;
    options.directory = tmp + "/inproc";
    auto opened = store::LmdbStore::open(options);
    if (!opened.ok()) {
      std::cerr << "store_bench: " << opened.status().message() << "\n";
      return 1;
    }
    auto& st = *opened.value();
    const int n = 10000;
    std::vector<Mutation> batch;
    // fromRevision 0 means "from now": a marker first, so the replay can start after it.
    batch.push_back(Mutation{MutationOp::kCreate, makeObject("marker", "m", "{}"), 0, "", 0});
    for (int i = 0; i < std::max(n, sz.watchEvents); ++i) {
      Mutation m;
      m.op = MutationOp::kCreate;
      m.object = makeObject("inproc", key32("p", i), i < n ? value1k() : "{}");
      batch.push_back(std::move(m));
    }
    std::mutex mu;
    std::condition_variable cv;
    bool written = false;
    int64_t firstRevision = 0;
    std::cerr << "in-process: writing " << batch.size() << " objects...\n";
    st.write(std::move(batch), [&](std::vector<WriteResult> res) {
      std::lock_guard<std::mutex> lock(mu);
      firstRevision = res.at(1).object.revision;
      written = true;
      cv.notify_all();
    });
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return written; });
    }
    std::cerr << "in-process: point reads, 1 thread...\n";
    auto t0 = Clock::now();
    std::size_t bytes = 0;
    for (int i = 0; i < sz.getInProcess; ++i) {
      auto o = st.get("inproc", "bench", key32("p", i % n));
      bytes += o.ok() ? o->body.size() : 0;
    }
    r["get_inproc"] = sz.getInProcess / seconds(t0);
    if (bytes == 0) return 1;

    std::cerr << "in-process: watch replay to " << sz.inProcessWatchers << " watchers...\n";
    std::atomic<int> finished{0};
    std::vector<std::unique_ptr<Watch>> watches;
    std::vector<std::unique_ptr<std::atomic<int64_t>>> counts;
    int64_t expect = sz.watchEvents;
    t0 = Clock::now();
    for (int w = 0; w < sz.inProcessWatchers; ++w) {
      counts.push_back(std::make_unique<std::atomic<int64_t>>(0));
      auto* count = counts.back().get();
      WatchOptions o;
      o.type = "inproc";
      o.fromRevision = firstRevision - 1 + std::max(n, sz.watchEvents) - sz.watchEvents;
      auto watch = st.watch(o, [count, expect, &finished, &cv, &mu](std::span<const WatchEvent> events) {
        if (!events.empty() && events.back().kind == WatchEvent::Kind::kError) {
          std::cerr << "store_bench: an in-process watch ended: " << events.back().error.message() << "\n";
          std::exit(1);
        }
        int64_t before = count->fetch_add(static_cast<int64_t>(events.size()));
        if (before < expect && before + static_cast<int64_t>(events.size()) >= expect) {
          std::lock_guard<std::mutex> lock(mu);
          ++finished;
          cv.notify_all();
        }
      });
      if (!watch.ok()) {
        std::cerr << "store_bench: " << watch.status().message() << "\n";
        return 1;
      }
      watches.push_back(std::move(watch).value());
    }
    {
      std::unique_lock<std::mutex> lock(mu);
      if (!cv.wait_for(lock, std::chrono::seconds(60), [&] { return finished.load() >= sz.inProcessWatchers; })) {
        std::cerr << "store_bench: in-process watchers stalled; events seen:";
        for (auto& c : counts) std::cerr << " " << c->load();
        std::cerr << "\n";
        return 1;
      }
    }
    r["watch100_inproc_s"] = seconds(t0);
    watches.clear();
    st.close();
  }
  fs::remove_all(tmp);

  std::map<std::string, double> e;
  if (etcd) {
    std::cerr << "etcd: running tools/bench/etcd_peer.sh...\n";
    e = runEtcd(quick);
  }

  auto fmt = [](double v) {
    char b[32];
    std::snprintf(b, sizeof(b), v >= 100 ? "%.0f" : "%.2f", v);
    return std::string(b);
  };
  std::ostringstream line;
  line << "capstan create1=" << fmt(r["create1"]) << "/s create64=" << fmt(r["create64"])
       << "/s update64=" << fmt(r["update64"]) << "/s batch100=" << fmt(r["batch100"]) << "/s get64_bus="
       << fmt(r["get64"]) << "/s get_inproc=" << fmt(r["get_inproc"]) << "/s watch10x" << sz.watchEvents << "_bus="
       << fmt(r["watch10_s"]) << "s watch" << sz.inProcessWatchers << "x" << sz.watchEvents << "_inproc="
       << fmt(r["watch100_inproc_s"] * 1000) << "ms coldstart=" << fmt(r["coldstart_ms"]) << "ms";
  if (!e.empty()) {
    auto ratio = [&](double ours, const char* theirs) {
      return e.count(theirs) && e[theirs] > 0 ? fmt(ours / e[theirs]) + "x" : std::string("NA");
    };
    line << " | etcd put1=" << fmt(e["put1"]) << "/s put64=" << fmt(e["put64"]) << "/s update64=" << fmt(e["update64"])
         << "/s get64=" << fmt(e["get64"]) << "/s | vs etcd: create1 " << ratio(r["create1"], "put1") << ", create64 "
         << ratio(r["create64"], "put64") << ", update64 " << ratio(r["update64"], "update64") << ", batch100 "
         << ratio(r["batch100"], "put64") << ", get64 " << ratio(r["get64"], "get64");
  }
  std::cout << line.str() << std::endl;
  return 0;
}
