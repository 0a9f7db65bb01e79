#include "parallel.h"

namespace capstan::sched {

Parallelizer::Parallelizer(int parallelism) {
  for (int i = 1; i < parallelism; ++i) workers_.emplace_back([this] { work(); });
}

Parallelizer::~Parallelizer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  start_.notify_all();
  for (auto& t : workers_) t.join();
}

void Parallelizer::drain() {
  for (std::size_t i = next_.fetch_add(1); i < n_; i = next_.fetch_add(1)) (*fn_)(i);
}

void Parallelizer::run(std::size_t n, const std::function<void(std::size_t)>& fn) {
  if (n == 0) return;
  if (workers_.empty() || n == 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    fn_ = &fn;
    n_ = n;
    next_.store(0);
    active_ = workers_.size();
    ++generation_;
  }
  start_.notify_all();
  drain();
  std::unique_lock lock(mutex_);
  finished_.wait(lock, [&] { return active_ == 0; });
  fn_ = nullptr;
}

void Parallelizer::work() {
  std::uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      start_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    drain();
    std::lock_guard lock(mutex_);
    if (--active_ == 0) finished_.notify_one();
  }
}

}  // namespace capstan::sched
