#include "watch_hub.h"

#include <algorithm>
#include <exception>
#include <stdexcept>

#include "keys.h"

namespace capstan::store {

using Clock = std::chrono::steady_clock;

namespace {

// Replay reads LMDB in steps so one watcher catching up does not stall the others.
constexpr std::size_t kReplayStepEvents = 4096;
constexpr std::size_t kReplayStepScan = 65536;

WatchEvent errorEvent(const Status& status, std::int64_t revision) {
  WatchEvent e;
  e.kind = WatchEvent::Kind::kError;
  e.revision = revision;
  e.error = status;
  return e;
}

WatchEvent bookmarkEvent(std::int64_t revision) {
  WatchEvent e;
  e.kind = WatchEvent::Kind::kBookmark;
  e.revision = revision;
  return e;
}

Status closedStatus() { return Status::unavailable("the store is closed; watch again after it reopens"); }

Status gone(std::int64_t revision, std::int64_t compacted) {
  return Status::gone("required revision " + std::to_string(revision) +
                      " has been compacted (compacted revision is " + std::to_string(compacted) +
                      ")");
}

}  // namespace

// One watch or cursor. Push subscribers are driven only by the fan-out thread (position,
// live, filter, scratch need no lock); pull subscribers by next() and the fan-out thread,
// serialized by stateMutex.
struct Subscriber {
  WatchFilter filter;
  std::int64_t bookmarkIntervalMs = 0;
  // Every event with a revision <= position was delivered or filtered out.
  std::atomic<std::int64_t> position{0};
  // Served from the ring at least once: falling out of it now means the watcher is too slow
  // (before that, it is replaying history and LMDB serves it).
  bool live = false;
  // When events were last handed over (bookmarks are due after an idle interval). Atomic
  // because the fan-out thread reads it for pull subscribers while next() writes it.
  std::atomic<Clock::rep> lastSentTicks{0};
  std::optional<Status> ended;

  std::atomic<bool> cancelled{false};
  // Held while the handler or onReadable runs, so cancel() can wait for it.
  std::mutex callMutex;
  std::atomic<std::thread::id> callingThread{};

  // Push.
  WatchHandler handler;
  std::vector<WatchEvent> scratch;

  // Pull.
  bool pull = false;
  std::function<void()> onReadable;
  std::mutex stateMutex;
  std::atomic<bool> armed{false};
  bool endDelivered = false;

  void markSent(Clock::time_point t) { lastSentTicks.store(t.time_since_epoch().count()); }
  Clock::time_point bookmarkDeadline() const {
    return Clock::time_point(Clock::duration(lastSentTicks.load())) +
           std::chrono::milliseconds(bookmarkIntervalMs);
  }
  bool bookmarkDue(Clock::time_point now) const {
    return bookmarkIntervalMs > 0 && now >= bookmarkDeadline();
  }
};

namespace {

Status fellBehind(std::size_t capacity) {
  return Status::resourceExhausted("watch fell behind by more than " + std::to_string(capacity) +
                                   " events; re-list and watch again");
}

class WatchImpl final : public Watch {
 public:
  WatchImpl(std::shared_ptr<Subscriber> sub, std::weak_ptr<WatchHub> hub)
      : sub_(std::move(sub)), hub_(std::move(hub)) {}
  ~WatchImpl() override { cancel(); }

  void cancel() override {
    sub_->cancelled.store(true, std::memory_order_seq_cst);
    // From inside its own handler the call is already running on this thread: it will
    // not be called again, and waiting for it would deadlock.
    if (sub_->callingThread.load() != std::this_thread::get_id()) {
      std::lock_guard<std::mutex> wait(sub_->callMutex);
    }
    if (auto hub = hub_.lock()) hub->remove(sub_);
  }

 private:
  std::shared_ptr<Subscriber> sub_;
  std::weak_ptr<WatchHub> hub_;
};

class CursorImpl final : public WatchCursor {
 public:
  CursorImpl(std::shared_ptr<Subscriber> sub, std::weak_ptr<WatchHub> hub)
      : sub_(std::move(sub)), hub_(std::move(hub)) {}
  ~CursorImpl() override { cancel(); }

