#pragma once
// The daemon's config file: typed, decoded once, unknown keys refused with their path.
// See config/capstan.yaml for the embedded defaults and every key with its meaning.

#include <cstdint>
#include <string>
#include <vector>

#include "capstan/status.h"

namespace capstan::kernel {

struct PluginEntry {
  std::string name;      // instance name, unique
  std::string path;      // a file name looked up in pluginPath, or a path
  std::string argsYaml;  // the plugin's `args`, passed through as YAML text
  bool enabled = true;
  bool operator==(const PluginEntry&) const = default;
};

struct StoreConfig {
  std::uint64_t mapSizeBytes = 64ull << 30;
  std::uint32_t maxReaders = 4096;
  // As kube-apiserver's --etcd-compaction-interval: every interval, history older than the
  // revision seen one interval ago is compacted. 0 disables automatic compaction.
  std::int64_t compactionIntervalMs = 5 * 60 * 1000;
};

struct BusConfig {
  std::string socket = "bus.sock";  // relative to the data dir
  std::string tcp;                  // e.g. "127.0.0.1:0"; empty: no TCP listener
  std::size_t watchBacklog = 100000;
};

struct DaemonConfig {
  std::string dataDir = "capstan-data";
  std::string logLevel = "info";
  StoreConfig store;
  BusConfig bus;
  std::vector<std::string> pluginPath;
  std::vector<PluginEntry> plugins;
};

// `source` names the text in messages ("/etc/capstan.yaml", "embedded defaults").
Result<DaemonConfig> parseConfig(const std::string& yamlText, const std::string& source);
Result<DaemonConfig> loadConfigFile(const std::string& path);
// The config compiled into the binary (config/capstan.yaml at build time).
const std::string& embeddedDefaultConfig();

}  // namespace capstan::kernel
