#include "plugin/manager.h"

#include <algorithm>
#include <exception>
#include <utility>

#include <spdlog/spdlog.h>

#include "plugin/descriptor.h"
#include "plugin/instance.h"

namespace capstan::plugin {
namespace {

constexpr std::size_t kMaxNameLength = 253;

// Instance names end up in bus names, data directories and log names: keep them to
// characters that are safe in all three.
Status validateName(const std::string& name) {
  if (name.empty()) return Status::invalidArgument("a plugin instance needs a name");
  if (name.size() > kMaxNameLength) {
    return Status::invalidArgument("plugin instance name \"" + name.substr(0, 32) + "...\" is longer than " +
                                   std::to_string(kMaxNameLength) + " characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) {
      return Status::invalidArgument("plugin instance name \"" + name +
                                     "\" may contain only letters, digits, '.', '_' and '-'");
    }
  }
  return {};
}

std::string joinKinds(const std::vector<std::string>& kinds) {
  std::string out;
  for (const std::string& kind : kinds) {
    if (!out.empty()) out += ", ";
    out += kind;
  }
  return out;
}

}  // namespace

std::string_view stateName(PluginState state) {
  switch (state) {
    case PluginState::kRunning: return "Running";
    case PluginState::kDisabled: return "Disabled";
    case PluginState::kFailed: return "Failed";
  }
  return "Unknown";
}

// One named slot. pin() takes only pinMutex_, for the time of one shared_ptr copy; the
// record, and every change of the instance, go through mutex_ (then pinMutex_), so list()
// sees instance and record together.
//
// Why not std::atomic<std::shared_ptr>: libstdc++ 12's load() releases its internal lock bit
// with memory_order_relaxed, so its read of the pointer is not ordered before a concurrent
// exchange (ThreadSanitizer reports it; see google/sanitizers#1558). A mutex held for one
// reference-count increment costs about the same and is correct everywhere.
//
// Rule: no reference to an instance is ever dropped while either mutex is held, because
// dropping the last one runs the plugin's stop() and teardown, which may report back into
// this slot.
class PluginManager::Slot final : public PluginSlot {
 public:
  struct Record {
    PluginSpec spec;           // what the running instance was configured with (or the disabled/failed spec)
    std::string resolvedPath;  // the file spec.path resolved to when the instance started
    PluginState state = PluginState::kDisabled;
    std::string lastError;
    std::uint64_t swapCount = 0;
  };
  struct Snapshot {
    Record record;
    std::shared_ptr<PluginInstance> instance;
  };

  explicit Slot(std::string name) : name_(std::move(name)) {}

  const std::string& name() const override { return name_; }

  void* pin(std::string_view kind, std::shared_ptr<const void>& keepAlive, std::string* version) const override {
    std::shared_ptr<PluginInstance> instance = current();
    if (!instance) return nullptr;
    void* iface = instance->interfaceFor(kind);
    if (iface == nullptr) return nullptr;
    if (version != nullptr) *version = instance->version();
    keepAlive = std::move(instance);
    return iface;
  }

  bool pinMany(std::span<const std::string_view> kinds, std::span<void*> out, std::shared_ptr<const void>& keepAlive,
               std::string* version) const override {
    std::shared_ptr<PluginInstance> instance = current();
    if (!instance) return false;
    for (std::size_t i = 0; i < kinds.size() && i < out.size(); ++i) out[i] = instance->interfaceFor(kinds[i]);
    if (version != nullptr) *version = instance->version();
    keepAlive = std::move(instance);
    return true;
  }

  std::shared_ptr<PluginInstance> current() const {
    std::lock_guard lock(pinMutex_);
    return current_;
  }

  Snapshot snapshot() const {
    std::lock_guard lock(mutex_);
    return {record_, current()};
  }

  // Installs `next` (possibly null) and updates the record in one step; returns the previous
  // instance, for the caller to drain and release outside the locks.
  template <class F>
  std::shared_ptr<PluginInstance> switchTo(std::shared_ptr<PluginInstance> next, F&& updateRecord) {
    std::lock_guard lock(mutex_);
    updateRecord(record_);
    std::lock_guard pinLock(pinMutex_);
    current_.swap(next);
    return next;
  }

