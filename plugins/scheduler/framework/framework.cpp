#include "framework.h"

#include <algorithm>
#include <map>
#include <unistd.h>

#include "capstan/json.h"

namespace capstan::sched {

namespace {

using SteadyClock = std::chrono::steady_clock;
// Nodes to check (or score) before the work is split across the filter/score workers.
constexpr std::size_t kParallelThreshold = 2048;

std::string rfc3339Now() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool terminal(const PodInfo& pod) { return pod.phase == "Succeeded" || pod.phase == "Failed"; }

std::string quoteList(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? " " : "") + names[i];
  return out + "]";
}

}  // namespace

struct Framework::Failure {
  const NodeInfo* node = nullptr;
  std::uint32_t stage = 0;
  NodeVerdict verdict;
};

struct Framework::FilterOutcome {
  std::vector<const NodeInfo*> feasible;
  std::vector<Failure> failures;
  std::size_t processed = 0;
  std::string error;  // a Filter plugin failed with an error (or threw)
};

Framework::Framework(SchedulerArgs args, PluginRegistry& registry, ApiBatch api, Metrics* metrics,
                     std::shared_ptr<spdlog::logger> logger)
    : args_(std::move(args)),
      registry_(registry),
      api_(std::move(api)),
      metrics_(metrics),
      logger_(std::move(logger)),
      queue_(SchedulingQueue::Options{
          std::chrono::duration_cast<SchedulingQueue::Clock::duration>(
              std::chrono::duration<double>(args_.podInitialBackoffSeconds)),
          std::chrono::duration_cast<SchedulingQueue::Clock::duration>(
              std::chrono::duration<double>(args_.podMaxBackoffSeconds)),
          std::chrono::minutes(5)}) {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  reportingInstance_ = std::string("default-scheduler-") + host;
}

Framework::~Framework() { stop(); }

Status Framework::reloadProfiles() {
  auto resolved = resolveProfiles(args_, registry_);
  if (!resolved.ok()) return resolved.status();
  auto next = std::make_shared<const std::vector<ResolvedProfile>>(std::move(*resolved));
  std::lock_guard lock(profilesMutex_);
  profiles_ = std::move(next);
  return {};
}

Status Framework::start() {
  if (Status s = reloadProfiles(); !s.ok()) return s;
  parallel_ = std::make_unique<Parallelizer>(args_.parallelism);
  stopping_ = false;
  schedulingThread_ = std::thread([this] { schedulingLoop(); });
  bindingThread_ = std::thread([this] { bindingLoop(); });
  apiWriterThread_ = std::thread([this] { apiWriterLoop(); });
  return {};
}

void Framework::stop() {
  if (stopping_.exchange(true)) return;
  queue_.close();
  bindCv_.notify_all();
  if (schedulingThread_.joinable()) schedulingThread_.join();
  if (bindingThread_.joinable()) bindingThread_.join();
  apiCv_.notify_all();
  if (apiWriterThread_.joinable()) apiWriterThread_.join();
  parallel_.reset();
}

std::vector<std::pair<std::string, std::vector<std::string>>> Framework::profileStages() {
  std::shared_ptr<const std::vector<ResolvedProfile>> profiles;
  {
    std::lock_guard lock(profilesMutex_);
    profiles = profiles_;
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  if (!profiles) return out;
  for (const auto& p : *profiles) {
    std::vector<std::string> names;
    for (const auto& stage : p.stages) names.push_back(stage.name);
    out.emplace_back(p.schedulerName, std::move(names));
  }
  return out;
}

Framework::Stats Framework::stats() const {
  return {attempts_.load(), scheduled_.load(), unschedulable_.load(), errors_.load()};
}

// ---- events ------------------------------------------------------------------------

void Framework::post(Event event) {
  {
    std::lock_guard lock(inboxMutex_);
    inbox_.push_back(std::move(event));
  }
  queue_.interrupt();
}

void Framework::podUpserted(PodInfoPtr pod, bool schedulingChanged) {
  post(PodEvent{std::move(pod), false, schedulingChanged});
}
void Framework::podDeleted(PodInfoPtr pod) { post(PodEvent{std::move(pod), true, true}); }
void Framework::nodeUpserted(NodeInfo node) { post(std::move(node)); }
void Framework::nodeDeleted(const std::string& name) { post(name); }
void Framework::namespaceUpserted(const std::string& name, Labels labels) {
  post(NamespaceEvent{name, std::move(labels)});
}
void Framework::namespaceDeleted(const std::string& name) { post(NamespaceEvent{name, std::nullopt}); }

bool Framework::applyInbox() {
  // A bounded slice per call, so a flood of events (a list of 100k pods) interleaves with
  // scheduling instead of stalling it.
  constexpr std::size_t kSlice = 1024;
  std::vector<Event> events;
  bool more = false;
  {
    std::lock_guard lock(inboxMutex_);
    std::size_t n = std::min(inbox_.size(), kSlice);
    events.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      events.push_back(std::move(inbox_.front()));
      inbox_.pop_front();
    }
    more = !inbox_.empty();
  }
  bool move = false;
  for (auto& event : events) {
    if (auto* podEvent = std::get_if<PodEvent>(&event)) {
      PodInfoPtr& pod = podEvent->pod;
      if (podEvent->deleted) {
        queue_.remove(pod->uid);
        if (cache_.nodeOf(pod->uid)) {
          cache_.removePod(pod->uid);
          move = true;  // its resources are free
        }
        std::lock_guard lock(bindMutex_);
        lastCondition_.erase(pod->uid);
      } else if (!pod->nodeName.empty()) {
        queue_.remove(pod->uid);
        if (terminal(*pod)) {
          if (cache_.nodeOf(pod->uid)) {
            cache_.removePod(pod->uid);
            move = true;
          }
        } else {
          cache_.upsertBoundPod(pod);
        }
      } else if (cache_.isAssumed(pod->uid)) {
        // Our binding is in flight; this is the pod's older, unbound version.
      } else if (!pod->terminating && !terminal(*pod)) {
        std::shared_ptr<const std::vector<ResolvedProfile>> profiles;
        {
          std::lock_guard lock(profilesMutex_);
          profiles = profiles_;
        }
        bool ours = profiles && std::any_of(profiles->begin(), profiles->end(), [&](const ResolvedProfile& p) {
                      return p.schedulerName == pod->schedulerName;
                    });
        if (ours)
          queue_.update(pod, [this](const PodInfo& p) { return gate(p); }, podEvent->schedulingChanged);
        else
          queue_.remove(pod->uid);
      } else {
        queue_.remove(pod->uid);
      }
    } else if (auto* node = std::get_if<NodeInfo>(&event)) {
      cache_.upsertNode(std::move(*node));
      move = true;
    } else if (auto* gone = std::get_if<std::string>(&event)) {
      cache_.removeNode(*gone);
    } else if (auto* ns = std::get_if<NamespaceEvent>(&event)) {
      cache_.setNamespace(ns->name, std::move(ns->labels));
      if (ns->labels) move = true;  // a namespaceSelector may match now
    } else if (auto* finished = std::get_if<std::pair<std::string, bool>>(&event)) {
      if (!finished->second) {
        cache_.forget(finished->first);
        move = true;
      }
    }
  }
  if (move) queue_.moveAllToActiveOrBackoff();
  return more;
}

