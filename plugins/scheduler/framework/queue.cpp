#include "queue.h"

#include <algorithm>

namespace capstan::sched {

std::int64_t unixNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SchedulingQueue::Clock::duration SchedulingQueue::backoffFor(const Entry& e) const {
  Clock::duration d = options_.initialBackoff;
  for (int i = 1; i < e.info.attempts && d < options_.maxBackoff; ++i) d *= 2;
  return std::min(d, options_.maxBackoff);
}

void SchedulingQueue::toActiveLocked(const EntryPtr& e) {
  e->where = Where::kActive;
  e->info.timestamp = unixNanos();
  incoming_.push_back(e);
  cv_.notify_one();
}

void SchedulingQueue::toActiveOrBackoffLocked(const EntryPtr& e, Clock::time_point now) {
  if (e->info.attempts > 0 && e->backoffUntil > now) {
    e->where = Where::kBackoff;
    backoff_.emplace(e->backoffUntil, e);
    cv_.notify_one();
  } else {
    toActiveLocked(e);
  }
}

void SchedulingQueue::add(PodInfoPtr pod, const Gate& gate) {
  std::lock_guard lock(mutex_);
  if (entries_.count(pod->uid)) return;
  auto e = std::make_shared<Entry>();
  e->info.pod = std::move(pod);
  e->info.timestamp = unixNanos();
  entries_.emplace(e->info.pod->uid, e);
  StageStatus s = gate ? gate(*e->info.pod) : StageStatus{};
  if (!s.ok()) {
    e->where = Where::kGated;
    e->gateMessage = s.message;
    return;
  }
  toActiveLocked(e);
}

void SchedulingQueue::update(PodInfoPtr pod, const Gate& gate, bool schedulingChanged) {
  std::unique_lock lock(mutex_);
  auto it = entries_.find(pod->uid);
  if (it == entries_.end()) {
    lock.unlock();
    add(std::move(pod), gate);
    return;
  }
  EntryPtr e = it->second;
  e->info.pod = std::move(pod);
  switch (e->where) {
    case Where::kGated: {
      StageStatus s = gate ? gate(*e->info.pod) : StageStatus{};
      if (s.ok())
        toActiveLocked(e);
      else
        e->gateMessage = s.message;
      break;
    }
    case Where::kUnschedulable:
      // The pod itself changed: it may fit now (Kubernetes moves it on any change but status).
      if (schedulingChanged) toActiveOrBackoffLocked(e, Clock::now());
      break;
    default:
      break;  // active/backoff/in flight keep their place with the new version
  }
}

void SchedulingQueue::remove(const std::string& uid) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(uid);
  if (it == entries_.end()) return;
  it->second->where = Where::kInFlight;  // stale in heap/backoff: skipped
  entries_.erase(it);
}

void SchedulingQueue::flushLocked(Clock::time_point now) {
  while (!backoff_.empty() && backoff_.begin()->first <= now) {
    EntryPtr e = backoff_.begin()->second;
    backoff_.erase(backoff_.begin());
    if (e->where == Where::kBackoff && entries_.count(e->info.pod->uid)) toActiveLocked(e);
  }
  if (now - lastUnschedulableFlush_ >= std::chrono::seconds(30)) {
    lastUnschedulableFlush_ = now;
    for (auto& [uid, e] : entries_)
      if (e->where == Where::kUnschedulable && now - e->unschedulableSince >= options_.maxInUnschedulable)
        toActiveOrBackoffLocked(e, now);
  }
}

std::optional<QueuedPodInfo> SchedulingQueue::pop(Clock::duration wait, const Less& less, const void* lessId) {
  std::unique_lock lock(mutex_);
  Clock::time_point deadline = Clock::now() + wait;
  auto cmp = [&](const EntryPtr& a, const EntryPtr& b) { return less(b->info, a->info); };  // max-heap of "first"
  for (;;) {
    if (closed_) return std::nullopt;
    Clock::time_point now = Clock::now();
    flushLocked(now);
    if (lessId != heapLess_) {
      std::erase_if(heap_, [](const EntryPtr& e) { return e->where != Where::kActive; });
      std::make_heap(heap_.begin(), heap_.end(), cmp);
      heapLess_ = lessId;
    }
    for (auto& e : incoming_) {
      heap_.push_back(std::move(e));
      std::push_heap(heap_.begin(), heap_.end(), cmp);
    }
    incoming_.clear();
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), cmp);
      EntryPtr e = std::move(heap_.back());
      heap_.pop_back();
      if (e->where != Where::kActive || !entries_.count(e->info.pod->uid)) continue;  // stale
      auto live = entries_.find(e->info.pod->uid);
      if (live->second != e) continue;
      e->where = Where::kInFlight;
      ++e->info.attempts;
      if (e->info.initialAttempt == 0) e->info.initialAttempt = unixNanos();
      ++cycle_;
      return e->info;
    }
    if (interrupted_ || now >= deadline) {
      interrupted_ = false;
      return std::nullopt;
    }
    Clock::time_point until = deadline;
    if (!backoff_.empty()) until = std::min(until, backoff_.begin()->first);
    cv_.wait_until(lock, until);
  }
}

void SchedulingQueue::requeue(const QueuedPodInfo& info, bool error, std::int64_t podCycle) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(info.pod->uid);
  if (it == entries_.end()) return;  // deleted meanwhile
  EntryPtr e = it->second;
  e->info.attempts = info.attempts;
  e->info.initialAttempt = info.initialAttempt;
  Clock::time_point now = Clock::now();
  e->backoffUntil = now + backoffFor(*e);
  if (error || moveRequestCycle_ >= podCycle) {
    e->where = Where::kBackoff;
    backoff_.emplace(e->backoffUntil, e);
    cv_.notify_one();
  } else {
    e->where = Where::kUnschedulable;
    e->unschedulableSince = now;
  }
}

void SchedulingQueue::done(const std::string& uid) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(uid);
  if (it == entries_.end()) return;
  it->second->where = Where::kInFlight;
  entries_.erase(it);
}

void SchedulingQueue::moveAllToActiveOrBackoff() {
  std::lock_guard lock(mutex_);
  moveRequestCycle_ = cycle_;
  Clock::time_point now = Clock::now();
  for (auto& [uid, e] : entries_)
    if (e->where == Where::kUnschedulable) toActiveOrBackoffLocked(e, now);
}

std::int64_t SchedulingQueue::schedulingCycle() const {
  std::lock_guard lock(mutex_);
  return cycle_;
}

SchedulingQueue::Counts SchedulingQueue::counts() const {
  std::lock_guard lock(mutex_);
  Counts c;
  for (const auto& [uid, e] : entries_) {
    switch (e->where) {
      case Where::kActive: ++c.active; break;
      case Where::kBackoff: ++c.backoff; break;
      case Where::kUnschedulable: ++c.unschedulable; break;
      case Where::kGated: ++c.gated; break;
      case Where::kInFlight: ++c.inFlight; break;
    }
  }
  return c;
}

void SchedulingQueue::interrupt() {
  std::lock_guard lock(mutex_);
  interrupted_ = true;
  cv_.notify_all();
}

void SchedulingQueue::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  cv_.notify_all();
}

}  // namespace capstan::sched
