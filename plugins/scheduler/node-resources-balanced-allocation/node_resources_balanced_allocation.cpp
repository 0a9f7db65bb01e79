#include "node_resources_balanced_allocation.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "capstan/config.h"

namespace capstan::sched {

namespace {

bool startsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// Kubernetes' IsScalarResourceName: extended (domain-prefixed, not kubernetes.io),
// hugepages, kubernetes.io-prefixed and attachable-volumes resources.
bool isScalarResourceName(std::string_view name) {
  bool extended = contains(name, "/") && !contains(name, "kubernetes.io/") && !startsWith(name, "requests.");
  return extended || startsWith(name, "hugepages-") || contains(name, "kubernetes.io/") ||
         startsWith(name, "attachable-volumes-");
}

Status decode(const std::string& yaml, NodeResourcesBalancedAllocationArgs& args) try {
  YAML::Node root = YAML::Load(yaml);
  if (root && !root.IsNull() && !root.IsMap()) return Status::invalidArgument("expected a mapping");
  ConfigReader r(root, "");
  YAML::Node resources = r.node("resources");
  if (Status s = r.finish(); !s.ok()) return s;
  if (!resources || resources.IsNull()) return {};
  if (!resources.IsSequence()) return Status::invalidArgument("resources: expected a list");

  std::vector<std::string> names;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    std::string path = "resources[" + std::to_string(i) + "]";
    ConfigReader er(resources[i], path);
    std::string name = er.get<std::string>("name", "");
    std::int64_t weight = er.get<std::int64_t>("weight", 0);
    if (Status s = er.finish(); !s.ok()) return s;
    if (name.empty()) return Status::invalidArgument(path + ".name: Required value");
    if (std::find(names.begin(), names.end(), name) != names.end())
      return Status::invalidArgument(path + ".name: Duplicate value: \"" + name + "\"");
    if (weight == 0) weight = 1;  // Kubernetes' defaulting
    if (weight != 1)
      return Status::invalidArgument(path + ".weight: Invalid value: " + std::to_string(weight) + ": must be 1");
    names.push_back(std::move(name));
  }
  if (!names.empty()) args.resources = std::move(names);
  return {};
} catch (const YAML::Exception& e) {
  return Status::invalidArgument(std::string("not valid YAML: ") + e.what());
}

using ScoredResource = NodeResourcesBalancedAllocation::ScoredResource;
using ResourceKind = NodeResourcesBalancedAllocation::ResourceKind;

// The pod's plain request (no non-zero defaults), in the order of the args' resources.
class PreScoreState final : public StateData {
 public:
  std::vector<std::int64_t> podRequests;
  std::unique_ptr<StateData> clone() const override { return std::make_unique<PreScoreState>(*this); }
};

std::int64_t podRequestFor(const PodInfo& pod, const ScoredResource& r) {
  switch (r.kind) {
    case ResourceKind::kCpu: return pod.requests.milliCpu;
    case ResourceKind::kMemory: return pod.requests.memory;
    case ResourceKind::kEphemeralStorage: return pod.requests.ephemeralStorage;
    case ResourceKind::kOther: break;
  }
  return pod.requests.scalarOf(r.name);
}

// (allocatable, requested with the pod); allocatable 0 leaves the resource out.
std::pair<std::int64_t, std::int64_t> allocatableAndRequested(const NodeInfo& node, const ScoredResource& r,
                                                              std::int64_t podRequest) {
  switch (r.kind) {
    case ResourceKind::kCpu: return {node.allocatable.milliCpu, node.requested.milliCpu + podRequest};
    case ResourceKind::kMemory: return {node.allocatable.memory, node.requested.memory + podRequest};
    case ResourceKind::kEphemeralStorage:
      return {node.allocatable.ephemeralStorage, node.requested.ephemeralStorage + podRequest};
    case ResourceKind::kOther: break;
  }
  if (podRequest == 0 && r.scalar) return {0, 0};
  for (const auto& [name, amount] : node.allocatable.scalar)
    if (name == r.name) return {amount, node.requested.scalarOf(r.name) + podRequest};
  return {0, 0};
}

}  // namespace

