#include "engine.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "keys.h"

namespace capstan::store {
namespace {

// The slots this thread uses, one per engine. An exiting thread leaves its slots to be
// adopted by new threads, so the number of reader-table entries stays bounded by the peak
// number of threads that read at once rather than by every thread that ever read.
struct ThreadSlots {
  struct Entry {
    const Engine* engine;
    std::shared_ptr<ReaderSlot> slot;
  };
  std::vector<Entry> entries;

  ~ThreadSlots() {
    for (Entry& e : entries) e.slot->orphaned.store(true, std::memory_order_release);
  }
};

thread_local ThreadSlots tlsSlots;

}  // namespace

Status lmdbStatus(int rc, std::string_view what) {
  std::string m = "lmdb: ";
  m += mdb_strerror(rc);
  m += " (";
  m += what;
  m += ")";
  if (rc == MDB_MAP_FULL || rc == MDB_TXN_FULL || rc == MDB_READERS_FULL) {
    return Status::resourceExhausted(std::move(m));
  }
  return Status::internal(std::move(m));
}

Result<std::shared_ptr<Engine>> Engine::open(const EngineOptions& options) {
  std::shared_ptr<Engine> e(new Engine());
  e->options_ = options;
  const std::string& dir = options.directory;
  if (dir.empty()) return Status::invalidArgument("store directory is empty");

  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::unavailable("creating store directory " + dir + ": " + ec.message());
  }

  // LMDB must not be opened twice in one process (closing one handle drops the other's
  // POSIX locks), and two writers on one directory would break the single-writer design.
  const std::string lockPath = dir + "/capstan.lock";
  e->lockFd_ = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (e->lockFd_ < 0) {
    return Status::unavailable("opening " + lockPath + ": " + std::strerror(errno));
  }
  if (::flock(e->lockFd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    return Status::failedPrecondition(
        "store directory " + dir + " is already open (by this or another process): " +
        std::strerror(err));
  }

  int rc = mdb_env_create(&e->env_);
  if (rc != 0) return lmdbStatus(rc, "creating environment");
  // The map is reserved once and never resized: resizing while readers run is unsafe and
  // the file stays sparse without MDB_WRITEMAP, so a large map costs address space only.
  const long page = ::sysconf(_SC_PAGESIZE);
  const std::uint64_t pageSize = page > 0 ? static_cast<std::uint64_t>(page) : 4096;
  const std::uint64_t mapSize = (options.mapSizeBytes + pageSize - 1) / pageSize * pageSize;
  if ((rc = mdb_env_set_mapsize(e->env_, mapSize)) != 0) return lmdbStatus(rc, "setting map size");
  if ((rc = mdb_env_set_maxreaders(e->env_, options.maxReaders)) != 0) {
    return lmdbStatus(rc, "setting max readers");
  }
  if ((rc = mdb_env_set_maxdbs(e->env_, 16)) != 0) return lmdbStatus(rc, "setting max dbs");
  // Durable: LMDB's default sync on every commit (data then meta page), which is what makes
  // kill -9 lose no acknowledged write. Non-durable is for tests and benchmarks only.
  // MDB_NOMEMINIT: LMDB otherwise zeroes every freshly allocated dirty page (measured: a
  // fifth of the writer's instructions for 1.5 KiB objects). The data file is private to
  // the daemon (0600), so stale heap bytes in unused page space leak nothing new.
  unsigned flags = MDB_NOTLS | MDB_NOMEMINIT;
  if (!options.durable) flags |= MDB_NOSYNC;
  if ((rc = mdb_env_open(e->env_, dir.c_str(), flags, 0600)) != 0) {
    Status s = lmdbStatus(rc, "opening " + dir);
    return Status::unavailable(s.message());
  }
  int deadReaders = 0;
  mdb_reader_check(e->env_, &deadReaders);

  MDB_txn* txn = nullptr;
  if ((rc = mdb_txn_begin(e->env_, nullptr, 0, &txn)) != 0) return lmdbStatus(rc, "opening databases");
  struct DbSpec {
    const char* name;
    MDB_dbi* dbi;
    unsigned flags;
  };
  const DbSpec specs[] = {
      {"meta", &e->dbs_.meta, 0},         {"types", &e->dbs_.types, 0},
      {"current", &e->dbs_.current, 0},   {"history", &e->dbs_.history, 0},
      {"revlog", &e->dbs_.revlog, 0},     {"index", &e->dbs_.index, MDB_DUPSORT},
      {"expiry", &e->dbs_.expiry, 0},     {"counts", &e->dbs_.counts, 0},
  };
  for (const DbSpec& spec : specs) {
    if ((rc = mdb_dbi_open(txn, spec.name, spec.flags | MDB_CREATE, spec.dbi)) != 0) {
      mdb_txn_abort(txn);
      return lmdbStatus(rc, std::string("opening database ") + spec.name);
    }
  }
  MDB_val key = mdbVal(keys::kMetaFormat);
  MDB_val val;
  rc = mdb_get(txn, e->dbs_.meta, &key, &val);
  if (rc == MDB_NOTFOUND) {
    std::string v = keys::u32Bytes(keys::kFormatVersion);
    MDB_val data = mdbVal(v);
    rc = mdb_put(txn, e->dbs_.meta, &key, &data, 0);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return lmdbStatus(rc, "initialising the store");
    }
  } else if (rc != 0) {
    mdb_txn_abort(txn);
    return lmdbStatus(rc, "reading the store format");
  } else if (val.mv_size != 4 || keys::readU32(val.mv_data) != keys::kFormatVersion) {
    mdb_txn_abort(txn);
    return Status::failedPrecondition("store at " + dir +
                                      " has an unknown format; this build reads format " +
                                      std::to_string(keys::kFormatVersion));
  }
  if ((rc = mdb_txn_commit(txn)) != 0) return lmdbStatus(rc, "opening databases");
  return e;
}

