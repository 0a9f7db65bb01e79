// GCC 12 reports -Wmaybe-uninitialized from inside std::variant when a Result<T> is moved
// through kj::Promise's ExceptionOr<T>; the value is always constructed before it is read
// (a false positive; see also bus/client.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include "bus/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <map>
#include <mutex>

#include <capnp/rpc-twoparty.h>
#include <spdlog/spdlog.h>

#include "bus/convert.h"
#include "capstan/service.h"
#include "store/codec.h"
#include "store/store.h"

namespace capstan::bus {
namespace {

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

// Forwards each call to the *current* instance of a service plugin: the instance is pinned
// for the duration of one call, so a hot swap takes effect between calls and the old
// library stays loaded until its last call has finished.
class ServiceForwarder final : public schema::Service::Server {
 public:
  ServiceForwarder(std::string name, Handle<Service> handle) : name_(std::move(name)), handle_(std::move(handle)) {}

  kj::Promise<void> call(CallContext context) override {
    auto pinned = handle_.pin();
    if (!pinned) {
      toCapnp(Status::unavailable("service \"" + name_ + "\" is not loaded"), context.getResults().initStatus());
      return kj::READY_NOW;
    }
    auto params = context.getParams();
    std::string method = str(params.getMethod());
    auto data = params.getPayload();
    std::string payload(reinterpret_cast<const char*>(data.begin()), data.size());
    Service* service = pinned.get();
    return kj::evalNow([&]() { return service->call(method, std::move(payload)); })
        .then(
            [context](Result<std::string> result) mutable {
              auto results = context.getResults();
              toCapnp(result.status(), results.initStatus());
              if (result.ok()) {
                results.setPayload(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(result->data()), result->size()));
              }
            },
            [context, name = name_](kj::Exception&& e) mutable {
              toCapnp(Status::internal("service \"" + name + "\" failed: " + std::string(e.getDescription().cStr())),
                      context.getResults().initStatus());
            })
        .attach(kj::mv(pinned));
  }

 private:
  std::string name_;
  Handle<Service> handle_;
};

// Removes a published service from the registry when the publisher drops its handle.
class Registration final : public schema::WatchHandle::Server {
 public:
  explicit Registration(kj::Function<void()> onDrop) : onDrop_(kj::mv(onDrop)) {}
  ~Registration() noexcept(false) { onDrop_(); }

 private:
  kj::Function<void()> onDrop_;
};

// One remote watch: the store's fan-out thread queues events here; the loop thread sends
// them to the client's sink as its stream window allows. The queue is bounded: a client
// that cannot keep up is ended with a clear reason instead of growing the daemon's memory.
class RemoteWatch final : public schema::WatchHandle::Server {
 public:
  struct Shared {
    std::mutex mu;
    std::deque<WatchEvent> queue;
    bool ended = false;
    Status endStatus;
    kj::Own<kj::CrossThreadPromiseFulfiller<void>> waiter;
  };

  RemoteWatch(schema::WatchSink::Client sink, std::shared_ptr<Shared> shared)
      : sink_(kj::mv(sink)), shared_(std::move(shared)) {}

  ~RemoteWatch() noexcept(false) {
    if (watch_) watch_->cancel();
  }

  void start(std::unique_ptr<Watch> watch) {
    watch_ = std::move(watch);
    pump_ = pump().eagerlyEvaluate([](kj::Exception&& e) {
      // The client went away or stopped reading; dropping the handle cleans up.
      spdlog::debug("bus watch ended: {}", e.getDescription().cStr());
    });
  }

  static void enqueue(Shared& shared, std::span<const WatchEvent> events, std::size_t limit) {
    std::lock_guard<std::mutex> lock(shared.mu);
    if (shared.ended) return;
    for (const auto& e : events) {
      if (e.kind == WatchEvent::Kind::kError) {
        shared.ended = true;
        shared.endStatus = e.error;
        break;
      }
      if (shared.queue.size() >= limit) {
        shared.ended = true;
        shared.queue.clear();
        shared.endStatus = Status::resourceExhausted(
            "watch client fell behind: more than " + std::to_string(limit) +
            " events waiting to be sent; re-list and watch again");
        break;
      }
      shared.queue.push_back(e);
    }
    if (shared.waiter) {
      shared.waiter->fulfill();
      shared.waiter = nullptr;
    }
  }

