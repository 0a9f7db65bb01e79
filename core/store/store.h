#pragma once
// LmdbStore: the kernel's state store on LMDB (capstan::StoreClient plus what the kernel
// and the bus need beyond it: pull cursors, compaction, backup, stats, close).
//
// What it promises, beyond the StoreClient contract in capstan/store.h:
// - One writer thread with group commit: writes that arrive while a commit is in flight
//   share the next LMDB transaction; each mutation runs in its own nested transaction, so
//   a failing one (AlreadyExists, NotFound, Conflict, TooLarge, InvalidArgument, a full
//   map -> ResourceExhausted) fails alone. Every successful mutation gets its own revision.
//   Write callbacks run on the writer thread after the commit returned (durable when
//   StoreOptions::durable, the default).
// - History (every version, deletes as tombstones carrying the last state) is kept until
//   compact(); get/list at an older revision and watches from one are served from it.
//   Anything below the compacted revision is Gone.
// - Reads run on the calling thread, concurrently with writes, on a per-thread reused
//   read transaction; they copy values out (no pointer into the map ever escapes).
// - Watch handlers and cursor notifications run on one fan-out thread, never the writer.
//
// Thread-safety: every method may be called from any thread, except that close() (and the
// destructor) must not be called from a write callback, a watch handler or onReadable.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "capstan/object.h"
#include "capstan/status.h"
#include "capstan/store.h"

namespace capstan::store {

struct StoreOptions {
  // Created when missing. Holds data.mdb, lock.mdb and capstan.lock (one store per
  // directory: a second open, in this or another process, is FailedPrecondition).
  std::string directory;
  // Address space reserved once at open and never resized (the file grows sparsely as
  // data is written). A write that does not fit fails alone with ResourceExhausted.
  std::uint64_t mapSizeBytes = 64ull << 30;
  // LMDB reader-table size: bounds the number of threads reading at the same time.
  unsigned maxReaders = 4096;
  // Encoded (envelope + body) size limit of one object version.
  std::size_t maxObjectBytes = kMaxObjectBytes;
  // Events kept in memory for watchers; a watcher further behind than this is ended.
  std::size_t watchRingCapacity = 200000;
  // fsync on every commit, so an acknowledged write survives kill -9 and power loss.
  // false (MDB_NOSYNC) is for tests and benchmarks only.
  bool durable = true;
  // How often expired objects (Mutation::ttlSeconds) are deleted.
  std::int64_t ttlSweepIntervalMs = 1000;
};

struct Stats {
  std::int64_t revision = 0;
  std::int64_t compactedRevision = 0;
  std::uint64_t bytesInUse = 0;    // pages used in the map (the file's high-water mark)
  std::uint64_t mapSizeBytes = 0;  // the reserved map size
  std::map<std::string, std::int64_t> objectCounts;  // live objects per type
  std::size_t watches = 0;         // push watches
  std::size_t cursors = 0;         // pull cursors
  std::size_t ringEvents = 0;      // events held in memory for fan-out
};

// The pull side of a watch, for consumers with their own flow control (the bus streams
// events to remote watchers only as the client's window allows).
//
// Usage: open a cursor with an `onReadable` hook; call next() until it returns fewer than
// `maxEvents` events; then wait for onReadable and repeat. onReadable is called on the
// store's fan-out thread, at most once per such wait, when events, a bookmark or the end
// are ready; it must be cheap and must not call next() itself (wake your loop instead,
// e.g. kj::Executor::executeAsync or an eventfd write). A cursor whose position falls out
// of the in-memory ring (the consumer is too slow) ends with ResourceExhausted.
class WatchCursor {
 public:
  virtual ~WatchCursor() = default;

  // Up to maxEvents events in revision order, from the cursor's position on, filtered as
  // the WatchOptions say (with the kAdded/kDeleted transitions of filtered watches, and
  // kBookmark when bookmarkIntervalMs is set). When the cursor has ended, the call that
  // first notices returns a final kError event; that call and every later one set *ended
  // to the reason (Gone, fell behind, store closed, cancelled). Otherwise *ended is OK.
  // Fewer than maxEvents events means the cursor is caught up and onReadable will fire.
  virtual std::vector<WatchEvent> next(std::size_t maxEvents, Status* ended) = 0;

  // The revision up to which every event was returned (or filtered out).
  virtual std::int64_t position() = 0;

  // After cancel() returns, onReadable is not running and will not be called again.
  // Destroying the last reference cancels.
  virtual void cancel() = 0;
};

class LmdbStore final : public StoreClient {
 public:
  static Result<std::unique_ptr<LmdbStore>> open(const StoreOptions& options);
  ~LmdbStore() override;  // close()
  LmdbStore(const LmdbStore&) = delete;
  LmdbStore& operator=(const LmdbStore&) = delete;

  // After close() has started, `done` is called at once, on the calling thread, with
  // Unavailable for every mutation.
  void write(std::vector<Mutation> batch, WriteCallback done) override;
  Result<Object> get(const std::string& type, const std::string& ns, const std::string& name,
                     std::int64_t revision = 0) override;
  Result<ListResult> list(const ListOptions& options) override;
  Result<std::unique_ptr<Watch>> watch(const WatchOptions& options, WatchHandler handler) override;
  std::int64_t currentRevision() override;
  std::int64_t compactedRevision() override;

  // A pull cursor (see WatchCursor). The same options and Gone rule as watch().
  Result<std::shared_ptr<WatchCursor>> openCursor(const WatchOptions& options,
                                                  std::function<void()> onReadable);

  // Drops history versions superseded at or below `revision` (0: the current revision),
  // tombstones at or below it and revision-log entries up to it. Reads, lists, watches
  // and continue tokens below it are Gone from the moment this is called. Runs on the
  // writer thread in short transactions between write groups, so writers are not held up;
  // returns when done. Compacting to or below the compacted revision is a no-op;
  // beyond the current revision is InvalidArgument.
  Status compact(std::int64_t revision = 0);

  // A consistent copy (one read snapshot, free pages dropped) while writes go on.
  // `path` is a directory that must not exist yet; the copy is written to
  // "<path>.partial/data.mdb", synced, and then the directory is renamed to `path`, so
  // `path` either does not exist or holds a complete store that open() accepts as
  // StoreOptions::directory.
  Status backup(const std::string& path);

  Stats stats();

  // Finishes writes in flight and every write queued before it, answers their callbacks,
  // delivers published events to watchers and ends every watch and cursor (Unavailable),
  // then closes LMDB. Reads after it are Unavailable. Idempotent.
  void close();

 private:
  class Impl;
  explicit LmdbStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace capstan::store
