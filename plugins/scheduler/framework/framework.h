#pragma once
// The scheduling framework: Kubernetes' scheduler loop over stage plugins.
//
//   informer events --inbox--> [scheduling thread] cache + queue
//                                   | pop -> PreFilter -> Filter (parallel chunks, early stop)
//                                   |     -> PostFilter on failure -> PreScore -> Score ->
//                                   |     NormalizeScore -> weights -> select host (random
//                                   |     tie-break) -> assume -> Reserve -> Permit
//                                   v
//                              [binding thread] WaitOnPermit -> PreBind -> Bind (batched,
//                                   through the API's binding subresource) -> PostBind,
//                                   events and pod conditions written in batches
//
// Every stage of a profile is pinned once per pod (scheduling + binding cycle), so a hot swap
// or reconfigure of a stage takes effect between pods, never inside one. A stage that throws
// fails that pod's attempt with an error (the pod backs off), never the scheduler.
//
// The framework is independent of the plugin host: it gets a registry (stage plugins), an
// API function (bindings, events, status) and metrics; scheduler.cpp wires it to the kernel's
// informers, and the benchmark drives it directly.

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "cache.h"
#include "capstan/host.h"
#include "capstan/registry.h"
#include "capstan/scheduler.h"
#include "parallel.h"
#include "profile.h"
#include "queue.h"

namespace capstan::sched {

class Framework final : public FrameworkHandle {
 public:
  // Sends a JSON array of API requests (the kube-api bus `batch` method), answers the array.
  using ApiBatch = std::function<Result<std::string>(const std::string& requestsJson)>;

  Framework(SchedulerArgs args, PluginRegistry& registry, ApiBatch api, Metrics* metrics,
            std::shared_ptr<spdlog::logger> logger);
  ~Framework() override;

  // Resolves the profiles and starts the scheduling and binding threads.
  Status start();
  void stop();
  // Re-resolves the profiles against the registry (after stage plugins were loaded or
  // unloaded); the next pod uses the new profiles.
  Status reloadProfiles();

  // Cluster events, from any thread (the informers' delivery thread).
  // `schedulingChanged` false: a status-only update (an unschedulable pod stays parked).
  void podUpserted(PodInfoPtr pod, bool schedulingChanged = true);
  void podDeleted(PodInfoPtr pod);
  void nodeUpserted(NodeInfo node);
  void nodeDeleted(const std::string& name);
  // Namespace labels, for namespaceSelector in pod affinity terms.
  void namespaceUpserted(const std::string& name, Labels labels);
  void namespaceDeleted(const std::string& name);

  struct Stats {
    std::uint64_t attempts = 0;       // scheduling cycles run
    std::uint64_t scheduled = 0;      // bindings that succeeded
    std::uint64_t unschedulable = 0;  // attempts that found no node
    std::uint64_t errors = 0;         // attempts or bindings that failed with an error
  };
  Stats stats() const;
  SchedulingQueue::Counts queueCounts() const { return queue_.counts(); }
  // Each profile's schedulerName and the stage plugins it runs (as last resolved).
  std::vector<std::pair<std::string, std::vector<std::string>>> profileStages();
  // Called on the binding thread after each successful binding (benchmarks, tests):
  // the pod, its node, the time from pop to assume, and when it was assumed.
  using BoundObserver = std::function<void(const PodInfo&, const std::string& node, std::chrono::nanoseconds cycle,
                                           std::chrono::steady_clock::time_point assumedAt)>;
  void setBoundObserver(BoundObserver observer) { boundObserver_ = std::move(observer); }

