#include "node_selector.h"

#include <algorithm>
#include <charconv>
#include <string_view>

namespace capstan::sched {

namespace {

// Kubernetes' validation texts (k8s.io/apimachinery/pkg/util/validation), so an error
// reads the same as kube-scheduler's.
constexpr std::string_view kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
constexpr std::string_view kDns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
constexpr std::string_view kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
constexpr std::size_t kQualifiedNameMaxLength = 63;
constexpr std::size_t kLabelValueMaxLength = 63;
constexpr std::size_t kDns1123SubdomainMaxLength = 253;

bool isAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool isQualifiedNamePart(std::string_view s) {
  if (s.empty() || !isAlnum(s.front()) || !isAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return isAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*
bool isDns1123Subdomain(std::string_view s) {
  auto lowerAlnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || !lowerAlnum(label.front()) || !lowerAlnum(label.back())) return false;
    if (!std::all_of(label.begin(), label.end(), [&](char c) { return lowerAlnum(c) || c == '-'; })) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

// Go's %#v of a []string: []string{"a", "b"}.
std::string goStringSlice(const std::vector<std::string>& values) {
  std::string out = "[]string{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += quote(values[i]);
  }
  return out + "}";
}

std::string joinDetails(const std::vector<std::string>& details) {
  std::string out;
  for (const auto& d : details) {
    if (!out.empty()) out += "; ";
    out += d;
  }
  return out;
}

std::vector<std::string> qualifiedNameErrors(std::string_view value) {
  std::vector<std::string> errs;
  std::string_view name = value;
  const std::size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos)
      return {"a qualified name " + std::string(kQualifiedNameErrMsg) +
              " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"};
    const std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty())
      errs.push_back("prefix part must be non-empty");
    else if (prefix.size() > kDns1123SubdomainMaxLength)
      errs.push_back("prefix part must be no more than 253 characters");
    else if (!isDns1123Subdomain(prefix))
      errs.push_back("prefix part " + std::string(kDns1123SubdomainErrMsg));
  }
  if (name.empty())
    errs.push_back("name part must be non-empty");
  else if (name.size() > kQualifiedNameMaxLength)
    errs.push_back("name part must be no more than 63 characters");
  if (!isQualifiedNamePart(name)) errs.push_back("name part " + std::string(kQualifiedNameErrMsg));
  return errs;
}

std::vector<std::string> labelValueErrors(std::string_view value) {
  std::vector<std::string> errs;
  if (value.size() > kLabelValueMaxLength) errs.push_back("must be no more than 63 characters");
  if (!value.empty() && !isQualifiedNamePart(value)) errs.push_back(std::string(kLabelValueErrMsg));
  return errs;
}

// strconv.ParseInt(s, 10, 64): an optional sign, decimal digits, no overflow.
bool parseInt64(std::string_view s, std::int64_t& out) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return false;
  }
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string_view operatorName(SelectorOp op) {
  switch (op) {
    case SelectorOp::kIn: return "In";
    case SelectorOp::kNotIn: return "NotIn";
    case SelectorOp::kExists: return "Exists";
    case SelectorOp::kDoesNotExist: return "DoesNotExist";
    case SelectorOp::kGt: return "Gt";
    case SelectorOp::kLt: return "Lt";
  }
  return "";
}

bool labelRequirementMatches(const Requirement& r, const Labels& labels) {
  const std::string* value = findLabel(labels, r.key);
  switch (r.op) {
    case SelectorOp::kIn: return value && std::find(r.values.begin(), r.values.end(), *value) != r.values.end();
    case SelectorOp::kNotIn: return !value || std::find(r.values.begin(), r.values.end(), *value) == r.values.end();
    case SelectorOp::kExists: return value != nullptr;
    case SelectorOp::kDoesNotExist: return value == nullptr;
    case SelectorOp::kGt:
    case SelectorOp::kLt: {
      // A node label that is no integer simply does not match.
      std::int64_t have = 0, bound = 0;
      if (!value || r.values.size() != 1 || !parseInt64(*value, have) || !parseInt64(r.values[0], bound)) return false;
      return r.op == SelectorOp::kGt ? have > bound : have < bound;
    }
  }
  return false;
}

bool fieldRequirementMatches(const Requirement& r, const NodeInfo& node) {
  if (r.values.size() != 1) return false;
  // metadata.name is the only field a node offers; any other field reads as empty.
  const std::string_view field = r.key == "metadata.name" ? std::string_view(node.name) : std::string_view();
  switch (r.op) {
    case SelectorOp::kIn: return field == r.values[0];
    case SelectorOp::kNotIn: return field != r.values[0];
    default: return false;
  }
}

std::string indexed(const std::string& path, std::string_view child, std::size_t i) {
  std::string out = path;
  if (!out.empty()) out += '.';
  out += child;
  out += '[';
  out += std::to_string(i);
  out += ']';
  return out;
}

}  // namespace

