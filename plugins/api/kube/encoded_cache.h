#pragma once
// The JSON form of stored object versions, kept so that a version is encoded once however
// many lists, gets and watchers send it (kube-apiserver caches serialized objects the same
// way). A version never changes, so an entry is valid exactly while its revision matches.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "capstan/object.h"

namespace capstan::kube {

class EncodedCache {
 public:
  explicit EncodedCache(std::size_t maxBytes) : maxBytes_(maxBytes) {}

  // The cached JSON of this object version, or null.
  std::shared_ptr<const std::string> find(const Object& o) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(keyOf(o));
    if (it == entries_.end() || it->second.revision != o.revision) return nullptr;
    order_.splice(order_.begin(), order_, it->second.position);
    return it->second.json;
  }

  void put(const Object& o, std::shared_ptr<const std::string> json) {
    std::lock_guard lock(mutex_);
    std::string key = keyOf(o);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      if (it->second.revision >= o.revision) return;
      bytes_ -= it->second.json->size();
      order_.erase(it->second.position);
      entries_.erase(it);
    }
    bytes_ += json->size();
    order_.push_front(key);
    entries_.emplace(std::move(key), Entry{o.revision, std::move(json), order_.begin()});
    while (bytes_ > maxBytes_ && !order_.empty()) {
      auto last = entries_.find(order_.back());
      bytes_ -= last->second.json->size();
      entries_.erase(last);
      order_.pop_back();
    }
  }

 private:
  static std::string keyOf(const Object& o) {
    std::string key;
    key.reserve(o.type.size() + o.ns.size() + o.name.size() + 2);
    key += o.type;
    key += '\0';
    key += o.ns;
    key += '\0';
    key += o.name;
    return key;
  }

  struct Entry {
    std::int64_t revision;
    std::shared_ptr<const std::string> json;
    std::list<std::string>::iterator position;
  };

  std::mutex mutex_;
  std::size_t maxBytes_;
  std::size_t bytes_ = 0;
  std::list<std::string> order_;  // most recently used first
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace capstan::kube
