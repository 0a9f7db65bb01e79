#pragma once
// NodeAffinityArgs: the NodeAffinity plugin's args, Kubernetes' type of the same name.
//
//   addedAffinity:            # a v1.NodeAffinity every pod must satisfy in addition to its own
//     requiredDuringSchedulingIgnoredDuringExecution:
//       nodeSelectorTerms: [{matchExpressions: [...], matchFields: [...]}]
//     preferredDuringSchedulingIgnoredDuringExecution:
//       - {weight: 10, preference: {matchExpressions: [...]}}

#include <optional>
#include <string>
#include <vector>

#include "capstan/scheduler.h"
#include "capstan/status.h"

namespace capstan::sched {

struct NodeAffinityArgs {
  // requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms; absent: no
  // scheduler-enforced requirement. Present but empty matches no node (as in Kubernetes).
  std::optional<std::vector<NodeSelectorTerm>> addedRequired;
  // preferredDuringSchedulingIgnoredDuringExecution.
  std::vector<PreferredSchedulingTerm> addedPreferred;
};

// Decodes and validates args YAML (empty or null: no args). Unknown keys and invalid
// values are refused with their field path: `NodeAffinity args: unknown field
// "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpresions"`.
Result<NodeAffinityArgs> decodeNodeAffinityArgs(const std::string& argsYaml);

}  // namespace capstan::sched
