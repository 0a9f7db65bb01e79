// JSON Patch (RFC 6902), JSON Merge Patch (RFC 7386) and Kubernetes' strategic merge patch.
//
// All three copy the target once and then edit that copy in place; patches are walked
// read-only, so the work is proportional to the patch, not to the object.
//
// Strategic merge patch follows apimachinery's strategicpatch package (the behaviour
// kubectl relies on), with these deliberate differences:
//   * a key the target lacks is not copied verbatim from the patch: its value is merged
//     into an empty value, so nulls and directives never leak into the stored object;
//   * `$patch: merge` is accepted (and ignored) in maps and list elements;
//   * directives are processed in a fixed order ($patch, $retainKeys,
//     $deleteFromPrimitiveList, fields, $setElementOrder) rather than Go's map order.

#include "patch.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capstan::kube {

using json::Value;

// =======================================================================================
// JSON Patch

namespace {

std::string pointerText(std::string_view s) { return s.empty() ? std::string("\"\"") : std::string(s); }

// RFC 6901 array index: "0" or digits without a leading zero.
bool parseIndex(const std::string& token, std::size_t* out) {
  if (token.empty() || (token.size() > 1 && token[0] == '0')) return false;
  for (char c : token)
    if (c < '0' || c > '9') return false;
  auto r = std::from_chars(token.data(), token.data() + token.size(), *out);
  return r.ec == std::errc() && r.ptr == token.data() + token.size();
}

class JsonPatcher {
 public:
  explicit JsonPatcher(Value doc) : doc_(std::move(doc)) {}

  Status apply(const Value& patch) {
    if (!patch.isArray()) return Status::invalidArgument("json patch: the patch must be a JSON array of operations");
    for (std::size_t i = 0; i < patch.items().size(); ++i) {
      Status s = applyOne(i, patch.items()[i]);
      if (!s.ok()) return s;
    }
    return {};
  }

  Value take() && { return std::move(doc_); }

 private:
  Status applyOne(std::size_t index, const Value& op) {
    const std::string where = "json patch: operation " + std::to_string(index);
    if (!op.isObject()) return Status::invalidArgument(where + ": not a JSON object");
    const Value* opName = op.find("op");
    if (!opName || !opName->isString()) return Status::invalidArgument(where + ": missing \"op\"");
    const Value* pathV = op.find("path");
    if (!pathV || !pathV->isString())
      return Status::invalidArgument(where + " (" + opName->asString() + "): missing \"path\"");
    const std::string& name = opName->asString();
    const std::string& path = pathV->asString();
    const std::string ctx = where + " (" + name + " " + pointerText(path) + ")";
    auto fail = [&](const std::string& what) { return Status::invalidArgument(ctx + ": " + what); };

    auto tokens = json::parsePointer(path);
    if (!tokens.ok()) return fail(tokens.status().message());

    auto needValue = [&]() -> const Value* { return op.find("value"); };
    auto fromTokens = [&](Status* err) -> std::vector<std::string> {
      const Value* from = op.find("from");
      if (!from || !from->isString()) {
        *err = fail("missing \"from\"");
        return {};
      }
      auto t = json::parsePointer(from->asString());
      if (!t.ok()) {
        *err = fail("from: " + t.status().message());
        return {};
      }
      return std::move(t).value();
    };

    std::string why;
    if (name == "add") {
      const Value* v = needValue();
      if (!v) return fail("missing \"value\"");
      if (!add(*tokens, *v, &why)) return fail(why);
    } else if (name == "remove") {
      if (tokens->empty()) return fail("cannot remove the whole document");
      Value removed;
      if (!remove(*tokens, &removed, &why)) return fail(why);
    } else if (name == "replace") {
      const Value* v = needValue();
      if (!v) return fail("missing \"value\"");
      Value* target = resolve(*tokens, &why);
      if (!target) return fail(why);
      *target = *v;
    } else if (name == "move") {
      Status err;
      auto from = fromTokens(&err);
      if (!err.ok()) return err;
      if (from == *tokens) {
        if (!resolve(from, &why)) return fail("from: " + why);
        return {};
      }
      if (from.size() < tokens->size() && std::equal(from.begin(), from.end(), tokens->begin()))
        return fail("cannot move a value into one of its own children");
      Value moved;
      if (from.empty()) return fail("cannot move the whole document");
      if (!remove(from, &moved, &why)) return fail("from: " + why);
      if (!add(*tokens, std::move(moved), &why)) return fail(why);
    } else if (name == "copy") {
      Status err;
      auto from = fromTokens(&err);
      if (!err.ok()) return err;
      Value* source = resolve(from, &why);
      if (!source) return fail("from: " + why);
      Value copied = *source;
      if (!add(*tokens, std::move(copied), &why)) return fail(why);
    } else if (name == "test") {
      const Value* v = needValue();
      if (!v) return fail("missing \"value\"");
      Value* target = resolve(*tokens, &why);
      if (!target || !(*target == *v))
        return Status::invalidArgument(where + ": test operation failed at " + pointerText(path));
    } else {
      return fail("unknown operation \"" + name + "\"");
    }
    return {};
  }

