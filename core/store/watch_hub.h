#pragma once
// WatchHub: fan-out of committed changes to watchers (internal to capstan-store).
//
// The writer publishes one immutable EventBatch per committed transaction into a ring
// bounded by event count. Watchers keep only a position (a revision): push watchers get
// spans of the shared batches (no per-watcher copies when nothing is filtered out) on the
// hub's fan-out thread; pull cursors copy what they take in next(). A watcher that starts
// before the ring replays from LMDB (revision log + history) until it reaches the ring; one
// that was in the ring and falls out of it is ended. Memory is the ring plus bounded
// per-watcher scratch, however many watchers there are.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "capstan/store.h"
#include "engine.h"
#include "selector.h"
#include "store.h"

namespace capstan::store {

// The events of one committed write transaction, in revision order and gap-free:
// events[i].revision == firstRevision + i.
struct EventBatch {
  std::int64_t firstRevision = 0;
  std::vector<WatchEvent> events;
  std::vector<ObjectPtr> previous;        // the version each event replaced (null: none)
  std::vector<std::uint32_t> typeIds;     // interned type of each event
  std::uint32_t singleTypeId = 0;         // the type id of every event; 0: mixed

  std::int64_t lastRevision() const {
    return firstRevision + static_cast<std::int64_t>(events.size()) - 1;
  }
};

// What one watcher selects. Not thread-safe: used by one thread at a time.
class WatchFilter final {
 public:
  enum class Outcome : std::uint8_t { kSkip, kPass, kAsAdded, kAsDeleted };

  static Result<WatchFilter> make(const WatchOptions& options);

  // Every event of the watched type(s) passes unchanged.
  bool byTypeOnly() const { return !ns_ && !name_ && !objectFilter_; }
  // Decisions depend on the object's content, so updates need the previous version.
  bool needsPrevious() const { return objectFilter_; }
  bool allTypes() const { return type_.empty(); }
  const std::string& type() const { return type_; }
  bool typeResolved() const { return typeId_ != 0; }
  void resolveType(std::uint32_t id) { typeId_ = id; }

  // Type test; learns the type id from the first event of the type when it was unknown
  // (type ids never change once assigned).
  bool matchesType(std::uint32_t typeId, const std::string& typeName) {
    if (type_.empty()) return true;
    if (typeId_ != 0) return typeId == typeId_;
    if (typeName != type_) return false;
    typeId_ = typeId;
    return true;
  }
  // Identity test on a resolved type id (replay reads keys before values).
  bool matchesKey(std::uint32_t typeId, std::string_view ns, std::string_view name) const {
    if (!type_.empty() && typeId != typeId_) return false;
    if (ns_ && *ns_ != ns) return false;
    if (name_ && *name_ != name) return false;
    return true;
  }

  Outcome evaluate(std::uint32_t typeId, const WatchEvent& event, const Object* previous);

  // Equal keys select the same events: watchers with equal keys share one evaluation.
  const std::string& key() const { return key_; }

 private:
  bool matchesObject(const Object& o) const {
    return labels_.matches(o.labels) && indexes_.matches(o);
  }

  std::string type_;
  std::uint32_t typeId_ = 0;
  std::optional<std::string> ns_;
  std::optional<std::string> name_;
  LabelSelector labels_;
  IndexSelector indexes_;
  bool objectFilter_ = false;
  bool contradictory_ = false;
  std::string key_;
};

struct Subscriber;

class WatchHub final : public std::enable_shared_from_this<WatchHub> {
 public:
  WatchHub(std::shared_ptr<Engine> engine, std::size_t ringCapacity, std::int64_t revision);
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  void start();
  // Writer thread, after the batch's transaction committed, in revision order.
  void publish(std::shared_ptr<const EventBatch> batch);
  // Delivers every published event to live push watchers, then ends every watch and
  // cursor with Unavailable, and stops the fan-out thread. Call after the writer stopped.
  void stop();

  // `compactedRevision`: fromRevision below it is Gone.
  Result<std::unique_ptr<Watch>> watch(const WatchOptions& options, WatchHandler handler,
                                       std::int64_t compactedRevision);
  Result<std::shared_ptr<WatchCursor>> openCursor(const WatchOptions& options,
                                                  std::function<void()> onReadable,
                                                  std::int64_t compactedRevision);

  struct Counters {
    std::size_t watches = 0;
    std::size_t cursors = 0;
    std::size_t ringEvents = 0;
    std::int64_t ringBase = 0;  // the ring holds the events after this revision
  };
  Counters counters();

  // Used by the watch and cursor handles.
  void remove(const std::shared_ptr<Subscriber>& subscriber);
  void poke();
  struct Slice {
    std::vector<std::shared_ptr<const EventBatch>> batches;  // every batch after `after`
    std::int64_t base = 0;
    std::int64_t head = 0;
    bool stopping = false;
  };
  Slice slice(std::int64_t after);
  // Reads events (position, upTo] from LMDB into `out` (at most maxEvents, scanning at
  // most maxScan revisions), advancing `position`. Gone when compaction passed it.
  Status replay(WatchFilter& filter, std::int64_t& position, std::int64_t upTo,
                std::size_t maxEvents, std::vector<WatchEvent>& out);
  std::size_t ringCapacity() const { return ringCapacity_; }

 private:
  void run();
  // Returns true when a subscriber still needs replay work.
  bool servePush(const std::vector<std::shared_ptr<Subscriber>>& subs, const Slice& slice, bool stopping);
  void servePull(Subscriber& s, const Slice& slice, bool stopping);
  void deliverBatch(const std::vector<Subscriber*>& subs, const EventBatch& batch);
  bool call(Subscriber& s, std::span<const WatchEvent> events);
  void endPush(Subscriber& s, const Status& status);
  std::chrono::steady_clock::time_point nextDeadline();
  std::vector<std::shared_ptr<const EventBatch>> batchesAfterLocked(std::int64_t after);

  std::shared_ptr<Engine> engine_;
  const std::size_t ringCapacity_;

  std::mutex mutex_;  // everything below
  std::condition_variable wake_;
  std::deque<std::shared_ptr<const EventBatch>> ring_;
  std::size_t ringEvents_ = 0;
  std::int64_t ringBase_ = 0;
  std::int64_t head_ = 0;
  std::vector<std::shared_ptr<Subscriber>> push_;
  std::vector<std::shared_ptr<Subscriber>> pull_;
  bool dirty_ = false;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;

  // Fan-out thread scratch: per filter group, the outcome of each event of a batch.
  std::vector<std::vector<std::uint8_t>> outcomes_;
};

}  // namespace capstan::store
