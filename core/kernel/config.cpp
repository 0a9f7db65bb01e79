#include "kernel/config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "capstan/config.h"

namespace capstan::kernel {

extern const char* const kEmbeddedDefaultConfig;  // generated from config/capstan.yaml

const std::string& embeddedDefaultConfig() {
  static const std::string text(kEmbeddedDefaultConfig);
  return text;
}

namespace {

bool validLogLevel(const std::string& level) {
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  return kLevels.count(level) > 0;
}

Status parsePlugins(const YAML::Node& list, DaemonConfig& config) {
  if (!list || list.IsNull()) return {};
  if (!list.IsSequence()) return Status::invalidArgument("plugins: expected a list");
  std::set<std::string> names;
  for (std::size_t i = 0; i < list.size(); ++i) {
    std::string path = "plugins[" + std::to_string(i) + "]";
    ConfigReader r(list[i], path);
    PluginEntry e;
    e.name = r.get<std::string>("name", "");
    e.path = r.get<std::string>("path", "");
    e.enabled = r.get<bool>("enabled", true);
    YAML::Node args = r.node("args");
    if (args && !args.IsNull()) {
      if (!args.IsMap()) return Status::invalidArgument(path + ".args: expected a mapping");
      YAML::Emitter out;
      out << args;
      e.argsYaml = out.c_str();
    }
    if (auto s = r.finish(); !s.ok()) return s;
    if (e.name.empty()) return Status::invalidArgument(path + ".name: required");
    if (e.path.empty()) return Status::invalidArgument(path + ".path: required");
    if (!names.insert(e.name).second) {
      return Status::invalidArgument(path + ".name: duplicate plugin name \"" + e.name + "\"");
    }
    config.plugins.push_back(std::move(e));
  }
  return {};
}

}  // namespace

Result<DaemonConfig> parseConfig(const std::string& yamlText, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yamlText);
  } catch (const YAML::ParserException& e) {
    return Status::invalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  DaemonConfig config;
  ConfigReader r(root, "");
  config.dataDir = r.get<std::string>("dataDir", config.dataDir);
  config.logLevel = r.get<std::string>("logLevel", config.logLevel);
  if (YAML::Node store = r.node("store")) {
    ConfigReader s(store, "store");
    config.store.mapSizeBytes = s.getBytes("mapSize", config.store.mapSizeBytes);
    config.store.maxReaders = s.get<std::uint32_t>("maxReaders", config.store.maxReaders);
    config.store.compactionIntervalMs = s.getDurationMs("compactionInterval", config.store.compactionIntervalMs);
    if (auto st = s.finish(); !st.ok()) return st.withContext(source);
  }
  if (YAML::Node bus = r.node("bus")) {
    ConfigReader b(bus, "bus");
    config.bus.socket = b.get<std::string>("socket", config.bus.socket);
    config.bus.tcp = b.get<std::string>("tcp", config.bus.tcp);
    config.bus.watchBacklog = b.get<std::size_t>("watchBacklog", config.bus.watchBacklog);
    if (auto st = b.finish(); !st.ok()) return st.withContext(source);
  }
  if (YAML::Node paths = r.node("pluginPath")) {
    if (!paths.IsNull()) {
      if (!paths.IsSequence()) return Status::invalidArgument("pluginPath: expected a list of directories").withContext(source);
      for (const auto& p : paths) config.pluginPath.push_back(p.as<std::string>());
    }
  }
  if (auto st = parsePlugins(r.node("plugins"), config); !st.ok()) return st.withContext(source);
  if (auto st = r.finish(); !st.ok()) return st.withContext(source);

  if (!validLogLevel(config.logLevel)) {
    return Status::invalidArgument("logLevel: \"" + config.logLevel +
                                   "\" is not one of trace, debug, info, warn, error, critical, off")
        .withContext(source);
  }
  if (config.store.mapSizeBytes < (1ull << 20)) {
    return Status::invalidArgument("store.mapSize: must be at least 1Mi").withContext(source);
  }
  if (!config.bus.tcp.empty() && config.bus.tcp.rfind("127.", 0) != 0 && config.bus.tcp.rfind("localhost:", 0) != 0 &&
      config.bus.tcp.rfind("[::1]:", 0) != 0) {
    return Status::invalidArgument("bus.tcp: \"" + config.bus.tcp +
                                   "\" is not a loopback address; the bus can load code into the daemon and has "
                                   "no authentication yet")
        .withContext(source);
  }
  return config;
}

Result<DaemonConfig> loadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::notFound("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parseConfig(ss.str(), path);
}

}  // namespace capstan::kernel