  std::vector<WatchEvent> next(std::size_t maxEvents, Status* ended) override;
  std::int64_t position() override { return sub_->position.load(); }

  void cancel() override {
    sub_->cancelled.store(true, std::memory_order_seq_cst);
    if (sub_->callingThread.load() != std::this_thread::get_id()) {
      std::lock_guard<std::mutex> wait(sub_->callMutex);
    }
    if (auto hub = hub_.lock()) hub->remove(sub_);
  }

 private:
  std::vector<WatchEvent> finish(const Status& status, Status* ended) {
    Subscriber& s = *sub_;
    if (!s.ended) s.ended = status;
    *ended = *s.ended;
    std::vector<WatchEvent> out;
    if (!s.endDelivered) {
      s.endDelivered = true;
      out.push_back(errorEvent(*s.ended, s.position.load()));
    }
    return out;
  }

  std::shared_ptr<Subscriber> sub_;
  std::weak_ptr<WatchHub> hub_;
};

WatchEvent transformed(const WatchEvent& e, WatchFilter::Outcome outcome) {
  WatchEvent out = e;
  if (outcome == WatchFilter::Outcome::kAsAdded) out.kind = WatchEvent::Kind::kAdded;
  if (outcome == WatchFilter::Outcome::kAsDeleted) out.kind = WatchEvent::Kind::kDeleted;
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// WatchFilter

Result<WatchFilter> WatchFilter::make(const WatchOptions& options) {
  WatchFilter f;
  f.type_ = options.type;
  if (!options.ns.empty()) f.ns_ = options.ns;
  if (!options.name.empty()) f.name_ = options.name;
  Result<LabelSelector> labels = LabelSelector::parse(options.labelSelector);
  if (!labels.ok()) return labels.status();
  f.labels_ = std::move(labels).value();
  Result<IndexSelector> indexes = IndexSelector::make(options.indexSelector);
  if (!indexes.ok()) return indexes.status();
  f.indexes_ = std::move(indexes).value();
  // The identity pseudo-indexes never change between versions: they are key filters.
  if (f.indexes_.ns()) {
    if (f.ns_ && *f.ns_ != *f.indexes_.ns()) f.contradictory_ = true;
    f.ns_ = f.indexes_.ns();
  }
  if (f.indexes_.name()) {
    if (f.name_ && *f.name_ != *f.indexes_.name()) f.contradictory_ = true;
    f.name_ = f.indexes_.name();
  }
  f.contradictory_ = f.contradictory_ || f.indexes_.contradictory();
  f.objectFilter_ = !f.labels_.empty() || !f.indexes_.indexes().empty() || f.contradictory_;
  // A canonical form of everything that decides an outcome (separators cannot occur in a
  // type, namespace or name; labels and index values are length-prefixed).
  auto field = [&f](std::string_view v) {
    f.key_ += std::to_string(v.size());
    f.key_ += ':';
    f.key_.append(v);
  };
  field(f.type_);
  field(f.ns_ ? "+" + *f.ns_ : std::string("-"));
  field(f.name_ ? "+" + *f.name_ : std::string("-"));
  f.key_ += f.contradictory_ ? '!' : '.';
  for (const LabelSelector::Requirement& r : f.labels_.requirements()) {
    field(r.key);
    f.key_ += static_cast<char>('0' + static_cast<int>(r.op));
    f.key_ += std::to_string(r.number);
    for (const std::string& v : r.values) field(v);
    f.key_ += ';';
  }
  for (const auto& [k, v] : f.indexes_.indexes()) {
    field(k);
    field(v);
  }
  return f;
}

WatchFilter::Outcome WatchFilter::evaluate(std::uint32_t typeId, const WatchEvent& event,
                                           const Object* previous) {
  const Object& o = *event.object;
  if (!matchesType(typeId, o.type)) return Outcome::kSkip;
  if (ns_ && *ns_ != o.ns) return Outcome::kSkip;
  if (name_ && *name_ != o.name) return Outcome::kSkip;
  if (!objectFilter_) return Outcome::kPass;
  if (contradictory_) return Outcome::kSkip;
  const bool now = matchesObject(o);
  if (event.kind != WatchEvent::Kind::kModified) return now ? Outcome::kPass : Outcome::kSkip;
  const bool before = previous != nullptr && matchesObject(*previous);
  if (now && before) return Outcome::kPass;
  if (now) return Outcome::kAsAdded;
  if (before) return Outcome::kAsDeleted;
  return Outcome::kSkip;
}

// ---------------------------------------------------------------------------------------
// WatchHub

WatchHub::WatchHub(std::shared_ptr<Engine> engine, std::size_t ringCapacity, std::int64_t revision)
    : engine_(std::move(engine)),
      ringCapacity_(std::max<std::size_t>(ringCapacity, 1)),
      ringBase_(revision),
      head_(revision) {}

WatchHub::~WatchHub() { stop(); }

void WatchHub::start() { thread_ = std::thread([this] { run(); }); }

void WatchHub::publish(std::shared_ptr<const EventBatch> batch) {
  if (batch->events.empty()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  ringEvents_ += batch->events.size();
  head_ = batch->lastRevision();
  ring_.push_back(std::move(batch));
  // Keep at least the newest batch, even when one transaction exceeds the capacity.
  while (ringEvents_ > ringCapacity_ && ring_.size() > 1) {
    ringEvents_ -= ring_.front()->events.size();
    ringBase_ = ring_.front()->lastRevision();
    ring_.pop_front();
  }
  dirty_ = true;
  wake_.notify_one();
}

void WatchHub::stop() {
  if (std::this_thread::get_id() == thread_.get_id()) {
    throw std::logic_error("the store was closed from a watch handler (the fan-out thread); close it elsewhere");
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_) return;
    stopping_ = true;
    dirty_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  stopped_ = true;
  ring_.clear();
  ringEvents_ = 0;
}

void WatchHub::poke() {
  std::lock_guard<std::mutex> lock(mutex_);
  dirty_ = true;
  wake_.notify_one();
}

void WatchHub::remove(const std::shared_ptr<Subscriber>& subscriber) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& list = subscriber->pull ? pull_ : push_;
  std::erase(list, subscriber);
}

WatchHub::Counters WatchHub::counters() {
  std::lock_guard<std::mutex> lock(mutex_);
  return Counters{push_.size(), pull_.size(), ringEvents_, ringBase_};
}

std::vector<std::shared_ptr<const EventBatch>> WatchHub::batchesAfterLocked(std::int64_t after) {
  auto it = std::upper_bound(ring_.begin(), ring_.end(), after,
                             [](std::int64_t rev, const std::shared_ptr<const EventBatch>& b) {
                               return rev < b->lastRevision();
                             });
  return {it, ring_.end()};
}

WatchHub::Slice WatchHub::slice(std::int64_t after) {
  std::lock_guard<std::mutex> lock(mutex_);
  Slice s;
  s.batches = batchesAfterLocked(after);
  s.base = ringBase_;
  s.head = head_;
  s.stopping = stopping_ || stopped_;
  return s;
}

Result<std::unique_ptr<Watch>> WatchHub::watch(const WatchOptions& options, WatchHandler handler,
                                               std::int64_t compactedRevision) {
  Result<WatchFilter> filter = WatchFilter::make(options);
  if (!filter.ok()) return filter.status();
  if (options.fromRevision < 0) return Status::invalidArgument("fromRevision must not be negative");
  if (options.fromRevision > 0 && options.fromRevision < compactedRevision) {
    return gone(options.fromRevision, compactedRevision);
  }
  if (!handler) return Status::invalidArgument("watch handler is empty");
  auto sub = std::make_shared<Subscriber>();
  sub->filter = std::move(filter).value();
  sub->bookmarkIntervalMs = options.bookmarkIntervalMs;
  sub->handler = std::move(handler);
  sub->markSent(Clock::now());
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || stopped_) return closedStatus();
  const std::int64_t position = options.fromRevision > 0 ? options.fromRevision : head_;
  sub->position.store(position);
  sub->live = position >= ringBase_;
  push_.push_back(sub);
  dirty_ = true;
  wake_.notify_one();
  return std::unique_ptr<Watch>(new WatchImpl(std::move(sub), weak_from_this()));
}

Result<std::shared_ptr<WatchCursor>> WatchHub::openCursor(const WatchOptions& options,
                                                          std::function<void()> onReadable,
                                                          std::int64_t compactedRevision) {
  Result<WatchFilter> filter = WatchFilter::make(options);
  if (!filter.ok()) return filter.status();
  if (options.fromRevision < 0) return Status::invalidArgument("fromRevision must not be negative");
  if (options.fromRevision > 0 && options.fromRevision < compactedRevision) {
    return gone(options.fromRevision, compactedRevision);
  }
  auto sub = std::make_shared<Subscriber>();
  sub->filter = std::move(filter).value();
  sub->bookmarkIntervalMs = options.bookmarkIntervalMs;
  sub->pull = true;
  sub->onReadable = std::move(onReadable);
  sub->markSent(Clock::now());
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_ || stopped_) return closedStatus();
  const std::int64_t position = options.fromRevision > 0 ? options.fromRevision : head_;
  sub->position.store(position);
  sub->live = position >= ringBase_;
  // Armed from the start: the first onReadable says the first events are ready.
  sub->armed.store(true);
  pull_.push_back(sub);
  dirty_ = true;
  wake_.notify_one();
  return std::shared_ptr<WatchCursor>(new CursorImpl(std::move(sub), weak_from_this()));
}

Status WatchHub::replay(WatchFilter& filter, std::int64_t& position, std::int64_t upTo,
                        std::size_t maxEvents, std::vector<WatchEvent>& out) {
  Result<ReadTxn> txnResult = engine_->read();
  if (!txnResult.ok()) return txnResult.status();
  ReadTxn& txn = *txnResult;
  const std::int64_t compacted = txn.metaInt(keys::kMetaCompacted);
  if (position < compacted) return gone(position, compacted);
  if (!filter.allTypes() && !filter.typeResolved()) {
    std::optional<std::uint32_t> id = txn.typeId(filter.type());
    if (!id) {
      // Never written as of this snapshot, which includes every revision up to upTo.
      position = std::max(position, upTo);
      return {};
    }
    filter.resolveType(*id);
  }

  MDB_cursor* log = nullptr;
  MDB_cursor* history = nullptr;
  int rc = mdb_cursor_open(txn.txn(), txn.dbs().revlog, &log);
  if (rc != 0) return lmdbStatus(rc, "replaying the revision log");
  rc = mdb_cursor_open(txn.txn(), txn.dbs().history, &history);
  if (rc != 0) {
    mdb_cursor_close(log);
    return lmdbStatus(rc, "replaying history");
  }
  struct Closer {
    MDB_cursor* a;
    MDB_cursor* b;
    ~Closer() {
      mdb_cursor_close(a);
      mdb_cursor_close(b);
    }
  } closer{log, history};

  std::string from = keys::u64Bytes(static_cast<std::uint64_t>(position + 1));
  MDB_val k = mdbVal(from);
  MDB_val v;
  std::string hkey;
  Status status;
  std::size_t scanned = 0;
  rc = mdb_cursor_get(log, &k, &v, MDB_SET_RANGE);
  for (; rc == 0 && out.size() < maxEvents && scanned < kReplayStepScan;
       rc = mdb_cursor_get(log, &k, &v, MDB_NEXT), ++scanned) {
    if (k.mv_size != keys::kRevisionBytes || v.mv_size < 1) {
      return Status::internal("corrupt revision log entry");
    }
    const auto rev = static_cast<std::int64_t>(keys::readU64(k.mv_data));
    if (rev > upTo) break;
    const std::string_view value = view(v);
    const auto kind = static_cast<WatchEvent::Kind>(value[0]);
    const std::string_view objectKey = value.substr(1);
    std::optional<keys::ObjectKeyParts> parts = keys::parseObjectKey(objectKey);
    if (!parts) return Status::internal("corrupt revision log entry at revision " + std::to_string(rev));
    if (!filter.matchesKey(parts->typeId, parts->ns, parts->name)) {
      position = rev;
      continue;
    }
    keys::historyKey(hkey, objectKey, rev);
    MDB_val hk = mdbVal(hkey);
    MDB_val hv;
    if (mdb_cursor_get(history, &hk, &hv, MDB_SET_KEY) != 0 ||
        hv.mv_size < keys::kVersionHeaderBytes) {
      return Status::internal("history version missing for revision " + std::to_string(rev));
    }
    auto object = std::make_shared<Object>();
    status = decodeInto(static_cast<const char*>(hv.mv_data) + keys::kVersionHeaderBytes,
                        hv.mv_size - keys::kVersionHeaderBytes, txn.scratch(), *object);
    if (!status.ok()) return status.withContext("replaying revision " + std::to_string(rev));
    std::shared_ptr<Object> previous;
    if (filter.needsPrevious() && kind == WatchEvent::Kind::kModified) {
      MDB_val pk;
      MDB_val pv;
      if (mdb_cursor_get(history, &pk, &pv, MDB_PREV) == 0) {
        std::optional<keys::HistoryKeyParts> p = keys::parseHistoryKey(view(pk));
        if (p && p->objectKey == objectKey && pv.mv_size >= keys::kVersionHeaderBytes &&
            static_cast<const unsigned char*>(pv.mv_data)[0] ==
                static_cast<unsigned char>(keys::VersionKind::kPut)) {
          previous = std::make_shared<Object>();
          status = decodeInto(static_cast<const char*>(pv.mv_data) + keys::kVersionHeaderBytes,
                              pv.mv_size - keys::kVersionHeaderBytes, txn.scratch(), *previous);
          if (!status.ok()) return status.withContext("replaying revision " + std::to_string(rev));
        }
      }
    }
    WatchEvent event;
    event.kind = kind;
    event.revision = rev;
    event.object = std::move(object);
    const WatchFilter::Outcome outcome = filter.evaluate(parts->typeId, event, previous.get());
    if (outcome != WatchFilter::Outcome::kSkip) out.push_back(transformed(event, outcome));
    position = rev;
  }
  if (rc == MDB_NOTFOUND) position = std::max(position, upTo);  // nothing else up to upTo
  return {};
}

// ---------------------------------------------------------------------------------------
// Fan-out thread

bool WatchHub::call(Subscriber& s, std::span<const WatchEvent> events) {
  std::lock_guard<std::mutex> lock(s.callMutex);
  if (s.cancelled.load(std::memory_order_seq_cst)) return false;
  s.callingThread.store(std::this_thread::get_id());
  bool ok = true;
  try {
    s.handler(events);
  } catch (const std::exception& e) {
    ok = false;
    s.ended = Status::internal(std::string("watch handler threw: ") + e.what());
  } catch (...) {
    ok = false;
    s.ended = Status::internal("watch handler threw a non-standard exception");
  }
  s.callingThread.store(std::thread::id());
  s.markSent(Clock::now());
  return ok;
}

void WatchHub::endPush(Subscriber& s, const Status& status) {
  if (!s.ended) s.ended = status;
  WatchEvent e = errorEvent(*s.ended, s.position.load());
  call(s, std::span<const WatchEvent>(&e, 1));
}

bool WatchHub::servePush(const std::vector<std::shared_ptr<Subscriber>>& subs, const Slice& slice,
                         bool stopping) {
  bool moreReplay = false;
  std::vector<Subscriber*> ready;
  ready.reserve(subs.size());
  for (const auto& sp : subs) {
    Subscriber& s = *sp;
    if (s.cancelled.load() || s.ended) continue;
    std::int64_t position = s.position.load();
    if (position < slice.base) {
      if (s.live) {
        endPush(s, fellBehind(ringCapacity_));
        continue;
      }
      if (stopping) {
        endPush(s, closedStatus());
        continue;
      }
      std::vector<WatchEvent> out;
      Status st = replay(s.filter, position, slice.base, kReplayStepEvents, out);
      s.position.store(position);
      if (!out.empty() && !call(s, out)) {
        if (s.ended) endPush(s, *s.ended);
        continue;
      }
      if (!st.ok()) {
        endPush(s, st);
        continue;
      }
      if (position < slice.base) {
        moreReplay = true;
        continue;
      }
    }
    s.live = true;
    ready.push_back(&s);
  }
  // Batch-major: every watcher takes a batch while its events are hot in the cache.
  for (const auto& batch : slice.batches) deliverBatch(ready, *batch);
  const Clock::time_point now = Clock::now();
  for (Subscriber* s : ready) {
    if (s->cancelled.load()) continue;
    if (s->ended) {
      endPush(*s, *s->ended);  // a handler threw
      continue;
    }
    if (s->position.load() < slice.head) s->position.store(slice.head);
    if (s->bookmarkDue(now)) {
      WatchEvent b = bookmarkEvent(s->position.load());
      call(*s, std::span<const WatchEvent>(&b, 1));
    }
  }
  return moreReplay;
}

void WatchHub::deliverBatch(const std::vector<Subscriber*>& subs, const EventBatch& batch) {
  const std::vector<WatchEvent>& events = batch.events;
  const std::size_t n = events.size();
  const std::int64_t last = batch.lastRevision();
  // Watchers with the same filter share one evaluation of it (informers, API watch caches
  // and benchmarks typically open many identical watches).
  struct Group {
    WatchFilter* filter;
    std::size_t start;
  };
  std::vector<Group> groups;
  std::vector<std::pair<Subscriber*, std::size_t>> evaluated;  // subscriber, group
  for (Subscriber* s : subs) {
    if (s->cancelled.load() || s->ended) continue;
    const std::int64_t position = s->position.load();
    if (last <= position) continue;
    const auto start = static_cast<std::size_t>(std::max<std::int64_t>(0, position + 1 - batch.firstRevision));
    WatchFilter& f = s->filter;
    if (f.byTypeOnly() && batch.singleTypeId != 0) {
      // One type in the batch and a watch on types only: a span of the shared batch, or nothing.
      if (f.matchesType(batch.singleTypeId, events.front().object->type)) {
        call(*s, std::span<const WatchEvent>(events.data() + start, n - start));
      }
      s->position.store(last);
      continue;
    }
    std::size_t g = 0;
    while (g < groups.size() && groups[g].filter->key() != f.key()) ++g;
    if (g == groups.size()) {
      groups.push_back({&f, start});
    } else {
      groups[g].start = std::min(groups[g].start, start);
    }
    evaluated.emplace_back(s, g);
  }
  if (evaluated.empty()) return;

  // Evaluate in chunks across groups, so each chunk of objects is read from memory once.
  constexpr std::size_t kChunk = 256;
  if (outcomes_.size() < groups.size()) outcomes_.resize(groups.size());
  std::size_t from = n;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    outcomes_[g].assign(n, static_cast<std::uint8_t>(WatchFilter::Outcome::kSkip));
    from = std::min(from, groups[g].start);
  }
  for (std::size_t chunk = from; chunk < n; chunk += kChunk) {
    const std::size_t end = std::min(n, chunk + kChunk);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      std::vector<std::uint8_t>& out = outcomes_[g];
      WatchFilter& f = *groups[g].filter;
      for (std::size_t i = std::max(chunk, groups[g].start); i < end; ++i) {
        out[i] = static_cast<std::uint8_t>(f.evaluate(batch.typeIds[i], events[i], batch.previous[i].get()));
      }
    }
  }

  for (const auto& [s, g] : evaluated) {
    const std::vector<std::uint8_t>& out = outcomes_[g];
    const auto start =
        static_cast<std::size_t>(std::max<std::int64_t>(0, s->position.load() + 1 - batch.firstRevision));
    // Copy only from the first event that does not pass unchanged; while every event
    // passes, the delivery is still a span of the shared batch.
    std::vector<WatchEvent>& scratch = s->scratch;
    scratch.clear();
    bool copying = false;
    for (std::size_t i = start; i < n; ++i) {
      const auto outcome = static_cast<WatchFilter::Outcome>(out[i]);
      if (outcome == WatchFilter::Outcome::kPass && !copying) continue;
      if (!copying) {
        copying = true;
        scratch.assign(events.begin() + static_cast<std::ptrdiff_t>(start),
                       events.begin() + static_cast<std::ptrdiff_t>(i));
      }
      if (outcome != WatchFilter::Outcome::kSkip) scratch.push_back(transformed(events[i], outcome));
    }
    if (!copying) {
      call(*s, std::span<const WatchEvent>(events.data() + start, n - start));
    } else if (!scratch.empty()) {
      call(*s, scratch);
    }
    scratch.clear();
    // A large transaction must not leave every filtered watcher holding a large buffer.
    if (scratch.capacity() > 4096) std::vector<WatchEvent>().swap(scratch);
    s->position.store(last);
  }
}

