// Emits registry.cpp (allKinds, findKind, findResource, openApiComponents) and the
// OpenAPI v3 definitions that kubectl explain reads.

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <set>

#include "emit.h"
#include "text.h"

namespace capnpc_capstan {

namespace {

using Which = capnp::schema::Type::Which;

// A small ordered JSON tree (the generator does not link the runtime JSON library).
struct J {
  enum class T { kObject, kArray, kString, kBool } t = T::kObject;
  std::string s;
  bool b = false;
  std::vector<std::pair<std::string, J>> members;
  std::vector<J> items;

  static J object() { return J{}; }
  static J array() {
    J j;
    j.t = T::kArray;
    return j;
  }
  static J string(std::string v) {
    J j;
    j.t = T::kString;
    j.s = std::move(v);
    return j;
  }
  static J boolean(bool v) {
    J j;
    j.t = T::kBool;
    j.b = v;
    return j;
  }
  J& set(std::string key, J value) {
    for (auto& m : members)
      if (m.first == key) return m.second = std::move(value);
    members.emplace_back(std::move(key), std::move(value));
    return members.back().second;
  }
  bool has(std::string_view key) const {
    for (const auto& m : members)
      if (m.first == key) return true;
    return false;
  }
  void push(J value) { items.push_back(std::move(value)); }
  void write(std::string& out) const {
    switch (t) {
      case T::kString: out += jsonString(s); break;
      case T::kBool: out += b ? "true" : "false"; break;
      case T::kArray:
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
          if (i) out += ',';
          items[i].write(out);
        }
        out += ']';
        break;
      case T::kObject:
        out += '{';
        for (size_t i = 0; i < members.size(); ++i) {
          if (i) out += ',';
          out += jsonString(members[i].first);
          out += ':';
          members[i].second.write(out);
        }
        out += '}';
        break;
    }
  }
};

J typeJ(const char* type, const char* format = nullptr) {
  J j;
  j.set("type", J::string(type));
  if (format) j.set("format", J::string(format));
  return j;
}

J refJ(const Struct& s) {
  J j;
  j.set("$ref", J::string("#/components/schemas/" + s.openApiName));
  return j;
}

const char* kApiVersionDescription =
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert "
    "recognized schemas to the latest internal value, and may reject unrecognized values. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
const char* kKindDescription =
    "Kind is a string value representing the REST resource this object represents. Servers may infer this from "
    "the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

class OpenApi {
 public:
  explicit OpenApi(const Model& model) : model_(model) {}

  std::string components(const std::string& groupVersion) {
    std::deque<const Struct*> work;
    for (const Struct* k : model_.kinds())
      if (k->kind->apiVersion() == groupVersion) work.push_back(k);
    std::set<const Struct*> seen(work.begin(), work.end());
    std::vector<const Struct*> defs;
    while (!work.empty()) {
      const Struct* s = work.front();
      work.pop_front();
      defs.push_back(s);
      std::vector<const Struct*> refs;
      referencesOf(*s, refs);
      for (const Struct* r : refs)
        if (seen.insert(r).second) work.push_back(r);
    }
    std::sort(defs.begin(), defs.end(), [](const Struct* a, const Struct* b) { return a->openApiName < b->openApiName; });
    J all;
    for (const Struct* s : defs) {
      if (all.has(s->openApiName)) continue;  // two structs named alike: the first wins
      all.set(s->openApiName, definition(*s));
    }
    std::string out;
    all.write(out);
    return out;
  }

 private:
  void referencesOf(const Struct& s, std::vector<const Struct*>& out) {
    for (const Field& f : s.fields) {
      if (f.isVoid) continue;
      if (f.shape == Field::Shape::kGroup) {
        if (f.group) referencesOf(*f.group, out);
        continue;
      }
      typeReferences(f.type, f.ann.map, out);
    }
  }
  void typeReferences(capnp::Type type, bool map, std::vector<const Struct*>& out) {
    if (type.isStruct()) {
      if (const Struct* s = model_.structOf(type)) out.push_back(s);
    } else if (type.isList()) {
      if (map) {
        if (const Field* value = model_.mapValueField(type)) typeReferences(value->type, false, out);
      } else {
        typeReferences(type.asList().getElementType(), false, out);
      }
    }
  }

