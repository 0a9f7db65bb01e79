#include "informer/informer.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "capstan/informer.h"
#include "capstan/store.h"
#include "informer/factory.h"
#include "store/store.h"

namespace capstan::informer {
namespace {

using Key = std::pair<std::string, std::string>;

// Waits are guards against hangs only; no test depends on how long anything takes.
constexpr auto kGuard = std::chrono::seconds(30);
constexpr std::int64_t kGuardMs = 30000;

template <typename Predicate>
bool eventually(Predicate predicate) {
  auto deadline = std::chrono::steady_clock::now() + kGuard;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Test options: short backoff so retries happen quickly.
SharedInformerOptions fastOptions() {
  SharedInformerOptions options;
  options.minBackoff = std::chrono::milliseconds(5);
  options.maxBackoff = std::chrono::milliseconds(50);
  return options;
}

Object makeObject(const std::string& ns, const std::string& name, std::map<std::string, std::string> indexes = {},
                  std::string body = "", const std::string& type = "pods") {
  Object o;
  o.type = type;
  o.ns = ns;
  o.name = name;
  o.indexes = std::move(indexes);
  o.format = BodyFormat::kJson;
  o.body = body.empty() ? "{}" : std::move(body);
  return o;
}

std::string describe(const Object& o) { return o.ns + "/" + o.name; }

// An in-memory StoreClient with the semantics the informer relies on: a history of every
// version (lists at a revision, consistent continue tokens, watches that replay from a
// revision), compaction (Gone), and a fan-out thread of its own that delivers watch events
// in revision order. Tests can end every watch with an error, make lists fail, and run a
// hook after each list call.
class FakeStore final : public StoreClient {
 public:
  FakeStore() : fanOut_([this] { fanOutLoop(); }) {}

  ~FakeStore() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    cv_.notify_all();
    fanOut_.join();
  }

  void write(std::vector<Mutation> batch, WriteCallback done) override {
    std::vector<WriteResult> results;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& m : batch) results.push_back(applyLocked(std::move(m)));
      dirty_ = true;
    }
    cv_.notify_all();
    done(std::move(results));
  }

  Result<Object> get(const std::string& type, const std::string& ns, const std::string& name,
                     std::int64_t revision) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auto state = stateAtLocked(type, revision == 0 ? revision_ : revision);
    auto it = state.find({ns, name});
    if (it == state.end()) return Status::notFound(type + "/" + ns + "/" + name);
    return *it->second;
  }

  Result<ListResult> list(const ListOptions& options) override {
    Result<ListResult> result = listLocked(options);
    std::function<void()> hook;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      hook = afterList_;
    }
    if (hook) hook();
    return result;
  }

  Result<std::unique_ptr<Watch>> watch(const WatchOptions& options, WatchHandler handler) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++watchCalls_;
    if (options.fromRevision != 0 && options.fromRevision < compacted_) {
      return Status::gone("revision " + std::to_string(options.fromRevision) + " is compacted");
    }
    auto state = std::make_shared<WatchState>();
    state->type = options.type;
    state->handler = std::move(handler);
    // history_[i] has revision i + 1.
    state->cursor = options.fromRevision == 0
                        ? history_.size()
                        : static_cast<std::size_t>(std::min<std::int64_t>(options.fromRevision, revision_));
    watches_.push_back(state);
    dirty_ = true;
    cv_.notify_all();
    return std::unique_ptr<Watch>(std::make_unique<FakeWatch>(state));
  }

  std::int64_t currentRevision() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return revision_;
  }

  std::int64_t compactedRevision() override {
    std::lock_guard<std::mutex> lock(mutex_);
    return compacted_;
  }

  // --- test controls ---

  WriteResult apply(MutationOp op, Object object, std::int64_t expectRevision = 0) {
    Mutation m;
    m.op = op;
    m.object = std::move(object);
    m.expectRevision = expectRevision;
    WriteResult out;
    write({std::move(m)}, [&](std::vector<WriteResult> results) { out = std::move(results.at(0)); });
    return out;
  }
  Object create(Object object) { return apply(MutationOp::kCreate, std::move(object)).object; }
  Object update(Object object) { return apply(MutationOp::kUpdate, std::move(object)).object; }
  Object remove(const std::string& ns, const std::string& name, const std::string& type = "pods") {
    return apply(MutationOp::kDelete, makeObject(ns, name, {}, "", type)).object;
  }

  // Ends every active watch with `status` after the events already written.
  void endWatches(Status status) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (auto& w : watches_) {
        if (!w->endAt) {
          w->endAt = history_.size();
          w->endStatus = status;
        }
      }
      dirty_ = true;
    }
    cv_.notify_all();
  }

  void compact() {
    std::lock_guard<std::mutex> lock(mutex_);
    compacted_ = revision_;
  }

  void setListFailing(bool failing) {
    std::lock_guard<std::mutex> lock(mutex_);
    listFailing_ = failing;
  }
  void setAfterList(std::function<void()> hook) {
    std::lock_guard<std::mutex> lock(mutex_);
    afterList_ = std::move(hook);
  }

  int listCalls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return listCalls_;
  }
  int watchCalls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return watchCalls_;
  }
  // Every event written so far has been handed to every active watch.
  bool caughtUp() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (dirty_ || inFlight_ != 0) return false;
    for (const auto& w : watches_) {
      if (!w->done && !w->cancelled && w->cursor != w->endAt.value_or(history_.size())) return false;
    }
    return true;
  }
  int activeWatches() {
    std::lock_guard<std::mutex> lock(mutex_);
    int n = 0;
    for (const auto& w : watches_) n += (!w->cancelled && !w->done) ? 1 : 0;
    return n;
  }
  // The live objects of `type`, as the store has them now.
  std::map<Key, ObjectPtr> live(const std::string& type = "pods") {
    std::lock_guard<std::mutex> lock(mutex_);
    return stateAtLocked(type, revision_);
  }

 private:
  struct WatchState {
    std::string type;
    WatchHandler handler;
    std::size_t cursor = 0;            // next history index to consider (under the store mutex)
    std::optional<std::size_t> endAt;  // history index at which the watch ends with endStatus
    Status endStatus;
    bool done = false;     // the end was delivered (under the store mutex)
    std::mutex callMutex;  // held while the handler runs
    std::atomic<bool> cancelled{false};
  };

  class FakeWatch final : public Watch {
   public:
    explicit FakeWatch(std::shared_ptr<WatchState> state) : state_(std::move(state)) {}
    ~FakeWatch() override { cancel(); }
    void cancel() override {
      std::lock_guard<std::mutex> lock(state_->callMutex);
      state_->cancelled = true;
    }

   private:
    std::shared_ptr<WatchState> state_;
  };

  WriteResult applyLocked(Mutation m) {
    std::tuple<std::string, std::string, std::string> key{m.object.type, m.object.ns, m.object.name};
    auto it = live_.find(key);
    WriteResult result;
    bool exists = it != live_.end();
    if (m.op == MutationOp::kUpsert) m.op = exists ? MutationOp::kUpdate : MutationOp::kCreate;
    if (m.op == MutationOp::kCreate && exists) {
      result.status = Status::alreadyExists(describe(m.object));
      return result;
    }
    if ((m.op == MutationOp::kUpdate || m.op == MutationOp::kDelete) && !exists) {
      result.status = Status::notFound(describe(m.object));
      return result;
    }
    if (exists && m.expectRevision != 0 && it->second.revision != m.expectRevision) {
      result.status = Status::conflict(describe(m.object));
      return result;
    }
    std::int64_t revision = ++revision_;
    WatchEvent event;
    event.revision = revision;
    if (m.op == MutationOp::kDelete) {
      event.kind = WatchEvent::Kind::kDeleted;
      event.object = std::make_shared<const Object>(it->second);
      result.object = it->second;
      result.object.revision = revision;
      live_.erase(it);
    } else {
      Object& o = m.object;
      o.revision = revision;
      if (exists) {
        o.uid = it->second.uid;
        o.createRevision = it->second.createRevision;
        o.creationTime = it->second.creationTime;
        event.kind = WatchEvent::Kind::kModified;
      } else {
        o.uid = "uid-" + std::to_string(revision);
        o.createRevision = revision;
        o.creationTime = revision;
        event.kind = WatchEvent::Kind::kAdded;
      }
      live_[key] = o;
      event.object = std::make_shared<const Object>(o);
      result.object = o;
    }
    history_.push_back(std::move(event));
    return result;
  }

  std::map<Key, ObjectPtr> stateAtLocked(const std::string& type, std::int64_t revision) const {
    std::map<Key, ObjectPtr> state;
    for (std::size_t i = 0; i < history_.size() && history_[i].revision <= revision; ++i) {
      const auto& e = history_[i];
      if (e.object->type != type) continue;
      if (e.kind == WatchEvent::Kind::kDeleted) {
        state.erase({e.object->ns, e.object->name});
      } else {
        state[{e.object->ns, e.object->name}] = e.object;
      }
    }
    return state;
  }

  Result<ListResult> listLocked(const ListOptions& options) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++listCalls_;
    if (listFailing_) return Status::unavailable("the fake store is failing lists");
    std::int64_t revision = options.revision == 0 ? revision_ : options.revision;
    Key after;
    bool continued = !options.continueToken.empty();
    if (continued) {
      // "<revision>\x1f<ns>\x1f<name>": the last key returned and the list's revision.
      const std::string& t = options.continueToken;
      auto a = t.find('\x1f');
      auto b = t.find('\x1f', a + 1);
      revision = std::stoll(t.substr(0, a));
      after = {t.substr(a + 1, b - a - 1), t.substr(b + 1)};
    }
    if (revision < compacted_) return Status::gone("revision " + std::to_string(revision) + " is compacted");
    auto state = stateAtLocked(options.type, revision);
    ListResult out;
    out.revision = revision;
    auto it = continued ? state.upper_bound(after) : state.begin();
    for (; it != state.end(); ++it) {
      if (!options.ns.empty() && it->first.first != options.ns) continue;
      if (options.limit > 0 && static_cast<std::int64_t>(out.items.size()) == options.limit) {
        const Key& last = std::prev(it)->first;
        out.continueToken = std::to_string(revision) + '\x1f' + last.first + '\x1f' + last.second;
        out.remainingCount = std::distance(it, state.end());
        break;
      }
      out.items.push_back(*it->second);
    }
    return out;
  }

  void fanOutLoop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      cv_.wait(lock, [&] { return closing_ || dirty_; });
      if (closing_) return;
      dirty_ = false;
      auto watches = watches_;
      for (auto& w : watches) {
        if (w->done || w->cancelled) continue;
        std::size_t end = w->endAt.value_or(history_.size());
        std::vector<WatchEvent> batch;
        for (; w->cursor < end; ++w->cursor) {
          if (history_[w->cursor].object->type == w->type) batch.push_back(history_[w->cursor]);
        }
        if (w->endAt && w->cursor == *w->endAt) {
          WatchEvent error;
          error.kind = WatchEvent::Kind::kError;
          error.revision = revision_;
          error.error = w->endStatus;
          batch.push_back(std::move(error));
          w->done = true;
        }
        if (batch.empty()) continue;
        ++inFlight_;
        lock.unlock();
        {
          std::lock_guard<std::mutex> call(w->callMutex);
          if (!w->cancelled) w->handler(std::span<const WatchEvent>(batch));
        }
        lock.lock();
        --inFlight_;
      }
      std::erase_if(watches_, [](const auto& w) { return w->done || w->cancelled; });
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  bool closing_ = false;
  bool dirty_ = false;
  int inFlight_ = 0;  // handler calls running on the fan-out thread
  std::int64_t revision_ = 0;
  std::int64_t compacted_ = 0;
  std::map<std::tuple<std::string, std::string, std::string>, Object> live_;
  std::vector<WatchEvent> history_;
  std::vector<std::shared_ptr<WatchState>> watches_;
  bool listFailing_ = false;
  std::function<void()> afterList_;
  int listCalls_ = 0;
  int watchCalls_ = 0;
  std::thread fanOut_;  // last: starts after every other member exists
};