// ---- pinning -------------------------------------------------------------------------

std::shared_ptr<Framework::Pinned> Framework::pin(const std::string& schedulerName) {
  auto p = std::make_shared<Pinned>();
  {
    std::lock_guard lock(profilesMutex_);
    p->profiles = profiles_;
  }
  if (!p->profiles) return nullptr;
  for (const auto& profile : *p->profiles)
    if (profile.schedulerName == schedulerName) p->profile = &profile;
  if (!p->profile) return nullptr;
  std::size_t n = p->profile->stages.size();
  p->keep.resize(n);
  p->ifaces.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    p->ifaces[i].fill(nullptr);
    p->profile->stages[i].slot->pinMany(kPointKinds, p->ifaces[i], p->keep[i]);
  }
  return p;
}

StageStatus Framework::gate(const PodInfo& pod) {
  // Runs for every pending pod event: pin just the PreEnqueue stages, not the whole profile.
  std::shared_ptr<const std::vector<ResolvedProfile>> profiles;
  {
    std::lock_guard lock(profilesMutex_);
    profiles = profiles_;
  }
  if (!profiles) return {};
  for (const auto& profile : *profiles) {
    if (profile.schedulerName != pod.schedulerName) continue;
    for (const auto& use : profile.points[kPreEnqueue]) {
      std::shared_ptr<const void> keep;
      auto* plugin = static_cast<PreEnqueuePlugin*>(
          profile.stages[use.stage].slot->pin(PreEnqueuePlugin::kKind, keep));
      if (!plugin) continue;
      StageStatus s = guarded("PreEnqueue", profile.stages[use.stage].name, [&] { return plugin->preEnqueue(pod); });
      if (!s.ok()) return s;
    }
  }
  return {};
}

template <class F>
StageStatus Framework::guarded(std::string_view what, const std::string& plugin, F&& f) {
  try {
    return f();
  } catch (const std::exception& e) {
    if (metrics_) metrics_->add("scheduler_plugin_errors_total{plugin=\"" + plugin + "\"}");
    return StageStatus::error("running " + std::string(what) + " plugin \"" + plugin + "\": it threw: " + e.what());
  } catch (...) {
    if (metrics_) metrics_->add("scheduler_plugin_errors_total{plugin=\"" + plugin + "\"}");
    return StageStatus::error("running " + std::string(what) + " plugin \"" + plugin + "\": it threw");
  }
}

void Framework::observe(Point point, const std::string& plugin, SteadyClock::time_point since) {
  if (!metrics_ || !sampleMetrics_) return;
  metrics_->observe("scheduler_plugin_execution_duration_seconds{extension_point=\"" + std::string(kPointNames[point]) +
                        "\",plugin=\"" + plugin + "\"}",
                    std::chrono::duration<double>(SteadyClock::now() - since).count());
}

// ---- the scheduling thread -----------------------------------------------------------

void Framework::schedulingLoop() {
  auto lastReload = SteadyClock::now();
  std::string lastReloadError;
  while (!stopping_) {
    bool moreEvents = applyInbox();
    if (SteadyClock::now() - lastReload > std::chrono::seconds(1)) {
      // Stage plugins loaded or unloaded by a config reload join or leave the profiles here.
      lastReload = SteadyClock::now();
      Status s = reloadProfiles();
      if (!s.ok() && s.message() != lastReloadError) logger_->error("scheduler profiles: {}", s.message());
      lastReloadError = s.ok() ? "" : s.message();
    }
    // QueueSort: the first profile's (Kubernetes requires all profiles to agree).
    std::shared_ptr<const std::vector<ResolvedProfile>> profiles;
    {
      std::lock_guard lock(profilesMutex_);
      profiles = profiles_;
    }
    QueueSortPlugin* sort = nullptr;
    std::shared_ptr<const void> keep;
    if (profiles && !profiles->empty() && !profiles->front().points[kQueueSort].empty()) {
      const auto& profile = profiles->front();
      sort = static_cast<QueueSortPlugin*>(
          profile.stages[profile.points[kQueueSort][0].stage].slot->pin(QueueSortPlugin::kKind, keep));
    }
    // A QueueSort plugin that throws is treated as absent for that comparison (priority, then
    // age): a plugin bug must not unwind through the queue into the scheduling thread.
    auto less = [sort](const QueuedPodInfo& a, const QueuedPodInfo& b) {
      if (sort) {
        try {
          return sort->less(a, b);
        } catch (...) {
        }
      }
      if (a.pod->priority != b.pod->priority) return a.pod->priority > b.pod->priority;
      return a.timestamp < b.timestamp;
    };
    auto info = queue_.pop(moreEvents ? std::chrono::milliseconds(0) : std::chrono::milliseconds(200), less, sort);
    keep.reset();
    if (!info) continue;
    scheduleOne(*info);
  }
}