  J definition(const Struct& s) {
    J j;
    if (!s.description.empty()) j.set("description", J::string(s.description));
    if (s.isQuantity) {
      J oneOf = J::array();
      oneOf.push(typeJ("string"));
      oneOf.push(typeJ("number"));
      j.set("oneOf", std::move(oneOf));
      return j;
    }
    if (s.isIntOrString) {
      j.set("x-kubernetes-int-or-string", J::boolean(true));
      if (!s.format.empty()) j.set("format", J::string(s.format));
      return j;
    }
    objectInto(s, j);
    if (s.kind) {
      J gvk;
      gvk.set("group", J::string(s.kind->group));
      gvk.set("kind", J::string(s.kind->kind));
      gvk.set("version", J::string(s.kind->version));
      J list = J::array();
      list.push(std::move(gvk));
      j.set("x-kubernetes-group-version-kind", std::move(list));
    }
    return j;
  }

  void objectInto(const Struct& s, J& j) {
    j.set("type", J::string("object"));
    J props;
    if (s.kind) {
      J apiVersion = typeJ("string");
      apiVersion.set("description", J::string(kApiVersionDescription));
      props.set("apiVersion", std::move(apiVersion));
      J kind = typeJ("string");
      kind.set("description", J::string(kKindDescription));
      props.set("kind", std::move(kind));
    }
    J required = J::array();
    for (const Field& f : s.fields) {
      if (f.isVoid) continue;
      props.set(f.jsonName, property(f));
      if (f.ann.required) required.push(J::string(f.jsonName));
    }
    if (!props.members.empty()) j.set("properties", std::move(props));
    if (!required.items.empty()) j.set("required", std::move(required));
  }

  J property(const Field& f) {
    J j;
    if (f.shape == Field::Shape::kGroup && f.group) {
      objectInto(*f.group, j);
    } else {
      j = typeSchema(f.type, f.ann, true);
    }
    if (!f.ann.format.empty()) j.set("format", J::string(f.ann.format));
    if (!f.description.empty()) j.set("description", J::string(f.description));
    if (!f.ann.patchStrategy.empty()) j.set("x-kubernetes-patch-strategy", J::string(f.ann.patchStrategy));
    if (!f.ann.patchMergeKey.empty()) j.set("x-kubernetes-patch-merge-key", J::string(f.ann.patchMergeKey));
    if (!f.ann.listType.empty()) j.set("x-kubernetes-list-type", J::string(f.ann.listType));
    if (!f.ann.listMapKeys.empty()) {
      J keys = J::array();
      for (const auto& k : f.ann.listMapKeys) keys.push(J::string(k));
      j.set("x-kubernetes-list-map-keys", std::move(keys));
    }
    return j;
  }

  // `top`: the schema of a field itself (refs wrapped in allOf so that siblings such as
  // the description apply); else of a list item or map value.
  J typeSchema(capnp::Type type, const FieldAnn& ann, bool top) {
    switch (type.which()) {
      case Which::BOOL: return typeJ("boolean");
      case Which::INT8:
      case Which::INT16:
      case Which::INT32:
      case Which::UINT8:
      case Which::UINT16: return typeJ("integer", "int32");
      case Which::INT64:
      case Which::UINT32:
      case Which::UINT64: return typeJ("integer", "int64");
      case Which::FLOAT32:
      case Which::FLOAT64: return typeJ("number", "double");
      case Which::TEXT: {
        if (!ann.rawJson) return typeJ("string");
        J j = typeJ("object");
        j.set("x-kubernetes-preserve-unknown-fields", J::boolean(true));
        return j;
      }
      case Which::DATA: return typeJ("string", "byte");
      case Which::ENUM: {
        J j = typeJ("string");
        J values = J::array();
        for (auto e : type.asEnum().getEnumerants()) values.push(J::string(e.getProto().getName()));
        j.set("enum", std::move(values));
        return j;
      }
      case Which::STRUCT: {
        const Struct* s = model_.structOf(type);
        if (!s) return typeJ("object");
        bool plain = !s->isQuantity && !s->isIntOrString;
        if (!top && !plain) return refJ(*s);
        J j;
        J allOf = J::array();
        allOf.push(refJ(*s));
        j.set("allOf", std::move(allOf));
        if (plain) j.set("default", J::object());
        return j;
      }
      case Which::LIST: {
        FieldAnn inner;
        inner.rawJson = ann.rawJson;
        if (top && ann.map) {
          const Field* value = model_.mapValueField(type);
          J j = typeJ("object");
          j.set("additionalProperties", value ? typeSchema(value->type, inner, false) : typeJ("string"));
          return j;
        }
        J j = typeJ("array");
        j.set("items", typeSchema(type.asList().getElementType(), inner, false));
        return j;
      }
      default: return typeJ("object");
    }
  }

