#include "kernel/kernel.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include <kj/async-io.h>
#include <kj/async-unix.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "bus/server.h"
#include "capstan/host.h"
#include "informer/factory.h"
#include "kernel/config.h"
#include "plugin/manager.h"
#include "store/store.h"

namespace fs = std::filesystem;

namespace capstan::kernel {
namespace {

class MetricsRegistry final : public Metrics {
 public:
  void add(std::string_view name, double delta) override {
    std::lock_guard<std::mutex> lock(mu_);
    counters_[std::string(name)] += delta;
  }
  void observe(std::string_view name, double seconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto& h = histograms_[std::string(name)];
    h.count += 1;
    h.sum += seconds;
  }

 private:
  struct Histogram {
    double count = 0;
    double sum = 0;
  };
  std::mutex mu_;
  std::map<std::string, double> counters_;
  std::map<std::string, Histogram> histograms_;
};

class KernelHost final : public Host {
 public:
  KernelHost(std::string name, StoreClient& store, InformerFactory& informers, PluginRegistry& registry,
             const kj::Executor& executor, Metrics& metrics, std::string dataDir, std::string daemonDataDir)
      : name_(std::move(name)),
        store_(store),
        informers_(informers),
        registry_(registry),
        executor_(executor),
        metrics_(metrics),
        dataDir_(std::move(dataDir)),
        daemonDataDir_(std::move(daemonDataDir)),
        logger_(spdlog::default_logger()->clone(name_)) {}

  StoreClient& store() override { return store_; }
  InformerFactory& informers() override { return informers_; }
  PluginRegistry& registry() override { return registry_; }
  const kj::Executor& loopExecutor() override { return executor_; }
  std::shared_ptr<spdlog::logger> logger() override { return logger_; }
  Metrics& metrics() override { return metrics_; }
  std::string dataDir() override {
    std::error_code ec;
    fs::create_directories(dataDir_, ec);
    return dataDir_;
  }
  std::string daemonDataDir() override { return daemonDataDir_; }

 private:
  std::string name_;
  StoreClient& store_;
  InformerFactory& informers_;
  PluginRegistry& registry_;
  const kj::Executor& executor_;
  Metrics& metrics_;
  std::string dataDir_;
  std::string daemonDataDir_;
  std::shared_ptr<spdlog::logger> logger_;
};

std::vector<plugin::PluginSpec> specsOf(const DaemonConfig& config) {
  std::vector<plugin::PluginSpec> specs;
  for (const auto& p : config.plugins) specs.push_back(plugin::PluginSpec{p.name, p.path, p.argsYaml, p.enabled});
  return specs;
}

// Plugin search path: the config's directories, then $CAPSTAN_PLUGIN_PATH, then plugins/
// and lib/capstan/plugins/ beside the directory holding the binary.
std::vector<fs::path> searchPaths(const DaemonConfig& config, const std::string& programPath) {
  std::vector<fs::path> paths(config.pluginPath.begin(), config.pluginPath.end());
  if (const char* env = std::getenv("CAPSTAN_PLUGIN_PATH")) {
    std::string all(env);
    std::size_t start = 0;
    while (start <= all.size()) {
      std::size_t end = all.find(':', start);
      if (end == std::string::npos) end = all.size();
      if (end > start) paths.push_back(all.substr(start, end - start));
      start = end + 1;
    }
  }
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) exe = fs::absolute(programPath, ec);
  fs::path prefix = exe.parent_path().parent_path();
  paths.push_back(prefix / "plugins");
  paths.push_back(prefix / "lib" / "capstan" / "plugins");
  return paths;
}

class Daemon final : public bus::Control {
 public:
  Daemon(const KernelOptions& options, DaemonConfig config)
      : options_(options), config_(std::move(config)), startedAt_(std::chrono::steady_clock::now()) {}