void Framework::scheduleOne(const QueuedPodInfo& info) {
  auto started = SteadyClock::now();
  ++attempts_;
  ++cycles_;
  sampleMetrics_ = metrics_ && cycles_ % 10 == 0;  // Kubernetes samples plugin metrics at 10%
  const PodInfo& pod = *info.pod;
  const std::int64_t podCycle = queue_.schedulingCycle();
  std::shared_ptr<Pinned> p = pin(pod.schedulerName);
  if (!p) {
    queue_.done(pod.uid);  // its profile is gone: not ours any more
    return;
  }
  for (std::size_t i = 0; i < p->keep.size(); ++i)
    if (!p->keep[i]) {
      failed(info, true, podCycle, "scheduler plugin \"" + p->profile->stages[i].name + "\" is not loaded");
      return;
    }

  auto state = std::make_unique<CycleState>();
  const Snapshot& snapshot = cache_.snapshot();
  Views views = makeViews(*p, *state, snapshot);
  current_ = {p.get(), &snapshot};
  struct Reset {
    Current& c;
    ~Reset() { c = {}; }
  } reset{current_};

  if (snapshot.nodes.empty()) {
    failed(info, false, podCycle, "no nodes available to schedule pods");
    return;
  }

  // PreFilter.
  std::optional<std::vector<std::string>> allowed;
  std::vector<std::string> narrowedBy;
  std::string preFilterMsg;
  Code preFilterCode = Code::kUnschedulableAndUnresolvable;
  for (const auto& use : p->profile->points[kPreFilter]) {
    auto* plugin = p->at<PreFilterPlugin>(kPreFilter, use.stage);
    if (!plugin) continue;
    const std::string& name = p->profile->stages[use.stage].name;
    PreFilterResult result;
    auto t0 = SteadyClock::now();
    StageStatus s = guarded("PreFilter", name, [&] {
      result = plugin->preFilter(views.ctx[use.stage], pod);
      return result.status;
    });
    observe(kPreFilter, name, t0);
    if (s.code == Code::kSkip) {
      state->skipFilter().push_back(name);
      continue;
    }
    if (s.code == Code::kError) {
      failed(info, true, podCycle, s.message);
      return;
    }
    if (isRejection(s.code)) {
      preFilterMsg = s.message;
      preFilterCode = s.code;
      break;
    }
    if (result.nodeNames) {
      narrowedBy.push_back(name);
      std::vector<std::string> names = *result.nodeNames;
      std::sort(names.begin(), names.end());
      if (!allowed) {
        allowed = std::move(names);
      } else {
        std::vector<std::string> both;
        std::set_intersection(allowed->begin(), allowed->end(), names.begin(), names.end(), std::back_inserter(both));
        allowed = std::move(both);
      }
    }
  }

  FilterOutcome outcome;
  const std::size_t numAllNodes = snapshot.nodes.size();
  std::size_t absentNodes = 0;
  if (preFilterMsg.empty()) {
    std::vector<const NodeInfo*> candidates;
    const std::vector<const NodeInfo*>* all = &snapshot.nodes;
    if (allowed) {
      for (const auto& name : *allowed)
        if (const NodeInfo* n = snapshot.node(name)) candidates.push_back(n);
      absentNodes = numAllNodes - candidates.size();
      all = &candidates;
    }
    // A nominated node (from an earlier preemption) is tried first, alone.
    if (!pod.nominatedNodeName.empty()) {
      if (const NodeInfo* n = snapshot.node(pod.nominatedNodeName);
          n && std::find(all->begin(), all->end(), n) != all->end()) {
        FilterOutcome nominated = findFeasible(*p, views, pod, {n}, 1, false);
        if (nominated.error.empty() && !nominated.feasible.empty()) outcome = std::move(nominated);
      }
    }
    if (outcome.feasible.empty()) {
      std::int32_t pct = p->profile->percentageOfNodesToScore.value_or(args_.percentageOfNodesToScore);
      outcome = findFeasible(*p, views, pod, *all, numFeasibleNodesToFind(pct, all->size()), !allowed);
    }
    if (!outcome.error.empty()) {
      failed(info, true, podCycle, outcome.error);
      return;
    }
  }

  if (outcome.feasible.empty()) {
    // PostFilter (preemption) gets every node's rejection.
    std::string postFilterMsg, nominated;
    if (!p->profile->points[kPostFilter].empty()) {
      std::vector<NodeRejection> rejections;
      if (preFilterMsg.empty()) {
        for (const auto& f : outcome.failures) {
          auto* plugin = p->at<FilterPlugin>(kFilter, f.stage);
          rejections.push_back({f.node, f.verdict.code, plugin->reasons(f.verdict.reason)});
        }
      } else {
        for (const NodeInfo* n : snapshot.nodes)
          rejections.push_back({n, preFilterCode, {preFilterMsg}});
      }
      for (const auto& use : p->profile->points[kPostFilter]) {
        auto* plugin = p->at<PostFilterPlugin>(kPostFilter, use.stage);
        if (!plugin) continue;
        const std::string& name = p->profile->stages[use.stage].name;
        PostFilterResult result;
        StageStatus s = guarded("PostFilter", name, [&] {
          result = plugin->postFilter(views.ctx[use.stage], pod, rejections);
          return result.status;
        });
        if (!s.message.empty()) postFilterMsg = s.message;
        if (s.ok()) {
          nominated = result.nominatedNodeName;
          break;
        }
        if (s.code == Code::kError) break;
      }
    }
    std::string message = fitErrorMessage(*p, numAllNodes, preFilterMsg, outcome, absentNodes,
                                          "node(s) didn't satisfy plugin(s) " + quoteList(narrowedBy), postFilterMsg);
    failed(info, false, podCycle, message, nominated);
    return;
  }

  // Score and pick.
  std::string node;
  if (outcome.feasible.size() == 1) {
    node = outcome.feasible.front()->name;
  } else {
    auto picked = prioritize(*p, views, pod, outcome.feasible);
    if (!picked.ok()) {
      failed(info, true, podCycle, picked.status().message());
      return;
    }
    node = std::move(*picked);
  }

  // Assume: the next cycle already sees the pod on its node.
  auto assumed = std::make_shared<PodInfo>(pod);
  assumed->nodeName = node;
  cache_.assume(assumed);

  auto unreserve = [&](std::size_t upTo) {
    const auto& reserves = p->profile->points[kReserve];
    for (std::size_t i = upTo; i-- > 0;) {
      auto* plugin = p->at<ReservePlugin>(kReserve, reserves[i].stage);
      if (!plugin) continue;
      const std::string& name = p->profile->stages[reserves[i].stage].name;
      guarded("Unreserve", name, [&] {
        plugin->unreserve(views.ctx[reserves[i].stage], pod, node);
        return StageStatus{};
      });
    }
  };
  const auto& reserves = p->profile->points[kReserve];
  for (std::size_t i = 0; i < reserves.size(); ++i) {
    auto* plugin = p->at<ReservePlugin>(kReserve, reserves[i].stage);
    if (!plugin) continue;
    const std::string& name = p->profile->stages[reserves[i].stage].name;
    StageStatus s = guarded("Reserve", name, [&] { return plugin->reserve(views.ctx[reserves[i].stage], pod, node); });
    if (!s.ok()) {
      unreserve(i + 1);
      cache_.forget(pod.uid);
      failed(info, !isRejection(s.code), podCycle, s.message);
      return;
    }
  }

  BindTask task;
  task.info = info;
  task.assumed = assumed;
  task.node = node;
  for (const auto& use : p->profile->points[kPermit]) {
    auto* plugin = p->at<PermitPlugin>(kPermit, use.stage);
    if (!plugin) continue;
    const std::string& name = p->profile->stages[use.stage].name;
    PermitResult result;
    StageStatus s = guarded("Permit", name, [&] {
      result = plugin->permit(views.ctx[use.stage], pod, node);
      return result.status;
    });
    if (s.code == Code::kWait) {
      task.waitingOn.insert(name);
      auto deadline = SteadyClock::now() + result.timeout;
      if (task.permitDeadline == SteadyClock::time_point{} || deadline < task.permitDeadline)
        task.permitDeadline = deadline;
    } else if (!s.ok()) {
      unreserve(reserves.size());
      cache_.forget(pod.uid);
      failed(info, !isRejection(s.code), podCycle, s.message);
      return;
    }
  }
  // The per-plugin views share the state's data: drop them before the binding thread owns
  // the state (it may release the last pin of a swapped-out stage while this thread runs on).
  views.ctx.clear();
  views.states.clear();
  task.state = std::move(state);
  task.pinned = std::move(p);
  task.assumedAt = SteadyClock::now();
  task.cycleTime = task.assumedAt - started;
  {
    std::lock_guard lock(bindMutex_);
    if (task.waitingOn.empty())
      bindQueue_.push_back(std::move(task));
    else
      waiting_.push_back(std::move(task));
  }
  bindCv_.notify_one();
}

