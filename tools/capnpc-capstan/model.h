#pragma once
// The generator's view of the schemas: every struct of every file in the request, with
// the Kubernetes annotations of plugin-api/schema/k8s/annotations.capnp interpreted.

#include <capnp/schema-loader.h>
#include <capnp/schema.capnp.h>
#include <capnp/schema.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace capnpc_capstan {

// Annotation ids (plugin-api/schema/k8s/annotations.capnp and /capnp/c++.capnp).
namespace ann {
constexpr std::uint64_t kKind = 0xd2a4c8e7f1b35a01;
constexpr std::uint64_t kJson = 0xd2a4c8e7f1b35a02;
constexpr std::uint64_t kAlways = 0xd2a4c8e7f1b35a03;
constexpr std::uint64_t kMap = 0xd2a4c8e7f1b35a04;
constexpr std::uint64_t kRawJson = 0xd2a4c8e7f1b35a05;
constexpr std::uint64_t kPatchStrategy = 0xd2a4c8e7f1b35a06;
constexpr std::uint64_t kPatchMergeKey = 0xd2a4c8e7f1b35a07;
constexpr std::uint64_t kListType = 0xd2a4c8e7f1b35a08;
constexpr std::uint64_t kListMapKeys = 0xd2a4c8e7f1b35a09;
constexpr std::uint64_t kProtobuf = 0xd2a4c8e7f1b35a0a;
constexpr std::uint64_t kRequired = 0xd2a4c8e7f1b35a0b;
constexpr std::uint64_t kFormat = 0xd2a4c8e7f1b35a0c;
constexpr std::uint64_t kIntOrString = 0xd2a4c8e7f1b35a0d;
constexpr std::uint64_t kQuantity = 0xd2a4c8e7f1b35a0e;
constexpr std::uint64_t kOpenapiPackage = 0xd2a4c8e7f1b35a0f;
constexpr std::uint64_t kOpenapiName = 0xd2a4c8e7f1b35a10;
constexpr std::uint64_t kAnnotationsFile = 0xa1d3c0b7e25f4c19;
constexpr std::uint64_t kCxxNamespace = 0xb9c6f99ebf805f2c;
constexpr std::uint64_t kCxxName = 0xf264a779fef191ce;
}  // namespace ann

struct Struct;
struct File;

// Field annotations.
struct FieldAnn {
  std::string json;  // $json, or empty
  bool always = false;
  bool map = false;
  bool rawJson = false;
  bool required = false;
  std::uint32_t protobuf = 0;
  std::string patchStrategy;
  std::string patchMergeKey;
  std::string listType;
  std::vector<std::string> listMapKeys;
  std::string format;
};

struct Field {
  enum class Shape {
    kSlot,      // a plain field
    kOptional,  // a group holding `union { unset :Void; value :T; }`: present when `value`
    kGroup,     // any other group: a nested JSON object
  };
  std::string name;      // Cap'n Proto name
  std::string jsonName;  // $json or name
  std::string accessor;  // "Name" in getName/setName/hasName/initName/isName
  Shape shape = Shape::kSlot;
  capnp::Type type;      // kSlot: the slot's type; kOptional: the value's type
  std::string valueAccessor = "Value";  // kOptional: the value member's accessor
  bool inUnion = false;  // a member of the struct's unnamed union
  std::uint16_t discriminant = 0;  // inUnion: its discriminant value (0: the default member)
  bool isVoid = false;   // a Void slot: not represented in JSON
  unsigned index = 0;    // index in Node.struct.fields (ordinal order)
  FieldAnn ann;
  std::string description;
  Struct* group = nullptr;  // kGroup: the group's model
};

struct KindAnn {
  std::string group, version, kind, resource, singular, listKind;
  bool namespaced = false;
  std::vector<std::string> shortNames, categories, subresources, verbs;
  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
};

struct Struct {
  std::uint64_t id = 0;
  capnp::StructSchema schema;
  File* file = nullptr;
  std::string name;         // "PodSpec" (a group: its field name in TitleCase)
  std::string localType;    // "PodSpec", "WidgetSpec::Timeout"
  std::string cxxType;      // "::capstan::k8s::core::v1::PodSpec"
  std::string infoName;     // "podSpecInfo"
  std::string openApiName;  // "io.k8s.api.core.v1.PodSpec"
  std::string description;
  std::string format;       // struct-level $format
  std::vector<Field> fields;  // in code order
  bool isGroup = false;
  bool isOptionalGroup = false;  // `union { unset; value }`: inlined into the parent
  bool isQuantity = false;
  bool isIntOrString = false;
  std::optional<KindAnn> kind;
  // Overlay fields (MetaOverlay): Text fields named uid / resourceVersion / creationTimestamp.
  bool hasOverlayFields = false;
  bool resolved = false;
  std::string kindInfoName() const { return infoName.substr(0, infoName.size() - 4) + "Kind"; }
  const Field* field(std::string_view name) const;
};

struct Enum {
  std::uint64_t id = 0;
  capnp::EnumSchema schema;
  std::string cxxType;  // "::ns::Phase"
  std::string fnSuffix; // "Phase" / "Outer_Phase": names the generated helpers
};

struct File {
  std::uint64_t id = 0;
  std::string filename;   // as requested: "k8s/core_v1.capnp"
  std::string stem;       // "k8s/core_v1"
  std::string baseStem;   // "core_v1"
  std::string ns;         // "capstan::k8s::core::v1"
  std::string openapiPackage;
  bool requested = false;
  bool generate = false;  // requested and not annotations.capnp
  std::vector<Struct*> structs;  // declaration order, nested and group structs after their parent
  std::vector<std::uint64_t> imports;  // ids of imported files
};

class Model {
 public:
  explicit Model(capnp::schema::CodeGeneratorRequest::Reader request);

  std::vector<std::unique_ptr<File>> files;
  std::map<std::uint64_t, std::unique_ptr<Struct>> structs;
  std::map<std::uint64_t, std::unique_ptr<Enum>> enums;

  Struct* structOf(capnp::Type type) const;
  Struct* structById(std::uint64_t id) const;
  const Enum* enumOf(capnp::Type type) const;
  File* fileById(std::uint64_t id) const;
  // Every generated kind, in file then declaration order.
  std::vector<const Struct*> kinds() const;
  // The Entry struct of a $map field's List(Entry), with its `value` field; or null.
  const Field* mapValueField(capnp::Type listType) const;

  std::vector<std::string> warnings;

 private:
  void addFile(capnp::Schema file, bool requested, std::string filename);
  void addStruct(File& file, capnp::StructSchema schema, std::string name, std::string localType, bool isGroup);
  void addEnum(File& file, capnp::EnumSchema schema, std::string localType);
  void resolve(Struct& s);
  std::string docOf(std::uint64_t id) const;
  std::string memberDocOf(std::uint64_t id, unsigned index) const;

  capnp::SchemaLoader loader_;
  std::map<std::uint64_t, capnp::schema::Node::SourceInfo::Reader> sourceInfo_;
};

}  // namespace capnpc_capstan