  template <class F>
  void update(F&& updateRecord) {
    std::lock_guard lock(mutex_);
    updateRecord(record_);
  }

  void noteError(const Status& status) {
    std::lock_guard lock(mutex_);
    record_.lastError = status.toString();
  }

 private:
  const std::string name_;
  mutable std::mutex mutex_;     // guards record_; taken before pinMutex_
  Record record_;
  mutable std::mutex pinMutex_;  // guards current_
  std::shared_ptr<PluginInstance> current_;
};

PluginManager::PluginManager(std::filesystem::path cacheDir, std::vector<std::filesystem::path> searchPaths,
                             HostFactory hostFactory)
    : loader_(std::move(cacheDir)), searchPaths_(std::move(searchPaths)), hostFactory_(std::move(hostFactory)) {}

PluginManager::~PluginManager() {
  std::lock_guard control(controlMutex_);
  std::vector<std::shared_ptr<Slot>> slots;
  {
    std::lock_guard table(tableMutex_);
    slots.swap(slots_);
  }
  for (auto it = slots.rbegin(); it != slots.rend(); ++it) stopSlot(*it, PluginState::kDisabled);
}

Result<std::filesystem::path> PluginManager::resolvePath(const std::string& path) const {
  if (path.empty()) return Status::invalidArgument("a plugin needs a path");
  std::error_code ec;
  if (path.find('/') != std::string::npos) {
    std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    if (ec) return Status::invalidArgument("cannot make plugin path " + path + " absolute: " + ec.message());
    return absolute.lexically_normal();
  }
  std::string searched;
  for (const std::filesystem::path& dir : searchPaths_) {
    std::filesystem::path candidate = dir / path;
    if (std::filesystem::is_regular_file(candidate, ec)) {
      std::filesystem::path absolute = std::filesystem::absolute(candidate, ec);
      return ec ? candidate : absolute.lexically_normal();
    }
    if (!searched.empty()) searched += ", ";
    searched += dir.string();
  }
  if (searched.empty()) {
    return Status::notFound("plugin file " + path + " not found: no plugin search paths are configured");
  }
  return Status::notFound("plugin file " + path + " not found in the plugin search paths (" + searched + ")");
}

std::shared_ptr<PluginManager::Slot> PluginManager::findSlot(std::string_view name) const {
  std::lock_guard table(tableMutex_);
  for (const auto& slot : slots_) {
    if (slot->name() == name) return slot;
  }
  return nullptr;
}

Result<std::shared_ptr<PluginInstance>> PluginManager::startInstance(const std::shared_ptr<Slot>& slot,
                                                                     const PluginSpec& spec,
                                                                     const std::filesystem::path& resolved,
                                                                     const PluginInstance* replacing) {
  auto library = loader_.load(resolved);
  if (!library.ok()) return library.status();

  if (replacing != nullptr) {
    // Consumers hold typed handles to this slot; a replacement that dropped one of their kinds
    // would silently turn their pins into nothing.
    std::vector<std::string> missing;
    for (const std::string& kind : replacing->library().kinds()) {
      if (!(*library)->hasKind(kind)) missing.push_back(kind);
    }
    if (!missing.empty()) {
      return Status::failedPrecondition("plugin " + resolved.string() + " cannot replace instance " + spec.name +
                                        ": it does not implement " + joinKinds(missing) + ", which the running " +
                                        replacing->library().pluginName() + " " + replacing->version() + " does");
    }
  }

  std::unique_ptr<Host> host;
  try {
    host = hostFactory_(spec.name);
  } catch (...) {
    return Status::internal("building the Host for plugin instance " + spec.name + " threw " +
                            describeCurrentException());
  }
  if (!host) return Status::internal("no Host could be built for plugin instance " + spec.name);

  TeardownReporter reporter = [weakSlot = std::weak_ptr<Slot>(slot), name = spec.name](const Status& status) {
    spdlog::warn("plugin instance {}: {}", name, status.toString());
    if (auto s = weakSlot.lock()) s->noteError(status);
  };
  return PluginInstance::start(std::move(*library), std::move(host),
                               PluginConfig{spec.name, resolved.string(), spec.argsYaml}, std::move(reporter));
}

Status PluginManager::startInto(const std::shared_ptr<Slot>& slot, const PluginSpec& spec) {
  auto resolved = resolvePath(spec.path);
  if (!resolved.ok()) return resolved.status().withContext("plugin instance " + spec.name);
  auto instance = startInstance(slot, spec, *resolved, nullptr);
  if (!instance.ok()) return instance.status();
  // Only slots with nothing running are filled here, so there is no previous instance to drain.
  std::shared_ptr<PluginInstance> previous = slot->switchTo(std::move(*instance), [&](Slot::Record& r) {
    r.spec = spec;
    r.resolvedPath = resolved->string();
    r.state = PluginState::kRunning;
    r.lastError.clear();
  });
  return previous ? Status::internal("plugin instance " + spec.name + " was started over a running instance")
                  : Status{};
}

Status PluginManager::swapTo(const std::shared_ptr<Slot>& slot, const PluginSpec& spec, bool& changed, bool restart) {
  changed = false;
  std::shared_ptr<PluginInstance> current = slot->current();
  if (!current) {
    return Status::failedPrecondition("plugin instance " + slot->name() + " is not running (" +
                                      std::string(stateName(slot->snapshot().record.state)) +
                                      "); there is nothing to swap");
  }
  auto fail = [&](const Status& status) {
    slot->noteError(status);
    return status;
  };
  auto resolved = resolvePath(spec.path);
  if (!resolved.ok()) return fail(resolved.status().withContext("plugin instance " + spec.name));
  // The content decides, not the path: a rebuilt file at the same path is new code, the same
  // bytes under another name are not.
  auto hash = LibraryLoader::contentHash(*resolved);
  if (!hash.ok()) return fail(hash.status().withContext("plugin instance " + spec.name));
  if (*hash == current->library().sha256() && !restart) {
    slot->update([&](Slot::Record& r) {
      r.spec.path = spec.path;
      r.resolvedPath = resolved->string();
    });
    return {};
  }

  PluginSpec next = spec;
  next.enabled = true;
  auto instance = startInstance(slot, next, *resolved, current.get());
  if (!instance.ok()) return fail(instance.status());

  std::shared_ptr<PluginInstance> old = slot->switchTo(std::move(*instance), [&](Slot::Record& r) {
    r.spec = next;
    r.resolvedPath = resolved->string();
    r.state = PluginState::kRunning;
    r.lastError.clear();
    ++r.swapCount;
  });
  changed = true;
  // From here on new pins get the new instance; units already pinned on the old one finish
  // there, and its stop/delete/unload happen when the last of them (or we) let go.
  Status drained = old->drain();
  if (!drained.ok()) slot->noteError(drained);
  return {};
}

Status PluginManager::reconfigureSlot(const std::shared_ptr<Slot>& slot, const std::string& argsYaml) {
  std::shared_ptr<PluginInstance> current = slot->current();
  if (current) {
    Status status = current->reconfigure(argsYaml);
    if (status.code() == Code::kUnimplemented) {
      // The plugin keeps its args for life: a fresh instance of the same file takes over.
      PluginSpec next = slot->snapshot().record.spec;
      next.argsYaml = argsYaml;
      bool changed = false;
      return swapTo(slot, next, changed, /*restart=*/true);
    }
    if (!status.ok()) {
      slot->noteError(status);
      return status;
    }
  }
  slot->update([&](Slot::Record& r) { r.spec.argsYaml = argsYaml; });
  return {};
}

void PluginManager::stopSlot(const std::shared_ptr<Slot>& slot, PluginState newState) {
  std::shared_ptr<PluginInstance> old = slot->switchTo(nullptr, [&](Slot::Record& r) { r.state = newState; });
  if (!old) return;
  Status drained = old->drain();
  if (!drained.ok()) slot->noteError(drained);
}

void PluginManager::removeSlot(const std::shared_ptr<Slot>& slot) {
  {
    std::lock_guard table(tableMutex_);
    slots_.erase(std::remove(slots_.begin(), slots_.end(), slot), slots_.end());
  }
  stopSlot(slot, PluginState::kDisabled);
}

Status PluginManager::load(const PluginSpec& spec) {
  std::lock_guard control(controlMutex_);
  Status valid = validateName(spec.name);
  if (!valid.ok()) return valid;
  if (findSlot(spec.name)) {
    return Status::alreadyExists("a plugin instance named " + spec.name + " already exists");
  }
  auto slot = std::make_shared<Slot>(spec.name);
  if (spec.enabled) {
    Status started = startInto(slot, spec);
    if (!started.ok()) return started;
  } else {
    slot->update([&](Slot::Record& r) {
      r.spec = spec;
      r.state = PluginState::kDisabled;
    });
  }
  std::lock_guard table(tableMutex_);
  slots_.push_back(std::move(slot));
  return {};
}

Status PluginManager::unload(std::string_view name) {
  std::lock_guard control(controlMutex_);
  auto slot = findSlot(name);
  if (!slot) return Status::notFound("no plugin instance named " + std::string(name));
  removeSlot(slot);
  return {};
}

Status PluginManager::swap(std::string_view name, const std::string& newPath) {
  std::lock_guard control(controlMutex_);
  auto slot = findSlot(name);
  if (!slot) return Status::notFound("no plugin instance named " + std::string(name));
  PluginSpec spec = slot->snapshot().record.spec;
  spec.path = newPath;
  bool changed = false;
  return swapTo(slot, spec, changed);
}

Status PluginManager::reconfigure(std::string_view name, const std::string& argsYaml) {
  std::lock_guard control(controlMutex_);
  auto slot = findSlot(name);
  if (!slot) return Status::notFound("no plugin instance named " + std::string(name));
  return reconfigureSlot(slot, argsYaml);
}

ApplyResult PluginManager::apply(const std::vector<PluginSpec>& desired) {
  std::lock_guard control(controlMutex_);

  for (std::size_t i = 0; i < desired.size(); ++i) {
    Status valid = validateName(desired[i].name);
    if (!valid.ok()) return {valid, "no changes: the configuration is invalid"};
    for (std::size_t j = 0; j < i; ++j) {
      if (desired[j].name == desired[i].name) {
        return {Status::invalidArgument("plugin instance " + desired[i].name + " is configured twice"),
                "no changes: the configuration is invalid"};
      }
    }
  }

  std::vector<std::string> lines;
  std::size_t failures = 0;
  Status firstFailure;
  auto report = [&](const std::string& action, const Status& status) {
    lines.push_back(action + ": " + (status.ok() ? std::string("ok") : "failed: " + status.toString()));
    if (!status.ok() && failures++ == 0) firstFailure = status;
  };
  auto isDesired = [&](const std::string& name) {
    return std::any_of(desired.begin(), desired.end(), [&](const PluginSpec& s) { return s.name == name; });
  };

  // Removals first, in reverse config order, so what they free (names, ports) is free for
  // what follows.
  std::vector<std::shared_ptr<Slot>> existing;
  {
    std::lock_guard table(tableMutex_);
    existing = slots_;
  }
  for (auto it = existing.rbegin(); it != existing.rend(); ++it) {
    if (isDesired((*it)->name())) continue;
    removeSlot(*it);
    report("unload " + (*it)->name(), {});
  }

  for (const PluginSpec& spec : desired) {
    std::shared_ptr<Slot> slot = findSlot(spec.name);
    const bool isNew = !slot;
    if (isNew) slot = std::make_shared<Slot>(spec.name);
    const Slot::Record record = slot->snapshot().record;
    const bool running = slot->current() != nullptr;

    if (!spec.enabled) {
      if (running) {
        stopSlot(slot, PluginState::kDisabled);
        report("disable " + spec.name, {});
      }
      slot->update([&](Slot::Record& r) {
        r.spec = spec;
        r.state = PluginState::kDisabled;
      });
    } else if (!running) {
      Status started = startInto(slot, spec);
      if (!started.ok()) {
        slot->update([&](Slot::Record& r) {
          r.spec = spec;
          r.state = PluginState::kFailed;
          r.lastError = started.toString();
        });
      }
      const bool enabling = !isNew && record.state == PluginState::kDisabled;
      report((enabling ? "enable " : "load ") + spec.name + " (" + spec.path + ")", started);
    } else {
      bool swapped = false;
      Status status = swapTo(slot, spec, swapped);
      if (!status.ok() || swapped) {
        report("swap " + spec.name + " (" + record.spec.path + " -> " + spec.path + ")", status);
      } else if (spec.argsYaml != record.spec.argsYaml) {
        report("reconfigure " + spec.name, reconfigureSlot(slot, spec.argsYaml));
      }
    }

    if (isNew) {
      std::lock_guard table(tableMutex_);
      slots_.push_back(slot);
    }
  }

  // Config order is the order consumers see in slotsOfKind (e.g. a scheduler's filters).
  {
    std::lock_guard table(tableMutex_);
    std::stable_sort(slots_.begin(), slots_.end(), [&](const auto& a, const auto& b) {
      auto position = [&](const std::string& name) {
        return std::find_if(desired.begin(), desired.end(), [&](const PluginSpec& s) { return s.name == name; }) -
               desired.begin();
      };
      return position(a->name()) < position(b->name());
    });
  }

  ApplyResult result;
  if (lines.empty()) {
    result.summary = "no changes";
  } else {
    for (const std::string& line : lines) result.summary += line + "\n";
  }
  if (failures > 0) {
    result.status = Status(firstFailure.code(), std::to_string(failures) + " of " + std::to_string(lines.size()) +
                                                    " plugin actions failed; the first: " + firstFailure.message());
  }
  return result;
}

std::vector<PluginInfo> PluginManager::list() const {
  std::vector<std::shared_ptr<Slot>> slots;
  {
    std::lock_guard table(tableMutex_);
    slots = slots_;
  }
  std::vector<PluginInfo> out;
  out.reserve(slots.size());
  for (const auto& slot : slots) {
    Slot::Snapshot snap = slot->snapshot();
    PluginInfo info;
    info.name = slot->name();
    info.path = snap.record.spec.path;
    info.resolvedPath = snap.record.resolvedPath;
    info.argsYaml = snap.record.spec.argsYaml;
    info.state = snap.record.state;
    info.lastError = snap.record.lastError;
    info.swapCount = snap.record.swapCount;
    if (snap.instance) {
      const LoadedLibrary& library = snap.instance->library();
      info.pluginName = library.pluginName();
      info.version = library.version();
      info.kinds = library.kinds();
      info.description = std::string(fieldString(library.descriptor().description));
      info.loadedPath = library.loadedPath().string();
      info.sha256 = library.sha256();
      info.loadedAt = snap.instance->startedAt();
    }
    out.push_back(std::move(info));
  }
  return out;
}

std::vector<std::shared_ptr<const PluginSlot>> PluginManager::slotsOfKind(std::string_view kind) {
  std::vector<std::shared_ptr<Slot>> slots;
  {
    std::lock_guard table(tableMutex_);
    slots = slots_;
  }
  // Instances are looked at outside tableMutex_: releasing one may be its last reference,
  // and its teardown runs plugin code that may use this registry.
  std::vector<std::shared_ptr<const PluginSlot>> out;
  for (const auto& slot : slots) {
    std::shared_ptr<PluginInstance> instance = slot->current();
    if (instance && instance->interfaceFor(kind) != nullptr) out.push_back(slot);
  }
  return out;
}

std::shared_ptr<const PluginSlot> PluginManager::slot(std::string_view name) { return findSlot(name); }

}  // namespace capstan::plugin