  // The value at the pointer, or null with `why` set.
  Value* resolve(const std::vector<std::string>& tokens, std::string* why, std::size_t count = std::string::npos) {
    if (count == std::string::npos) count = tokens.size();
    Value* cur = &doc_;
    for (std::size_t i = 0; i < count; ++i) {
      const std::string& t = tokens[i];
      if (cur->isObject()) {
        cur = cur->find(t);
        if (!cur) {
          *why = "path not found: no member \"" + t + "\"";
          return nullptr;
        }
      } else if (cur->isArray()) {
        std::size_t idx;
        if (!parseIndex(t, &idx)) {
          *why = "invalid array index \"" + t + "\"";
          return nullptr;
        }
        if (idx >= cur->items().size()) {
          *why = "array index " + t + " out of range";
          return nullptr;
        }
        cur = &cur->items()[idx];
      } else {
        *why = "path not found: cannot index into a scalar with \"" + t + "\"";
        return nullptr;
      }
    }
    return cur;
  }

  bool add(const std::vector<std::string>& tokens, Value v, std::string* why) {
    if (tokens.empty()) {
      doc_ = std::move(v);
      return true;
    }
    Value* parent = resolve(tokens, why, tokens.size() - 1);
    if (!parent) return false;
    const std::string& last = tokens.back();
    if (parent->isObject()) {
      parent->set(last, std::move(v));
      return true;
    }
    if (parent->isArray()) {
      auto& items = parent->items();
      if (last == "-") {
        items.push_back(std::move(v));
        return true;
      }
      std::size_t idx;
      if (!parseIndex(last, &idx)) {
        *why = "invalid array index \"" + last + "\"";
        return false;
      }
      if (idx > items.size()) {
        *why = "array index " + last + " out of range";
        return false;
      }
      items.insert(items.begin() + static_cast<std::ptrdiff_t>(idx), std::move(v));
      return true;
    }
    *why = "parent is not an object or array";
    return false;
  }

  bool remove(const std::vector<std::string>& tokens, Value* removed, std::string* why) {
    Value* parent = resolve(tokens, why, tokens.size() - 1);
    if (!parent) return false;
    const std::string& last = tokens.back();
    if (parent->isObject()) {
      Value* v = parent->find(last);
      if (!v) {
        *why = "path not found: no member \"" + last + "\"";
        return false;
      }
      *removed = std::move(*v);
      parent->erase(last);
      return true;
    }
    if (parent->isArray()) {
      std::size_t idx;
      if (!parseIndex(last, &idx)) {
        *why = "invalid array index \"" + last + "\"";
        return false;
      }
      auto& items = parent->items();
      if (idx >= items.size()) {
        *why = "array index " + last + " out of range";
        return false;
      }
      *removed = std::move(items[idx]);
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(idx));
      return true;
    }
    *why = "path not found: parent is not an object or array";
    return false;
  }

  Value doc_;
};

// =======================================================================================
// JSON Merge Patch

