#include "node_resources_fit.h"

#include <atomic>
#include <cmath>
#include <memory>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "capstan/config.h"

namespace capstan::sched {

namespace {

// ---------------------------------------------------------------------------------------
// Resource names (Kubernetes' v1helper predicates).

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// Native resources have no domain or a kubernetes.io one; everything else with a domain
// (nvidia.com/gpu) is extended. Only extended resources can be ignored.
bool isExtendedResourceName(std::string_view name) {
  return contains(name, "/") && !contains(name, "kubernetes.io/") && !startsWith(name, "requests.");
}

bool isScalarResourceName(std::string_view name) {
  return isExtendedResourceName(name) || startsWith(name, "hugepages-") || contains(name, "kubernetes.io/") ||
         startsWith(name, "attachable-volumes-");
}

// ---------------------------------------------------------------------------------------
// Args decoding: field errors in Kubernetes' wording ("<path>: Invalid value: ...").

std::string invalid(const std::string& path, const std::string& value, std::string_view detail) {
  return path + ": Invalid value: " + value + ": " + std::string(detail);
}

constexpr std::string_view kQualifiedNameRule =
    "must be a qualified name: an optional DNS subdomain prefix and '/', then at most 63 alphanumeric characters, "
    "'-', '_' or '.', starting and ending with an alphanumeric character";

// The strings of the list at `key`; a non-list or non-string item is recorded on `r`.
std::vector<std::string> stringList(ConfigReader& r, std::string_view key) {
  std::vector<std::string> out;
  YAML::Node list = r.node(key);
  if (!list || list.IsNull()) return out;
  if (!list.IsSequence()) {
    r.fail(r.childPath(key) + ": expected a list");
    return out;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].IsScalar()) {
      r.fail(r.childPath(key) + "[" + std::to_string(i) + "]: expected a string");
      return out;
    }
    out.push_back(list[i].Scalar());
  }
  return out;
}

