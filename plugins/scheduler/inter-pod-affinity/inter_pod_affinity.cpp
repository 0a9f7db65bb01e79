#include "inter_pod_affinity.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include <yaml-cpp/yaml.h>

#include "capstan/config.h"

namespace capstan::sched {

namespace {

constexpr std::int32_t kMinHardPodAffinityWeight = 0;
constexpr std::int32_t kMaxHardPodAffinityWeight = 100;

// ---------------------------------------------------------------------------------------
// Args.

Status decode(const std::string& yaml, InterPodAffinityArgs& args) try {
  YAML::Node root = YAML::Load(yaml);
  if (root && !root.IsNull() && !root.IsMap()) return Status::invalidArgument("expected a mapping");
  ConfigReader r(root, "");
  args.hardPodAffinityWeight = r.get<std::int32_t>("hardPodAffinityWeight", args.hardPodAffinityWeight);
  args.ignorePreferredTermsOfExistingPods =
      r.get<bool>("ignorePreferredTermsOfExistingPods", args.ignorePreferredTermsOfExistingPods);
  if (Status s = r.finish(); !s.ok()) return s;
  if (args.hardPodAffinityWeight < kMinHardPodAffinityWeight || args.hardPodAffinityWeight > kMaxHardPodAffinityWeight)
    return Status::invalidArgument(
        "hardPodAffinityWeight: Invalid value: " + std::to_string(args.hardPodAffinityWeight) +
        ": not in valid range [" + std::to_string(kMinHardPodAffinityWeight) + ", " +
        std::to_string(kMaxHardPodAffinityWeight) + "]");
  return {};
} catch (const YAML::Exception& e) {
  return Status::invalidArgument(std::string("not valid YAML: ") + e.what());
}

// ---------------------------------------------------------------------------------------
// Topology pairs.

// Lets the maps below be searched with a string_view (a node's label) without a copy.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

// Sums per topology pair (topologyKey, value), grouped by key so that a node is looked up
// with one label search per key. A pair whose sum returns to 0 is dropped, as from
// Kubernetes' map, so empty() means no pair holds anything.
class TopologyPairCounts {
 public:
  // The index of `key`, added when new. Keys are never removed, so indexes stay valid.
  std::size_t keyIndex(std::string_view key) {
    for (std::size_t k = 0; k < keys_.size(); ++k)
      if (keys_[k].key == key) return k;
    keys_.push_back({std::string(key), {}});
    return keys_.size() - 1;
  }

  // Adds `delta` to the pair of key `k` and the node's value for it. False (nothing
  // changes) when the node lacks the label.
  bool add(std::size_t k, const NodeInfo& node, std::int64_t delta) {
    const std::string* value = findLabel(node.labels, keys_[k].key);
    if (!value) return false;
    auto& values = keys_[k].values;
    auto it = values.find(std::string_view(*value));
    if (it == values.end()) {
      if (delta != 0) {
        values.emplace(*value, delta);
        ++pairs_;
      }
    } else if ((it->second += delta) == 0) {
      values.erase(it);
      --pairs_;
    }
    return true;
  }

  std::int64_t get(std::size_t k, std::string_view value) const {
    const auto& values = keys_[k].values;
    auto it = values.find(value);
    return it == values.end() ? 0 : it->second;
  }

  bool empty() const { return pairs_ == 0; }

  // Whether a pair of the node's labels has a positive count.
  bool anyPositive(const Labels& labels) const {
    for (const auto& k : keys_) {
      if (k.values.empty()) continue;
      const std::string* value = findLabel(labels, k.key);
      if (!value) continue;
      auto it = k.values.find(std::string_view(*value));
      if (it != k.values.end() && it->second > 0) return true;
    }
    return false;
  }

  // The sum over the node's pairs.
  std::int64_t sumFor(const Labels& labels) const {
    std::int64_t sum = 0;
    for (const auto& k : keys_) {
      if (k.values.empty()) continue;
      const std::string* value = findLabel(labels, k.key);
      if (!value) continue;
      auto it = k.values.find(std::string_view(*value));
      if (it != k.values.end()) sum += it->second;
    }
    return sum;
  }

