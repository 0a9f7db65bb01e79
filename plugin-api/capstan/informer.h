#pragma once
// Informers: shared list+watch caches, one per object type per process, however many
// plugins subscribe (ten consumers of pods cost one watch). An informer lists the type,
// then watches from the list's revision; when its watch ends (compaction, a slow consumer,
// a lost bus connection) it lists again and delivers the difference as events, so a
// handler sees a consistent sequence without gaps.
//
// Thread-safety: every method may be called from any thread. Handlers run on the
// informer's delivery thread, one event at a time in revision order; they must be quick.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "capstan/object.h"
#include "capstan/status.h"

namespace capstan {

struct InformerHandlers {
  std::function<void(const ObjectPtr& object)> onAdd;
  std::function<void(const ObjectPtr& oldObject, const ObjectPtr& newObject)> onUpdate;
  std::function<void(const ObjectPtr& lastState)> onDelete;
  // Called after the initial list has been delivered (and after every re-list).
  std::function<void(std::int64_t revision)> onSynced;
};

// Keeps a handler registered; destroying it unregisters the handler, and once the
// destructor returns the handler is not running and will not be called again.
class InformerRegistration {
 public:
  virtual ~InformerRegistration() = default;
};

// Index function: the index values an object is filed under (e.g. a pod's node name).
using IndexFunction = std::function<std::vector<std::string>(const Object& object)>;

class Informer {
 public:
  virtual ~Informer() = default;
  virtual const std::string& type() const = 0;

  // Registers handlers; the objects already cached are delivered to onAdd first.
  virtual std::unique_ptr<InformerRegistration> addHandlers(InformerHandlers handlers) = 0;
  // Adds a named index. "namespace" and every writer-supplied index key (Object::indexes,
  // e.g. "spec.nodeName") are built in. AlreadyExists for a name in use.
  virtual Status addIndex(const std::string& name, IndexFunction function) = 0;

  // Reads from the cache (never from the store).
  virtual bool hasSynced() const = 0;
  virtual std::int64_t revision() const = 0;  // the revision the cache reflects
  virtual ObjectPtr get(const std::string& ns, const std::string& name) const = 0;
  virtual std::vector<ObjectPtr> list(const std::string& ns = "") const = 0;
  virtual std::vector<ObjectPtr> byIndex(const std::string& indexName, const std::string& value) const = 0;
  // Blocks until synced or the timeout passes; returns hasSynced().
  virtual bool waitForSync(std::int64_t timeoutMs) const = 0;
};

class InformerFactory {
 public:
  virtual ~InformerFactory() = default;
  // The shared informer of `type` (created and started on first use).
  virtual std::shared_ptr<Informer> informer(const std::string& type) = 0;
};

}  // namespace capstan
