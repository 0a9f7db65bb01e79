#include "cache.h"

namespace capstan::sched {

NodeInfo* Cache::nodeFor(const std::string& name) {
  if (auto it = index_.find(name); it != index_.end()) return nodes_[it->second].get();
  auto& orphan = orphans_[name];
  if (!orphan) {
    orphan = std::make_unique<NodeInfo>();
    orphan->name = name;
  }
  return orphan.get();
}

void Cache::attach(const PodInfoPtr& pod) {
  addPodToNode(*nodeFor(pod->nodeName), pod);
  if (pod->hasAffinity()) affinityDirty_ = true;
}

void Cache::detach(const PodInfoPtr& pod) {
  if (auto it = index_.find(pod->nodeName); it != index_.end()) {
    removePodFromNode(*nodes_[it->second], pod->uid);
  } else if (auto o = orphans_.find(pod->nodeName); o != orphans_.end()) {
    removePodFromNode(*o->second, pod->uid);
    if (o->second->pods.empty()) orphans_.erase(o);
  }
  if (pod->hasAffinity()) affinityDirty_ = true;
}

void Cache::upsertNode(NodeInfo node) {
  auto it = index_.find(node.name);
  NodeInfo* target = nullptr;
  if (it == index_.end()) {
    auto fresh = std::make_unique<NodeInfo>();
    if (auto o = orphans_.find(node.name); o != orphans_.end()) {
      fresh = std::move(o->second);  // pods that arrived before their node
      orphans_.erase(o);
    }
    index_.emplace(node.name, nodes_.size());
    nodes_.push_back(std::move(fresh));
    target = nodes_.back().get();
    listDirty_ = true;
    if (!target->pods.empty()) affinityDirty_ = true;
  } else {
    target = nodes_[it->second].get();
    for (const auto& [image, state] : target->images) --imageNodes_[image];
  }
  target->name = std::move(node.name);
  target->labels = std::move(node.labels);
  target->taints = std::move(node.taints);
  target->unschedulable = node.unschedulable;
  target->allocatable = std::move(node.allocatable);
  target->images = std::move(node.images);
  for (const auto& [image, state] : target->images) ++imageNodes_[image];
  ++target->generation;
  imagesDirty_ = true;
}

void Cache::removeNode(const std::string& name) {
  auto it = index_.find(name);
  if (it == index_.end()) return;
  std::size_t i = it->second;
  std::unique_ptr<NodeInfo> gone = std::move(nodes_[i]);
  for (const auto& [image, state] : gone->images) --imageNodes_[image];
  index_.erase(it);
  if (i != nodes_.size() - 1) {
    nodes_[i] = std::move(nodes_.back());
    index_[nodes_[i]->name] = i;
  }
  nodes_.pop_back();
  // Its pods stay accounted to the name: they come back if the node does (Kubernetes keeps them too).
  if (!gone->pods.empty()) {
    gone->labels.clear();
    gone->taints.clear();
    gone->images.clear();
    orphans_[name] = std::move(gone);
  }
  listDirty_ = affinityDirty_ = imagesDirty_ = true;
}

void Cache::setNamespace(const std::string& name, std::optional<Labels> labels) {
  if (labels)
    snapshot_.namespaceLabels[name] = std::move(*labels);
  else
    snapshot_.namespaceLabels.erase(name);
}

void Cache::upsertBoundPod(PodInfoPtr pod) {
  auto it = pods_.find(pod->uid);
  if (it != pods_.end()) {
    detach(it->second.pod);
    it->second = {pod, false};
  } else {
    pods_.emplace(pod->uid, PodState{pod, false});
  }
  attach(pod);
}

void Cache::removePod(const std::string& uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  detach(it->second.pod);
  pods_.erase(it);
}

void Cache::assume(PodInfoPtr pod) {
  removePod(pod->uid);
  pods_.emplace(pod->uid, PodState{pod, true});
  attach(pod);
}

void Cache::forget(const std::string& uid) {
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second.assumed) return;
  detach(it->second.pod);
  pods_.erase(it);
}

bool Cache::isAssumed(const std::string& uid) const {
  auto it = pods_.find(uid);
  return it != pods_.end() && it->second.assumed;
}

const std::string* Cache::nodeOf(const std::string& uid) const {
  auto it = pods_.find(uid);
  return it == pods_.end() ? nullptr : &it->second.pod->nodeName;
}

const Snapshot& Cache::snapshot() {
  if (listDirty_) {
    snapshot_.nodes.clear();
    snapshot_.byName.clear();
    snapshot_.nodes.reserve(nodes_.size());
    for (const auto& n : nodes_) {
      snapshot_.nodes.push_back(n.get());
      snapshot_.byName.emplace(n->name, n.get());
    }
    listDirty_ = false;
    affinityDirty_ = true;
  }
  if (affinityDirty_) {
    snapshot_.havePodsWithAffinity.clear();
    snapshot_.havePodsWithRequiredAntiAffinity.clear();
    for (const auto& n : nodes_) {
      if (!n->podsWithAffinity.empty()) snapshot_.havePodsWithAffinity.push_back(n.get());
      if (!n->podsWithRequiredAntiAffinity.empty()) snapshot_.havePodsWithRequiredAntiAffinity.push_back(n.get());
    }
    affinityDirty_ = false;
  }
  if (imagesDirty_) {
    for (auto& n : nodes_)
      for (auto& [image, state] : n->images) state.numNodes = imageNodes_[image];
    imagesDirty_ = false;
  }
  return snapshot_;
}

}  // namespace capstan::sched
