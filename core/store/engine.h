#pragma once
// Engine: the LMDB environment, its databases and the read-transaction machinery
// (internal to capstan-store; LmdbStore, the writer and the watch hub share one Engine).
//
// Reads reuse one MDB_RDONLY transaction per (thread, engine): mdb_txn_renew() at the start
// of a read, mdb_txn_reset() at the end. That keeps a point read free of reader-table
// locking and allocation. MDB_NOTLS ties a read transaction to its handle rather than to a
// thread, which lets shutdown() abort every thread's cached transaction from one thread
// once no read is in flight.

#include <lmdb.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/status.h"
#include "codec.h"

namespace capstan::store {

struct EngineOptions {
  std::string directory;
  std::uint64_t mapSizeBytes = 0;
  unsigned maxReaders = 0;
  bool durable = true;
};

struct Databases {
  MDB_dbi meta = 0;
  MDB_dbi types = 0;
  MDB_dbi current = 0;
  MDB_dbi history = 0;
  MDB_dbi revlog = 0;
  MDB_dbi index = 0;
  MDB_dbi expiry = 0;
  MDB_dbi counts = 0;
};

// "lmdb: MDB_MAP_FULL: Environment mapsize limit reached (while writing x)".
Status lmdbStatus(int rc, std::string_view what);

inline MDB_val mdbVal(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view view(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

class Engine;

// One cached read transaction and its scratch memory; owned by the engine's registry and
// referenced by the thread that uses it.
struct ReaderSlot {
  std::atomic<bool> busy{false};      // a read is in flight on this slot
  std::atomic<bool> orphaned{false};  // its thread exited; another thread may adopt it
  std::atomic<bool> dead{false};      // the engine shut down; the slot must not be used
  MDB_txn* txn = nullptr;
  AlignedBuffer scratch;
  // Type ids never change once assigned, so each slot caches the ones it has looked up.
  std::map<std::string, std::uint32_t, std::less<>> typeIds;
};

// A read transaction for the duration of one store call. Never hand out pointers into it.
class ReadTxn final {
 public:
  ReadTxn(ReadTxn&& other) noexcept;
  ReadTxn& operator=(ReadTxn&&) = delete;
  ReadTxn(const ReadTxn&) = delete;
  ~ReadTxn();

  MDB_txn* txn() const { return txn_; }
  const Databases& dbs() const;
  AlignedBuffer& scratch() { return slot_ != nullptr ? slot_->scratch : ownScratch_; }

  // The interned id of `type` as of this snapshot, or nullopt when it was never written.
  std::optional<std::uint32_t> typeId(std::string_view type);
  // The type string of an id (nullopt for an unknown id).
  std::optional<std::string> typeName(std::uint32_t id);
  // meta integers as of this snapshot (0 when absent).
  std::int64_t metaInt(std::string_view key);

 private:
  friend class Engine;
  ReadTxn(const Engine* engine, ReaderSlot* slot, MDB_txn* txn)
      : engine_(engine), slot_(slot), txn_(txn) {}

  const Engine* engine_ = nullptr;
  ReaderSlot* slot_ = nullptr;  // null: a private transaction (nested use on one thread)
  MDB_txn* txn_ = nullptr;
  AlignedBuffer ownScratch_;
};

class Engine final {
 public:
  static Result<std::shared_ptr<Engine>> open(const EngineOptions& options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  MDB_env* env() const { return env_; }
  const Databases& dbs() const { return dbs_; }
  const EngineOptions& options() const { return options_; }

  // Unavailable once shutdown() started.
  Result<ReadTxn> read();

  // Waits for in-flight reads, aborts every cached read transaction and closes the
  // environment. Idempotent. Reads after it fail with Unavailable.
  void shutdown();
  bool isShutdown() const { return closed_.load(std::memory_order_acquire); }

 private:
  Engine() = default;
  ReaderSlot* threadSlot();

  EngineOptions options_;
  MDB_env* env_ = nullptr;
  Databases dbs_;
  int lockFd_ = -1;  // flock on <dir>/capstan.lock: one open store per directory

  std::atomic<bool> closed_{false};
  std::mutex slotsMutex_;
  std::vector<std::shared_ptr<ReaderSlot>> slots_;
};

}  // namespace capstan::store