  int run() {
    auto io = kj::setupAsyncIo();
    io_ = &io;
    executor_ = &kj::getCurrentThreadExecutor();
    // Whatever happens below, everything that lives on this event loop goes before it does.
    KJ_DEFER({
      server_.reset();
      manager_.reset();
      informers_.reset();
      if (store_) store_->close();
    });

    std::error_code ec;
    dataDir_ = fs::absolute(config_.dataDir, ec).lexically_normal().string();
    fs::create_directories(dataDir_, ec);
    if (ec) {
      spdlog::critical("cannot create data dir {}: {}", dataDir_, ec.message());
      return 1;
    }
    if (auto s = lockDataDir(); !s.ok()) {
      spdlog::critical("{}", s.message());
      return 1;
    }

    store::StoreOptions storeOptions;
    storeOptions.directory = dataDir_ + "/store";
    storeOptions.mapSizeBytes = config_.store.mapSizeBytes;
    storeOptions.maxReaders = config_.store.maxReaders;
    auto opened = store::LmdbStore::open(storeOptions);
    if (!opened.ok()) {
      spdlog::critical("cannot open the store in {}: {}", storeOptions.directory, opened.status().message());
      return 1;
    }
    store_ = std::move(opened).value();
    informers_ = std::make_unique<informer::InformerFactoryImpl>(*store_);

    manager_ = std::make_unique<plugin::PluginManager>(
        dataDir_ + "/plugin-cache", searchPaths(config_, options_.programPath),
        [this](const std::string& name) -> std::unique_ptr<Host> {
          return std::make_unique<KernelHost>(name, *store_, *informers_, *manager_, *executor_, metrics_,
                                              dataDir_ + "/plugins/" + name, dataDir_);
        });

    bus::ServerOptions busOptions;
    busOptions.socketPath = fs::path(config_.bus.socket).is_absolute() ? config_.bus.socket
                                                                        : dataDir_ + "/" + config_.bus.socket;
    busOptions.tcpAddress = config_.bus.tcp;
    busOptions.watchBacklogLimit = config_.bus.watchBacklog;
    server_ = std::make_unique<bus::KernelServer>(io, *store_, *manager_, *this, busOptions);
    if (auto s = server_->listen(); !s.ok()) {
      spdlog::critical("{}", s.message());
      return 1;
    }

    auto applied = manager_->apply(specsOf(config_));
    if (!applied.status.ok()) spdlog::error("plugins: {}", applied.status.message());
    if (!applied.summary.empty()) spdlog::info("plugins: {}", applied.summary);

    if (auto s = writeEndpoints(); !s.ok()) {
      spdlog::critical("{}", s.message());
      return 1;
    }
    double startMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - startedAt_).count();
    spdlog::info("capstan {} serving: bus unix:{}{}{}, data dir {}, revision {}, started in {:.1f} ms", CAPSTAN_VERSION,
                 server_->socketPath(), server_->tcpAddress().empty() ? "" : " and ", server_->tcpAddress(), dataDir_,
                 store_->currentRevision(), startMs);

    auto compaction = compactionLoop().eagerlyEvaluate(
        [](kj::Exception&& e) { spdlog::error("compaction loop stopped: {}", e.getDescription().cStr()); });
    auto hangups = hangupLoop().eagerlyEvaluate(
        [](kj::Exception&& e) { spdlog::error("SIGHUP handling stopped: {}", e.getDescription().cStr()); });

    auto& port = io.unixEventPort;
    auto stop = port.onSignal(SIGTERM).exclusiveJoin(port.onSignal(SIGINT)).wait(io.waitScope);
    spdlog::info("received signal {}, shutting down", stop.si_signo);

    // Order matters: stop taking requests, stop plugins (they use the store), then let the
    // store finish every write already accepted.
    server_->stopListening();
    server_.reset();
    manager_.reset();  // unloads every plugin, in reverse config order
    informers_.reset();
    store_->close();
    fs::remove(dataDir_ + "/endpoints.json", ec);
    fs::remove(busOptions.socketPath, ec);
    spdlog::info("stopped cleanly at revision {}", store_->currentRevision());
    return 0;
  }

