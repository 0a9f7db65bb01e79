// Hot swap under load: a service plugin answers a continuous stream of bus requests while
// it is swapped between two builds, by `capctl plugin swap`, by the bus, by config reload
// (SIGHUP and `capctl reload`) and by rebuilding the file at the same path. No request
// fails or is lost, each is answered by exactly one version, old libraries are unloaded.

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>
#include <kj/async-io.h>

#include "bus/client.h"
#include "bus/convert.h"
#include "support/daemon.h"

using namespace capstan;
using namespace capstan::testing;
namespace fs = std::filesystem;

namespace {

int swapCount() {
  if (const char* r = std::getenv("CAPSTAN_SWAP_COUNT")) return std::atoi(r);
  return 100;
}

// Distinct content-addressed plugin images mapped into the daemon right now.
std::set<std::string> mappedPluginImages(pid_t pid, const std::string& cacheDir) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::set<std::string> images;
  std::string line;
  while (std::getline(maps, line)) {
    auto pos = line.find(cacheDir);
    if (pos != std::string::npos) images.insert(line.substr(pos));
  }
  return images;
}

std::string configWithEcho(const std::string& path) {
  return "plugins:\n- name: echo\n  path: " + path + "\n";
}

struct Load {
  explicit Load(schema::Service::Client s) : service(kj::mv(s)) {}
  schema::Service::Client service;
  int sent = 0;
  int answered = 0;
  int failed = 0;
  std::set<std::string> versions;
  std::string firstError;
  bool stop = false;

  // One caller: each reply must be "<version>|<payload>" with its own payload.
  kj::Promise<void> caller(int id) {
    if (stop) return kj::READY_NOW;
    std::string payload = "c";
    payload += std::to_string(id);
    payload += '-';
    payload += std::to_string(sent++);
    auto req = service.callRequest();
    req.setMethod("tagged");
    req.setPayload(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(payload.data()), payload.size()));
    return req.send()
        .then([this, payload](capnp::Response<schema::Service::CallResults> r) {
          Status s = bus::fromCapnp(r.getStatus());
          auto data = r.getPayload();
          std::string reply(reinterpret_cast<const char*>(data.begin()), data.size());
          auto bar = reply.find('|');
          if (!s.ok() || bar == std::string::npos || reply.substr(bar + 1) != payload) {
            ++failed;
            if (firstError.empty()) firstError = s.ok() ? "bad reply: " + reply : s.toString();
          } else {
            ++answered;
            versions.insert(reply.substr(0, bar));
          }
        })
        .then([this, id]() { return caller(id); });
  }
};

schema::Service::Client echoService(bus::BusClient& client, kj::WaitScope& ws) {
  auto req = client.kernel().serviceRequest();
  req.setName("echo");
  auto r = req.send().wait(ws);
  REQUIRE(bus::fromCapnp(r.getStatus()).ok());
  return r.getService();
}

}  // namespace

TEST_CASE("swap back and forth under a continuous stream of requests") {
  TempDir dir;
  Daemon d(dir.path() + "/data", configWithEcho("echo-v1.so"));
  REQUIRE(d.start());
  auto io = kj::setupAsyncIo();
  auto& ws = io.waitScope;
  auto client = bus::BusClient::connect(io, d.busAddress()).wait(ws);
  Load load(echoService(*client, ws));

  kj::Vector<kj::Promise<void>> callers;
  for (int c = 0; c < 8; ++c) callers.add(load.caller(c));

  const int swaps = swapCount();
  std::size_t maxImages = 0;
  for (int i = 0; i < swaps; ++i) {
    auto req = client->kernel().swapPluginRequest();
    req.setName("echo");
    req.setPath(i % 2 == 0 ? "echo-v2.so" : "echo-v1.so");
    auto status = bus::fromCapnp(req.send().wait(ws).getStatus());
    INFO("swap " << i << ": " << status.toString());
    REQUIRE(status.ok());
    // Let requests flow between swaps so that every swap happens under load.
    int before = load.answered;
    while (load.answered < before + 20 && load.failed == 0) io.provider->getTimer().afterDelay(1 * kj::MILLISECONDS).wait(ws);
    maxImages = std::max(maxImages, mappedPluginImages(d.pid(), d.dataDir() + "/plugin-cache").size());
  }
  load.stop = true;
  kj::joinPromises(callers.releaseAsArray()).wait(ws);

  INFO(load.firstError);
  CHECK(load.failed == 0);
  CHECK(load.answered > swaps * 20);
  CHECK(load.versions == std::set<std::string>{"1.0.0", "2.0.0"});
  // Old images are really unloaded: at most the one being replaced and its successor
  // were ever mapped together, and only the current one is left.
  CHECK(maxImages <= 2);
  CHECK(mappedPluginImages(d.pid(), d.dataDir() + "/plugin-cache").size() == 1);

  auto plugins = d.capctl({"plugins"});
  CHECK(plugins.out.find("echo") != std::string::npos);
  CHECK(plugins.out.find(swaps % 2 == 0 ? "1.0.0" : "2.0.0") != std::string::npos);
}

