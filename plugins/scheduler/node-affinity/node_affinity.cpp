#include "node_affinity.h"

#include <algorithm>
#include <iterator>

namespace capstan::sched {

namespace {

bool matchesNodeSelector(const Labels& nodeSelector, const NodeInfo& node) {
  for (const auto& [key, value] : nodeSelector) {
    const std::string* have = findLabel(node.labels, key);
    if (!have || *have != value) return false;
  }
  return true;
}

std::vector<std::string> sortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// The node names the required terms allow, when every term pins metadata.name with In
// (the In lists of one term intersected, the terms united); nullopt when any term leaves
// the name open.
std::optional<std::vector<std::string>> pinnedNodeNames(const std::vector<NodeSelectorTerm>& terms) {
  std::vector<std::string> all;
  for (const auto& term : terms) {
    std::optional<std::vector<std::string>> names;
    for (const auto& r : term.matchFields) {
      if (r.key != "metadata.name" || r.op != SelectorOp::kIn) continue;
      std::vector<std::string> values = sortedUnique(r.values);
      if (!names) {
        names = std::move(values);
      } else {
        std::vector<std::string> both;
        std::set_intersection(names->begin(), names->end(), values.begin(), values.end(), std::back_inserter(both));
        names = std::move(both);
      }
    }
    if (!names) return std::nullopt;
    all.insert(all.end(), names->begin(), names->end());
  }
  return sortedUnique(std::move(all));
}

}  // namespace

NodeAffinity::NodeAffinity(const NodeAffinityArgs& args)
    : reasonPod_(reasonTable_.intern(kReasonPod)), reasonEnforced_(reasonTable_.intern(kReasonEnforced)) {
  applyArgs(args);
}

void NodeAffinity::applyArgs(const NodeAffinityArgs& args) {
  // decodeNodeAffinityArgs validated the terms already; nothing is left to report here.
  std::vector<std::string> errors;
  addedRequired_.reset();
  addedPreferred_.reset();
  if (args.addedRequired) addedRequired_ = RequiredNodeSelector::parse(*args.addedRequired, "", errors);
  if (!args.addedPreferred.empty()) addedPreferred_ = PreferredSchedulingTerms::parse(args.addedPreferred, "", errors);
}

Status NodeAffinity::init(Host&, const PluginConfig& config) {
  auto args = decodeNodeAffinityArgs(config.argsYaml);
  if (!args.ok()) return args.status();
  applyArgs(*args);
  return {};
}

void* NodeAffinity::queryInterface(std::string_view kind) {
  if (kind == PreFilterPlugin::kKind) return static_cast<PreFilterPlugin*>(this);
  if (kind == FilterPlugin::kKind) return static_cast<FilterPlugin*>(this);
  if (kind == PreScorePlugin::kKind) return static_cast<PreScorePlugin*>(this);
  if (kind == ScorePlugin::kKind) return static_cast<ScorePlugin*>(this);
  return nullptr;
}

PreFilterResult NodeAffinity::preFilter(CycleContext& ctx, const PodInfo& pod) {
  const bool hasRequiredAffinity = pod.requiredNodeAffinity.has_value();
  if (!hasRequiredAffinity && !addedRequired_ && pod.nodeSelector.empty()) return {StageStatus::skip(), std::nullopt};

  auto state = std::make_unique<PreFilterState>();
  if (hasRequiredAffinity) state->requiredAffinity = RequiredNodeSelector::lazy(*pod.requiredNodeAffinity);
  ctx.state.write(kPreFilterStateKey, std::move(state));

  if (!hasRequiredAffinity || pod.requiredNodeAffinity->empty()) return {};
  auto names = pinnedNodeNames(*pod.requiredNodeAffinity);
  if (!names) return {};
  // Every term pins names, but their In lists have nothing in common.
  if (names->empty()) return {StageStatus::unresolvable(std::string(kReasonConflict)), std::nullopt};
  return {StageStatus::success(), std::move(names)};
}

void NodeAffinity::filter(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                          std::span<NodeVerdict> out) {
  const RequiredNodeSelector* affinity = nullptr;
  std::optional<RequiredNodeSelector> parsedHere;
  if (const auto* state = ctx.state.read<PreFilterState>(kPreFilterStateKey)) {
    if (state->requiredAffinity) affinity = &*state->requiredAffinity;
  } else if (pod.requiredNodeAffinity) {
    // No PreFilter ran (it is not in the profile): parse once for this chunk.
    parsedHere = RequiredNodeSelector::lazy(*pod.requiredNodeAffinity);
    affinity = &*parsedHere;
  }

  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeInfo& node = *nodes[i];
    if (addedRequired_ && !addedRequired_->matches(node))
      out[i] = {Code::kUnschedulableAndUnresolvable, reasonEnforced_};
    else if (!matchesNodeSelector(pod.nodeSelector, node) || (affinity && !affinity->matches(node)))
      out[i] = {Code::kUnschedulableAndUnresolvable, reasonPod_};
  }
}

StageStatus NodeAffinity::preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes) {
  if (nodes.empty()) return StageStatus::success();
  auto state = std::make_unique<PreScoreState>();
  std::vector<std::string> errors;
  state->preferred = PreferredSchedulingTerms::parse(pod.preferredNodeAffinity, "", errors);
  if (!errors.empty()) return StageStatus::error(joinErrors(errors));
  if (pod.preferredNodeAffinity.empty() && !addedPreferred_) return StageStatus::skip();
  ctx.state.write(kPreScoreStateKey, std::move(state));
  return StageStatus::success();
}

StageStatus NodeAffinity::score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                                std::span<std::int64_t> scores) {
  const PreferredSchedulingTerms* preferred = nullptr;
  std::optional<PreferredSchedulingTerms> parsedHere;
  if (const auto* state = ctx.state.read<PreScoreState>(kPreScoreStateKey)) {
    preferred = &state->preferred;
  } else {
    // No PreScore ran (it is not in the profile): parse once for this chunk.
    std::vector<std::string> errors;
    parsedHere = PreferredSchedulingTerms::parse(pod.preferredNodeAffinity, "", errors);
    if (!errors.empty()) return StageStatus::error(joinErrors(errors));
    preferred = &*parsedHere;
  }
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    std::int64_t sum = preferred->score(*nodes[i]);
    if (addedPreferred_) sum += addedPreferred_->score(*nodes[i]);
    scores[i] = sum;
  }
  return StageStatus::success();
}

StageStatus NodeAffinity::normalize(CycleContext&, const PodInfo&, std::span<const NodeInfo* const>,
                                    std::span<std::int64_t> scores) {
  defaultNormalizeScore(scores, /*reverse=*/false);
  // Only weights below 0 (which the API refuses in a pod) could leave a score negative.
  for (auto& s : scores) s = std::clamp<std::int64_t>(s, kMinNodeScore, kMaxNodeScore);
  return StageStatus::success();
}

}  // namespace capstan::sched
