#pragma once
// The scheduler's stage-plugin ABI: what a scheduling-framework stage (built in or written
// by a user) implements and what it is given. It follows Kubernetes' scheduling framework
// (extension points, status codes, plugin names and semantics) with two changes for speed:
//
//  - Hot paths are batch calls over flat, read-only snapshots. Filter sees one pod and a
//    chunk of nodes and writes one verdict per node; Score fills one score per node.
//  - A failure reason is a small integer the plugin interns in its own ReasonTable; the
//    framework asks for the text only when it writes a pod's failure message.
//
// A stage plugin is an ordinary Capstan plugin (capstan/plugin.h) whose queryInterface()
// answers the kinds below ("scheduler.filter" -> FilterPlugin*, ...). One plugin may
// implement several extension points (NodeResourcesFit: preFilter, filter, score). The
// framework pins every stage of a profile once per scheduling cycle, so a hot swap or a
// reconfigure takes effect between cycles, never inside one.
//
// The framework calls a stage from its scheduling thread (PreFilter, PostFilter, PreScore,
// Reserve, Permit), from its filter/score workers (Filter, Score: concurrently for
// different chunks of nodes of the same pod) and from its binding threads (PreBind, Bind,
// PostBind, Unreserve). Stages must be thread-safe for that; per-pod data belongs in
// CycleState.
//
// Everything in this header is part of the plugin ABI (kPluginAbiVersion): the layouts of
// PodInfo and NodeInfo included.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace capstan::sched {

// ---------------------------------------------------------------------------------------
// Data: flat copies of the Kubernetes fields the default plugins read, decoded once per
// pod and node version by the framework.

// Sorted by key, unique keys.
using Labels = std::vector<std::pair<std::string, std::string>>;

inline const std::string* findLabel(const Labels& labels, std::string_view key) {
  auto it = std::lower_bound(labels.begin(), labels.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  return it != labels.end() && it->first == key ? &it->second : nullptr;
}

// Amounts of resources: cpu in millicores, memory and storage in bytes, everything else
// (extended resources such as nvidia.com/gpu, hugepages-2Mi) in `scalar`, sorted by name.
struct Resources {
  std::int64_t milliCpu = 0;
  std::int64_t memory = 0;
  std::int64_t ephemeralStorage = 0;
  std::int64_t pods = 0;  // allocatable pod count on a node; unused in a pod's requests
  std::vector<std::pair<std::string, std::int64_t>> scalar;

  std::int64_t scalarOf(std::string_view name) const {
    for (const auto& [k, v] : scalar)
      if (k == name) return v;
    return 0;
  }
  void addScalar(std::string_view name, std::int64_t amount) {
    auto it = std::lower_bound(scalar.begin(), scalar.end(), name,
                               [](const auto& e, std::string_view k) { return e.first < k; });
    if (it != scalar.end() && it->first == name)
      it->second += amount;
    else
      scalar.emplace(it, std::string(name), amount);
  }
  void add(const Resources& o) {
    milliCpu += o.milliCpu;
    memory += o.memory;
    ephemeralStorage += o.ephemeralStorage;
    pods += o.pods;
    for (const auto& [k, v] : o.scalar) addScalar(k, v);
  }
  void subtract(const Resources& o) {
    milliCpu -= o.milliCpu;
    memory -= o.memory;
    ephemeralStorage -= o.ephemeralStorage;
    pods -= o.pods;
    for (const auto& [k, v] : o.scalar) addScalar(k, -v);
  }
};

// Kubernetes' qualified-name syntax for label keys, topology keys and resource names
// (metav1validation.ValidateLabelName): an optional DNS-subdomain prefix and '/', then 1..63
// alphanumerics, '-', '_' or '.', starting and ending alphanumeric. For validating args.
inline bool isQualifiedName(std::string_view s) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  std::string_view name = s;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    std::string_view prefix = s.substr(0, slash);
    name = s.substr(slash + 1);
    if (prefix.empty() || prefix.size() > 253 || !alnum(prefix.front()) || !alnum(prefix.back())) return false;
    for (char c : prefix)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) return false;
  }
  if (name.empty() || name.size() > 63 || !alnum(name.front()) || !alnum(name.back())) return false;
  for (char c : name)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

