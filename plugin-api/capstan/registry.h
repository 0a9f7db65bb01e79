#pragma once
// Swap-aware handles to plugins, for plugins that consume other plugins (the scheduler
// framework consumes its stages, the bus consumes services).
//
// A Handle stays valid across hot swaps. pin() returns the *current* instance and keeps
// it (and its library) alive and un-swapped while the Pinned lives: pin once per unit of
// work (one request, one scheduling cycle) and a swap takes effect between units.

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace capstan {

// Implemented by the host: one named plugin slot whose instance can be swapped.
class PluginSlot {
 public:
  virtual ~PluginSlot() = default;
  virtual const std::string& name() const = 0;
  // The current instance's interface for `kind` (nullptr if none is loaded or it does not
  // implement `kind`); `keepAlive` then holds the instance until released.
  virtual void* pin(std::string_view kind, std::shared_ptr<const void>& keepAlive,
                    std::string* version = nullptr) const = 0;
  // Pins the current instance once and looks up several kinds on it (out[i] for kinds[i],
  // nullptr where it implements none), so a unit of work never mixes two instances. False
  // (and nothing pinned) when no instance is loaded.
  virtual bool pinMany(std::span<const std::string_view> kinds, std::span<void*> out,
                       std::shared_ptr<const void>& keepAlive, std::string* version = nullptr) const = 0;
};

template <class T>
class Pinned {
 public:
  Pinned() = default;
  Pinned(std::shared_ptr<const void> keep, T* iface, std::string version)
      : keep_(std::move(keep)), iface_(iface), version_(std::move(version)) {}
  explicit operator bool() const { return iface_ != nullptr; }
  T* operator->() const { return iface_; }
  T& operator*() const { return *iface_; }
  T* get() const { return iface_; }
  // The pinned instance's plugin version (from its descriptor).
  const std::string& version() const { return version_; }

 private:
  std::shared_ptr<const void> keep_;
  T* iface_ = nullptr;
  std::string version_;
};

// T declares `static constexpr std::string_view kKind`.
template <class T>
class Handle {
 public:
  Handle() = default;
  explicit Handle(std::shared_ptr<const PluginSlot> slot) : slot_(std::move(slot)) {}
  explicit operator bool() const { return slot_ != nullptr; }
  const std::string& name() const { return slot_->name(); }
  Pinned<T> pin() const {
    if (!slot_) return {};
    std::shared_ptr<const void> keep;
    std::string version;
    void* p = slot_->pin(T::kKind, keep, &version);
    if (!p) return {};
    return Pinned<T>(std::move(keep), static_cast<T*>(p), std::move(version));
  }

 private:
  std::shared_ptr<const PluginSlot> slot_;
};

class PluginRegistry {
 public:
  virtual ~PluginRegistry() = default;
  // Slots of every configured plugin that implements `kind`, in config order.
  virtual std::vector<std::shared_ptr<const PluginSlot>> slotsOfKind(std::string_view kind) = 0;
  // The slot of the plugin instance named `name` (nullptr if there is none).
  virtual std::shared_ptr<const PluginSlot> slot(std::string_view name) = 0;

  template <class T>
  std::vector<Handle<T>> ofKind() {
    std::vector<Handle<T>> out;
    for (auto& s : slotsOfKind(T::kKind)) out.emplace_back(std::move(s));
    return out;
  }
  template <class T>
  Handle<T> get(std::string_view name) {
    return Handle<T>(slot(name));
  }
};

}  // namespace capstan