void mergePatchInto(Value& target, const Value& patch) {
  if (!patch.isObject()) {
    target = patch;
    return;
  }
  if (!target.isObject()) target = Value::object();
  for (const auto& [key, value] : patch.members()) {
    if (value.isNull()) {
      target.erase(key);
      continue;
    }
    Value* existing = target.find(key);
    if (existing) {
      mergePatchInto(*existing, value);
    } else {
      Value fresh;
      mergePatchInto(fresh, value);
      target.members().emplace_back(key, std::move(fresh));
    }
  }
}

// =======================================================================================
// Strategic merge patch

constexpr std::string_view kPatch = "$patch";
constexpr std::string_view kRetainKeys = "$retainKeys";
constexpr std::string_view kSetElementOrder = "$setElementOrder/";
constexpr std::string_view kDeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

bool hasStrategy(std::string_view strategies, std::string_view want) {
  while (!strategies.empty()) {
    auto comma = strategies.find(',');
    std::string_view token = strategies.substr(0, comma);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token == want) return true;
    if (comma == std::string_view::npos) break;
    strategies.remove_prefix(comma + 1);
  }
  return false;
}

// What the schema says about one JSON value.
struct Shape {
  enum class Kind : std::uint8_t { kUnknown, kStruct, kMap, kList, kScalar };
  Kind kind = Kind::kUnknown;
  // kStruct: the struct; kMap: the struct of the values (or null); kList: the element
  // struct (or null for primitive elements).
  const k8s::StructInfo* info = nullptr;
  bool replace = false;       // patchStrategy "replace" on a struct or map
  bool mergeList = false;     // patchStrategy contains "merge" on a list
  std::string_view mergeKey;  // patchMergeKey of a list of structs
};

Shape structShape(const k8s::StructInfo* info) {
  Shape s;
  s.kind = info ? Shape::Kind::kStruct : Shape::Kind::kUnknown;
  s.info = info;
  return s;
}

Shape fieldShape(const k8s::FieldInfo& f) {
  Shape s;
  switch (f.kind) {
    case k8s::FieldKind::kStruct:
      s.kind = f.structInfo ? Shape::Kind::kStruct : Shape::Kind::kUnknown;
      s.info = f.structInfo;
      s.replace = hasStrategy(f.patchStrategy, "replace");
      break;
    case k8s::FieldKind::kMap:
      s.kind = Shape::Kind::kMap;
      s.info = f.elementKind == k8s::FieldKind::kStruct ? f.structInfo : nullptr;
      s.replace = hasStrategy(f.patchStrategy, "replace");
      break;
    case k8s::FieldKind::kList:
      s.kind = Shape::Kind::kList;
      s.info = f.elementKind == k8s::FieldKind::kStruct ? f.structInfo : nullptr;
      s.mergeList = hasStrategy(f.patchStrategy, "merge");
      s.mergeKey = f.patchMergeKey;
      break;
    case k8s::FieldKind::kRawJson:
      s.kind = Shape::Kind::kUnknown;
      break;
    default:
      // Scalars, and the scalar-in-JSON structs (IntOrString, Quantity).
      s.kind = Shape::Kind::kScalar;
      break;
  }
  return s;
}

// The shape of member `key` of an object whose shape is `parent`.
Shape memberShape(const Shape& parent, std::string_view key) {
  if (parent.kind == Shape::Kind::kStruct && parent.info) {
    if (const k8s::FieldInfo* f = parent.info->field(key)) return fieldShape(*f);
    return {};
  }
  if (parent.kind == Shape::Kind::kMap) return structShape(parent.info);
  return {};
}

// The shape of the elements of a list field.
Shape elementShape(const Shape& list) { return structShape(list.info); }

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool isDirectiveKey(std::string_view key) {
  return key == kPatch || key == kRetainKeys || startsWith(key, kSetElementOrder) ||
         startsWith(key, kDeleteFromPrimitiveList);
}

std::string joinPath(const std::string& base, std::string_view key) {
  if (base.empty()) return std::string(key);
  std::string p = base;
  p += '.';
  p += key;
  return p;
}

std::string indexPath(const std::string& base, std::size_t i) { return base + "[" + std::to_string(i) + "]"; }

// One element of a list being merged, with what the ordering rules need to know about it.
struct Item {
  Value value;
  long serverPos = -1;  // index in the live list, -1 if the patch added it
  long orderPos = -1;   // index in the list that dictates order, -1 if absent there
};