// Records handler calls as text ("add ns/name@rev", "update ns/name@old->new",
// "delete ns/name@rev", "synced@rev") and checks they never overlap and never run on the
// thread that created the recorder (the test's).
class Recorder {
 public:
  InformerHandlers handlers() {
    InformerHandlers h;
    h.onAdd = [this](const ObjectPtr& o) { record("add " + describe(*o) + "@" + std::to_string(o->revision)); };
    h.onUpdate = [this](const ObjectPtr& a, const ObjectPtr& b) {
      record("update " + describe(*b) + "@" + std::to_string(a->revision) + "->" + std::to_string(b->revision));
    };
    h.onDelete = [this](const ObjectPtr& o) { record("delete " + describe(*o) + "@" + std::to_string(o->revision)); };
    h.onSynced = [this](std::int64_t revision) { record("synced@" + std::to_string(revision)); };
    return h;
  }

  std::vector<std::string> events() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  std::size_t size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_.size();
  }
  bool contains(const std::string& event) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::find(events_.begin(), events_.end(), event) != events_.end();
  }
  std::size_t count(const std::string& prefix) const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<std::size_t>(
        std::count_if(events_.begin(), events_.end(), [&](const std::string& e) { return e.rfind(prefix, 0) == 0; }));
  }
  bool waitFor(const std::string& event) const {
    return eventually([&] { return contains(event); });
  }
  bool overlapped() const { return overlapped_; }
  bool ranOnTestThread() const { return ranOnTestThread_; }

 private:
  void record(std::string event) {
    if (inside_.exchange(true)) overlapped_ = true;
    if (std::this_thread::get_id() == testThread_) ranOnTestThread_ = true;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.push_back(std::move(event));
    }
    inside_ = false;
  }

  mutable std::mutex mutex_;
  std::vector<std::string> events_;
  std::atomic<bool> inside_{false};
  std::atomic<bool> overlapped_{false};
  std::atomic<bool> ranOnTestThread_{false};
  std::thread::id testThread_ = std::this_thread::get_id();
};

std::string at(const Object& o) { return describe(o) + "@" + std::to_string(o.revision); }

std::vector<std::string> names(const std::vector<ObjectPtr>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) out.push_back(describe(*o));
  std::sort(out.begin(), out.end());
  return out;
}

