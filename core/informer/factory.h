#pragma once
// InformerFactoryImpl: the kernel's InformerFactory — one SharedInformer per object type,
// created and started on first use and shared by every consumer, so ten consumers of pods
// cost one list and one watch.
//
// Thread-safety: every method may be called from any thread, including from an informer's
// handler (stopAll() from a handler only requests that handler's own informer to stop; see
// SharedInformer::stop()).
//
// Lifetime: the StoreClient must outlive the factory and every informer it handed out.
// Consumers may keep an informer after the factory is gone; it is stopped by then.

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "capstan/informer.h"
#include "capstan/store.h"
#include "informer/informer.h"

namespace capstan::informer {

class InformerFactoryImpl final : public InformerFactory {
 public:
  explicit InformerFactoryImpl(StoreClient& store, SharedInformerOptions options = {});
  // Stops every informer (stopAll()).
  ~InformerFactoryImpl() override;

  InformerFactoryImpl(const InformerFactoryImpl&) = delete;
  InformerFactoryImpl& operator=(const InformerFactoryImpl&) = delete;

  // The shared informer of `type`, started on first use. After stopAll() it still returns
  // one (the same as before for a known type), but it is not started: it never syncs.
  std::shared_ptr<Informer> informer(const std::string& type) override;

  // Stops every informer: their watches are cancelled and, once this returns, none of their
  // handlers is running (except the caller's own, when called from a handler).
  void stopAll();

 private:
  StoreClient& store_;
  const SharedInformerOptions options_;
  std::mutex mutex_;  // guards informers_ and stopped_
  std::map<std::string, std::shared_ptr<SharedInformer>> informers_;
  bool stopped_ = false;
};

}  // namespace capstan::informer
