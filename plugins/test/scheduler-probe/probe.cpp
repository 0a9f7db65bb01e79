// Test stage "probe": PreScore files this instance's version in the cycle state; Score and
// Reserve check that the pod's cycle still runs the same version (a swap must take effect
// between pods, never inside one) and fail the pod with an error otherwise. Score prefers
// nodes labelled probe=v<version>, so tests can see which version placed a pod.

#include <string>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"

namespace {

using namespace capstan;
using namespace capstan::sched;

constexpr int kVersion = CAPSTAN_PROBE_VERSION;

struct Stamp final : StateData {
  int version = 0;
  std::unique_ptr<StateData> clone() const override { return std::make_unique<Stamp>(*this); }
};

class Probe final : public Plugin, public PreScorePlugin, public ScorePlugin, public ReservePlugin {
 public:
  Status init(Host&, const PluginConfig&) override { return {}; }
  void* queryInterface(std::string_view kind) override {
    if (kind == PreScorePlugin::kKind) return static_cast<PreScorePlugin*>(this);
    if (kind == ScorePlugin::kKind) return static_cast<ScorePlugin*>(this);
    if (kind == ReservePlugin::kKind) return static_cast<ReservePlugin*>(this);
    return nullptr;
  }

  StageStatus preScore(CycleContext& ctx, const PodInfo&, std::span<const NodeInfo* const>) override {
    auto stamp = std::make_unique<Stamp>();
    stamp->version = kVersion;
    ctx.state.write("version", std::move(stamp));
    return {};
  }
  StageStatus score(CycleContext& ctx, const PodInfo&, std::span<const NodeInfo* const> nodes,
                    std::span<std::int64_t> scores) override {
    if (StageStatus s = check(ctx); !s.ok()) return s;
    const char wanted[] = {'v', static_cast<char>('0' + kVersion), 0};
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const std::string* label = findLabel(nodes[i]->labels, "probe");
      scores[i] = label && *label == wanted ? kMaxNodeScore : 0;
    }
    return {};
  }
  StageStatus reserve(CycleContext& ctx, const PodInfo&, const std::string&) override { return check(ctx); }
  void unreserve(CycleContext&, const PodInfo&, const std::string&) override {}

 private:
  // A pod with a single feasible node skips scoring: no stamp then is fine.
  static StageStatus check(CycleContext& ctx) {
    const Stamp* stamp = ctx.state.read<Stamp>("version");
    if (!stamp || stamp->version == kVersion) return {};
    std::string message = "probe v";
    message += std::to_string(kVersion);
    message += " saw a cycle started by v";
    message += std::to_string(stamp->version);
    return StageStatus::error(std::move(message));
  }
};

}  // namespace

CAPSTAN_PLUGIN(Probe, "probe", CAPSTAN_STRINGIFY(CAPSTAN_PROBE_VERSION) ".0.0",
               "scheduler.preScore,scheduler.score,scheduler.reserve",
               "test stage: fails a pod whose cycle sees two versions of it")