// apimachinery's normalizeElementOrder: items named by the order list (`ordered`, sorted by
// orderPos) keep that order; the other items (`serverOnly`, in live order) are woven in by
// their live position, so a sidecar another client added stays where it was relative to
// its neighbours. The relative order within each group is always kept.
std::vector<Item> weave(std::vector<Item> items) {
  std::vector<Item> ordered, serverOnly;
  for (auto& it : items) (it.orderPos >= 0 ? ordered : serverOnly).push_back(std::move(it));
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const Item& a, const Item& b) { return a.orderPos < b.orderPos; });
  std::vector<Item> out;
  out.reserve(ordered.size() + serverOnly.size());
  std::size_t i = 0, j = 0;
  while (i < serverOnly.size() || j < ordered.size()) {
    if (j == ordered.size()) {
      out.push_back(std::move(serverOnly[i++]));
    } else if (i == serverOnly.size()) {
      out.push_back(std::move(ordered[j++]));
    } else {
      long l = serverOnly[i].serverPos, r = ordered[j].serverPos;
      if (l >= 0 && r >= 0 && l < r) out.push_back(std::move(serverOnly[i++]));
      else out.push_back(std::move(ordered[j++]));
    }
  }
  return out;
}

class StrategicMerger {
 public:
  const Status& error() const { return error_; }

  bool mergeObject(Value& target, const Value& patch, const Shape& shape, const std::string& path) {
    // $patch first: it decides whether the rest of the patch merges at all.
    if (const Value* directive = patch.find(kPatch)) {
      if (!directive->isString()) return fail(path, "$patch must be a string");
      const std::string& d = directive->asString();
      if (d == "delete") {
        target = Value::object();
        return true;
      }
      if (d == "replace") {
        target = Value::object();
      } else if (d != "merge") {
        return fail(path, "unknown $patch directive \"" + d + "\"");
      }
    }
    if (!target.isObject()) target = Value::object();

    if (const Value* retain = patch.find(kRetainKeys)) {
      if (!applyRetainKeys(target, patch, *retain, path)) return false;
    }

    for (const auto& [key, value] : patch.members()) {
      if (!startsWith(key, kDeleteFromPrimitiveList)) continue;
      std::string_view field = std::string_view(key).substr(kDeleteFromPrimitiveList.size());
      if (!value.isArray()) return fail(joinPath(path, key), "must be a list");
      Value* list = target.find(field);
      if (!list || !list->isArray()) continue;  // nothing to delete from; never creates the list
      auto& items = list->items();
      items.erase(std::remove_if(items.begin(), items.end(),
                                 [&](const Value& v) {
                                   for (const auto& d : value.items())
                                     if (v == d) return true;
                                   return false;
                                 }),
                  items.end());
    }

    for (const auto& [key, value] : patch.members()) {
      if (isDirectiveKey(key)) continue;
      if (value.isNull()) {
        target.erase(key);
        continue;
      }
      Shape child = memberShape(shape, key);
      const Value* order = nullptr;
      if (child.kind == Shape::Kind::kList || child.kind == Shape::Kind::kUnknown) {
        order = findOrder(patch, key);
        if (order && !order->isArray()) return fail(joinPath(path, std::string(kSetElementOrder) + key), "must be a list");
      }
      Value* existing = target.find(key);
      if (existing) {
        if (!mergeValue(*existing, value, child, order, joinPath(path, key))) return false;
      } else {
        Value fresh;
        if (!mergeValue(fresh, value, child, order, joinPath(path, key))) return false;
        target.members().emplace_back(key, std::move(fresh));
      }
    }

    // $setElementOrder for lists the patch did not otherwise touch: reorder the live list.
    for (const auto& [key, value] : patch.members()) {
      if (!startsWith(key, kSetElementOrder)) continue;
      std::string_view field = std::string_view(key).substr(kSetElementOrder.size());
      if (!value.isArray()) return fail(joinPath(path, key), "must be a list");
      if (patch.find(field)) continue;  // handled with the field
      Value* list = target.find(field);
      if (!list || !list->isArray()) continue;
      Shape child = memberShape(shape, field);
      if (!reorder(*list, value, child, joinPath(path, field))) return false;
    }
    return true;
  }

