#pragma once
// Node selector terms as Kubernetes' component-helpers nodeaffinity package reads them:
// parsing rules (which operators and values are allowed), errors with field paths, and
// matching against a node's labels and fields.
//
//  - Terms are ORed; within a term every matchExpressions and matchFields requirement must
//    hold. A term with neither matches nothing.
//  - matchExpressions take In/NotIn (non-empty values), Exists/DoesNotExist (no values),
//    Gt/Lt (one integer); keys must be qualified names and values valid label values.
//  - matchFields take In/NotIn with exactly one value; the only node field is
//    metadata.name (any other key reads as "").
//  - A pod's required terms are parsed lazily: a term with an error matches nothing but
//    does not fail the pod. Preferred terms and the plugin's args are parsed strictly.

#include <cstdint>
#include <string>
#include <vector>

#include "capstan/scheduler.h"

namespace capstan::sched {

// Appends the errors of `requirement` ("<path>.values: Invalid value: ...") to `errors`.
// `isField`: a matchFields requirement (else matchExpressions).
void validateRequirement(const Requirement& requirement, bool isField, const std::string& path,
                         std::vector<std::string>& errors);
// Every requirement of `term`, under "<path>.matchExpressions[i]" / "<path>.matchFields[i]".
void validateTerm(const NodeSelectorTerm& term, const std::string& path, std::vector<std::string>& errors);

inline bool isEmptyTerm(const NodeSelectorTerm& term) {
  return term.matchExpressions.empty() && term.matchFields.empty();
}

// Whether a term that passed validateTerm holds for `node`.
bool termMatches(const NodeSelectorTerm& term, const NodeInfo& node);

// Kubernetes' aggregate error text: the one error, or "[e1, e2, ...]".
std::string joinErrors(const std::vector<std::string>& errors);

// A v1.NodeSelector (required node affinity): true when any of its terms matches.
class RequiredNodeSelector {
 public:
  // A pod's terms: invalid and empty ones are dropped, since they can match nothing.
  static RequiredNodeSelector lazy(const std::vector<NodeSelectorTerm>& terms);
  // Args: every error of every term is appended to `errors`, naming its path
  // (`path` + ".nodeSelectorTerms[i]..."); the selector is only meaningful without errors.
  static RequiredNodeSelector parse(const std::vector<NodeSelectorTerm>& terms, const std::string& path,
                                    std::vector<std::string>& errors);

  bool matches(const NodeInfo& node) const;

 private:
  std::vector<NodeSelectorTerm> terms_;
};

// Preferred terms: a node's score is the sum of the weights of the terms it matches.
// Terms with weight 0 or without requirements are dropped; the errors of invalid terms are
// appended to `errors` (`path` + "[i]..."), and the result is only meaningful without errors.
class PreferredSchedulingTerms {
 public:
  static PreferredSchedulingTerms parse(const std::vector<PreferredSchedulingTerm>& terms, const std::string& path,
                                        std::vector<std::string>& errors);

  std::int64_t score(const NodeInfo& node) const;

 private:
  std::vector<PreferredSchedulingTerm> terms_;
};

}  // namespace capstan::sched
