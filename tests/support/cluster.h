#pragma once
// A capstan daemon serving the Kubernetes API (plus whatever else the config loads), and
// real kubectl pointed at it through the kubeconfig the API plugin writes.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "support/daemon.h"

namespace capstan::testing {

// The versioned kubectl binary 1.<minor> installed beside the `kubectl` dispatcher.
std::string kubectlBinary(const std::string& minor);

// The config of a daemon with the API plugin alone.
extern const char* const kApiOnlyConfig;

class Cluster {
 public:
  explicit Cluster(const std::string& kubectlMinor = "32", const std::string& configYaml = kApiOnlyConfig);

  std::string kubeconfig() const { return daemon_.dataDir() + "/kubeconfig"; }
  const std::string& dir() const { return dir_.path(); }
  Daemon& daemon() { return daemon_; }

  CommandResult kubectl(std::vector<std::string> args, const std::string& stdinText = "",
                        std::vector<std::string> env = {});
  std::vector<std::string> kubectlArgv(std::vector<std::string> args);
  // Writes `text` to a file in the test's directory; returns its path.
  std::string write(const std::string& name, const std::string& text);

 private:
  TempDir dir_;
  Daemon daemon_;
  std::string kubectl_;
};

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace capstan::testing

#define REQUIRE_OK(result)                                \
  do {                                                    \
    auto&& r_ = (result);                                 \
    INFO("stdout: " << r_.out << "\nstderr: " << r_.err); \
    REQUIRE(r_.exitCode == 0);                            \
  } while (0)