// Kubernetes' defaults for a container that requests nothing, used by scoring only
// (schedutil.DefaultMilliCPURequest / DefaultMemoryRequest).
inline constexpr std::int64_t kDefaultMilliCpuRequest = 100;
inline constexpr std::int64_t kDefaultMemoryRequest = 200 * 1024 * 1024;

enum class SelectorOp : std::uint8_t { kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };

struct Requirement {
  std::string key;
  SelectorOp op = SelectorOp::kIn;
  std::vector<std::string> values;

  // Label-selector semantics (In/NotIn/Exists/DoesNotExist) plus Gt/Lt on integers as in
  // node selectors. `value` is nullptr when the label is absent.
  bool matches(const std::string* value) const {
    switch (op) {
      case SelectorOp::kIn:
        return value && std::find(values.begin(), values.end(), *value) != values.end();
      case SelectorOp::kNotIn:
        return !value || std::find(values.begin(), values.end(), *value) == values.end();
      case SelectorOp::kExists:
        return value != nullptr;
      case SelectorOp::kDoesNotExist:
        return value == nullptr;
      case SelectorOp::kGt:
      case SelectorOp::kLt: {
        if (!value || values.size() != 1) return false;
        auto parse = [](const std::string& s, std::int64_t& out) {
          if (s.empty()) return false;
          std::size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
          if (i == s.size()) return false;
          std::int64_t v = 0;
          for (; i < s.size(); ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            v = v * 10 + (s[i] - '0');
          }
          out = s[0] == '-' ? -v : v;
          return true;
        };
        std::int64_t have = 0, want = 0;
        if (!parse(*value, have) || !parse(values[0], want)) return false;
        return op == SelectorOp::kGt ? have > want : have < want;
      }
    }
    return false;
  }
};

// A metav1.LabelSelector: matchLabels are folded into In requirements. An empty selector
// matches everything; "absent" is modelled by std::optional where Kubernetes treats a
// missing selector as matching nothing.
struct LabelSelector {
  std::vector<Requirement> requirements;
  bool matches(const Labels& labels) const {
    for (const auto& r : requirements)
      if (!r.matches(findLabel(labels, r.key))) return false;
    return true;
  }
};

// A node selector term: every expression (on labels) and every field requirement (on
// metadata.name, the only node field Kubernetes supports) must match. A term with neither
// matches nothing.
struct NodeSelectorTerm {
  std::vector<Requirement> matchExpressions;
  std::vector<Requirement> matchFields;
};

struct PreferredSchedulingTerm {
  std::int32_t weight = 0;
  NodeSelectorTerm preference;
};

enum class TaintEffect : std::uint8_t { kNoSchedule, kPreferNoSchedule, kNoExecute, kOther };

inline std::string_view taintEffectName(TaintEffect e) {
  switch (e) {
    case TaintEffect::kNoSchedule: return "NoSchedule";
    case TaintEffect::kPreferNoSchedule: return "PreferNoSchedule";
    case TaintEffect::kNoExecute: return "NoExecute";
    case TaintEffect::kOther: break;
  }
  return "";
}

struct Taint {
  std::string key;
  std::string value;
  TaintEffect effect = TaintEffect::kNoSchedule;
};

struct Toleration {
  std::string key;       // empty with Exists: tolerates every key
  bool exists = false;   // operator Exists (else Equal, the default)
  std::string value;
  std::optional<TaintEffect> effect;  // empty: every effect
  std::optional<std::int64_t> tolerationSeconds;

  // v1.Toleration.ToleratesTaint.
  bool tolerates(const Taint& taint) const {
    if (effect && *effect != taint.effect) return false;
    if (!key.empty() && key != taint.key) return false;
    return exists || value == taint.value;
  }
};

struct PodAffinityTerm {
  std::optional<LabelSelector> labelSelector;  // absent: matches no pod
  std::vector<std::string> namespaces;
  std::optional<LabelSelector> namespaceSelector;  // present and empty: every namespace
  std::string topologyKey;
};

struct WeightedPodAffinityTerm {
  std::int32_t weight = 0;
  PodAffinityTerm term;
};

