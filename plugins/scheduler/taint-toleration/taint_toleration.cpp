#include "taint_toleration.h"

#include <yaml-cpp/yaml.h>

namespace capstan::sched {

namespace {

bool toleratedByAny(const std::vector<Toleration>& tolerations, const Taint& taint) {
  for (const auto& t : tolerations)
    if (t.tolerates(taint)) return true;
  return false;
}

// The first NoSchedule/NoExecute taint (in the node's order) that no toleration
// tolerates, as v1helper.FindMatchingUntoleratedTaint with the DoNotSchedule filter.
const Taint* firstUntoleratedTaint(const NodeInfo& node, const std::vector<Toleration>& tolerations) {
  for (const auto& taint : node.taints) {
    if (taint.effect != TaintEffect::kNoSchedule && taint.effect != TaintEffect::kNoExecute) continue;
    if (!toleratedByAny(tolerations, taint)) return &taint;
  }
  return nullptr;
}

}  // namespace

std::string TaintToleration::untoleratedReason(const Taint& taint) {
  return "node(s) had untolerated taint {" + taint.key + ": " + taint.value + "}";
}

Status TaintToleration::checkArgs(const std::string& argsYaml) {
  YAML::Node args;
  try {
    args = YAML::Load(argsYaml);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("TaintToleration args: ") + e.what());
  }
  if (!args || args.IsNull() || (args.IsMap() && args.size() == 0)) return {};
  if (!args.IsMap()) return Status::invalidArgument("TaintToleration args: expected a mapping");
  return Status::invalidArgument("TaintToleration args: unknown field \"" + args.begin()->first.Scalar() + "\"");
}

Status TaintToleration::init(Host&, const PluginConfig& config) { return checkArgs(config.argsYaml); }

void* TaintToleration::queryInterface(std::string_view kind) {
  if (kind == FilterPlugin::kKind) return static_cast<FilterPlugin*>(this);
  if (kind == PreScorePlugin::kKind) return static_cast<PreScorePlugin*>(this);
  if (kind == ScorePlugin::kKind) return static_cast<ScorePlugin*>(this);
  return nullptr;
}

void TaintToleration::filter(CycleContext&, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                             std::span<NodeVerdict> out) {
  // Nodes of one pool usually share their taints: reuse the last reason id instead of
  // building and interning the same text again.
  const Taint* lastTaint = nullptr;
  std::uint32_t lastReason = 0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const Taint* taint = firstUntoleratedTaint(*nodes[i], pod.tolerations);
    if (!taint) continue;
    if (!lastTaint || lastTaint->key != taint->key || lastTaint->value != taint->value) {
      lastReason = reasonTable_.intern(untoleratedReason(*taint));
      lastTaint = taint;
    }
    out[i] = {Code::kUnschedulableAndUnresolvable, lastReason};
  }
}

StageStatus TaintToleration::preScore(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes) {
  if (nodes.empty()) return StageStatus::success();
  auto state = std::make_unique<PreScoreState>();
  for (const auto& t : pod.tolerations)
    if (!t.effect || *t.effect == TaintEffect::kPreferNoSchedule) state->tolerationsPreferNoSchedule.push_back(t);
  ctx.state.write(kPreScoreStateKey, std::move(state));
  return StageStatus::success();
}

StageStatus TaintToleration::score(CycleContext& ctx, const PodInfo&, std::span<const NodeInfo* const> nodes,
                                   std::span<std::int64_t> scores) {
  const auto* state = ctx.state.read<PreScoreState>(kPreScoreStateKey);
  if (!state)
    return StageStatus::error("reading \"" + std::string(kPreScoreStateKey) + "\" from cycleState: not found");
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    std::int64_t untolerated = 0;
    for (const auto& taint : nodes[i]->taints)
      if (taint.effect == TaintEffect::kPreferNoSchedule && !toleratedByAny(state->tolerationsPreferNoSchedule, taint))
        ++untolerated;
    scores[i] = untolerated;
  }
  return StageStatus::success();
}

StageStatus TaintToleration::normalize(CycleContext&, const PodInfo&, std::span<const NodeInfo* const>,
                                       std::span<std::int64_t> scores) {
  defaultNormalizeScore(scores, /*reverse=*/true);
  return StageStatus::success();
}

}  // namespace capstan::sched
