#pragma once
// The control-plane host: owns the event loop, the store, the plugin manager and the bus,
// loads the plugins the config names, and applies config changes on SIGHUP or
// `capctl reload`. Kubernetes-free.

#include <memory>
#include <string>

namespace capstan::kernel {

struct KernelOptions {
  std::string configPath;        // empty: the embedded defaults
  std::string dataDirOverride;   // --data-dir
  std::string logLevelOverride;  // --log-level
  std::string programPath;       // argv[0], to find plugins/ next to bin/
};

// Runs the daemon until SIGTERM or SIGINT; returns the process exit code. Call
// captureSignals() first, before any thread exists.
int runKernel(const KernelOptions& options);

// Blocks SIGHUP/SIGTERM/SIGINT for KJ's signal handling; must run before threads start.
void captureSignals();

}  // namespace capstan::kernel