struct TopologySpreadConstraint {
  std::int32_t maxSkew = 1;
  std::string topologyKey;
  bool doNotSchedule = true;  // whenUnsatisfiable: DoNotSchedule (else ScheduleAnyway)
  std::optional<LabelSelector> labelSelector;  // matchLabelKeys already merged in
  std::optional<std::int32_t> minDomains;
  bool nodeAffinityPolicyHonor = true;  // nodeAffinityPolicy (default Honor)
  bool nodeTaintsPolicyHonor = false;   // nodeTaintsPolicy (default Ignore)
};

struct HostPort {
  std::string ip;  // "0.0.0.0" when the pod left it empty
  std::string protocol;  // TCP (default), UDP, SCTP
  std::int32_t port = 0;
  bool operator==(const HostPort&) const = default;
};

struct PodInfo {
  std::string ns;
  std::string name;
  std::string uid;
  std::int64_t resourceVersion = 0;
  std::int64_t creationTime = 0;  // unix nanoseconds
  Labels labels;

  std::string schedulerName;
  std::string nodeName;           // set once bound
  std::string nominatedNodeName;  // status.nominatedNodeName
  std::string phase;              // status.phase
  bool terminating = false;       // metadata.deletionTimestamp is set
  std::int32_t priority = 0;      // spec.priority (0 when unset)
  bool preemptNever = false;      // preemptionPolicy: Never

  // What the pod needs on a node: max(sum of containers + restartable init containers,
  // largest init container) + overhead, per resource (Kubernetes' PodRequests).
  Resources requests;
  // The same with Kubernetes' scoring defaults for containers requesting no cpu/memory.
  std::int64_t nonZeroMilliCpu = 0;
  std::int64_t nonZeroMemory = 0;

  Labels nodeSelector;
  std::optional<std::vector<NodeSelectorTerm>> requiredNodeAffinity;  // ORed terms
  std::vector<PreferredSchedulingTerm> preferredNodeAffinity;
  std::vector<PodAffinityTerm> requiredAffinity;
  std::vector<PodAffinityTerm> requiredAntiAffinity;
  std::vector<WeightedPodAffinityTerm> preferredAffinity;
  std::vector<WeightedPodAffinityTerm> preferredAntiAffinity;
  std::vector<Toleration> tolerations;
  std::vector<HostPort> hostPorts;
  std::vector<TopologySpreadConstraint> topologySpreadConstraints;
  std::vector<std::string> schedulingGates;
  std::vector<std::string> images;  // container and init container images, as written

  std::string key() const { return ns + "/" + name; }
  bool hasAffinity() const {
    return !requiredAffinity.empty() || !requiredAntiAffinity.empty() || !preferredAffinity.empty() ||
           !preferredAntiAffinity.empty();
  }
};
using PodInfoPtr = std::shared_ptr<const PodInfo>;

// An image on nodes: its size and on how many nodes of the cluster it is present.
struct ImageState {
  std::int64_t sizeBytes = 0;
  std::int32_t numNodes = 0;
};

struct NodeInfo {
  std::string name;
  Labels labels;
  std::vector<Taint> taints;
  bool unschedulable = false;
  Resources allocatable;  // pods: the allocatable pod count

  // Sums over `pods` (scheduled and assumed): requests, and the scoring variant.
  Resources requested;
  std::int64_t nonZeroMilliCpu = 0;
  std::int64_t nonZeroMemory = 0;

  std::vector<PodInfoPtr> pods;
  std::vector<PodInfoPtr> podsWithAffinity;              // pods with any pod (anti-)affinity
  std::vector<PodInfoPtr> podsWithRequiredAntiAffinity;  // pods with required anti-affinity
  std::vector<HostPort> usedPorts;
  std::vector<std::pair<std::string, ImageState>> images;  // sorted by image name
  std::int64_t generation = 0;  // bumped on every change

  const ImageState* image(std::string_view name) const {
    auto it = std::lower_bound(images.begin(), images.end(), name,
                               [](const auto& e, std::string_view k) { return e.first < k; });
    return it != images.end() && it->first == name ? &it->second : nullptr;
  }
};

// Keeping a NodeInfo's sums and lists: what the framework's cache does when a pod is
// assumed or bound there, and what preemption does to simulate removing victims.
inline void addPodToNode(NodeInfo& node, PodInfoPtr pod) {
  node.requested.add(pod->requests);
  node.nonZeroMilliCpu += pod->nonZeroMilliCpu;
  node.nonZeroMemory += pod->nonZeroMemory;
  for (const auto& p : pod->hostPorts) node.usedPorts.push_back(p);
  if (pod->hasAffinity()) node.podsWithAffinity.push_back(pod);
  if (!pod->requiredAntiAffinity.empty()) node.podsWithRequiredAntiAffinity.push_back(pod);
  node.pods.push_back(std::move(pod));
  ++node.generation;
}