 private:
  static constexpr std::size_t kMaxEventsPerMessage = 512;

  kj::Promise<void> pump() {
    std::vector<WatchEvent> batch;
    Status endStatus;
    bool ended = false;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      std::size_t n = std::min(kMaxEventsPerMessage, shared_->queue.size());
      batch.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(shared_->queue.front()));
        shared_->queue.pop_front();
      }
      if (batch.empty()) {
        if (shared_->ended) {
          ended = true;
          endStatus = shared_->endStatus;
        } else {
          auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
          shared_->waiter = kj::mv(paf.fulfiller);
          return paf.promise.then([this]() { return pump(); });
        }
      }
    }
    if (ended) {
      auto req = sink_.endRequest();
      toCapnp(endStatus, req.initStatus());
      return req.send().ignoreResult();
    }
    auto req = sink_.eventsRequest();
    auto list = req.initEvents(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) toCapnp(batch[i], list[i]);
    return req.send().then([this]() { return pump(); });
  }

  schema::WatchSink::Client sink_;
  std::shared_ptr<Shared> shared_;
  std::unique_ptr<Watch> watch_;
  kj::Promise<void> pump_ = nullptr;
};

}  // namespace

class KernelImpl final : public schema::Kernel::Server {
 public:
  KernelImpl(store::LmdbStore& store, PluginRegistry& registry, Control& control, const ServerOptions& options)
      : store_(store), registry_(registry), control_(control), options_(options), startedAt_(std::chrono::steady_clock::now()) {}

  kj::Promise<void> write(WriteContext context) override {
    auto params = context.getParams();
    bool brief = params.getBrief();
    auto in = params.getMutations();
    std::vector<Mutation> batch;
    batch.reserve(in.size());
    for (auto m : in) batch.push_back(fromCapnp(m));
    auto paf = kj::newPromiseAndCrossThreadFulfiller<std::vector<WriteResult>>();
    // std::function needs a copyable callable: share the (move-only) fulfiller.
    auto fulfiller = std::make_shared<kj::Own<kj::CrossThreadPromiseFulfiller<std::vector<WriteResult>>>>(
        kj::mv(paf.fulfiller));
    store_.write(std::move(batch), [fulfiller](std::vector<WriteResult> results) {
      (*fulfiller)->fulfill(std::move(results));
    });
    return paf.promise.then([context, brief](std::vector<WriteResult> results) mutable {
      auto out = context.getResults().initResults(results.size());
      for (std::size_t i = 0; i < results.size(); ++i) toCapnp(results[i], out[i], brief);
    });
  }

