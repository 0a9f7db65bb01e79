#include "pod_topology_spread.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <unordered_map>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "capstan/config.h"

namespace capstan::sched {

namespace {

constexpr std::string_view kHostnameLabel = "kubernetes.io/hostname";
constexpr std::string_view kZoneLabel = "topology.kubernetes.io/zone";

using Constraint = PodTopologySpread::Constraint;
using ConstraintList = std::shared_ptr<const std::vector<Constraint>>;

// ---------------------------------------------------------------------------------------
// Args.

// nodeAffinityPolicy / nodeTaintsPolicy: true for Honor.
bool parsePolicy(ConfigReader& r, std::string_view key, bool def, Status& error) {
  std::string value = r.get<std::string>(key, def ? "Honor" : "Ignore");
  if (value == "Honor") return true;
  if (value == "Ignore") return false;
  if (error.ok())
    error = Status::invalidArgument(r.childPath(key) + ": Unsupported value: \"" + value +
                                    "\": supported values: \"Honor\", \"Ignore\"");
  return def;
}

Status decodeConstraint(const YAML::Node& node, const std::string& path, TopologySpreadConstraint& c) {
  ConfigReader r(node, path);
  c.maxSkew = r.get<std::int32_t>("maxSkew", 0);
  c.topologyKey = r.get<std::string>("topologyKey", "");
  std::string when = r.get<std::string>("whenUnsatisfiable", "");
  YAML::Node selector = r.node("labelSelector");
  YAML::Node minDomains = r.node("minDomains");
  // Kubernetes replaces a default constraint's selector, matchLabelKeys included, by the one
  // it builds for the pod; the key is accepted and has no effect, as there.
  YAML::Node matchLabelKeys = r.node("matchLabelKeys");
  Status policyError;
  c.nodeAffinityPolicyHonor = parsePolicy(r, "nodeAffinityPolicy", true, policyError);
  c.nodeTaintsPolicyHonor = parsePolicy(r, "nodeTaintsPolicy", false, policyError);
  if (Status s = r.finish(); !s.ok()) return s;
  if (!policyError.ok()) return policyError;

  if (c.maxSkew <= 0)
    return Status::invalidArgument(path + ".maxSkew: Invalid value: " + std::to_string(c.maxSkew) +
                                   ": not in valid range (0, inf)");
  if (c.topologyKey.empty()) return Status::invalidArgument(path + ".topologyKey: Required value: can not be empty");
  if (!isQualifiedName(c.topologyKey))
    return Status::invalidArgument(path + ".topologyKey: Invalid value: \"" + c.topologyKey +
                                   "\": must be a qualified name (an optional DNS subdomain prefix and '/', then at "
                                   "most 63 alphanumeric characters, '-', '_' or '.', starting and ending with an "
                                   "alphanumeric character)");
  if (when.empty()) return Status::invalidArgument(path + ".whenUnsatisfiable: Required value: can not be empty");
  if (when != "DoNotSchedule" && when != "ScheduleAnyway")
    return Status::invalidArgument(path + ".whenUnsatisfiable: Unsupported value: \"" + when +
                                   "\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\"");
  c.doNotSchedule = when == "DoNotSchedule";
  if (selector && !selector.IsNull())
    return Status::invalidArgument(path +
                                   ".labelSelector: Forbidden: constraint must not define a selector, as they "
                                   "deduced for each pod");
  if (matchLabelKeys && !matchLabelKeys.IsNull() && !matchLabelKeys.IsSequence())
    return Status::invalidArgument(path + ".matchLabelKeys: expected a list");
  if (minDomains && !minDomains.IsNull()) {
    std::int32_t value = 0;
    try {
      value = minDomains.as<std::int32_t>();
    } catch (const YAML::Exception&) {
      return Status::invalidArgument(path + ".minDomains: expected an integer, got \"" +
                                     (minDomains.IsScalar() ? minDomains.Scalar() : std::string("a collection")) +
                                     "\"");
    }
    if (value <= 0)
      return Status::invalidArgument(path + ".minDomains: Invalid value: " + std::to_string(value) +
                                     ": must be greater than 0");
    if (!c.doNotSchedule)
      return Status::invalidArgument(path + ".minDomains: Invalid value: " + std::to_string(value) +
                                     ": can only use minDomains if whenUnsatisfiable=DoNotSchedule");
    c.minDomains = value;
  }
  return {};
}

Status decode(const std::string& yaml, PodTopologySpreadArgs& args) try {
  YAML::Node root = YAML::Load(yaml);
  if (root && !root.IsNull() && !root.IsMap()) return Status::invalidArgument("expected a mapping");
  ConfigReader r(root, "");
  YAML::Node constraints = r.node("defaultConstraints");
  std::string defaulting = r.get<std::string>("defaultingType", "System");
  if (Status s = r.finish(); !s.ok()) return s;

  if (constraints && !constraints.IsNull()) {
    if (!constraints.IsSequence()) return Status::invalidArgument("defaultConstraints: expected a list");
    for (std::size_t i = 0; i < constraints.size(); ++i) {
      std::string path = "defaultConstraints[" + std::to_string(i) + "]";
      TopologySpreadConstraint c;
      if (Status s = decodeConstraint(constraints[i], path, c); !s.ok()) return s;
      for (const auto& earlier : args.defaultConstraints)
        if (earlier.topologyKey == c.topologyKey && earlier.doNotSchedule == c.doNotSchedule)
          return Status::invalidArgument(path + ": Duplicate value: \"{" + c.topologyKey + ", " +
                                         (c.doNotSchedule ? "DoNotSchedule" : "ScheduleAnyway") + "}\"");
      args.defaultConstraints.push_back(std::move(c));
    }
  }
  if (defaulting != "System" && defaulting != "List")
    return Status::invalidArgument("defaultingType: Unsupported value: \"" + defaulting +
                                   "\": supported values: \"System\", \"List\"");
  args.systemDefaulting = defaulting == "System";
  if (args.systemDefaulting && !args.defaultConstraints.empty())
    return Status::invalidArgument("defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty");
  return {};
} catch (const YAML::Exception& e) {
  return Status::invalidArgument(std::string("not valid YAML: ") + e.what());
}

// Kubernetes' systemDefaultConstraints.
std::vector<TopologySpreadConstraint> systemDefaultConstraints() {
  TopologySpreadConstraint hostname, zone;
  hostname.topologyKey = kHostnameLabel;
  hostname.maxSkew = 3;
  hostname.doNotSchedule = false;
  zone.topologyKey = kZoneLabel;
  zone.maxSkew = 5;
  zone.doNotSchedule = false;
  return {hostname, zone};
}

// ---------------------------------------------------------------------------------------
// Node eligibility and counting.

// Kubernetes refuses to parse a requirement with the wrong number of values; the term it
// belongs to then matches nothing.
bool parsable(const Requirement& r) {
  switch (r.op) {
    case SelectorOp::kIn:
    case SelectorOp::kNotIn: return !r.values.empty();
    case SelectorOp::kExists:
    case SelectorOp::kDoesNotExist: return r.values.empty();
    case SelectorOp::kGt:
    case SelectorOp::kLt: return r.values.size() == 1;
  }
  return false;
}

bool termMatches(const NodeSelectorTerm& term, const NodeInfo& node) {
  if (term.matchExpressions.empty() && term.matchFields.empty()) return false;
  for (const auto& r : term.matchExpressions)
    if (!parsable(r) || !r.matches(findLabel(node.labels, r.key))) return false;
  // metadata.name is the only node field, with In or NotIn and a single value.
  for (const auto& r : term.matchFields)
    if (r.key != "metadata.name" || (r.op != SelectorOp::kIn && r.op != SelectorOp::kNotIn) ||
        r.values.size() != 1 || !r.matches(&node.name))
      return false;
  return true;
}

// The pod's nodeSelector and required node affinity (Kubernetes' GetRequiredNodeAffinity).
bool requiredNodeAffinityMatches(const PodInfo& pod, const NodeInfo& node) {
  for (const auto& [key, value] : pod.nodeSelector) {
    const std::string* have = findLabel(node.labels, key);
    if (!have || *have != value) return false;
  }
  if (!pod.requiredNodeAffinity) return true;
  for (const auto& term : *pod.requiredNodeAffinity)
    if (termMatches(term, node)) return true;
  return false;
}

// No NoSchedule/NoExecute taint of the node is left untolerated by the pod.
bool toleratesBlockingTaints(const PodInfo& pod, const NodeInfo& node) {
  for (const auto& taint : node.taints) {
    if (taint.effect != TaintEffect::kNoSchedule && taint.effect != TaintEffect::kNoExecute) continue;
    bool tolerated = false;
    for (const auto& t : pod.tolerations)
      if (t.tolerates(taint)) {
        tolerated = true;
        break;
      }
    if (!tolerated) return false;
  }
  return true;
}

// Whether a node counts for a constraint under its nodeAffinityPolicy/nodeTaintsPolicy;
// each check runs at most once per node.
class NodeInclusion {
 public:
  NodeInclusion(const PodInfo& pod, const NodeInfo& node) : pod_(pod), node_(node) {}
  bool includes(const Constraint& c) {
    if (c.nodeAffinityPolicyHonor) {
      if (affinity_ < 0) affinity_ = requiredNodeAffinityMatches(pod_, node_) ? 1 : 0;
      if (!affinity_) return false;
    }
    if (c.nodeTaintsPolicyHonor) {
      if (taints_ < 0) taints_ = toleratesBlockingTaints(pod_, node_) ? 1 : 0;
      if (!taints_) return false;
    }
    return true;
  }

