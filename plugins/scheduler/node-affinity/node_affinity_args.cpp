#include "node_affinity_args.h"

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string_view>

#include "node_selector.h"

namespace capstan::sched {

namespace {

constexpr std::string_view kRequiredPath = "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution";
constexpr std::string_view kPreferredPath = "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution";

// Walks the args document; the first structural problem (unknown key, wrong type) stops it
// with `error` set. Invalid values (operators, keys, values, as Kubernetes'
// ValidateNodeAffinityArgs checks them) are collected in `invalid` and reported together.
class Decoder {
 public:
  std::string error;
  std::vector<std::string> invalid;

  bool decode(const YAML::Node& root, NodeAffinityArgs& out) {
    if (!expectMap(root, "") || !checkKeys(root, "", {"addedAffinity"})) return false;
    const YAML::Node affinity = root["addedAffinity"];
    if (isAbsent(affinity)) return true;
    const std::string path = "addedAffinity";
    if (!expectMap(affinity, path) || !checkKeys(affinity, path,
                                                 {"requiredDuringSchedulingIgnoredDuringExecution",
                                                  "preferredDuringSchedulingIgnoredDuringExecution"}))
      return false;

    if (const YAML::Node required = affinity["requiredDuringSchedulingIgnoredDuringExecution"]; !isAbsent(required)) {
      const std::string requiredPath(kRequiredPath);
      if (!expectMap(required, requiredPath) || !checkKeys(required, requiredPath, {"nodeSelectorTerms"})) return false;
      out.addedRequired.emplace();
      const YAML::Node terms = required["nodeSelectorTerms"];
      const std::string termsPath = requiredPath + ".nodeSelectorTerms";
      if (!isAbsent(terms)) {
        if (!expectSequence(terms, termsPath)) return false;
        for (std::size_t i = 0; i < terms.size(); ++i) {
          NodeSelectorTerm term;
          if (!decodeTerm(terms[i], termsPath + index(i), /*validate=*/true, term)) return false;
          out.addedRequired->push_back(std::move(term));
        }
      }
    }

    if (const YAML::Node preferred = affinity["preferredDuringSchedulingIgnoredDuringExecution"];
        !isAbsent(preferred)) {
      const std::string preferredPath(kPreferredPath);
      if (!expectSequence(preferred, preferredPath)) return false;
      for (std::size_t i = 0; i < preferred.size(); ++i) {
        const std::string itemPath = preferredPath + index(i);
        const YAML::Node item = preferred[i];
        if (!expectMap(item, itemPath) || !checkKeys(item, itemPath, {"weight", "preference"})) return false;
        PreferredSchedulingTerm term;
        if (const YAML::Node weight = item["weight"];
            !isAbsent(weight) && !decodeInt32(weight, itemPath + ".weight", term.weight))
          return false;
        // The Kubernetes API allows 1-100 in a pod; the args are not checked there, but a
        // negative weight would push scores below 0, which the framework refuses for every pod.
        if (term.weight < 0)
          invalid.push_back(itemPath + ".weight: Invalid value: " + std::to_string(term.weight) +
                            ": must not be negative");
        // Kubernetes ignores (and so does not check) a term of weight 0, and reports a
        // preference's errors without ".preference" in the path.
        if (const YAML::Node pref = item["preference"];
            !isAbsent(pref) && !decodeTerm(pref, itemPath, /*validate=*/term.weight != 0, term.preference))
          return false;
        out.addedPreferred.push_back(std::move(term));
      }
    }
    return true;
  }

 private:
  static bool isAbsent(const YAML::Node& n) { return !n || n.IsNull(); }
  static std::string index(std::size_t i) {
    std::string out = "[";
    out += std::to_string(i);
    out += ']';
    return out;
  }
  static std::string join(const std::string& path, std::string_view child) {
    return path.empty() ? std::string(child) : path + "." + std::string(child);
  }