TEST_CASE("swap by capctl, by config reload and by a rebuilt file at the same path") {
  TempDir dir;
  std::string soPath = dir.path() + "/echo.so";
  fs::copy_file(pluginPath("echo-v1.so"), soPath);
  Daemon d(dir.path() + "/data", configWithEcho(soPath));
  REQUIRE(d.start());

  auto version = [&]() {
    auto io = kj::setupAsyncIo();
    auto client = bus::BusClient::connect(io, d.busAddress()).wait(io.waitScope);
    auto service = echoService(*client, io.waitScope);
    auto req = service.callRequest();
    req.setMethod("tagged");
    req.setPayload(capnp::Data::Reader(reinterpret_cast<const kj::byte*>("x"), 1));
    auto r = req.send().wait(io.waitScope);
    auto data = r.getPayload();
    std::string reply(reinterpret_cast<const char*>(data.begin()), data.size());
    return reply.substr(0, reply.find('|'));
  };
  REQUIRE(version() == "1.0.0");

  // capctl plugin swap to another file.
  auto swapped = d.capctl({"plugin", "swap", "echo", pluginPath("echo-v2.so")});
  INFO(swapped.err);
  REQUIRE(swapped.exitCode == 0);
  CHECK(version() == "2.0.0");

  // A rebuilt file at the same path: the content decides, not the path.
  REQUIRE(d.capctl({"plugin", "swap", "echo", soPath}).exitCode == 0);
  CHECK(version() == "1.0.0");
  fs::copy_file(pluginPath("echo-v2.so"), soPath, fs::copy_options::overwrite_existing);
  REQUIRE(d.capctl({"reload"}).exitCode == 0);
  CHECK(version() == "2.0.0");

  // Config reload by SIGHUP: a changed path swaps, changed args reconfigure live.
  d.rewriteConfig(configWithEcho(pluginPath("echo-v1.so")) + "  args:\n    prefix: \"hello \"\n");
  d.signal(SIGHUP);
  std::string v;
  for (int i = 0; i < 500 && (v = version()) != "1.0.0"; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(v == "1.0.0");

  // A bad plugin is refused with a message naming it, and the old one keeps serving.
  auto bad = d.capctl({"plugin", "swap", "echo", pluginPath("test-bad-abi.so")});
  CHECK(bad.exitCode != 0);
  CHECK(bad.err.find("test-bad-abi.so") != std::string::npos);
  CHECK(version() == "1.0.0");
  auto missing = d.capctl({"plugin", "load", "other", "/nonexistent/x.so"});
  CHECK(missing.exitCode != 0);
  CHECK(missing.err.find("/nonexistent/x.so") != std::string::npos);
  CHECK(d.running());

  // Removing the plugin from the config unloads it.
  d.rewriteConfig("plugins: []\n");
  auto reload = d.capctl({"reload"});
  REQUIRE(reload.exitCode == 0);
  CHECK(d.capctl({"plugins"}).out.find("no plugins loaded") != std::string::npos);
  CHECK(mappedPluginImages(d.pid(), d.dataDir() + "/plugin-cache").empty());
}