  const Model& model_;
};

std::string rawLiteral(const std::string& text) {
  std::string delim = "openapi";
  for (int i = 0; text.find(")" + delim + "\"") != std::string::npos; ++i) delim = "openapi" + std::to_string(i);
  return "R\"" + delim + "(" + text + ")" + delim + "\"";
}

}  // namespace

std::string openApiComponents(const Model& model, const std::string& groupVersion) {
  return OpenApi(model).components(groupVersion);
}

std::string registrySource(const Model& model, const std::string& dir) {
  auto kinds = model.kinds();
  Code c;
  c("// Generated by capnpc-capstan (tools/capnpc-capstan). Do not edit.");
  c("// The registry of every kind of the schemas, and their OpenAPI v3 definitions.");
  c("");
  c("#include <string_view>");
  c("");
  c("#include \"capstan/k8s/codec.h\"");
  for (const auto& f : model.files) {
    if (!f->generate) continue;
    bool hasKinds = false;
    for (const Struct* s : f->structs) hasKinds |= s->kind.has_value();
    if (!hasKinds) continue;
    std::string stem = f->stem;
    if (!dir.empty() && stem.starts_with(dir + "/")) stem = stem.substr(dir.size() + 1);
    c("#include \"" + stem + ".codec.h\"");
  }
  c("");
  c("namespace capstan::k8s {");
  c("");
  c("namespace {");
  c("");
  if (!kinds.empty()) {
    c("constexpr const KindInfo* kKinds[] = {");
    for (const Struct* k : kinds) c("    &" + (k->file->ns.empty() ? "::" : "::" + k->file->ns + "::") + k->kindInfoName() + ",");
    c("};");
  } else {
    c("constexpr std::span<const KindInfo* const> kKinds;");
  }
  std::map<std::string, std::string> docs;  // group-version -> constant name
  for (const Struct* k : kinds) {
    std::string gv = k->kind->apiVersion();
    if (docs.count(gv)) continue;
    std::string name = "kOpenApi_";
    for (char ch : gv) name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
    docs.emplace(gv, name);
  }
  OpenApi openApi(model);
  for (const auto& [gv, name] : docs) {
    c("");
    c("// OpenAPI v3 components.schemas of " + gv + ".");
    c("constexpr std::string_view " + name + " =");
    c.raw("    " + rawLiteral(openApi.components(gv)) + ";\n");
  }
  c("");
  c("}  // namespace");
  c("");
  c("std::span<const KindInfo* const> allKinds() { return kKinds; }");
  c("");
  c("const KindInfo* findKind(std::string_view group, std::string_view version, std::string_view kind) {");
  c("  for (const KindInfo* k : kKinds)");
  c("    if (k->kind == kind && k->version == version && k->group == group) return k;");
  c("  return nullptr;");
  c("}");
  c("");
  c("const KindInfo* findResource(std::string_view group, std::string_view version, std::string_view resource) {");
  c("  for (const KindInfo* k : kKinds)");
  c("    if (k->resource == resource && k->version == version && k->group == group) return k;");
  c("  return nullptr;");
  c("}");
  c("");
  c("std::string_view openApiComponents(std::string_view groupVersion) {");
  for (const auto& [gv, name] : docs) c("  if (groupVersion == " + cppString(gv) + ") return " + name + ";");
  if (docs.empty()) c("  (void)groupVersion;");
  c("  return {};");
  c("}");
  c("");
  c("}  // namespace capstan::k8s");
  return c.str();
}

}  // namespace capnpc_capstan
