#include "informer/informer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <iterator>
#include <map>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <utility>

namespace capstan::informer {
namespace {

using Key = std::pair<std::string, std::string>;  // (namespace, name)

Key keyOf(const Object& object) { return {object.ns, object.name}; }

// Options a loop can run with: no negative page size, a backoff that is positive and whose
// cap is not below its start, room for at least one queued event.
SharedInformerOptions normalized(SharedInformerOptions options) {
  options.pageSize = std::max<std::int64_t>(0, options.pageSize);
  options.minBackoff = std::max(options.minBackoff, std::chrono::milliseconds(1));
  options.maxBackoff = std::max(options.maxBackoff, options.minBackoff);
  options.maxQueuedEvents = std::max<std::size_t>(1, options.maxQueuedEvents);
  options.bookmarkIntervalMs = std::max<std::int64_t>(0, options.bookmarkIntervalMs);
  return options;
}

constexpr const char* kNamespaceIndex = "namespace";

// One registration's handlers, shared by the registration (which retires them) and the
// delivery thread (which calls them).
struct HandlerEntry {
  // Held by the delivery thread for the whole of each call, so a registration destroyed
  // from another thread waits for a running call by taking it.
  std::mutex callMutex;
  std::atomic<bool> removed{false};
  // The delivery thread's id while it is inside one of these handlers: tells a registration
  // destroyed from within its own handler not to wait for itself.
  std::atomic<std::thread::id> callingThread{};
  InformerHandlers handlers;  // guarded by callMutex
};

class RegistrationImpl final : public InformerRegistration {
 public:
  explicit RegistrationImpl(std::shared_ptr<HandlerEntry> entry) : entry_(std::move(entry)) {}

  ~RegistrationImpl() override {
    if (entry_->callingThread.load() == std::this_thread::get_id()) {
      // Destroyed by its own handler: that call holds callMutex and its std::function is
      // executing, so only mark it; the delivery thread releases the handlers once the call
      // returns.
      entry_->removed = true;
      return;
    }
    InformerHandlers released;
    {
      std::lock_guard<std::mutex> lock(entry_->callMutex);
      entry_->removed = true;
      std::swap(released, entry_->handlers);
    }
    // `released` dies here, outside the lock: captured state may run arbitrary destructors.
  }

 private:
  std::shared_ptr<HandlerEntry> entry_;
};

}  // namespace

// The informer's state and its delivery thread's loop.
//
// Threading choice: handlers run on this informer-owned thread, fed through a bounded queue,
// never on the store's fan-out thread. The fan-out thread serves every watch in the process
// (and, in the daemon, the bus), and the WatchHandler contract requires it to return quickly:
// a slow plugin handler there would stall every other watcher. A re-list also has to make
// blocking list calls and sleep between retries, which cannot happen on the fan-out thread
// either. So the watch handler only copies events (shared pointers) into the queue; this
// thread applies them to the cache and calls handlers, in order, one at a time. Being the only
// thread that changes the cache also makes the replay for a new registration exact: it runs
// between two events, when the cache is precisely what the other handlers have seen. If the
// queue exceeds its bound the watch is dropped and the informer re-lists, rather than
// blocking the fan-out thread or growing memory without limit.
class InformerCore final {
 public:
  InformerCore(StoreClient& store, std::string type, SharedInformerOptions options)
      : store_(store), type_(std::move(type)), options_(normalized(options)) {}

  // The delivery thread's body; returns once a stop is requested.
  void run();
  void requestStop();
  bool stopRequested() const { return stopRequested_.load(); }
  bool onDeliveryThread() const { return deliveryThread_.load() == std::this_thread::get_id(); }

  const std::string& type() const { return type_; }
  std::unique_ptr<InformerRegistration> addHandlers(InformerHandlers handlers);
  Status addIndex(const std::string& name, IndexFunction function);
  bool hasSynced() const { return synced_.load(); }
  std::int64_t revision() const { return revision_.load(); }
  ObjectPtr get(const std::string& ns, const std::string& name) const;
  std::vector<ObjectPtr> list(const std::string& ns) const;
  std::vector<ObjectPtr> byIndex(const std::string& indexName, const std::string& value) const;
  bool waitForSync(std::int64_t timeoutMs) const;