// Keeps a handler's own view of the cache and reports every inconsistency: an add of a
// known object (duplicate), an update or delete of an unknown one, an update whose old
// version is not the one last delivered (a gap), and live events out of revision order.
class ViewChecker {
 public:
  InformerHandlers handlers() {
    InformerHandlers h;
    h.onAdd = [this](const ObjectPtr& o) {
      std::lock_guard<std::mutex> lock(mutex_);
      Key key{o->ns, o->name};
      if (view_.contains(key)) fail("duplicate add of " + at(*o));
      checkOrder(o->revision);
      view_[key] = o;
      if (o->name == "sentinel") sawSentinel_ = true;
    };
    h.onUpdate = [this](const ObjectPtr& a, const ObjectPtr& b) {
      std::lock_guard<std::mutex> lock(mutex_);
      Key key{b->ns, b->name};
      auto it = view_.find(key);
      if (it == view_.end()) {
        fail("update of unknown " + at(*b));
      } else if (it->second->revision != a->revision) {
        fail("gap: update of " + at(*b) + " from " + std::to_string(a->revision) + ", last delivered " +
             std::to_string(it->second->revision));
      }
      checkOrder(b->revision);
      view_[key] = b;
    };
    h.onDelete = [this](const ObjectPtr& o) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (view_.erase({o->ns, o->name}) == 0) fail("delete of unknown " + at(*o));
    };
    h.onSynced = [this](std::int64_t revision) {
      std::lock_guard<std::mutex> lock(mutex_);
      synced_ = true;
      lastRevision_ = revision;
    };
    return h;
  }

  std::vector<std::string> errors() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return errors_;
  }
  bool sawSentinel() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return sawSentinel_;
  }
  std::map<Key, std::int64_t> revisions() const {
    std::lock_guard<std::mutex> lock(mutex_);
    std::map<Key, std::int64_t> out;
    for (const auto& [k, o] : view_) out[k] = o->revision;
    return out;
  }

 private:
  void checkOrder(std::int64_t revision) {
    // After onSynced, live events come in increasing revision order.
    if (!synced_) return;
    if (revision <= lastRevision_) {
      fail("out of order: " + std::to_string(revision) + " after " + std::to_string(lastRevision_));
    }
    lastRevision_ = revision;
  }
  void fail(std::string message) { errors_.push_back(std::move(message)); }

  mutable std::mutex mutex_;
  std::map<Key, ObjectPtr> view_;
  std::vector<std::string> errors_;
  bool synced_ = false;
  bool sawSentinel_ = false;
  std::int64_t lastRevision_ = 0;
};

// Writes an object of another type, so the store's revision is not 0 when an informer of
// "pods" lists. (A list at revision 0 followed by a watch from 0 cannot tell "after revision
// 0" from "from now on": the informer then re-lists once, which would add an onSynced.)
void seed(FakeStore& store) { store.create(makeObject("", "seed", {}, "", "configmaps")); }

std::map<Key, std::int64_t> revisionsOf(const std::map<Key, ObjectPtr>& objects) {
  std::map<Key, std::int64_t> out;
  for (const auto& [k, o] : objects) out[k] = o->revision;
  return out;
}

std::map<Key, std::int64_t> revisionsOf(const std::vector<Object>& objects) {
  std::map<Key, std::int64_t> out;
  for (const auto& o : objects) out[{o.ns, o.name}] = o.revision;
  return out;
}

// Writes one mutation and waits for its result (the callback runs on the store's writer).
WriteResult writeSync(StoreClient& store, MutationOp op, Object object) {
  Mutation m;
  m.op = op;
  m.object = std::move(object);
  std::promise<WriteResult> promise;
  auto future = promise.get_future();
  store.write({std::move(m)}, [&promise](std::vector<WriteResult> results) { promise.set_value(results.at(0)); });
  return future.get();
}

// The live objects of a type, read from the store (not from an informer).
std::map<Key, std::int64_t> storeRevisions(StoreClient& store, const std::string& type = "pods") {
  ListOptions options;
  options.type = type;
  auto listed = store.list(options);
  return listed.ok() ? revisionsOf(listed->items) : std::map<Key, std::int64_t>{};
}

// A fresh LmdbStore in a temporary directory of its own, removed afterwards.
class TempStore {
 public:
  TempStore() {
    std::string pattern = (std::filesystem::temp_directory_path() / "capstan-informer-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    directory_ = pattern;
    store::StoreOptions options;
    options.directory = directory_ + "/store";
    options.mapSizeBytes = 1ull << 30;
    options.durable = false;  // tests need no fsync
    auto opened = store::LmdbStore::open(options);
    INFO(opened.status().toString());
    REQUIRE(opened.ok());
    store_ = std::move(opened).value();
  }
  ~TempStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(directory_, ec);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  store::LmdbStore& get() { return *store_; }

 private:
  std::string directory_;
  std::unique_ptr<store::LmdbStore> store_;
};

// Forwards to a real store and lets a test cut every watch with an error (as a remote store
// does when its connection drops), make lists fail, and run a hook after each list.
class ProxyStore final : public StoreClient {
 public:
  explicit ProxyStore(StoreClient& inner) : inner_(inner) {}

  void write(std::vector<Mutation> batch, WriteCallback done) override {
    inner_.write(std::move(batch), std::move(done));
  }
  Result<Object> get(const std::string& type, const std::string& ns, const std::string& name,
                     std::int64_t revision) override {
    return inner_.get(type, ns, name, revision);
  }
  Result<ListResult> list(const ListOptions& options) override {
    std::function<void()> hook;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++listCalls_;
      if (listFailing_) return Status::unavailable("the proxy is failing lists");
      hook = afterList_;
    }
    Result<ListResult> result = inner_.list(options);
    if (hook) hook();
    return result;
  }
  Result<std::unique_ptr<Watch>> watch(const WatchOptions& options, WatchHandler handler) override {
    auto gate = std::make_shared<Gate>();
    gate->handler = std::move(handler);
    auto inner = inner_.watch(options, [gate](std::span<const WatchEvent> events) {
      std::lock_guard<std::mutex> lock(gate->mutex);
      if (!gate->cut) gate->handler(events);
    });
    std::lock_guard<std::mutex> lock(mutex_);
    ++watchCalls_;
    if (!inner.ok()) return inner.status();
    gates_.push_back(gate);
    return std::unique_ptr<Watch>(std::make_unique<ProxyWatch>(std::move(inner).value(), gate));
  }
  std::int64_t currentRevision() override { return inner_.currentRevision(); }
  std::int64_t compactedRevision() override { return inner_.compactedRevision(); }

  // Ends every open watch with `status`; events the store sends afterwards are dropped.
  void cutWatches(const Status& status) {
    std::vector<std::shared_ptr<Gate>> gates;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      gates.swap(gates_);
    }
    for (const auto& gate : gates) {
      std::lock_guard<std::mutex> lock(gate->mutex);
      if (gate->cut) continue;
      gate->cut = true;
      WatchEvent error;
      error.kind = WatchEvent::Kind::kError;
      error.error = status;
      gate->handler(std::span<const WatchEvent>(&error, 1));
    }
  }
  void setListFailing(bool failing) {
    std::lock_guard<std::mutex> lock(mutex_);
    listFailing_ = failing;
  }
  void setAfterList(std::function<void()> hook) {
    std::lock_guard<std::mutex> lock(mutex_);
    afterList_ = std::move(hook);
  }
  int listCalls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return listCalls_;
  }
  int watchCalls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return watchCalls_;
  }
  int openWatches() {
    std::lock_guard<std::mutex> lock(mutex_);
    int n = 0;
    for (const auto& gate : gates_) {
      std::lock_guard<std::mutex> gateLock(gate->mutex);
      n += gate->cut ? 0 : 1;
    }
    return n;
  }

 private:
  struct Gate {
    std::mutex mutex;  // serialises the store's deliveries, an injected end and cancel
    bool cut = false;
    WatchHandler handler;
  };
  class ProxyWatch final : public Watch {
   public:
    ProxyWatch(std::unique_ptr<Watch> inner, std::shared_ptr<Gate> gate)
        : inner_(std::move(inner)), gate_(std::move(gate)) {}
    ~ProxyWatch() override { cancel(); }
    void cancel() override {
      inner_->cancel();
      std::lock_guard<std::mutex> lock(gate_->mutex);
      gate_->cut = true;
    }

   private:
    std::unique_ptr<Watch> inner_;
    std::shared_ptr<Gate> gate_;
  };

  StoreClient& inner_;
  std::mutex mutex_;
  std::vector<std::shared_ptr<Gate>> gates_;
  bool listFailing_ = false;
  std::function<void()> afterList_;
  int listCalls_ = 0;
  int watchCalls_ = 0;
};

