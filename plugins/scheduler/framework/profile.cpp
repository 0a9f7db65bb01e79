#include "profile.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>
#include <thread>

namespace capstan::sched {

const std::array<std::string_view, kNumPoints> kPointKeys = {
    "queueSort", "preEnqueue", "preFilter", "filter",  "postFilter", "preScore",
    "score",     "reserve",    "permit",    "preBind", "bind",       "postBind"};
const std::array<std::string_view, kNumPoints> kPointKinds = {
    "scheduler.queueSort", "scheduler.preEnqueue", "scheduler.preFilter", "scheduler.filter",
    "scheduler.postFilter", "scheduler.preScore",  "scheduler.score",     "scheduler.reserve",
    "scheduler.permit",     "scheduler.preBind",   "scheduler.bind",      "scheduler.postBind"};
const std::array<std::string_view, kNumPoints> kPointNames = {
    "QueueSort", "PreEnqueue", "PreFilter", "Filter",  "PostFilter", "PreScore",
    "Score",     "Reserve",    "Permit",    "PreBind", "Bind",       "PostBind"};

namespace {

std::string where(const std::string& path) { return "scheduler args: " + path; }

Status checkKeys(const YAML::Node& node, const std::string& path, std::initializer_list<std::string_view> known) {
  if (!node.IsMap()) return Status::invalidArgument(where(path.empty() ? "args" : path) + ": expected a mapping");
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end())
      return Status::invalidArgument(where("unknown field \"" + (path.empty() ? key : path + "." + key) + "\""));
  }
  return {};
}

template <class T>
Status scalar(const YAML::Node& node, const std::string& key, const std::string& path, T& out) {
  if (!node[key]) return {};
  try {
    out = node[key].as<T>();
  } catch (const YAML::Exception&) {
    return Status::invalidArgument(where((path.empty() ? key : path + "." + key) + ": invalid value \"" +
                                         node[key].Scalar() + "\""));
  }
  return {};
}

Status decodeSet(const YAML::Node& node, const std::string& path, PluginSet& out) {
  if (Status s = checkKeys(node, path, {"enabled", "disabled"}); !s.ok()) return s;
  for (std::string_view which : {"enabled", "disabled"}) {
    YAML::Node list = node[std::string(which)];
    if (!list) continue;
    if (!list.IsSequence()) return Status::invalidArgument(where(path + "." + std::string(which) + ": expected a list"));
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string p = path + "." + std::string(which) + "[" + std::to_string(i) + "]";
      if (Status s = checkKeys(list[i], p, {"name", "weight"}); !s.ok()) return s;
      PluginRef ref;
      if (Status s = scalar(list[i], "name", p, ref.name); !s.ok()) return s;
      if (Status s = scalar(list[i], "weight", p, ref.weight); !s.ok()) return s;
      if (ref.name.empty()) return Status::invalidArgument(where(p + ".name: Required value"));
      if (ref.weight < 0) return Status::invalidArgument(where(p + ".weight: Invalid value: must be positive"));
      if (which == "enabled") {
        if (ref.name == "*") return Status::invalidArgument(where(p + ".name: \"*\" can only disable plugins"));
        out.enabled.push_back(std::move(ref));
      } else {
        out.disabled.push_back(std::move(ref.name));
      }
    }
  }
  return {};
}

}  // namespace