Framework::Views Framework::makeViews(const Pinned& p, CycleState& root, const Snapshot& snapshot) {
  Views v;
  v.root = &root;
  const std::size_t n = p.profile->stages.size();
  v.states.reserve(n);
  v.ctx.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    v.states.push_back(std::make_unique<CycleState>(root, p.profile->stages[i].name));
    v.ctx.push_back(CycleContext{*v.states.back(), snapshot, *this});
  }
  return v;
}

Framework::FilterOutcome Framework::findFeasible(Pinned& p, Views& views, const PodInfo& pod,
                                                 const std::vector<const NodeInfo*>& candidates, std::size_t numToFind,
                                                 bool rotate) {
  struct Filter {
    FilterPlugin* plugin;
    std::uint32_t stage;
    const std::string* name;
  };
  std::vector<Filter> filters;
  for (const auto& use : p.profile->points[kFilter]) {
    auto* plugin = p.at<FilterPlugin>(kFilter, use.stage);
    const std::string& name = p.profile->stages[use.stage].name;
    if (!plugin) continue;
    const auto& skipped = views.root->skipFilter();
    if (std::find(skipped.begin(), skipped.end(), name) != skipped.end()) continue;
    filters.push_back({plugin, static_cast<std::uint32_t>(use.stage), &name});
  }

  FilterOutcome out;
  const std::size_t n = candidates.size();
  if (n == 0) return out;
  const std::size_t start = rotate ? nextStartNodeIndex_ % n : 0;
  if (filters.empty()) {
    for (std::size_t i = 0; i < std::min(n, numToFind); ++i) out.feasible.push_back(candidates[(start + i) % n]);
    out.processed = out.feasible.size();
    if (rotate) nextStartNodeIndex_ = (start + out.processed) % n;
    return out;
  }

  // Waking workers costs tens of microseconds: worth it only when many nodes must be checked.
  const bool parallel = parallel_ && parallel_->parallelism() > 1 && std::min(n, numToFind) >= kParallelThreshold;
  const std::size_t chunk = parallel ? std::max<std::size_t>(256, n / (parallel_->parallelism() * 8)) : 128;
  const std::size_t numChunks = (n + chunk - 1) / chunk;
  struct Chunk {
    std::vector<const NodeInfo*> feasible;
    std::vector<Failure> failures;
    std::size_t processed = 0;
    std::string error;
  };
  std::vector<Chunk> chunks(numChunks);
  std::atomic<std::size_t> found{0};
  std::atomic<bool> stop{false};

  auto runChunk = [&](std::size_t c) {
    if (stop.load(std::memory_order_relaxed)) return;
    Chunk& result = chunks[c];
    std::size_t begin = c * chunk, end = std::min(n, begin + chunk);
    std::vector<const NodeInfo*> alive;
    alive.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) alive.push_back(candidates[(start + i) % n]);
    std::vector<NodeVerdict> verdicts;
    for (const Filter& f : filters) {
      verdicts.assign(alive.size(), NodeVerdict{});
      auto t0 = SteadyClock::now();
      try {
        f.plugin->filter(views.ctx[f.stage], pod, alive, verdicts);
      } catch (const std::exception& e) {
        result.error = "running Filter plugin \"" + *f.name + "\": it threw: " + e.what();
      } catch (...) {
        result.error = "running Filter plugin \"" + *f.name + "\": it threw";
      }
      observe(kFilter, *f.name, t0);
      if (!result.error.empty()) {
        stop = true;
        return;
      }
      std::size_t kept = 0;
      for (std::size_t i = 0; i < alive.size(); ++i) {
        if (verdicts[i].code == Code::kSuccess) {
          alive[kept++] = alive[i];
        } else if (verdicts[i].code == Code::kError) {
          auto texts = f.plugin->reasons(verdicts[i].reason);
          result.error = "running Filter plugin \"" + *f.name + "\": " + (texts.empty() ? "error" : texts.front());
          stop = true;
          return;
        } else {
          result.failures.push_back({alive[i], f.stage, verdicts[i]});
        }
      }
      alive.resize(kept);
      if (alive.empty()) break;
    }
    result.processed = end - begin;
    result.feasible = std::move(alive);
    if (found.fetch_add(result.feasible.size()) + result.feasible.size() >= numToFind) stop = true;
  };
  if (parallel) {
    parallel_->run(numChunks, runChunk);
  } else {
    for (std::size_t c = 0; c < numChunks && !stop; ++c) runChunk(c);
  }
  for (auto& c : chunks) {
    if (!c.error.empty() && out.error.empty()) out.error = c.error;
    out.processed += c.processed;
    for (const NodeInfo* node : c.feasible)
      if (out.feasible.size() < numToFind) out.feasible.push_back(node);
    out.failures.insert(out.failures.end(), c.failures.begin(), c.failures.end());
  }
  if (rotate) nextStartNodeIndex_ = (start + out.processed) % n;
  return out;
}

