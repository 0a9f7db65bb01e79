#include "objects.h"

#include "schema/k8s/meta.codec.h"

#include <capnp/any.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstring>
#include <ctime>

namespace capstan::kube {

BodyReader::BodyReader(const std::string& body) {
  const auto words = body.size() / sizeof(capnp::word);
  if (reinterpret_cast<std::uintptr_t>(body.data()) % alignof(capnp::word) == 0) {
    reader_.emplace(kj::arrayPtr(reinterpret_cast<const capnp::word*>(body.data()), words));
  } else {
    copy_ = kj::heapArray<capnp::word>(words);
    std::memcpy(copy_.begin(), body.data(), words * sizeof(capnp::word));
    reader_.emplace(copy_.asPtr());
  }
}

k8s::meta::ObjectMeta::Builder metaOf(capnp::MessageBuilder& message) {
  return message.getRoot<capnp::AnyStruct>().getPointerSection()[0].getAs<k8s::meta::ObjectMeta>();
}

k8s::meta::ObjectMeta::Reader metaOf(capnp::MessageReader& message) {
  auto pointers = message.getRoot<capnp::AnyStruct>().getPointerSection();
  if (pointers.size() == 0) return {};
  return pointers[0].getAs<k8s::meta::ObjectMeta>();
}

std::string rfc3339(std::int64_t unixNanos) {
  std::time_t seconds = static_cast<std::time_t>(unixNanos / 1000000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string humanAge(std::int64_t unixNanos, std::int64_t nowNanos) {
  // Kubernetes' duration.HumanDuration: coarser units as the age grows.
  std::int64_t s = (nowNanos - unixNanos) / 1000000000;
  if (s < 0) s = 0;
  auto str = [](std::int64_t v) { return std::to_string(v); };
  if (s < 60 * 2) return str(s) + "s";
  std::int64_t m = s / 60;
  if (m < 10) {
    std::int64_t rest = s % 60;
    return rest == 0 ? str(m) + "m" : str(m) + "m" + str(rest) + "s";
  }
  if (m < 60 * 3) return str(m) + "m";
  std::int64_t h = s / 3600;
  if (h < 8) {
    std::int64_t rest = m % 60;
    return rest == 0 ? str(h) + "h" : str(h) + "h" + str(rest) + "m";
  }
  if (h < 48) return str(h) + "h";
  if (h < 24 * 8) {
    std::int64_t rest = h % 24;
    return rest == 0 ? str(h / 24) + "d" : str(h / 24) + "d" + str(rest) + "h";
  }
  if (h < 24 * 365 * 2) return str(h / 24) + "d";
  if (h < 24 * 365 * 8) {
    std::int64_t days = (h / 24) % 365;
    return days == 0 ? str(h / 24 / 365) + "y" : str(h / 24 / 365) + "y" + str(days) + "d";
  }
  return str(h / 24 / 365) + "y";
}

namespace {

// The values the store stamps, laid over the body's metadata when it is written out.
struct StoreStamp {
  explicit StoreStamp(const Object& stored)
      : created(stored.creationTime ? rfc3339(stored.creationTime) : std::string()) {
    overlay.uid = stored.uid;
    overlay.resourceVersion = stored.revision;
    overlay.creationTimestamp = created;
    options.overlay = &overlay;
  }
  std::string created;
  k8s::MetaOverlay overlay;
  k8s::EncodeOptions options;
};

}  // namespace

void writeObjectMeta(const Object& stored, json::Writer& out) {
  if (stored.format != BodyFormat::kCapnp) {
    out.beginObject();
    out.key("name");
    out.string(stored.name);
    out.endObject();
    return;
  }
  BodyReader body(stored.body);
  StoreStamp stamp(stored);
  k8s::meta::encode(metaOf(body.message()), out, stamp.options);
}

void writeObject(const Resource& resource, const Object& stored, json::Writer& out) {
  if (stored.format != BodyFormat::kCapnp) {
    out.raw(stored.body.empty() ? std::string_view("{}") : std::string_view(stored.body));
    return;
  }
  BodyReader body(stored.body);
  StoreStamp stamp(stored);
  resource.kind->encode(body.message(), out, stamp.options);
}

std::string objectJson(const Resource& resource, const Object& stored) {
  std::string text;
  text.reserve(stored.body.size() * 2 + 256);
  json::Writer w(text);
  writeObject(resource, stored, w);
  return text;
}

Result<json::Value> objectValue(const Resource& resource, const Object& stored) {
  return json::parse(objectJson(resource, stored));
}

Result<Typed> decodeTyped(const Resource& resource, const json::Value& value, bool strict) {
  Typed typed;
  typed.resource = &resource;
  typed.message = std::make_unique<capnp::MallocMessageBuilder>();
  k8s::DecodeContext ctx;
  ctx.strict = strict;
  Status status = resource.kind->decode(value, *typed.message, ctx);
  if (!status.ok()) return status;
  typed.unknownFields = std::move(ctx.unknownFields);
  return typed;
}

namespace {

json::Value fromYaml(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return {};
    case YAML::NodeType::Sequence: {
      json::Value a = json::Value::array();
      for (const auto& item : node) a.push(fromYaml(item));
      return a;
    }
    case YAML::NodeType::Map: {
      json::Value o = json::Value::object();
      for (const auto& kv : node) o.set(kv.first.Scalar(), fromYaml(kv.second));
      return o;
    }
    case YAML::NodeType::Scalar:
      break;
  }
  const std::string& s = node.Scalar();
  // Quoted scalars are strings; plain scalars follow the YAML 1.2 core schema (as
  // Kubernetes' sigs.k8s.io/yaml does through JSON).
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return json::Value(s);
  if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) return {};
  if (s == "true" || s == "True" || s == "TRUE") return json::Value(true);
  if (s == "false" || s == "False" || s == "FALSE") return json::Value(false);
  {
    auto parsed = json::parse(s);
    if (parsed.ok() && parsed->isNumber()) return std::move(*parsed);
  }
  return json::Value(s);
}

}  // namespace

Result<json::Value> parseYaml(std::string_view text) {
  try {
    YAML::Node node = YAML::Load(std::string(text));
    return fromYaml(node);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("yaml: ") + e.what());
  }
}

Result<json::Value> parseBody(std::string_view contentType, std::string_view body) {
  if (contentType.find("yaml") != std::string_view::npos) {
    // apply-patch+yaml bodies are JSON as kubectl sends them; JSON is the fast path.
    auto asJson = json::parse(body);
    if (asJson.ok()) return asJson;
    return parseYaml(body);
  }
  return json::parse(body);
}

}  // namespace capstan::kube
