// PreferNodeLabel: a custom Score plugin. Nodes carrying the label `key=value` from the
// args score 100, others 0; the framework multiplies by the profile's weight and adds the
// other plugins' scores.
//
//   - name: PreferNodeLabel
//     path: /path/to/prefer-node-label.so
//     args: {key: disktype, value: ssd}

#include <yaml-cpp/yaml.h>

#include <capstan/plugin.h>
#include <capstan/scheduler.h>

namespace {

using namespace capstan;
using namespace capstan::sched;

class PreferNodeLabel final : public Plugin, public ScorePlugin {
 public:
  // Args are decoded once; a new set of args gets a fresh instance (no reconfigure needed).
  Status init(Host&, const PluginConfig& config) override {
    YAML::Node args;
    try {
      args = YAML::Load(config.argsYaml);
    } catch (const YAML::Exception& e) {
      return Status::invalidArgument(std::string("PreferNodeLabel args: ") + e.what());
    }
    if (!args.IsMap()) return Status::invalidArgument("PreferNodeLabel args: need key and value");
    for (const auto& kv : args) {
      std::string k = kv.first.as<std::string>();
      if (k != "key" && k != "value") return Status::invalidArgument("PreferNodeLabel args: unknown field \"" + k + "\"");
    }
    if (!args["key"]) return Status::invalidArgument("PreferNodeLabel args: key: Required value");
    key_ = args["key"].as<std::string>();
    value_ = args["value"] ? args["value"].as<std::string>() : "";
    return {};
  }

  void* queryInterface(std::string_view kind) override {
    return kind == ScorePlugin::kKind ? static_cast<ScorePlugin*>(this) : nullptr;
  }

  // One call per chunk of feasible nodes: no allocation, just a label lookup per node.
  StageStatus score(CycleContext&, const PodInfo&, std::span<const NodeInfo* const> nodes,
                    std::span<std::int64_t> scores) override {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const std::string* v = findLabel(nodes[i]->labels, key_);
      scores[i] = v && *v == value_ ? kMaxNodeScore : kMinNodeScore;
    }
    return {};
  }

 private:
  std::string key_, value_;
};

}  // namespace

CAPSTAN_PLUGIN(PreferNodeLabel, "PreferNodeLabel", "1.0.0", "scheduler.score",
               "Prefers nodes carrying a given label")
