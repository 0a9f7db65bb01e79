#include "protobuf.h"

#include <cstring>
#include <ctime>

namespace capstan::kube {

namespace {

class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }

  bool varint(std::uint64_t& out) {
    out = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      auto byte = static_cast<std::uint8_t>(data_[pos_++]);
      out |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }

  bool bytes(std::string_view& out) {
    std::uint64_t len;
    if (!varint(len) || len > data_.size() - pos_) return false;
    out = data_.substr(pos_, len);
    pos_ += len;
    return true;
  }

  bool fixed(std::size_t n, std::uint64_t& out) {
    if (data_.size() - pos_ < n) return false;
    out = 0;
    std::memcpy(&out, data_.data() + pos_, n);  // little-endian host
    pos_ += n;
    return true;
  }

  // Skips a field of `wireType`.
  bool skip(int wireType) {
    std::uint64_t v;
    std::string_view s;
    switch (wireType) {
      case 0: return varint(v);
      case 1: return fixed(8, v);
      case 2: return bytes(s);
      case 5: return fixed(4, v);
      default: return false;
    }
  }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

Status malformed(std::string_view where) {
  return Status::invalidArgument("malformed protobuf body at " + std::string(where));
}

std::string base64(std::string_view in) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    std::uint32_t n = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8) | std::uint8_t(in[i + 2]);
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += kChars[(n >> 6) & 63];
    out += kChars[n & 63];
  }
  if (i + 1 == in.size()) {
    std::uint32_t n = std::uint8_t(in[i]) << 16;
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    std::uint32_t n = (std::uint8_t(in[i]) << 16) | (std::uint8_t(in[i + 1]) << 8);
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += kChars[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// metav1.Time: {1: seconds, 2: nanos} -> RFC 3339.
Result<json::Value> timeValue(std::string_view message, std::string_view where) {
  Reader r(message);
  std::int64_t seconds = 0;
  while (!r.done()) {
    std::uint64_t key, v;
    if (!r.varint(key)) return malformed(where);
    if ((key >> 3) == 1 && (key & 7) == 0) {
      if (!r.varint(v)) return malformed(where);
      seconds = static_cast<std::int64_t>(v);
    } else if (!r.skip(static_cast<int>(key & 7))) {
      return malformed(where);
    }
  }
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json::Value(std::string(buffer));
}

// A string field 1 of a small message (resource.Quantity).
Result<json::Value> quantityValue(std::string_view message, std::string_view where) {
  Reader r(message);
  std::string text;
  while (!r.done()) {
    std::uint64_t key;
    if (!r.varint(key)) return malformed(where);
    std::string_view s;
    if ((key >> 3) == 1 && (key & 7) == 2) {
      if (!r.bytes(s)) return malformed(where);
      text = s;
    } else if (!r.skip(static_cast<int>(key & 7))) {
      return malformed(where);
    }
  }
  return json::Value(text);
}

// intstr.IntOrString: {1: type (0 int, 1 string), 2: intVal, 3: strVal}.
Result<json::Value> intOrStringValue(std::string_view message, std::string_view where) {
  Reader r(message);
  std::uint64_t type = 0, intVal = 0;
  std::string strVal;
  while (!r.done()) {
    std::uint64_t key;
    if (!r.varint(key)) return malformed(where);
    std::uint64_t field = key >> 3;
    std::string_view s;
    if (field == 1 && (key & 7) == 0) {
      if (!r.varint(type)) return malformed(where);
    } else if (field == 2 && (key & 7) == 0) {
      if (!r.varint(intVal)) return malformed(where);
    } else if (field == 3 && (key & 7) == 2) {
      if (!r.bytes(s)) return malformed(where);
      strVal = s;
    } else if (!r.skip(static_cast<int>(key & 7))) {
      return malformed(where);
    }
  }
  if (type == 1) return json::Value(strVal);
  return json::Value(static_cast<std::int64_t>(static_cast<std::int32_t>(intVal)));
}

Result<json::Value> scalar(k8s::FieldKind kind, const k8s::FieldInfo& field, int wireType, Reader& r,
                           const std::string& where);

Result<json::Value> messageValue(k8s::FieldKind kind, const k8s::FieldInfo& field, std::string_view bytes,
                                 const std::string& where) {
  switch (kind) {
    case k8s::FieldKind::kStruct:
      if (!field.structInfo) return json::Value::object();
      return protobufToJson(bytes, *field.structInfo);
    case k8s::FieldKind::kQuantity:
      return quantityValue(bytes, where);
    case k8s::FieldKind::kIntOrString:
      return intOrStringValue(bytes, where);
    case k8s::FieldKind::kRawJson: {
      // runtime.RawExtension {1: raw}
      Reader r(bytes);
      while (!r.done()) {
        std::uint64_t key;
        std::string_view raw;
        if (!r.varint(key)) return malformed(where);
        if ((key >> 3) == 1 && (key & 7) == 2) {
          if (!r.bytes(raw)) return malformed(where);
          return json::parse(raw);
        }
        if (!r.skip(static_cast<int>(key & 7))) return malformed(where);
      }
      return json::Value();
    }
    case k8s::FieldKind::kString:
      if (field.format == "date-time") return timeValue(bytes, where);
      return json::Value(std::string(bytes));
    case k8s::FieldKind::kBytes:
      return json::Value(base64(bytes));
    default:
      return malformed(where);
  }
}

Result<json::Value> scalar(k8s::FieldKind kind, const k8s::FieldInfo& field, int wireType, Reader& r,
                           const std::string& where) {
  std::uint64_t v;
  std::string_view bytes;
  switch (wireType) {
    case 0:
      if (!r.varint(v)) return malformed(where);
      if (kind == k8s::FieldKind::kBool) return json::Value(v != 0);
      return json::Value(static_cast<std::int64_t>(v));
    case 1:
      if (!r.fixed(8, v)) return malformed(where);
      if (kind == k8s::FieldKind::kFloat) {
        double d;
        std::memcpy(&d, &v, sizeof d);
        return json::Value(d);
      }
      return json::Value(static_cast<std::int64_t>(v));
    case 5:
      if (!r.fixed(4, v)) return malformed(where);
      return json::Value(static_cast<std::int64_t>(static_cast<std::int32_t>(v)));
    case 2:
      if (!r.bytes(bytes)) return malformed(where);
      return messageValue(kind, field, bytes, where);
    default:
      return malformed(where);
  }
}

bool isPackable(k8s::FieldKind kind) {
  return kind == k8s::FieldKind::kBool || kind == k8s::FieldKind::kInt || kind == k8s::FieldKind::kFloat;
}

}  // namespace

Result<ProtobufEnvelope> parseProtobufEnvelope(std::string_view body) {
  static constexpr std::string_view kMagic("k8s\0", 4);
  if (body.substr(0, 4) != kMagic) return Status::invalidArgument("protobuf body without the k8s envelope prefix");
  Reader r(body.substr(4));
  ProtobufEnvelope env;
  while (!r.done()) {
    std::uint64_t key;
    if (!r.varint(key)) return malformed("the envelope");
    std::string_view bytes;
    std::uint64_t field = key >> 3;
    if ((key & 7) != 2) {
      if (!r.skip(static_cast<int>(key & 7))) return malformed("the envelope");
      continue;
    }
    if (!r.bytes(bytes)) return malformed("the envelope");
    if (field == 1) {
      Reader tm(bytes);
      while (!tm.done()) {
        std::uint64_t k;
        std::string_view s;
        if (!tm.varint(k)) return malformed("typeMeta");
        if ((k & 7) == 2) {
          if (!tm.bytes(s)) return malformed("typeMeta");
          if ((k >> 3) == 1) env.apiVersion = s;
          if ((k >> 3) == 2) env.kind = s;
        } else if (!tm.skip(static_cast<int>(k & 7))) {
          return malformed("typeMeta");
        }
      }
    } else if (field == 2) {
      env.raw = bytes;
    }
  }
  return env;
}

Result<json::Value> protobufToJson(std::string_view message, const k8s::StructInfo& info) {
  json::Value out = json::Value::object();
  Reader r(message);
  while (!r.done()) {
    std::uint64_t key;
    if (!r.varint(key)) return malformed(std::string(info.name));
    auto number = static_cast<std::uint32_t>(key >> 3);
    int wireType = static_cast<int>(key & 7);
    const k8s::FieldInfo* field = nullptr;
    for (const auto& f : info.fields)
      if (f.protobuf == number) field = &f;
    if (!field) {
      if (!r.skip(wireType)) return malformed(std::string(info.name));
      continue;
    }
    std::string where = std::string(info.name) + "." + std::string(field->name);
    if (field->kind == k8s::FieldKind::kList) {
      json::Value* list = out.find(field->name);
      if (!list) list = &out.set(field->name, json::Value::array());
      if (wireType == 2 && isPackable(field->elementKind)) {
        std::string_view packed;
        if (!r.bytes(packed)) return malformed(where);
        Reader p(packed);
        while (!p.done()) {
          auto v = scalar(field->elementKind, *field, field->elementKind == k8s::FieldKind::kFloat ? 1 : 0, p, where);
          if (!v.ok()) return v.status();
          list->push(std::move(*v));
        }
        continue;
      }
      auto v = scalar(field->elementKind, *field, wireType, r, where);
      if (!v.ok()) return v.status();
      list->push(std::move(*v));
    } else if (field->kind == k8s::FieldKind::kMap) {
      std::string_view entry;
      if (wireType != 2 || !r.bytes(entry)) return malformed(where);
      Reader e(entry);
      std::string mapKey;
      json::Value mapValue;
      while (!e.done()) {
        std::uint64_t k;
        if (!e.varint(k)) return malformed(where);
        if ((k >> 3) == 1 && (k & 7) == 2) {
          std::string_view s;
          if (!e.bytes(s)) return malformed(where);
          mapKey = s;
        } else if ((k >> 3) == 2) {
          auto v = scalar(field->elementKind, *field, static_cast<int>(k & 7), e, where);
          if (!v.ok()) return v.status();
          mapValue = std::move(*v);
        } else if (!e.skip(static_cast<int>(k & 7))) {
          return malformed(where);
        }
      }
      json::Value* map = out.find(field->name);
      if (!map) map = &out.set(field->name, json::Value::object());
      map->set(mapKey, std::move(mapValue));
    } else {
      auto v = scalar(field->kind, *field, wireType, r, where);
      if (!v.ok()) return v.status();
      out.set(field->name, std::move(*v));
    }
  }
  return out;
}

}  // namespace capstan::kube
