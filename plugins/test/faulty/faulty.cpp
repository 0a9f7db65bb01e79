// Deliberately defective plugins for the plugin manager's tests. CMake builds this source once
// per defect, defining exactly one CAPSTAN_FAULT_* macro (and, for some, linking it against the
// rules of capstan_add_plugin), so each .so really has its defect: the tests see what a broken
// plugin from the field would look like, not a simulation.

#include <stdexcept>
#include <string>
#include <string_view>

#include "capstan/host.h"
#include "capstan/plugin.h"
#include "capstan/service.h"
#include "capstan/status.h"

#if defined(CAPSTAN_FAULT_UNRESOLVED_SYMBOL)
// Declared, never defined anywhere: the library links only because it is built without
// -z defs, and must then fail to load under RTLD_NOW.
extern "C" int capstan_test_never_defined();
#endif

#if defined(CAPSTAN_FAULT_EXTRA_SYMBOL)
// A second export, let through by this plugin's own version script.
extern "C" __attribute__((visibility("default"))) int capstan_test_extra_symbol() { return 42; }
#endif

namespace capstan::plugins::faulty {

class FaultyPlugin final : public Plugin, public Service {
 public:
  FaultyPlugin() {
#if defined(CAPSTAN_FAULT_THROWING_FACTORY)
    throw std::runtime_error("the faulty plugin refuses to be constructed");
#endif
  }

  Status init(Host&, const PluginConfig&) override {
#if defined(CAPSTAN_FAULT_INIT_ERROR)
    return Status::invalidArgument("args.mode: the faulty plugin accepts no configuration");
#elif defined(CAPSTAN_FAULT_INIT_THROWS)
    throw std::runtime_error("init exploded");
#elif defined(CAPSTAN_FAULT_UNRESOLVED_SYMBOL)
    if (capstan_test_never_defined() != 0) return Status::internal("unreachable: the library cannot load");
#endif
    return {};
  }

#if defined(CAPSTAN_FAULT_LIFECYCLE_THROWS)
  Status reconfigure(const std::string&) override { throw std::runtime_error("reconfigure exploded"); }
  void drain() override { throw std::runtime_error("drain exploded"); }
  void stop() override { throw std::logic_error("stop exploded"); }
#endif

  void* queryInterface(std::string_view kind) override {
#if defined(CAPSTAN_FAULT_NO_INTERFACE)
    (void)kind;
    return nullptr;
#else
    return kind == Service::kKind ? static_cast<Service*>(this) : nullptr;
#endif
  }

  kj::Promise<Result<std::string>> call(std::string_view, std::string) override {
    return Result<std::string>(std::string("faulty"));
  }
};

}  // namespace capstan::plugins::faulty

#if defined(CAPSTAN_FAULT_BAD_ABI)
// The descriptor CAPSTAN_PLUGIN would write, by hand, with a plugin ABI no host has.
namespace capstan_plugin_export {
static ::capstan::Plugin* capstanCreatePlugin() { return new ::capstan::plugins::faulty::FaultyPlugin(); }
extern "C" __attribute__((section(".capstan_plugin"), used)) const ::capstan::PluginDescriptor capstan_descriptor = {
    ::capstan::kDescriptorMagic, sizeof(::capstan::PluginDescriptor), 999, __GXX_ABI_VERSION,
    _GLIBCXX_USE_CXX11_ABI, 0, CAPSTAN_COMPILER_ID, "faulty", "0.0.1", "service",
    "a plugin built against a plugin ABI that does not exist", &capstanCreatePlugin};
BOOST_DLL_ALIAS(capstan_plugin_export::capstan_descriptor, capstan_plugin)
}  // namespace capstan_plugin_export
#else
CAPSTAN_PLUGIN(capstan::plugins::faulty::FaultyPlugin, "faulty", "0.0.1", "service",
                    "a deliberately defective plugin (a test plugin)")
#endif
