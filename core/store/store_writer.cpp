// The writer thread of LmdbStore: group commit, one nested transaction per mutation,
// the TTL sweep and compaction steps. Everything here runs on that one thread.

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstring>

#include "codec.h"
#include "keys.h"
#include "selector.h"
#include "store_impl.h"

namespace capstan::store {
namespace {

// Bounds of one write transaction: keep commit latency and LMDB's dirty-page list in check.
constexpr std::size_t kMaxMutationsPerTxn = 10000;
constexpr std::size_t kMaxBytesPerTxn = 64u << 20;
// Group commit gathering: right after a commit, the callers it answered are still
// submitting their next writes. When fewer than half of the last group are queued, wait a
// little for the rest rather than commit a small group now and the rest one commit later
// (which splits the callers into two cohorts that alternate forever). The wait is a
// quarter of the last commit's duration (the fsync dominates it), capped.
constexpr auto kMaxGatherWait = std::chrono::microseconds(2000);
// Expired objects deleted per sweep transaction.
constexpr std::size_t kSweepBatch = 1000;
// Compaction work per transaction: deletions, and key groups looked at.
constexpr std::size_t kCompactDeletes = 10000;
constexpr std::size_t kCompactGroups = 50000;

std::int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t nowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status checkPart(std::string_view what, const std::string& value, std::size_t limit, bool required,
                 const std::string& object) {
  if (required && value.empty()) {
    return Status::invalidArgument("invalid object " + object + ": " + std::string(what) + " must not be empty");
  }
  if (value.size() > limit) {
    return Status::invalidArgument("invalid object " + object + ": " + std::string(what) + " is " +
                                   std::to_string(value.size()) + " bytes, the limit is " +
                                   std::to_string(limit) + " bytes");
  }
  if (value.find('\0') != std::string::npos) {
    return Status::invalidArgument("invalid object " + object + ": " + std::string(what) +
                                   " contains a NUL byte");
  }
  return {};
}

Status validateMutation(const Mutation& m) {
  const Object& o = m.object;
  const std::string object = describeObject(o.type, o.ns, o.name);
  if (m.op != MutationOp::kCreate && m.op != MutationOp::kUpdate && m.op != MutationOp::kDelete &&
      m.op != MutationOp::kUpsert) {
    return Status::invalidArgument("invalid mutation of " + object + ": unknown operation " +
                                   std::to_string(static_cast<int>(m.op)));
  }
  if (Status s = checkPart("type", o.type, kMaxTypeBytes, true, object); !s.ok()) return s;
  if (Status s = checkPart("namespace", o.ns, kMaxNamespaceBytes, false, object); !s.ok()) return s;
  if (Status s = checkPart("name", o.name, kMaxNameBytes, true, object); !s.ok()) return s;
  if (m.ttlSeconds < 0) return Status::invalidArgument("invalid mutation of " + object + ": ttlSeconds is negative");
  if (m.op == MutationOp::kDelete) return {};
  for (const auto& [key, value] : o.indexes) {
    if (key.empty() || key.find('\0') != std::string::npos) {
      return Status::invalidArgument("invalid object " + object + ": an index name is empty or contains a NUL byte");
    }
    if (key == IndexSelector::kNameIndex || key == IndexSelector::kNamespaceIndex) {
      return Status::invalidArgument("invalid object " + object + ": index name " + key +
                                     " is reserved (the store provides it)");
    }
    const std::size_t keySize = keys::kTypeIdBytes + key.size() + 1 + value.size();
    if (keySize > keys::kMaxLmdbKeyBytes) {
      return Status::invalidArgument("invalid object " + object + ": index " + key + " and its value are " +
                                     std::to_string(key.size() + value.size()) + " bytes, the limit is " +
                                     std::to_string(keys::kMaxLmdbKeyBytes - keys::kTypeIdBytes - 1) + " bytes");
    }
  }
  return {};
}

std::int64_t readMetaInt(MDB_txn* txn, MDB_dbi meta, std::string_view key) {
  MDB_val k = mdbVal(key);
  MDB_val v;
  if (mdb_get(txn, meta, &k, &v) != 0 || v.mv_size != 8) return 0;
  return static_cast<std::int64_t>(keys::readU64(v.mv_data));
}

struct CursorCloser {
  MDB_cursor* cursor = nullptr;
  ~CursorCloser() {
    if (cursor != nullptr) mdb_cursor_close(cursor);
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------
// Queue

void LmdbStore::Impl::write(std::vector<Mutation> batch, WriteCallback done) {
  auto request = std::make_unique<WriteRequest>();
  request->results.resize(batch.size());
  request->batch = std::move(batch);
  request->done = std::move(done);
  {
    std::lock_guard<std::mutex> lock(queueMutex_);
    if (!stopping_) {
      queuedMutations_ += request->batch.size();
      queue_.push_back(std::move(request));
      queueCv_.notify_one();
      return;
    }
  }
  for (WriteResult& r : request->results) r.status = Status::unavailable("the store is closed");
  answer(*request);
}

void LmdbStore::Impl::answer(WriteRequest& request) {
  if (!request.done) return;
  try {
    request.done(std::move(request.results));
  } catch (const std::exception& e) {
    spdlog::error("store: a write callback threw (callbacks must not throw): {}", e.what());
  } catch (...) {
    spdlog::error("store: a write callback threw a non-standard exception");
  }
}

void LmdbStore::Impl::writerLoop() {
  std::deque<std::unique_ptr<WriteRequest>> pending;
  bool isolate = false;
  const auto sweepInterval = std::chrono::milliseconds(options_.ttlSweepIntervalMs);
  auto nextSweep = std::chrono::steady_clock::now() + sweepInterval;
  while (true) {
    bool stop = false;
    {
      std::unique_lock<std::mutex> lock(queueMutex_);
      auto ready = [&] {
        return !queue_.empty() || stopping_ || !pending.empty() || compactPhase_ != 0 ||
               !compactionJobs_.empty();
      };
      queueCv_.wait_until(lock, nextSweep, ready);
      if (options_.durable && !stopping_ && pending.empty() && lastGroupSize_ > 1 &&
          queuedMutations_ > 0 && queuedMutations_ < lastGroupSize_ / 2) {
        const auto wait = std::min<std::chrono::steady_clock::duration>(kMaxGatherWait, lastCommitTime_ / 4);
        queueCv_.wait_for(lock, wait, [&] { return stopping_ || queuedMutations_ >= lastGroupSize_; });
      }
      queuedMutations_ = 0;
      while (!queue_.empty()) {
        pending.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      stop = stopping_;
      if (!stop && compactPhase_ == 0 && !compactionJobs_.empty()) {
        activeJobs_.assign(compactionJobs_.begin(), compactionJobs_.end());
        compactionJobs_.clear();
        compactTarget_ = 0;
        for (const auto& job : activeJobs_) compactTarget_ = std::max(compactTarget_, job->target);
        if (compactTarget_ <= compacted_.load()) {
          for (const auto& job : activeJobs_) job->done.set_value(Status());
          activeJobs_.clear();
        } else {
          compactPhase_ = 1;
          compactResume_.clear();
        }
      }
    }
    if (!pending.empty()) runGroup(pending, isolate);
    if (stop) {
      if (pending.empty()) break;
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= nextSweep) {
      bool more = false;
      sweepExpired(more);
      nextSweep = more ? now : now + sweepInterval;
    }
    compactionStep();
  }
  // close(): writes are all answered; compaction callers learn it did not finish.
  std::vector<std::shared_ptr<CompactionJob>> jobs = std::move(activeJobs_);
  {
    std::lock_guard<std::mutex> lock(queueMutex_);
    jobs.insert(jobs.end(), compactionJobs_.begin(), compactionJobs_.end());
    compactionJobs_.clear();
  }
  for (const auto& job : jobs) {
    job->done.set_value(Status::aborted("the store closed before compaction finished (compacted revision is " +
                                        std::to_string(compacted_.load()) + ")"));
  }
  compactPhase_ = 0;
}

// ---------------------------------------------------------------------------------------
// Group commit

Status LmdbStore::Impl::beginGroup(Group& g) {
  g.txn = nullptr;
  const int rc = mdb_txn_begin(engine_->env(), nullptr, 0, &g.txn);
  if (rc != 0) return lmdbStatus(rc, "beginning a write transaction");
  g.startRevision = writerRevision_;
  g.revision = writerRevision_;
  g.events = std::make_shared<EventBatch>();
  g.events->firstRevision = writerRevision_ + 1;
  g.newTypes.clear();
  g.bytes = 0;
  return {};
}

int LmdbStore::Impl::commitGroup(Group& g) {
  const int rc = mdb_txn_commit(g.txn);  // with durable: returns after fsync
  g.txn = nullptr;
  if (rc != 0) return rc;
  writerRevision_ = g.revision;
  for (auto& [name, id] : g.newTypes) writerTypes_.emplace(std::move(name), id);
  revision_.store(g.revision, std::memory_order_release);
  EventBatch& b = *g.events;
  if (!b.events.empty()) {
    b.singleTypeId = b.typeIds.front();
    for (std::uint32_t id : b.typeIds) {
      if (id != b.singleTypeId) {
        b.singleTypeId = 0;
        break;
      }
    }
    // Published before any callback runs: a caller that saw its write acknowledged and then
    // starts a watch "from now" does not get that write's event.
    hub_->publish(std::move(g.events));
  }
  return 0;
}

void LmdbStore::Impl::runGroup(std::deque<std::unique_ptr<WriteRequest>>& pending, bool& isolate) {
  Group g;
  if (Status s = beginGroup(g); !s.ok()) {
    for (auto& request : pending) {
      for (std::size_t i = request->next; i < request->batch.size(); ++i) request->results[i].status = s;
      answer(*request);
    }
    pending.clear();
    return;
  }
  struct Touched {
    WriteRequest* request;
    std::size_t startNext;
  };
  std::vector<Touched> touched;
  std::size_t attempted = 0;
  bool full = false;
  for (auto& request : pending) {
    touched.push_back({request.get(), request->next});
    while (request->next < request->batch.size()) {
      if (attempted > 0 && (isolate || attempted >= kMaxMutationsPerTxn || g.bytes >= kMaxBytesPerTxn)) {
        full = true;
        break;
      }
      bool retryable = false;
      WriteResult& result = request->results[request->next];
      applyMutation(g, request->batch[request->next], result, retryable);
      if (retryable && attempted > 0) {
        // The outer transaction is too large; this mutation gets a fresh one.
        result = WriteResult{};
        full = true;
        break;
      }
      ++request->next;
      ++attempted;
    }
    if (full) break;
  }

  const auto commitStart = std::chrono::steady_clock::now();
  const int rc = commitGroup(g);
  lastCommitTime_ = std::chrono::steady_clock::now() - commitStart;
  lastGroupSize_ = attempted;
  if (rc != 0) {
    Status failure = writeError(rc, "the write group", g.bytes);
    writerRevision_ = g.startRevision;
    if (attempted > 1) {
      // Nothing of the group is durable. Redo it one mutation per transaction, so whatever
      // made the commit fail (typically a full map) fails alone.
      for (const Touched& t : touched) {
        for (std::size_t i = t.startNext; i < t.request->next; ++i) t.request->results[i] = WriteResult{};
        t.request->next = t.startNext;
      }
      isolate = true;
      return;
    }
    for (const Touched& t : touched) {
      for (std::size_t i = t.startNext; i < t.request->next; ++i) {
        t.request->results[i] = WriteResult{failure, Object{}};
      }
    }
  } else {
    isolate = false;
  }
  while (!pending.empty() && pending.front()->next == pending.front()->batch.size()) {
    answer(*pending.front());
    pending.pop_front();
  }
}

void LmdbStore::Impl::applyMutation(Group& g, const Mutation& m, WriteResult& result, bool& retryable) {
  retryable = false;
  result = WriteResult{};
  if (Status s = validateMutation(m); !s.ok()) {
    result.status = std::move(s);
    return;
  }
  const std::int64_t revision = g.revision + 1;
  MDB_txn* child = nullptr;
  int rc = mdb_txn_begin(engine_->env(), g.txn, 0, &child);
  if (rc != 0) {
    result.status = writeError(rc, describeObject(m.object.type, m.object.ns, m.object.name), 0);
    retryable = rc == MDB_TXN_FULL;
    return;
  }
  Applied a;
  lastRc_ = 0;
  Status s = applyInChild(child, m, revision, a);
  if (!s.ok()) {
    mdb_txn_abort(child);
    result.status = std::move(s);
    retryable = lastRc_ == MDB_TXN_FULL;
    return;
  }
  rc = mdb_txn_commit(child);
  if (rc != 0) {
    result.status = writeError(rc, describeObject(m.object.type, m.object.ns, m.object.name), a.bytes);
    retryable = rc == MDB_TXN_FULL;
    return;
  }
  g.revision = revision;
  if (a.newType) g.newTypes.push_back(std::move(*a.newType));
  g.bytes += a.bytes;
  EventBatch& b = *g.events;
  WatchEvent e;
  e.kind = a.kind;
  e.revision = revision;
  e.object = a.object;
  b.events.push_back(std::move(e));
  b.previous.push_back(std::move(a.previous));
  b.typeIds.push_back(a.typeId);
  result.object = *a.object;
}

Status LmdbStore::Impl::applyInChild(MDB_txn* child, const Mutation& m, std::int64_t revision, Applied& a) {
  const Object& in = m.object;
  const Databases& dbs = engine_->dbs();
  std::uint32_t typeId = 0;
  if (Status s = typeIdFor(child, in.type, m.op != MutationOp::kDelete, typeId, a); !s.ok()) return s;
  if (typeId == 0) return Status::notFound("object " + describeObject(in.type, in.ns, in.name) + " not found");
  keys::objectKey(key_, typeId, in.ns, in.name);
  MDB_val k = mdbVal(key_);
  MDB_val v;
  const int rc = mdb_get(child, dbs.current, &k, &v);
  std::shared_ptr<Object> previous;
  if (rc == 0) {
    previous = std::make_shared<Object>();
    Status s = decodeInto(v.mv_data, v.mv_size, writerScratch_, *previous);
    if (!s.ok()) {
      return Status::internal("corrupt stored object " + describeObject(in.type, in.ns, in.name) + ": " +
                              s.message());
    }
  } else if (rc != MDB_NOTFOUND) {
    return lmdbStatus(rc, "reading " + describeObject(in.type, in.ns, in.name));
  }
  switch (m.op) {
    case MutationOp::kCreate:
      if (previous) {
        return Status::alreadyExists("object " + describeObject(in.type, in.ns, in.name) + " already exists");
      }
      break;
    case MutationOp::kUpdate:
    case MutationOp::kDelete:
      if (!previous) return Status::notFound("object " + describeObject(in.type, in.ns, in.name) + " not found");
      break;
    case MutationOp::kUpsert:
      break;
  }
  if (previous && m.op != MutationOp::kCreate) {
    if (m.expectRevision != 0 && previous->revision != m.expectRevision) {
      return Status::conflict("object " + describeObject(in.type, in.ns, in.name) + " has revision " +
                              std::to_string(previous->revision) + ", the write expected revision " +
                              std::to_string(m.expectRevision));
    }
    if (!m.expectUid.empty() && previous->uid != m.expectUid) {
      return Status::conflict("object " + describeObject(in.type, in.ns, in.name) + " has uid " + previous->uid +
                              ", the write expected uid " + m.expectUid);
    }
  }
  a.typeId = typeId;
  if (m.op == MutationOp::kDelete) return deleteObject(child, typeId, key_, std::move(previous), revision, a);
  return putObject(child, typeId, key_, m, std::move(previous), revision, a);
}

Status LmdbStore::Impl::putObject(MDB_txn* child, std::uint32_t typeId, const std::string& key,
                                  const Mutation& m, std::shared_ptr<const Object> previous,
                                  std::int64_t revision, Applied& a) {
  const Databases& dbs = engine_->dbs();
  auto object = std::make_shared<Object>(m.object);
  object->revision = revision;
  if (previous) {
    object->uid = previous->uid;
    object->createRevision = previous->createRevision;
    object->creationTime = previous->creationTime;
  } else {
    object->uid = newUid();
    object->createRevision = revision;
    object->creationTime = nowNanos();
  }
  object->expireTime = m.ttlSeconds > 0 ? nowSeconds() + m.ttlSeconds : 0;
  const std::string name = describeObject(object->type, object->ns, object->name);

  kj::Array<capnp::word> words = encodeWords(*object);
  const kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  if (bytes.size() > options_.maxObjectBytes) {
    return Status::tooLarge("object " + name + " is " + std::to_string(bytes.size()) + " bytes, the limit is " +
                            std::to_string(options_.maxObjectBytes) + " bytes");
  }
  a.bytes = bytes.size();

  // Current state: reserve and copy once.
  MDB_val k = mdbVal(key);
  MDB_val v{bytes.size(), nullptr};
  int rc = mdb_put(child, dbs.current, &k, &v, MDB_RESERVE);
  if (rc != 0) {
    lastRc_ = rc;
    return writeError(rc, name, bytes.size());
  }
  std::memcpy(v.mv_data, bytes.begin(), bytes.size());

  // History version.
  keys::historyKey(key2_, key, revision);
  k = mdbVal(key2_);
  v = MDB_val{keys::kVersionHeaderBytes + bytes.size(), nullptr};
  rc = mdb_put(child, dbs.history, &k, &v, MDB_RESERVE);
  if (rc != 0) {
    lastRc_ = rc;
    return writeError(rc, name, bytes.size());
  }
  auto* out = static_cast<unsigned char*>(v.mv_data);
  std::memset(out, 0, keys::kVersionHeaderBytes);
  out[0] = static_cast<unsigned char>(keys::VersionKind::kPut);
  std::memcpy(out + keys::kVersionHeaderBytes, bytes.begin(), bytes.size());

  // Revision log.
  const std::string revKey = keys::u64Bytes(static_cast<std::uint64_t>(revision));
  std::string logValue(1, static_cast<char>(previous ? WatchEvent::Kind::kModified : WatchEvent::Kind::kAdded));
  logValue += key;
  if (Status s = put(child, dbs.revlog, revKey, logValue, name, bytes.size()); !s.ok()) return s;

  // Index entries: drop those that changed, add the new ones.
  const std::string_view suffix = std::string_view(key).substr(keys::kTypeIdBytes);
  if (previous) {
    for (const auto& [ik, iv] : previous->indexes) {
      auto it = object->indexes.find(ik);
      if (it != object->indexes.end() && it->second == iv) continue;
      keys::indexKey(key2_, typeId, ik, iv);
      if (Status s = del(child, dbs.index, key2_, name, &suffix); !s.ok()) return s;
    }
  }
  for (const auto& [ik, iv] : object->indexes) {
    if (previous) {
      auto it = previous->indexes.find(ik);
      if (it != previous->indexes.end() && it->second == iv) continue;
    }
    keys::indexKey(key2_, typeId, ik, iv);
    if (Status s = put(child, dbs.index, key2_, suffix, name, bytes.size()); !s.ok()) return s;
  }

  // Expiry entries.
  const std::int64_t oldExpire = previous ? previous->expireTime : 0;
  if (oldExpire != object->expireTime) {
    if (oldExpire != 0) {
      key2_ = keys::u64Bytes(static_cast<std::uint64_t>(oldExpire)) + key;
      if (Status s = del(child, dbs.expiry, key2_, name); !s.ok()) return s;
    }
    if (object->expireTime != 0) {
      key2_ = keys::u64Bytes(static_cast<std::uint64_t>(object->expireTime)) + key;
      if (Status s = put(child, dbs.expiry, key2_, {}, name, bytes.size()); !s.ok()) return s;
    }
  }

  if (!previous) {
    const std::string countKey = keys::u32Bytes(typeId);
    const std::int64_t count = readMetaInt(child, dbs.counts, countKey) + 1;
    if (Status s = put(child, dbs.counts, countKey, keys::u64Bytes(static_cast<std::uint64_t>(count)), name,
                       bytes.size());
        !s.ok()) {
      return s;
    }
  }
  if (Status s = put(child, dbs.meta, keys::kMetaRevision, revKey, name, bytes.size()); !s.ok()) return s;

  a.kind = previous ? WatchEvent::Kind::kModified : WatchEvent::Kind::kAdded;
  a.object = std::move(object);
  a.previous = std::move(previous);
  return {};
}

Status LmdbStore::Impl::deleteObject(MDB_txn* child, std::uint32_t typeId, const std::string& key,
                                     std::shared_ptr<const Object> previous, std::int64_t revision,
                                     Applied& a) {
  const Databases& dbs = engine_->dbs();
  // The tombstone carries the last state, stamped with the deletion's revision.
  auto tombstone = std::make_shared<Object>(*previous);
  tombstone->revision = revision;
  const std::string name = describeObject(tombstone->type, tombstone->ns, tombstone->name);
  kj::Array<capnp::word> words = encodeWords(*tombstone);
  const kj::ArrayPtr<const kj::byte> bytes = words.asBytes();
  a.bytes = bytes.size();

  if (Status s = del(child, dbs.current, key, name); !s.ok()) return s;

  keys::historyKey(key2_, key, revision);
  MDB_val k = mdbVal(key2_);
  MDB_val v{keys::kVersionHeaderBytes + bytes.size(), nullptr};
  const int rc = mdb_put(child, dbs.history, &k, &v, MDB_RESERVE);
  if (rc != 0) {
    lastRc_ = rc;
    return writeError(rc, name, bytes.size());
  }
  auto* out = static_cast<unsigned char*>(v.mv_data);
  std::memset(out, 0, keys::kVersionHeaderBytes);
  out[0] = static_cast<unsigned char>(keys::VersionKind::kTombstone);
  std::memcpy(out + keys::kVersionHeaderBytes, bytes.begin(), bytes.size());

  const std::string revKey = keys::u64Bytes(static_cast<std::uint64_t>(revision));
  std::string logValue(1, static_cast<char>(WatchEvent::Kind::kDeleted));
  logValue += key;
  if (Status s = put(child, dbs.revlog, revKey, logValue, name, bytes.size()); !s.ok()) return s;

  const std::string_view suffix = std::string_view(key).substr(keys::kTypeIdBytes);
  for (const auto& [ik, iv] : previous->indexes) {
    keys::indexKey(key2_, typeId, ik, iv);
    if (Status s = del(child, dbs.index, key2_, name, &suffix); !s.ok()) return s;
  }
  if (previous->expireTime != 0) {
    key2_ = keys::u64Bytes(static_cast<std::uint64_t>(previous->expireTime)) + key;
    if (Status s = del(child, dbs.expiry, key2_, name); !s.ok()) return s;
  }
  const std::string countKey = keys::u32Bytes(typeId);
  const std::int64_t count = readMetaInt(child, dbs.counts, countKey) - 1;
  Status s = count > 0 ? put(child, dbs.counts, countKey, keys::u64Bytes(static_cast<std::uint64_t>(count)), name,
                             bytes.size())
                       : del(child, dbs.counts, countKey, name);
  if (!s.ok()) return s;
  if (s = put(child, dbs.meta, keys::kMetaRevision, revKey, name, bytes.size()); !s.ok()) return s;

  a.kind = WatchEvent::Kind::kDeleted;
  a.object = std::move(tombstone);
  a.previous = std::move(previous);
  return {};
}

Status LmdbStore::Impl::typeIdFor(MDB_txn* child, const std::string& type, bool create, std::uint32_t& id,
                                  Applied& a) {
  id = 0;
  if (auto it = writerTypes_.find(type); it != writerTypes_.end()) {
    id = it->second;
    return {};
  }
  const Databases& dbs = engine_->dbs();
  MDB_val k = mdbVal(type);
  MDB_val v;
  const int rc = mdb_get(child, dbs.types, &k, &v);
  if (rc == 0 && v.mv_size == 4) {
    id = keys::readU32(v.mv_data);  // interned earlier in this (uncommitted) group
    return {};
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdbStatus(rc, "reading type " + type);
  if (!create) return {};
  MDB_val nk = mdbVal(keys::kMetaNextTypeId);
  MDB_val nv;
  std::uint32_t next = 1;
  if (mdb_get(child, dbs.meta, &nk, &nv) == 0 && nv.mv_size == 4) next = keys::readU32(nv.mv_data);
  const std::string idBytes = keys::u32Bytes(next);
  std::string reverse(1, '\0');
  reverse += idBytes;
  const std::string what = "interning type " + type;
  if (Status s = put(child, dbs.types, type, idBytes, what, 0); !s.ok()) return s;
  if (Status s = put(child, dbs.types, reverse, type, what, 0); !s.ok()) return s;
  if (Status s = put(child, dbs.meta, keys::kMetaNextTypeId, keys::u32Bytes(next + 1), what, 0); !s.ok()) return s;
  a.newType = std::make_pair(type, next);
  id = next;
  return {};
}

Status LmdbStore::Impl::writeError(int rc, const std::string& object, std::size_t bytes) {
  if (rc == MDB_MAP_FULL) {
    return Status::resourceExhausted("the store is full: writing " + object +
                                     (bytes > 0 ? " (" + std::to_string(bytes) + " bytes)" : std::string()) +
                                     " does not fit in its map of " + std::to_string(options_.mapSizeBytes) +
                                     " bytes; compact the store or reopen it with a larger mapSizeBytes");
  }
  if (rc == MDB_TXN_FULL) {
    return Status::resourceExhausted("too many changes in one transaction while writing " + object);
  }
  return lmdbStatus(rc, "writing " + object);
}

Status LmdbStore::Impl::put(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view value,
                            const std::string& object, std::size_t bytes) {
  MDB_val k = mdbVal(key);
  MDB_val v = mdbVal(value);
  const int rc = mdb_put(txn, dbi, &k, &v, 0);
  if (rc == 0) return {};
  lastRc_ = rc;
  return writeError(rc, object, bytes);
}

Status LmdbStore::Impl::del(MDB_txn* txn, MDB_dbi dbi, std::string_view key, const std::string& object,
                            const std::string_view* value) {
  MDB_val k = mdbVal(key);
  MDB_val v;
  if (value != nullptr) v = mdbVal(*value);
  const int rc = mdb_del(txn, dbi, &k, value != nullptr ? &v : nullptr);
  if (rc == 0 || rc == MDB_NOTFOUND) return {};
  lastRc_ = rc;
  return writeError(rc, object, 0);
}

std::string LmdbStore::Impl::newUid() {
  // UUID version 4 (random), RFC 4122 variant.
  std::uint64_t hi = random_();
  std::uint64_t lo = random_();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(36, '-');
  int pos = 0;
  auto emit = [&](std::uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
      s[pos++] = kHex[(v >> (4 * i)) & 0xf];
    }
  };
  emit(hi, 16);
  emit(lo, 16);
  return s;
}

// ---------------------------------------------------------------------------------------
// TTL

void LmdbStore::Impl::sweepExpired(bool& more) {
  more = false;
  const Databases& dbs = engine_->dbs();
  Group g;
  if (!beginGroup(g).ok()) return;
  const std::int64_t now = nowSeconds();
  std::vector<std::pair<std::int64_t, std::string>> expired;
  {
    CursorCloser c;
    if (mdb_cursor_open(g.txn, dbs.expiry, &c.cursor) != 0) {
      mdb_txn_abort(g.txn);
      return;
    }
    MDB_val k;
    MDB_val v;
    for (int rc = mdb_cursor_get(c.cursor, &k, &v, MDB_FIRST); rc == 0 && expired.size() < kSweepBatch;
         rc = mdb_cursor_get(c.cursor, &k, &v, MDB_NEXT)) {
      if (k.mv_size <= keys::kRevisionBytes) continue;
      const auto at = static_cast<std::int64_t>(keys::readU64(k.mv_data));
      if (at > now) break;
      expired.emplace_back(at, std::string(view(k).substr(keys::kRevisionBytes)));
    }
  }
  if (expired.empty()) {
    mdb_txn_abort(g.txn);
    return;
  }
  more = expired.size() == kSweepBatch;
  Object stored;
  for (const auto& [at, objectKey] : expired) {
    MDB_val k = mdbVal(objectKey);
    MDB_val v;
    bool live = false;
    if (mdb_get(g.txn, dbs.current, &k, &v) == 0 && decodeInto(v.mv_data, v.mv_size, writerScratch_, stored).ok()) {
      live = stored.expireTime == at;
    }
    if (live) {
      // Through the normal write path, so watchers see a kDeleted with its own revision.
      Mutation m;
      m.op = MutationOp::kDelete;
      m.object.type = stored.type;
      m.object.ns = stored.ns;
      m.object.name = stored.name;
      m.expectRevision = stored.revision;
      WriteResult ignored;
      bool retryable = false;
      applyMutation(g, m, ignored, retryable);
      continue;
    }
    // A stale entry (should not exist): drop it in its own nested transaction.
    MDB_txn* child = nullptr;
    if (mdb_txn_begin(engine_->env(), g.txn, 0, &child) != 0) continue;
    std::string expiryKey = keys::u64Bytes(static_cast<std::uint64_t>(at)) + objectKey;
    MDB_val ek = mdbVal(expiryKey);
    if (mdb_del(child, dbs.expiry, &ek, nullptr) == 0) {
      mdb_txn_commit(child);
    } else {
      mdb_txn_abort(child);
    }
  }
  if (const int rc = commitGroup(g); rc != 0) {
    writerRevision_ = g.startRevision;
    spdlog::warn("store: deleting expired objects failed: {}", mdb_strerror(rc));
  }
}

// ---------------------------------------------------------------------------------------
// Compaction

bool LmdbStore::Impl::compactionStep() {
  if (compactPhase_ == 0) return false;
  Status s;
  bool done = false;
  switch (compactPhase_) {
    case 1: {
      // From this commit on, reads below the target are Gone; the data goes in later steps.
      MDB_txn* txn = nullptr;
      int rc = mdb_txn_begin(engine_->env(), nullptr, 0, &txn);
      if (rc == 0) {
        s = put(txn, engine_->dbs().meta, keys::kMetaCompacted,
                keys::u64Bytes(static_cast<std::uint64_t>(compactTarget_)), "the compacted revision", 0);
        if (s.ok()) {
          rc = mdb_txn_commit(txn);
          if (rc != 0) s = writeError(rc, "the compacted revision", 0);
        } else {
          mdb_txn_abort(txn);
        }
      } else {
        s = lmdbStatus(rc, "beginning compaction");
      }
      if (s.ok()) {
        compacted_.store(compactTarget_, std::memory_order_release);
        compactPhase_ = 2;
        compactResume_.clear();
      }
      break;
    }
    case 2:
      s = compactHistoryStep(compactTarget_, compactResume_, done);
      if (s.ok() && done) compactPhase_ = 3;
      break;
    default:
      s = compactRevlogStep(compactTarget_, done);
      if (s.ok() && done) {
        for (const auto& job : activeJobs_) job->done.set_value(Status());
        activeJobs_.clear();
        compactPhase_ = 0;
      }
      break;
  }
  if (!s.ok()) {
    for (const auto& job : activeJobs_) job->done.set_value(s.withContext("compacting"));
    activeJobs_.clear();
    compactPhase_ = 0;
  }
  return true;
}

Status LmdbStore::Impl::compactHistoryStep(std::int64_t target, std::string& resume, bool& done) {
  done = false;
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(engine_->env(), nullptr, 0, &txn);
  if (rc != 0) return lmdbStatus(rc, "compacting history");
  Status status;
  {
    CursorCloser c;
    rc = mdb_cursor_open(txn, engine_->dbs().history, &c.cursor);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return lmdbStatus(rc, "compacting history");
    }
    std::size_t deleted = 0;
    std::size_t groups = 0;
    std::string objectKey;
    std::string seek;
    MDB_val k;
    MDB_val v;
    if (resume.empty()) {
      rc = mdb_cursor_get(c.cursor, &k, &v, MDB_FIRST);
    } else {
      k = mdbVal(resume);
      rc = mdb_cursor_get(c.cursor, &k, &v, MDB_SET_RANGE);
    }
    bool paused = false;
    while (rc == 0) {
      std::optional<keys::HistoryKeyParts> first = keys::parseHistoryKey(view(k));
      if (!first) {
        status = Status::internal("corrupt key in the history database");
        break;
      }
      objectKey.assign(first->objectKey);
      // The version visible at the target: the newest one at or below it.
      keys::historyKey(seek, objectKey, target + 1);
      k = mdbVal(seek);
      rc = mdb_cursor_get(c.cursor, &k, &v, MDB_SET_RANGE);
      if (rc == 0) {
        rc = mdb_cursor_get(c.cursor, &k, &v, MDB_PREV);
      } else if (rc == MDB_NOTFOUND) {
        rc = mdb_cursor_get(c.cursor, &k, &v, MDB_LAST);
      }
      std::int64_t keeper = 0;
      bool keeperIsTombstone = false;
      if (rc == 0) {
        std::optional<keys::HistoryKeyParts> p = keys::parseHistoryKey(view(k));
        if (p && p->objectKey == objectKey && p->revision <= target) {
          keeper = p->revision;
          keeperIsTombstone = v.mv_size > 0 && static_cast<const unsigned char*>(v.mv_data)[0] ==
                                                   static_cast<unsigned char>(keys::VersionKind::kTombstone);
        }
      } else if (rc != MDB_NOTFOUND) {
        status = lmdbStatus(rc, "compacting history");
        break;
      }
      if (keeper > 0) {
        // Everything older than the visible version is superseded: delete oldest first.
        while (deleted < kCompactDeletes) {
          keys::historyKey(seek, objectKey, 0);
          k = mdbVal(seek);
          rc = mdb_cursor_get(c.cursor, &k, &v, MDB_SET_RANGE);
          if (rc != 0) break;
          std::optional<keys::HistoryKeyParts> p = keys::parseHistoryKey(view(k));
          if (!p || p->objectKey != objectKey || p->revision >= keeper) break;
          if ((rc = mdb_cursor_del(c.cursor, 0)) != 0) break;
          ++deleted;
        }
        if (rc != 0 && rc != MDB_NOTFOUND) {
          status = writeError(rc, "history during compaction", 0);
          break;
        }
        if (deleted >= kCompactDeletes) {
          resume = objectKey;  // this key again: its remaining old versions
          paused = true;
          break;
        }
        // A deletion at or below the target: the object is gone for every readable revision.
        if (keeperIsTombstone) {
          keys::historyKey(seek, objectKey, keeper);
          k = mdbVal(seek);
          if (mdb_cursor_get(c.cursor, &k, &v, MDB_SET_KEY) == 0) {
            if ((rc = mdb_cursor_del(c.cursor, 0)) != 0) {
              status = writeError(rc, "history during compaction", 0);
              break;
            }
            ++deleted;
          }
        }
      }
      ++groups;
      seek = objectKey;
      seek.push_back('\x01');  // past every version of this key
      k = mdbVal(seek);
      rc = mdb_cursor_get(c.cursor, &k, &v, MDB_SET_RANGE);
      if (rc == 0 && (groups >= kCompactGroups || deleted >= kCompactDeletes)) {
        resume.assign(view(k));
        paused = true;
        break;
      }
    }
    if (status.ok() && !paused) {
      if (rc == MDB_NOTFOUND) {
        done = true;
      } else if (rc != 0) {
        status = lmdbStatus(rc, "compacting history");
      }
    }
  }
  if (!status.ok()) {
    mdb_txn_abort(txn);
    return status;
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return writeError(rc, "history during compaction", 0);
  return {};
}

Status LmdbStore::Impl::compactRevlogStep(std::int64_t target, bool& done) {
  done = false;
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(engine_->env(), nullptr, 0, &txn);
  if (rc != 0) return lmdbStatus(rc, "compacting the revision log");
  {
    CursorCloser c;
    rc = mdb_cursor_open(txn, engine_->dbs().revlog, &c.cursor);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return lmdbStatus(rc, "compacting the revision log");
    }
    MDB_val k;
    MDB_val v;
    std::size_t deleted = 0;
    while (deleted < kCompactDeletes) {
      rc = mdb_cursor_get(c.cursor, &k, &v, MDB_FIRST);
      if (rc == MDB_NOTFOUND || (rc == 0 && static_cast<std::int64_t>(keys::readU64(k.mv_data)) > target)) {
        done = true;
        rc = 0;
        break;
      }
      if (rc == 0) rc = mdb_cursor_del(c.cursor, 0);
      if (rc != 0) break;
      ++deleted;
    }
  }
  if (rc != 0) {
    mdb_txn_abort(txn);
    return writeError(rc, "the revision log during compaction", 0);
  }
  rc = mdb_txn_commit(txn);
  if (rc != 0) return writeError(rc, "the revision log during compaction", 0);
  return {};
}

}  // namespace capstan::store