Result<std::string> Framework::prioritize(Pinned& p, Views& views, const PodInfo& pod,
                                          const std::vector<const NodeInfo*>& feasible) {
  for (const auto& use : p.profile->points[kPreScore]) {
    auto* plugin = p.at<PreScorePlugin>(kPreScore, use.stage);
    if (!plugin) continue;
    const std::string& name = p.profile->stages[use.stage].name;
    auto t0 = SteadyClock::now();
    StageStatus s = guarded("PreScore", name, [&] { return plugin->preScore(views.ctx[use.stage], pod, feasible); });
    observe(kPreScore, name, t0);
    if (s.code == Code::kSkip) {
      views.root->skipScore().push_back(name);
    } else if (!s.ok()) {
      return Status::internal(s.message.empty() ? "running PreScore plugin \"" + name + "\"" : s.message);
    }
  }
  struct Scorer {
    ScorePlugin* plugin;
    const std::string* name;
    std::int64_t weight;
    CycleContext* ctx;
  };
  std::vector<Scorer> scorers;
  for (const auto& use : p.profile->points[kScore]) {
    auto* plugin = p.at<ScorePlugin>(kScore, use.stage);
    const std::string& name = p.profile->stages[use.stage].name;
    if (!plugin) continue;
    const auto& skipped = views.root->skipScore();
    if (std::find(skipped.begin(), skipped.end(), name) != skipped.end()) continue;
    scorers.push_back({plugin, &name, use.weight, &views.ctx[use.stage]});
  }
  const std::size_t n = feasible.size();
  std::vector<std::int64_t> total(n, 0);
  if (!scorers.empty()) {
    std::vector<std::vector<std::int64_t>> scores(scorers.size(), std::vector<std::int64_t>(n, 0));
    const bool parallel = parallel_ && parallel_->parallelism() > 1 && n >= kParallelThreshold;
    const std::size_t chunk = parallel ? std::max<std::size_t>(256, n / (parallel_->parallelism() * 4)) : n;
    const std::size_t numChunks = (n + chunk - 1) / chunk;
    std::vector<std::string> errors(numChunks);
    auto runChunk = [&](std::size_t c) {
      std::size_t begin = c * chunk, len = std::min(n, begin + chunk) - begin;
      std::span<const NodeInfo* const> nodes(feasible.data() + begin, len);
      for (std::size_t s = 0; s < scorers.size(); ++s) {
        auto t0 = SteadyClock::now();
        StageStatus st = guarded("Score", *scorers[s].name, [&] {
          return scorers[s].plugin->score(*scorers[s].ctx, pod, nodes,
                                          std::span<std::int64_t>(scores[s].data() + begin, len));
        });
        observe(kScore, *scorers[s].name, t0);
        if (!st.ok()) {
          errors[c] = st.message.empty() ? "running Score plugin \"" + *scorers[s].name + "\"" : st.message;
          return;
        }
      }
    };
    if (parallel) {
      parallel_->run(numChunks, runChunk);
    } else {
      for (std::size_t c = 0; c < numChunks; ++c) runChunk(c);
    }
    for (const auto& e : errors)
      if (!e.empty()) return Status::internal(e);
    for (std::size_t s = 0; s < scorers.size(); ++s) {
      StageStatus st = guarded("NormalizeScore", *scorers[s].name,
                               [&] { return scorers[s].plugin->normalize(*scorers[s].ctx, pod, feasible, scores[s]); });
      if (!st.ok()) return Status::internal(st.message);
      for (std::size_t i = 0; i < n; ++i) {
        std::int64_t v = scores[s][i];
        if (v < kMinNodeScore || v > kMaxNodeScore)
          return Status::internal("plugin \"" + *scorers[s].name + "\" returns an invalid score " + std::to_string(v) +
                                  ", it should in the range of [0, 100] after normalizing");
        total[i] += v * scorers[s].weight;
      }
    }
  }
  // Highest total; ties broken uniformly at random (one draw per pod).
  std::int64_t top = *std::max_element(total.begin(), total.end());
  std::size_t ties = std::count(total.begin(), total.end(), top);
  std::size_t pick = ties > 1 ? std::uniform_int_distribution<std::size_t>(0, ties - 1)(random_) : 0;
  std::size_t best = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (total[i] == top && pick-- == 0) {
      best = i;
      break;
    }
  return feasible[best]->name;
}