 private:
  using Bucket = std::map<Key, ObjectPtr>;                // the objects filed under one value
  using Index = std::unordered_map<std::string, Bucket>;  // value -> objects

  struct Snapshot {
    std::vector<Object> items;
    std::int64_t revision = 0;
  };
  struct WatchOutcome {
    bool healthy = false;  // delivered events or stayed open a while: no backoff before re-listing
    Status status;         // why it ended
  };

  // Delivery thread.
  Result<Snapshot> listAll();
  void applySnapshot(Snapshot snapshot);
  WatchOutcome watchFrom(std::int64_t fromRevision);
  void applyEvent(const WatchEvent& event);
  void advanceRevision(std::int64_t revision);
  bool waitFor(std::chrono::milliseconds delay);
  void acceptPendingRegistrations();
  void acceptRegistrations(const std::vector<std::shared_ptr<HandlerEntry>>& entries);
  ObjectPtr cached(const Key& key) const;
  void putObject(const ObjectPtr& object);
  void eraseObject(const Key& key);
  void markSynced(std::int64_t revision);
  template <typename Call>
  void dispatch(const Call& call);
  template <typename Call>
  void deliver(HandlerEntry& entry, const Call& call);

  // Store's fan-out thread.
  void onWatchEvents(std::uint64_t generation, std::span<const WatchEvent> events);

  // Under cacheMutex_ (exclusive).
  void indexLocked(const Key& key, const ObjectPtr& object);
  void unindexLocked(const Key& key, const Object& object);
  void removeFromIndexLocked(const std::string& indexName, const std::string& value, const Key& key);
  std::vector<std::string> customValues(const std::string& indexName, const IndexFunction& function,
                                        const Object& object) const;

  StoreClient& store_;
  const std::string type_;
  const SharedInformerOptions options_;

  // The cache. Written only by the delivery thread (objects_) or under the write lock
  // (indexes_, customIndexes_ also by addIndex); read by anyone under the read lock.
  mutable std::shared_mutex cacheMutex_;
  std::map<Key, ObjectPtr> objects_;
  std::unordered_map<std::string, Index> indexes_;  // index name -> index; empty ones are erased
  std::map<std::string, IndexFunction> customIndexes_;
  std::atomic<std::int64_t> revision_{0};

  std::atomic<bool> synced_{false};
  mutable std::mutex syncMutex_;  // pairs synced_ / stop with syncCv_ so no wake-up is missed
  mutable std::condition_variable syncCv_;

  // The inbox: filled by the store's fan-out thread and by addHandlers(), drained by the
  // delivery thread.
  std::mutex inboxMutex_;
  std::condition_variable inboxCv_;
  std::deque<WatchEvent> events_;
  std::uint64_t watchGeneration_ = 0;  // events of any other watch than the current are dropped
  bool watchEnded_ = false;
  Status watchEndStatus_;
  std::vector<std::shared_ptr<HandlerEntry>> pendingRegistrations_;
  bool stopping_ = false;
  std::atomic<bool> stopRequested_{false};  // stopping_, readable without the lock