// Several registrations join one informer while a writer creates, updates and deletes
// objects; each must see the cache, then every live event, with no gap or duplicate, and
// end with the store's state.
void checkLateRegistrations(StoreClient& store) {
  SharedInformer informer(store, "pods", fastOptions());
  ViewChecker early;
  auto r0 = informer.addHandlers(early.handlers());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));

  std::atomic<bool> stopWriting{false};
  std::atomic<int> writes{0};
  std::thread writer([&] {
    std::mt19937 rng(42);
    while (!stopWriting) {
      std::string name = std::to_string(rng() % 40);
      name.insert(0, 1, 'o');
      switch (rng() % 3) {
        case 0:
          writeSync(store, MutationOp::kCreate, makeObject("default", name));
          break;
        case 1:
          writeSync(store, MutationOp::kUpdate, makeObject("default", name, {}, std::to_string(rng())));
          break;
        default:
          writeSync(store, MutationOp::kDelete, makeObject("default", name));
          break;
      }
      ++writes;
    }
  });

  std::vector<std::unique_ptr<ViewChecker>> checkers;
  std::vector<std::unique_ptr<InformerRegistration>> registrations;
  for (int i = 0; i < 5; ++i) {
    int target = writes + 200;
    REQUIRE(eventually([&] { return writes >= target; }));
    checkers.push_back(std::make_unique<ViewChecker>());
    registrations.push_back(informer.addHandlers(checkers.back()->handlers()));
  }
  stopWriting = true;
  writer.join();
  writeSync(store, MutationOp::kCreate, makeObject("default", "sentinel"));

  REQUIRE(eventually([&] { return early.sawSentinel(); }));
  for (const auto& c : checkers) REQUIRE(eventually([&] { return c->sawSentinel(); }));
  auto expected = storeRevisions(store);
  CHECK(early.errors() == std::vector<std::string>{});
  CHECK(early.revisions() == expected);
  for (const auto& c : checkers) {
    CHECK(c->errors() == std::vector<std::string>{});
    CHECK(c->revisions() == expected);
  }
  std::map<Key, ObjectPtr> cached;
  for (const auto& o : informer.list()) cached[{o->ns, o->name}] = o;
  CHECK(revisionsOf(cached) == expected);
}

}  // namespace

TEST_CASE("the initial list is delivered as adds in revision order, then onSynced", "[informer]") {
  FakeStore store;
  Object b = store.create(makeObject("default", "b"));
  Object a = store.create(makeObject("default", "a"));
  Object c = store.create(makeObject("kube-system", "c"));

  SharedInformer informer(store, "pods", fastOptions());
  CHECK_FALSE(informer.hasSynced());
  CHECK_FALSE(informer.waitForSync(0));
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));
  REQUIRE(recorder.waitFor("synced@3"));
  CHECK(recorder.events() == std::vector<std::string>{"add " + at(b), "add " + at(a), "add " + at(c), "synced@3"});
  CHECK(informer.hasSynced());
  CHECK(informer.revision() == 3);
  CHECK(informer.type() == "pods");
  CHECK_FALSE(recorder.overlapped());
  CHECK_FALSE(recorder.ranOnTestThread());
}

TEST_CASE("a paged list stays at one revision; writes during it arrive through the watch", "[informer]") {
  FakeStore store;
  for (int i = 0; i < 7; ++i) store.create(makeObject("default", "p" + std::to_string(i)));
  // The first page's list call triggers a write: the later pages must not see it (they are
  // read at the first page's revision), and the watch from that revision must deliver it.
  std::atomic<bool> wrote{false};
  store.setAfterList([&] {
    if (!wrote.exchange(true)) store.create(makeObject("default", "zz"));
  });
  auto options = fastOptions();
  options.pageSize = 2;
  SharedInformer informer(store, "pods", options);
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(recorder.waitFor("add default/zz@8"));
  auto events = recorder.events();
  REQUIRE(events.size() == 9);
  CHECK(events[7] == "synced@7");
  CHECK(events[8] == "add default/zz@8");
  CHECK(store.listCalls() == 4);
  CHECK(informer.list().size() == 8);
}

TEST_CASE("live adds, updates and deletes reach handlers and the cache", "[informer]") {
  FakeStore store;
  seed(store);
  SharedInformer informer(store, "pods", fastOptions());
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));

  Object a1 = store.create(makeObject("default", "a", {}, R"({"v":1})"));
  Object a2 = store.update(makeObject("default", "a", {}, R"({"v":2})"));
  Object b = store.create(makeObject("default", "b"));
  store.remove("default", "b");
  store.create(makeObject("other-type-ns", "x", {}, "", "services"));  // another type: not ours
  Object c = store.create(makeObject("default", "c"));
  REQUIRE(recorder.waitFor("add " + at(c)));

  CHECK(recorder.events() ==
        std::vector<std::string>{"synced@1", "add " + at(a1),
                                 "update default/a@" + std::to_string(a1.revision) + "->" + std::to_string(a2.revision),
                                 "add " + at(b), "delete " + at(b), "add " + at(c)});
  REQUIRE(informer.get("default", "a"));
  CHECK(informer.get("default", "a")->body == R"({"v":2})");
  CHECK(informer.get("default", "b") == nullptr);
  CHECK(informer.revision() == c.revision);
  CHECK(names(informer.list()) == std::vector<std::string>{"default/a", "default/c"});
  CHECK_FALSE(recorder.overlapped());
}

