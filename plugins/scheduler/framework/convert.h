#pragma once
// Stored Kubernetes objects (envelope + Cap'n Proto body written by the API plugin) ->
// the scheduler's flat PodInfo / NodeInfo (capstan/scheduler.h). Runs on the informer's
// delivery thread, once per object version, so the scheduling cycle never decodes.

#include "capstan/object.h"
#include "capstan/scheduler.h"
#include "capstan/status.h"

namespace capstan::sched {

Result<PodInfoPtr> podInfoFromObject(const Object& object);

// Whether a pod update could change where it fits: its spec (metadata.generation) or its
// labels changed. A status-only update (the scheduler's own PodScheduled condition, say)
// must not retry an unschedulable pod, as in Kubernetes.
bool podSchedulingChanged(const Object& before, const Object& after);

// The node's own fields (name, labels, taints, unschedulable, allocatable — capacity where
// allocatable is missing — and images as the node reports them); the pod sums are the
// cache's business.
Result<NodeInfo> nodeInfoFromObject(const Object& object);

}  // namespace capstan::sched