 private:
  const PodInfo& pod_;
  const NodeInfo& node_;
  int affinity_ = -1;
  int taints_ = -1;
};

bool hasAllTopologyKeys(const NodeInfo& node, const std::vector<Constraint>& constraints) {
  for (const auto& c : constraints)
    if (!findLabel(node.labels, c.topologyKey)) return false;
  return true;
}

// Pods in `ns`, not terminating, that the constraint's selector matches.
std::int64_t countMatching(const std::vector<PodInfoPtr>& pods, const Constraint& c, const std::string& ns) {
  if (!c.selector) return 0;
  std::int64_t n = 0;
  for (const auto& p : pods)
    if (!p->terminating && p->ns == ns && c.selector->matches(p->labels)) ++n;
  return n;
}

bool sameRequirements(const LabelSelector& a, const LabelSelector& b) {
  if (a.requirements.size() != b.requirements.size()) return false;
  for (std::size_t i = 0; i < a.requirements.size(); ++i) {
    const Requirement& x = a.requirements[i];
    const Requirement& y = b.requirements[i];
    if (x.key != y.key || x.op != y.op || x.values != y.values) return false;
  }
  return true;
}

// Per-node matching pod counts, computed once per distinct selector: constraints usually
// share one (zone and hostname spreading of the same workload).
class NodeCounts {
 public:
  explicit NodeCounts(const std::vector<Constraint>& constraints)
      : constraints_(constraints), source_(constraints.size()), counts_(constraints.size()) {
    for (std::size_t i = 0; i < constraints.size(); ++i) {
      source_[i] = i;
      for (std::size_t j = 0; j < i; ++j) {
        const auto& a = constraints[i].selector;
        const auto& b = constraints[j].selector;
        if (a.has_value() == b.has_value() && (!a || sameRequirements(*a, *b))) {
          source_[i] = j;
          break;
        }
      }
    }
  }
  void reset() { std::fill(counts_.begin(), counts_.end(), -1); }
  std::int64_t count(std::size_t i, const NodeInfo& node, const std::string& ns) {
    std::int64_t& n = counts_[source_[i]];
    if (n < 0) n = countMatching(node.pods, constraints_[source_[i]], ns);
    return n;
  }