// Removes the pod with `uid`; false when it is not on the node.
inline bool removePodFromNode(NodeInfo& node, const std::string& uid) {
  auto byUid = [&](const PodInfoPtr& p) { return p->uid == uid; };
  auto it = std::find_if(node.pods.begin(), node.pods.end(), byUid);
  if (it == node.pods.end()) return false;
  PodInfoPtr pod = *it;
  node.pods.erase(it);
  std::erase_if(node.podsWithAffinity, byUid);
  std::erase_if(node.podsWithRequiredAntiAffinity, byUid);
  node.requested.subtract(pod->requests);
  node.nonZeroMilliCpu -= pod->nonZeroMilliCpu;
  node.nonZeroMemory -= pod->nonZeroMemory;
  for (const auto& p : pod->hostPorts) {
    auto port = std::find(node.usedPorts.begin(), node.usedPorts.end(), p);
    if (port != node.usedPorts.end()) node.usedPorts.erase(port);
  }
  ++node.generation;
  return true;
}

// The cluster as one scheduling cycle sees it (read-only for the cycle's duration).
struct Snapshot {
  std::vector<const NodeInfo*> nodes;
  std::vector<const NodeInfo*> havePodsWithAffinity;
  std::vector<const NodeInfo*> havePodsWithRequiredAntiAffinity;
  std::unordered_map<std::string, const NodeInfo*> byName;
  // Namespace labels, for namespaceSelector in pod affinity terms.
  std::unordered_map<std::string, Labels> namespaceLabels;

  const NodeInfo* node(const std::string& name) const {
    auto it = byName.find(name);
    return it == byName.end() ? nullptr : it->second;
  }
};

// ---------------------------------------------------------------------------------------
// Outcomes.

// framework.Code, same meanings.
enum class Code : std::uint8_t {
  kSuccess = 0,
  kError,                          // an internal error: the pod is retried with backoff
  kUnschedulable,                  // preemption might help
  kUnschedulableAndUnresolvable,   // preemption cannot help
  kWait,                           // Permit only
  kSkip,                           // PreFilter/PreScore: skip my Filter/Score for this pod; Bind: not mine
  kPending,                        // waiting on something outside the scheduler
};

inline bool isRejection(Code c) { return c == Code::kUnschedulable || c == Code::kUnschedulableAndUnresolvable; }

// The outcome of a non-batch call. `message` is user-facing text (Kubernetes' wording).
struct StageStatus {
  Code code = Code::kSuccess;
  std::string message;

  bool ok() const { return code == Code::kSuccess; }
  static StageStatus success() { return {}; }
  static StageStatus error(std::string m) { return {Code::kError, std::move(m)}; }
  static StageStatus unschedulable(std::string m) { return {Code::kUnschedulable, std::move(m)}; }
  static StageStatus unresolvable(std::string m) { return {Code::kUnschedulableAndUnresolvable, std::move(m)}; }
  static StageStatus skip() { return {Code::kSkip, {}}; }
};

// One node's outcome in a Filter batch. `reason` is the plugin's interned reason id (see
// ReasonTable); for kError it names the error text.
struct NodeVerdict {
  Code code = Code::kSuccess;
  std::uint32_t reason = 0;
};

// A thread-safe interner of failure reasons: the texts of one reason id are one or more
// user-facing reasons ("Insufficient cpu", "Insufficient memory"), each counted on its own
// in "0/3 nodes are available: ...". Ids are stable for the table's lifetime.
class ReasonTable {
 public:
  std::uint32_t intern(std::string_view reason) { return intern(std::vector<std::string>{std::string(reason)}); }
  std::uint32_t intern(const std::vector<std::string>& reasons) {
    std::string key;
    for (const auto& r : reasons) {
      key += r;
      key += '\n';
    }
    {
      std::shared_lock lock(mutex_);
      if (auto it = ids_.find(key); it != ids_.end()) return it->second;
    }
    std::unique_lock lock(mutex_);
    auto [it, inserted] = ids_.emplace(key, static_cast<std::uint32_t>(texts_.size()));
    if (inserted) texts_.push_back(reasons);
    return it->second;
  }
  std::vector<std::string> texts(std::uint32_t id) const {
    std::shared_lock lock(mutex_);
    return id < texts_.size() ? texts_[id] : std::vector<std::string>{};
  }

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::vector<std::string>> texts_;
};