std::string Framework::fitErrorMessage(Pinned& p, std::size_t numAllNodes, const std::string& preFilterMsg,
                                       const FilterOutcome& outcome, std::size_t absentNodes,
                                       const std::string& absentReason, const std::string& postFilterMsg) {
  std::string msg = "0/" + std::to_string(numAllNodes) + " nodes are available:";
  if (!preFilterMsg.empty()) {
    msg += " " + preFilterMsg + ".";
  } else {
    std::map<std::string, std::size_t> counts;
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<std::string>> texts;
    for (const auto& f : outcome.failures) {
      auto key = std::make_pair(f.stage, f.verdict.reason);
      auto it = texts.find(key);
      if (it == texts.end()) {
        auto* plugin = p.at<FilterPlugin>(kFilter, f.stage);
        it = texts.emplace(key, plugin ? plugin->reasons(f.verdict.reason) : std::vector<std::string>{}).first;
      }
      for (const auto& t : it->second) ++counts[t];
    }
    std::vector<std::string> parts;
    for (const auto& [reason, count] : counts) parts.push_back(std::to_string(count) + " " + reason);
    // Nodes a PreFilter plugin's node names left out.
    if (absentNodes > 0) parts.push_back(std::to_string(absentNodes) + " " + absentReason);
    std::sort(parts.begin(), parts.end());
    if (!parts.empty()) {
      msg += " ";
      for (std::size_t i = 0; i < parts.size(); ++i) msg += (i ? ", " : "") + parts[i];
      msg += ".";
    }
  }
  if (!postFilterMsg.empty()) msg += " " + postFilterMsg + ".";
  return msg;
}

// ---- failures, bindings and API writes ------------------------------------------------

void Framework::queueApi(std::string request) {
  {
    std::lock_guard lock(apiMutex_);
    apiQueue_.push_back(std::move(request));
  }
  apiCv_.notify_one();
}

namespace {

std::string eventRequest(const PodInfo& pod, std::string_view type, std::string_view reason, const std::string& message,
                         const std::string& instance) {
  static std::atomic<std::uint64_t> sequence{0};
  std::string now = rfc3339Now();
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, ".%llx",
                static_cast<unsigned long long>(unixNanos()) + static_cast<unsigned long long>(sequence++));
  std::string out;
  json::Writer w(out);
  w.beginObject();
  w.key("verb"), w.string("create");
  w.key("version"), w.string("v1");
  w.key("resource"), w.string("events");
  w.key("namespace"), w.string(pod.ns);
  w.key("body");
  w.beginObject();
  w.key("metadata");
  w.beginObject();
  w.key("name"), w.string(pod.name + suffix);
  w.key("namespace"), w.string(pod.ns);
  w.endObject();
  w.key("involvedObject");
  w.beginObject();
  w.key("kind"), w.string("Pod");
  w.key("namespace"), w.string(pod.ns);
  w.key("name"), w.string(pod.name);
  w.key("uid"), w.string(pod.uid);
  w.key("apiVersion"), w.string("v1");
  w.key("resourceVersion"), w.string(std::to_string(pod.resourceVersion));
  w.endObject();
  w.key("reason"), w.string(reason);
  w.key("message"), w.string(message);
  w.key("source");
  w.beginObject();
  w.key("component"), w.string("default-scheduler");
  w.endObject();
  w.key("firstTimestamp"), w.string(now);
  w.key("lastTimestamp"), w.string(now);
  w.key("count"), w.integer(1);
  w.key("type"), w.string(type);
  w.key("reportingComponent"), w.string("default-scheduler");
  w.key("reportingInstance"), w.string(instance);
  w.endObject();
  w.endObject();
  return out;
}

std::string conditionRequest(const PodInfo& pod, std::string_view reason, const std::string& message,
                             const std::string& nominatedNode) {
  std::string out;
  json::Writer w(out);
  w.beginObject();
  w.key("verb"), w.string("patch");
  w.key("version"), w.string("v1");
  w.key("resource"), w.string("pods");
  w.key("namespace"), w.string(pod.ns);
  w.key("name"), w.string(pod.name);
  w.key("subresource"), w.string("status");
  w.key("contentType"), w.string("application/strategic-merge-patch+json");
  w.key("body");
  w.beginObject();
  w.key("metadata");
  w.beginObject();
  w.key("uid"), w.string(pod.uid);  // a precondition: never patch a recreated pod
  w.endObject();
  w.key("status");
  w.beginObject();
  w.key("conditions");
  w.beginArray();
  w.beginObject();
  w.key("type"), w.string("PodScheduled");
  w.key("status"), w.string("False");
  w.key("reason"), w.string(reason);
  w.key("message"), w.string(message);
  w.key("lastProbeTime"), w.null();
  w.key("lastTransitionTime"), w.string(rfc3339Now());
  w.endObject();
  w.endArray();
  if (!nominatedNode.empty()) {
    w.key("nominatedNodeName"), w.string(nominatedNode);
  }
  w.endObject();
  w.endObject();
  w.endObject();
  return out;
}

}  // namespace