  // FrameworkHandle
  const std::string& profileName() const override;
  StageStatus runPreFilterRemovePod(CycleState& state, const PodInfo& pod, const PodInfo& victim,
                                    const NodeInfo& node) override;
  StageStatus runPreFilterAddPod(CycleState& state, const PodInfo& pod, const PodInfo& other,
                                 const NodeInfo& node) override;
  StageStatus runFilters(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  std::string apiBatch(const std::string& requestsJson) override;
  void allowWaitingPod(const std::string& podUid, std::string_view plugin) override;
  void rejectWaitingPod(const std::string& podUid, std::string_view plugin, const std::string& message) override;

 private:
  // One pod's pinned stages: every stage of its profile, pinned for the pod's whole cycle.
  struct Pinned {
    std::shared_ptr<const std::vector<ResolvedProfile>> profiles;  // keeps `profile` alive
    const ResolvedProfile* profile = nullptr;
    std::vector<std::shared_ptr<const void>> keep;
    std::vector<std::array<void*, kNumPoints>> ifaces;  // per stage
    template <class T>
    T* at(Point p, std::size_t stage) const {
      return static_cast<T*>(ifaces[stage][p]);
    }
  };
  struct BindTask {
    // First member, so destroyed last: the cycle state holds objects the pinned stages'
    // code created, and the last pin of a swapped-out stage unloads its library.
    std::shared_ptr<Pinned> pinned;
    QueuedPodInfo info;
    PodInfoPtr assumed;  // the pod with nodeName set
    std::string node;
    std::unique_ptr<CycleState> state;
    std::chrono::nanoseconds cycleTime{0};
    std::chrono::steady_clock::time_point assumedAt{};
    // Permit: plugins still to allow, and when the wait ends.
    std::set<std::string> waitingOn;
    std::chrono::steady_clock::time_point permitDeadline{};
    std::string rejected;  // a Permit rejection's message
  };
  struct Failure;
  struct FilterOutcome;
  // Each stage's view of one cycle's state (capstan/scheduler.h: CycleState), and its context.
  struct Views {
    CycleState* root = nullptr;
    std::vector<std::unique_ptr<CycleState>> states;
    std::vector<CycleContext> ctx;
  };
  Views makeViews(const Pinned& p, CycleState& root, const Snapshot& snapshot);
  // The profile's PreFilter extensions (addPod or removePod) on a what-if state.
  StageStatus runPreFilterExtension(CycleState& state, const PodInfo& pod, const PodInfo& other,
                                    const NodeInfo& node, bool add);
  // The cycle running on the scheduling thread (for FrameworkHandle calls from PostFilter).
  struct Current {
    Pinned* pinned = nullptr;
    const Snapshot* snapshot = nullptr;
  };
  Current current_;

  struct NamespaceEvent {
    std::string name;
    std::optional<Labels> labels;  // nullopt: deleted
  };
  struct PodEvent {
    PodInfoPtr pod;
    bool deleted = false;
    bool schedulingChanged = true;
  };
  using Event = std::variant<PodEvent, NodeInfo, std::string /*node deleted*/,
                             std::pair<std::string, bool> /*binding finished: uid, succeeded*/, NamespaceEvent>;
  void post(Event event);
  bool applyInbox();  // true when events are left for the next call
  void schedulingLoop();
  void bindingLoop();
  void scheduleOne(const QueuedPodInfo& info);
  std::shared_ptr<Pinned> pin(const std::string& schedulerName);
  StageStatus gate(const PodInfo& pod);

  // The cycle's phases.
  FilterOutcome findFeasible(Pinned& p, Views& views, const PodInfo& pod,
                             const std::vector<const NodeInfo*>& candidates, std::size_t numToFind, bool rotate);
  Result<std::string> prioritize(Pinned& p, Views& views, const PodInfo& pod,
                                 const std::vector<const NodeInfo*>& feasible);
  std::string fitErrorMessage(Pinned& p, std::size_t numAllNodes, const std::string& preFilterMsg,
                              const FilterOutcome& outcome, std::size_t absentNodes, const std::string& absentReason,
                              const std::string& postFilterMsg);
  void failed(const QueuedPodInfo& info, bool error, std::int64_t cycle, const std::string& message,
              const std::string& nominatedNode = "");
  void finishBinding(std::vector<BindTask>& tasks, std::vector<StageStatus>& results);

  // API writes (events, pod conditions), sent in batches by their own thread so bindings
  // never wait for them.
  void queueApi(std::string request);
  void apiWriterLoop();

  template <class F>
  StageStatus guarded(std::string_view what, const std::string& plugin, F&& f);
  void observe(Point point, const std::string& plugin, std::chrono::steady_clock::time_point since);

  SchedulerArgs args_;
  PluginRegistry& registry_;
  ApiBatch api_;
  Metrics* metrics_;
  std::shared_ptr<spdlog::logger> logger_;

  std::mutex profilesMutex_;
  std::shared_ptr<const std::vector<ResolvedProfile>> profiles_;

  SchedulingQueue queue_;
  Cache cache_;  // scheduling thread only
  std::unique_ptr<Parallelizer> parallel_;
  std::size_t nextStartNodeIndex_ = 0;
  std::mt19937_64 random_{std::random_device{}()};
  bool sampleMetrics_ = false;
  std::uint64_t cycles_ = 0;

  std::mutex inboxMutex_;
  std::deque<Event> inbox_;

  std::mutex bindMutex_;
  std::condition_variable bindCv_;
  std::deque<BindTask> bindQueue_;
  std::vector<BindTask> waiting_;  // held by Permit
  std::mutex apiMutex_;
  std::condition_variable apiCv_;
  std::vector<std::string> apiQueue_;
  // Pods whose PodScheduled=False message was written (to write it only when it changes).
  std::unordered_map<std::string, std::string> lastCondition_;

  std::atomic<bool> stopping_{false};
  std::thread schedulingThread_, bindingThread_, apiWriterThread_;
  std::atomic<std::uint64_t> attempts_{0}, scheduled_{0}, unschedulable_{0}, errors_{0};
  BoundObserver boundObserver_;
  std::string reportingInstance_;
};

}  // namespace capstan::sched
