#pragma once
// PluginInstance: the host-side wrapper around one plugin object.
//
// It is the only thing that calls a plugin's lifecycle, and it owns, in this order of
// destruction: the plugin object, the plugin's Host, and the library the object's code lives
// in. So the object is stopped and deleted by host code before its library can be unmapped,
// and the library is never dlclose()d from inside the plugin's own code. Every call into the
// plugin is guarded: an exception becomes an Internal status naming the file and what was
// thrown, so a plugin bug never unwinds into the kernel.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capstan/host.h"
#include "capstan/plugin.h"
#include "capstan/status.h"
#include "plugin/loader.h"

namespace capstan::plugin {

// Receives failures that happen where no caller is left to return a Status to: the plugin's
// stop() runs when the last pin of an instance is released, on whichever thread that is.
using TeardownReporter = std::function<void(const Status&)>;

// The message for the exception currently being handled: its (demangled) type and what().
// Call only inside a catch block.
std::string describeCurrentException();

class PluginInstance final {
 public:
  // Creates the plugin object with the library's factory and runs init, then start, then
  // collects the interface of every kind the descriptor declares (a declared kind without an
  // interface is refused). On any failure the partly started instance is torn down before
  // returning: stop() is called if (and only if) init() had succeeded, then the object is
  // deleted. `config.path` names the plugin in messages.
  static Result<std::shared_ptr<PluginInstance>> start(std::shared_ptr<const LoadedLibrary> library,
                                                       std::unique_ptr<Host> host, PluginConfig config,
                                                       TeardownReporter reporter);

  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;
  // stop() (if init succeeded), delete the plugin object, destroy its Host, release the library.
  ~PluginInstance();

  // Plugin::reconfigure, guarded. The control thread calls it while other threads may be
  // using the instance: making that safe is the plugin's side of the contract.
  Status reconfigure(const std::string& argsYaml);
  // Plugin::drain, guarded; only the first call reaches the plugin.
  Status drain();

  // The interface for `kind` collected at start, or nullptr. Calls no plugin code, never
  // allocates: this runs on every pin.
  void* interfaceFor(std::string_view kind) const noexcept {
    for (const auto& [name, iface] : interfaces_) {
      if (name == kind) return iface;
    }
    return nullptr;
  }

  const LoadedLibrary& library() const { return *library_; }
  const std::string& version() const { return library_->version(); }
  const PluginConfig& config() const { return config_; }
  std::chrono::system_clock::time_point startedAt() const { return startedAt_; }

 private:
  PluginInstance(std::shared_ptr<const LoadedLibrary> library, std::unique_ptr<Host> host, PluginConfig config,
                 TeardownReporter reporter);

  // "plugin /x/echo.so (instance a)": the prefix of every message about this instance.
  std::string who() const;
  template <class F>
  Status guard(std::string_view step, F&& call);

  // Declaration order is destruction order reversed: the library goes last.
  std::shared_ptr<const LoadedLibrary> library_;
  std::unique_ptr<Host> host_;
  Plugin* plugin_ = nullptr;  // owned; deleted by the destructor before host_ and library_
  PluginConfig config_;
  TeardownReporter reporter_;
  std::vector<std::pair<std::string, void*>> interfaces_;
  std::chrono::system_clock::time_point startedAt_;
  bool initSucceeded_ = false;
  bool drained_ = false;
};

}  // namespace capstan::plugin
