#pragma once
// The scheduler's cache: every node and every pod bound (or assumed) to one, kept as the
// NodeInfo sums the stages read. Owned by the scheduling thread: informer events reach it
// through the framework's inbox, so a scheduling cycle reads it without locks and sees
// one consistent state (the "snapshot" is the cache between two event batches).
//
// Assumed pods: when a cycle picks a node, the pod is added there at once (assume), so the
// next cycle sees the resources as taken while the binding is still in flight. The
// informer's copy of the bound pod confirms it; a failed binding forgets it.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "capstan/scheduler.h"

namespace capstan::sched {

class Cache {
 public:
  void upsertNode(NodeInfo node);  // the node's own fields; its pods are kept
  void removeNode(const std::string& name);

  // A namespace's labels (nullopt: the namespace is gone).
  void setNamespace(const std::string& name, std::optional<Labels> labels);

  // A pod bound to a node (from the informer): confirms an assumed pod, or adds/updates it.
  void upsertBoundPod(PodInfoPtr pod);
  void removePod(const std::string& uid);

  // `pod` with nodeName set to the chosen node.
  void assume(PodInfoPtr pod);
  void forget(const std::string& uid);  // a binding failed: take the assumed pod back
  bool isAssumed(const std::string& uid) const;
  // The pod's node in the cache (bound or assumed), or nullptr.
  const std::string* nodeOf(const std::string& uid) const;

  // The state for a cycle. Pointers stay valid until the next mutation.
  const Snapshot& snapshot();
  std::size_t nodeCount() const { return nodes_.size(); }
  std::size_t podCount() const { return pods_.size(); }

 private:
  struct PodState {
    PodInfoPtr pod;
    bool assumed = false;
  };
  NodeInfo* nodeFor(const std::string& name);  // existing or orphan holder
  void attach(const PodInfoPtr& pod);
  void detach(const PodInfoPtr& pod);

  std::vector<std::unique_ptr<NodeInfo>> nodes_;
  std::unordered_map<std::string, std::size_t> index_;
  // Pods bound to nodes the cache does not know (yet), by node name.
  std::unordered_map<std::string, std::unique_ptr<NodeInfo>> orphans_;
  std::unordered_map<std::string, PodState> pods_;
  std::unordered_map<std::string, std::int32_t> imageNodes_;  // image -> nodes that have it

  bool listDirty_ = true;      // node set changed
  bool affinityDirty_ = true;  // pods with affinity moved
  bool imagesDirty_ = true;    // image spread changed
  Snapshot snapshot_;
};

}  // namespace capstan::sched
