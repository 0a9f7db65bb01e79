// GCC 12 reports -Wmaybe-uninitialized from inside std::variant when a Result<Object> is
// moved through kj::Promise's ExceptionOr<T> at -O2; the value is always constructed
// before it is read (a known class of false positives with std::variant in GCC 12).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "bus/client.h"


#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "bus/convert.h"
#include "store/codec.h"

namespace capstan::bus {
namespace {
std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }
}  // namespace

void BusClient::ErrorHandler::taskFailed(kj::Exception&& e) {
  spdlog::debug("bus client task failed: {}", e.getDescription().cStr());
}

Result<std::string> busAddressFromDataDir(const std::string& dataDir) {
  std::string path = dataDir + "/endpoints.json";
  std::ifstream in(path);
  if (!in) return Status::unavailable("cannot read " + path + ": is the capstan daemon running with --data-dir " + dataDir + "?");
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    YAML::Node doc = YAML::Load(ss.str());  // JSON is YAML
    if (!doc["bus"]) return Status::invalidArgument(path + " has no \"bus\" address");
    return doc["bus"].as<std::string>();
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(path + ": " + e.what());
  }
}

kj::Promise<kj::Own<BusClient>> BusClient::connect(kj::AsyncIoContext& io, std::string address,
                                                   ClientOptions options) {
  if (!address.empty() && address[0] == '/') address = "unix:" + address;
  return io.provider->getNetwork()
      .parseAddress(address)
      .then([](kj::Own<kj::NetworkAddress> addr) { return addr->connect().attach(kj::mv(addr)); })
      .then([options](kj::Own<kj::AsyncIoStream> stream) { return kj::heap<BusClient>(kj::mv(stream), options); });
}

kj::Promise<kj::Own<BusClient>> BusClient::connectDataDir(kj::AsyncIoContext& io, const std::string& dataDir,
                                                          ClientOptions options) {
  auto address = busAddressFromDataDir(dataDir);
  if (!address.ok()) return KJ_EXCEPTION(DISCONNECTED, address.status().message());
  return connect(io, *address, options);
}

BusClient::BusClient(kj::Own<kj::AsyncIoStream> stream, ClientOptions options)
    : options_(options),
      stream_(kj::mv(stream)),
      rpc_(*stream_),
      kernel_(rpc_.bootstrap().castAs<schema::Kernel>()),
      tasks_(errorHandler_) {}

BusClient::~BusClient() = default;

kj::Promise<void> BusClient::onDisconnect() { return rpc_.onDisconnect(); }

kj::Promise<WriteResult> BusClient::write(Mutation mutation) {
  auto paf = kj::newPromiseAndFulfiller<WriteResult>();
  pendingWrites_.push_back(PendingWrite{std::move(mutation), kj::mv(paf.fulfiller)});
  scheduleWrites();
  return kj::mv(paf.promise);
}

void BusClient::scheduleWrites() {
  if (writeFlushScheduled_ || pendingWrites_.empty() || writesInFlight_ >= options_.maxInFlight) return;
  writeFlushScheduled_ = true;
  // Flush at the end of this loop turn so that everything requested in it goes together.
  tasks_.add(kj::evalLater([this]() {
    writeFlushScheduled_ = false;
    flushWrites();
  }));
}

void BusClient::flushWrites() {
  if (pendingWrites_.empty() || writesInFlight_ >= options_.maxInFlight) return;
  std::size_t n = std::min(pendingWrites_.size(), options_.maxBatch);
  auto req = kernel_.writeRequest();
  req.setBrief(options_.briefWrites);
  auto list = req.initMutations(n);
  auto fulfillers = kj::heapArrayBuilder<kj::Own<kj::PromiseFulfiller<WriteResult>>>(n);
  for (std::size_t i = 0; i < n; ++i) {
    toCapnp(pendingWrites_[i].mutation, list[i]);
    fulfillers.add(kj::mv(pendingWrites_[i].fulfiller));
  }
  pendingWrites_.erase(pendingWrites_.begin(), pendingWrites_.begin() + static_cast<std::ptrdiff_t>(n));
  ++writesInFlight_;
  auto shared = std::make_shared<kj::Array<kj::Own<kj::PromiseFulfiller<WriteResult>>>>(fulfillers.finish());
  auto onError = shared;
  tasks_.add(req.send()
                 .then(
                     [shared](capnp::Response<schema::Kernel::WriteResults> response) mutable {
                       auto results = response.getResults();
                       auto& fs = *shared;
                       for (std::size_t i = 0; i < fs.size(); ++i) {
                         if (i < results.size()) {
                           fs[i]->fulfill(fromCapnp(results[i]));
                         } else {
                           fs[i]->reject(KJ_EXCEPTION(FAILED, "bus write returned too few results"));
                         }
                       }
                     },
                     [onError](kj::Exception&& e) mutable {
                       for (auto& f : *onError) f->reject(kj::cp(e));
                     })
                 .then([this]() {
                   --writesInFlight_;
                   scheduleWrites();
                 }));
  if (!pendingWrites_.empty()) scheduleWrites();
}