// ---------------------------------------------------------------------------------------
// Per-cycle state.

// Data a plugin keeps for one pod's cycle. clone() is used when the framework simulates
// (preemption) and must not share mutable state with the original.
class StateData {
 public:
  virtual ~StateData() = default;
  virtual std::unique_ptr<StateData> clone() const = 0;
};

// CycleState: typed per-cycle data whose keys belong to the plugin that writes them. The
// framework hands each plugin its own view of the cycle's state (same data, the plugin as
// owner), so concurrent Filter/Score calls of different plugins never share a mutable
// owner: write() files data under the view's plugin, read() reads that plugin's own data,
// readOf() another plugin's (read-only). Write in PreFilter/PreScore/Reserve (serial); read
// anywhere. Values are looked up by dynamic_cast, so a wrong type reads as nullptr instead
// of corrupting memory.
class CycleState {
 public:
  CycleState() : storage_(std::make_shared<Storage>()) {}
  // A view of `other`'s data acting as `plugin` (framework use).
  CycleState(const CycleState& other, std::string_view plugin) : storage_(other.storage_), owner_(plugin) {}
  CycleState(const CycleState&) = delete;
  CycleState& operator=(const CycleState&) = delete;

  void write(std::string_view key, std::unique_ptr<StateData> data) {
    for (auto& e : storage_->entries)
      if (e.owner == owner_ && e.key == key) {
        e.data = std::move(data);
        return;
      }
    storage_->entries.push_back({owner_, std::string(key), std::move(data)});
  }
  template <class T>
  T* read(std::string_view key) const {
    return find<T>(owner_, key);
  }
  template <class T>
  const T* readOf(std::string_view plugin, std::string_view key) const {
    return find<T>(plugin, key);
  }

  // A deep copy (each plugin's data cloned) with its own storage, for simulations.
  std::unique_ptr<CycleState> clone() const {
    auto copy = std::make_unique<CycleState>();
    copy->owner_ = owner_;
    for (const auto& e : storage_->entries)
      copy->storage_->entries.push_back({e.owner, e.key, e.data ? e.data->clone() : nullptr});
    copy->storage_->skipFilter = storage_->skipFilter;
    copy->storage_->skipScore = storage_->skipScore;
    return copy;
  }

  // The plugin this view acts as (the framework sets it; unit tests may too).
  void setOwner(std::string_view plugin) { owner_ = plugin; }
  std::string_view owner() const { return owner_; }

  // Plugins whose PreFilter/PreScore returned Skip (framework-maintained, shared by views).
  std::vector<std::string>& skipFilter() const { return storage_->skipFilter; }
  std::vector<std::string>& skipScore() const { return storage_->skipScore; }

 private:
  struct Entry {
    std::string owner;
    std::string key;
    std::unique_ptr<StateData> data;
  };
  struct Storage {
    std::vector<Entry> entries;
    std::vector<std::string> skipFilter, skipScore;
  };
  template <class T>
  T* find(std::string_view owner, std::string_view key) const {
    for (const auto& e : storage_->entries)
      if (e.owner == owner && e.key == key) return dynamic_cast<T*>(e.data.get());
    return nullptr;
  }
  std::shared_ptr<Storage> storage_;
  std::string owner_;
};