  kj::Promise<void> get(GetContext context) override {
    auto params = context.getParams();
    auto keys = params.getKeys();
    int64_t revision = params.getRevision();
    auto out = context.getResults().initResults(keys.size());
    for (uint i = 0; i < keys.size(); ++i) {
      auto r = store_.get(str(keys[i].getType()), str(keys[i].getNs()), str(keys[i].getName()), revision);
      toCapnp(r.status(), out[i].initStatus());
      if (r.ok()) store::toCapnp(*r, out[i].initObject());
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> list(ListContext context) override {
    auto r = store_.list(fromCapnp(context.getParams().getOptions()));
    auto results = context.getResults();
    toCapnp(r.status(), results.initStatus());
    if (r.ok()) {
      auto items = results.initItems(r->items.size());
      for (std::size_t i = 0; i < r->items.size(); ++i) store::toCapnp(r->items[i], items[i]);
      results.setRevision(r->revision);
      results.setContinueToken(r->continueToken);
      results.setRemainingCount(r->remainingCount);
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> watch(WatchContext context) override {
    auto params = context.getParams();
    auto options = fromCapnp(params.getOptions());
    auto shared = std::make_shared<RemoteWatch::Shared>();
    auto remote = kj::heap<RemoteWatch>(params.getSink(), shared);
    std::size_t limit = options_.watchBacklogLimit;
    auto w = store_.watch(options, [shared, limit](std::span<const WatchEvent> events) {
      RemoteWatch::enqueue(*shared, events, limit);
    });
    auto results = context.getResults();
    toCapnp(w.status(), results.initStatus());
    results.setRevision(store_.currentRevision());
    if (!w.ok()) return kj::READY_NOW;
    remote->start(std::move(w).value());
    results.setHandle(kj::mv(remote));
    return kj::READY_NOW;
  }

  kj::Promise<void> compact(CompactContext context) override {
    int64_t revision = context.getParams().getRevision();
    auto status = store_.compact(revision);
    auto results = context.getResults();
    toCapnp(status, results.initStatus());
    results.setCompactedRevision(store_.compactedRevision());
    return kj::READY_NOW;
  }

  kj::Promise<void> backup(BackupContext context) override {
    std::string path = str(context.getParams().getPath());
    auto status = store_.backup(path);
    auto results = context.getResults();
    toCapnp(status, results.initStatus());
    if (status.ok()) {
      struct stat st {};
      if (::stat((path + "/data.mdb").c_str(), &st) == 0) results.setBytes(static_cast<uint64_t>(st.st_size));
      results.setRevision(store_.currentRevision());
    }
    return kj::READY_NOW;
  }

  kj::Promise<void> status(StatusContext context) override {
    auto out = context.getResults().initStatus();
    auto stats = store_.stats();
    out.setVersion(CAPSTAN_VERSION);
    out.setRevision(stats.revision);
    out.setCompactedRevision(stats.compactedRevision);
    out.setStoreBytes(stats.bytesInUse);
    out.setMapBytes(stats.mapSizeBytes);
    out.setUptimeSeconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - startedAt_).count());
    auto counts = out.initObjects(stats.objectCounts.size());
    std::size_t i = 0;
    for (const auto& [type, count] : stats.objectCounts) {
      counts[i].setType(type);
      counts[i].setCount(static_cast<uint64_t>(count));
      ++i;
    }
    auto infos = control_.plugins();
    fillPluginList(infos, out.initPlugins(infos.size()));
    out.setDataDir(control_.dataDir());
    out.setPid(::getpid());
    return kj::READY_NOW;
  }

  kj::Promise<void> plugins(PluginsContext context) override {
    auto infos = control_.plugins();
    fillPluginList(infos, context.getResults().initPlugins(infos.size()));
    return kj::READY_NOW;
  }

  kj::Promise<void> loadPlugin(LoadPluginContext context) override {
    auto p = context.getParams();
    toCapnp(control_.loadPlugin(str(p.getName()), str(p.getPath()), str(p.getArgsYaml())),
            context.getResults().initStatus());
    return kj::READY_NOW;
  }

  kj::Promise<void> unloadPlugin(UnloadPluginContext context) override {
    toCapnp(control_.unloadPlugin(str(context.getParams().getName())), context.getResults().initStatus());
    return kj::READY_NOW;
  }

  kj::Promise<void> swapPlugin(SwapPluginContext context) override {
    auto p = context.getParams();
    toCapnp(control_.swapPlugin(str(p.getName()), str(p.getPath())), context.getResults().initStatus());
    return kj::READY_NOW;
  }

  kj::Promise<void> reload(ReloadContext context) override {
    auto r = control_.reload();
    auto results = context.getResults();
    toCapnp(r.status(), results.initStatus());
    if (r.ok()) results.setSummary(*r);
    return kj::READY_NOW;
  }

  kj::Promise<void> service(ServiceContext context) override {
    std::string name = str(context.getParams().getName());
    auto results = context.getResults();
    auto handle = registry_.get<Service>(name);
    if (handle && handle.pin()) {
      results.setService(kj::heap<ServiceForwarder>(name, std::move(handle)));
      toCapnp(Status(), results.initStatus());
      return kj::READY_NOW;
    }
    auto it = published_.find(name);
    if (it != published_.end()) {
      results.setService(it->second.client);
      toCapnp(Status(), results.initStatus());
      return kj::READY_NOW;
    }
    toCapnp(Status::notFound("no service named \"" + name + "\" is loaded or published"), results.initStatus());
    return kj::READY_NOW;
  }

  kj::Promise<void> publish(PublishContext context) override {
    auto params = context.getParams();
    std::string name = str(params.getName());
    auto results = context.getResults();
    if (published_.count(name) || registry_.slot(name)) {
      toCapnp(Status::alreadyExists("a service named \"" + name + "\" already exists"), results.initStatus());
      return kj::READY_NOW;
    }
    uint64_t id = ++nextPublication_;
    published_.emplace(name, Published{id, params.getService()});
    results.setRegistration(kj::heap<Registration>([this, name, id]() {
      auto it = published_.find(name);
      if (it != published_.end() && it->second.id == id) published_.erase(it);
    }));
    toCapnp(Status(), results.initStatus());
    return kj::READY_NOW;
  }

 private:
  struct Published {
    uint64_t id;
    schema::Service::Client client;
  };

  static void fillPluginList(const std::vector<PluginInfo>& infos, capnp::List<schema::PluginInfo>::Builder out) {
    for (std::size_t i = 0; i < infos.size(); ++i) {
      const auto& p = infos[i];
      auto o = out[i];
      o.setName(p.name);
      o.setType(p.type);
      o.setVersion(p.version);
      auto kinds = o.initKinds(p.kinds.size());
      for (std::size_t k = 0; k < p.kinds.size(); ++k) kinds.set(k, p.kinds[k]);
      o.setPath(p.path);
      o.setLoadedFrom(p.loadedFrom);
      o.setState(p.state);
      o.setError(p.error);
      o.setSwaps(p.swaps);
      o.setLoadedAt(p.loadedAt);
    }
  }

  store::LmdbStore& store_;
  PluginRegistry& registry_;
  Control& control_;
  const ServerOptions& options_;
  std::chrono::steady_clock::time_point startedAt_;
  std::map<std::string, Published> published_;
  uint64_t nextPublication_ = 0;
};

struct KernelServer::Impl final {
  Impl(kj::AsyncIoContext& io, store::LmdbStore& store, PluginRegistry& registry, Control& control,
       ServerOptions opts)
      : io(io), options(std::move(opts)), server(kj::heap<KernelImpl>(store, registry, control, options)) {}

  static kj::Promise<void> serve(capnp::TwoPartyServer& server, kj::ConnectionReceiver& listener) {
    return server.listen(listener).eagerlyEvaluate(
        [](kj::Exception&& e) { spdlog::error("bus listener failed: {}", e.getDescription().cStr()); });
  }

  kj::AsyncIoContext& io;
  ServerOptions options;
  capnp::TwoPartyServer server;
  kj::Own<kj::ConnectionReceiver> unixListener;
  kj::Own<kj::ConnectionReceiver> tcpListener;
  // Declared after the listeners they use, so they are cancelled first.
  kj::Promise<void> unixTask = nullptr;
  kj::Promise<void> tcpTask = nullptr;
  std::string tcpBound;
};

KernelServer::KernelServer(kj::AsyncIoContext& io, store::LmdbStore& store, PluginRegistry& registry,
                           Control& control, ServerOptions options)
    : impl_(std::make_unique<Impl>(io, store, registry, control, std::move(options))) {}

KernelServer::~KernelServer() { stopListening(); }

Status KernelServer::listen() {
  auto& network = impl_->io.provider->getNetwork();
  try {
    const std::string& path = impl_->options.socketPath;
    ::unlink(path.c_str());  // a stale socket from a previous run (the data dir lock guards a live one)
    auto addr = network.parseAddress("unix:" + path).wait(impl_->io.waitScope);
    // Create the socket file owner-only from the start: the bus can load code into the daemon.
    mode_t old = ::umask(0177);
    impl_->unixListener = addr->listen();
    ::umask(old);
    ::chmod(path.c_str(), 0600);
    impl_->unixTask = Impl::serve(impl_->server, *impl_->unixListener);

    if (!impl_->options.tcpAddress.empty()) {
      auto tcp = network.parseAddress(impl_->options.tcpAddress).wait(impl_->io.waitScope);
      impl_->tcpListener = tcp->listen();
      std::string host = impl_->options.tcpAddress.substr(0, impl_->options.tcpAddress.rfind(':'));
      impl_->tcpBound = host + ":" + std::to_string(impl_->tcpListener->getPort());
      impl_->tcpTask = Impl::serve(impl_->server, *impl_->tcpListener);
    }
  } catch (const kj::Exception& e) {
    return Status::unavailable(std::string("cannot listen on the bus: ") + e.getDescription().cStr());
  }
  return {};
}

std::string KernelServer::socketPath() const { return impl_->options.socketPath; }
std::string KernelServer::tcpAddress() const { return impl_->tcpBound; }

void KernelServer::stopListening() {
  impl_->unixTask = nullptr;
  impl_->tcpTask = nullptr;
  impl_->unixListener = nullptr;
  impl_->tcpListener = nullptr;
}

}  // namespace capstan::bus