kj::Promise<Result<Object>> BusClient::get(std::string type, std::string ns, std::string name) {
  auto paf = kj::newPromiseAndFulfiller<Result<Object>>();
  pendingGets_.push_back(PendingGet{std::move(type), std::move(ns), std::move(name), kj::mv(paf.fulfiller)});
  scheduleGets();
  return kj::mv(paf.promise);
}

void BusClient::scheduleGets() {
  if (getFlushScheduled_ || pendingGets_.empty() || getsInFlight_ >= options_.maxInFlight) return;
  getFlushScheduled_ = true;
  tasks_.add(kj::evalLater([this]() {
    getFlushScheduled_ = false;
    flushGets();
  }));
}

void BusClient::flushGets() {
  if (pendingGets_.empty() || getsInFlight_ >= options_.maxInFlight) return;
  std::size_t n = std::min(pendingGets_.size(), options_.maxBatch);
  auto req = kernel_.getRequest();
  auto keys = req.initKeys(n);
  auto fulfillers = kj::heapArrayBuilder<kj::Own<kj::PromiseFulfiller<Result<Object>>>>(n);
  for (std::size_t i = 0; i < n; ++i) {
    keys[i].setType(pendingGets_[i].type);
    keys[i].setNs(pendingGets_[i].ns);
    keys[i].setName(pendingGets_[i].name);
    fulfillers.add(kj::mv(pendingGets_[i].fulfiller));
  }
  pendingGets_.erase(pendingGets_.begin(), pendingGets_.begin() + static_cast<std::ptrdiff_t>(n));
  ++getsInFlight_;
  auto shared = std::make_shared<kj::Array<kj::Own<kj::PromiseFulfiller<Result<Object>>>>>(fulfillers.finish());
  auto onError = shared;
  tasks_.add(req.send()
                 .then(
                     [shared](capnp::Response<schema::Kernel::GetResults> response) mutable {
                       auto results = response.getResults();
                       auto& fs = *shared;
                       for (std::size_t i = 0; i < fs.size(); ++i) {
                         if (i >= results.size()) {
                           fs[i]->reject(KJ_EXCEPTION(FAILED, "bus get returned too few results"));
                           continue;
                         }
                         Status s = fromCapnp(results[i].getStatus());
                         if (s.ok()) {
                           fs[i]->fulfill(Result<Object>(store::fromCapnp(results[i].getObject())));
                         } else {
                           fs[i]->fulfill(Result<Object>(std::move(s)));
                         }
                       }
                     },
                     [onError](kj::Exception&& e) mutable {
                       for (auto& f : *onError) f->reject(kj::cp(e));
                     })
                 .then([this]() {
                   --getsInFlight_;
                   scheduleGets();
                 }));
  if (!pendingGets_.empty()) scheduleGets();
}

kj::Promise<std::vector<WriteResult>> BusClient::writeBatch(std::vector<Mutation> batch, bool brief) {
  auto req = kernel_.writeRequest();
  req.setBrief(brief);
  auto list = req.initMutations(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) toCapnp(batch[i], list[i]);
  return req.send().then([](capnp::Response<schema::Kernel::WriteResults> response) {
    std::vector<WriteResult> out;
    auto results = response.getResults();
    out.reserve(results.size());
    for (auto r : results) out.push_back(fromCapnp(r));
    return out;
  });
}

kj::Promise<Result<ListResult>> BusClient::list(ListOptions options) {
  auto req = kernel_.listRequest();
  toCapnp(options, req.initOptions());
  return req.send().then([](capnp::Response<schema::Kernel::ListResults> response) -> Result<ListResult> {
    Status s = fromCapnp(response.getStatus());
    if (!s.ok()) return s;
    ListResult out;
    for (auto item : response.getItems()) out.items.push_back(store::fromCapnp(item));
    out.revision = response.getRevision();
    out.continueToken = str(response.getContinueToken());
    out.remainingCount = response.getRemainingCount();
    return out;
  });
}

}  // namespace capstan::bus