 private:
  struct Key {
    std::string key;
    std::unordered_map<std::string, std::int64_t, StringHash, std::equal_to<>> values;
  };
  std::vector<Key> keys_;
  std::size_t pairs_ = 0;
};

// ---------------------------------------------------------------------------------------
// Terms.

const Labels& namespaceLabelsOf(const Snapshot& snapshot, const std::string& ns) {
  static const Labels kNone;
  auto it = snapshot.namespaceLabels.find(ns);
  // A namespace the scheduler does not know has no labels (Kubernetes assumes the same).
  return it == snapshot.namespaceLabels.end() ? kNone : it->second;
}

// A term of the incoming pod, resolved once per cycle: its namespaces defaulted to the
// pod's own when it names none and has no namespaceSelector, and a non-empty
// namespaceSelector replaced by the namespaces it selects now. Matching a pod then needs
// no lookup of that pod's namespace labels.
struct Term {
  std::optional<LabelSelector> selector;  // absent: matches no pod
  std::vector<std::string> namespaces;    // sorted, unique
  bool anyNamespace = false;              // an empty namespaceSelector selects every namespace
  std::string topologyKey;
  std::size_t key = 0;      // index of topologyKey in the counts the term feeds
  std::int64_t weight = 0;  // Score: +weight for affinity, -weight for anti-affinity

  bool matches(const PodInfo& p) const {
    if (!anyNamespace && !std::binary_search(namespaces.begin(), namespaces.end(), p.ns)) return false;
    return selector && selector->matches(p.labels);
  }
};

Term resolveTerm(const PodAffinityTerm& t, const PodInfo& pod, const Snapshot& snapshot) {
  Term out;
  out.selector = t.labelSelector;
  out.topologyKey = t.topologyKey;
  out.namespaces = t.namespaces;
  if (t.namespaces.empty() && !t.namespaceSelector) out.namespaces.push_back(pod.ns);
  if (t.namespaceSelector) {
    if (t.namespaceSelector->requirements.empty()) {
      out.anyNamespace = true;
    } else {
      for (const auto& [name, labels] : snapshot.namespaceLabels)
        if (t.namespaceSelector->matches(labels)) out.namespaces.push_back(name);
    }
  }
  std::sort(out.namespaces.begin(), out.namespaces.end());
  out.namespaces.erase(std::unique(out.namespaces.begin(), out.namespaces.end()), out.namespaces.end());
  return out;
}

bool matchesAll(const std::vector<Term>& terms, const PodInfo& p) {
  if (terms.empty()) return false;
  for (const Term& t : terms)
    if (!t.matches(p)) return false;
  return true;
}

// Whether `pod` matches a term of the existing pod `owner`. The term's namespaces default to
// the owner's; its namespaceSelector is matched against `podNamespaceLabels`.
bool existingTermMatches(const PodAffinityTerm& t, const PodInfo& owner, const PodInfo& pod,
                         const Labels& podNamespaceLabels) {
  bool inNamespace = false;
  if (t.namespaces.empty() && !t.namespaceSelector)
    inNamespace = owner.ns == pod.ns;
  else
    inNamespace = std::find(t.namespaces.begin(), t.namespaces.end(), pod.ns) != t.namespaces.end() ||
                  (t.namespaceSelector && t.namespaceSelector->matches(podNamespaceLabels));
  return inNamespace && t.labelSelector && t.labelSelector->matches(pod.labels);
}

// ---------------------------------------------------------------------------------------
// Filter state.

// The incoming pod's required terms; fixed for the cycle, so clones of the state share them.
struct RequiredTerms {
  std::vector<Term> affinity;      // keys index PreFilterState::affinity
  std::vector<Term> antiAffinity;  // keys index PreFilterState::antiAffinity
  bool selfMatchesAffinity = false;
  Labels namespaceLabels;  // of the incoming pod's namespace, for existing pods' terms
};

class PreFilterState final : public StateData {
 public:
  std::shared_ptr<const RequiredTerms> terms;
  // Per topology pair: existing pods' required anti-affinity terms the incoming pod matches.
  TopologyPairCounts existingAntiAffinity;
  // Per topology pair: existing pods matching all of the incoming pod's affinity terms,
  // counted once for each term with that topology key.
  TopologyPairCounts affinity;
  // Per topology pair: existing pods matching one of the incoming pod's anti-affinity terms,
  // counted once for each term they match.
  TopologyPairCounts antiAffinity;

