#pragma once
// SharedInformer: the kernel's implementation of capstan::Informer — one list+watch cache of
// one object type, shared by every consumer in the process.
//
// What it promises, beyond the contract in capstan/informer.h:
// - The cache is filled by a paged list (limit/continue, every page at the first page's
//   revision), then kept current by a watch from exactly that revision. When the watch ends
//   (kError: Gone after compaction, too slow, Unavailable, store closed) or falls behind, the
//   informer lists again — retrying with capped exponential backoff while listing fails — and
//   delivers the difference between its cache and the fresh list: onDelete for objects that
//   are gone, onAdd for new ones, onUpdate for ones whose revision changed (onDelete + onAdd
//   when the name now belongs to a different uid: the object was deleted and re-created),
//   then onSynced(list revision). Objects whose revision did not change produce no event.
// - All handlers run on one informer-owned delivery thread, one call at a time, in revision
//   order. A new registration first receives every cached object as onAdd, then onSynced if
//   the informer has synced, then live events — that replay runs on the delivery thread
//   between two events, so nothing is lost or delivered twice in between. addHandlers()
//   returns at once; the replay happens shortly after.
// - Destroying a registration from any other thread waits until a running call of its
//   handlers returns; afterwards they are never called again (so do not destroy it while
//   holding a lock its handlers take). Destroying it from inside a handler (its own or
//   another registration's of the same informer) never blocks: it takes effect for every
//   later event, and the call in progress simply returns. Destroying a registration of
//   informer A from a handler of informer B while a handler of A destroys a registration of
//   B would wait in a cycle: do not do that.
// - hasSynced() turns true once the first list has been delivered to every handler and stays
//   true across re-lists; revision() advances with every event and bookmark applied.
//   waitForSync() also returns (false) as soon as the informer is stopped.
// - stop() (and the destructor) cancels the watch and joins the delivery thread: once it
//   returns no handler is running. Called from one of this informer's own handlers it only
//   requests the stop (joining would wait for itself); the thread ends after that handler
//   returns, and keeps what it needs alive until then.
// - Index functions (addIndex) run under the cache's write lock on whichever thread changes
//   the cache: they must be pure functions of the object and must not call the informer.
//   Index names: "namespace" (the object's namespace; "" for cluster-scoped objects), every
//   key the writer put in Object::indexes, and the custom ones. A custom index may not take
//   a name in use (AlreadyExists); once it exists, writer-supplied keys of that name are
//   ignored, and a writer key named "namespace" is always ignored.
//
// Exceptions thrown by handlers or index functions are plugin bugs: they are caught, logged
// and do not stop the informer.
//
// The StoreClient must outlive the informer.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "capstan/informer.h"
#include "capstan/object.h"
#include "capstan/status.h"
#include "capstan/store.h"

namespace capstan::informer {

struct SharedInformerOptions {
  // Objects per list page; 0 lists everything in one call.
  std::int64_t pageSize = 500;
  // Backoff between failed attempts to list or watch: doubles from min to max.
  std::chrono::milliseconds minBackoff{100};
  std::chrono::milliseconds maxBackoff{5000};
  // Watch events waiting for the delivery thread. Beyond this the informer drops the watch
  // and re-lists instead of growing without bound: a re-list costs one list, while a backlog
  // this long means handlers are far behind and a diff catches them up faster.
  std::size_t maxQueuedEvents = 100000;
  // When > 0, asks the store for bookmarks this often (ms) so revision() advances while the
  // type is idle.
  std::int64_t bookmarkIntervalMs = 0;
};

class InformerCore;

class SharedInformer final : public Informer {
 public:
  // Does not touch the store until start().
  SharedInformer(StoreClient& store, std::string type, SharedInformerOptions options = {});
  ~SharedInformer() override;

  SharedInformer(const SharedInformer&) = delete;
  SharedInformer& operator=(const SharedInformer&) = delete;

  // Starts the delivery thread (list, then watch). Idempotent; an informer that was stopped
  // does not start again. Handlers and indexes may be added before or after.
  void start();
  // Cancels the watch and joins the delivery thread (see the header comment for a call from
  // one of its own handlers). Idempotent. Registrations stay valid but receive nothing more;
  // registrations added afterwards receive nothing at all.
  void stop();

  // capstan::Informer
  const std::string& type() const override;
  std::unique_ptr<InformerRegistration> addHandlers(InformerHandlers handlers) override;
  Status addIndex(const std::string& name, IndexFunction function) override;
  bool hasSynced() const override;
  std::int64_t revision() const override;
  ObjectPtr get(const std::string& ns, const std::string& name) const override;
  std::vector<ObjectPtr> list(const std::string& ns = "") const override;
  std::vector<ObjectPtr> byIndex(const std::string& indexName, const std::string& value) const override;
  bool waitForSync(std::int64_t timeoutMs) const override;

 private:
  // Everything the delivery thread touches lives in the core, which the thread co-owns: a
  // stop requested from a handler lets the thread finish after this handle is gone.
  std::shared_ptr<InformerCore> core_;
  std::atomic<bool> started_{false};
  std::mutex threadMutex_;  // guards thread_ (start vs. stop vs. destructor)
  std::thread thread_;
};

}  // namespace capstan::informer
