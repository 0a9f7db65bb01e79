#include "plugin/instance.h"

#include <cxxabi.h>

#include <exception>
#include <type_traits>
#include <typeinfo>

#include <boost/core/demangle.hpp>
#include <kj/exception.h>

namespace capstan::plugin {

std::string describeCurrentException() {
  // Everything is read here, while the library that threw is certainly still mapped: the
  // exception's what() and type_info may live in the plugin's image.
  try {
    throw;
  } catch (const std::exception& e) {
    return boost::core::demangle(typeid(e).name()) + ": " + e.what();
  } catch (const kj::Exception& e) {
    return std::string("kj::Exception: ") + e.getDescription().cStr() + " (" + e.getFile() + ":" +
           std::to_string(e.getLine()) + ")";
  } catch (...) {
    const std::type_info* type = abi::__cxa_current_exception_type();
    return "an exception of type " + (type ? boost::core::demangle(type->name()) : std::string("unknown"));
  }
}

PluginInstance::PluginInstance(std::shared_ptr<const LoadedLibrary> library, std::unique_ptr<Host> host,
                               PluginConfig config, TeardownReporter reporter)
    : library_(std::move(library)),
      host_(std::move(host)),
      config_(std::move(config)),
      reporter_(std::move(reporter)) {}

std::string PluginInstance::who() const { return "plugin " + config_.path + " (instance " + config_.name + ")"; }

template <class F>
Status PluginInstance::guard(std::string_view step, F&& call) {
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
      call();
      return {};
    } else {
      Status status = call();
      if (status.ok()) return status;
      return status.withContext(who() + ": " + std::string(step));
    }
  } catch (...) {
    return Status::internal(who() + ": " + std::string(step) + " threw " + describeCurrentException());
  }
}

Result<std::shared_ptr<PluginInstance>> PluginInstance::start(std::shared_ptr<const LoadedLibrary> library,
                                                              std::unique_ptr<Host> host, PluginConfig config,
                                                              TeardownReporter reporter) {
  // On every early return below, `instance` is destroyed and its destructor undoes exactly
  // what was done so far (stop only after a successful init, then delete, then unload).
  std::shared_ptr<PluginInstance> instance(
      new PluginInstance(std::move(library), std::move(host), std::move(config), std::move(reporter)));
  PluginInstance& self = *instance;

  Status created = self.guard("factory", [&] {
    self.plugin_ = self.library_->createPlugin();
    return self.plugin_ ? Status{} : Status::internal("returned no plugin object");
  });
  if (!created.ok()) return created;

  Status initialised = self.guard("init", [&] { return self.plugin_->init(*self.host_, self.config_); });
  if (!initialised.ok()) return initialised;
  self.initSucceeded_ = true;

  Status started = self.guard("start", [&] { return self.plugin_->start(); });
  if (!started.ok()) return started;

  // Collected once, so pin() never calls plugin code.
  for (const std::string& kind : self.library_->kinds()) {
    void* iface = nullptr;
    Status queried = self.guard("queryInterface(\"" + kind + "\")", [&] { iface = self.plugin_->queryInterface(kind); });
    if (!queried.ok()) return queried;
    if (iface == nullptr) {
      return Status::internal(self.who() + ": its descriptor declares kind \"" + kind +
                              "\" but queryInterface(\"" + kind + "\") returns no interface");
    }
    self.interfaces_.emplace_back(kind, iface);
  }
  self.startedAt_ = std::chrono::system_clock::now();
  return instance;
}

PluginInstance::~PluginInstance() {
  if (plugin_ != nullptr && initSucceeded_) {
    Status stopped = guard("stop", [&] { plugin_->stop(); });
    if (!stopped.ok() && reporter_) {
      try {
        reporter_(stopped);
      } catch (...) {
        // A reporter that fails must not turn a plugin's teardown into std::terminate.
      }
    }
  }
  // The destructor is plugin code too, but destructors are noexcept: one that throws
  // terminates the process, and no guard here could change that.
  delete plugin_;
  plugin_ = nullptr;
  host_.reset();
  // library_, declared first, is released last by member destruction.
}

Status PluginInstance::reconfigure(const std::string& argsYaml) {
  // config_ keeps the args of init: the caller records the current ones, under its own lock.
  return guard("reconfigure", [&] { return plugin_->reconfigure(argsYaml); });
}

Status PluginInstance::drain() {
  if (drained_) return {};
  drained_ = true;
  return guard("drain", [&] { plugin_->drain(); });
}

}  // namespace capstan::plugin
