#pragma once
// A fixed set of worker threads that run the chunks of one job together with the caller:
// the filter and score phases of a cycle (Kubernetes' parallelizer).

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace capstan::sched {

class Parallelizer {
 public:
  // `parallelism` threads in all: the caller plus parallelism-1 workers.
  explicit Parallelizer(int parallelism);
  ~Parallelizer();
  Parallelizer(const Parallelizer&) = delete;
  Parallelizer& operator=(const Parallelizer&) = delete;

  int parallelism() const { return static_cast<int>(workers_.size()) + 1; }
  // Runs fn(i) for every i in [0, n); returns when all calls returned. One job at a time.
  void run(std::size_t n, const std::function<void(std::size_t)>& fn);

 private:
  void work();
  void drain();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable start_, finished_;
  bool stopping_ = false;
  std::uint64_t generation_ = 0;
  const std::function<void(std::size_t)>* fn_ = nullptr;
  std::size_t n_ = 0;
  std::atomic<std::size_t> next_{0};
  std::size_t active_ = 0;
};

}  // namespace capstan::sched