  // bus::Control
  std::vector<bus::PluginInfo> plugins() override {
    std::vector<bus::PluginInfo> out;
    for (const auto& p : manager_->list()) {
      bus::PluginInfo i;
      i.name = p.name;
      i.type = p.pluginName;
      i.version = p.version;
      i.kinds = p.kinds;
      i.path = p.path;
      i.loadedFrom = p.loadedPath;
      i.state = std::string(plugin::stateName(p.state));
      i.error = p.lastError;
      i.swaps = static_cast<uint32_t>(p.swapCount);
      i.loadedAt = std::chrono::duration_cast<std::chrono::nanoseconds>(p.loadedAt.time_since_epoch()).count();
      out.push_back(std::move(i));
    }
    return out;
  }

  Status loadPlugin(const std::string& name, const std::string& path, const std::string& argsYaml) override {
    plugin::PluginSpec spec;
    spec.name = name;
    spec.path = path;
    spec.argsYaml = argsYaml;
    auto s = manager_->load(spec);
    log("load", name, s);
    return s;
  }

  Status unloadPlugin(const std::string& name) override {
    auto s = manager_->unload(name);
    log("unload", name, s);
    return s;
  }

  Status swapPlugin(const std::string& name, const std::string& path) override {
    auto s = manager_->swap(name, path);
    log("swap", name, s);
    return s;
  }

  Result<std::string> reload() override {
    Result<DaemonConfig> next = options_.configPath.empty()
                                    ? parseConfig(embeddedDefaultConfig(), "embedded defaults")
                                    : loadConfigFile(options_.configPath);
    if (!next.ok()) {
      spdlog::error("reload refused, the running config stays: {}", next.status().message());
      return next.status();
    }
    if (!options_.dataDirOverride.empty()) next->dataDir = options_.dataDirOverride;
    std::vector<std::string> restartOnly;
    if (fs::absolute(next->dataDir).lexically_normal().string() != dataDir_) restartOnly.push_back("dataDir");
    if (next->bus.socket != config_.bus.socket || next->bus.tcp != config_.bus.tcp) restartOnly.push_back("bus");
    if (next->pluginPath != config_.pluginPath) restartOnly.push_back("pluginPath");
    if (next->store.mapSizeBytes != config_.store.mapSizeBytes || next->store.maxReaders != config_.store.maxReaders) {
      restartOnly.push_back("store");
    }
    if (options_.logLevelOverride.empty() && next->logLevel != config_.logLevel) {
      spdlog::set_level(spdlog::level::from_str(next->logLevel));
    }
    auto applied = manager_->apply(specsOf(*next));
    std::string summary = applied.summary;
    if (!restartOnly.empty()) {
      std::string keys;
      for (const auto& k : restartOnly) keys += (keys.empty() ? "" : ", ") + k;
      summary += (summary.empty() ? "" : "; ") + ("changes to " + keys + " take effect at the next restart");
    }
    config_.plugins = next->plugins;
    config_.logLevel = next->logLevel;
    config_.store.compactionIntervalMs = next->store.compactionIntervalMs;
    spdlog::info("reload: {}", summary.empty() ? "no changes" : summary);
    if (!applied.status.ok()) {
      spdlog::error("reload: {}", applied.status.message());
      return applied.status;
    }
    return summary.empty() ? std::string("no changes") : summary;
  }

  std::string dataDir() override { return dataDir_; }

 private:
  static void log(const char* what, const std::string& name, const Status& s) {
    if (s.ok()) {
      spdlog::info("plugin {}: {} done", name, what);
    } else {
      spdlog::error("plugin {}: {} failed: {}", name, what, s.message());
    }
  }

