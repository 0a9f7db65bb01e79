#include "ssa.h"

#include <algorithm>
#include <map>

#include "patch.h"

namespace capstan::kube {

namespace {

using json::Value;

std::vector<std::string> listKeys(const k8s::FieldInfo& f) {
  std::vector<std::string> keys;
  std::string_view spec = f.listType == "map" ? f.listMapKeys : std::string_view();
  if (spec.empty() && f.patchStrategy.find("merge") != std::string_view::npos) spec = f.patchMergeKey;
  std::size_t start = 0;
  while (start < spec.size()) {
    std::size_t comma = spec.find(',', start);
    keys.emplace_back(spec.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return keys;
}

bool isSet(const k8s::FieldInfo& f) {
  return f.elementKind != k8s::FieldKind::kStruct &&
         (f.listType == "set" || f.patchStrategy.find("merge") != std::string_view::npos);
}

// "k:{...}" for an item of an associative list: its key fields, sorted, as JSON.
std::string itemKey(const Value& item, const std::vector<std::string>& keys) {
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  Value k = Value::object();
  for (const auto& name : sorted)
    if (const Value* v = item.find(name)) k.set(name, *v);
  return "k:" + json::serialize(k);
}

Value fieldsOfValue(const Value& v, const k8s::FieldInfo* f);

Value fieldsOfStruct(const Value& v, const k8s::StructInfo* info) {
  Value out = Value::object();
  if (!v.isObject()) return out;
  for (const auto& [k, child] : v.members()) {
    const k8s::FieldInfo* f = info ? info->field(k) : nullptr;
    out.set("f:" + k, fieldsOfValue(child, f));
  }
  return out;
}

Value fieldsOfValue(const Value& v, const k8s::FieldInfo* f) {
  if (!f) return v.isObject() ? fieldsOfStruct(v, nullptr) : Value::object();
  if (v.isObject()) {
    if (f->kind == k8s::FieldKind::kStruct) return fieldsOfStruct(v, f->structInfo);
    if (f->kind == k8s::FieldKind::kMap) {
      Value out = Value::object();
      for (const auto& [k, child] : v.members())
        out.set("f:" + k, child.isObject() && f->structInfo ? fieldsOfStruct(child, f->structInfo) : Value::object());
      return out;
    }
    return Value::object();  // quantities, raw JSON: one leaf
  }
  if (v.isArray() && f->kind == k8s::FieldKind::kList) {
    Value out = Value::object();
    auto keys = listKeys(*f);
    if (f->elementKind == k8s::FieldKind::kStruct && !keys.empty()) {
      for (const auto& item : v.items()) {
        Value sub = fieldsOfStruct(item, f->structInfo);
        sub.set(".", Value::object());
        out.set(itemKey(item, keys), std::move(sub));
      }
      return out;
    }
    if (isSet(*f)) {
      for (const auto& item : v.items()) out.set("v:" + json::serialize(item), Value::object());
      return out;
    }
  }
  return Value::object();  // scalars and atomic lists
}

// The item of `array` an "k:{..}" or "v:.." key names.
Value* findItem(Value& array, const std::string& key) {
  if (!array.isArray()) return nullptr;
  if (key.starts_with("k:")) {
    auto keys = json::parse(std::string_view(key).substr(2));
    if (!keys.ok() || !keys->isObject()) return nullptr;
    for (auto& item : array.items()) {
      bool match = item.isObject();
      for (const auto& [k, v] : keys->members())
        if (!item.find(k) || !(*item.find(k) == v)) match = false;
      if (match) return &item;
    }
  } else if (key.starts_with("v:")) {
    auto value = json::parse(std::string_view(key).substr(2));
    if (!value.ok()) return nullptr;
    for (auto& item : array.items())
      if (item == *value) return &item;
  }
  return nullptr;
}

const Value* findItem(const Value& array, const std::string& key) { return findItem(const_cast<Value&>(array), key); }

bool isLeaf(const Value& set) { return set.isObject() && (set.size() == 0 || (set.size() == 1 && set.find("."))); }

// Does `set` contain the path `path` (as a leaf or below)?
bool owns(const Value& set, const std::vector<std::string>& path) {
  const Value* node = &set;
  for (const auto& key : path) {
    node = node->find(key);
    if (!node) return false;
  }
  return true;
}

// Removes from `live` what `previous` owned and `next` does not, unless another manager owns it.
void prune(Value& live, const Value& previous, const Value* next, const std::vector<const Value*>& others,
           std::vector<std::string>& path) {
  for (const auto& [key, sub] : previous.members()) {
    if (key == ".") continue;
    const Value* nextSub = next ? next->find(key) : nullptr;
    path.push_back(key);
    bool ownedElsewhere = std::any_of(others.begin(), others.end(), [&](const Value* o) { return owns(*o, path); });
    if (key.starts_with("f:")) {
      std::string name = key.substr(2);
      if (!nextSub && !ownedElsewhere) {
        live.erase(name);
      } else if (Value* child = live.find(name); child && !isLeaf(sub)) {
        prune(*child, sub, nextSub, others, path);
      }
    } else if (live.isArray()) {
      if (!nextSub && !ownedElsewhere) {
        auto& items = live.items();
        const Value* target = findItem(live, key);
        items.erase(std::remove_if(items.begin(), items.end(), [&](const Value& v) { return &v == target; }), items.end());
      } else if (Value* item = findItem(live, key); item && !isLeaf(sub)) {
        prune(*item, sub, nextSub, others, path);
      }
    }
    path.pop_back();
  }
}

const Value* valueAt(const Value& root, const std::vector<std::string>& path) {
  const Value* node = &root;
  for (const auto& key : path) {
    if (key.starts_with("f:")) {
      node = node->find(std::string_view(key).substr(2));
    } else {
      node = findItem(*node, key);
    }
    if (!node) return nullptr;
  }
  return node;
}

std::string describePath(const std::vector<std::string>& path) {
  std::string out;
  for (const auto& key : path) {
    if (key.starts_with("f:")) {
      out += '.';
      out.append(key, 2);
    } else if (key.starts_with("k:")) {
      auto keys = json::parse(std::string_view(key).substr(2));
      out += "[";
      if (keys.ok()) {
        bool first = true;
        for (const auto& [k, v] : keys->members()) {
          if (!first) out += ",";
          first = false;
          out += k + "=" + json::serialize(v);
        }
      }
      out += "]";
    } else {
      out += '[';
      out.append(key, 2);
      out += ']';
    }
  }
  return out;
}

// Leaves of `set` (paths), for conflict checks.
void leaves(const Value& set, std::vector<std::string>& path, std::vector<std::vector<std::string>>& out) {
  if (isLeaf(set)) {
    out.push_back(path);
    return;
  }
  for (const auto& [key, sub] : set.members()) {
    if (key == ".") continue;
    path.push_back(key);
    leaves(sub, path, out);
    path.pop_back();
  }
}

void eraseLeaf(Value& set, const std::vector<std::string>& path, std::size_t i = 0) {
  if (i + 1 == path.size()) {
    set.erase(path[i]);
    return;
  }
  if (Value* child = set.find(path[i])) eraseLeaf(*child, path, i + 1);
}

}  // namespace

json::Value fieldSet(const json::Value& config, const k8s::StructInfo* info) {
  Value out = Value::object();
  if (!config.isObject()) return out;
  for (const auto& [k, child] : config.members()) {
    if (k == "apiVersion" || k == "kind" || k == "status") continue;
    const k8s::FieldInfo* f = info ? info->field(k) : nullptr;
    if (k == "metadata") {
      // Only what a manager configures: not identity or server-set fields.
      Value meta = Value::object();
      for (const char* owned : {"labels", "annotations", "finalizers", "ownerReferences"}) {
        if (const Value* v = child.find(owned)) {
          const k8s::FieldInfo* mf = f && f->structInfo ? f->structInfo->field(owned) : nullptr;
          meta.set(std::string("f:") + owned, fieldsOfValue(*v, mf));
        }
      }
      if (meta.size()) out.set("f:metadata", std::move(meta));
      continue;
    }
    out.set("f:" + k, fieldsOfValue(child, f));
  }
  return out;
}

Result<ApplyResult> serverSideApply(const json::Value& live, const json::Value& config, const std::string& manager,
                                    bool force, const k8s::StructInfo* info, const std::string& apiVersion,
                                    const std::string& now) {
  if (!config.isObject()) return Status::invalidArgument("the applied configuration must be an object");
  Value next = fieldSet(config, info);
  ApplyResult result;

  // Other apply managers and what they own; this manager's previous set.
  Value managed = Value::array();
  if (live.isObject()) {
    if (const Value* m = live["metadata"].find("managedFields"); m && m->isArray()) managed = *m;
  }
  Value previous = Value::object();
  std::vector<Value*> others;
  for (auto& entry : managed.items()) {
    if (!entry["fieldsV1"].isObject()) continue;
    bool self = entry["manager"].isString() && entry["manager"].asString() == manager &&
                entry["operation"].isString() && entry["operation"].asString() == "Apply";
    if (self) previous = entry["fieldsV1"];
    else if (entry["operation"].isString() && entry["operation"].asString() == "Apply") others.push_back(entry.find("fieldsV1"));
  }

  // Conflicts: a field another apply manager owns, set here to a different value.
  if (live.isObject()) {
    std::vector<std::vector<std::string>> applied;
    std::vector<std::string> path;
    leaves(next, path, applied);
    for (auto& entry : managed.items()) {
      Value* set = entry.find("fieldsV1");
      if (!set || std::find(others.begin(), others.end(), set) == others.end()) continue;
      for (const auto& p : applied) {
        if (!owns(*set, p)) continue;
        const Value* want = valueAt(config, p);
        const Value* have = valueAt(live, p);
        if (want && have && *want == *have) continue;
        if (force) {
          eraseLeaf(*set, p);
        } else {
          result.conflicts.push_back({entry["manager"].isString() ? entry["manager"].asString() : "", describePath(p)});
        }
      }
    }
    if (!result.conflicts.empty()) return result;
  }

  Value object;
  if (live.isObject()) {
    Value pruned = live;
    std::vector<const Value*> otherSets(others.begin(), others.end());
    std::vector<std::string> path;
    prune(pruned, previous, &next, otherSets, path);
    auto merged = applyStrategicMergePatch(pruned, config, info);
    if (!merged.ok()) return merged.status();
    object = std::move(*merged);
  } else {
    object = config;
  }

  // This manager's entry now owns exactly what it applied.
  Value entries = Value::array();
  bool placed = false;
  Value mine = Value::object();
  mine.set("manager", manager);
  mine.set("operation", "Apply");
  mine.set("apiVersion", apiVersion);
  mine.set("time", now);
  mine.set("fieldsType", "FieldsV1");
  mine.set("fieldsV1", next);
  for (const auto& entry : managed.items()) {
    bool self = entry["manager"].isString() && entry["manager"].asString() == manager &&
                entry["operation"].isString() && entry["operation"].asString() == "Apply";
    if (self) {
      entries.push(mine);
      placed = true;
    } else {
      entries.push(entry);
    }
  }
  if (!placed) entries.push(std::move(mine));
  if (!object.find("metadata")) object.set("metadata", Value::object());
  object.find("metadata")->set("managedFields", std::move(entries));
  result.object = std::move(object);
  return result;
}

}  // namespace capstan::kube