void WatchHub::servePull(Subscriber& s, const Slice& slice, bool stopping) {
  bool fire = false;
  {
    std::lock_guard<std::mutex> lock(s.stateMutex);
    if (s.cancelled.load()) return;
    if (stopping && !s.ended) s.ended = closedStatus();
    if (!s.armed.load()) return;
    const std::int64_t position = s.position.load();
    if (s.ended || position < slice.base) {
      fire = true;  // next() reports the end, replays, or finds the cursor fell behind
    } else if (position < slice.head) {
      const bool covered = !slice.batches.empty() && slice.batches.front()->firstRevision <= position + 1;
      if (!covered) {
        fire = true;
      } else {
        // Advance an idle cursor over events its filter drops, so a selective cursor does
        // not fall out of the ring merely because nothing matched.
        std::int64_t advanced = position;
        for (const auto& batch : slice.batches) {
          if (batch->lastRevision() <= advanced) continue;
          const std::size_t start = static_cast<std::size_t>(std::max<std::int64_t>(0, advanced + 1 - batch->firstRevision));
          for (std::size_t i = start; i < batch->events.size(); ++i) {
            if (s.filter.evaluate(batch->typeIds[i], batch->events[i], batch->previous[i].get()) !=
                WatchFilter::Outcome::kSkip) {
              fire = true;
              break;
            }
            advanced = batch->events[i].revision;
          }
          if (fire) break;
        }
        s.position.store(advanced);
      }
    }
    if (!fire && s.bookmarkDue(Clock::now())) fire = true;
    if (fire) s.armed.store(false);
  }
  if (!fire) return;
  std::lock_guard<std::mutex> lock(s.callMutex);
  if (s.cancelled.load(std::memory_order_seq_cst) || !s.onReadable) return;
  s.callingThread.store(std::this_thread::get_id());
  try {
    s.onReadable();
  } catch (...) {
    // A throwing hook must not take the fan-out thread down; the consumer's next() still
    // works, it just was not woken.
  }
  s.callingThread.store(std::thread::id());
}