Status decode(const std::string& yaml, NodeResourcesFitArgs& args) try {
  YAML::Node root = YAML::Load(yaml);
  if (root && !root.IsNull() && !root.IsMap()) return Status::invalidArgument("expected a mapping");
  ConfigReader r(root, "");
  args.ignoredResources = stringList(r, "ignoredResources");
  args.ignoredResourceGroups = stringList(r, "ignoredResourceGroups");
  YAML::Node strategy = r.node("scoringStrategy");
  if (Status s = r.finish(); !s.ok()) return s;

  bool haveRatio = false;
  if (strategy && !strategy.IsNull()) {
    ConfigReader sr(strategy, "scoringStrategy");
    // Kubernetes leaves an omitted type empty (and rejects it); LeastAllocated is friendlier.
    std::string type = sr.get<std::string>("type", "LeastAllocated");
    YAML::Node resources = sr.node("resources");
    YAML::Node ratio = sr.node("requestedToCapacityRatio");
    if (Status s = sr.finish(); !s.ok()) return s;

    if (type == "LeastAllocated") {
      args.type = ScoringStrategyType::kLeastAllocated;
    } else if (type == "MostAllocated") {
      args.type = ScoringStrategyType::kMostAllocated;
    } else if (type == "RequestedToCapacityRatio") {
      args.type = ScoringStrategyType::kRequestedToCapacityRatio;
    } else {
      return Status::invalidArgument("scoringStrategy.type: Unsupported value: \"" + type +
                                     "\": supported values: \"LeastAllocated\", \"MostAllocated\", "
                                     "\"RequestedToCapacityRatio\"");
    }

    if (resources && !resources.IsNull()) {
      if (!resources.IsSequence()) return Status::invalidArgument("scoringStrategy.resources: expected a list");
      std::vector<ResourceSpec> specs;
      for (std::size_t i = 0; i < resources.size(); ++i) {
        std::string path = "scoringStrategy.resources[" + std::to_string(i) + "]";
        ConfigReader er(resources[i], path);
        ResourceSpec spec;
        spec.name = er.get<std::string>("name", "");
        spec.weight = er.get<std::int64_t>("weight", 0);
        if (Status s = er.finish(); !s.ok()) return s;
        if (spec.name.empty()) return Status::invalidArgument(path + ".name: Required value");
        if (spec.weight == 0) spec.weight = 1;  // Kubernetes' defaulting
        if (spec.weight < 0 || spec.weight > 100)
          return Status::invalidArgument(invalid(path + ".weight", std::to_string(spec.weight),
                                                 "resource weight of " + spec.name + " not in valid range (0, 100]"));
        specs.push_back(std::move(spec));
      }
      if (!specs.empty()) args.resources = std::move(specs);
    }

    if (ratio && !ratio.IsNull()) {
      haveRatio = true;
      const std::string ratioPath = "scoringStrategy.requestedToCapacityRatio";
      ConfigReader rr(ratio, ratioPath);
      YAML::Node shape = rr.node("shape");
      if (Status s = rr.finish(); !s.ok()) return s;
      if (shape && !shape.IsNull() && !shape.IsSequence())
        return Status::invalidArgument(ratioPath + ".shape: expected a list");
      for (std::size_t i = 0; shape && shape.IsSequence() && i < shape.size(); ++i) {
        std::string path = ratioPath + ".shape[" + std::to_string(i) + "]";
        ConfigReader pr(shape[i], path);
        UtilizationShapePoint point;
        point.utilization = pr.get<std::int32_t>("utilization", 0);
        point.score = pr.get<std::int32_t>("score", 0);
        if (Status s = pr.finish(); !s.ok()) return s;
        if (point.utilization < 0 || point.utilization > 100)
          return Status::invalidArgument(
              invalid(path + ".utilization", std::to_string(point.utilization), "not in valid range [0, 100]"));
        if (point.score < 0 || point.score > 10)
          return Status::invalidArgument(
              invalid(path + ".score", std::to_string(point.score), "not in valid range [0, 10]"));
        if (i > 0 && args.shape.back().utilization >= point.utilization)
          return Status::invalidArgument(invalid(path + ".utilization", std::to_string(point.utilization),
                                                 "values must be sorted in increasing order"));
        args.shape.push_back(point);
      }
      if (args.shape.empty())
        return Status::invalidArgument(ratioPath + ".shape: Required value: at least one point must be specified");
    }
  }
  if (args.type == ScoringStrategyType::kRequestedToCapacityRatio && !haveRatio)
    return Status::invalidArgument(
        "scoringStrategy.requestedToCapacityRatio: Required value: must be specified when type is "
        "RequestedToCapacityRatio");

  for (std::size_t i = 0; i < args.ignoredResources.size(); ++i) {
    const std::string& name = args.ignoredResources[i];
    if (!isQualifiedName(name))
      return Status::invalidArgument(
          invalid("ignoredResources[" + std::to_string(i) + "]", "\"" + name + "\"", kQualifiedNameRule));
  }
  for (std::size_t i = 0; i < args.ignoredResourceGroups.size(); ++i) {
    const std::string& group = args.ignoredResourceGroups[i];
    std::string path = "ignoredResourceGroups[" + std::to_string(i) + "]";
    if (contains(group, "/"))
      return Status::invalidArgument(invalid(path, "\"" + group + "\"", "resource group name can't contain '/'"));
    if (!isQualifiedName(group)) return Status::invalidArgument(invalid(path, "\"" + group + "\"", kQualifiedNameRule));
  }
  return {};
} catch (const YAML::Exception& e) {
  return Status::invalidArgument(std::string("not valid YAML: ") + e.what());
}

// ---------------------------------------------------------------------------------------
// Per-pod cycle state.

// What Filter checks for the pod, computed once by PreFilter: the requests, the extended
// resources left after ignoredResources/ignoredResourceGroups, and their failure texts.
class PreFilterState final : public StateData {
 public:
  // Failure bits: pods, cpu, memory, ephemeral-storage, then one per scalar resource.
  static constexpr std::uint64_t kTooManyPods = 1, kCpu = 2, kMemory = 4, kEphemeralStorage = 8;
  static constexpr std::size_t kFirstScalarBit = 4;
  // Reason ids are cached per failure mask when the mask has at most this many bits.
  static constexpr std::size_t kMaxCachedBits = 8;

  std::int64_t milliCpu = 0;
  std::int64_t memory = 0;
  std::int64_t ephemeralStorage = 0;
  std::vector<std::pair<std::string, std::int64_t>> scalars;  // requested > 0, checked
  std::vector<std::string> scalarReasons;                     // "Insufficient <name>"