  // Delivery thread only.
  std::vector<std::shared_ptr<HandlerEntry>> handlers_;
  std::atomic<std::thread::id> deliveryThread_{};
};

void InformerCore::run() {
  deliveryThread_ = std::this_thread::get_id();
  try {
    std::chrono::milliseconds backoff = options_.minBackoff;
    // Waits out the current backoff (still accepting registrations) and doubles it; false
    // when a stop was requested meanwhile.
    auto backOff = [&] {
      bool keepGoing = waitFor(backoff);
      backoff = std::min(backoff * 2, options_.maxBackoff);
      return keepGoing;
    };
    while (!stopRequested_) {
      acceptPendingRegistrations();
      auto listed = listAll();
      if (!listed.ok()) {
        if (stopRequested_) break;
        spdlog::warn("informer {}: {}; retrying in {} ms", type_, listed.status().toString(), backoff.count());
        if (!backOff()) break;
        continue;
      }
      std::int64_t listRevision = listed->revision;
      applySnapshot(std::move(listed).value());
      if (stopRequested_) break;

      WatchOutcome outcome = watchFrom(listRevision);
      if (stopRequested_) break;
      if (outcome.healthy) {
        backoff = options_.minBackoff;
        spdlog::info("informer {}: watch ended ({}); re-listing", type_, outcome.status.toString());
      } else {
        spdlog::warn("informer {}: {}; re-listing in {} ms", type_, outcome.status.toString(), backoff.count());
        if (!backOff()) break;
      }
    }
  } catch (const std::exception& e) {
    // Only a bug (or memory exhaustion) gets here; the process must not die of it. Marking
    // the informer stopped lets waitForSync() callers return instead of waiting it out.
    spdlog::critical("informer {}: stopped by an exception: {}", type_, e.what());
    requestStop();
  }
  deliveryThread_ = std::thread::id{};
}

void InformerCore::requestStop() {
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    stopping_ = true;
    stopRequested_ = true;
  }
  inboxCv_.notify_all();
  // Under syncMutex_, so a waitForSync() between its check and its wait cannot miss this.
  std::lock_guard<std::mutex> lock(syncMutex_);
  syncCv_.notify_all();
}

Result<InformerCore::Snapshot> InformerCore::listAll() {
  ListOptions options;
  options.type = type_;
  options.limit = options_.pageSize;
  Snapshot snapshot;
  for (bool first = true;; first = false) {
    if (stopRequested_) return Status::aborted("informer " + type_ + " is stopping");
    auto page = store_.list(options);
    if (!page.ok()) return page.status().withContext("listing " + type_);
    if (first) {
      snapshot.revision = page->revision;
    } else if (page->revision != snapshot.revision) {
      return Status::internal("listing " + type_ + ": pages at revisions " + std::to_string(snapshot.revision) +
                              " and " + std::to_string(page->revision) +
                              " (a continued list must stay at one revision)");
    }
    if (page->remainingCount > 0) {
      snapshot.items.reserve(snapshot.items.size() + page->items.size() +
                             static_cast<std::size_t>(page->remainingCount));
    }
    std::move(page->items.begin(), page->items.end(), std::back_inserter(snapshot.items));
    if (page->continueToken.empty()) return snapshot;
    options.continueToken = std::move(page->continueToken);
  }
}

void InformerCore::applySnapshot(Snapshot snapshot) {
  std::map<Key, ObjectPtr> fresh;
  for (auto& item : snapshot.items) {
    Key key = keyOf(item);
    fresh.insert_or_assign(std::move(key), std::make_shared<const Object>(std::move(item)));
  }
  snapshot.items.clear();

  // Objects gone from the store first: their deletions happened after the cache's revision
  // and before the list's. Reading objects_ without the lock is safe here: only this thread
  // writes it.
  std::vector<ObjectPtr> gone;
  for (const auto& [key, object] : objects_) {
    if (!fresh.contains(key)) gone.push_back(object);
  }
  for (const auto& object : gone) {
    if (stopRequested_) return;
    eraseObject(keyOf(*object));
    dispatch([&](const InformerHandlers& h) {
      if (h.onDelete) h.onDelete(object);
    });
  }

  // Then additions and changes, in revision order as a watch would have delivered them.
  std::vector<ObjectPtr> ordered;
  ordered.reserve(fresh.size());
  for (auto& [key, object] : fresh) ordered.push_back(std::move(object));
  fresh.clear();
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const ObjectPtr& a, const ObjectPtr& b) { return a->revision < b->revision; });
  for (const auto& object : ordered) {
    if (stopRequested_) return;
    ObjectPtr old = cached(keyOf(*object));
    if (old && old->uid != object->uid) {
      // Deleted and re-created while the watch was down: a different object, so report it
      // as the watch would have, not as an update of the old one.
      eraseObject(keyOf(*old));
      dispatch([&](const InformerHandlers& h) {
        if (h.onDelete) h.onDelete(old);
      });
      old.reset();
    }
    if (!old) {
      putObject(object);
      dispatch([&](const InformerHandlers& h) {
        if (h.onAdd) h.onAdd(object);
      });
    } else if (old->revision != object->revision) {
      putObject(object);
      dispatch([&](const InformerHandlers& h) {
        if (h.onUpdate) h.onUpdate(old, object);
      });
    }
  }

  revision_ = snapshot.revision;
  markSynced(snapshot.revision);
}