  Status lockDataDir() {
    std::string path = dataDir_ + "/capstan.lock";
    lockFd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lockFd_ < 0) return Status::unavailable("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(lockFd_, LOCK_EX | LOCK_NB) != 0) {
      char buf[32] = {};
      ssize_t n = ::pread(lockFd_, buf, sizeof(buf) - 1, 0);
      std::string pid = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "unknown";
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      return Status::failedPrecondition("data dir " + dataDir_ + " is in use by another capstan (pid " + pid + ")");
    }
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(lockFd_, 0) != 0 || ::pwrite(lockFd_, pid.data(), pid.size(), 0) < 0) {
      return Status::unavailable("cannot write " + path + ": " + std::strerror(errno));
    }
    return {};
  }

  // endpoints.json appears only once every listener is serving (written atomically).
  Status writeEndpoints() {
    std::string path = dataDir_ + "/endpoints.json";
    std::string tmp = path + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << "{\n  \"bus\": \"unix:" << server_->socketPath() << "\",\n";
      if (!server_->tcpAddress().empty()) out << "  \"busTcp\": \"" << server_->tcpAddress() << "\",\n";
      out << "  \"pid\": " << ::getpid() << ",\n  \"version\": \"" << CAPSTAN_VERSION << "\"\n}\n";
      if (!out) return Status::unavailable("cannot write " + tmp);
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec) return Status::unavailable("cannot write " + path + ": " + ec.message());
    return {};
  }

  kj::Promise<void> compactionLoop() {
    if (config_.store.compactionIntervalMs <= 0) return kj::NEVER_DONE;
    int64_t seen = store_->currentRevision();
    return io_->provider->getTimer()
        .afterDelay(config_.store.compactionIntervalMs * kj::MILLISECONDS)
        .then([this, seen]() {
          if (seen > store_->compactedRevision()) {
            auto s = store_->compact(seen);
            if (s.ok()) {
              spdlog::debug("compacted history up to revision {}", seen);
            } else {
              spdlog::warn("compaction to revision {} failed: {}", seen, s.message());
            }
          }
          return compactionLoop();
        });
  }

  kj::Promise<void> hangupLoop() {
    return io_->unixEventPort.onSignal(SIGHUP).then([this](siginfo_t) {
      spdlog::info("SIGHUP: reloading {}", options_.configPath.empty() ? "embedded defaults" : options_.configPath);
      (void)reload();
      return hangupLoop();
    });
  }

  const KernelOptions& options_;
  DaemonConfig config_;
  std::chrono::steady_clock::time_point startedAt_;
  kj::AsyncIoContext* io_ = nullptr;
  const kj::Executor* executor_ = nullptr;
  std::string dataDir_;
  int lockFd_ = -1;
  MetricsRegistry metrics_;
  std::unique_ptr<store::LmdbStore> store_;
  std::unique_ptr<informer::InformerFactoryImpl> informers_;
  std::unique_ptr<plugin::PluginManager> manager_;
  std::unique_ptr<bus::KernelServer> server_;
};

}  // namespace

void captureSignals() {
  kj::UnixEventPort::captureSignal(SIGHUP);
  kj::UnixEventPort::captureSignal(SIGTERM);
  kj::UnixEventPort::captureSignal(SIGINT);
  std::signal(SIGPIPE, SIG_IGN);
}

int runKernel(const KernelOptions& options) {
  Result<DaemonConfig> config = options.configPath.empty() ? parseConfig(embeddedDefaultConfig(), "embedded defaults")
                                                           : loadConfigFile(options.configPath);
  if (!config.ok()) {
    spdlog::critical("{}", config.status().message());
    return 2;
  }
  if (!options.dataDirOverride.empty()) config->dataDir = options.dataDirOverride;
  std::string level = options.logLevelOverride.empty() ? config->logLevel : options.logLevelOverride;
  spdlog::set_level(spdlog::level::from_str(level));
  Daemon daemon(options, std::move(config).value());
  try {
    return daemon.run();
  } catch (const kj::Exception& e) {
    spdlog::critical("fatal: {}", e.getDescription().cStr());
    return 1;
  } catch (const std::exception& e) {
    spdlog::critical("fatal: {}", e.what());
    return 1;
  }
}

}  // namespace capstan::kernel