 private:
  const std::vector<Constraint>& constraints_;
  std::vector<std::size_t> source_;
  std::vector<std::int64_t> counts_;
};

// The label's value, or "" when absent (a Go map read).
const std::string& labelOrEmpty(const NodeInfo& node, const std::string& key) {
  static const std::string kEmpty;
  const std::string* v = findLabel(node.labels, key);
  return v ? *v : kEmpty;
}

// ---------------------------------------------------------------------------------------
// Filter state.

// The two domains with the fewest matching pods (Kubernetes' criticalPaths): paths[0] always
// holds the minimum; paths[1] is at least as large but not necessarily the second minimum.
struct CriticalPaths {
  struct Path {
    std::string value;
    std::int64_t matchNum = std::numeric_limits<std::int32_t>::max();
  };
  Path paths[2];

  void update(const std::string& value, std::int64_t num) {
    int i = value == paths[0].value ? 0 : value == paths[1].value ? 1 : -1;
    if (i >= 0) {
      paths[i].matchNum = num;
      if (paths[0].matchNum > paths[1].matchNum) std::swap(paths[0], paths[1]);
    } else if (num < paths[0].matchNum) {
      paths[1] = paths[0];
      paths[0] = {value, num};
    } else if (num < paths[1].matchNum) {
      paths[1] = {value, num};
    }
  }
};

class PreFilterState final : public StateData {
 public:
  ConstraintList constraints;
  // Per constraint: matching pods per domain (every domain of an eligible node, 0 included).
  std::vector<std::unordered_map<std::string, std::int64_t>> tpValueToMatchNum;
  std::vector<CriticalPaths> criticalPaths;