Result<NodeResourcesBalancedAllocationArgs> NodeResourcesBalancedAllocationArgs::parse(const std::string& yaml) {
  NodeResourcesBalancedAllocationArgs args;
  if (Status s = decode(yaml, args); !s.ok()) return s.withContext("NodeResourcesBalancedAllocation args");
  return args;
}

NodeResourcesBalancedAllocation::NodeResourcesBalancedAllocation()
    : NodeResourcesBalancedAllocation(NodeResourcesBalancedAllocationArgs{}) {}

NodeResourcesBalancedAllocation::NodeResourcesBalancedAllocation(NodeResourcesBalancedAllocationArgs args) {
  applyArgs(args);
}

void NodeResourcesBalancedAllocation::applyArgs(const NodeResourcesBalancedAllocationArgs& args) {
  scored_.clear();
  for (const auto& name : args.resources) {
    ScoredResource r;
    r.name = name;
    r.scalar = isScalarResourceName(name);
    if (name == "cpu")
      r.kind = ResourceKind::kCpu;
    else if (name == "memory")
      r.kind = ResourceKind::kMemory;
    else if (name == "ephemeral-storage")
      r.kind = ResourceKind::kEphemeralStorage;
    scored_.push_back(std::move(r));
  }
}

Status NodeResourcesBalancedAllocation::init(Host&, const PluginConfig& config) {
  auto args = NodeResourcesBalancedAllocationArgs::parse(config.argsYaml);
  if (!args.ok()) return args.status();
  applyArgs(args.value());
  return {};
}

void* NodeResourcesBalancedAllocation::queryInterface(std::string_view kind) {
  if (kind == PreScorePlugin::kKind) return static_cast<PreScorePlugin*>(this);
  if (kind == ScorePlugin::kKind) return static_cast<ScorePlugin*>(this);
  return nullptr;
}

StageStatus NodeResourcesBalancedAllocation::preScore(CycleContext& ctx, const PodInfo& pod,
                                                      std::span<const NodeInfo* const>) {
  auto state = std::make_unique<PreScoreState>();
  state->podRequests.reserve(scored_.size());
  for (const auto& r : scored_) state->podRequests.push_back(podRequestFor(pod, r));
  ctx.state.write(kPreScoreStateKey, std::move(state));
  return {};
}

std::int64_t NodeResourcesBalancedAllocation::scoreNode(const NodeInfo& node, const std::int64_t* podRequests) const {
  // Kubernetes' balancedResourceScorer, without collecting the fractions in a list: the
  // rare case of more than two resources walks them twice instead.
  auto fractionOf = [&](std::size_t i, double& fraction) {
    auto [allocatable, requested] = allocatableAndRequested(node, scored_[i], podRequests[i]);
    if (allocatable == 0) return false;
    fraction = std::min(static_cast<double>(requested) / static_cast<double>(allocatable), 1.0);
    return true;
  };
  std::size_t count = 0;
  double total = 0, first = 0, second = 0;
  for (std::size_t i = 0; i < scored_.size(); ++i) {
    double fraction;
    if (!fractionOf(i, fraction)) continue;
    if (count == 0) first = fraction;
    if (count == 1) second = fraction;
    total += fraction;
    ++count;
  }
  double std = 0;
  if (count == 2) {
    std = std::abs((first - second) / 2);
  } else if (count > 2) {
    double mean = total / static_cast<double>(count);
    double sum = 0;
    for (std::size_t i = 0; i < scored_.size(); ++i) {
      double fraction;
      if (fractionOf(i, fraction)) sum = sum + (fraction - mean) * (fraction - mean);
    }
    std = std::sqrt(sum / static_cast<double>(count));
  }
  return static_cast<std::int64_t>((1 - std) * static_cast<double>(kMaxNodeScore));
}

StageStatus NodeResourcesBalancedAllocation::score(CycleContext& ctx, const PodInfo& pod,
                                                   std::span<const NodeInfo* const> nodes,
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