Engine::~Engine() { shutdown(); }

void Engine::shutdown() {
  std::lock_guard<std::mutex> lock(slotsMutex_);
  if (closed_.exchange(true, std::memory_order_seq_cst)) return;
  // Pairs with read(): a reader publishes busy=true before it checks closed_, so after
  // closed_ is set every slot is either idle for good or finishes its read first.
  for (const std::shared_ptr<ReaderSlot>& slot : slots_) {
    while (slot->busy.load(std::memory_order_seq_cst)) std::this_thread::yield();
    if (slot->txn != nullptr) mdb_txn_abort(slot->txn);
    slot->txn = nullptr;
    slot->dead.store(true, std::memory_order_release);
  }
  slots_.clear();
  if (env_ != nullptr) {
    mdb_env_close(env_);
    env_ = nullptr;
  }
  if (lockFd_ >= 0) {
    ::close(lockFd_);
    lockFd_ = -1;
  }
}

// Null once shutdown() has started.
ReaderSlot* Engine::threadSlot() {
  std::vector<ThreadSlots::Entry>& entries = tlsSlots.entries;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].engine != this) continue;
    if (!entries[i].slot->dead.load(std::memory_order_acquire)) return entries[i].slot.get();
    // A previous engine at the same address; its slot is gone with it.
    entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(i));
    break;
  }
  std::erase_if(entries, [](const ThreadSlots::Entry& e) {
    return e.slot->dead.load(std::memory_order_acquire);
  });
  std::shared_ptr<ReaderSlot> slot;
  {
    std::lock_guard<std::mutex> lock(slotsMutex_);
    // Every slot must be in slots_ when shutdown() runs, so that it is marked dead there;
    // a slot made afterwards would outlive this engine unmarked, and a later engine at the
    // same address would take it for its own.
    if (closed_.load(std::memory_order_seq_cst)) return nullptr;
    for (const std::shared_ptr<ReaderSlot>& s : slots_) {
      bool expected = true;
      if (s->orphaned.compare_exchange_strong(expected, false, std::memory_order_acq_rel)) {
        slot = s;
        break;
      }
    }
    if (!slot) {
      slot = std::make_shared<ReaderSlot>();
      slots_.push_back(slot);
    }
  }
  entries.push_back({this, slot});
  return slot.get();
}

Result<ReadTxn> Engine::read() {
  ReaderSlot* slot = threadSlot();
  if (slot == nullptr) return Status::unavailable("the store is closed");
  if (slot->busy.load(std::memory_order_relaxed)) {
    // Nested use on this thread (the slot's own read is still open): a private transaction.
    // shutdown() still waits, because the outer read keeps the slot busy.
    MDB_txn* txn = nullptr;
    const int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    if (rc != 0) return lmdbStatus(rc, "beginning a read transaction");
    return ReadTxn(this, nullptr, txn);
  }
  slot->busy.store(true, std::memory_order_seq_cst);
  if (closed_.load(std::memory_order_seq_cst)) {
    slot->busy.store(false, std::memory_order_release);
    return Status::unavailable("the store is closed");
  }
  int rc = 0;
  if (slot->txn != nullptr) {
    rc = mdb_txn_renew(slot->txn);
    if (rc != 0) {
      mdb_txn_abort(slot->txn);
      slot->txn = nullptr;
    }
  }
  if (slot->txn == nullptr) rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &slot->txn);
  if (rc != 0) {
    slot->txn = nullptr;
    slot->busy.store(false, std::memory_order_release);
    return lmdbStatus(rc, "beginning a read transaction");
  }
  return ReadTxn(this, slot, slot->txn);
}

ReadTxn::ReadTxn(ReadTxn&& other) noexcept
    : engine_(other.engine_), slot_(other.slot_), txn_(other.txn_),
      ownScratch_(std::move(other.ownScratch_)) {
  other.slot_ = nullptr;
  other.txn_ = nullptr;
}

ReadTxn::~ReadTxn() {
  if (txn_ == nullptr) return;
  if (slot_ != nullptr) {
    mdb_txn_reset(txn_);
    slot_->busy.store(false, std::memory_order_release);
  } else {
    mdb_txn_abort(txn_);
  }
}

const Databases& ReadTxn::dbs() const { return engine_->dbs(); }

std::optional<std::uint32_t> ReadTxn::typeId(std::string_view type) {
  if (slot_ != nullptr) {
    auto it = slot_->typeIds.find(type);
    if (it != slot_->typeIds.end()) return it->second;
  }
  MDB_val key = mdbVal(type);
  MDB_val val;
  if (mdb_get(txn_, dbs().types, &key, &val) != 0 || val.mv_size != 4) return std::nullopt;
  const std::uint32_t id = keys::readU32(val.mv_data);
  if (slot_ != nullptr) slot_->typeIds.emplace(std::string(type), id);
  return id;
}

std::optional<std::string> ReadTxn::typeName(std::uint32_t id) {
  std::string k(1, '\0');
  keys::appendU32(k, id);
  MDB_val key = mdbVal(k);
  MDB_val val;
  if (mdb_get(txn_, dbs().types, &key, &val) != 0) return std::nullopt;
  return std::string(view(val));
}

std::int64_t ReadTxn::metaInt(std::string_view k) {
  MDB_val key = mdbVal(k);
  MDB_val val;
  if (mdb_get(txn_, dbs().meta, &key, &val) != 0) return 0;
  if (val.mv_size == 8) return static_cast<std::int64_t>(keys::readU64(val.mv_data));
  if (val.mv_size == 4) return keys::readU32(val.mv_data);
  return 0;
}

}  // namespace capstan::store
