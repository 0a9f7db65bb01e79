#pragma once
// The one door of a plugin: a data descriptor, exported under the single symbol
// `capstan_plugin`, and the Plugin interface its factory returns.
//
// The host reads the descriptor from the .so file's `.capstan_plugin` section (a leading dot:
// GNU as keeps section and symbol names in one table, so it must differ from the symbol) and checks
// its ABI fields before it dlopen()s the library, so a mismatched plugin is refused before
// any of its code (even static initializers) runs. Only then is the library loaded
// (RTLD_NOW | RTLD_LOCAL) and the factory called.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/dll/alias.hpp>

#include "capstan/status.h"

namespace capstan {

// Bump whenever any header under plugin-api/capstan/ changes in a way a compiled plugin
// could notice (layouts, vtables, inline code). CI fails when the headers' hash changes
// without this number changing (tools/check-plugin-abi).
inline constexpr std::uint32_t kPluginAbiVersion = 3;
inline constexpr std::uint32_t kDescriptorMagic = 0x43505331;  // "CPS1"

class Host;
class Plugin;

// Plain data, fixed layout, no pointers but the factory: readable straight from the file.
struct PluginDescriptor {
  std::uint32_t magic;
  std::uint32_t descriptorSize;  // sizeof(PluginDescriptor) as the plugin saw it
  std::uint32_t pluginAbi;       // kPluginAbiVersion
  std::uint32_t gxxAbi;          // __GXX_ABI_VERSION
  std::uint32_t cxx11Abi;        // _GLIBCXX_USE_CXX11_ABI
  std::uint32_t reserved;
  char compiler[64];             // "g++ 12.2.0"
  char name[64];                 // the plugin's type name, e.g. "echo"
  char version[32];              // the plugin's own version, e.g. "1.0.0"
  char kinds[128];               // comma-separated kinds, e.g. "service"
  char description[160];
  Plugin* (*factory)();          // creates one instance; called only after every check passed
};

#define CAPSTAN_STRINGIFY2(x) #x
#define CAPSTAN_STRINGIFY(x) CAPSTAN_STRINGIFY2(x)
#define CAPSTAN_COMPILER_ID "g++ " CAPSTAN_STRINGIFY(__GNUC__) "." CAPSTAN_STRINGIFY(__GNUC_MINOR__) "." CAPSTAN_STRINGIFY(__GNUC_PATCHLEVEL__)

// What a plugin instance is given at init: its instance name (from config), the file it
// was loaded from and its args as YAML text (decode them once, reject unknown keys).
struct PluginConfig {
  std::string name;
  std::string path;
  std::string argsYaml;
};

// Lifecycle, driven by the host in this order: init -> start -> (reconfigure)* -> drain ->
// stop -> destructor. Any of them may be refused with a Status; an exception thrown from
// any of them is caught by the host and treated as an Internal status.
class Plugin {
 public:
  virtual ~Plugin() = default;

  virtual Status init(Host& host, const PluginConfig& config) = 0;
  virtual Status start() { return {}; }
  // New args for a running instance (same file). Refuse to keep the old args. The default
  // (Unimplemented) makes the host reconfigure by swapping: it starts a fresh instance of
  // the same file with the new args and switches to it between units of work, so a
  // plugin's args can stay immutable for an instance's lifetime (what scheduler stages do:
  // each cycle pins one instance and so sees one consistent set of args).
  virtual Status reconfigure(const std::string& argsYaml) {
    (void)argsYaml;
    return Status::unimplemented("reconfigure in place");
  }
  // Stop taking new work; work already accepted may finish. Called before a swap or unload.
  virtual void drain() {}
  // Release everything that refers to the host (threads, sockets, published services).
  virtual void stop() {}

  // The interface implementing `kind` (e.g. "service" -> capstan::Service*), or nullptr.
  virtual void* queryInterface(std::string_view kind) = 0;
};

}  // namespace capstan

// Defines the plugin's descriptor and exports it. Use once per plugin, at namespace scope:
//   CAPSTAN_PLUGIN(EchoPlugin, "echo", "1.0.0", "service", "answers what it is sent")
#define CAPSTAN_PLUGIN(Class, NameStr, VersionStr, KindsStr, DescriptionStr)                   \
  namespace capstan_plugin_export {                                                            \
  static ::capstan::Plugin* capstanCreatePlugin() { return new Class(); }                      \
  extern "C" __attribute__((section(".capstan_plugin"), used))                                 \
  const ::capstan::PluginDescriptor capstan_descriptor = {                                     \
      ::capstan::kDescriptorMagic, sizeof(::capstan::PluginDescriptor),                        \
      ::capstan::kPluginAbiVersion, __GXX_ABI_VERSION, _GLIBCXX_USE_CXX11_ABI, 0,              \
      CAPSTAN_COMPILER_ID, NameStr, VersionStr, KindsStr, DescriptionStr, &capstanCreatePlugin}; \
  BOOST_DLL_ALIAS(capstan_plugin_export::capstan_descriptor, capstan_plugin)                   \
  }