  std::unique_ptr<StateData> clone() const override { return std::make_unique<PreFilterState>(*this); }

  // The global minimum, taken as 0 while there are fewer eligible domains than minDomains.
  std::int64_t minMatchNum(std::size_t i, std::int32_t minDomains) const {
    if (static_cast<std::int64_t>(tpValueToMatchNum[i].size()) < minDomains) return 0;
    return criticalPaths[i].paths[0].matchNum;
  }
};

// ---------------------------------------------------------------------------------------
// Score state.

class PreScoreState final : public StateData {
 public:
  ConstraintList constraints;
  // Nodes without every topology key score 0 (unless system defaulting: then a node
  // without a zone label still gets hostname spreading).
  bool requireAllTopologies = true;
  // Per non-hostname constraint: matching pods per domain of the filtered nodes.
  std::vector<std::unordered_map<std::string, std::int64_t>> valueToPodCounts;
  std::vector<double> normalizingWeight;

  std::unique_ptr<StateData> clone() const override { return std::make_unique<PreScoreState>(*this); }

  bool ignored(const NodeInfo& node) const { return requireAllTopologies && !hasAllTopologyKeys(node, *constraints); }
};

}  // namespace

// ---------------------------------------------------------------------------------------

Result<PodTopologySpreadArgs> PodTopologySpreadArgs::parse(const std::string& yaml) {
  PodTopologySpreadArgs args;
  if (Status s = decode(yaml, args); !s.ok()) return s.withContext("PodTopologySpread args");
  return args;
}

PodTopologySpread::PodTopologySpread() : PodTopologySpread(PodTopologySpreadArgs{}) {}

PodTopologySpread::PodTopologySpread(PodTopologySpreadArgs args) {
  applyArgs(std::move(args));
  constraintsNotMatch_ = reasonTable_.intern(kReasonConstraintsNotMatch);
  nodeLabelNotMatch_ = reasonTable_.intern(kReasonNodeLabelNotMatch);
  missingState_ = reasonTable_.intern("reading \"PreFilterPodTopologySpread\" from cycleState: not found");
}

Status PodTopologySpread::init(Host&, const PluginConfig& config) {
  auto args = PodTopologySpreadArgs::parse(config.argsYaml);
  if (!args.ok()) return args.status();
  applyArgs(std::move(args.value()));
  return {};
}

void PodTopologySpread::applyArgs(PodTopologySpreadArgs args) {
  systemDefaulted_ = args.systemDefaulting;
  defaults_ = systemDefaulted_ ? systemDefaultConstraints() : std::move(args.defaultConstraints);
}

void* PodTopologySpread::queryInterface(std::string_view kind) {
  if (kind == PreFilterPlugin::kKind) return static_cast<PreFilterPlugin*>(this);
  if (kind == FilterPlugin::kKind) return static_cast<FilterPlugin*>(this);
  if (kind == PreScorePlugin::kKind) return static_cast<PreScorePlugin*>(this);
  if (kind == ScorePlugin::kKind) return static_cast<ScorePlugin*>(this);
  return nullptr;
}

std::vector<Constraint> PodTopologySpread::constraintsFor(const PodInfo& pod, bool doNotSchedule) const {
  std::vector<Constraint> out;
  auto add = [&](const TopologySpreadConstraint& c, const std::optional<LabelSelector>& selector) {
    Constraint k;
    k.maxSkew = c.maxSkew;
    k.topologyKey = c.topologyKey;
    k.selector = selector;
    k.minDomains = c.minDomains && *c.minDomains > 0 ? *c.minDomains : 1;
    k.nodeAffinityPolicyHonor = c.nodeAffinityPolicyHonor;
    k.nodeTaintsPolicyHonor = c.nodeTaintsPolicyHonor;
    k.hostname = c.topologyKey == kHostnameLabel;
    k.selfMatch = k.matches(pod);
    out.push_back(std::move(k));
  };
  if (!pod.topologySpreadConstraints.empty()) {
    for (const auto& c : pod.topologySpreadConstraints)
      if (c.doNotSchedule == doNotSchedule) add(c, c.labelSelector);
    return out;
  }
  bool any = false;
  for (const auto& c : defaults_) any = any || c.doNotSchedule == doNotSchedule;
  if (!any) return out;
  LabelSelector selector;
  for (const auto& [key, value] : pod.labels) {
    bool perReplica = false;
    for (auto skip : kPerReplicaLabels) perReplica = perReplica || key == skip;
    if (!perReplica) selector.requirements.push_back({key, SelectorOp::kIn, {value}});
  }
  if (selector.requirements.empty()) return out;
  for (const auto& c : defaults_)
    if (c.doNotSchedule == doNotSchedule) add(c, selector);
  return out;
}

// --- Filter ----------------------------------------------------------------------------

PreFilterResult PodTopologySpread::preFilter(CycleContext& ctx, const PodInfo& pod) {
  auto constraints = std::make_shared<const std::vector<Constraint>>(constraintsFor(pod, true));
  if (constraints->empty()) return {StageStatus::skip(), std::nullopt};
  const std::vector<Constraint>& cs = *constraints;

  auto state = std::make_unique<PreFilterState>();
  state->constraints = constraints;
  state->tpValueToMatchNum.resize(cs.size());
  state->criticalPaths.resize(cs.size());
  for (std::size_t i = 0; i < cs.size(); ++i)
    if (cs[i].hostname) state->tpValueToMatchNum[i].reserve(ctx.snapshot.nodes.size());

  NodeCounts counts(cs);
  for (const NodeInfo* node : ctx.snapshot.nodes) {
    if (!hasAllTopologyKeys(*node, cs)) continue;
    NodeInclusion inclusion(pod, *node);
    counts.reset();
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (!inclusion.includes(cs[i])) continue;
      const std::string& value = *findLabel(node->labels, cs[i].topologyKey);
      state->tpValueToMatchNum[i][value] += counts.count(i, *node, pod.ns);
    }
  }
  for (std::size_t i = 0; i < cs.size(); ++i)
    for (const auto& [value, num] : state->tpValueToMatchNum[i]) state->criticalPaths[i].update(value, num);