  std::unique_ptr<StateData> clone() const override { return std::make_unique<PreFilterState>(*this); }
};

bool satisfiesPodAffinity(const PreFilterState& s, const NodeInfo& node) {
  bool podsExist = true;
  for (const Term& t : s.terms->affinity) {
    const std::string* value = findLabel(node.labels, t.topologyKey);
    if (!value) return false;  // the node must have every topology key
    if (s.affinity.get(t.key, *value) <= 0) podsExist = false;
  }
  // No pod anywhere matches: the incoming pod may be the first of a group with affinity to
  // itself, which would stay pending forever were it refused.
  return podsExist || (s.affinity.empty() && s.terms->selfMatchesAffinity);
}

bool satisfiesPodAntiAffinity(const PreFilterState& s, const NodeInfo& node) {
  if (s.antiAffinity.empty()) return true;
  for (const Term& t : s.terms->antiAffinity) {
    const std::string* value = findLabel(node.labels, t.topologyKey);
    if (value && s.antiAffinity.get(t.key, *value) > 0) return false;
  }
  return true;
}

bool satisfiesExistingPodsAntiAffinity(const PreFilterState& s, const NodeInfo& node) {
  return s.existingAntiAffinity.empty() || !s.existingAntiAffinity.anyPositive(node.labels);
}

// ---------------------------------------------------------------------------------------
// Score state.

class PreScoreState final : public StateData {
 public:
  // Per topology pair: the summed weights of the terms matched there.
  TopologyPairCounts topologyScore;

  std::unique_ptr<StateData> clone() const override { return std::make_unique<PreScoreState>(*this); }
};

}  // namespace

// ---------------------------------------------------------------------------------------

Result<InterPodAffinityArgs> InterPodAffinityArgs::parse(const std::string& yaml) {
  InterPodAffinityArgs args;
  if (Status s = decode(yaml, args); !s.ok()) return s.withContext("InterPodAffinity args");
  return args;
}

InterPodAffinity::InterPodAffinity() : InterPodAffinity(InterPodAffinityArgs{}) {}

InterPodAffinity::InterPodAffinity(InterPodAffinityArgs args) : args_(args) {
  affinityRulesNotMatch_ = reasonTable_.intern(kReasonAffinityRulesNotMatch);
  antiAffinityRulesNotMatch_ = reasonTable_.intern(kReasonAntiAffinityRulesNotMatch);
  existingAntiAffinityRulesNotMatch_ = reasonTable_.intern(kReasonExistingAntiAffinityRulesNotMatch);
  missingState_ = reasonTable_.intern("error reading \"PreFilterInterPodAffinity\" from cycleState: not found");
}

Status InterPodAffinity::init(Host&, const PluginConfig& config) {
  auto args = InterPodAffinityArgs::parse(config.argsYaml);
  if (!args.ok()) return args.status();
  args_ = args.value();
  return {};
}

void* InterPodAffinity::queryInterface(std::string_view kind) {
  if (kind == PreFilterPlugin::kKind) return static_cast<PreFilterPlugin*>(this);
  if (kind == FilterPlugin::kKind) return static_cast<FilterPlugin*>(this);
  if (kind == PreScorePlugin::kKind) return static_cast<PreScorePlugin*>(this);
  if (kind == ScorePlugin::kKind) return static_cast<ScorePlugin*>(this);
  return nullptr;
}

// --- Filter ----------------------------------------------------------------------------

PreFilterResult InterPodAffinity::preFilter(CycleContext& ctx, const PodInfo& pod) {
  const Snapshot& snapshot = ctx.snapshot;
  const bool hasTerms = !pod.requiredAffinity.empty() || !pod.requiredAntiAffinity.empty();
  if (!hasTerms && snapshot.havePodsWithRequiredAntiAffinity.empty()) return {StageStatus::skip(), std::nullopt};

  const Labels& namespaceLabels = namespaceLabelsOf(snapshot, pod.ns);
  TopologyPairCounts existing;
  for (const NodeInfo* node : snapshot.havePodsWithRequiredAntiAffinity)
    for (const PodInfoPtr& other : node->podsWithRequiredAntiAffinity)
      for (const PodAffinityTerm& t : other->requiredAntiAffinity)
        if (existingTermMatches(t, *other, pod, namespaceLabels))
          existing.add(existing.keyIndex(t.topologyKey), *node, 1);
  if (!hasTerms && existing.empty()) return {StageStatus::skip(), std::nullopt};

  auto state = std::make_unique<PreFilterState>();
  state->existingAntiAffinity = std::move(existing);
  auto terms = std::make_shared<RequiredTerms>();
  terms->affinity.reserve(pod.requiredAffinity.size());
  for (const PodAffinityTerm& t : pod.requiredAffinity) {
    terms->affinity.push_back(resolveTerm(t, pod, snapshot));
    terms->affinity.back().key = state->affinity.keyIndex(t.topologyKey);
  }
  terms->antiAffinity.reserve(pod.requiredAntiAffinity.size());
  for (const PodAffinityTerm& t : pod.requiredAntiAffinity) {
    terms->antiAffinity.push_back(resolveTerm(t, pod, snapshot));
    terms->antiAffinity.back().key = state->antiAffinity.keyIndex(t.topologyKey);
  }
  terms->selfMatchesAffinity = matchesAll(terms->affinity, pod);
  terms->namespaceLabels = namespaceLabels;

  if (hasTerms) {
    // Matches are counted per node first: one pair update per node and term, not per pod.
    std::vector<std::int64_t> antiMatches(terms->antiAffinity.size());
    for (const NodeInfo* node : snapshot.nodes) {
      if (node->pods.empty()) continue;
      std::int64_t affinityMatches = 0;
      std::fill(antiMatches.begin(), antiMatches.end(), 0);
      for (const PodInfoPtr& p : node->pods) {
        if (matchesAll(terms->affinity, *p)) ++affinityMatches;
        for (std::size_t i = 0; i < terms->antiAffinity.size(); ++i)
          if (terms->antiAffinity[i].matches(*p)) ++antiMatches[i];
      }
      if (affinityMatches > 0)
        for (const Term& t : terms->affinity) state->affinity.add(t.key, *node, affinityMatches);
      for (std::size_t i = 0; i < terms->antiAffinity.size(); ++i)
        if (antiMatches[i] > 0) state->antiAffinity.add(terms->antiAffinity[i].key, *node, antiMatches[i]);
    }
  }
  state->terms = std::move(terms);
  ctx.state.write(kPreFilterStateKey, std::move(state));
  return {};
}

StageStatus InterPodAffinity::updateWithPod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other,
                                            const NodeInfo& node, std::int64_t delta) {
  auto* state = ctx.state.read<PreFilterState>(kPreFilterStateKey);
  // No state: PreFilter answered Skip (no required terms on either side), nothing to track.
  if (!state) return {};
  const RequiredTerms& terms = *state->terms;
  for (const PodAffinityTerm& t : other.requiredAntiAffinity)
    if (existingTermMatches(t, other, pod, terms.namespaceLabels))
      state->existingAntiAffinity.add(state->existingAntiAffinity.keyIndex(t.topologyKey), node, delta);
  if (matchesAll(terms.affinity, other))
    for (const Term& t : terms.affinity) state->affinity.add(t.key, node, delta);
  for (const Term& t : terms.antiAffinity)
    if (t.matches(other)) state->antiAffinity.add(t.key, node, delta);
  return {};
}