TEST_CASE("get, list and byIndex read the cache and its indexes", "[informer]") {
  FakeStore store;
  store.create(makeObject("default", "p1", {{"spec.nodeName", "n1"}}));
  store.create(makeObject("default", "p2", {{"spec.nodeName", "n2"}}));
  store.create(makeObject("prod", "p3", {{"spec.nodeName", "n1"}}));
  store.create(makeObject("", "cluster-scoped"));

  SharedInformer informer(store, "pods", fastOptions());
  // A custom index added before start: the name's last character.
  REQUIRE(informer
              .addIndex("lastDigit",
                        [](const Object& o) { return std::vector<std::string>{o.name.substr(o.name.size() - 1)}; })
              .ok());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));

  SECTION("get and list by namespace") {
    REQUIRE(informer.get("prod", "p3"));
    CHECK(informer.get("prod", "p3")->indexes.at("spec.nodeName") == "n1");
    CHECK(informer.get("default", "p3") == nullptr);
    CHECK(names(informer.list("default")) == std::vector<std::string>{"default/p1", "default/p2"});
    CHECK(names(informer.list("prod")) == std::vector<std::string>{"prod/p3"});
    CHECK(informer.list("nowhere").empty());
    CHECK(informer.list().size() == 4);
  }

  SECTION("the built-in namespace index and a writer-supplied index") {
    CHECK(names(informer.byIndex("namespace", "default")) == std::vector<std::string>{"default/p1", "default/p2"});
    CHECK(names(informer.byIndex("namespace", "")) == std::vector<std::string>{"/cluster-scoped"});
    CHECK(names(informer.byIndex("spec.nodeName", "n1")) == std::vector<std::string>{"default/p1", "prod/p3"});
    CHECK(names(informer.byIndex("spec.nodeName", "n2")) == std::vector<std::string>{"default/p2"});
    CHECK(informer.byIndex("spec.nodeName", "n3").empty());
    CHECK(informer.byIndex("no-such-index", "x").empty());
  }

  SECTION("custom indexes added before and after sync") {
    CHECK(names(informer.byIndex("lastDigit", "1")) == std::vector<std::string>{"default/p1"});
    // Added once objects are cached: the existing ones are indexed at once.
    REQUIRE(informer
                .addIndex("nsAndNode",
                          [](const Object& o) {
                            std::vector<std::string> values;
                            if (auto it = o.indexes.find("spec.nodeName"); it != o.indexes.end())
                              values.push_back(o.ns + ":" + it->second);
                            return values;
                          })
                .ok());
    CHECK(names(informer.byIndex("nsAndNode", "default:n1")) == std::vector<std::string>{"default/p1"});
    CHECK(names(informer.byIndex("nsAndNode", "prod:n1")) == std::vector<std::string>{"prod/p3"});
    // And live objects afterwards.
    Object p4 = store.create(makeObject("prod", "p4", {{"spec.nodeName", "n1"}}));
    REQUIRE(eventually([&] { return informer.revision() == p4.revision; }));
    CHECK(names(informer.byIndex("nsAndNode", "prod:n1")) == std::vector<std::string>{"prod/p3", "prod/p4"});
    CHECK(names(informer.byIndex("lastDigit", "4")) == std::vector<std::string>{"prod/p4"});
  }

  SECTION("a custom index may not take a name in use") {
    auto fn = [](const Object&) { return std::vector<std::string>{}; };
    CHECK(informer.addIndex("namespace", fn).code() == Code::kAlreadyExists);
    CHECK(informer.addIndex("lastDigit", fn).code() == Code::kAlreadyExists);
    CHECK(informer.addIndex("spec.nodeName", fn).code() == Code::kAlreadyExists);
    CHECK(informer.addIndex("", fn).code() == Code::kInvalidArgument);
    CHECK(informer.addIndex("empty", IndexFunction()).code() == Code::kInvalidArgument);
  }

  SECTION("an object moves between index values on update and leaves them on delete") {
    Object moved = store.update(makeObject("default", "p1", {{"spec.nodeName", "n2"}}));
    REQUIRE(eventually([&] { return informer.revision() == moved.revision; }));
    CHECK(names(informer.byIndex("spec.nodeName", "n1")) == std::vector<std::string>{"prod/p3"});
    CHECK(names(informer.byIndex("spec.nodeName", "n2")) == std::vector<std::string>{"default/p1", "default/p2"});
    // The index holds the new version, not the old one.
    for (const auto& o : informer.byIndex("spec.nodeName", "n2"))
      CHECK(o->revision == informer.get(o->ns, o->name)->revision);

    Object unscheduled = store.update(makeObject("default", "p1"));
    REQUIRE(eventually([&] { return informer.revision() == unscheduled.revision; }));
    CHECK(names(informer.byIndex("spec.nodeName", "n2")) == std::vector<std::string>{"default/p2"});

    Object gone = store.remove("prod", "p3");
    REQUIRE(eventually([&] { return informer.revision() == gone.revision; }));
    CHECK(informer.byIndex("spec.nodeName", "n1").empty());
    CHECK(informer.byIndex("namespace", "prod").empty());
    CHECK(informer.byIndex("lastDigit", "3").empty());
    // A writer-supplied key in use by a cached object (p2) cannot become a custom index;
    // once no cached object carries it, it can.
    auto all = [](const Object&) { return std::vector<std::string>{"all"}; };
    CHECK(informer.addIndex("spec.nodeName", all).code() == Code::kAlreadyExists);
    Object p2 = store.update(makeObject("default", "p2"));
    REQUIRE(eventually([&] { return informer.revision() == p2.revision; }));
    CHECK(informer.addIndex("spec.nodeName", all).ok());
    CHECK(names(informer.byIndex("spec.nodeName", "all")) ==
          std::vector<std::string>{"/cluster-scoped", "default/p1", "default/p2"});
    // From now on the custom function decides, not the writer's key.
    Object p5 = store.create(makeObject("default", "p5", {{"spec.nodeName", "n1"}}));
    REQUIRE(eventually([&] { return informer.revision() == p5.revision; }));
    CHECK(informer.byIndex("spec.nodeName", "n1").empty());
    CHECK(informer.byIndex("spec.nodeName", "all").size() == 4);
  }
}

TEST_CASE("a throwing handler or index function does not stop the informer", "[informer]") {
  FakeStore store;
  SharedInformer informer(store, "pods", fastOptions());
  REQUIRE(informer
              .addIndex("boom",
                        [](const Object& o) -> std::vector<std::string> {
                          if (o.name == "bad") throw std::runtime_error("index function bug");
                          return {o.name};
                        })
              .ok());
  InformerHandlers throwing;
  throwing.onAdd = [](const ObjectPtr&) { throw std::runtime_error("handler bug"); };
  auto r1 = informer.addHandlers(throwing);
  Recorder recorder;
  auto r2 = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));
  Object bad = store.create(makeObject("default", "bad"));
  Object good = store.create(makeObject("default", "good"));
  REQUIRE(recorder.waitFor("add " + at(good)));
  CHECK(recorder.contains("add " + at(bad)));
  CHECK(informer.byIndex("boom", "bad").empty());
  CHECK(informer.byIndex("boom", "good").size() == 1);
}

TEST_CASE("two registrations share one informer and one watch; the factory shares informers", "[informer]") {
  FakeStore store;
  store.create(makeObject("default", "a"));
  InformerFactoryImpl factory(store, fastOptions());
  auto pods1 = factory.informer("pods");
  auto pods2 = factory.informer("pods");
  auto services = factory.informer("services");
  CHECK(pods1 == pods2);
  CHECK(pods1 != services);
  CHECK(pods1->type() == "pods");
  CHECK(services->type() == "services");

  Recorder first;
  Recorder second;
  auto r1 = pods1->addHandlers(first.handlers());
  auto r2 = pods2->addHandlers(second.handlers());
  REQUIRE(pods1->waitForSync(kGuardMs));
  REQUIRE(services->waitForSync(kGuardMs));
  Object b = store.create(makeObject("default", "b"));
  store.remove("default", "a");
  Object s = store.create(makeObject("default", "svc", {}, "", "services"));
  REQUIRE(first.waitFor("delete default/a@1"));
  REQUIRE(second.waitFor("delete default/a@1"));
  CHECK(first.events() == second.events());
  CHECK(first.contains("add " + at(b)));
  CHECK_FALSE(first.contains("add " + at(s)));
  REQUIRE(eventually([&] { return services->get("default", "svc") != nullptr; }));
  // One watch per type, however many consumers.
  REQUIRE(eventually([&] { return store.activeWatches() == 2; }));
  CHECK(store.watchCalls() == 2);

  factory.stopAll();
  CHECK(store.activeWatches() == 0);
  // After stopAll the factory still answers, with an informer that never starts.
  auto late = factory.informer("nodes");
  CHECK_FALSE(late->waitForSync(0));
  CHECK(factory.informer("pods") == pods1);
  CHECK(store.watchCalls() == 2);
}

TEST_CASE("the factory is safe to use from many threads", "[informer]") {
  FakeStore store;
  InformerFactoryImpl factory(store, fastOptions());
  std::vector<std::shared_ptr<Informer>> got(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] { got[i] = factory.informer(i % 2 == 0 ? "pods" : "nodes"); });
  }
  for (auto& t : threads) t.join();
  for (int i = 2; i < 8; ++i) CHECK(got[i] == got[i % 2]);
  CHECK(got[0] != got[1]);
  REQUIRE(got[0]->waitForSync(kGuardMs));
  REQUIRE(got[1]->waitForSync(kGuardMs));
  // The watch follows the sync: wait for it, then make sure there is exactly one per type.
  REQUIRE(eventually([&] { return store.activeWatches() == 2; }));
  CHECK(store.watchCalls() == 2);
}

TEST_CASE("a late registration gets the cache, then live events, with no gap or duplicate", "[informer]") {
  FakeStore store;
  seed(store);
  checkLateRegistrations(store);
}