  void prepareCache() {
    std::size_t bits = kFirstScalarBit + scalars.size();
    if (bits > kMaxCachedBits) return;
    cacheSize_ = std::size_t{1} << bits;
    cache_ = std::make_unique<std::atomic<std::uint32_t>[]>(cacheSize_);
  }

  std::unique_ptr<StateData> clone() const override {
    auto copy = std::make_unique<PreFilterState>();
    copy->milliCpu = milliCpu;
    copy->memory = memory;
    copy->ephemeralStorage = ephemeralStorage;
    copy->scalars = scalars;
    copy->scalarReasons = scalarReasons;
    copy->prepareCache();
    return copy;
  }

  // Kubernetes' fitsRequest. Allocation-free unless the node does not fit.
  NodeVerdict check(const NodeInfo& node, ReasonTable& table) const {
    std::uint64_t mask = 0;
    bool failed = false;
    auto fail = [&](std::size_t bit) {
      failed = true;
      if (bit < 64) mask |= std::uint64_t{1} << bit;
    };
    if (static_cast<std::int64_t>(node.pods.size()) + 1 > node.allocatable.pods) fail(0);
    if (milliCpu > 0 && milliCpu > node.allocatable.milliCpu - node.requested.milliCpu) fail(1);
    if (memory > 0 && memory > node.allocatable.memory - node.requested.memory) fail(2);
    if (ephemeralStorage > 0 && ephemeralStorage > node.allocatable.ephemeralStorage - node.requested.ephemeralStorage)
      fail(3);
    for (std::size_t j = 0; j < scalars.size(); ++j) {
      const auto& [name, amount] = scalars[j];
      if (amount > node.allocatable.scalarOf(name) - node.requested.scalarOf(name)) fail(kFirstScalarBit + j);
    }
    if (!failed) return {};

    if (cache_ && mask < cacheSize_) {
      std::uint32_t cached = cache_[mask].load(std::memory_order_relaxed);
      if (cached != 0) return {Code::kUnschedulable, cached - 1};
      std::uint32_t id = table.intern(texts(node));
      cache_[mask].store(id + 1, std::memory_order_relaxed);
      return {Code::kUnschedulable, id};
    }
    return {Code::kUnschedulable, table.intern(texts(node))};
  }

 private:
  // Every insufficient resource of `node`, in Kubernetes' order (pods, cpu, memory,
  // ephemeral-storage, then extended resources by name).
  std::vector<std::string> texts(const NodeInfo& node) const {
    std::vector<std::string> out;
    if (static_cast<std::int64_t>(node.pods.size()) + 1 > node.allocatable.pods) out.emplace_back("Too many pods");
    if (milliCpu > 0 && milliCpu > node.allocatable.milliCpu - node.requested.milliCpu)
      out.emplace_back("Insufficient cpu");
    if (memory > 0 && memory > node.allocatable.memory - node.requested.memory) out.emplace_back("Insufficient memory");
    if (ephemeralStorage > 0 && ephemeralStorage > node.allocatable.ephemeralStorage - node.requested.ephemeralStorage)
      out.emplace_back("Insufficient ephemeral-storage");
    for (std::size_t j = 0; j < scalars.size(); ++j) {
      const auto& [name, amount] = scalars[j];
      if (amount > node.allocatable.scalarOf(name) - node.requested.scalarOf(name)) out.push_back(scalarReasons[j]);
    }
    return out;
  }

  // Reason id + 1 per failure mask (0: not interned yet); shared by concurrent Filter chunks.
  std::unique_ptr<std::atomic<std::uint32_t>[]> cache_;
  std::size_t cacheSize_ = 0;
};

// The pod's request of each scored resource, in the order of the args' resources.
class PreScoreState final : public StateData {
 public:
  std::vector<std::int64_t> podRequests;
  std::unique_ptr<StateData> clone() const override { return std::make_unique<PreScoreState>(*this); }
};

// ---------------------------------------------------------------------------------------
// Scoring (Kubernetes' resourceAllocationScorer and the three strategies).

using ScoredResource = NodeResourcesFit::ScoredResource;
using ResourceKind = NodeResourcesFit::ResourceKind;

// Scoring counts containers without cpu/memory requests at Kubernetes' defaults.
std::int64_t podRequestFor(const PodInfo& pod, const ScoredResource& r) {
  switch (r.kind) {
    case ResourceKind::kCpu: return pod.nonZeroMilliCpu;
    case ResourceKind::kMemory: return pod.nonZeroMemory;
    case ResourceKind::kEphemeralStorage: return pod.requests.ephemeralStorage;
    case ResourceKind::kOther: break;
  }
  return pod.requests.scalarOf(r.name);
}

