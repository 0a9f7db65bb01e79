#pragma once
// Helpers shared by the plugin manager's tests (header-only: every *.cpp in this folder that
// is not a test goes into the library).

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include <spdlog/spdlog.h>

#include "capstan/host.h"
#include "capstan/registry.h"

namespace capstan::plugin::testing {

// Where ctest put the in-tree plugins (CAPSTAN_PLUGIN_DIR).
inline std::filesystem::path pluginDir() {
  const char* dir = std::getenv("CAPSTAN_PLUGIN_DIR");
  if (dir == nullptr || *dir == '\0') {
    throw std::runtime_error("CAPSTAN_PLUGIN_DIR is not set; run the tests through ctest");
  }
  return dir;
}

inline std::filesystem::path pluginFile(std::string_view name) { return pluginDir() / name; }

// A fresh private directory (mode 0700), removed with everything in it.
class TempDir final {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "capstan-pluginmgr-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = std::filesystem::canonical(pattern);  // as /proc/self/maps will show it
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

class NullMetrics final : public Metrics {
 public:
  void add(std::string_view, double) override {}
  void observe(std::string_view, double) override {}
};

// The Host the tests give plugins: a registry (the manager under test) and nothing else a
// test plugin uses.
class TestHost final : public Host {
 public:
  TestHost(PluginRegistry& registry, std::filesystem::path dataDir)
      : registry_(registry), dataDir_(std::move(dataDir)) {}

  StoreClient& store() override { throw std::logic_error("the plugin manager tests have no store"); }
  InformerFactory& informers() override { throw std::logic_error("the plugin manager tests have no informers"); }
  PluginRegistry& registry() override { return registry_; }
  const kj::Executor& loopExecutor() override {
    throw std::logic_error("the plugin manager tests have no kernel loop");
  }
  std::shared_ptr<spdlog::logger> logger() override { return spdlog::default_logger(); }
  Metrics& metrics() override { return metrics_; }
  std::string dataDir() override { return dataDir_.string(); }
  std::string daemonDataDir() override { return dataDir_.string(); }

 private:
  PluginRegistry& registry_;
  std::filesystem::path dataDir_;
  NullMetrics metrics_;
};

// Distinct files under `dir` whose name contains `nameContains` that are mapped into this
// process right now: how many images of a plugin are really loaded.
inline std::size_t mappedLibraries(const std::filesystem::path& dir, std::string_view nameContains) {
  std::ifstream maps("/proc/self/maps");
  std::set<std::string> files;
  const std::string prefix = dir.string() + "/";
  std::string line;
  while (std::getline(maps, line)) {
    auto slash = line.find('/');
    if (slash == std::string::npos) continue;
    std::string file = line.substr(slash);
    if (file.rfind(prefix, 0) != 0) continue;
    if (std::filesystem::path(file).filename().string().find(nameContains) == std::string::npos) continue;
    files.insert(file);
  }
  return files.size();
}

}  // namespace capstan::plugin::testing