// What the framework offers stages beyond their arguments.
class FrameworkHandle {
 public:
  virtual ~FrameworkHandle() = default;
  // The profile's schedulerName.
  virtual const std::string& profileName() const = 0;
  // What preemption uses to test a node with victims removed, on a clone of the cycle
  // state it owns: the profile's PreFilter extensions (removePod/addPod) update every
  // plugin's state for a pod leaving or joining `node`, and runFilters runs the profile's
  // Filter plugins for `pod` on the (modified copy of the) node. Only valid during a
  // scheduling cycle (from PostFilter).
  virtual StageStatus runPreFilterRemovePod(CycleState& state, const PodInfo& pod, const PodInfo& victim,
                                            const NodeInfo& node) = 0;
  virtual StageStatus runPreFilterAddPod(CycleState& state, const PodInfo& pod, const PodInfo& other,
                                         const NodeInfo& node) = 0;
  virtual StageStatus runFilters(CycleState& state, const PodInfo& pod, const NodeInfo& node) = 0;
  // Kubernetes API requests through the `api` capability (JSON; see plugins/api/kube
  // README): one array of requests in, one array of {"code","body"} answers out. Blocks.
  virtual std::string apiBatch(const std::string& requestsJson) = 0;
  // Permit: let a waiting pod go on, or reject it with a message.
  virtual void allowWaitingPod(const std::string& podUid, std::string_view plugin) = 0;
  virtual void rejectWaitingPod(const std::string& podUid, std::string_view plugin, const std::string& message) = 0;
};

// Everything a stage call gets besides its own arguments. `state` is the calling plugin's
// view of the cycle state.
struct CycleContext {
  CycleState& state;
  const Snapshot& snapshot;
  FrameworkHandle& framework;
};

// ---------------------------------------------------------------------------------------
// Extension points. Each interface is what queryInterface(kKind) returns.

// Orders the activeQ: true when `a` should be scheduled before `b`.
struct QueuedPodInfo {
  PodInfoPtr pod;
  std::int64_t timestamp = 0;         // when it was (re)added to the queue, unix nanoseconds
  std::int64_t initialAttempt = 0;    // first scheduling attempt, unix nanoseconds
  std::int32_t attempts = 0;
};

class QueueSortPlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.queueSort";
  virtual ~QueueSortPlugin() = default;
  virtual bool less(const QueuedPodInfo& a, const QueuedPodInfo& b) const = 0;
};

// Decides whether a pod may enter the activeQ at all (SchedulingGates). A non-success
// status keeps it waiting (with its message as the reason) until the pod changes.
class PreEnqueuePlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.preEnqueue";
  virtual ~PreEnqueuePlugin() = default;
  virtual StageStatus preEnqueue(const PodInfo& pod) = 0;
};

// PreFilter may narrow the candidate nodes (`nodeNames`), reject the pod for every node
// (status; its message becomes the whole reason), or Skip its own Filter for this pod.
struct PreFilterResult {
  StageStatus status;
  std::optional<std::vector<std::string>> nodeNames;
};

class PreFilterPlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.preFilter";
  virtual ~PreFilterPlugin() = default;
  virtual PreFilterResult preFilter(CycleContext& ctx, const PodInfo& pod) = 0;
  // PreFilterExtensions: update this plugin's cycle state as if `other` were added to or
  // removed from `node` (preemption's what-if). Plugins without such state keep Success.
  virtual StageStatus addPod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other, const NodeInfo& node) {
    (void)ctx, (void)pod, (void)other, (void)node;
    return {};
  }
  virtual StageStatus removePod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other, const NodeInfo& node) {
    (void)ctx, (void)pod, (void)other, (void)node;
    return {};
  }
};

// Filter: `out[i]` is the verdict for `nodes[i]`; out arrives filled with Success. Called
// concurrently for different chunks of the same pod.
class FilterPlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.filter";
  virtual ~FilterPlugin() = default;
  virtual void filter(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                      std::span<NodeVerdict> out) = 0;
  // The texts of a reason id this plugin returned.
  virtual std::vector<std::string> reasons(std::uint32_t reason) const = 0;
};

// PostFilter runs when no node fits (DefaultPreemption). `verdicts` holds every filtered
// node's outcome, already as texts.
struct NodeRejection {
  const NodeInfo* node = nullptr;
  Code code = Code::kUnschedulable;
  std::vector<std::string> reasons;
};

struct PostFilterResult {
  StageStatus status;              // Success: the pod may fit on nominatedNodeName later
  std::string nominatedNodeName;
};

class PostFilterPlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.postFilter";
  virtual ~PostFilterPlugin() = default;
  virtual PostFilterResult postFilter(CycleContext& ctx, const PodInfo& pod,
                                      std::span<const NodeRejection> rejections) = 0;
};

class PreScorePlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.preScore";
  virtual ~PreScorePlugin() = default;
  virtual StageStatus preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes) = 0;
};

inline constexpr std::int64_t kMaxNodeScore = 100;
inline constexpr std::int64_t kMinNodeScore = 0;