void InformerCore::markSynced(std::int64_t revision) {
  {
    std::lock_guard<std::mutex> lock(syncMutex_);
    synced_ = true;
  }
  syncCv_.notify_all();
  dispatch([&](const InformerHandlers& h) {
    if (h.onSynced) h.onSynced(revision);
  });
}

InformerCore::WatchOutcome InformerCore::watchFrom(std::int64_t fromRevision) {
  std::uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    generation = ++watchGeneration_;
    events_.clear();
    watchEnded_ = false;
    watchEndStatus_ = Status();
  }
  WatchOptions options;
  options.type = type_;
  options.fromRevision = fromRevision;
  options.bookmarkIntervalMs = options_.bookmarkIntervalMs;
  auto started = store_.watch(
      options, [this, generation](std::span<const WatchEvent> events) { onWatchEvents(generation, events); });
  if (!started.ok()) return {false, started.status().withContext("watching " + type_)};
  std::unique_ptr<Watch> watch = std::move(started).value();
  auto openedAt = std::chrono::steady_clock::now();

  WatchOutcome outcome;
  bool received = false;
  if (fromRevision == 0 && store_.currentRevision() != 0) {
    // fromRevision 0 means "from now on", not "after revision 0": a write between the list
    // (of an empty store at revision 0) and the watch could have been missed. Nothing can
    // be missed once the store has a revision, so list again.
    outcome.status = Status::aborted("the store's first write raced the initial list");
    received = true;
  } else {
    for (;;) {
      std::vector<std::shared_ptr<HandlerEntry>> registrations;
      std::deque<WatchEvent> batch;
      bool ended = false;
      {
        std::unique_lock<std::mutex> lock(inboxMutex_);
        inboxCv_.wait(lock,
                      [&] { return stopping_ || watchEnded_ || !events_.empty() || !pendingRegistrations_.empty(); });
        if (stopping_) break;
        registrations.swap(pendingRegistrations_);
        batch.swap(events_);
        if (watchEnded_) {
          ended = true;
          outcome.status = watchEndStatus_;
        }
      }
      acceptRegistrations(registrations);
      received = received || !batch.empty();
      for (const auto& event : batch) {
        if (stopRequested_) break;
        applyEvent(event);
      }
      if (ended) break;
    }
  }

  // Not under inboxMutex_: cancel() waits for a running onWatchEvents(), which takes it.
  watch->cancel();
  watch.reset();
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    ++watchGeneration_;
    events_.clear();
  }
  outcome.healthy = received || std::chrono::steady_clock::now() - openedAt >= options_.maxBackoff;
  return outcome;
}

void InformerCore::onWatchEvents(std::uint64_t generation, std::span<const WatchEvent> events) {
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    if (generation != watchGeneration_ || watchEnded_ || stopping_) return;
    for (const auto& event : events) {
      if (event.kind == WatchEvent::Kind::kError) {
        watchEnded_ = true;
        watchEndStatus_ = event.error.ok() ? Status::unavailable("the store ended the watch") : event.error;
        break;
      }
      if (events_.size() >= options_.maxQueuedEvents) {
        // The queued events are dropped with the watch: the re-list's diff covers them.
        watchEnded_ = true;
        events_.clear();
        watchEndStatus_ = Status::resourceExhausted("informer " + type_ + " fell behind: more than " +
                                                    std::to_string(options_.maxQueuedEvents) +
                                                    " watch events waiting for its handlers");
        break;
      }
      events_.push_back(event);
    }
  }
  inboxCv_.notify_all();
}