Result<SchedulerArgs> decodeSchedulerArgs(const std::string& yaml) {
  SchedulerArgs args;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(where(std::string("malformed YAML: ") + e.what()));
  }
  if (!root || root.IsNull()) root = YAML::Node(YAML::NodeType::Map);
  if (Status s = checkKeys(root, "",
                           {"api", "parallelism", "percentageOfNodesToScore", "podInitialBackoffSeconds",
                            "podMaxBackoffSeconds", "bindBatchSize", "profiles"});
      !s.ok())
    return s;
  for (Status s : {scalar(root, "api", "", args.api), scalar(root, "parallelism", "", args.parallelism),
                   scalar(root, "percentageOfNodesToScore", "", args.percentageOfNodesToScore),
                   scalar(root, "podInitialBackoffSeconds", "", args.podInitialBackoffSeconds),
                   scalar(root, "podMaxBackoffSeconds", "", args.podMaxBackoffSeconds),
                   scalar(root, "bindBatchSize", "", args.bindBatchSize)})
    if (!s.ok()) return s;
  if (args.percentageOfNodesToScore < 0 || args.percentageOfNodesToScore > 100)
    return Status::invalidArgument(where("percentageOfNodesToScore: Invalid value: " +
                                         std::to_string(args.percentageOfNodesToScore) +
                                         ": not in valid range [0-100]"));
  if (args.podInitialBackoffSeconds <= 0)
    return Status::invalidArgument(where("podInitialBackoffSeconds: Invalid value: must be greater than 0"));
  if (args.podMaxBackoffSeconds < args.podInitialBackoffSeconds)
    return Status::invalidArgument(
        where("podMaxBackoffSeconds: Invalid value: must be greater than or equal to PodInitialBackoffSeconds"));
  if (args.parallelism < 0) return Status::invalidArgument(where("parallelism: Invalid value: should be greater than 0"));
  if (args.parallelism == 0) args.parallelism = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (args.bindBatchSize < 1) return Status::invalidArgument(where("bindBatchSize: Invalid value: must be at least 1"));

  if (YAML::Node profiles = root["profiles"]) {
    if (!profiles.IsSequence()) return Status::invalidArgument(where("profiles: expected a list"));
    std::set<std::string> names;
    for (std::size_t i = 0; i < profiles.size(); ++i) {
      std::string p = "profiles[" + std::to_string(i) + "]";
      const YAML::Node& node = profiles[i];
      if (Status s = checkKeys(node, p, {"schedulerName", "percentageOfNodesToScore", "plugins"}); !s.ok()) return s;
      ProfileConfig profile;
      if (Status s = scalar(node, "schedulerName", p, profile.schedulerName); !s.ok()) return s;
      if (node["percentageOfNodesToScore"]) {
        std::int32_t pct = 0;
        if (Status s = scalar(node, "percentageOfNodesToScore", p, pct); !s.ok()) return s;
        if (pct < 0 || pct > 100)
          return Status::invalidArgument(where(p + ".percentageOfNodesToScore: Invalid value: " + std::to_string(pct) +
                                               ": not in valid range [0-100]"));
        profile.percentageOfNodesToScore = pct;
      }
      if (profile.schedulerName.empty()) return Status::invalidArgument(where(p + ".schedulerName: Required value"));
      if (!names.insert(profile.schedulerName).second)
        return Status::invalidArgument(where(p + ".schedulerName: Duplicate value: \"" + profile.schedulerName + "\""));
      if (YAML::Node plugins = node["plugins"]) {
        std::string pp = p + ".plugins";
        if (!plugins.IsMap()) return Status::invalidArgument(where(pp + ": expected a mapping"));
        for (const auto& kv : plugins) {
          std::string key = kv.first.as<std::string>();
          PluginSet* set = nullptr;
          if (key == "multiPoint") set = &profile.multiPoint;
          for (int point = 0; point < kNumPoints; ++point)
            if (key == kPointKeys[point]) set = &profile.points[point];
          if (!set) return Status::invalidArgument(where("unknown field \"" + pp + "." + key + "\""));
          if (Status s = decodeSet(kv.second, pp + "." + key, *set); !s.ok()) return s;
        }
      }
      args.profiles.push_back(std::move(profile));
    }
  }
  if (args.profiles.empty()) args.profiles.emplace_back();
  return args;
}

std::int64_t defaultScoreWeight(std::string_view plugin) {
  if (plugin == "TaintToleration") return 3;
  if (plugin == "NodeAffinity" || plugin == "PodTopologySpread" || plugin == "InterPodAffinity") return 2;
  return 1;
}