void Framework::failed(const QueuedPodInfo& info, bool error, std::int64_t cycle, const std::string& message,
                       const std::string& nominatedNode) {
  (error ? errors_ : unschedulable_)++;
  if (metrics_)
    metrics_->add(std::string("scheduler_schedule_attempts_total{result=\"") + (error ? "error" : "unschedulable") +
                  "\"}");
  queue_.requeue(info, error, cycle);
  const PodInfo& pod = *info.pod;
  const std::string_view reason = error ? "SchedulerError" : "Unschedulable";
  bool write = false;
  {
    std::lock_guard lock(bindMutex_);
    std::string& last = lastCondition_[pod.uid];
    std::string key = std::string(reason) + "\n" + message + "\n" + nominatedNode;
    if (last != key) {
      last = std::move(key);
      write = true;
    }
  }
  queueApi(eventRequest(pod, "Warning", "FailedScheduling", message, reportingInstance_));
  if (write) queueApi(conditionRequest(pod, reason, message, nominatedNode));
  logger_->debug("pod {}/{} not scheduled: {}", pod.ns, pod.name, message);
}

void Framework::bindingLoop() {
  while (!stopping_) {
    std::vector<BindTask> tasks;
    std::vector<BindTask> expired;
    {
      std::unique_lock lock(bindMutex_);
      auto nextDeadline = SteadyClock::now() + std::chrono::milliseconds(200);
      for (const auto& w : waiting_) nextDeadline = std::min(nextDeadline, w.permitDeadline);
      bindCv_.wait_until(lock, nextDeadline,
                         [&] { return stopping_ || !bindQueue_.empty(); });
      while (!bindQueue_.empty() && tasks.size() < static_cast<std::size_t>(args_.bindBatchSize)) {
        tasks.push_back(std::move(bindQueue_.front()));
        bindQueue_.pop_front();
      }
      auto now = SteadyClock::now();
      for (auto it = waiting_.begin(); it != waiting_.end();) {
        if (it->permitDeadline <= now) {
          it->rejected = "rejected due to timeout after waiting at plugin " + *it->waitingOn.begin();
          expired.push_back(std::move(*it));
          it = waiting_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& t : expired) tasks.push_back(std::move(t));
    if (!tasks.empty()) {
      std::vector<StageStatus> results(tasks.size());
      // Rejected by Permit (or timed out waiting).
      for (std::size_t i = 0; i < tasks.size(); ++i) {
        BindTask& t = tasks[i];
        if (!t.rejected.empty()) results[i] = StageStatus::unschedulable(t.rejected);
      }
      finishBinding(tasks, results);
    }
  }
}

void Framework::finishBinding(std::vector<BindTask>& tasks, std::vector<StageStatus>& results) {
  Snapshot empty;
  // PreBind.
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (!results[i].ok()) continue;
    BindTask& t = tasks[i];
    Views views = makeViews(*t.pinned, *t.state, empty);
    for (const auto& use : t.pinned->profile->points[kPreBind]) {
      auto* plugin = t.pinned->at<PreBindPlugin>(kPreBind, use.stage);
      if (!plugin) continue;
      const std::string& name = t.pinned->profile->stages[use.stage].name;
      StageStatus s = guarded("PreBind", name, [&] { return plugin->preBind(views.ctx[use.stage], *t.info.pod, t.node); });
      if (!s.ok()) {
        results[i] = s;
        break;
      }
    }
  }
  // Bind, batched per binder instance; a binder's Skip hands the pod to the next binder.
  std::vector<std::size_t> binderIndex(tasks.size(), 0);
  std::vector<bool> bound(tasks.size(), false);
  for (bool progress = true; progress;) {
    progress = false;
    std::map<BindPlugin*, std::vector<std::size_t>> groups;
    std::map<BindPlugin*, std::string> names;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      if (!results[i].ok() || bound[i]) continue;
      const auto& binders = tasks[i].pinned->profile->points[kBind];
      while (binderIndex[i] < binders.size() &&
             !tasks[i].pinned->at<BindPlugin>(kBind, binders[binderIndex[i]].stage))
        ++binderIndex[i];
      if (binderIndex[i] >= binders.size()) {
        results[i] = StageStatus::error("no Bind plugin bound the pod");
        continue;
      }
      auto* plugin = tasks[i].pinned->at<BindPlugin>(kBind, binders[binderIndex[i]].stage);
      groups[plugin].push_back(i);
      names[plugin] = tasks[i].pinned->profile->stages[binders[binderIndex[i]].stage].name;
    }
    for (auto& [plugin, members] : groups) {
      std::vector<BindItem> items;
      for (std::size_t i : members) items.push_back({tasks[i].state.get(), tasks[i].assumed, tasks[i].node});
      std::vector<StageStatus> out(items.size());
      StageStatus s = guarded("Bind", names[plugin], [&] {
        plugin->bind(*this, items, out);
        return StageStatus{};
      });
      for (std::size_t k = 0; k < members.size(); ++k) {
        std::size_t i = members[k];
        StageStatus r = s.ok() ? out[k] : s;
        if (r.code == Code::kSkip) {
          ++binderIndex[i];
          progress = true;
        } else if (r.ok()) {
          bound[i] = true;
        } else {
          results[i] = StageStatus{r.code == Code::kSuccess ? Code::kError : r.code,
                                   "running Bind plugin \"" + names[plugin] + "\": " + r.message};
        }
      }
    }
  }
  // Outcomes.
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    BindTask& t = tasks[i];
    const PodInfo& pod = *t.info.pod;
    Views views = makeViews(*t.pinned, *t.state, empty);
    if (bound[i] && results[i].ok()) {
      for (const auto& use : t.pinned->profile->points[kPostBind]) {
        auto* plugin = t.pinned->at<PostBindPlugin>(kPostBind, use.stage);
        if (!plugin) continue;
        const std::string& name = t.pinned->profile->stages[use.stage].name;
        guarded("PostBind", name, [&] {
          plugin->postBind(views.ctx[use.stage], pod, t.node);
          return StageStatus{};
        });
      }
      ++scheduled_;
      if (metrics_) metrics_->add("scheduler_schedule_attempts_total{result=\"scheduled\"}");
      queue_.done(pod.uid);
      queueApi(eventRequest(pod, "Normal", "Scheduled",
                            "Successfully assigned " + pod.ns + "/" + pod.name + " to " + t.node, reportingInstance_));
      {
        std::lock_guard lock(bindMutex_);
        lastCondition_.erase(pod.uid);
      }
      if (boundObserver_) boundObserver_(pod, t.node, t.cycleTime, t.assumedAt);
      continue;
    }
    // Failed: undo the reservation and the assumption, then retry with backoff.
    const auto& reserves = t.pinned->profile->points[kReserve];
    for (std::size_t k = reserves.size(); k-- > 0;) {
      auto* plugin = t.pinned->at<ReservePlugin>(kReserve, reserves[k].stage);
      if (!plugin) continue;
      const std::string& name = t.pinned->profile->stages[reserves[k].stage].name;
      guarded("Unreserve", name, [&] {
        plugin->unreserve(views.ctx[reserves[k].stage], pod, t.node);
        return StageStatus{};
      });
    }
    post(std::make_pair(pod.uid, false));
    failed(t.info, !isRejection(results[i].code), t.info.attempts, results[i].message);
  }
}