TEST_CASE("a registration added late is replayed the cache and onSynced", "[informer]") {
  FakeStore store;
  Object a = store.create(makeObject("default", "a"));
  SharedInformer informer(store, "pods", fastOptions());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  REQUIRE(recorder.waitFor("synced@1"));
  Object b = store.create(makeObject("default", "b"));
  REQUIRE(recorder.waitFor("add " + at(b)));
  CHECK(recorder.events() == std::vector<std::string>{"add " + at(a), "synced@1", "add " + at(b)});
}

TEST_CASE("destroying a registration stops delivery", "[informer]") {
  FakeStore store;
  seed(store);
  SharedInformer informer(store, "pods", fastOptions());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));
  Recorder witness;  // stays registered: once it saw an event, the others had their chance
  auto w = informer.addHandlers(witness.handlers());

  SECTION("from another thread") {
    Recorder dropped;
    auto registration = informer.addHandlers(dropped.handlers());
    Object a = store.create(makeObject("default", "a"));
    REQUIRE(dropped.waitFor("add " + at(a)));
    registration.reset();
    auto before = dropped.events();
    store.create(makeObject("default", "b"));
    Object c = store.create(makeObject("default", "c"));
    REQUIRE(witness.waitFor("add " + at(c)));
    CHECK(dropped.events() == before);
  }

  SECTION("from inside its own handler, without deadlock") {
    std::mutex holderMutex;
    std::unique_ptr<InformerRegistration> self;
    std::atomic<int> adds{0};
    InformerHandlers h;
    h.onAdd = [&](const ObjectPtr&) {
      ++adds;
      std::unique_ptr<InformerRegistration> mine;
      {
        std::lock_guard<std::mutex> lock(holderMutex);
        mine = std::move(self);
      }
      mine.reset();  // destroys the registration whose handler is running
    };
    {
      std::lock_guard<std::mutex> lock(holderMutex);
      self = informer.addHandlers(h);
    }
    store.create(makeObject("default", "a"));
    store.create(makeObject("default", "b"));
    Object c = store.create(makeObject("default", "c"));
    REQUIRE(witness.waitFor("add " + at(c)));
    CHECK(adds == 1);
  }

  SECTION("from another registration's handler") {
    Recorder victim;
    auto victimRegistration =
        std::make_shared<std::unique_ptr<InformerRegistration>>(informer.addHandlers(victim.handlers()));
    InformerHandlers killer;
    killer.onAdd = [victimRegistration](const ObjectPtr& o) {
      if (o->name == "kill") victimRegistration->reset();
    };
    auto k = informer.addHandlers(killer);
    Object a = store.create(makeObject("default", "a"));
    REQUIRE(victim.waitFor("add " + at(a)));
    store.create(makeObject("default", "kill"));
    Object c = store.create(makeObject("default", "c"));
    REQUIRE(witness.waitFor("add " + at(c)));
    CHECK_FALSE(victim.contains("add " + at(c)));
  }

  SECTION("waits for a running handler call to return") {
    std::atomic<bool> entered{false};
    std::atomic<bool> release{false};
    std::atomic<bool> returned{false};
    InformerHandlers slow;
    slow.onAdd = [&](const ObjectPtr&) {
      entered = true;
      eventually([&] { return release.load(); });
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      returned = true;
    };
    auto registration = informer.addHandlers(slow);
    store.create(makeObject("default", "a"));
    REQUIRE(eventually([&] { return entered.load(); }));
    std::atomic<bool> returnedBeforeDestroyEnded{false};
    std::thread destroyer([&] {
      registration.reset();
      returnedBeforeDestroyEnded = returned.load();
    });
    release = true;
    destroyer.join();
    CHECK(returnedBeforeDestroyEnded);
  }
}

TEST_CASE("a watch ending with Gone triggers a re-list that delivers exactly the difference", "[informer]") {
  FakeStore store;
  Object a = store.create(makeObject("default", "a"));
  Object b = store.create(makeObject("default", "b", {{"spec.nodeName", "n1"}}));
  Object c = store.create(makeObject("default", "c"));
  Object untouched = store.create(makeObject("default", "untouched"));
  SharedInformer informer(store, "pods", fastOptions());
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(recorder.waitFor("synced@4"));
  std::size_t initial = recorder.size();

  // Lists fail while the watch is down, so the changes below can only arrive through the
  // re-list (after a few retries with backoff).
  store.setListFailing(true);
  int listsBefore = store.listCalls();
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));  // the watch follows the sync
  store.endWatches(Status::gone("revision 4 has been compacted"));
  REQUIRE(eventually([&] { return store.listCalls() >= listsBefore + 2; }));
  CHECK(store.activeWatches() == 0);

  Object d = store.create(makeObject("default", "d"));
  Object b2 = store.update(makeObject("default", "b", {{"spec.nodeName", "n2"}}));
  store.remove("default", "c");
  store.compact();
  store.setListFailing(false);

  REQUIRE(recorder.waitFor("synced@7"));
  auto events = recorder.events();
  std::vector<std::string> diff(events.begin() + static_cast<std::ptrdiff_t>(initial), events.end());
  // Deletions first, then additions and changes in revision order (d was written before b).
  CHECK(diff == std::vector<std::string>{"delete " + at(c), "add " + at(d), "update default/b@2->6", "synced@7"});
  CHECK(informer.revision() == 7);
  CHECK(names(informer.list()) == std::vector<std::string>{"default/a", "default/b", "default/d", "default/untouched"});
  CHECK(informer.byIndex("spec.nodeName", "n1").empty());
  CHECK(names(informer.byIndex("spec.nodeName", "n2")) == std::vector<std::string>{"default/b"});
  (void)a;
  (void)b2;
  (void)untouched;

  // And the informer watches again from the new list's revision.
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));
  Object e = store.create(makeObject("default", "e"));
  REQUIRE(recorder.waitFor("add " + at(e)));
}

TEST_CASE("other watch endings (Unavailable, fell behind) re-list too", "[informer]") {
  FakeStore store;
  seed(store);
  SharedInformer informer(store, "pods", fastOptions());
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(recorder.waitFor("synced@1"));
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));  // the watch follows the sync
  store.endWatches(Status::unavailable("the bus connection was lost"));
  REQUIRE(eventually([&] { return recorder.count("synced@") == 2; }));
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));  // the watch follows the sync
  store.endWatches(Status::resourceExhausted("watcher too slow"));
  REQUIRE(eventually([&] { return recorder.count("synced@") == 3; }));
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));
  Object a = store.create(makeObject("default", "a"));
  REQUIRE(recorder.waitFor("add " + at(a)));
  CHECK(recorder.events() == std::vector<std::string>{"synced@1", "synced@1", "synced@1", "add " + at(a)});
  CHECK(store.watchCalls() == 3);
}

TEST_CASE("an informer whose queue overflows drops the watch and re-lists instead of blocking the store",
          "[informer]") {
  FakeStore store;
  seed(store);
  auto options = fastOptions();
  options.maxQueuedEvents = 3;
  SharedInformer informer(store, "pods", options);
  ViewChecker checker;
  Recorder recorder;
  std::atomic<bool> blocked{false};
  std::atomic<bool> release{false};
  InformerHandlers slow;
  slow.onAdd = [&](const ObjectPtr& o) {
    if (o->name != "first") return;
    blocked = true;
    eventually([&] { return release.load(); });
  };
  auto r1 = informer.addHandlers(slow);
  auto r2 = informer.addHandlers(checker.handlers());
  auto r3 = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));

  store.create(makeObject("default", "first"));
  REQUIRE(eventually([&] { return blocked.load(); }));
  // While the delivery thread is stuck in a handler, the store keeps delivering: the
  // informer's queue overflows, and the store's fan-out thread is never held up.
  for (int i = 0; i < 10; ++i) store.create(makeObject("default", "o" + std::to_string(i)));
  REQUIRE(eventually([&] { return store.caughtUp(); }));
  release = true;

  // The sentinel comes either in the re-list's difference or from the new watch; either
  // way the re-list's onSynced and the new watch follow.
  store.create(makeObject("default", "sentinel"));
  REQUIRE(eventually([&] { return recorder.count("add default/sentinel@") == 1 && recorder.count("synced@") == 2; }));
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));
  CHECK(checker.sawSentinel());
  CHECK(checker.errors() == std::vector<std::string>{});
  CHECK(checker.revisions() == revisionsOf(store.live()));
  CHECK(recorder.count("add ") == 12);  // first, o0..o9 and the sentinel, each once
  CHECK(store.watchCalls() == 2);
}