StageStatus InterPodAffinity::addPod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other,
                                     const NodeInfo& node) {
  return updateWithPod(ctx, pod, other, node, 1);
}

StageStatus InterPodAffinity::removePod(CycleContext& ctx, const PodInfo& pod, const PodInfo& other,
                                        const NodeInfo& node) {
  return updateWithPod(ctx, pod, other, node, -1);
}

void InterPodAffinity::filter(CycleContext& ctx, const PodInfo&, std::span<const NodeInfo* const> nodes,
                              std::span<NodeVerdict> out) {
  const auto* state = ctx.state.read<PreFilterState>(kPreFilterStateKey);
  if (!state) {
    for (auto& v : out) v = {Code::kError, missingState_};
    return;
  }
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    const NodeInfo& node = *nodes[k];
    // Affinity first: no preemption can create the pods it wants.
    if (!satisfiesPodAffinity(*state, node))
      out[k] = {Code::kUnschedulableAndUnresolvable, affinityRulesNotMatch_};
    else if (!satisfiesPodAntiAffinity(*state, node))
      out[k] = {Code::kUnschedulable, antiAffinityRulesNotMatch_};
    else if (!satisfiesExistingPodsAntiAffinity(*state, node))
      out[k] = {Code::kUnschedulable, existingAntiAffinityRulesNotMatch_};
  }
}

// --- Score -----------------------------------------------------------------------------