void Framework::apiWriterLoop() {
  for (;;) {
    std::vector<std::string> requests;
    {
      std::unique_lock lock(apiMutex_);
      apiCv_.wait(lock, [&] { return stopping_ || !apiQueue_.empty(); });
      if (apiQueue_.empty()) return;  // stopping, and everything was written
      std::size_t n = std::min(apiQueue_.size(), static_cast<std::size_t>(args_.bindBatchSize));
      requests.assign(std::make_move_iterator(apiQueue_.begin()), std::make_move_iterator(apiQueue_.begin() + n));
      apiQueue_.erase(apiQueue_.begin(), apiQueue_.begin() + n);
    }
    if (!api_) continue;
    std::string batch = "[";
    for (std::size_t i = 0; i < requests.size(); ++i) {
      if (i) batch += ',';
      batch += requests[i];
    }
    batch += ']';
    auto result = api_(batch);
    if (!result.ok())
      logger_->warn("scheduler: writing {} events/conditions failed: {}", requests.size(), result.status().message());
  }
}

// ---- FrameworkHandle ---------------------------------------------------------------------

const std::string& Framework::profileName() const {
  static const std::string kDefault = "default-scheduler";
  return current_.pinned ? current_.pinned->profile->schedulerName : kDefault;
}

StageStatus Framework::runPreFilterRemovePod(CycleState& state, const PodInfo& pod, const PodInfo& victim,
                                             const NodeInfo& node) {
  return runPreFilterExtension(state, pod, victim, node, /*add=*/false);
}

StageStatus Framework::runPreFilterAddPod(CycleState& state, const PodInfo& pod, const PodInfo& other,
                                          const NodeInfo& node) {
  return runPreFilterExtension(state, pod, other, node, /*add=*/true);
}

StageStatus Framework::runPreFilterExtension(CycleState& state, const PodInfo& pod, const PodInfo& other,
                                             const NodeInfo& node, bool add) {
  if (!current_.pinned) return StageStatus::error("PreFilter extensions run only during a scheduling cycle");
  Pinned& p = *current_.pinned;
  Views views = makeViews(p, state, *current_.snapshot);
  const auto& skipped = state.skipFilter();
  for (const auto& use : p.profile->points[kPreFilter]) {
    auto* plugin = p.at<PreFilterPlugin>(kPreFilter, use.stage);
    const std::string& name = p.profile->stages[use.stage].name;
    // A plugin that skipped this pod has no state to update (Kubernetes skips it too).
    if (!plugin || std::find(skipped.begin(), skipped.end(), name) != skipped.end()) continue;
    StageStatus s = guarded("PreFilter", name, [&] {
      return add ? plugin->addPod(views.ctx[use.stage], pod, other, node)
                 : plugin->removePod(views.ctx[use.stage], pod, other, node);
    });
    if (!s.ok()) return s;
  }
  return {};
}

StageStatus Framework::runFilters(CycleState& state, const PodInfo& pod, const NodeInfo& node) {
  if (!current_.pinned) return StageStatus::error("runFilters outside a scheduling cycle");
  Pinned& p = *current_.pinned;
  Views views = makeViews(p, state, *current_.snapshot);
  FilterOutcome o = findFeasible(p, views, pod, {&node}, 1, false);
  if (!o.error.empty()) return StageStatus::error(o.error);
  if (!o.failures.empty()) {
    const Failure& f = o.failures.front();
    auto texts = p.at<FilterPlugin>(kFilter, f.stage)->reasons(f.verdict.reason);
    return StageStatus{f.verdict.code, texts.empty() ? std::string() : texts.front()};
  }
  return {};
}

std::string Framework::apiBatch(const std::string& requestsJson) {
  if (!api_) throw std::runtime_error("the scheduler has no API connection");
  auto result = api_(requestsJson);
  if (!result.ok()) throw std::runtime_error(result.status().message());
  return std::move(*result);
}

void Framework::allowWaitingPod(const std::string& podUid, std::string_view plugin) {
  std::lock_guard lock(bindMutex_);
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if (it->info.pod->uid != podUid) continue;
    it->waitingOn.erase(std::string(plugin));
    if (it->waitingOn.empty()) {
      bindQueue_.push_back(std::move(*it));
      waiting_.erase(it);
      bindCv_.notify_one();
    }
    return;
  }
}

void Framework::rejectWaitingPod(const std::string& podUid, std::string_view plugin, const std::string& message) {
  std::lock_guard lock(bindMutex_);
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    if (it->info.pod->uid != podUid) continue;
    it->rejected = message.empty() ? "rejected by plugin " + std::string(plugin) : message;
    bindQueue_.push_back(std::move(*it));
    waiting_.erase(it);
    bindCv_.notify_one();
    return;
  }
}

}  // namespace capstan::sched
