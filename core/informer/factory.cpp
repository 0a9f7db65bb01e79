#include "informer/factory.h"

#include <utility>
#include <vector>

namespace capstan::informer {

InformerFactoryImpl::InformerFactoryImpl(StoreClient& store, SharedInformerOptions options)
    : store_(store), options_(options) {}

InformerFactoryImpl::~InformerFactoryImpl() { stopAll(); }

std::shared_ptr<Informer> InformerFactoryImpl::informer(const std::string& type) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = informers_.find(type);
  if (it != informers_.end()) return it->second;
  auto created = std::make_shared<SharedInformer>(store_, type, options_);
  informers_.emplace(type, created);
  // Started under the lock, so stopAll() cannot miss an informer that starts after it.
  // start() only spawns the delivery thread; it never waits for it.
  if (!stopped_) created->start();
  return created;
}

void InformerFactoryImpl::stopAll() {
  std::vector<std::shared_ptr<SharedInformer>> all;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    all.reserve(informers_.size());
    for (const auto& [type, informer] : informers_) all.push_back(informer);
  }
  // Outside the lock: stop() joins delivery threads, whose handlers may be waiting for
  // informer() at this very moment.
  for (const auto& informer : all) informer->stop();
}

}  // namespace capstan::informer