Result<std::vector<ResolvedProfile>> resolveProfiles(const SchedulerArgs& args, PluginRegistry& registry) {
  // Which loaded instances implement each point, in config order.
  std::array<std::vector<std::string>, kNumPoints> implementers;
  for (int point = 0; point < kNumPoints; ++point)
    for (const auto& slot : registry.slotsOfKind(kPointKinds[point])) implementers[point].push_back(slot->name());
  auto implements = [&](int point, const std::string& name) {
    const auto& v = implementers[point];
    return std::find(v.begin(), v.end(), name) != v.end();
  };

  std::vector<ResolvedProfile> out;
  for (const ProfileConfig& config : args.profiles) {
    ResolvedProfile profile;
    profile.schedulerName = config.schedulerName;
    profile.percentageOfNodesToScore = config.percentageOfNodesToScore;
    auto stageIndex = [&](const std::string& name) -> Result<std::size_t> {
      for (std::size_t i = 0; i < profile.stages.size(); ++i)
        if (profile.stages[i].name == name) return i;
      auto slot = registry.slot(name);
      if (!slot)
        return Status::invalidArgument("scheduler profile \"" + config.schedulerName + "\": plugin \"" + name +
                                       "\" is not loaded (add it to the daemon config's plugins)");
      profile.stages.push_back({name, std::move(slot)});
      return profile.stages.size() - 1;
    };
    auto disabled = [](const PluginSet& set, const std::string& name) {
      for (const auto& d : set.disabled)
        if (d == "*" || d == name) return true;
      return false;
    };
    for (int point = 0; point < kNumPoints; ++point) {
      const PluginSet& set = config.points[point];
      std::vector<PluginRef> chosen;
      auto add = [&](const PluginRef& ref) {
        for (auto& c : chosen)
          if (c.name == ref.name) {
            if (ref.weight) c.weight = ref.weight;
            return;
          }
        chosen.push_back(ref);
      };
      // Defaults: every loaded stage implementing the point.
      for (const auto& name : implementers[point])
        if (!disabled(set, name) && !disabled(config.multiPoint, name)) add({name, 0});
      for (const auto& ref : config.multiPoint.enabled)
        if (implements(point, ref.name) && !disabled(set, ref.name)) add(ref);
      for (const auto& ref : set.enabled) {
        if (!registry.slot(ref.name))
          return Status::invalidArgument("scheduler profile \"" + config.schedulerName + "\": plugin \"" + ref.name +
                                         "\" is not loaded (add it to the daemon config's plugins)");
        if (!implements(point, ref.name))
          return Status::invalidArgument("scheduler profile \"" + config.schedulerName + "\": plugin \"" + ref.name +
                                         "\" does not implement " + std::string(kPointKinds[point]));
        add(ref);
      }
      if (point == kQueueSort && chosen.size() > 1) chosen.resize(1);  // one QueueSort per profile
      for (const auto& ref : chosen) {
        auto index = stageIndex(ref.name);
        if (!index.ok()) return index.status();
        profile.points[point].push_back({*index, ref.weight ? ref.weight : defaultScoreWeight(ref.name)});
      }
    }
    out.push_back(std::move(profile));
  }
  return out;
}

std::size_t numFeasibleNodesToFind(std::int32_t percentage, std::size_t numAllNodes) {
  constexpr std::size_t kMinFeasibleNodesToFind = 100;
  constexpr std::int32_t kMinFeasibleNodesPercentageToFind = 5;
  if (numAllNodes < kMinFeasibleNodesToFind || percentage >= 100) return numAllNodes;
  std::int64_t adaptive = percentage;
  if (adaptive <= 0) {
    adaptive = 50 - static_cast<std::int64_t>(numAllNodes) / 125;
    if (adaptive < kMinFeasibleNodesPercentageToFind) adaptive = kMinFeasibleNodesPercentageToFind;
  }
  std::size_t numNodes = numAllNodes * static_cast<std::size_t>(adaptive) / 100;
  return numNodes < kMinFeasibleNodesToFind ? kMinFeasibleNodesToFind : numNodes;
}

}  // namespace capstan::sched
