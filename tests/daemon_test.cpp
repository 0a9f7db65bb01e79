// The daemon as a user meets it: start on defaults, endpoints.json, capctl against it,
// bad config refused with a clear message, clean shutdown, one daemon per data dir.

#include <signal.h>

#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "support/daemon.h"

using namespace capstan::testing;
namespace fs = std::filesystem;

// The kernel on its own: raw store objects, exact revisions (no plugin writes anything).
const char* kKernelOnly = "plugins: []\n";

TEST_CASE("starts on the embedded defaults and serves capctl") {
  TempDir dir;
  Daemon d(dir.path() + "/data");
  REQUIRE(d.start());
  std::string endpoints = readFile(d.dataDir() + "/endpoints.json");
  CHECK(endpoints.find("\"bus\": \"unix:" + d.dataDir() + "/bus.sock\"") != std::string::npos);
  // The bus socket is private to the owner: it can load code into the daemon.
  CHECK((fs::status(d.dataDir() + "/bus.sock").permissions() & fs::perms::all) ==
        (fs::perms::owner_read | fs::perms::owner_write));

  auto status = d.capctl({"status"});
  INFO(status.err);
  REQUIRE(status.exitCode == 0);
  // The embedded defaults load the Kubernetes API, which creates the four system
  // namespaces and writes a kubeconfig.
  CHECK(status.out.find("revision:  4") != std::string::npos);
  CHECK(status.out.find("namespaces: 4") != std::string::npos);
  CHECK(status.out.find("kube-api") != std::string::npos);
  CHECK(status.out.find("Running") != std::string::npos);
  CHECK(fs::exists(d.dataDir() + "/kubeconfig"));
  CHECK(d.stop() == 0);
  CHECK_FALSE(fs::exists(d.dataDir() + "/endpoints.json"));
}

TEST_CASE("capctl put, get, list, delete and watch raw objects") {
  TempDir dir;
  Daemon d(dir.path() + "/data", kKernelOnly);
  REQUIRE(d.start());

  auto put = d.capctl({"put", "--create"},
                      R"({"type":"widgets","namespace":"ns1","name":"w1","labels":{"app":"web"},"body":{"size":3}})");
  INFO(put.err);
  REQUIRE(put.exitCode == 0);
  CHECK(put.out.find("\"revision\": 1") != std::string::npos);

  auto again = d.capctl({"put", "--create"}, R"({"type":"widgets","namespace":"ns1","name":"w1"})");
  CHECK(again.exitCode != 0);
  CHECK(again.err.find("exists") != std::string::npos);

  REQUIRE(d.capctl({"put"}, "type: widgets\nnamespace: ns1\nname: w2\nlabels: {app: db}\nbody: {size: 5}\n").exitCode == 0);

  auto get = d.capctl({"get", "widgets", "ns1/w1"});
  REQUIRE(get.exitCode == 0);
  CHECK(get.out.find("\"body\": {\"size\":3}") != std::string::npos);
  CHECK(get.out.find("\"labels\": {\"app\":\"web\"}") != std::string::npos);

  auto list = d.capctl({"get", "widgets", "-l", "app=db"});
  REQUIRE(list.exitCode == 0);
  CHECK(list.out.find("\"name\":\"w2\"") != std::string::npos);
  CHECK(list.out.find("\"name\":\"w1\"") == std::string::npos);

  auto badSelector = d.capctl({"get", "widgets", "-l", "app in (x"});
  CHECK(badSelector.exitCode != 0);
  CHECK_FALSE(badSelector.err.empty());

  // The first version is still readable at its revision.
  REQUIRE(d.capctl({"put"}, R"({"type":"widgets","namespace":"ns1","name":"w1","body":{"size":4}})").exitCode == 0);
  auto old = d.capctl({"get", "widgets", "ns1/w1", "--revision", "1"});
  REQUIRE(old.exitCode == 0);
  CHECK(old.out.find("{\"size\":3}") != std::string::npos);

  auto stale = d.capctl({"put", "--update", "--expect-revision", "1"},
                        R"({"type":"widgets","namespace":"ns1","name":"w1","body":{"size":9}})");
  CHECK(stale.exitCode != 0);

  auto replay = d.capctl({"watch", "widgets", "--from", "1", "--count", "2"});
  REQUIRE(replay.exitCode == 0);
  CHECK(replay.out.find("\"type\":\"ADDED\",\"revision\":2") != std::string::npos);
  CHECK(replay.out.find("\"type\":\"MODIFIED\",\"revision\":3") != std::string::npos);

  auto del = d.capctl({"delete", "widgets", "ns1/w2"});
  REQUIRE(del.exitCode == 0);
  CHECK(d.capctl({"get", "widgets", "ns1/w2"}).exitCode != 0);

  auto unknown = d.capctl({"put"}, R"({"type":"widgets","name":"x","colour":"red"})");
  CHECK(unknown.exitCode != 0);
  CHECK(unknown.err.find("unknown field \"colour\"") != std::string::npos);
  auto malformed = d.capctl({"put"}, "{\"type\": \"widgets\", \"name\": ");
  CHECK(malformed.exitCode != 0);
  CHECK(malformed.err.find("stdin:") != std::string::npos);
  CHECK(d.running());
}