  ctx.state.write(kPreFilterStateKey, std::move(state));
  return {};
}

StageStatus PodTopologySpread::updateWithPod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other,
                                             const NodeInfo& node, int delta) {
  auto* state = ctx.state.read<PreFilterState>(kPreFilterStateKey);
  // No state: PreFilter skipped this pod (no DoNotSchedule constraints), nothing to track.
  if (!state || other.ns != pod.ns) return {};
  const std::vector<Constraint>& cs = *state->constraints;
  if (!hasAllTopologyKeys(node, cs)) return {};
  NodeInclusion inclusion(pod, node);
  for (std::size_t i = 0; i < cs.size(); ++i) {
    if (!cs[i].matches(other) || !inclusion.includes(cs[i])) continue;
    const std::string& value = *findLabel(node.labels, cs[i].topologyKey);
    std::int64_t& num = state->tpValueToMatchNum[i][value];
    num += delta;
    state->criticalPaths[i].update(value, num);
  }
  return {};
}

StageStatus PodTopologySpread::addPod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other,
                                      const NodeInfo& node) {
  return updateWithPod(ctx, pod, other, node, 1);
}

StageStatus PodTopologySpread::removePod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other,
                                         const NodeInfo& node) {
  return updateWithPod(ctx, pod, other, node, -1);
}

