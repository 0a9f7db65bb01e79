#pragma once
// StoreClient: the kernel's state store as a plugin sees it (in-process).
// The same operations are on the bus (schema/kernel.capnp) for other processes.
//
// Thread-safety: every method may be called from any thread.
// Durability: a write's callback runs only after its LMDB transaction is on disk.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "capstan/object.h"
#include "capstan/status.h"

namespace capstan {

enum class MutationOp : std::uint8_t {
  kCreate = 0,  // fails with AlreadyExists if the name exists
  kUpdate = 1,  // fails with NotFound if absent, Conflict if a precondition fails
  kDelete = 2,  // fails with NotFound if absent, Conflict if a precondition fails
  kUpsert = 3,  // create or update, preconditions apply only when the object exists
};

struct Mutation {
  MutationOp op = MutationOp::kCreate;
  Object object;                    // for kDelete only type/ns/name are read
  std::int64_t expectRevision = 0;  // precondition: the stored revision must equal this (0: none)
  std::string expectUid;            // precondition: the stored uid must equal this (empty: none)
  std::int64_t ttlSeconds = 0;      // >0: the store deletes the object this many seconds after the write
};

struct WriteResult {
  Status status;
  // The object as stored (with revision, uid, creationTime); for kDelete its last state,
  // with `revision` set to the deletion's revision.
  Object object;
};

// Label selector in Kubernetes' string syntax: "a=b,c!=d,e in (x,y),f notin (z),g,!h".
// Kept as text at this interface; parsed and checked once by the store.
struct ListOptions {
  std::string type;
  std::string ns;             // empty: all namespaces
  std::string labelSelector;  // empty: everything
  // Exact-match filters on writer-supplied index keys, e.g. {"spec.nodeName", "n1"}.
  std::vector<std::pair<std::string, std::string>> indexSelector;
  // Also accepted as index names: "metadata.name", "metadata.namespace".
  std::int64_t revision = 0;  // 0: the current revision; else read as of this revision
  std::int64_t limit = 0;     // 0: no limit
  std::string continueToken;  // from a previous ListResult; the revision is taken from it
};

struct ListResult {
  std::vector<Object> items;
  std::int64_t revision = 0;      // the revision the list is consistent at
  std::string continueToken;      // empty when there is no more
  std::int64_t remainingCount = -1;  // objects after this page, when known
};

struct WatchEvent {
  enum class Kind : std::uint8_t { kAdded = 0, kModified = 1, kDeleted = 2, kBookmark = 3, kError = 4 };
  Kind kind = Kind::kAdded;
  std::int64_t revision = 0;
  ObjectPtr object;  // for kDeleted: the last state; for kBookmark: null; for kError: null
  Status error;      // for kError: why the watch ended (e.g. Gone, too slow)
};

struct WatchOptions {
  std::string type;
  std::string ns;  // empty: all namespaces
  std::string name;  // non-empty: only this object
  std::string labelSelector;
  std::vector<std::pair<std::string, std::string>> indexSelector;
  // Deliver events with revision > fromRevision. 0: from now on (no replay).
  // Below the compaction window the watch fails with Gone.
  std::int64_t fromRevision = 0;
  // When set, a kBookmark event with the current revision is delivered at least this often
  // (milliseconds) while the watch is idle.
  std::int64_t bookmarkIntervalMs = 0;
};

// An active watch; destroying it (or cancel()) stops delivery. After cancel() returns the
// handler is not running and will not be called again.
class Watch {
 public:
  virtual ~Watch() = default;
  virtual void cancel() = 0;
};

// Receives events in revision order, in batches. Runs on the store's fan-out thread:
// it must be quick and must not block (copy what you need, hand work off). A filtered
// watch sees an object leaving its filter as kDeleted and entering it as kAdded.
// A final kError event ends the watch (Gone, too slow, store closed).
using WatchHandler = std::function<void(std::span<const WatchEvent> events)>;

class StoreClient {
 public:
  virtual ~StoreClient() = default;

  using WriteCallback = std::function<void(std::vector<WriteResult> results)>;
  // Applies the batch (each mutation on its own, in order, each with its own revision;
  // one failing mutation fails alone) and calls `done` once all are durable, with one
  // result per mutation. `done` runs on the store's writer thread: hand work off.
  virtual void write(std::vector<Mutation> batch, WriteCallback done) = 0;

  virtual Result<Object> get(const std::string& type, const std::string& ns, const std::string& name,
                             std::int64_t revision = 0) = 0;
  virtual Result<ListResult> list(const ListOptions& options) = 0;
  virtual Result<std::unique_ptr<Watch>> watch(const WatchOptions& options, WatchHandler handler) = 0;

  virtual std::int64_t currentRevision() = 0;
  virtual std::int64_t compactedRevision() = 0;
};

}  // namespace capstan