 private:
  bool fail(const std::string& path, std::string what) {
    std::string m = "strategic merge patch: ";
    if (!path.empty()) m += path + ": ";
    m += what;
    error_ = Status::invalidArgument(std::move(m));
    return false;
  }

  static const Value* findOrder(const Value& patch, std::string_view field) {
    for (const auto& [key, value] : patch.members())
      if (startsWith(key, kSetElementOrder) && std::string_view(key).substr(kSetElementOrder.size()) == field)
        return &value;
    return nullptr;
  }

  // `$retainKeys` clears every key of the live map it does not list; the patch may only
  // set keys it lists (apimachinery rejects the patch otherwise).
  bool applyRetainKeys(Value& target, const Value& patch, const Value& retain, const std::string& path) {
    if (!retain.isArray()) return fail(path, "$retainKeys must be a list of strings");
    for (const auto& k : retain.items())
      if (!k.isString()) return fail(path, "$retainKeys must be a list of strings");
    auto listed = [&](std::string_view key) {
      for (const auto& k : retain.items())
        if (k.asString() == key) return true;
      return false;
    };
    for (const auto& [key, value] : patch.members()) {
      if (isDirectiveKey(key) || value.isNull()) continue;
      if (!listed(key)) return fail(path, "$retainKeys does not list \"" + key + "\", which the patch sets");
    }
    auto& members = target.members();
    members.erase(std::remove_if(members.begin(), members.end(), [&](const json::Member& m) { return !listed(m.first); }),
                  members.end());
    return true;
  }

  bool mergeValue(Value& target, const Value& patch, const Shape& shape, const Value* order, const std::string& path) {
    if (patch.isObject()) {
      if (shape.kind == Shape::Kind::kStruct || shape.kind == Shape::Kind::kMap) {
        if (shape.replace || !target.isObject()) target = Value::object();
        return mergeObject(target, patch, shape, path);
      }
      // Unknown to the schema (or a schema mismatch the decoder will report): RFC 7386.
      if (!target.isObject()) target = Value::object();
      return mergeObject(target, patch, Shape{}, path);
    }
    if (patch.isArray()) {
      if (shape.kind == Shape::Kind::kList) {
        if (!target.isArray()) target = Value::array();
        return mergeList(target, patch, shape, order, path);
      }
      target = patch;
      if (order && shape.kind == Shape::Kind::kUnknown) return reorder(target, *order, shape, path);
      return true;
    }
    target = patch;
    return true;
  }

  // The merge key value of a list element, or null with an error.
  const Value* keyOf(const Value& element, std::string_view mergeKey, const std::string& path) {
    if (!element.isObject()) {
      fail(path, "list element is not an object");
      return nullptr;
    }
    const Value* k = element.find(mergeKey);
    if (!k) fail(path, "element does not contain declared merge key \"" + std::string(mergeKey) + "\"");
    return k;
  }

  // A patch element that is not merged into anything: merge it into nothing so that
  // nulls and directives drop out.
  bool fresh(Value& out, const Value& element, const Shape& elemShape, const std::string& path) {
    out = Value();
    return mergeValue(out, element, elemShape, nullptr, path);
  }

  bool mergeList(Value& target, const Value& patch, const Shape& shape, const Value* order, const std::string& path) {
    const Shape elem = elementShape(shape);
    if (!shape.mergeList) {
      // Replaced wholesale. Struct elements are cleaned of nulls and directives; anything
      // else (primitives, raw JSON) is taken as sent.
      if (!shape.info) {
        target = patch;
        if (order) return reorder(target, *order, shape, path);
        return true;
      }
      Value out = Value::array();
      out.items().reserve(patch.items().size());
      for (std::size_t i = 0; i < patch.items().size(); ++i) {
        Value v;
        if (!fresh(v, patch.items()[i], elem, indexPath(path, i))) return false;
        out.push(std::move(v));
      }
      target = std::move(out);
      return true;
    }
    bool objects = !shape.mergeKey.empty() && shape.info;
    if (!objects) {
      // Lists of objects without a merge key in the schema cannot be merged; a list of
      // primitives with merge strategy is a set union.
      for (const auto& v : patch.items())
        if (v.isObject() && !v.find(kPatch)) {
          if (shape.mergeKey.empty()) return fail(path, "cannot merge a list of objects without a merge key");
          objects = true;
          break;
        }
    }
    return objects ? mergeObjectList(target, patch, shape, elem, order, path)
                   : mergePrimitiveList(target, patch, order, path);
  }