void PodTopologySpread::filter(CycleContext& ctx, const PodInfo&, std::span<const NodeInfo* const> nodes,
                               std::span<NodeVerdict> out) {
  const auto* state = ctx.state.read<PreFilterState>(kPreFilterStateKey);
  if (!state) {
    for (auto& v : out) v = {Code::kError, missingState_};
    return;
  }
  const std::vector<Constraint>& cs = *state->constraints;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const NodeInfo& node = *nodes[k];
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const Constraint& c = cs[i];
      const std::string* value = findLabel(node.labels, c.topologyKey);
      if (!value) {
        out[k] = {Code::kUnschedulableAndUnresolvable, nodeLabelNotMatch_};
        break;
      }
      const auto& counts = state->tpValueToMatchNum[i];
      auto it = counts.find(*value);
      std::int64_t matchNum = it == counts.end() ? 0 : it->second;
      std::int64_t skew = matchNum + (c.selfMatch ? 1 : 0) - state->minMatchNum(i, c.minDomains);
      if (skew > c.maxSkew) {
        out[k] = {Code::kUnschedulable, constraintsNotMatch_};
        break;
      }
    }
  }
}

std::vector<std::string> PodTopologySpread::reasons(std::uint32_t reason) const { return reasonTable_.texts(reason); }

// --- Score -----------------------------------------------------------------------------

