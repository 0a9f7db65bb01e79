#pragma once
// PluginManager: loads, checks, starts, reconfigures, hot-swaps and unloads plugins, and is
// the typed registry through which plugins find each other.
//
// Each configured plugin instance lives in a slot. Consumers hold swap-aware Handles to
// slots and pin() them per unit of work; a swap starts the new instance completely, then
// switches the slot atomically, so a unit that pinned the old instance finishes on it and the
// next unit gets the new one. The old instance is drained at once and is stopped, deleted and
// unloaded when its last pin is released (on that thread).
//
// Threading: load / unload / swap / reconfigure / apply are meant for one control thread
// (they are serialised, and they call plugin code). list(), slot() and slotsOfKind() may be
// called from any thread, including from a plugin's init/start. Pinning (PluginSlot::pin)
// costs one shared_ptr copy under a per-slot mutex held for just that copy (never while
// plugin code runs or a swap starts an instance), no allocation for versions of up to 15
// characters, and no plugin code. None of these operations throws.
// Plugin lifecycle callbacks must not call back into load/unload/swap/reconfigure/apply.
//
// Lifetime: release every Handle and Pinned before destroying the manager; the manager's
// destructor unloads everything (pins still held keep their instance, but its Host refers to
// the manager).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/host.h"
#include "capstan/registry.h"
#include "capstan/status.h"
#include "plugin/loader.h"

namespace capstan::plugin {

class PluginInstance;

// One entry of the daemon's plugin configuration.
struct PluginSpec {
  std::string name;           // instance name, unique in the manager; [A-Za-z0-9._-], at most 253 characters
  std::string path;           // a file; a bare file name ("echo.so") is looked up in the search paths, in order
  std::string argsYaml = {};  // the instance's args (Plugin::init, Plugin::reconfigure)
  bool enabled = true;        // a disabled instance is recorded and listed, but nothing is loaded

  bool operator==(const PluginSpec&) const = default;
};

enum class PluginState : std::uint8_t {
  kRunning,   // an instance is serving
  kDisabled,  // configured with enabled = false: nothing is loaded
  kFailed,    // configured enabled, but its load failed (left by apply(); the next apply() retries)
};
std::string_view stateName(PluginState state);

// What list() reports about one slot. Fields that come from the library are empty when no
// instance is running.
struct PluginInfo {
  std::string name;         // instance name
  std::string pluginName;   // the descriptor's name, e.g. "echo"
  std::string version;      // the descriptor's version
  std::vector<std::string> kinds;
  std::string description;
  std::string path;          // as configured
  std::string resolvedPath;  // the file `path` resolved to, the one checked and hashed
  std::string loadedPath;    // the content-addressed copy actually mapped
  std::string sha256;        // of the running file
  std::string argsYaml;      // the args the instance runs with
  PluginState state = PluginState::kDisabled;
  std::string lastError;     // the last failed operation on this slot, cleared by a successful load or swap
  std::uint64_t swapCount = 0;
  std::chrono::system_clock::time_point loadedAt{};  // when the running instance started
};

// apply()'s outcome: one line per action taken, e.g. "swap echo (echo-v2.so): ok".
struct ApplyResult {
  Status status;  // OK if every action succeeded; else the first failure's code
  std::string summary;
};

// Builds the Host for one plugin instance; called once per instance (a swap builds another).
using HostFactory = std::function<std::unique_ptr<capstan::Host>(const std::string& instanceName)>;

class PluginManager final : public capstan::PluginRegistry {
 public:
  // `cacheDir` receives the content-addressed copies (see LibraryLoader); `searchPaths` are
  // the directories a bare file name is looked up in.
  PluginManager(std::filesystem::path cacheDir, std::vector<std::filesystem::path> searchPaths,
                HostFactory hostFactory);
  // Unloads every instance, in reverse config order.
  ~PluginManager() override;
  PluginManager(const PluginManager&) = delete;
  PluginManager& operator=(const PluginManager&) = delete;

  // Loads, checks, inits and starts a new instance. AlreadyExists for a name in use; on any
  // failure nothing is recorded and the manager is as before.
  Status load(const PluginSpec& spec);
  // Removes the slot: handles to it pin nothing from now on; the instance is drained and is
  // stopped and unloaded when its last pin goes.
  Status unload(std::string_view name);
  // Replaces the running instance with one loaded from `newPath` (which may be the same path
  // holding a rebuilt file) and the same args. Same content as the running file: nothing to
  // do but record the path. The new instance must implement every kind the old one did. On
  // failure the old instance keeps serving and the error is also kept as the slot's lastError.
  Status swap(std::string_view name, const std::string& newPath);
  // Plugin::reconfigure on the running instance (live, no swap). A plugin that refuses keeps
  // its old args. For a disabled or failed slot the args are only recorded.
  Status reconfigure(std::string_view name, const std::string& argsYaml);
  // Makes the manager match `desired` (in config order): unloads instances no longer listed,
  // loads new ones, disables / enables on `enabled`, swaps where the file content differs
  // from the running one (with the new args), reconfigures where only the args differ.
  // Every action is attempted and reported; one failing does not stop the others. A desired
  // instance that fails to load is kept as kFailed so it is listed and retried next time.
  // Invalid input (an empty, malformed or repeated name) changes nothing.
  ApplyResult apply(const std::vector<PluginSpec>& desired);
  // Every slot, in config order.
  std::vector<PluginInfo> list() const;

  // The file a spec's `path` names: a path with a '/' is taken as is (made absolute), a bare
  // file name is looked up in the search paths, in order.
  Result<std::filesystem::path> resolvePath(const std::string& path) const;

  // PluginRegistry. Slots with a running instance implementing `kind`, in config order.
  std::vector<std::shared_ptr<const PluginSlot>> slotsOfKind(std::string_view kind) override;
  std::shared_ptr<const PluginSlot> slot(std::string_view name) override;

 private:
  class Slot;

  std::shared_ptr<Slot> findSlot(std::string_view name) const;
  Result<std::shared_ptr<PluginInstance>> startInstance(const std::shared_ptr<Slot>& slot, const PluginSpec& spec,
                                                        const std::filesystem::path& resolved,
                                                        const PluginInstance* replacing);
  Status startInto(const std::shared_ptr<Slot>& slot, const PluginSpec& spec);
  // `restart`: start a fresh instance even when the file is unchanged (reconfigure by swap).
  Status swapTo(const std::shared_ptr<Slot>& slot, const PluginSpec& spec, bool& changed, bool restart = false);
  Status reconfigureSlot(const std::shared_ptr<Slot>& slot, const std::string& argsYaml);
  void stopSlot(const std::shared_ptr<Slot>& slot, PluginState newState);
  void removeSlot(const std::shared_ptr<Slot>& slot);

  LibraryLoader loader_;
  const std::vector<std::filesystem::path> searchPaths_;
  const HostFactory hostFactory_;

  // Serialises the operations that change slots and call plugin code.
  std::mutex controlMutex_;
  // Guards slots_ only; never held while plugin code runs, so a plugin's init may look up
  // other plugins through the registry.
  mutable std::mutex tableMutex_;
  std::vector<std::shared_ptr<Slot>> slots_;  // config order
};

}  // namespace capstan::plugin