void InformerCore::applyEvent(const WatchEvent& event) {
  switch (event.kind) {
    case WatchEvent::Kind::kBookmark:
      advanceRevision(event.revision);
      return;
    case WatchEvent::Kind::kError:
      return;  // never queued: it ends the watch
    case WatchEvent::Kind::kAdded:
    case WatchEvent::Kind::kModified: {
      if (!event.object) return;
      const ObjectPtr& object = event.object;
      ObjectPtr old = cached(keyOf(*object));
      // A version the cache already holds (a store replaying inclusively) is not news.
      if (old && old->revision >= object->revision) return;
      putObject(object);
      advanceRevision(std::max(event.revision, object->revision));
      if (old) {
        dispatch([&](const InformerHandlers& h) {
          if (h.onUpdate) h.onUpdate(old, object);
        });
      } else {
        dispatch([&](const InformerHandlers& h) {
          if (h.onAdd) h.onAdd(object);
        });
      }
      return;
    }
    case WatchEvent::Kind::kDeleted: {
      if (!event.object) return;
      Key key = keyOf(*event.object);
      ObjectPtr old = cached(key);
      // Unknown, or the cache holds a version newer than this deletion: nothing to report.
      if (!old || (event.revision > 0 && old->revision > event.revision)) return;
      eraseObject(key);
      advanceRevision(event.revision);
      dispatch([&](const InformerHandlers& h) {
        if (h.onDelete) h.onDelete(event.object);
      });
      return;
    }
  }
}

void InformerCore::advanceRevision(std::int64_t revision) {
  if (revision > revision_) revision_ = revision;
}

bool InformerCore::waitFor(std::chrono::milliseconds delay) {
  auto deadline = std::chrono::steady_clock::now() + delay;
  for (;;) {
    std::vector<std::shared_ptr<HandlerEntry>> registrations;
    {
      std::unique_lock<std::mutex> lock(inboxMutex_);
      inboxCv_.wait_until(lock, deadline, [&] { return stopping_ || !pendingRegistrations_.empty(); });
      if (stopping_) return false;
      registrations.swap(pendingRegistrations_);
    }
    if (registrations.empty()) return true;
    acceptRegistrations(registrations);
  }
}

void InformerCore::acceptPendingRegistrations() {
  std::vector<std::shared_ptr<HandlerEntry>> registrations;
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    registrations.swap(pendingRegistrations_);
  }
  acceptRegistrations(registrations);
}

void InformerCore::acceptRegistrations(const std::vector<std::shared_ptr<HandlerEntry>>& entries) {
  for (const auto& entry : entries) {
    if (entry->removed) continue;
    // This runs between two events, and only this thread changes the cache: the replay is
    // exactly the state the other handlers have seen, and the next event continues from it.
    std::vector<ObjectPtr> snapshot;
    snapshot.reserve(objects_.size());
    for (const auto& [key, object] : objects_) snapshot.push_back(object);
    for (const auto& object : snapshot) {
      if (entry->removed || stopRequested_) break;
      deliver(*entry, [&](const InformerHandlers& h) {
        if (h.onAdd) h.onAdd(object);
      });
    }
    if (synced_ && !entry->removed) {
      std::int64_t revision = revision_;
      deliver(*entry, [&](const InformerHandlers& h) {
        if (h.onSynced) h.onSynced(revision);
      });
    }
    handlers_.push_back(entry);
  }
}

template <typename Call>
void InformerCore::dispatch(const Call& call) {
  // A handler may add registrations (they go to the inbox) or remove any (they are only
  // marked), so handlers_ does not change during this loop.
  for (const auto& entry : handlers_) deliver(*entry, call);
  std::erase_if(handlers_, [](const std::shared_ptr<HandlerEntry>& entry) { return entry->removed.load(); });
}

template <typename Call>
void InformerCore::deliver(HandlerEntry& entry, const Call& call) {
  std::unique_lock<std::mutex> lock(entry.callMutex);
  if (entry.removed) return;
  entry.callingThread = std::this_thread::get_id();
  try {
    call(entry.handlers);
  } catch (const std::exception& e) {
    spdlog::error("informer {}: a handler threw: {}", type_, e.what());
  } catch (...) {
    spdlog::error("informer {}: a handler threw a non-standard exception", type_);
  }
  entry.callingThread = std::thread::id{};
  if (entry.removed) {
    // The handler destroyed its own registration; now that it has returned, let go of it.
    InformerHandlers released;
    std::swap(released, entry.handlers);
    lock.unlock();
  }
}

