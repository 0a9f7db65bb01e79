#pragma once
// The scheduling queue, as Kubernetes' PriorityQueue: activeQ (ordered by the profile's
// QueueSort plugin: priority, then age), backoffQ (pods that failed, waiting out an
// exponential backoff: initial 1 s, doubling per attempt, at most 10 s), unschedulable pods
// (waiting for a cluster event that could make them schedulable, or at most 5 minutes) and
// gated pods (rejected by a PreEnqueue plugin, waiting for the pod to change).
//
// Thread-safety: every method may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "capstan/scheduler.h"

namespace capstan::sched {

class SchedulingQueue {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    Clock::duration initialBackoff = std::chrono::seconds(1);
    Clock::duration maxBackoff = std::chrono::seconds(10);
    Clock::duration maxInUnschedulable = std::chrono::minutes(5);
  };
  // The PreEnqueue plugins: success lets the pod into activeQ.
  using Gate = std::function<StageStatus(const PodInfo&)>;
  // QueueSort: true when a goes first.
  using Less = std::function<bool(const QueuedPodInfo&, const QueuedPodInfo&)>;

  explicit SchedulingQueue(Options options) : options_(options) {}

  // A pending pod appeared or changed (an update may ungate it or make it schedulable).
  void add(PodInfoPtr pod, const Gate& gate);
  // `schedulingChanged` false (a status-only update): an unschedulable pod stays parked.
  void update(PodInfoPtr pod, const Gate& gate, bool schedulingChanged = true);
  // The pod was deleted, bound elsewhere, or left this scheduler.
  void remove(const std::string& uid);

  // Next pod to schedule: blocks up to `wait`. `less` orders activeQ; `lessId` names the
  // comparator (when it changes, activeQ is re-heaped).
  std::optional<QueuedPodInfo> pop(Clock::duration wait, const Less& less, const void* lessId);

  // A popped pod's attempt failed. Unschedulable pods wait for a cluster event unless one
  // came while they were being scheduled; errors always back off.
  void requeue(const QueuedPodInfo& info, bool error, std::int64_t podCycle);
  // A popped pod is done (bound, or handed to binding).
  void done(const std::string& uid);

  // A cluster event (node added or changed, a pod deleted) that may make unschedulable
  // pods schedulable: they move to activeQ, or to backoffQ while backing off.
  void moveAllToActiveOrBackoff();

  std::int64_t schedulingCycle() const;
  struct Counts {
    std::size_t active = 0, backoff = 0, unschedulable = 0, gated = 0, inFlight = 0;
  };
  Counts counts() const;
  // Makes a blocked pop() return nullopt now (new cluster events to apply first).
  void interrupt();
  // Wakes pop() callers and makes them return nullopt from now on.
  void close();

 private:
  enum class Where : std::uint8_t { kActive, kBackoff, kUnschedulable, kGated, kInFlight };
  struct Entry {
    QueuedPodInfo info;
    Where where = Where::kActive;
    Clock::time_point backoffUntil{};
    Clock::time_point unschedulableSince{};
    std::string gateMessage;
  };
  using EntryPtr = std::shared_ptr<Entry>;

  Clock::duration backoffFor(const Entry& e) const;
  void toActiveLocked(const EntryPtr& e);
  void toActiveOrBackoffLocked(const EntryPtr& e, Clock::time_point now);
  void flushLocked(Clock::time_point now);

  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool closed_ = false;
  bool interrupted_ = false;
  std::unordered_map<std::string, EntryPtr> entries_;
  std::vector<EntryPtr> incoming_;  // entered activeQ since the last pop (not yet in the heap)
  std::vector<EntryPtr> heap_;      // activeQ; stale entries (moved away) are skipped on pop
  const void* heapLess_ = nullptr;
  std::multimap<Clock::time_point, EntryPtr> backoff_;
  std::int64_t cycle_ = 0;
  std::int64_t moveRequestCycle_ = -1;
  Clock::time_point lastUnschedulableFlush_{};
};

std::int64_t unixNanos();

}  // namespace capstan::sched
