#pragma once
// LmdbStore::Impl (internal to capstan-store): the state behind LmdbStore.
// Reads and the public surface are in store.cpp; the writer thread (group commit, nested
// transactions, TTL sweep, compaction) is in store_writer.cpp.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine.h"
#include "store.h"
#include "watch_hub.h"

namespace capstan::store {

struct WriteRequest {
  std::vector<Mutation> batch;
  StoreClient::WriteCallback done;
  std::vector<WriteResult> results;
  std::size_t next = 0;  // mutations before this index are applied (in a committed txn or the open one)
};

struct CompactionJob {
  std::int64_t target = 0;
  std::promise<Status> done;
};

class LmdbStore::Impl final {
 public:
  Impl(StoreOptions options, std::shared_ptr<Engine> engine);
  ~Impl();

  Status start();  // loads the persisted state, starts the fan-out and writer threads
  void close();

  // Public surface (store.cpp).
  void write(std::vector<Mutation> batch, WriteCallback done);
  Result<Object> get(const std::string& type, const std::string& ns, const std::string& name,
                     std::int64_t revision);
  Result<ListResult> list(const ListOptions& options);
  Result<std::unique_ptr<Watch>> watch(const WatchOptions& options, WatchHandler handler);
  Result<std::shared_ptr<WatchCursor>> openCursor(const WatchOptions& options,
                                                  std::function<void()> onReadable);
  Status compact(std::int64_t revision);
  Status backup(const std::string& path);
  Stats stats();
  std::int64_t currentRevision() const { return revision_.load(std::memory_order_acquire); }
  std::int64_t compactedRevision() const { return compacted_.load(std::memory_order_acquire); }

 private:
  // One write transaction being formed by the writer thread.
  struct Group {
    MDB_txn* txn = nullptr;
    std::int64_t startRevision = 0;
    std::int64_t revision = 0;  // the last revision assigned in this group
    std::shared_ptr<EventBatch> events;
    std::vector<std::pair<std::string, std::uint32_t>> newTypes;
    std::size_t bytes = 0;
  };
  // What one successful mutation did.
  struct Applied {
    WatchEvent::Kind kind = WatchEvent::Kind::kAdded;
    std::uint32_t typeId = 0;
    std::shared_ptr<const Object> object;
    std::shared_ptr<const Object> previous;
    std::optional<std::pair<std::string, std::uint32_t>> newType;
    std::size_t bytes = 0;
  };

  // Writer thread (store_writer.cpp).
  void writerLoop();
  void runGroup(std::deque<std::unique_ptr<WriteRequest>>& pending, bool& isolate);
  Status beginGroup(Group& g);
  // Applies one mutation in a nested transaction of g.txn; `retryable` is set when it
  // failed only because the outer transaction is too large (it may succeed in a new one).
  void applyMutation(Group& g, const Mutation& m, WriteResult& result, bool& retryable);
  Status applyInChild(MDB_txn* child, const Mutation& m, std::int64_t revision, Applied& a);
  Status putObject(MDB_txn* child, std::uint32_t typeId, const std::string& key, const Mutation& m,
                   std::shared_ptr<const Object> previous, std::int64_t revision, Applied& a);
  Status deleteObject(MDB_txn* child, std::uint32_t typeId, const std::string& key,
                      std::shared_ptr<const Object> previous, std::int64_t revision, Applied& a);
  Status typeIdFor(MDB_txn* child, const std::string& type, bool create, std::uint32_t& id,
                   Applied& a);
  // Commits; on success publishes the events and advances the revision. Returns the LMDB
  // error code (0 on success).
  int commitGroup(Group& g);
  void answer(WriteRequest& request);
  void sweepExpired(bool& more);
  // One bounded step of the current compaction; returns false when there is none.
  bool compactionStep();
  Status compactHistoryStep(std::int64_t target, std::string& resumeKey, bool& done);
  Status compactRevlogStep(std::int64_t target, bool& done);
  Status writeError(int rc, const std::string& object, std::size_t bytes);
  Status put(MDB_txn* txn, MDB_dbi dbi, std::string_view key, std::string_view value,
             const std::string& object, std::size_t bytes);
  Status del(MDB_txn* txn, MDB_dbi dbi, std::string_view key, const std::string& object,
             const std::string_view* value = nullptr);
  std::string newUid();

  const StoreOptions options_;
  std::shared_ptr<Engine> engine_;
  std::shared_ptr<WatchHub> hub_;

  std::atomic<std::int64_t> revision_{0};   // last committed revision
  std::atomic<std::int64_t> compacted_{0};  // reads below are Gone

  // Writer queue.
  std::mutex queueMutex_;
  std::condition_variable queueCv_;
  std::deque<std::unique_ptr<WriteRequest>> queue_;
  std::deque<std::shared_ptr<CompactionJob>> compactionJobs_;
  std::size_t queuedMutations_ = 0;  // in queue_
  bool stopping_ = false;
  std::thread writer_;
  std::thread::id writerId_;

  // Writer-thread state.
  std::int64_t writerRevision_ = 0;
  std::size_t lastGroupSize_ = 0;  // mutations in the last write transaction
  std::chrono::steady_clock::duration lastCommitTime_{};
  std::unordered_map<std::string, std::uint32_t> writerTypes_;
  AlignedBuffer writerScratch_;
  std::string key_;
  std::string key2_;
  std::mt19937_64 random_;
  int lastRc_ = 0;  // the LMDB code of the last failed put/del (MDB_TXN_FULL is retryable)
  // Compaction in progress: target, phase and resume position.
  std::vector<std::shared_ptr<CompactionJob>> activeJobs_;
  std::int64_t compactTarget_ = 0;
  int compactPhase_ = 0;  // 0 idle, 1 mark, 2 history, 3 revision log
  std::string compactResume_;

  std::mutex closeMutex_;
  bool closed_ = false;
};

}  // namespace capstan::store
