#include "json.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <regex>

#include "capstan/config.h"

namespace capstan::capctl {
namespace {

std::string base64(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  while (i + 2 < in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string rfc3339(int64_t nanos) {
  std::time_t secs = static_cast<std::time_t>(nanos / 1000000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string mapToJson(const std::map<std::string, std::string>& m) {
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : m) {
    if (!first) out += ",";
    first = false;
    out += jsonQuote(k) + ":" + jsonQuote(v);
  }
  return out + "}";
}

bool isPlainScalarOfType(const std::string& s, const std::regex& re) { return std::regex_match(s, re); }

}  // namespace

std::string jsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string yamlToJson(const YAML::Node& node) {
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "null";
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return jsonQuote(s);  // quoted in the source: a string
      if (s == "null" || s == "~") return "null";
      if (s == "true" || s == "false") return s;
      if (isPlainScalarOfType(s, kInt) || isPlainScalarOfType(s, kFloat)) return s[0] == '+' ? s.substr(1) : s;
      return jsonQuote(s);
    }
    case YAML::NodeType::Sequence: {
      std::string out = "[";
      for (std::size_t i = 0; i < node.size(); ++i) out += (i ? "," : "") + yamlToJson(node[i]);
      return out + "]";
    }
    case YAML::NodeType::Map: {
      std::string out = "{";
      bool first = true;
      for (const auto& kv : node) {
        if (!first) out += ",";
        first = false;
        out += jsonQuote(kv.first.Scalar()) + ":" + yamlToJson(kv.second);
      }
      return out + "}";
    }
  }
  return "null";
}

std::string objectToJson(const Object& o, bool pretty) {
  const char* nl = pretty ? "\n  " : "";
  const char* sep = pretty ? ": " : ":";
  std::string out = "{";
  auto field = [&](const char* name, const std::string& value, bool first = false) {
    if (!first) out += ",";
    out += nl;
    out += jsonQuote(name) + sep + value;
  };
  field("type", jsonQuote(o.type), true);
  field("namespace", jsonQuote(o.ns));
  field("name", jsonQuote(o.name));
  field("uid", jsonQuote(o.uid));
  field("revision", std::to_string(o.revision));
  field("createRevision", std::to_string(o.createRevision));
  field("creationTimestamp", jsonQuote(rfc3339(o.creationTime)));
  if (o.expireTime) field("expireTime", std::to_string(o.expireTime));
  if (!o.labels.empty()) field("labels", mapToJson(o.labels));
  if (!o.indexes.empty()) field("indexes", mapToJson(o.indexes));
  if (!o.ownerReferences.empty()) {
    std::string refs = "[";
    for (std::size_t i = 0; i < o.ownerReferences.size(); ++i) {
      const auto& r = o.ownerReferences[i];
      refs += std::string(i ? "," : "") + "{\"apiVersion\":" + jsonQuote(r.apiVersion) + ",\"kind\":" +
              jsonQuote(r.kind) + ",\"name\":" + jsonQuote(r.name) + ",\"uid\":" + jsonQuote(r.uid) +
              ",\"controller\":" + (r.controller ? "true" : "false") + "}";
    }
    field("ownerReferences", refs + "]");
  }
  switch (o.format) {
    case BodyFormat::kNone: break;
    case BodyFormat::kJson: field("body", o.body.empty() ? "null" : o.body); break;
    case BodyFormat::kCapnp: field("bodyBase64", jsonQuote(base64(o.body))); break;
  }
  out += pretty ? "\n}" : "}";
  return out;
}

Result<Object> objectFromText(const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return Status::invalidArgument(source + ":" + std::to_string(e.mark.line + 1) + ":" +
                                   std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) return Status::invalidArgument(source + ": expected an object");
  ConfigReader r(root, "");
  Object o;
  o.type = r.get<std::string>("type", "");
  o.ns = r.get<std::string>("namespace", "");
  o.name = r.get<std::string>("name", "");
  for (const char* key : {"labels", "indexes"}) {
    YAML::Node m = r.node(key);
    if (!m || m.IsNull()) continue;
    if (!m.IsMap()) return Status::invalidArgument(source + ": " + key + ": expected a mapping of strings");
    auto& target = std::string(key) == "labels" ? o.labels : o.indexes;
    for (const auto& kv : m) target[kv.first.Scalar()] = kv.second.Scalar();
  }
  // Read-only fields a user may paste back from `capctl get`; the store sets them.
  for (const char* ignored : {"uid", "revision", "createRevision", "creationTimestamp", "expireTime"}) (void)r.node(ignored);
  YAML::Node body = r.node("body");
  if (body && !body.IsNull()) {
    o.format = BodyFormat::kJson;
    o.body = yamlToJson(body);
  }
  if (auto s = r.finish(); !s.ok()) return s.withContext(source);
  if (o.type.empty()) return Status::invalidArgument(source + ": \"type\" is required");
  if (o.name.empty()) return Status::invalidArgument(source + ": \"name\" is required");
  return o;
}

}  // namespace capstan::capctl