TEST_CASE("a config with an unknown key or bad YAML is refused with where and what") {
  TempDir dir;
  {
    Daemon d(dir.path() + "/a", "store:\n  mapSize: 1Gi\n  mapsise: 2Gi\n");
    REQUIRE_FALSE(d.start());
    CHECK(d.log().find("unknown field \"store.mapsise\"") != std::string::npos);
  }
  {
    Daemon d(dir.path() + "/b", "plugins: [\n");
    REQUIRE_FALSE(d.start());
    CHECK(d.log().find(".config.yaml:") != std::string::npos);
  }
}

TEST_CASE("one daemon per data dir") {
  TempDir dir;
  Daemon a(dir.path() + "/data");
  REQUIRE(a.start());
  Daemon b(dir.path() + "/data");
  REQUIRE_FALSE(b.start());
  CHECK(b.log().find("is in use by another capstan (pid " + std::to_string(a.pid()) + ")") != std::string::npos);
  CHECK(a.running());
}

TEST_CASE("data survives a restart and a backup restores") {
  TempDir dir;
  Daemon d(dir.path() + "/data", kKernelOnly);
  REQUIRE(d.start());
  for (int i = 0; i < 20; ++i) {
    REQUIRE(d.capctl({"put"}, "{\"type\":\"things\",\"name\":\"t" + std::to_string(i) + "\"}").exitCode == 0);
  }
  auto backup = d.capctl({"backup", dir.path() + "/backup"});
  INFO(backup.err);
  REQUIRE(backup.exitCode == 0);
  REQUIRE(d.capctl({"delete", "things", "t0"}).exitCode == 0);
  REQUIRE(d.stop() == 0);

  REQUIRE(d.start());
  CHECK(d.capctl({"get", "things", "t0"}).exitCode != 0);
  auto status = d.capctl({"status"});
  CHECK(status.out.find("revision:  21") != std::string::npos);
  auto refused = d.capctl({"restore", dir.path() + "/backup"});
  CHECK(refused.exitCode != 0);
  CHECK(refused.err.find("stop it before restoring") != std::string::npos);
  REQUIRE(d.stop() == 0);

  auto restored = run({"capctl", "restore", dir.path() + "/backup", "--data-dir", d.dataDir()});
  INFO(restored.err);
  REQUIRE(restored.exitCode == 0);
  REQUIRE(d.start());
  CHECK(d.capctl({"get", "things", "t0"}).exitCode == 0);
  CHECK(d.capctl({"status"}).out.find("revision:  20") != std::string::npos);
}

TEST_CASE("compaction makes old revisions Gone") {
  TempDir dir;
  Daemon d(dir.path() + "/data", kKernelOnly);
  REQUIRE(d.start());
  for (int i = 0; i < 3; ++i) REQUIRE(d.capctl({"put"}, R"({"type":"t","name":"x","body":{"n":1}})").exitCode == 0);
  REQUIRE(d.capctl({"compact"}).exitCode == 0);
  auto old = d.capctl({"get", "t", "x", "--revision", "1"});
  CHECK(old.exitCode != 0);
  CHECK(old.err.find("compacted") != std::string::npos);
  CHECK(d.capctl({"get", "t", "x"}).exitCode == 0);
}
