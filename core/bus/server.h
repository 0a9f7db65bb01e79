#pragma once
// The bus server: implements the `Kernel` bootstrap capability (schema/kernel.capnp) on the
// kernel's event loop thread and listens on a Unix socket (mode 0600) and, when configured,
// a loopback TCP address.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <kj/async-io.h>

#include "capstan/registry.h"
#include "capstan/status.h"
#include "schema/kernel.capnp.h"

namespace capstan::store {
class LmdbStore;
}

namespace capstan::bus {

struct PluginInfo {
  std::string name;
  std::string type;
  std::string version;
  std::vector<std::string> kinds;
  std::string path;
  std::string loadedFrom;
  std::string state;
  std::string error;
  std::uint32_t swaps = 0;
  std::int64_t loadedAt = 0;
};

// What the bus asks of the kernel beyond the store: plugin management and reload.
// Called on the loop thread.
class Control {
 public:
  virtual ~Control() = default;
  virtual std::vector<PluginInfo> plugins() = 0;
  virtual Status loadPlugin(const std::string& name, const std::string& path, const std::string& argsYaml) = 0;
  virtual Status unloadPlugin(const std::string& name) = 0;
  virtual Status swapPlugin(const std::string& name, const std::string& path) = 0;
  // Re-reads the config file and applies the difference; returns what was done.
  virtual Result<std::string> reload() = 0;
  virtual std::string dataDir() = 0;
};

struct ServerOptions {
  std::string socketPath;  // Unix socket; created with mode 0600
  std::string tcpAddress;  // empty: none; else "127.0.0.1:0" style (loopback only)
  // A remote watcher that has this many events queued and unsent is cut off.
  std::size_t watchBacklogLimit = 100000;
};

class KernelServer {
 public:
  // `registry` finds service plugins for Kernel.service(); everything runs on the calling
  // thread's event loop.
  KernelServer(kj::AsyncIoContext& io, store::LmdbStore& store, PluginRegistry& registry, Control& control,
               ServerOptions options);
  ~KernelServer();

  // Binds the listeners; afterwards the actual addresses are known.
  Status listen();
  std::string socketPath() const;
  std::string tcpAddress() const;  // "127.0.0.1:PORT" once listening, else empty

  // Stops accepting; existing connections are dropped when the server is destroyed.
  void stopListening();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace capstan::bus