Clock::time_point WatchHub::nextDeadline() {
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(1);
  for (const auto& s : push_) {
    if (s->bookmarkIntervalMs > 0 && !s->ended) deadline = std::min(deadline, s->bookmarkDeadline());
  }
  for (const auto& s : pull_) {
    if (s->bookmarkIntervalMs > 0 && s->armed.load()) deadline = std::min(deadline, s->bookmarkDeadline());
  }
  return deadline;
}

void WatchHub::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  bool moreReplay = false;
  while (true) {
    if (!moreReplay) {
      wake_.wait_until(lock, nextDeadline(), [this] { return dirty_ || stopping_; });
    }
    dirty_ = false;
    const bool stopping = stopping_;
    std::vector<std::shared_ptr<Subscriber>> push = push_;
    std::vector<std::shared_ptr<Subscriber>> pull = pull_;
    std::int64_t minPosition = head_;
    for (const auto& s : push) minPosition = std::min(minPosition, std::max(s->position.load(), ringBase_));
    for (const auto& s : pull) {
      if (s->armed.load()) minPosition = std::min(minPosition, std::max(s->position.load(), ringBase_));
    }
    Slice slice;
    slice.batches = batchesAfterLocked(minPosition);
    slice.base = ringBase_;
    slice.head = head_;
    lock.unlock();

    moreReplay = servePush(push, slice, stopping);
    for (const auto& s : pull) servePull(*s, slice, stopping);

    lock.lock();
    std::erase_if(push_, [](const std::shared_ptr<Subscriber>& s) {
      return s->ended.has_value() || s->cancelled.load();
    });
    if (stopping && !dirty_) {
      // Everything published was delivered; end whoever is left.
      std::vector<std::shared_ptr<Subscriber>> rest;
      rest.swap(push_);
      lock.unlock();
      for (const auto& s : rest) {
        if (!s->ended && !s->cancelled.load()) endPush(*s, closedStatus());
      }
      lock.lock();
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Cursor

std::vector<WatchEvent> CursorImpl::next(std::size_t maxEvents, Status* ended) {
  Status ignored;
  if (ended == nullptr) ended = &ignored;
  Subscriber& s = *sub_;
  std::lock_guard<std::mutex> lock(s.stateMutex);
  if (s.cancelled.load()) return finish(Status::aborted("the watch was cancelled"), ended);
  if (s.ended) return finish(*s.ended, ended);
  std::shared_ptr<WatchHub> hub = hub_.lock();
  if (!hub) return finish(closedStatus(), ended);

  std::vector<WatchEvent> out;
  *ended = Status();
  if (maxEvents == 0) return out;
  std::int64_t position = s.position.load();
  WatchHub::Slice slice = hub->slice(position);
  if (slice.stopping) return finish(closedStatus(), ended);
  if (position < slice.base) {
    if (s.live) return finish(fellBehind(hub->ringCapacity()), ended);
    Status st = hub->replay(s.filter, position, slice.base, maxEvents, out);
    s.position.store(position);
    if (!st.ok()) {
      std::vector<WatchEvent> end = finish(st, ended);
      out.insert(out.end(), end.begin(), end.end());
      return out;
    }
    if (position < slice.base) {
      if (out.size() < maxEvents) {
        // Not caught up yet: have the fan-out thread wake the consumer again.
        s.armed.store(true);
        hub->poke();
      }
      if (!out.empty()) s.markSent(Clock::now());
      return out;
    }
  }
  s.live = true;
  for (const auto& batch : slice.batches) {
    if (out.size() >= maxEvents) break;
    if (batch->lastRevision() <= position) continue;
    std::size_t i = static_cast<std::size_t>(std::max<std::int64_t>(0, position + 1 - batch->firstRevision));
    for (; i < batch->events.size() && out.size() < maxEvents; ++i) {
      const WatchEvent& e = batch->events[i];
      const WatchFilter::Outcome outcome = s.filter.evaluate(batch->typeIds[i], e, batch->previous[i].get());
      if (outcome != WatchFilter::Outcome::kSkip) out.push_back(transformed(e, outcome));
      position = e.revision;
    }
  }
  s.position.store(position);
  const Clock::time_point now = Clock::now();
  if (out.size() < maxEvents) {
    if (position >= slice.head && s.bookmarkDue(now)) out.push_back(bookmarkEvent(position));
    s.armed.store(true);
  }
  if (!out.empty()) s.markSent(now);
  return out;
}

}  // namespace capstan::store
