#include "store.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fcntl.h>
#include <kj/exception.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "codec.h"
#include "keys.h"
#include "selector.h"
#include "store_impl.h"

namespace capstan::store {

// How a list request reads: decoded once from ListOptions.
struct ListPlan {
  LabelSelector labels;
  IndexSelector indexes;
  std::optional<std::string> ns;    // exact namespace ("" = cluster-scoped objects only)
  std::optional<std::string> name;  // exact name (metadata.name)
  std::int64_t revision = 0;        // the revision the list reads at
  std::int64_t limit = 0;
  std::optional<std::string> startAfter;  // key suffix (ns '\0' name) from a continue token
  std::uint64_t returnedBefore = 0;

  bool objectFilter() const { return !labels.empty() || !indexes.indexes().empty(); }
};

namespace {

Status notFound(std::string_view type, std::string_view ns, std::string_view name) {
  return Status::notFound("object " + describeObject(type, ns, name) + " not found");
}

Status goneStatus(std::int64_t revision, std::int64_t compacted) {
  return Status::gone("required revision " + std::to_string(revision) +
                      " has been compacted (compacted revision is " + std::to_string(compacted) + ")");
}

Status tooNew(std::int64_t revision, std::int64_t current) {
  return Status::invalidArgument("revision " + std::to_string(revision) +
                                 " is newer than the current revision " + std::to_string(current));
}

// Cheap argument checks for reads; they also keep keys inside their fixed-size limits.
Status checkReadKey(const std::string& type, const std::string& ns, const std::string* name) {
  if (type.empty()) return Status::invalidArgument("type must not be empty");
  if (type.size() > kMaxTypeBytes) {
    return Status::invalidArgument("type is " + std::to_string(type.size()) + " bytes, the limit is " +
                                   std::to_string(kMaxTypeBytes) + " bytes");
  }
  if (ns.size() > kMaxNamespaceBytes) {
    return Status::invalidArgument("namespace is " + std::to_string(ns.size()) +
                                   " bytes, the limit is " + std::to_string(kMaxNamespaceBytes) + " bytes");
  }
  if (name != nullptr) {
    if (name->empty()) return Status::invalidArgument("name must not be empty");
    if (name->size() > kMaxNameBytes) {
      return Status::invalidArgument("name is " + std::to_string(name->size()) +
                                     " bytes, the limit is " + std::to_string(kMaxNameBytes) + " bytes");
    }
  }
  return {};
}

// Runs fn(schema::Object::Reader) on a stored message, copying it into aligned memory
// first when LMDB's 2-byte alignment is not enough for capnp.
template <typename Fn>
Status withMessage(const void* data, std::size_t size, AlignedBuffer& scratch, Fn&& fn) {
  if (size % sizeof(capnp::word) != 0) return Status::internal("corrupt stored object: bad size");
  kj::ArrayPtr<const capnp::word> words;
  if (reinterpret_cast<std::uintptr_t>(data) % alignof(capnp::word) == 0) {
    words = {static_cast<const capnp::word*>(data), size / sizeof(capnp::word)};
  } else {
    words = scratch.assign(data, size);
  }
  try {
    capnp::FlatArrayMessageReader message(words);
    fn(message.getRoot<schema::Object>());
    return {};
  } catch (const kj::Exception& e) {
    return Status::internal(std::string("corrupt stored object: ") + e.getDescription().cStr());
  }
}

std::optional<std::string_view> findKeyValue(capnp::List<schema::KeyValue>::Reader list,
                                             const std::string& key) {
  for (auto kv : list) {
    capnp::Text::Reader k = kv.getKey();
    if (k.size() == key.size() && std::memcmp(k.cStr(), key.data(), key.size()) == 0) {
      capnp::Text::Reader v = kv.getValue();
      return std::string_view(v.cStr(), v.size());
    }
  }
  return std::nullopt;
}

// Label and index conditions, tested on the stored message before decoding it.
bool readerMatches(schema::Object::Reader r, const ListPlan& plan) {
  if (!plan.labels.empty()) {
    auto labels = r.getLabels();
    if (!plan.labels.matchesWith([&labels](const std::string& key) { return findKeyValue(labels, key); })) {
      return false;
    }
  }
  if (!plan.indexes.indexes().empty()) {
    auto indexes = r.getIndexes();
    for (const auto& [key, value] : plan.indexes.indexes()) {
      std::optional<std::string_view> v = findKeyValue(indexes, key);
      if (!v || *v != value) return false;
    }
  }
  return true;
}

struct CursorCloser {
  MDB_cursor* cursor = nullptr;
  ~CursorCloser() {
    if (cursor != nullptr) mdb_cursor_close(cursor);
  }
};

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

std::int64_t liveCount(ReadTxn& t, std::uint32_t typeId) {
  std::string k = keys::u32Bytes(typeId);
  MDB_val key = mdbVal(k);
  MDB_val val;
  if (mdb_get(t.txn(), t.dbs().counts, &key, &val) != 0 || val.mv_size != 8) return 0;
  return static_cast<std::int64_t>(keys::readU64(val.mv_data));
}

void finishPage(const ListPlan& plan, bool more, const std::string& lastScanned, ListResult& out) {
  if (more) {
    out.continueToken = keys::encodeContinueToken(plan.revision, plan.returnedBefore + out.items.size(),
                                                  lastScanned);
  } else {
    out.remainingCount = 0;
  }
}

// Current state through the index DB: the first writer-supplied index condition selects
// the candidates; the rest are checked on each candidate.
Status listByIndex(ReadTxn& t, std::uint32_t typeId, const ListPlan& plan, ListResult& out) {
  const auto& [indexName, indexValue] = plan.indexes.indexes().front();
  std::string ikey;
  keys::indexKey(ikey, typeId, indexName, indexValue);
  if (ikey.size() > keys::kMaxLmdbKeyBytes) {  // longer than any stored index key
    finishPage(plan, false, {}, out);
    return {};
  }
  CursorCloser c;
  int rc = mdb_cursor_open(t.txn(), t.dbs().index, &c.cursor);
  if (rc != 0) return lmdbStatus(rc, "listing by index");
  std::string nsPrefix;
  if (plan.ns) {
    nsPrefix = *plan.ns;
    nsPrefix.push_back('\0');
  }
  std::string start = plan.startAfter ? *plan.startAfter : nsPrefix;
  MDB_val k = mdbVal(ikey);
  MDB_val d;
  if (start.empty()) {
    rc = mdb_cursor_get(c.cursor, &k, &d, MDB_SET_KEY);
  } else {
    d = mdbVal(start);
    rc = mdb_cursor_get(c.cursor, &k, &d, MDB_GET_BOTH_RANGE);
    if (rc == 0 && plan.startAfter && view(d) == start) rc = mdb_cursor_get(c.cursor, &k, &d, MDB_NEXT_DUP);
  }
  std::string currentKey;
  std::string lastScanned;
  bool more = false;
  Status status;
  for (; rc == 0; rc = mdb_cursor_get(c.cursor, &k, &d, MDB_NEXT_DUP)) {
    const std::string_view suffix = view(d);
    if (!startsWith(suffix, nsPrefix)) break;
    const std::size_t nul = suffix.find('\0');
    if (nul == std::string_view::npos) return Status::internal("corrupt index entry");
    if (plan.name && suffix.substr(nul + 1) != *plan.name) continue;
    if (plan.limit > 0 && out.items.size() >= static_cast<std::size_t>(plan.limit)) {
      more = true;
      break;
    }
    lastScanned.assign(suffix);
    currentKey = keys::u32Bytes(typeId);
    currentKey.append(suffix);
    MDB_val ck = mdbVal(currentKey);
    MDB_val cv;
    if (mdb_get(t.txn(), t.dbs().current, &ck, &cv) != 0) continue;
    status = withMessage(cv.mv_data, cv.mv_size, t.scratch(), [&](schema::Object::Reader r) {
      if (readerMatches(r, plan)) out.items.push_back(fromCapnp(r));
    });
    if (!status.ok()) return status;
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdbStatus(rc, "listing by index");
  finishPage(plan, more, lastScanned, out);
  return {};
}

Status listCurrent(ReadTxn& t, std::uint32_t typeId, const ListPlan& plan, ListResult& out) {
  if (!plan.indexes.indexes().empty()) return listByIndex(t, typeId, plan, out);
  std::string prefix = keys::u32Bytes(typeId);
  if (plan.ns) {
    prefix += *plan.ns;
    prefix.push_back('\0');
  }
  std::string exact;
  if (plan.ns && plan.name) exact = prefix + *plan.name;
  std::string seek;
  if (plan.startAfter) {
    seek = keys::u32Bytes(typeId) + *plan.startAfter;
  } else {
    seek = exact.empty() ? prefix : exact;
  }
  CursorCloser c;
  int rc = mdb_cursor_open(t.txn(), t.dbs().current, &c.cursor);
  if (rc != 0) return lmdbStatus(rc, "listing");
  MDB_val k = mdbVal(seek);
  MDB_val v;
  rc = mdb_cursor_get(c.cursor, &k, &v, MDB_SET_RANGE);
  if (rc == 0 && plan.startAfter && view(k) == seek) rc = mdb_cursor_get(c.cursor, &k, &v, MDB_NEXT);
  std::string lastScanned;
  bool more = false;
  Status status;
  for (; rc == 0; rc = mdb_cursor_get(c.cursor, &k, &v, MDB_NEXT)) {
    const std::string_view key = view(k);
    if (!startsWith(key, prefix)) break;
    if (!exact.empty() && key != exact) break;
    std::optional<keys::ObjectKeyParts> parts = keys::parseObjectKey(key);
    if (!parts) return Status::internal("corrupt key in the current-state database");
    if (plan.name && parts->name != *plan.name) continue;
    if (plan.limit > 0 && out.items.size() >= static_cast<std::size_t>(plan.limit)) {
      more = true;
      break;
    }
    lastScanned.assign(parts->suffix);
    if (!plan.objectFilter()) {
      Object& o = out.items.emplace_back();
      status = decodeInto(v.mv_data, v.mv_size, t.scratch(), o);
      if (!status.ok()) return Status::internal("corrupt stored object: " + status.message());
      continue;
    }
    status = withMessage(v.mv_data, v.mv_size, t.scratch(), [&](schema::Object::Reader r) {
      if (readerMatches(r, plan)) out.items.push_back(fromCapnp(r));
    });
    if (!status.ok()) return status;
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdbStatus(rc, "listing");
  finishPage(plan, more, lastScanned, out);
  if (more && !plan.objectFilter() && !plan.name) {
    // Cheap only without selectors: a per-type counter, or the rest of one namespace.
    if (!plan.ns) {
      out.remainingCount = liveCount(t, typeId) - static_cast<std::int64_t>(plan.returnedBefore + out.items.size());
    } else {
      std::int64_t remaining = 0;
      for (; rc == 0 && startsWith(view(k), prefix); rc = mdb_cursor_get(c.cursor, &k, &v, MDB_NEXT)) ++remaining;
      out.remainingCount = remaining;
    }
  }
  return {};
}

// As of an older revision: for each key in range, the newest version at or below it
// (a tombstone there means the object did not exist).
Status listHistory(ReadTxn& t, std::uint32_t typeId, const ListPlan& plan, ListResult& out) {
  std::string prefix = keys::u32Bytes(typeId);
  if (plan.ns) {
    prefix += *plan.ns;
    prefix.push_back('\0');
  }
  std::string exact;
  if (plan.ns && plan.name) exact = prefix + *plan.name;
  std::string seek;
  if (plan.startAfter) {
    seek = keys::u32Bytes(typeId) + *plan.startAfter;
    seek.push_back('\x01');  // past every version of the last key
  } else {
    seek = exact.empty() ? prefix : exact;
  }
  CursorCloser c;
  int rc = mdb_cursor_open(t.txn(), t.dbs().history, &c.cursor);
  if (rc != 0) return lmdbStatus(rc, "listing history");
  std::string objectKey;
  std::string versionKey;
  std::string lastScanned;
  bool more = false;
  Status status;
  MDB_val k;
  MDB_val v;
  while (true) {
    k = mdbVal(seek);
    rc = mdb_cursor_get(c.cursor, &k, &v, MDB_SET_RANGE);
    if (rc != 0) break;
    std::optional<keys::HistoryKeyParts> hp = keys::parseHistoryKey(view(k));
    if (!hp) return Status::internal("corrupt key in the history database");
    if (!startsWith(hp->objectKey, prefix)) break;
    if (!exact.empty() && hp->objectKey != exact) break;
    objectKey.assign(hp->objectKey);
    seek = objectKey;
    seek.push_back('\x01');
    std::optional<keys::ObjectKeyParts> parts = keys::parseObjectKey(objectKey);
    if (!parts) return Status::internal("corrupt key in the history database");
    if (plan.name && parts->name != *plan.name) continue;
    if (plan.limit > 0 && out.items.size() >= static_cast<std::size_t>(plan.limit)) {
      more = true;
      break;
    }
    lastScanned.assign(parts->suffix);
    // The newest version at or below the list revision: the entry before (key, revision+1).
    keys::historyKey(versionKey, objectKey, plan.revision + 1);
    k = mdbVal(versionKey);
    rc = mdb_cursor_get(c.cursor, &k, &v, MDB_SET_RANGE);
    if (rc == 0) {
      rc = mdb_cursor_get(c.cursor, &k, &v, MDB_PREV);
    } else if (rc == MDB_NOTFOUND) {
      rc = mdb_cursor_get(c.cursor, &k, &v, MDB_LAST);
    }
    if (rc != 0) continue;
    std::optional<keys::HistoryKeyParts> version = keys::parseHistoryKey(view(k));
    if (!version || version->objectKey != objectKey || version->revision > plan.revision) continue;
    if (v.mv_size < keys::kVersionHeaderBytes ||
        static_cast<const unsigned char*>(v.mv_data)[0] != static_cast<unsigned char>(keys::VersionKind::kPut)) {
      continue;  // deleted as of the list revision
    }
    status = withMessage(static_cast<const char*>(v.mv_data) + keys::kVersionHeaderBytes,
                         v.mv_size - keys::kVersionHeaderBytes, t.scratch(), [&](schema::Object::Reader r) {
                           if (readerMatches(r, plan)) out.items.push_back(fromCapnp(r));
                         });
    if (!status.ok()) return status;
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdbStatus(rc, "listing history");
  finishPage(plan, more, lastScanned, out);
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------
// LmdbStore

LmdbStore::LmdbStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LmdbStore::~LmdbStore() { close(); }

Result<std::unique_ptr<LmdbStore>> LmdbStore::open(const StoreOptions& options) {
  if (options.mapSizeBytes == 0) return Status::invalidArgument("mapSizeBytes must be positive");
  if (options.maxReaders == 0) return Status::invalidArgument("maxReaders must be positive");
  if (options.maxObjectBytes == 0) return Status::invalidArgument("maxObjectBytes must be positive");
  if (options.watchRingCapacity == 0) return Status::invalidArgument("watchRingCapacity must be positive");
  if (options.ttlSweepIntervalMs <= 0) return Status::invalidArgument("ttlSweepIntervalMs must be positive");
  EngineOptions eo;
  eo.directory = options.directory;
  eo.mapSizeBytes = options.mapSizeBytes;
  eo.maxReaders = options.maxReaders;
  eo.durable = options.durable;
  Result<std::shared_ptr<Engine>> engine = Engine::open(eo);
  if (!engine.ok()) return engine.status();
  auto impl = std::make_unique<Impl>(options, std::move(engine).value());
  if (Status s = impl->start(); !s.ok()) return s;
  return std::unique_ptr<LmdbStore>(new LmdbStore(std::move(impl)));
}

void LmdbStore::write(std::vector<Mutation> batch, WriteCallback done) {
  impl_->write(std::move(batch), std::move(done));
}
Result<Object> LmdbStore::get(const std::string& type, const std::string& ns, const std::string& name,
                              std::int64_t revision) {
  return impl_->get(type, ns, name, revision);
}
Result<ListResult> LmdbStore::list(const ListOptions& options) { return impl_->list(options); }
Result<std::unique_ptr<Watch>> LmdbStore::watch(const WatchOptions& options, WatchHandler handler) {
  return impl_->watch(options, std::move(handler));
}
std::int64_t LmdbStore::currentRevision() { return impl_->currentRevision(); }
std::int64_t LmdbStore::compactedRevision() { return impl_->compactedRevision(); }
Result<std::shared_ptr<WatchCursor>> LmdbStore::openCursor(const WatchOptions& options,
                                                           std::function<void()> onReadable) {
  return impl_->openCursor(options, std::move(onReadable));
}
Status LmdbStore::compact(std::int64_t revision) { return impl_->compact(revision); }
Status LmdbStore::backup(const std::string& path) { return impl_->backup(path); }
Stats LmdbStore::stats() { return impl_->stats(); }
void LmdbStore::close() { impl_->close(); }

// ---------------------------------------------------------------------------------------
// Impl: lifecycle

LmdbStore::Impl::Impl(StoreOptions options, std::shared_ptr<Engine> engine)
    : options_(std::move(options)), engine_(std::move(engine)), random_(std::random_device{}()) {}

LmdbStore::Impl::~Impl() { close(); }

Status LmdbStore::Impl::start() {
  {
    Result<ReadTxn> r = engine_->read();
    if (!r.ok()) return r.status();
    ReadTxn& t = *r;
    writerRevision_ = t.metaInt(keys::kMetaRevision);
    revision_.store(writerRevision_);
    compacted_.store(t.metaInt(keys::kMetaCompacted));
    CursorCloser c;
    int rc = mdb_cursor_open(t.txn(), t.dbs().types, &c.cursor);
    if (rc != 0) return lmdbStatus(rc, "loading types");
    MDB_val k;
    MDB_val v;
    for (rc = mdb_cursor_get(c.cursor, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(c.cursor, &k, &v, MDB_NEXT)) {
      if (k.mv_size == 0 || static_cast<const char*>(k.mv_data)[0] == '\0' || v.mv_size != 4) continue;
      writerTypes_.emplace(std::string(view(k)), keys::readU32(v.mv_data));
    }
  }
  hub_ = std::make_shared<WatchHub>(engine_, options_.watchRingCapacity, writerRevision_);
  hub_->start();
  writer_ = std::thread([this] { writerLoop(); });
  writerId_ = writer_.get_id();
  return {};
}

void LmdbStore::Impl::close() {
  std::lock_guard<std::mutex> lock(closeMutex_);
  if (closed_) return;
  if (std::this_thread::get_id() == writerId_) {
    throw std::logic_error("LmdbStore::close() called from a write callback (the writer thread)");
  }
  {
    std::lock_guard<std::mutex> q(queueMutex_);
    stopping_ = true;
    queueCv_.notify_one();
  }
  if (writer_.joinable()) writer_.join();
  if (hub_) hub_->stop();
  engine_->shutdown();
  closed_ = true;
}

// ---------------------------------------------------------------------------------------
// Impl: reads

Result<Object> LmdbStore::Impl::get(const std::string& type, const std::string& ns, const std::string& name,
                                    std::int64_t revision) {
  if (Status s = checkReadKey(type, ns, &name); !s.ok()) return s;
  if (revision < 0) return Status::invalidArgument("revision must not be negative");
  Result<ReadTxn> r = engine_->read();
  if (!r.ok()) return r.status();
  ReadTxn& t = *r;
  if (revision != 0) {
    const std::int64_t current = t.metaInt(keys::kMetaRevision);
    const std::int64_t compacted = t.metaInt(keys::kMetaCompacted);
    if (revision > current) return tooNew(revision, current);
    if (revision < compacted) return goneStatus(revision, compacted);
  }
  std::optional<std::uint32_t> typeId = t.typeId(type);
  if (!typeId) return notFound(type, ns, name);
  // Validated sizes keep the key inside this buffer: no allocation for the key.
  char keyBuf[keys::kTypeIdBytes + kMaxNamespaceBytes + 1 + kMaxNameBytes + keys::kHistorySuffixBytes];
  const std::uint32_t id = *typeId;
  keyBuf[0] = static_cast<char>(id >> 24);
  keyBuf[1] = static_cast<char>(id >> 16);
  keyBuf[2] = static_cast<char>(id >> 8);
  keyBuf[3] = static_cast<char>(id);
  std::memcpy(keyBuf + 4, ns.data(), ns.size());
  keyBuf[4 + ns.size()] = '\0';
  std::memcpy(keyBuf + 5 + ns.size(), name.data(), name.size());
  const std::size_t keySize = 5 + ns.size() + name.size();
  Object out;
  if (revision == 0) {
    MDB_val k{keySize, keyBuf};
    MDB_val v;
    const int rc = mdb_get(t.txn(), t.dbs().current, &k, &v);
    if (rc == MDB_NOTFOUND) return notFound(type, ns, name);
    if (rc != 0) return lmdbStatus(rc, "reading " + describeObject(type, ns, name));
    Status s = decodeInto(v.mv_data, v.mv_size, t.scratch(), out);
    if (!s.ok()) return Status::internal("corrupt stored object " + describeObject(type, ns, name) + ": " + s.message());
    return out;
  }
  const std::string_view objectKey(keyBuf, keySize);
  keyBuf[keySize] = '\0';
  const std::uint64_t after = static_cast<std::uint64_t>(revision) + 1;
  for (int i = 0; i < 8; ++i) keyBuf[keySize + 1 + i] = static_cast<char>(after >> (56 - 8 * i));
  CursorCloser c;
  int rc = mdb_cursor_open(t.txn(), t.dbs().history, &c.cursor);
  if (rc != 0) return lmdbStatus(rc, "reading history");
  MDB_val k{keySize + keys::kHistorySuffixBytes, keyBuf};
  MDB_val v;
  rc = mdb_cursor_get(c.cursor, &k, &v, MDB_SET_RANGE);
  if (rc == 0) {
    rc = mdb_cursor_get(c.cursor, &k, &v, MDB_PREV);
  } else if (rc == MDB_NOTFOUND) {
    rc = mdb_cursor_get(c.cursor, &k, &v, MDB_LAST);
  }
  if (rc == MDB_NOTFOUND) return notFound(type, ns, name);
  if (rc != 0) return lmdbStatus(rc, "reading history of " + describeObject(type, ns, name));
  std::optional<keys::HistoryKeyParts> version = keys::parseHistoryKey(view(k));
  if (!version || version->objectKey != objectKey || version->revision > revision ||
      v.mv_size < keys::kVersionHeaderBytes ||
      static_cast<const unsigned char*>(v.mv_data)[0] != static_cast<unsigned char>(keys::VersionKind::kPut)) {
    return notFound(type, ns, name);
  }
  Status s = decodeInto(static_cast<const char*>(v.mv_data) + keys::kVersionHeaderBytes,
                        v.mv_size - keys::kVersionHeaderBytes, t.scratch(), out);
  if (!s.ok()) return Status::internal("corrupt stored object " + describeObject(type, ns, name) + ": " + s.message());
  return out;
}

Result<ListResult> LmdbStore::Impl::list(const ListOptions& options) {
  if (Status s = checkReadKey(options.type, options.ns, nullptr); !s.ok()) return s;
  if (options.limit < 0) return Status::invalidArgument("limit must not be negative");
  if (options.revision < 0) return Status::invalidArgument("revision must not be negative");
  ListPlan plan;
  Result<LabelSelector> labels = LabelSelector::parse(options.labelSelector);
  if (!labels.ok()) return labels.status();
  plan.labels = std::move(labels).value();
  Result<IndexSelector> indexes = IndexSelector::make(options.indexSelector);
  if (!indexes.ok()) return indexes.status();
  plan.indexes = std::move(indexes).value();
  bool nothing = plan.indexes.contradictory();
  if (!options.ns.empty()) plan.ns = options.ns;
  if (plan.indexes.ns()) {
    if (plan.ns && *plan.ns != *plan.indexes.ns()) nothing = true;
    plan.ns = plan.indexes.ns();
  }
  plan.name = plan.indexes.name();
  if ((plan.ns && plan.ns->size() > kMaxNamespaceBytes) || (plan.name && plan.name->size() > kMaxNameBytes)) {
    nothing = true;  // no stored object can have such a name
  }
  plan.limit = options.limit;
  if (!options.continueToken.empty()) {
    Result<keys::ContinuePosition> pos = keys::decodeContinueToken(options.continueToken);
    if (!pos.ok()) return pos.status();
    plan.revision = pos->revision;
    plan.returnedBefore = pos->returned;
    plan.startAfter = std::move(pos->keySuffix);
  }

  Result<ReadTxn> r = engine_->read();
  if (!r.ok()) return r.status();
  ReadTxn& t = *r;
  const std::int64_t current = t.metaInt(keys::kMetaRevision);
  const std::int64_t compacted = t.metaInt(keys::kMetaCompacted);
  if (plan.revision == 0) plan.revision = options.revision != 0 ? options.revision : current;
  if (plan.revision > current) return tooNew(plan.revision, current);
  if (plan.revision < compacted) {
    Status gone = goneStatus(plan.revision, compacted);
    if (plan.startAfter) return gone.withContext("continue token expired; list again without it");
    return gone;
  }
  ListResult out;
  out.revision = plan.revision;
  std::optional<std::uint32_t> typeId = t.typeId(options.type);
  if (nothing || !typeId) {
    out.remainingCount = 0;
    return out;
  }
  Status s = plan.revision == current ? listCurrent(t, *typeId, plan, out) : listHistory(t, *typeId, plan, out);
  if (!s.ok()) return s;
  return out;
}

Stats LmdbStore::Impl::stats() {
  Stats st;
  st.revision = currentRevision();
  st.compactedRevision = compactedRevision();
  if (hub_) {
    WatchHub::Counters c = hub_->counters();
    st.watches = c.watches;
    st.cursors = c.cursors;
    st.ringEvents = c.ringEvents;
  }
  Result<ReadTxn> r = engine_->read();
  if (!r.ok()) return st;
  ReadTxn& t = *r;
  st.revision = t.metaInt(keys::kMetaRevision);
  st.compactedRevision = t.metaInt(keys::kMetaCompacted);
  MDB_envinfo info;
  MDB_stat envStat;
  if (mdb_env_info(engine_->env(), &info) == 0 && mdb_env_stat(engine_->env(), &envStat) == 0) {
    st.mapSizeBytes = info.me_mapsize;
    st.bytesInUse = static_cast<std::uint64_t>(info.me_last_pgno + 1) * envStat.ms_psize;
  }
  CursorCloser c;
  if (mdb_cursor_open(t.txn(), t.dbs().counts, &c.cursor) != 0) return st;
  MDB_val k;
  MDB_val v;
  for (int rc = mdb_cursor_get(c.cursor, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(c.cursor, &k, &v, MDB_NEXT)) {
    if (k.mv_size != 4 || v.mv_size != 8) continue;
    const auto count = static_cast<std::int64_t>(keys::readU64(v.mv_data));
    if (count <= 0) continue;
    std::optional<std::string> name = t.typeName(keys::readU32(k.mv_data));
    if (name) st.objectCounts[*name] = count;
  }
  return st;
}

// ---------------------------------------------------------------------------------------
// Impl: watches, compaction, backup

Result<std::unique_ptr<Watch>> LmdbStore::Impl::watch(const WatchOptions& options, WatchHandler handler) {
  return hub_->watch(options, std::move(handler), compactedRevision());
}

Result<std::shared_ptr<WatchCursor>> LmdbStore::Impl::openCursor(const WatchOptions& options,
                                                                 std::function<void()> onReadable) {
  return hub_->openCursor(options, std::move(onReadable), compactedRevision());
}

Status LmdbStore::Impl::compact(std::int64_t revision) {
  if (std::this_thread::get_id() == writerId_) {
    return Status::failedPrecondition(
        "compact() was called from a write callback; it would wait for the writer thread it runs on");
  }
  const std::int64_t current = currentRevision();
  if (revision < 0) return Status::invalidArgument("compaction revision must not be negative");
  if (revision == 0) revision = current;
  if (revision > current) {
    return Status::invalidArgument("cannot compact to revision " + std::to_string(revision) +
                                   ": the current revision is " + std::to_string(current));
  }
  auto job = std::make_shared<CompactionJob>();
  job->target = revision;
  std::future<Status> done = job->done.get_future();
  {
    std::lock_guard<std::mutex> lock(queueMutex_);
    if (stopping_) return Status::unavailable("the store is closed");
    compactionJobs_.push_back(job);
    queueCv_.notify_one();
  }
  return done.get();
}

Status LmdbStore::Impl::backup(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return Status::invalidArgument("backup path is empty");
  std::error_code ec;
  if (fs::exists(path, ec)) {
    return Status::failedPrecondition("backup path " + path + " already exists; choose a new one");
  }
  const fs::path partial = path + ".partial";
  fs::remove_all(partial, ec);  // a leftover of an interrupted backup to this path
  fs::create_directories(partial, ec);
  if (ec) return Status::unavailable("creating " + partial.string() + ": " + ec.message());
  const fs::path file = partial / "data.mdb";
  // Holding a read keeps close() from shutting LMDB down under the copy.
  Result<ReadTxn> guard = engine_->read();
  if (!guard.ok()) return guard.status();
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::unavailable("creating " + file.string() + ": " + std::strerror(errno));
  int rc = mdb_env_copyfd2(engine_->env(), fd, MDB_CP_COMPACT);
  if (rc == 0 && ::fsync(fd) != 0) rc = errno;
  ::close(fd);
  if (rc != 0) {
    fs::remove_all(partial, ec);
    return Status::unavailable("backup to " + path + " failed: " + mdb_strerror(rc));
  }
  fs::rename(partial, path, ec);
  if (ec) return Status::unavailable("renaming " + partial.string() + " to " + path + ": " + ec.message());
  // Make the rename itself durable.
  fs::path parent = fs::absolute(path, ec).parent_path();
  const int dirFd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirFd >= 0) {
    ::fsync(dirFd);
    ::close(dirFd);
  }
  return {};
}

}  // namespace capstan::store
