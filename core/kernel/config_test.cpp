#include "kernel/config.h"

#include <catch2/catch.hpp>

using capstan::kernel::parseConfig;

TEST_CASE("embedded defaults parse") {
  auto c = parseConfig(capstan::kernel::embeddedDefaultConfig(), "embedded defaults");
  REQUIRE(c.ok());
  CHECK(c->store.mapSizeBytes == (64ull << 30));
  CHECK(c->bus.socket == "bus.sock");
  // The Kubernetes API (kubectl works right after start), the scheduler's default stages
  // and, after them, the framework that runs them.
  REQUIRE(c->plugins.size() >= 3);
  CHECK(c->plugins[0].name == "api");
  CHECK(c->plugins[0].path == "kube-api.so");
  CHECK(c->plugins[1].name == "PrioritySort");
  CHECK(c->plugins.back().name == "scheduler");
  CHECK(c->plugins.back().path == "scheduler-framework.so");
}

TEST_CASE("unknown keys are refused with their path") {
  auto c = parseConfig("store:\n  mapSize: 1Gi\n  mapsize: 2Gi\n", "x.yaml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message() == "x.yaml: unknown field \"store.mapsize\"");

  auto p = parseConfig("plugins:\n- name: a\n  path: a.so\n  argz: {}\n", "x.yaml");
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().message() == "x.yaml: unknown field \"plugins[0].argz\"");
}

TEST_CASE("malformed YAML names file, line and column") {
  auto c = parseConfig("store:\n  mapSize: [1\n", "bad.yaml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().message().rfind("bad.yaml:", 0) == 0);
}

TEST_CASE("wrong types and values are refused") {
  auto a = parseConfig("store:\n  maxReaders: lots\n", "c.yaml");
  REQUIRE_FALSE(a.ok());
  CHECK(a.status().message() == "c.yaml: store.maxReaders: expected an integer, got \"lots\"");
  auto b = parseConfig("store:\n  mapSize: 12Q\n", "c.yaml");
  REQUIRE_FALSE(b.ok());
  CHECK(b.status().message().find("store.mapSize") != std::string::npos);
  auto d = parseConfig("bus:\n  tcp: 0.0.0.0:9000\n", "c.yaml");
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().message().find("not a loopback address") != std::string::npos);
  auto e = parseConfig("logLevel: loud\n", "c.yaml");
  REQUIRE_FALSE(e.ok());
}

TEST_CASE("plugins with args, duplicates refused") {
  auto c = parseConfig(
      "plugins:\n- name: echo\n  path: echo-v1.so\n  args:\n    prefix: hi\n- name: other\n  path: /x/o.so\n  enabled: false\n",
      "c.yaml");
  REQUIRE(c.ok());
  REQUIRE(c->plugins.size() == 2);
  CHECK(c->plugins[0].argsYaml == "prefix: hi");
  CHECK_FALSE(c->plugins[1].enabled);
  auto d = parseConfig("plugins:\n- name: a\n  path: a.so\n- name: a\n  path: b.so\n", "c.yaml");
  REQUIRE_FALSE(d.ok());
  CHECK(d.status().message() == "c.yaml: plugins[1].name: duplicate plugin name \"a\"");
}