// (allocatable, requested with the pod); allocatable 0 leaves the resource out of the score.
std::pair<std::int64_t, std::int64_t> allocatableAndRequested(const NodeInfo& node, const ScoredResource& r,
                                                              std::int64_t podRequest) {
  switch (r.kind) {
    case ResourceKind::kCpu: return {node.allocatable.milliCpu, node.nonZeroMilliCpu + podRequest};
    case ResourceKind::kMemory: return {node.allocatable.memory, node.nonZeroMemory + podRequest};
    case ResourceKind::kEphemeralStorage:
      return {node.allocatable.ephemeralStorage, node.requested.ephemeralStorage + podRequest};
    case ResourceKind::kOther: break;
  }
  if (podRequest == 0 && r.scalar) return {0, 0};
  for (const auto& [name, amount] : node.allocatable.scalar)
    if (name == r.name) return {amount, node.requested.scalarOf(r.name) + podRequest};
  return {0, 0};
}

std::int64_t leastRequestedScore(std::int64_t requested, std::int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

std::int64_t mostRequestedScore(std::int64_t requested, std::int64_t capacity) {
  if (capacity == 0) return 0;
  // Requests can exceed capacity because of the non-zero defaults.
  if (requested > capacity) requested = capacity;
  return requested * kMaxNodeScore / capacity;
}

// helper.BuildBrokenLinearFunction over (utilization, score) points.
std::int64_t brokenLinear(const std::vector<std::pair<std::int64_t, std::int64_t>>& shape, std::int64_t p) {
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (p <= shape[i].first) {
      if (i == 0) return shape[0].second;
      const auto& [u0, s0] = shape[i - 1];
      const auto& [u1, s1] = shape[i];
      return s0 + (s1 - s0) * (p - u0) / (u1 - u0);
    }
  }
  return shape.back().second;
}

}  // namespace

// ---------------------------------------------------------------------------------------

Result<NodeResourcesFitArgs> NodeResourcesFitArgs::parse(const std::string& yaml) {
  NodeResourcesFitArgs args;
  if (Status s = decode(yaml, args); !s.ok()) return s.withContext("NodeResourcesFit args");
  return args;
}

NodeResourcesFit::NodeResourcesFit() : NodeResourcesFit(NodeResourcesFitArgs{}) {}

NodeResourcesFit::NodeResourcesFit(NodeResourcesFitArgs args) {
  missingStateReason_ = reasonTable_.intern("reading \"PreFilterNodeResourcesFit\" from cycleState: not found");
  applyArgs(std::move(args));
}

void NodeResourcesFit::applyArgs(NodeResourcesFitArgs args) {
  args_ = std::move(args);
  scored_.clear();
  for (const auto& spec : args_.resources) {
    ScoredResource r;
    r.name = spec.name;
    r.weight = spec.weight;
    r.scalar = isScalarResourceName(spec.name);
    if (spec.name == "cpu")
      r.kind = ResourceKind::kCpu;
    else if (spec.name == "memory")
      r.kind = ResourceKind::kMemory;
    else if (spec.name == "ephemeral-storage")
      r.kind = ResourceKind::kEphemeralStorage;
    scored_.push_back(std::move(r));
  }
  shape_.clear();
  // Shape scores are 0..10 (MaxCustomPriorityScore); node scores are 0..100.
  for (const auto& p : args_.shape) shape_.emplace_back(p.utilization, std::int64_t{p.score} * (kMaxNodeScore / 10));
}

Status NodeResourcesFit::init(Host&, const PluginConfig& config) {
  auto args = NodeResourcesFitArgs::parse(config.argsYaml);
  if (!args.ok()) return args.status();
  applyArgs(std::move(args.value()));
  return {};
}

void* NodeResourcesFit::queryInterface(std::string_view kind) {
  if (kind == PreFilterPlugin::kKind) return static_cast<PreFilterPlugin*>(this);
  if (kind == FilterPlugin::kKind) return static_cast<FilterPlugin*>(this);
  if (kind == PreScorePlugin::kKind) return static_cast<PreScorePlugin*>(this);
  if (kind == ScorePlugin::kKind) return static_cast<ScorePlugin*>(this);
  return nullptr;
}

