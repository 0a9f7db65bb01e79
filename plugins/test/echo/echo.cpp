// echo: a "service" plugin that answers what it is sent. A test plugin: the plugin manager's
// tests load, reconfigure and hot-swap it (echo-v1.so <-> echo-v2.so) under load.

#include <mutex>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "capstan/config.h"
#include "capstan/host.h"
#include "capstan/plugin.h"
#include "capstan/service.h"
#include "capstan/status.h"

#ifndef CAPSTAN_ECHO_VERSION
#error "CAPSTAN_ECHO_VERSION must be set by the build (e.g. \"1.0.0\")"
#endif

namespace capstan::plugins::echo {

struct EchoArgs {
  std::string prefix;  // put before every echoed payload
};

// Decodes the args once; an unknown key is refused with its path, so a typo is not silently
// ignored.
Result<EchoArgs> decodeArgs(const std::string& argsYaml) {
  try {
    ConfigReader reader(YAML::Load(argsYaml), "args");
    EchoArgs args;
    args.prefix = reader.get<std::string>("prefix", "");
    if (Status status = reader.finish(); !status.ok()) return status;
    return args;
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("args: not valid YAML: ") + e.what());
  }
}

class EchoPlugin final : public Plugin, public Service {
 public:
  Status init(Host&, const PluginConfig& config) override { return apply(config.argsYaml); }

  // Live: calls on other threads see either the old or the new prefix, never a torn one.
  Status reconfigure(const std::string& argsYaml) override { return apply(argsYaml); }

  void* queryInterface(std::string_view kind) override {
    return kind == Service::kKind ? static_cast<Service*>(this) : nullptr;
  }

  kj::Promise<Result<std::string>> call(std::string_view method, std::string payload) override {
    if (method == "echo") return Result<std::string>(prefix() + payload);
    if (method == "version") return Result<std::string>(std::string(CAPSTAN_ECHO_VERSION));
    // "<version>|<prefix><payload>": shows which build answered each request during a swap.
    if (method == "tagged") return Result<std::string>(std::string(CAPSTAN_ECHO_VERSION) + "|" + prefix() + payload);
    return Result<std::string>(
        Status::notFound("echo has no method \"" + std::string(method) + "\" (methods: echo, tagged, version)"));
  }

 private:
  Status apply(const std::string& argsYaml) {
    auto args = decodeArgs(argsYaml);
    if (!args.ok()) return args.status();
    std::lock_guard lock(mutex_);
    prefix_ = std::move(args->prefix);
    return {};
  }

  std::string prefix() const {
    std::lock_guard lock(mutex_);
    return prefix_;
  }

  mutable std::mutex mutex_;
  std::string prefix_;
};

}  // namespace capstan::plugins::echo

CAPSTAN_PLUGIN(capstan::plugins::echo::EchoPlugin, "echo", CAPSTAN_ECHO_VERSION, "service",
                    "answers what it is sent (a test plugin)")
