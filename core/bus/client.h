#pragma once
// BusClient: how a Capstan process (capctl, node agents, benchmarks, tests) talks to the
// kernel. Runs on the caller's KJ event loop; not thread-safe (one client per loop).
//
// Writes and point reads issued in the same loop turn, or while earlier calls are in
// flight, are coalesced into one bus call: 64 concurrent requesters cost a handful of
// round trips, not 64.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

#include "capstan/store.h"
#include "schema/kernel.capnp.h"

namespace capstan::bus {

struct ClientOptions {
  // Calls of each kind (write, get) in flight at once; further requests wait and are
  // coalesced into the next call.
  unsigned maxInFlight = 2;
  // Upper bound of mutations (or keys) per coalesced call.
  std::size_t maxBatch = 4096;
  // Results of coalesced writes carry metadata only (no body echoed back).
  bool briefWrites = true;
};

class BusClient {
 public:
  // `address`: "unix:/path/bus.sock" or "HOST:PORT", or a plain path to a socket.
  static kj::Promise<kj::Own<BusClient>> connect(kj::AsyncIoContext& io, std::string address,
                                                ClientOptions options = {});
  // Reads <dataDir>/endpoints.json and connects to the Unix socket it names.
  static kj::Promise<kj::Own<BusClient>> connectDataDir(kj::AsyncIoContext& io, const std::string& dataDir,
                                                       ClientOptions options = {});

  BusClient(kj::Own<kj::AsyncIoStream> stream, ClientOptions options);
  ~BusClient();

  schema::Kernel::Client& kernel() { return kernel_; }

  // Coalesced single-object operations.
  kj::Promise<WriteResult> write(Mutation mutation);
  kj::Promise<Result<Object>> get(std::string type, std::string ns, std::string name);

  // One bus call each.
  kj::Promise<std::vector<WriteResult>> writeBatch(std::vector<Mutation> batch, bool brief = false);
  kj::Promise<Result<ListResult>> list(ListOptions options);

  // Resolves when the connection drops.
  kj::Promise<void> onDisconnect();

 private:
  struct PendingWrite {
    Mutation mutation;
    kj::Own<kj::PromiseFulfiller<WriteResult>> fulfiller;
  };
  struct PendingGet {
    std::string type, ns, name;
    kj::Own<kj::PromiseFulfiller<Result<Object>>> fulfiller;
  };

  void scheduleWrites();
  void flushWrites();
  void scheduleGets();
  void flushGets();

  ClientOptions options_;
  kj::Own<kj::AsyncIoStream> stream_;
  capnp::TwoPartyClient rpc_;
  schema::Kernel::Client kernel_;
  std::vector<PendingWrite> pendingWrites_;
  std::vector<PendingGet> pendingGets_;
  unsigned writesInFlight_ = 0;
  unsigned getsInFlight_ = 0;
  bool writeFlushScheduled_ = false;
  bool getFlushScheduled_ = false;
  struct ErrorHandler final : public kj::TaskSet::ErrorHandler {
    void taskFailed(kj::Exception&& e) override;
  } errorHandler_;
  kj::TaskSet tasks_;
};

// Reads the bus address from <dataDir>/endpoints.json ("unix:/..." form).
Result<std::string> busAddressFromDataDir(const std::string& dataDir);

}  // namespace capstan::bus