StageStatus InterPodAffinity::preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const>) {
  const Snapshot& snapshot = ctx.snapshot;
  const bool hasPreferred = !pod.preferredAffinity.empty() || !pod.preferredAntiAffinity.empty();
  if (!hasPreferred && (args_.ignorePreferredTermsOfExistingPods || snapshot.havePodsWithAffinity.empty()))
    return StageStatus::skip();

  auto state = std::make_unique<PreScoreState>();
  TopologyPairCounts& scores = state->topologyScore;
  std::vector<Term> preferred;
  preferred.reserve(pod.preferredAffinity.size() + pod.preferredAntiAffinity.size());
  auto addPreferred = [&](const WeightedPodAffinityTerm& w, std::int64_t sign) {
    preferred.push_back(resolveTerm(w.term, pod, snapshot));
    preferred.back().weight = sign * w.weight;
    preferred.back().key = scores.keyIndex(w.term.topologyKey);
  };
  for (const auto& w : pod.preferredAffinity) addPreferred(w, 1);
  for (const auto& w : pod.preferredAntiAffinity) addPreferred(w, -1);
  const Labels& namespaceLabels = namespaceLabelsOf(snapshot, pod.ns);
  const std::int64_t hardWeight = args_.hardPodAffinityWeight;

  // Without preferred terms of its own, only existing pods' terms can score: only nodes
  // (and pods) with pod affinity need a look.
  const std::vector<const NodeInfo*>& nodes = hasPreferred ? snapshot.nodes : snapshot.havePodsWithAffinity;
  std::vector<std::int64_t> matches(preferred.size());
  bool scored = false;
  for (const NodeInfo* node : nodes) {
    if (node->labels.empty()) continue;
    std::fill(matches.begin(), matches.end(), 0);
    const std::vector<PodInfoPtr>& pods = hasPreferred ? node->pods : node->podsWithAffinity;
    for (const PodInfoPtr& p : pods) {
      const PodInfo& existing = *p;
      for (std::size_t i = 0; i < preferred.size(); ++i)
        if (preferred[i].matches(existing)) ++matches[i];
      if (hardWeight > 0)
        for (const PodAffinityTerm& t : existing.requiredAffinity)
          if (existingTermMatches(t, existing, pod, namespaceLabels))
            scored |= scores.add(scores.keyIndex(t.topologyKey), *node, hardWeight);
      for (const WeightedPodAffinityTerm& w : existing.preferredAffinity)
        if (existingTermMatches(w.term, existing, pod, namespaceLabels))
          scored |= scores.add(scores.keyIndex(w.term.topologyKey), *node, w.weight);
      for (const WeightedPodAffinityTerm& w : existing.preferredAntiAffinity)
        if (existingTermMatches(w.term, existing, pod, namespaceLabels))
          scored |= scores.add(scores.keyIndex(w.term.topologyKey), *node, -std::int64_t{w.weight});
    }
    for (std::size_t i = 0; i < preferred.size(); ++i)
      if (matches[i] > 0) scored |= scores.add(preferred[i].key, *node, preferred[i].weight * matches[i]);
  }
  // Nothing matched anywhere: every node would score the same.
  if (!scored) return StageStatus::skip();
  ctx.state.write(kPreScoreStateKey, std::move(state));
  return {};
}

StageStatus InterPodAffinity::score(CycleContext& ctx, const PodInfo&, std::span<const NodeInfo* const> nodes,
                                    std::span<std::int64_t> scores) {
  const auto* state = ctx.state.read<PreScoreState>(kPreScoreStateKey);
  if (!state) return StageStatus::error("failed to read \"PreScoreInterPodAffinity\" from cycleState: not found");
  for (std::size_t k = 0; k < nodes.size(); ++k) scores[k] = state->topologyScore.sumFor(nodes[k]->labels);
  return {};
}

StageStatus InterPodAffinity::normalize(CycleContext& ctx, const PodInfo&, std::span<const NodeInfo* const>,
                                        std::span<std::int64_t> scores) {
  const auto* state = ctx.state.read<PreScoreState>(kPreScoreStateKey);
  if (!state) return StageStatus::error("failed to read \"PreScoreInterPodAffinity\" from cycleState: not found");
  std::int64_t minScore = std::numeric_limits<std::int64_t>::max();
  std::int64_t maxScore = std::numeric_limits<std::int64_t>::min();
  for (std::int64_t s : scores) {
    minScore = std::min(minScore, s);
    maxScore = std::max(maxScore, s);
  }
  // Sums may be negative (anti-affinity): scale [min, max] onto [0, 100], truncating as
  // Kubernetes' float64 arithmetic does; equal sums all score 0.
  const std::int64_t spread = maxScore - minScore;
  for (std::int64_t& s : scores) {
    double scaled = 0;
    if (spread > 0)
      scaled = static_cast<double>(kMaxNodeScore) * (static_cast<double>(s - minScore) / static_cast<double>(spread));
    s = static_cast<std::int64_t>(scaled);
  }
  return {};
}

}  // namespace capstan::sched