TEST_CASE("a watch refused with Gone (compaction right after the list) re-lists", "[informer]") {
  FakeStore store;
  Object a = store.create(makeObject("default", "a"));
  // Right after the first list (before the informer can watch from its revision), the
  // store changes and compacts: the watch is refused with Gone.
  std::atomic<bool> fired{false};
  store.setAfterList([&] {
    if (fired.exchange(true)) return;
    store.update(makeObject("default", "a", {}, R"({"v":2})"));
    store.create(makeObject("default", "b"));
    store.compact();
  });
  SharedInformer informer(store, "pods", fastOptions());
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(recorder.waitFor("synced@3"));
  CHECK(recorder.events() ==
        std::vector<std::string>{"add " + at(a), "synced@1", "update default/a@1->2", "add default/b@3", "synced@3"});
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));
  CHECK(store.watchCalls() == 2);
}

TEST_CASE("a name re-created while the watch was down is a delete and an add", "[informer]") {
  FakeStore store;
  Object a = store.create(makeObject("default", "a"));
  SharedInformer informer(store, "pods", fastOptions());
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(recorder.waitFor("synced@1"));
  store.setListFailing(true);
  REQUIRE(eventually([&] { return store.activeWatches() == 1; }));  // the watch follows the sync
  store.endWatches(Status::gone("compacted"));
  REQUIRE(eventually([&] { return store.activeWatches() == 0; }));
  store.remove("default", "a");
  Object again = store.create(makeObject("default", "a"));
  store.setListFailing(false);
  REQUIRE(recorder.waitFor("synced@3"));
  CHECK(recorder.events() ==
        std::vector<std::string>{"add " + at(a), "synced@1", "delete " + at(a), "add " + at(again), "synced@3"});
  CHECK(informer.get("default", "a")->uid == again.uid);
}

TEST_CASE("waitForSync waits for the first list and list failures are retried", "[informer]") {
  FakeStore store;
  store.create(makeObject("default", "a"));
  store.setListFailing(true);
  SharedInformer informer(store, "pods", fastOptions());
  CHECK_FALSE(informer.waitForSync(10));  // not started: cannot sync
  informer.start();
  REQUIRE(eventually([&] { return store.listCalls() >= 3; }));
  CHECK_FALSE(informer.hasSynced());
  CHECK(informer.revision() == 0);
  store.setListFailing(false);
  CHECK(informer.waitForSync(kGuardMs));
  CHECK(informer.revision() == 1);
  CHECK(informer.list().size() == 1);
}

TEST_CASE("stop cancels the watch and wakes waiters; the destructor stops a running informer", "[informer]") {
  FakeStore store;
  {
    SharedInformer informer(store, "pods", fastOptions());
    informer.start();
    REQUIRE(informer.waitForSync(kGuardMs));
    REQUIRE(eventually([&] { return store.activeWatches() == 1; }));
    informer.stop();
    CHECK(store.activeWatches() == 0);
    informer.stop();   // idempotent
    informer.start();  // a stopped informer does not start again
    CHECK(store.watchCalls() == 1);
  }
  {
    store.setListFailing(true);  // never syncs
    SharedInformer informer(store, "pods", fastOptions());
    informer.start();
    std::thread stopper([&] {
      eventually([&] { return store.listCalls() >= 2; });
      informer.stop();
    });
    CHECK_FALSE(informer.waitForSync(kGuardMs));  // returns once stopped, not after the guard
    stopper.join();
  }
  store.setListFailing(false);
  {
    // Destroyed while running, with a registration that outlives it.
    std::unique_ptr<InformerRegistration> registration;
    Recorder recorder;
    {
      SharedInformer informer(store, "pods", fastOptions());
      registration = informer.addHandlers(recorder.handlers());
      informer.start();
      REQUIRE(informer.waitForSync(kGuardMs));
    }
    CHECK(store.activeWatches() == 0);
    registration.reset();
  }
}

TEST_CASE("an informer dropped or stopped from its own handler does not deadlock", "[informer]") {
  FakeStore store;
  InformerFactoryImpl factory(store, fastOptions());
  std::atomic<bool> stoppedInside{false};
  {
    auto informer = factory.informer("pods");
    InformerHandlers h;
    h.onAdd = [&](const ObjectPtr&) {
      factory.stopAll();  // includes the informer running this handler
      stoppedInside = true;
    };
    auto registration = informer->addHandlers(h);
    store.create(makeObject("default", "a"));
    REQUIRE(eventually([&] { return stoppedInside.load(); }));
    factory.stopAll();  // from this thread: joins the thread the handler ran on
    CHECK(store.activeWatches() == 0);
  }
  {
    // The last reference to an informer is dropped inside its own handler.
    FakeStore other;
    auto holder = std::make_shared<std::shared_ptr<SharedInformer>>(
        std::make_shared<SharedInformer>(other, "pods", fastOptions()));
    std::atomic<bool> dropped{false};
    InformerHandlers h;
    h.onAdd = [holder, &dropped](const ObjectPtr&) {
      holder->reset();
      dropped = true;
    };
    std::unique_ptr<InformerRegistration> registration = (*holder)->addHandlers(h);
    (*holder)->start();
    other.create(makeObject("default", "a"));
    REQUIRE(eventually([&] { return dropped.load(); }));
    REQUIRE(eventually([&] { return other.activeWatches() == 0; }));
    registration.reset();
  }
}

// --- The same behaviour on the real store ---

TEST_CASE("LmdbStore: paged initial list, live events and indexes", "[informer][lmdb]") {
  TempStore temp;
  store::LmdbStore& store = temp.get();
  Object p1 = writeSync(store, MutationOp::kCreate, makeObject("default", "p1", {{"spec.nodeName", "n1"}})).object;
  Object p2 = writeSync(store, MutationOp::kCreate, makeObject("default", "p2", {{"spec.nodeName", "n2"}})).object;
  Object p3 = writeSync(store, MutationOp::kCreate, makeObject("prod", "p3", {{"spec.nodeName", "n1"}})).object;
  writeSync(store, MutationOp::kCreate, makeObject("default", "svc", {}, "", "services"));

  auto options = fastOptions();
  options.pageSize = 2;
  SharedInformer informer(store, "pods", options);
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));
  std::int64_t listed = store.currentRevision();
  REQUIRE(recorder.waitFor("synced@" + std::to_string(listed)));
  CHECK(recorder.events() == std::vector<std::string>{"add " + at(p1), "add " + at(p2), "add " + at(p3),
                                                      "synced@" + std::to_string(listed)});
  CHECK(informer.revision() == listed);
  CHECK(names(informer.byIndex("spec.nodeName", "n1")) == std::vector<std::string>{"default/p1", "prod/p3"});
  CHECK(names(informer.byIndex("namespace", "default")) == std::vector<std::string>{"default/p1", "default/p2"});
  REQUIRE(informer.addIndex("name", [](const Object& o) { return std::vector<std::string>{o.name}; }).ok());
  CHECK(names(informer.byIndex("name", "p2")) == std::vector<std::string>{"default/p2"});

  Object moved = writeSync(store, MutationOp::kUpdate, makeObject("default", "p1", {{"spec.nodeName", "n2"}})).object;
  REQUIRE(writeSync(store, MutationOp::kDelete, makeObject("default", "p2")).status.ok());
  Object p4 = writeSync(store, MutationOp::kCreate, makeObject("default", "p4")).object;
  REQUIRE(recorder.waitFor("add " + at(p4)));
  CHECK(recorder.contains("update default/p1@" + std::to_string(p1.revision) + "->" + std::to_string(moved.revision)));
  CHECK(recorder.count("delete default/p2@") == 1);
  CHECK(names(informer.byIndex("spec.nodeName", "n2")) == std::vector<std::string>{"default/p1"});
  CHECK(names(informer.byIndex("spec.nodeName", "n1")) == std::vector<std::string>{"prod/p3"});
  CHECK(informer.byIndex("name", "p2").empty());
  CHECK(names(informer.byIndex("name", "p4")) == std::vector<std::string>{"default/p4"});
  CHECK(informer.revision() == p4.revision);
  CHECK_FALSE(recorder.overlapped());
}

