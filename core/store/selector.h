#pragma once
// Selectors used by list and watch: Kubernetes label selectors (parsed once from text)
// and exact-match selectors on the index keys a writer supplies.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capstan/object.h"
#include "capstan/status.h"

namespace capstan::store {

// A parsed label selector in Kubernetes' syntax:
//   "a=b", "a==b", "a!=b", "a in (x,y)", "a notin (x)", "a", "!a", "a>1", "a<1",
// comma-separated, whitespace tolerant. All requirements must hold (AND). As in
// Kubernetes, "!=" and "notin" also match objects without the label; "in" with one value
// is the same as "=". The empty selector matches everything.
class LabelSelector final {
 public:
  enum class Operator : std::uint8_t {
    kExists,
    kDoesNotExist,
    kIn,  // "=", "==" and "in"
    kNotIn,  // "!=" and "notin"
    kGreaterThan,
    kLessThan,
  };
  struct Requirement {
    std::string key;
    Operator op = Operator::kExists;
    std::vector<std::string> values;  // sorted, unique (kIn, kNotIn)
    std::int64_t number = 0;          // kGreaterThan, kLessThan
  };

  LabelSelector() = default;

  // InvalidArgument says what is wrong and at which column (1-based) of `text`, e.g.
  //   invalid label selector "a in x": found 'x' at column 6, expected: '('
  static Result<LabelSelector> parse(std::string_view text);

  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

  bool matches(const std::map<std::string, std::string>& labels) const {
    return matchesWith([&labels](const std::string& key) -> std::optional<std::string_view> {
      auto it = labels.find(key);
      if (it == labels.end()) return std::nullopt;
      return std::string_view(it->second);
    });
  }

  // `lookup(const std::string& key) -> std::optional<std::string_view>` gives a label's value;
  // this lets the store match a stored message before decoding it.
  template <typename Lookup>
  bool matchesWith(const Lookup& lookup) const {
    for (const Requirement& r : requirements_) {
      if (!requirementMatches(r, lookup(r.key))) return false;
    }
    return true;
  }

 private:
  static bool requirementMatches(const Requirement& r, std::optional<std::string_view> value);

  std::vector<Requirement> requirements_;
};

// Exact-match filters on Object::indexes, ANDed. Two pseudo-indexes select on the identity:
// "metadata.name" and "metadata.namespace". Asking for two different values of the same
// index matches nothing.
class IndexSelector final {
 public:
  static constexpr std::string_view kNameIndex = "metadata.name";
  static constexpr std::string_view kNamespaceIndex = "metadata.namespace";

  IndexSelector() = default;

  // InvalidArgument for an empty index name or one containing a NUL byte.
  static Result<IndexSelector> make(const std::vector<std::pair<std::string, std::string>>& pairs);

  // No condition at all.
  bool empty() const { return !name_ && !ns_ && indexes_.empty() && !contradictory_; }
  // Contradictory conditions: nothing can match.
  bool contradictory() const { return contradictory_; }
  const std::optional<std::string>& name() const { return name_; }
  const std::optional<std::string>& ns() const { return ns_; }
  // Writer-supplied index conditions, sorted by index name.
  const std::vector<std::pair<std::string, std::string>>& indexes() const { return indexes_; }

  bool matches(const Object& object) const {
    return matchesWith(object.ns, object.name,
                       [&object](const std::string& key) -> std::optional<std::string_view> {
                         auto it = object.indexes.find(key);
                         if (it == object.indexes.end()) return std::nullopt;
                         return std::string_view(it->second);
                       });
  }

  // `lookup(const std::string& indexName) -> std::optional<std::string_view>`.
  template <typename Lookup>
  bool matchesWith(std::string_view ns, std::string_view name, const Lookup& lookup) const {
    if (contradictory_) return false;
    if (name_ && *name_ != name) return false;
    if (ns_ && *ns_ != ns) return false;
    for (const auto& [key, value] : indexes_) {
      std::optional<std::string_view> v = lookup(key);
      if (!v || *v != value) return false;
    }
    return true;
  }

 private:
  std::optional<std::string> name_;
  std::optional<std::string> ns_;
  std::vector<std::pair<std::string, std::string>> indexes_;
  bool contradictory_ = false;
};

}  // namespace capstan::store