bool NodeResourcesFit::ignored(std::string_view resource) const {
  if (!isExtendedResourceName(resource)) return false;
  for (const auto& name : args_.ignoredResources)
    if (name == resource) return true;
  std::string_view group = resource.substr(0, resource.find('/'));
  for (const auto& g : args_.ignoredResourceGroups)
    if (g == group) return true;
  return false;
}

PreFilterResult NodeResourcesFit::preFilter(CycleContext& ctx, const PodInfo& pod) {
  auto state = std::make_unique<PreFilterState>();
  state->milliCpu = pod.requests.milliCpu;
  state->memory = pod.requests.memory;
  state->ephemeralStorage = pod.requests.ephemeralStorage;
  for (const auto& [name, amount] : pod.requests.scalar) {
    if (amount == 0 || ignored(name)) continue;
    state->scalars.emplace_back(name, amount);
    state->scalarReasons.push_back("Insufficient " + name);
  }
  state->prepareCache();
  ctx.state.write(kPreFilterStateKey, std::move(state));
  return {};
}

void NodeResourcesFit::filter(CycleContext& ctx, const PodInfo&, std::span<const NodeInfo* const> nodes,
                              std::span<NodeVerdict> out) {
  const auto* state = ctx.state.read<PreFilterState>(kPreFilterStateKey);
  if (!state) {
    for (auto& v : out) v = {Code::kError, missingStateReason_};
    return;
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) out[i] = state->check(*nodes[i], reasonTable_);
}

std::vector<std::string> NodeResourcesFit::reasons(std::uint32_t reason) const { return reasonTable_.texts(reason); }

StageStatus NodeResourcesFit::preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const>) {
  auto state = std::make_unique<PreScoreState>();
  state->podRequests.reserve(scored_.size());
  for (const auto& r : scored_) state->podRequests.push_back(podRequestFor(pod, r));
  ctx.state.write(kPreScoreStateKey, std::move(state));
  return {};
}

std::int64_t NodeResourcesFit::scoreNode(const NodeInfo& node, const std::int64_t* podRequests) const {
  std::int64_t nodeScore = 0, weightSum = 0;
  for (std::size_t i = 0; i < scored_.size(); ++i) {
    const ScoredResource& r = scored_[i];
    auto [allocatable, requested] = allocatableAndRequested(node, r, podRequests[i]);
    if (allocatable == 0) continue;
    switch (args_.type) {
      case ScoringStrategyType::kLeastAllocated:
        nodeScore += leastRequestedScore(requested, allocatable) * r.weight;
        weightSum += r.weight;
        break;
      case ScoringStrategyType::kMostAllocated:
        nodeScore += mostRequestedScore(requested, allocatable) * r.weight;
        weightSum += r.weight;
        break;
      case ScoringStrategyType::kRequestedToCapacityRatio: {
        std::int64_t utilization = requested > allocatable ? 100 : requested * 100 / allocatable;
        std::int64_t resourceScore = brokenLinear(shape_, utilization);
        // Kubernetes leaves resources scoring 0 out of the weighted mean.
        if (resourceScore > 0) {
          nodeScore += resourceScore * r.weight;
          weightSum += r.weight;
        }
        break;
      }
    }
  }
  if (weightSum == 0) return 0;
  if (args_.type == ScoringStrategyType::kRequestedToCapacityRatio)
    return static_cast<std::int64_t>(std::round(static_cast<double>(nodeScore) / static_cast<double>(weightSum)));
  return nodeScore / weightSum;
}

StageStatus NodeResourcesFit::score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                                    std::span<std::int64_t> scores) {
  if (scored_.empty()) return StageStatus::error("resources not found");
  const auto* state = ctx.state.read<PreScoreState>(kPreScoreStateKey);
  if (state && state->podRequests.size() == scored_.size()) {
    for (std::size_t i = 0; i < nodes.size(); ++i) scores[i] = scoreNode(*nodes[i], state->podRequests.data());
    return {};
  }
  // PreScore did not run for this pod (as Kubernetes does, compute the requests here).
  std::vector<std::int64_t> podRequests;
  for (const auto& r : scored_) podRequests.push_back(podRequestFor(pod, r));
  for (std::size_t i = 0; i < nodes.size(); ++i) scores[i] = scoreNode(*nodes[i], podRequests.data());
  return {};
}

}  // namespace capstan::sched