ObjectPtr InformerCore::cached(const Key& key) const {
  // Delivery thread only: it is the sole writer of objects_, so it reads without the lock.
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

void InformerCore::putObject(const ObjectPtr& object) {
  Key key = keyOf(*object);
  std::unique_lock<std::shared_mutex> lock(cacheMutex_);
  auto it = objects_.find(key);
  if (it != objects_.end()) {
    unindexLocked(key, *it->second);
    it->second = object;
  } else {
    objects_.emplace(key, object);
  }
  indexLocked(key, object);
}

void InformerCore::eraseObject(const Key& key) {
  std::unique_lock<std::shared_mutex> lock(cacheMutex_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return;
  unindexLocked(key, *it->second);
  objects_.erase(it);
}

void InformerCore::indexLocked(const Key& key, const ObjectPtr& object) {
  indexes_[kNamespaceIndex][object->ns].insert_or_assign(key, object);
  for (const auto& [name, value] : object->indexes) {
    if (name == kNamespaceIndex || customIndexes_.contains(name)) continue;
    indexes_[name][value].insert_or_assign(key, object);
  }
  for (const auto& [name, function] : customIndexes_) {
    for (const auto& value : customValues(name, function, *object)) {
      indexes_[name][value].insert_or_assign(key, object);
    }
  }
}

void InformerCore::unindexLocked(const Key& key, const Object& object) {
  removeFromIndexLocked(kNamespaceIndex, object.ns, key);
  for (const auto& [name, value] : object.indexes) {
    if (name == kNamespaceIndex || customIndexes_.contains(name)) continue;
    removeFromIndexLocked(name, value, key);
  }
  // Index functions are pure, so the old object yields the values it was filed under.
  for (const auto& [name, function] : customIndexes_) {
    for (const auto& value : customValues(name, function, object)) removeFromIndexLocked(name, value, key);
  }
}

void InformerCore::removeFromIndexLocked(const std::string& indexName, const std::string& value, const Key& key) {
  auto index = indexes_.find(indexName);
  if (index == indexes_.end()) return;
  auto bucket = index->second.find(value);
  if (bucket == index->second.end()) return;
  bucket->second.erase(key);
  // Empty buckets and indexes go, so memory follows the live objects and addIndex can tell
  // whether a writer-supplied key is in use.
  if (bucket->second.empty()) index->second.erase(bucket);
  if (index->second.empty()) indexes_.erase(index);
}

std::vector<std::string> InformerCore::customValues(const std::string& indexName, const IndexFunction& function,
                                                    const Object& object) const {
  try {
    return function(object);
  } catch (const std::exception& e) {
    spdlog::error("informer {}: index function {} threw on {}/{}: {}", type_, indexName, object.ns, object.name,
                  e.what());
  } catch (...) {
    spdlog::error("informer {}: index function {} threw a non-standard exception on {}/{}", type_, indexName, object.ns,
                  object.name);
  }
  return {};
}

std::unique_ptr<InformerRegistration> InformerCore::addHandlers(InformerHandlers handlers) {
  auto entry = std::make_shared<HandlerEntry>();
  entry->handlers = std::move(handlers);
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    pendingRegistrations_.push_back(entry);
  }
  inboxCv_.notify_all();
  return std::make_unique<RegistrationImpl>(std::move(entry));
}

Status InformerCore::addIndex(const std::string& name, IndexFunction function) {
  if (name.empty()) return Status::invalidArgument("informer " + type_ + ": an index name must not be empty");
  if (!function) return Status::invalidArgument("informer " + type_ + ": index " + name + " has no function");
  std::unique_lock<std::shared_mutex> lock(cacheMutex_);
  if (name == kNamespaceIndex || customIndexes_.contains(name)) {
    return Status::alreadyExists("informer " + type_ + ": index " + name + " already exists");
  }
  if (indexes_.contains(name)) {
    return Status::alreadyExists("informer " + type_ + ": index " + name +
                                 " is a writer-supplied index key of cached objects");
  }
  const IndexFunction& stored = customIndexes_.emplace(name, std::move(function)).first->second;
  for (const auto& [key, object] : objects_) {
    for (const auto& value : customValues(name, stored, *object)) {
      indexes_[name][value].insert_or_assign(key, object);
    }
  }
  return Status::okStatus();
}

ObjectPtr InformerCore::get(const std::string& ns, const std::string& name) const {
  std::shared_lock<std::shared_mutex> lock(cacheMutex_);
  auto it = objects_.find(Key{ns, name});
  return it == objects_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> InformerCore::list(const std::string& ns) const {
  std::vector<ObjectPtr> out;
  std::shared_lock<std::shared_mutex> lock(cacheMutex_);
  if (ns.empty()) {
    out.reserve(objects_.size());
    for (const auto& [key, object] : objects_) out.push_back(object);
    return out;
  }
  for (auto it = objects_.lower_bound(Key{ns, ""}); it != objects_.end() && it->first.first == ns; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::vector<ObjectPtr> InformerCore::byIndex(const std::string& indexName, const std::string& value) const {
  std::vector<ObjectPtr> out;
  std::shared_lock<std::shared_mutex> lock(cacheMutex_);
  auto index = indexes_.find(indexName);
  if (index == indexes_.end()) return out;
  auto bucket = index->second.find(value);
  if (bucket == index->second.end()) return out;
  out.reserve(bucket->second.size());
  for (const auto& [key, object] : bucket->second) out.push_back(object);
  return out;
}

bool InformerCore::waitForSync(std::int64_t timeoutMs) const {
  std::unique_lock<std::mutex> lock(syncMutex_);
  syncCv_.wait_for(lock, std::chrono::milliseconds(std::max<std::int64_t>(0, timeoutMs)),
                   [&] { return synced_.load() || stopRequested_.load(); });
  return synced_;
}

SharedInformer::SharedInformer(StoreClient& store, std::string type, SharedInformerOptions options)
    : core_(std::make_shared<InformerCore>(store, std::move(type), options)) {}

SharedInformer::~SharedInformer() {
  core_->requestStop();
  std::lock_guard<std::mutex> lock(threadMutex_);
  if (!thread_.joinable()) return;
  if (core_->onDeliveryThread()) {
    // The last reference was dropped inside one of our handlers: joining would wait for
    // ourselves. The thread holds its own reference to the core and ends once the handler
    // returns.
    thread_.detach();
  } else {
    thread_.join();
  }
}

void SharedInformer::start() {
  if (started_.exchange(true)) return;
  std::lock_guard<std::mutex> lock(threadMutex_);
  if (core_->stopRequested()) return;
  thread_ = std::thread([core = core_] { core->run(); });
}

void SharedInformer::stop() {
  core_->requestStop();
  // From one of our own handlers only the request is possible; the destructor (or a stop()
  // from another thread) joins.
  if (core_->onDeliveryThread()) return;
  std::lock_guard<std::mutex> lock(threadMutex_);
  if (thread_.joinable()) thread_.join();
}

const std::string& SharedInformer::type() const { return core_->type(); }

std::unique_ptr<InformerRegistration> SharedInformer::addHandlers(InformerHandlers handlers) {
  return core_->addHandlers(std::move(handlers));
}

Status SharedInformer::addIndex(const std::string& name, IndexFunction function) {
  return core_->addIndex(name, std::move(function));
}

bool SharedInformer::hasSynced() const { return core_->hasSynced(); }

std::int64_t SharedInformer::revision() const { return core_->revision(); }

ObjectPtr SharedInformer::get(const std::string& ns, const std::string& name) const { return core_->get(ns, name); }

std::vector<ObjectPtr> SharedInformer::list(const std::string& ns) const { return core_->list(ns); }

std::vector<ObjectPtr> SharedInformer::byIndex(const std::string& indexName, const std::string& value) const {
  return core_->byIndex(indexName, value);
}

bool SharedInformer::waitForSync(std::int64_t timeoutMs) const { return core_->waitForSync(timeoutMs); }

}  // namespace capstan::informer
