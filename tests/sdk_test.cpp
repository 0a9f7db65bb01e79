// The custom-plugin path a user follows (sdk/README.md): install the SDK with
// `cmake --install`, build the example plugins out of tree with find_package(Capstan), load
// them into a running daemon by a config change, and see pods placed by them.

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <catch2/catch.hpp>

#include "support/cluster.h"

using namespace capstan::testing;
namespace fs = std::filesystem;

namespace {

std::string buildDir() {
  const char* v = std::getenv("CAPSTAN_BUILD_DIR");
  if (!v || !*v) FAIL("CAPSTAN_BUILD_DIR is not set (run through ctest)");
  return v;
}

// The checkout the build came from, as its CMake cache records it.
std::string sourceDir(const std::string& build) {
  std::ifstream cache(build + "/CMakeCache.txt");
  const std::string key = "capstan_SOURCE_DIR:STATIC=";
  for (std::string line; std::getline(cache, line);)
    if (line.rfind(key, 0) == 0) return line.substr(key.size());
  FAIL("no capstan_SOURCE_DIR in " + build + "/CMakeCache.txt");
  return {};
}

void mustRun(const std::vector<std::string>& argv) {
  CommandResult r = run(argv);
  std::string line;
  for (const auto& a : argv) line += a + " ";
  INFO(line << "\n" << r.out << r.err);
  REQUIRE(r.exitCode == 0);
}

void addNode(Cluster& c, const std::string& name, const std::string& labels) {
  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, "apiVersion: v1\nkind: Node\nmetadata:\n  name: " + name +
                                                 "\n  labels:\n" + labels));
  REQUIRE_OK(c.kubectl({"patch", "node", name, "--subresource=status", "--type=merge", "-p",
                        R"({"status":{"allocatable":{"cpu":"64","memory":"64Gi","pods":"110"}}})"}));
}

}  // namespace

TEST_CASE("a user builds custom Score and Filter plugins out of tree and hot-loads them into a running daemon") {
  const std::string build = buildDir();
  const std::string source = sourceDir(build);
  TempDir work;
  const std::string prefix = work.path() + "/prefix";
  mustRun({"cmake", "--install", build, "--prefix", prefix});
  REQUIRE(fs::exists(prefix + "/lib/cmake/Capstan/CapstanConfig.cmake"));
  REQUIRE(fs::exists(prefix + "/include/capstan/scheduler.h"));
  for (const char* example : {"prefer-node-label", "node-maintenance"}) {
    std::string out = work.path() + "/" + example;
    mustRun({"cmake", "-S", source + "/sdk/examples/" + example, "-B", out, "-G", "Ninja",
             "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_PREFIX_PATH=" + prefix});
    mustRun({"cmake", "--build", out});
  }
  const std::string scorePlugin = work.path() + "/prefer-node-label/prefer-node-label.so";
  const std::string filterPlugin = work.path() + "/node-maintenance/node-maintenance.so";
  REQUIRE(fs::exists(scorePlugin));
  REQUIRE(fs::exists(filterPlugin));

  std::string defaults = run({binPath("capstan"), "--print-default-config"}).out;
  Cluster c("32", defaults);
  addNode(c, "fast", "    disktype: ssd\n");
  addNode(c, "fast-but-down", "    disktype: ssd\n    example.com/maintenance: \"true\"\n");
  addNode(c, "plain", "    disktype: hdd\n");

  // The config change: two more plugins, then `capctl reload` (no restart).
  c.daemon().rewriteConfig(defaults + "  - name: PreferNodeLabel\n    path: " + scorePlugin +
                           "\n    args: {key: disktype, value: ssd}\n  - name: NodeMaintenance\n    path: " +
                           filterPlugin + "\n");
  auto reloaded = c.daemon().capctl({"reload"});
  INFO(reloaded.out << reloaded.err);
  REQUIRE(reloaded.exitCode == 0);
  CHECK(contains(reloaded.out, "load PreferNodeLabel"));
  // The default profile picks up every loaded stage (within a second).
  bool joined = false;
  for (int i = 0; i < 100 && !joined; ++i) {
    auto stats = c.daemon().capctl({"call", "scheduler", "stats"});
    joined = contains(stats.out, "\"PreferNodeLabel\"") && contains(stats.out, "\"NodeMaintenance\"");
    if (!joined) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE(joined);

  std::string pods;
  for (int i = 0; i < 5; ++i)
    pods += "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p" + std::to_string(i) +
            "\nspec:\n  containers:\n  - name: app\n    image: nginx\n    resources:\n      requests:\n        cpu: "
            "10m\n---\n";
  REQUIRE_OK(c.kubectl({"apply", "-f", "-"}, pods));
  std::string placed;
  for (int i = 0; i < 600; ++i) {
    placed = c.kubectl({"get", "pods", "-o", "jsonpath={range .items[*]}{.spec.nodeName} {end}"}).out;
    if (placed.find("  ") == std::string::npos && placed.size() > 0 && placed[0] != ' ' &&
        std::count(placed.begin(), placed.end(), ' ') == 5 && placed.find(" ") != 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  // PreferNodeLabel sends them to the ssd node; NodeMaintenance keeps them off the one down.
  CHECK(placed == "fast fast fast fast fast ");
}