TEST_CASE("LmdbStore: late registrations under concurrent writes", "[informer][lmdb]") {
  TempStore temp;
  writeSync(temp.get(), MutationOp::kCreate, makeObject("", "seed", {}, "", "configmaps"));
  checkLateRegistrations(temp.get());
}

TEST_CASE("LmdbStore: the factory shares one informer and one watch per type", "[informer][lmdb]") {
  TempStore temp;
  store::LmdbStore& store = temp.get();
  writeSync(store, MutationOp::kCreate, makeObject("default", "a"));
  InformerFactoryImpl factory(store, fastOptions());
  Recorder first;
  Recorder second;
  auto r1 = factory.informer("pods")->addHandlers(first.handlers());
  auto r2 = factory.informer("pods")->addHandlers(second.handlers());
  REQUIRE(factory.informer("pods")->waitForSync(kGuardMs));
  Object b = writeSync(store, MutationOp::kCreate, makeObject("default", "b")).object;
  REQUIRE(first.waitFor("add " + at(b)));
  REQUIRE(second.waitFor("add " + at(b)));
  CHECK(first.events() == second.events());
  CHECK(store.stats().watches == 1);
  factory.stopAll();
  CHECK(store.stats().watches == 0);
}

TEST_CASE("LmdbStore: compaction between the list and the watch makes the watch Gone; the informer re-lists",
          "[informer][lmdb]") {
  TempStore temp;
  store::LmdbStore& store = temp.get();
  Object a = writeSync(store, MutationOp::kCreate, makeObject("default", "a")).object;
  ProxyStore proxy(store);
  // Runs on the informer's thread, inside its first list call (so no Catch assertions here).
  std::atomic<bool> fired{false};
  std::atomic<bool> compacted{false};
  Object a2;
  Object b;
  proxy.setAfterList([&] {
    if (fired.exchange(true)) return;
    a2 = writeSync(store, MutationOp::kUpdate, makeObject("default", "a", {}, R"({"v":2})")).object;
    b = writeSync(store, MutationOp::kCreate, makeObject("default", "b")).object;
    compacted = store.compact().ok();
  });
  SharedInformer informer(proxy, "pods", fastOptions());
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(eventually([&] { return recorder.count("synced@") == 2; }));
  CHECK(compacted);
  CHECK(recorder.events() ==
        std::vector<std::string>{"add " + at(a), "synced@" + std::to_string(a.revision),
                                 "update default/a@" + std::to_string(a.revision) + "->" + std::to_string(a2.revision),
                                 "add " + at(b), "synced@" + std::to_string(b.revision)});
  // Watching again from the fresh list's revision: the refused watch and this one.
  Object c = writeSync(store, MutationOp::kCreate, makeObject("default", "c")).object;
  REQUIRE(recorder.waitFor("add " + at(c)));
  CHECK(proxy.watchCalls() == 2);
}

TEST_CASE("LmdbStore: a watch ended with Gone is followed by a re-list whose difference is exact", "[informer][lmdb]") {
  TempStore temp;
  store::LmdbStore& store = temp.get();
  Object a = writeSync(store, MutationOp::kCreate, makeObject("default", "a")).object;
  Object b = writeSync(store, MutationOp::kCreate, makeObject("default", "b", {{"spec.nodeName", "n1"}})).object;
  Object c = writeSync(store, MutationOp::kCreate, makeObject("default", "c")).object;
  ProxyStore proxy(store);
  SharedInformer informer(proxy, "pods", fastOptions());
  Recorder recorder;
  auto registration = informer.addHandlers(recorder.handlers());
  informer.start();
  REQUIRE(recorder.waitFor("synced@" + std::to_string(c.revision)));
  std::size_t initial = recorder.size();

  proxy.setListFailing(true);
  int listsBefore = proxy.listCalls();
  REQUIRE(eventually([&] { return proxy.openWatches() == 1; }));  // the watch follows the sync
  proxy.cutWatches(Status::gone("required revision has been compacted"));
  REQUIRE(eventually([&] { return proxy.listCalls() >= listsBefore + 2; }));
  Object d = writeSync(store, MutationOp::kCreate, makeObject("default", "d")).object;
  Object b2 = writeSync(store, MutationOp::kUpdate, makeObject("default", "b", {{"spec.nodeName", "n2"}})).object;
  REQUIRE(writeSync(store, MutationOp::kDelete, makeObject("default", "c")).status.ok());
  REQUIRE(store.compact().ok());
  std::int64_t relisted = store.currentRevision();
  proxy.setListFailing(false);

  REQUIRE(recorder.waitFor("synced@" + std::to_string(relisted)));
  auto events = recorder.events();
  std::vector<std::string> diff(events.begin() + static_cast<std::ptrdiff_t>(initial), events.end());
  CHECK(diff ==
        std::vector<std::string>{"delete " + at(c), "add " + at(d),
                                 "update default/b@" + std::to_string(b.revision) + "->" + std::to_string(b2.revision),
                                 "synced@" + std::to_string(relisted)});
  CHECK(names(informer.list()) == std::vector<std::string>{"default/a", "default/b", "default/d"});
  CHECK(names(informer.byIndex("spec.nodeName", "n2")) == std::vector<std::string>{"default/b"});
  CHECK(informer.byIndex("spec.nodeName", "n1").empty());
  (void)a;
  Object e = writeSync(store, MutationOp::kCreate, makeObject("default", "e")).object;
  REQUIRE(recorder.waitFor("add " + at(e)));
}

TEST_CASE("LmdbStore: closing the store ends the watch; the informer keeps its cache and stops cleanly",
          "[informer][lmdb]") {
  TempStore temp;
  store::LmdbStore& store = temp.get();
  Object a = writeSync(store, MutationOp::kCreate, makeObject("default", "a")).object;
  ProxyStore proxy(store);
  SharedInformer informer(proxy, "pods", fastOptions());
  informer.start();
  REQUIRE(informer.waitForSync(kGuardMs));
  int listsBefore = proxy.listCalls();
  store.close();
  // The watch ends (Unavailable) and re-lists fail while the store is closed: retried.
  REQUIRE(eventually([&] { return proxy.listCalls() >= listsBefore + 3; }));
  CHECK(informer.hasSynced());
  REQUIRE(informer.get("default", "a"));
  CHECK(informer.get("default", "a")->revision == a.revision);
  informer.stop();
}

}  // namespace capstan::informer
