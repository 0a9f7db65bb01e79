// Crash safety: many concurrent writers over the bus, the daemon killed with SIGKILL at
// random moments; after each restart every acknowledged write is there with the revision
// it was acknowledged with, revisions only go up, and the store opens cleanly.

#include <chrono>
#include <cstdlib>
#include <map>
#include <random>

#include <catch2/catch.hpp>
#include <kj/async-io.h>

#include "bus/client.h"
#include "support/daemon.h"

using namespace capstan;
using namespace capstan::testing;

namespace {

int rounds() {
  if (const char* r = std::getenv("CAPSTAN_CRASH_ROUNDS")) return std::atoi(r);
  return std::getenv("CI") && *std::getenv("CI") ? 8 : 20;
}

struct Writer {
  bus::BusClient& client;
  std::map<std::string, int64_t>& acked;
  std::string prefix;
  int seq = 0;

  kj::Promise<void> loop() {
    Mutation m;
    m.op = MutationOp::kCreate;
    m.object.type = "crash";
    m.object.ns = "default";
    m.object.name = prefix + "-" + std::to_string(seq++);
    m.object.format = BodyFormat::kJson;
    m.object.body = "{\"pad\":\"" + std::string(200, 'x') + "\"}";
    return client.write(m).then([this, name = m.object.name](WriteResult r) -> kj::Promise<void> {
      if (!r.status.ok()) return KJ_EXCEPTION(FAILED, r.status.message());
      acked[name] = r.object.revision;
      return loop();
    });
  }
};

}  // namespace

TEST_CASE("no acknowledged write is lost across SIGKILL") {
  TempDir dir;
  Daemon d(dir.path() + "/data");
  auto io = kj::setupAsyncIo();
  auto& ws = io.waitScope;
  std::mt19937 rng(std::random_device{}());
  std::map<std::string, int64_t> acked;
  int64_t lastRevision = 0;
  const int n = rounds();

  for (int round = 0; round <= n; ++round) {
    REQUIRE(d.start());
    auto client = bus::BusClient::connect(io, d.busAddress()).wait(ws);

    // Everything acknowledged before the last kill is there, with its revision.
    ListOptions all;
    all.type = "crash";
    std::map<std::string, int64_t> found;
    int64_t listRevision = 0;
    do {
      all.limit = 5000;
      auto page = client->list(all).wait(ws);
      REQUIRE(page.ok());
      for (auto& o : page->items) found[o.name] = o.revision;
      all.continueToken = page->continueToken;
      listRevision = page->revision;
    } while (!all.continueToken.empty());
    std::size_t missing = 0;
    for (const auto& [name, revision] : acked) {
      auto it = found.find(name);
      if (it == found.end() || it->second != revision) ++missing;
    }
    INFO("round " << round << ": " << acked.size() << " acknowledged, " << found.size() << " stored");
    REQUIRE(missing == 0);
    // Revisions never go backwards across a crash.
    REQUIRE(listRevision >= lastRevision);
    if (round == n) break;

    std::vector<std::unique_ptr<Writer>> writers;
    kj::Vector<kj::Promise<void>> loops;
    for (int w = 0; w < 64; ++w) {
      writers.push_back(std::make_unique<Writer>(Writer{*client, acked, "r" + std::to_string(round) + "w" + std::to_string(w)}));
      loops.add(writers.back()->loop().catch_([](kj::Exception&&) {}));
    }
    auto delay = std::uniform_int_distribution<int>(20, 400)(rng);
    auto killer = io.provider->getTimer().afterDelay(delay * kj::MILLISECONDS).then([&d]() { d.kill9(); }).eagerlyEvaluate(nullptr);
    kj::joinPromises(loops.releaseAsArray()).wait(ws);
    killer.wait(ws);
    for (const auto& [name, revision] : acked) lastRevision = std::max(lastRevision, revision);
  }
  // After all the kills, a new write gets a revision above every acknowledged one.
  auto client = bus::BusClient::connect(io, d.busAddress()).wait(ws);
  Mutation m;
  m.object.type = "crash";
  m.object.name = "after";
  auto r = client->write(m).wait(ws);
  REQUIRE(r.status.ok());
  CHECK(r.object.revision > lastRevision);
  CHECK(acked.size() > 0);
  CHECK(d.stop() == 0);
}