  bool fail(std::string message) {
    error = std::move(message);
    return false;
  }
  bool expectMap(const YAML::Node& n, const std::string& path) {
    if (n.IsMap()) return true;
    return fail((path.empty() ? std::string("args") : path) + ": expected a mapping");
  }
  bool expectSequence(const YAML::Node& n, const std::string& path) {
    if (n.IsSequence()) return true;
    return fail(path + ": expected a list");
  }
  bool checkKeys(const YAML::Node& map, const std::string& path, std::initializer_list<std::string_view> known) {
    for (const auto& entry : map) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
      bool found = false;
      for (auto k : known) found = found || k == key;
      if (!found) return fail("unknown field \"" + join(path, key) + "\"");
    }
    return true;
  }
  bool decodeString(const YAML::Node& n, const std::string& path, std::string& out) {
    if (isAbsent(n)) return true;
    if (!n.IsScalar()) return fail(path + ": expected a string");
    out = n.Scalar();
    return true;
  }
  bool decodeInt32(const YAML::Node& n, const std::string& path, std::int32_t& out) {
    if (!n.IsScalar()) return fail(path + ": expected an integer");
    try {
      out = n.as<std::int32_t>();
    } catch (const YAML::Exception&) {
      return fail(path + ": expected an integer, got \"" + n.Scalar() + "\"");
    }
    return true;
  }

  bool decodeTerm(const YAML::Node& n, const std::string& path, bool validate, NodeSelectorTerm& out) {
    if (!expectMap(n, path) || !checkKeys(n, path, {"matchExpressions", "matchFields"})) return false;
    return decodeRequirements(n["matchExpressions"], path + ".matchExpressions", false, validate,
                              out.matchExpressions) &&
           decodeRequirements(n["matchFields"], path + ".matchFields", true, validate, out.matchFields);
  }

  bool decodeRequirements(const YAML::Node& n, const std::string& path, bool isField, bool validate,
                          std::vector<Requirement>& out) {
    if (isAbsent(n)) return true;
    if (!expectSequence(n, path)) return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const std::string itemPath = path + index(i);
      const YAML::Node item = n[i];
      if (!expectMap(item, itemPath) || !checkKeys(item, itemPath, {"key", "operator", "values"})) return false;
      Requirement r;
      std::string op;
      if (!decodeString(item["key"], itemPath + ".key", r.key) ||
          !decodeString(item["operator"], itemPath + ".operator", op))
        return false;
      if (const YAML::Node values = item["values"]; !isAbsent(values)) {
        if (!expectSequence(values, itemPath + ".values")) return false;
        for (std::size_t j = 0; j < values.size(); ++j) {
          std::string v;
          if (!decodeString(values[j], itemPath + ".values" + index(j), v)) return false;
          r.values.push_back(std::move(v));
        }
      }
      if (!parseOperator(op, isField, itemPath, validate, r.op)) continue;
      if (validate) validateRequirement(r, isField, itemPath, invalid);
      out.push_back(std::move(r));
    }
    return true;
  }

  // False for an operator SelectorOp cannot hold (reported when `validate`): the
  // requirement is left out, which only matters for a weight-0 term nobody reads.
  bool parseOperator(const std::string& op, bool isField, const std::string& path, bool validate, SelectorOp& out) {
    static constexpr std::pair<std::string_view, SelectorOp> kOps[] = {
        {"In", SelectorOp::kIn},         {"NotIn", SelectorOp::kNotIn},
        {"Exists", SelectorOp::kExists}, {"DoesNotExist", SelectorOp::kDoesNotExist},
        {"Gt", SelectorOp::kGt},         {"Lt", SelectorOp::kLt}};
    for (const auto& [name, value] : kOps)
      if (op == name) {
        out = value;
        return true;
      }
    if (validate)
      invalid.push_back(
          path + ".operator: Unsupported value: \"" + op + "\": supported values: " +
          (isField ? "\"In\", \"NotIn\"" : "\"In\", \"NotIn\", \"Exists\", \"DoesNotExist\", \"Gt\", \"Lt\""));
    return false;
  }
};

}  // namespace

Result<NodeAffinityArgs> decodeNodeAffinityArgs(const std::string& argsYaml) {
  YAML::Node root;
  try {
    root = YAML::Load(argsYaml);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("NodeAffinity args: ") + e.what());
  }
  NodeAffinityArgs args;
  if (!root || root.IsNull()) return args;

  Decoder decoder;
  if (!decoder.decode(root, args)) return Status::invalidArgument("NodeAffinity args: " + decoder.error);

  if (!decoder.invalid.empty()) return Status::invalidArgument("NodeAffinity args: " + joinErrors(decoder.invalid));
  return args;
}

}  // namespace capstan::sched