void validateRequirement(const Requirement& r, bool isField, const std::string& path,
                         std::vector<std::string>& errors) {
  const std::string valuesPath = path + ".values";
  if (isField) {
    if (r.op != SelectorOp::kIn && r.op != SelectorOp::kNotIn) {
      errors.push_back(path + ".operator: Unsupported value: " + quote(operatorName(r.op)) +
                       ": supported values: \"In\", \"NotIn\"");
    } else if (r.values.size() != 1) {
      errors.push_back(valuesPath + ": Invalid value: " + goStringSlice(r.values) + ": must have one element");
    }
    return;
  }

  if (auto errs = qualifiedNameErrors(r.key); !errs.empty())
    errors.push_back(path + ".key: Invalid value: " + quote(r.key) + ": " + joinDetails(errs));
  switch (r.op) {
    case SelectorOp::kIn:
    case SelectorOp::kNotIn:
      if (r.values.empty())
        errors.push_back(valuesPath + ": Invalid value: " + goStringSlice(r.values) +
                         ": for 'in', 'notin' operators, values set can't be empty");
      break;
    case SelectorOp::kExists:
    case SelectorOp::kDoesNotExist:
      if (!r.values.empty())
        errors.push_back(valuesPath + ": Invalid value: " + goStringSlice(r.values) +
                         ": values set must be empty for exists and does not exist");
      break;
    case SelectorOp::kGt:
    case SelectorOp::kLt:
      if (r.values.size() != 1)
        errors.push_back(valuesPath + ": Invalid value: " + goStringSlice(r.values) +
                         ": for 'Gt', 'Lt' operators, exactly one value is required");
      for (std::size_t i = 0; i < r.values.size(); ++i) {
        std::int64_t ignored = 0;
        if (!parseInt64(r.values[i], ignored))
          errors.push_back(valuesPath + "[" + std::to_string(i) + "]: Invalid value: " + quote(r.values[i]) +
                           ": for 'Gt', 'Lt' operators, the value must be an integer");
      }
      break;
  }
  for (std::size_t i = 0; i < r.values.size(); ++i) {
    if (auto errs = labelValueErrors(r.values[i]); !errs.empty())
      errors.push_back(valuesPath + "[" + std::to_string(i) + "][" + r.key + "]: Invalid value: " + quote(r.values[i]) +
                       ": " + joinDetails(errs));
  }
}

void validateTerm(const NodeSelectorTerm& term, const std::string& path, std::vector<std::string>& errors) {
  for (std::size_t i = 0; i < term.matchExpressions.size(); ++i)
    validateRequirement(term.matchExpressions[i], false, indexed(path, "matchExpressions", i), errors);
  for (std::size_t i = 0; i < term.matchFields.size(); ++i)
    validateRequirement(term.matchFields[i], true, indexed(path, "matchFields", i), errors);
}

bool termMatches(const NodeSelectorTerm& term, const NodeInfo& node) {
  if (isEmptyTerm(term)) return false;
  for (const auto& r : term.matchExpressions)
    if (!labelRequirementMatches(r, node.labels)) return false;
  // Kubernetes offers node fields only for a node with a name; without one, matchFields
  // constrain nothing.
  if (!node.name.empty())
    for (const auto& r : term.matchFields)
      if (!fieldRequirementMatches(r, node)) return false;
  return true;
}

std::string joinErrors(const std::vector<std::string>& errors) {
  if (errors.size() == 1) return errors[0];
  std::string out = "[";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) out += ", ";
    out += errors[i];
  }
  return out + "]";
}

RequiredNodeSelector RequiredNodeSelector::lazy(const std::vector<NodeSelectorTerm>& terms) {
  RequiredNodeSelector selector;
  std::vector<std::string> errors;
  for (const auto& term : terms) {
    if (isEmptyTerm(term)) continue;
    errors.clear();
    validateTerm(term, "", errors);
    if (errors.empty()) selector.terms_.push_back(term);
  }
  return selector;
}

RequiredNodeSelector RequiredNodeSelector::parse(const std::vector<NodeSelectorTerm>& terms, const std::string& path,
                                                 std::vector<std::string>& errors) {
  RequiredNodeSelector selector;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (isEmptyTerm(terms[i])) continue;
    validateTerm(terms[i], indexed(path, "nodeSelectorTerms", i), errors);
    selector.terms_.push_back(terms[i]);
  }
  return selector;
}

bool RequiredNodeSelector::matches(const NodeInfo& node) const {
  for (const auto& term : terms_)
    if (termMatches(term, node)) return true;
  return false;
}

PreferredSchedulingTerms PreferredSchedulingTerms::parse(const std::vector<PreferredSchedulingTerm>& terms,
                                                         const std::string& path, std::vector<std::string>& errors) {
  PreferredSchedulingTerms parsed;
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (terms[i].weight == 0 || isEmptyTerm(terms[i].preference)) continue;
    const std::size_t before = errors.size();
    validateTerm(terms[i].preference, path + "[" + std::to_string(i) + "]", errors);
    if (errors.size() == before) parsed.terms_.push_back(terms[i]);
  }
  return parsed;
}

std::int64_t PreferredSchedulingTerms::score(const NodeInfo& node) const {
  std::int64_t sum = 0;
  for (const auto& term : terms_)
    if (termMatches(term.preference, node)) sum += term.weight;
  return sum;
}

}  // namespace capstan::sched