  bool mergePrimitiveList(Value& target, const Value& patch, const Value* order, const std::string& path) {
    std::vector<Item> items;
    auto& live = target.items();
    items.reserve(live.size() + patch.items().size());
    // `{"$patch": "replace"}` among the values replaces the list with the other values.
    bool replace = false;
    for (const auto& v : patch.items()) {
      if (v.isObject()) {
        const Value* d = v.find(kPatch);
        if (d && d->isString() && d->asString() == "replace") replace = true;
        else if (d) return fail(path, "unsupported $patch element in a list of primitives");
      }
    }
    auto contains = [&](const Value& v) {
      for (const auto& it : items)
        if (it.value == v) return true;
      return false;
    };
    if (!replace) {
      for (std::size_t i = 0; i < live.size(); ++i)
        if (!contains(live[i])) items.push_back({std::move(live[i]), static_cast<long>(i), -1});
    }
    long pos = 0;
    for (const auto& v : patch.items()) {
      if (v.isObject()) continue;  // the replace marker
      bool found = false;
      for (auto& it : items)
        if (it.value == v) {
          if (it.orderPos < 0) it.orderPos = pos;
          found = true;
          break;
        }
      if (!found) items.push_back({v, -1, pos});
      ++pos;
    }
    items = weave(std::move(items));
    if (order) {
      if (!checkOrder(patch, *order, {}, path)) return false;
      applyOrder(items, *order, {});
    }
    live.clear();
    for (auto& it : items) live.push_back(std::move(it.value));
    return true;
  }

  bool mergeObjectList(Value& target, const Value& patch, const Shape& shape, const Shape& elem, const Value* order,
                       const std::string& path) {
    const std::string_view mergeKey = shape.mergeKey;
    auto& live = target.items();

    // Special elements first: deletions by key, and replacement of the whole list.
    bool replace = false;
    for (std::size_t i = 0; i < patch.items().size(); ++i) {
      const Value& p = patch.items()[i];
      if (!p.isObject()) return fail(indexPath(path, i), "list element is not an object");
      const Value* d = p.find(kPatch);
      if (!d) continue;
      if (!d->isString()) return fail(indexPath(path, i), "$patch must be a string");
      const std::string& directive = d->asString();
      if (directive == "delete") {
        const Value* key = keyOf(p, mergeKey, indexPath(path, i));
        if (!key) return false;
        live.erase(std::remove_if(live.begin(), live.end(),
                                  [&](const Value& v) {
                                    const Value* k = v.isObject() ? v.find(mergeKey) : nullptr;
                                    return k && *k == *key;
                                  }),
                   live.end());
      } else if (directive == "replace") {
        replace = true;
      } else if (directive != "merge") {
        return fail(indexPath(path, i), "unknown $patch directive \"" + directive + "\"");
      }
    }

    std::vector<Item> items;
    items.reserve(live.size() + patch.items().size());
    if (!replace) {
      for (std::size_t i = 0; i < live.size(); ++i) items.push_back({std::move(live[i]), static_cast<long>(i), -1});
    }
    long pos = 0;
    for (std::size_t i = 0; i < patch.items().size(); ++i) {
      const Value& p = patch.items()[i];
      if (const Value* d = p.find(kPatch); d && d->asString() != "merge") continue;
      const std::string elemPath = indexPath(path, i);
      const Value* key = keyOf(p, mergeKey, elemPath);
      if (!key) return false;
      Item* match = nullptr;
      for (auto& it : items) {
        const Value* k = it.value.isObject() ? it.value.find(mergeKey) : nullptr;
        if (k && *k == *key) {
          match = &it;
          break;
        }
      }
      if (match) {
        if (!mergeObject(match->value, p, elem.kind == Shape::Kind::kUnknown ? Shape{} : elem, elemPath)) return false;
        if (match->orderPos < 0) match->orderPos = pos;
      } else {
        Item added{Value(), -1, pos};
        if (!fresh(added.value, p, elem.kind == Shape::Kind::kUnknown ? Shape{} : elem, elemPath)) return false;
        items.push_back(std::move(added));
      }
      ++pos;
    }
    items = weave(std::move(items));
    if (order) {
      if (!checkOrder(patch, *order, mergeKey, path)) return false;
      applyOrder(items, *order, mergeKey);
    }
    live.clear();
    for (auto& it : items) live.push_back(std::move(it.value));
    return true;
  }

