#include "support/cluster.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace fs = std::filesystem;

namespace capstan::testing {

std::string kubectlBinary(const std::string& minor) {
  std::vector<std::string> candidates;
  if (const char* dir = std::getenv("CAPSTAN_KUBECTL_DIR")) candidates.push_back(std::string(dir) + "/kubectl.1." + minor);
  std::error_code ec;
  for (const char* onPath : {"/usr/bin/kubectl", "/usr/local/bin/kubectl"}) {
    fs::path real = fs::canonical(onPath, ec);
    if (!ec) candidates.push_back((real.parent_path() / ("kubectl.1." + minor)).string());
  }
  candidates.push_back("/usr/lib/google-cloud-sdk/bin/kubectl.1." + minor);
  for (const auto& c : candidates)
    if (::access(c.c_str(), X_OK) == 0) return c;
  FAIL("kubectl 1." + minor + " is not installed (looked beside /usr/bin/kubectl; set CAPSTAN_KUBECTL_DIR)");
  return {};
}

const char* const kApiOnlyConfig = R"(
plugins:
  - name: api
    path: kube-api.so
    args:
      address: 127.0.0.1:0
      kubernetesVersion: v1.32.0
)";

Cluster::Cluster(const std::string& kubectlMinor, const std::string& configYaml)
    : daemon_(dir_.path() + "/data", configYaml), kubectl_(kubectlBinary(kubectlMinor)) {
  if (!daemon_.start()) FAIL("daemon did not start:\n" + daemon_.log());
  for (int i = 0; i < 400 && !fs::exists(kubeconfig()); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  if (!fs::exists(kubeconfig())) FAIL("no kubeconfig was written:\n" + daemon_.log());
}

CommandResult Cluster::kubectl(std::vector<std::string> args, const std::string& stdinText,
                               std::vector<std::string> env) {
  env.push_back("HOME=" + dir_.path());
  return run(kubectlArgv(std::move(args)), stdinText, env);
}

std::vector<std::string> Cluster::kubectlArgv(std::vector<std::string> args) {
  std::vector<std::string> argv = {kubectl_, "--kubeconfig", kubeconfig(), "--cache-dir", dir_.path() + "/cache"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::string Cluster::write(const std::string& name, const std::string& text) {
  std::string path = dir_.path() + "/" + name;
  writeFile(path, text);
  return path;
}

}  // namespace capstan::testing
