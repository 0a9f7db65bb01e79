#pragma once
// Host: what the kernel offers a plugin. Valid from Plugin::init until Plugin::stop returns.
//
// Thread-safety: store(), informers(), registry(), logger(), metrics() and dataDir() may be used from any
// thread. Cap'n Proto and KJ objects belong to the kernel's loop thread: from another
// thread, run such work through loopExecutor().

#include <memory>
#include <string>
#include <string_view>

#include <kj/async.h>

namespace spdlog {
class logger;
}

namespace capstan {

class StoreClient;
class PluginRegistry;
class InformerFactory;

// Counters and latency histograms, exported by the kernel (names in Prometheus style).
class Metrics {
 public:
  virtual ~Metrics() = default;
  virtual void add(std::string_view name, double delta = 1) = 0;
  virtual void observe(std::string_view name, double seconds) = 0;
};

class Host {
 public:
  virtual ~Host() = default;
  virtual StoreClient& store() = 0;
  // Shared caches of object types: prefer these to watching the store yourself.
  virtual InformerFactory& informers() = 0;
  virtual PluginRegistry& registry() = 0;
  // The kernel loop's executor: executeSync/executeAsync run a function on the loop thread.
  virtual const kj::Executor& loopExecutor() = 0;
  // A logger named after this plugin instance, sharing the kernel's sinks and level.
  virtual std::shared_ptr<spdlog::logger> logger() = 0;
  virtual Metrics& metrics() = 0;
  // A directory this plugin instance may keep files in (created on demand).
  virtual std::string dataDir() = 0;
  // The daemon's data directory, for files users read there (e.g. the API plugin's kubeconfig).
  virtual std::string daemonDataDir() = 0;
};

}  // namespace capstan