// Score: fill `scores[i]` for `nodes[i]` (called concurrently for chunks). After all chunks,
// normalize() sees every score of this plugin (NormalizeScore) and must leave them within
// [0, kMaxNodeScore]; the framework then applies the profile's weight.
class ScorePlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.score";
  virtual ~ScorePlugin() = default;
  virtual StageStatus score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                            std::span<std::int64_t> scores) = 0;
  virtual StageStatus normalize(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                                std::span<std::int64_t> scores) {
    (void)ctx, (void)pod, (void)nodes, (void)scores;
    return {};
  }
};

// Kubernetes' helper for NormalizeScore: scale to [0, kMaxNodeScore] by the maximum, and
// optionally reverse (higher raw value = worse).
inline void defaultNormalizeScore(std::span<std::int64_t> scores, bool reverse) {
  std::int64_t maxCount = 0;
  for (auto s : scores) maxCount = std::max(maxCount, s);
  if (maxCount == 0) {
    if (reverse)
      for (auto& s : scores) s = kMaxNodeScore;
    return;
  }
  for (auto& s : scores) {
    s = kMaxNodeScore * s / maxCount;
    if (reverse) s = kMaxNodeScore - s;
  }
}

// Reserve runs once a node is chosen (before the binding cycle); Unreserve undoes it when
// a later stage fails. Unreserve must be idempotent and cannot fail.
class ReservePlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.reserve";
  virtual ~ReservePlugin() = default;
  virtual StageStatus reserve(CycleContext& ctx, const PodInfo& pod, const std::string& nodeName) = 0;
  virtual void unreserve(CycleContext& ctx, const PodInfo& pod, const std::string& nodeName) = 0;
};

// Permit: Success, Unschedulable (rejects), or Wait with `timeout` — the pod waits in the
// binding cycle until every waiting plugin allows it (FrameworkHandle::allowWaitingPod) or
// one rejects it or the timeout passes (then it is rejected).
struct PermitResult {
  StageStatus status;
  std::chrono::milliseconds timeout{0};
};

class PermitPlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.permit";
  virtual ~PermitPlugin() = default;
  virtual PermitResult permit(CycleContext& ctx, const PodInfo& pod, const std::string& nodeName) = 0;
};

class PreBindPlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.preBind";
  virtual ~PreBindPlugin() = default;
  virtual StageStatus preBind(CycleContext& ctx, const PodInfo& pod, const std::string& nodeName) = 0;
};

// Bind is batch-shaped: the framework gathers pods whose binding cycles are ready and hands
// them over together. A binder answers Skip for a pod it does not handle (the next binder
// gets it). Binding must be conditional on the pod being unbound (the API's binding
// subresource does that), so two schedulers can never bind one pod twice.
struct BindItem {
  CycleState* state = nullptr;
  PodInfoPtr pod;
  std::string nodeName;
};

class BindPlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.bind";
  virtual ~BindPlugin() = default;
  virtual void bind(FrameworkHandle& framework, std::span<const BindItem> items, std::span<StageStatus> out) = 0;
};

class PostBindPlugin {
 public:
  static constexpr std::string_view kKind = "scheduler.postBind";
  virtual ~PostBindPlugin() = default;
  virtual void postBind(CycleContext& ctx, const PodInfo& pod, const std::string& nodeName) = 0;
};

// ---------------------------------------------------------------------------------------
// Conveniences for plugin authors.

// A Filter written one node at a time: implement filterNode().
class NodeFilter : public FilterPlugin {
 public:
  void filter(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
              std::span<NodeVerdict> out) override {
    for (std::size_t i = 0; i < nodes.size(); ++i) out[i] = filterNode(ctx, pod, *nodes[i]);
  }
  std::vector<std::string> reasons(std::uint32_t reason) const override { return reasonTable_.texts(reason); }

 protected:
  virtual NodeVerdict filterNode(CycleContext& ctx, const PodInfo& pod, const NodeInfo& node) = 0;
  NodeVerdict reject(Code code, std::string_view reason) { return {code, reasonTable_.intern(reason)}; }
  NodeVerdict reject(Code code, const std::vector<std::string>& reasons) { return {code, reasonTable_.intern(reasons)}; }
  ReasonTable reasonTable_;
};

}  // namespace capstan::sched
