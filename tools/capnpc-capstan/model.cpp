#include "model.h"

#include <capnp/dynamic.h>

#include <algorithm>

#include "text.h"

namespace capnpc_capstan {

namespace {

using capnp::schema::Annotation;
using AnnotationList = capnp::List<Annotation>::Reader;

const Annotation::Reader* findAnnotation(AnnotationList list, std::uint64_t id, Annotation::Reader& slot) {
  for (auto a : list) {
    if (a.getId() == id) {
      slot = a;
      return &slot;
    }
  }
  return nullptr;
}

bool hasAnnotation(AnnotationList list, std::uint64_t id) {
  for (auto a : list)
    if (a.getId() == id) return true;
  return false;
}

std::string textAnnotation(AnnotationList list, std::uint64_t id) {
  Annotation::Reader a;
  if (findAnnotation(list, id, a)) return a.getValue().getText();
  return {};
}

std::vector<std::string> textListOf(capnp::DynamicValue::Reader v) {
  std::vector<std::string> r;
  for (auto e : v.as<capnp::DynamicList>()) r.emplace_back(e.as<capnp::Text>());
  return r;
}

// Kubernetes' pluralization for resource names (the common cases).
std::string plural(const std::string& singular) {
  if (singular.empty()) return singular;
  auto ends = [&](std::string_view s) {
    return singular.size() >= s.size() && singular.compare(singular.size() - s.size(), s.size(), s) == 0;
  };
  if (ends("s") || ends("x") || ends("z") || ends("ch") || ends("sh")) return singular + "es";
  if (ends("y") && singular.size() > 1 && std::string_view("aeiou").find(singular[singular.size() - 2]) == std::string_view::npos)
    return singular.substr(0, singular.size() - 1) + "ies";
  return singular + "s";
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::string stripColons(const std::string& s) {
  std::string r;
  for (char c : s)
    if (c != ':') r += c;
  return r;
}

}  // namespace

const Field* Struct::field(std::string_view n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

Model::Model(capnp::schema::CodeGeneratorRequest::Reader request) {
  for (auto node : request.getNodes()) loader_.load(node);
  for (auto info : request.getSourceInfo()) sourceInfo_.emplace(info.getId(), info);

  // Requested files in command-line order (the registry's order), then the imported ones.
  std::map<std::uint64_t, std::string> requested;
  for (auto rf : request.getRequestedFiles()) {
    requested.emplace(rf.getId(), rf.getFilename());
    addFile(loader_.get(rf.getId()), true, rf.getFilename());
  }
  for (auto node : request.getNodes())
    if (node.isFile() && !requested.count(node.getId())) addFile(loader_.get(node.getId()), false, std::string());
  for (auto rf : request.getRequestedFiles()) {
    File* f = fileById(rf.getId());
    for (auto imp : rf.getImports()) f->imports.push_back(imp.getId());
  }
  for (auto& [id, s] : structs) resolve(*s);
}

void Model::addFile(capnp::Schema schema, bool requested, std::string filename) {
  auto file = std::make_unique<File>();
  auto proto = schema.getProto();
  file->id = proto.getId();
  file->requested = requested;
  file->generate = requested && file->id != ann::kAnnotationsFile;
  file->filename = filename;
  file->stem = filename.size() > 6 && filename.ends_with(".capnp") ? filename.substr(0, filename.size() - 6) : filename;
  auto slash = file->stem.rfind('/');
  file->baseStem = slash == std::string::npos ? file->stem : file->stem.substr(slash + 1);
  file->ns = textAnnotation(proto.getAnnotations(), ann::kCxxNamespace);
  if (file->ns.starts_with("::")) file->ns = file->ns.substr(2);
  file->openapiPackage = textAnnotation(proto.getAnnotations(), ann::kOpenapiPackage);
  File& f = *file;
  files.push_back(std::move(file));
  for (auto nested : proto.getNestedNodes()) {
    auto maybeChild = loader_.tryGet(nested.getId());
    if (maybeChild == nullptr) continue;  // an unused declaration of an imported file
    capnp::Schema child = KJ_ASSERT_NONNULL(maybeChild);
    auto childProto = child.getProto();
    std::string name = nested.getName();
    std::string cxxName = textAnnotation(childProto.getAnnotations(), ann::kCxxName);
    if (!cxxName.empty()) name = cxxName;
    if (childProto.isStruct()) addStruct(f, child.asStruct(), nested.getName(), name, false);
    else if (childProto.isEnum()) addEnum(f, child.asEnum(), name);
  }
}

void Model::addStruct(File& file, capnp::StructSchema schema, std::string name, std::string localType, bool isGroup) {
  auto proto = schema.getProto();
  auto s = std::make_unique<Struct>();
  s->id = proto.getId();
  s->schema = schema;
  s->file = &file;
  s->name = name;
  s->localType = localType;
  s->cxxType = (file.ns.empty() ? "::" : "::" + file.ns + "::") + localType;
  s->infoName = lowerFirst(stripColons(localType)) + "Info";
  s->isGroup = isGroup;
  auto annotations = proto.getAnnotations();
  s->isQuantity = hasAnnotation(annotations, ann::kQuantity);
  s->isIntOrString = hasAnnotation(annotations, ann::kIntOrString);
  s->format = textAnnotation(annotations, ann::kFormat);
  s->openApiName = textAnnotation(annotations, ann::kOpenapiName);
  if (s->openApiName.empty())
    s->openApiName = file.openapiPackage.empty() ? name : file.openapiPackage + "." + name;
  s->description = cleanDocComment(docOf(s->id));

  Annotation::Reader kindAnnotation;
  if (findAnnotation(annotations, ann::kKind, kindAnnotation)) {
    auto annotationNode = loader_.get(ann::kKind).getProto().getAnnotation();
    auto infoSchema = loader_.get(annotationNode.getType().getStruct().getTypeId()).asStruct();
    auto v = kindAnnotation.getValue().getStruct().getAs<capnp::DynamicStruct>(infoSchema);
    KindAnn k;
    k.group = v.get("group").as<capnp::Text>();
    k.version = v.get("version").as<capnp::Text>();
    k.kind = v.get("kind").as<capnp::Text>();
    k.resource = v.get("resource").as<capnp::Text>();
    k.singular = v.get("singular").as<capnp::Text>();
    k.namespaced = v.get("namespaced").as<bool>();
    k.shortNames = textListOf(v.get("shortNames"));
    k.categories = textListOf(v.get("categories"));
    k.subresources = textListOf(v.get("subresources"));
    k.listKind = v.get("listKind").as<capnp::Text>();
    k.verbs = textListOf(v.get("verbs"));
    if (k.kind.empty()) k.kind = name;
    if (k.version.empty()) warnings.push_back(name + ": $kind without a version");
    if (k.singular.empty()) k.singular = lower(k.kind);
    if (k.resource.empty()) k.resource = plural(k.singular);
    if (k.listKind.empty()) k.listKind = k.kind + "List";
    if (k.verbs.empty())
      k.verbs = {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"};
    s->kind = std::move(k);
  }

  Struct& ref = *s;
  file.structs.push_back(&ref);
  structs.emplace(ref.id, std::move(s));

  for (auto field : schema.getFields()) {
    auto fp = field.getProto();
    if (!fp.isGroup()) continue;
    std::string fieldName = textAnnotation(fp.getAnnotations(), ann::kCxxName);
    if (fieldName.empty()) fieldName = fp.getName();
    addStruct(file, field.getType().asStruct(), upperFirst(fieldName), localType + "::" + upperFirst(fieldName), true);
  }
  for (auto nested : proto.getNestedNodes()) {
    auto maybeChild = loader_.tryGet(nested.getId());
    if (maybeChild == nullptr) continue;
    capnp::Schema child = KJ_ASSERT_NONNULL(maybeChild);
    auto childProto = child.getProto();
    std::string childName = textAnnotation(childProto.getAnnotations(), ann::kCxxName);
    if (childName.empty()) childName = nested.getName();
    if (childProto.isStruct()) addStruct(file, child.asStruct(), nested.getName(), localType + "::" + childName, false);
    else if (childProto.isEnum()) addEnum(file, child.asEnum(), localType + "::" + childName);
  }
}

void Model::addEnum(File& file, capnp::EnumSchema schema, std::string localType) {
  auto e = std::make_unique<Enum>();
  e->id = schema.getProto().getId();
  e->schema = schema;
  e->cxxType = (file.ns.empty() ? "::" : "::" + file.ns + "::") + localType;
  e->fnSuffix = stripColons(localType);
  enums.emplace(e->id, std::move(e));
}

namespace {

FieldAnn readFieldAnn(AnnotationList list) {
  FieldAnn a;
  for (auto x : list) {
    auto v = x.getValue();
    switch (x.getId()) {
      case ann::kJson: a.json = v.getText(); break;
      case ann::kAlways: a.always = true; break;
      case ann::kMap: a.map = true; break;
      case ann::kRawJson: a.rawJson = true; break;
      case ann::kRequired: a.required = true; break;
      case ann::kProtobuf: a.protobuf = v.getUint32(); break;
      case ann::kPatchStrategy: a.patchStrategy = v.getText(); break;
      case ann::kPatchMergeKey: a.patchMergeKey = v.getText(); break;
      case ann::kListType: a.listType = v.getText(); break;
      case ann::kFormat: a.format = v.getText(); break;
      case ann::kListMapKeys:
        for (auto t : v.getList().getAs<capnp::List<capnp::Text>>()) a.listMapKeys.emplace_back(t);
        break;
      default: break;
    }
  }
  return a;
}

// Fills the unset parts of `into` from `from` (an optional group's value member).
void mergeFieldAnn(FieldAnn& into, const FieldAnn& from) {
  if (into.json.empty()) into.json = from.json;
  into.always |= from.always;
  into.map |= from.map;
  into.rawJson |= from.rawJson;
  into.required |= from.required;
  if (!into.protobuf) into.protobuf = from.protobuf;
  if (into.patchStrategy.empty()) into.patchStrategy = from.patchStrategy;
  if (into.patchMergeKey.empty()) into.patchMergeKey = from.patchMergeKey;
  if (into.listType.empty()) into.listType = from.listType;
  if (into.listMapKeys.empty()) into.listMapKeys = from.listMapKeys;
  if (into.format.empty()) into.format = from.format;
}

constexpr std::uint16_t kNoDiscriminant = 0xffff;

// `union { unset @n :Void; value @m :T; }` (directly as a named union, or as the only
// content of a group): returns the value field.
std::optional<capnp::StructSchema::Field> optionalValue(capnp::StructSchema group) {
  auto fields = group.getFields();
  if (fields.size() != 2 || group.getProto().getStruct().getDiscriminantCount() != 2) return std::nullopt;
  auto first = fields[0].getProto(), second = fields[1].getProto();
  if (first.getDiscriminantValue() == kNoDiscriminant || second.getDiscriminantValue() == kNoDiscriminant) return std::nullopt;
  auto isUnset = [](capnp::StructSchema::Field f) {
    auto p = f.getProto();
    return p.getName() == "unset" && p.isSlot() && p.getSlot().getType().isVoid();
  };
  if (isUnset(fields[0]) && second.isSlot()) return fields[1];
  if (isUnset(fields[1]) && first.isSlot()) return fields[0];
  return std::nullopt;
}

}  // namespace

void Model::resolve(Struct& s) {
  if (s.resolved) return;
  s.resolved = true;
  for (auto field : s.schema.getFields()) {
    auto fp = field.getProto();
    Field f;
    f.name = fp.getName();
    f.index = field.getIndex();
    std::string cxxName = textAnnotation(fp.getAnnotations(), ann::kCxxName);
    f.accessor = upperFirst(cxxName.empty() ? f.name : cxxName);
    f.inUnion = fp.getDiscriminantValue() != kNoDiscriminant;
    if (f.inUnion) f.discriminant = fp.getDiscriminantValue();
    f.ann = readFieldAnn(fp.getAnnotations());
    f.description = cleanDocComment(memberDocOf(s.id, f.index));
    if (fp.isSlot()) {
      f.type = field.getType();
      f.isVoid = f.type.isVoid();
      if (f.type.isAnyPointer() || f.type.isInterface()) {
        warnings.push_back(s.name + "." + f.name + ": AnyPointer and interface fields are not in JSON");
        f.isVoid = true;
      }
    } else {
      auto groupSchema = field.getType().asStruct();
      Struct* group = structById(groupSchema.getProto().getId());
      if (auto value = optionalValue(groupSchema)) {
        f.shape = Field::Shape::kOptional;
        f.type = value->getType();
        auto vp = value->getProto();
        std::string valueName = textAnnotation(vp.getAnnotations(), ann::kCxxName);
        f.valueAccessor = upperFirst(valueName.empty() ? std::string(vp.getName()) : valueName);
        mergeFieldAnn(f.ann, readFieldAnn(vp.getAnnotations()));
        if (f.description.empty()) f.description = cleanDocComment(memberDocOf(groupSchema.getProto().getId(), value->getIndex()));
        if (group) group->isOptionalGroup = true;
      } else {
        f.shape = Field::Shape::kGroup;
        f.type = groupSchema;
        f.group = group;
      }
    }
    f.jsonName = f.ann.json.empty() ? f.name : f.ann.json;
    if (f.ann.map && !mapValueField(f.type)) {
      warnings.push_back(s.name + "." + f.name + ": $map needs List(Entry) with `key :Text` and `value` fields; treated as a list");
      f.ann.map = false;
    }
    s.fields.push_back(std::move(f));
  }
  std::stable_sort(s.fields.begin(), s.fields.end(), [&](const Field& a, const Field& b) {
    return s.schema.getFields()[a.index].getProto().getCodeOrder() < s.schema.getFields()[b.index].getProto().getCodeOrder();
  });
  auto isText = [&](const char* n) {
    const Field* f = s.field(n);
    return f && f->shape == Field::Shape::kSlot && f->type.isText();
  };
  s.hasOverlayFields = isText("uid") && isText("resourceVersion");
}

Struct* Model::structOf(capnp::Type type) const {
  if (!type.isStruct()) return nullptr;
  return structById(type.asStruct().getProto().getId());
}

Struct* Model::structById(std::uint64_t id) const {
  auto it = structs.find(id);
  return it == structs.end() ? nullptr : it->second.get();
}

const Enum* Model::enumOf(capnp::Type type) const {
  if (!type.isEnum()) return nullptr;
  auto it = enums.find(type.asEnum().getProto().getId());
  return it == enums.end() ? nullptr : it->second.get();
}

File* Model::fileById(std::uint64_t id) const {
  for (const auto& f : files)
    if (f->id == id) return f.get();
  return nullptr;
}

std::vector<const Struct*> Model::kinds() const {
  std::vector<const Struct*> r;
  for (const auto& f : files) {
    if (!f->generate) continue;
    for (const Struct* s : f->structs)
      if (s->kind) r.push_back(s);
  }
  return r;
}

const Field* Model::mapValueField(capnp::Type listType) const {
  if (!listType.isList()) return nullptr;
  Struct* entry = structOf(listType.asList().getElementType());
  if (!entry) return nullptr;
  // resolve() may not have run for the entry yet: look at the schema directly.
  auto fields = entry->schema.getFields();
  bool keyOk = false;
  for (auto f : fields) {
    auto p = f.getProto();
    if (p.getName() == "key") keyOk = p.isSlot() && p.getSlot().getType().isText();
  }
  if (!keyOk) return nullptr;
  const_cast<Model*>(this)->resolve(*entry);
  const Field* value = entry->field("value");
  return value && value->shape == Field::Shape::kSlot && !value->isVoid ? value : nullptr;
}

std::string Model::docOf(std::uint64_t id) const {
  auto it = sourceInfo_.find(id);
  return it == sourceInfo_.end() ? std::string() : std::string(it->second.getDocComment());
}

std::string Model::memberDocOf(std::uint64_t id, unsigned index) const {
  auto it = sourceInfo_.find(id);
  if (it == sourceInfo_.end()) return {};
  auto members = it->second.getMembers();
  return index < members.size() ? std::string(members[index].getDocComment()) : std::string();
}

}  // namespace capnpc_capstan