StageStatus PodTopologySpread::preScore(CycleContext& ctx, const PodInfo& pod,
                                        std::span<const NodeInfo* const> filteredNodes) {
  if (ctx.snapshot.nodes.empty()) return StageStatus::skip();
  auto constraints = std::make_shared<const std::vector<Constraint>>(constraintsFor(pod, false));
  if (constraints->empty()) return StageStatus::skip();
  const std::vector<Constraint>& cs = *constraints;

  auto state = std::make_unique<PreScoreState>();
  state->constraints = constraints;
  state->requireAllTopologies = !pod.topologySpreadConstraints.empty() || !systemDefaulted_;
  state->valueToPodCounts.resize(cs.size());

  // Domains are those of the filtered nodes; their sizes weigh each constraint.
  std::vector<std::size_t> domains(cs.size(), 0);
  std::size_t ignoredNodes = 0;
  for (const NodeInfo* node : filteredNodes) {
    if (state->ignored(*node)) {
      ++ignoredNodes;
      continue;
    }
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (cs[i].hostname) continue;  // counted per node in Score
      if (state->valueToPodCounts[i].try_emplace(labelOrEmpty(*node, cs[i].topologyKey), 0).second) ++domains[i];
    }
  }
  state->normalizingWeight.resize(cs.size());
  for (std::size_t i = 0; i < cs.size(); ++i) {
    std::size_t size = cs[i].hostname ? filteredNodes.size() - ignoredNodes : domains[i];
    // log(size + 2): pod counts of smaller topologies are not watered down by bigger ones.
    state->normalizingWeight[i] = std::log(static_cast<double>(size + 2));
  }

  // Pods are counted over every node of the cluster, in the filtered nodes' domains.
  NodeCounts counts(cs);
  for (const NodeInfo* node : ctx.snapshot.nodes) {
    if (state->ignored(*node)) continue;
    NodeInclusion inclusion(pod, *node);
    counts.reset();
    for (std::size_t i = 0; i < cs.size(); ++i) {
      if (cs[i].hostname || !inclusion.includes(cs[i])) continue;
      auto& domainCounts = state->valueToPodCounts[i];
      auto it = domainCounts.find(labelOrEmpty(*node, cs[i].topologyKey));
      if (it != domainCounts.end()) it->second += counts.count(i, *node, pod.ns);
    }
  }
  ctx.state.write(kPreScoreStateKey, std::move(state));
  return {};
}

StageStatus PodTopologySpread::score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                                     std::span<std::int64_t> scores) {
  const auto* state = ctx.state.read<PreScoreState>(kPreScoreStateKey);
  if (!state) return StageStatus::error("reading \"PreScorePodTopologySpread\" from cycleState: not found");
  const std::vector<Constraint>& cs = *state->constraints;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const NodeInfo& node = *nodes[k];
    if (state->ignored(node)) {
      scores[k] = 0;
      continue;
    }
    double score = 0;
    for (std::size_t i = 0; i < cs.size(); ++i) {
      const std::string* value = findLabel(node.labels, cs[i].topologyKey);
      if (!value) continue;
      std::int64_t count = 0;
      if (cs[i].hostname) {
        count = countMatching(node.pods, cs[i], pod.ns);
      } else {
        const auto& counts = state->valueToPodCounts[i];
        auto it = counts.find(*value);
        if (it != counts.end()) count = it->second;
      }
      // maxSkew - 1 waters differences between domains down: the score's tolerance to skew.
      score += static_cast<double>(count) * state->normalizingWeight[i] + static_cast<double>(cs[i].maxSkew - 1);
    }
    scores[k] = static_cast<std::int64_t>(std::round(score));
  }
  return {};
}

StageStatus PodTopologySpread::normalize(CycleContext& ctx, const PodInfo&, std::span<const NodeInfo* const> nodes,
                                         std::span<std::int64_t> scores) {
  const auto* state = ctx.state.read<PreScoreState>(kPreScoreStateKey);
  if (!state) return StageStatus::error("reading \"PreScorePodTopologySpread\" from cycleState: not found");
  std::int64_t minScore = std::numeric_limits<std::int64_t>::max(), maxScore = 0;
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    if (state->ignored(*nodes[k])) continue;
    minScore = std::min(minScore, scores[k]);
    maxScore = std::max(maxScore, scores[k]);
  }
  // Fewer matching pods is better: reverse, relative to the best and worst node.
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    if (state->ignored(*nodes[k]))
      scores[k] = 0;
    else if (maxScore == 0)
      scores[k] = kMaxNodeScore;
    else
      scores[k] = kMaxNodeScore * (maxScore + minScore - scores[k]) / maxScore;
  }
  return {};
}

}  // namespace capstan::sched