  // The identity of a list element for ordering: its merge key value, or itself.
  static const Value* identity(const Value& v, std::string_view mergeKey) {
    if (mergeKey.empty()) return &v;
    return v.isObject() ? v.find(mergeKey) : nullptr;
  }

  static long positionIn(const Value& list, const Value& id, std::string_view mergeKey) {
    const auto& items = list.items();
    for (std::size_t i = 0; i < items.size(); ++i) {
      const Value* k = identity(items[i], mergeKey);
      if (k && *k == id) return static_cast<long>(i);
    }
    return -1;
  }

  // The patch list must name its (non-deleted) elements in the order $setElementOrder
  // gives them, and only elements it names.
  bool checkOrder(const Value& patch, const Value& order, std::string_view mergeKey, const std::string& path) {
    if (!order.isArray()) return fail(path, "$setElementOrder must be a list");
    if (order.items().empty()) return true;
    for (const auto& o : order.items())
      if (!identity(o, mergeKey))
        return fail(path, "$setElementOrder element does not contain merge key \"" + std::string(mergeKey) + "\"");
    long last = -1;
    for (const auto& p : patch.items()) {
      if (p.isObject() && p.find(kPatch)) continue;
      const Value* id = identity(p, mergeKey);
      if (!id) continue;  // already reported by the merge
      long at = positionIn(order, *id, mergeKey);
      if (at < 0 || at < last) return fail(path, "the order of the patch list does not match its $setElementOrder list");
      last = at;
    }
    return true;
  }

  static void applyOrder(std::vector<Item>& items, const Value& order, std::string_view mergeKey) {
    for (auto& it : items) {
      const Value* id = identity(it.value, mergeKey);
      it.orderPos = id ? positionIn(order, *id, mergeKey) : -1;
    }
    items = weave(std::move(items));
  }

  // $setElementOrder with no patch list: reorder the live list.
  bool reorder(Value& list, const Value& order, const Shape& shape, const std::string& path) {
    std::string_view mergeKey;
    if (shape.kind == Shape::Kind::kList && shape.mergeList && !shape.mergeKey.empty()) mergeKey = shape.mergeKey;
    bool objects = false;
    for (const auto& v : list.items()) objects = objects || v.isObject();
    if (objects && mergeKey.empty()) return true;  // no identity to order by
    if (!order.isArray()) return fail(path, "$setElementOrder must be a list");
    std::vector<Item> items;
    items.reserve(list.items().size());
    for (std::size_t i = 0; i < list.items().size(); ++i)
      items.push_back({std::move(list.items()[i]), static_cast<long>(i), -1});
    applyOrder(items, order, mergeKey);
    list.items().clear();
    for (auto& it : items) list.push(std::move(it.value));
    return true;
  }

  Status error_;
};

}  // namespace

Result<Value> applyJsonPatch(const Value& target, const Value& patch) {
  JsonPatcher patcher(target);
  Status s = patcher.apply(patch);
  if (!s.ok()) return s;
  return std::move(patcher).take();
}

Result<Value> applyMergePatch(const Value& target, const Value& patch) {
  Value out = target;
  mergePatchInto(out, patch);
  return out;
}

Result<Value> applyStrategicMergePatch(const Value& target, const Value& patch, const k8s::StructInfo* schema) {
  if (!patch.isObject()) return Status::invalidArgument("strategic merge patch: the patch must be a JSON object");
  Value out = target.isObject() ? target : Value::object();
  StrategicMerger merger;
  if (!merger.mergeObject(out, patch, structShape(schema), "")) return merger.error();
  return out;
}

}  // namespace capstan::kube
