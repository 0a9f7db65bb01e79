#include "k8s/codec_support.h"

#include <charconv>
#include <cmath>

#include "k8s/base64.h"
#include "k8s/quantity.h"

namespace capstan::k8s::detail {

void appendPath(std::string& path, PathElem at) {
  switch (at.type) {
    case PathElem::Type::kNone: break;
    case PathElem::Type::kField:
      if (!path.empty()) path += '.';
      path += at.name;
      break;
    case PathElem::Type::kIndex: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, at.index);
      path += '[';
      path.append(buf, r.ptr);
      path += ']';
      break;
    }
    case PathElem::Type::kKey:
      path += '[';
      path += at.name;
      path += ']';
      break;
  }
}

std::string pathTo(const DecodeContext& ctx, PathElem at) {
  std::string p = ctx.path;
  appendPath(p, at);
  return p;
}

namespace {

std::string_view typeNameOf(const json::Value& v) {
  switch (v.type()) {
    case json::Value::Type::kNull: return "null";
    case json::Value::Type::kBool: return "boolean";
    case json::Value::Type::kInt:
    case json::Value::Type::kDouble: return "number";
    case json::Value::Type::kString: return "string";
    case json::Value::Type::kArray: return "array";
    case json::Value::Type::kObject: return "object";
  }
  return "value";
}

// "PATH: what", or "what" at the top level.
Status invalidAt(const DecodeContext& ctx, PathElem at, std::string_view what) {
  std::string m = pathTo(ctx, at);
  if (!m.empty()) m += ": ";
  m += what;
  return Status::invalidArgument(std::move(m));
}

std::string numberText(const json::Value& v) {
  if (v.isInt()) return std::to_string(v.asInt());
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v.asDouble());
  return std::string(buf, r.ptr);
}

}  // namespace

Status typeError(const DecodeContext& ctx, PathElem at, std::string_view expected, const json::Value& got) {
  std::string what = "expected ";
  what += expected;
  what += ", got ";
  what += typeNameOf(got);
  return invalidAt(ctx, at, what);
}

Status unknownField(DecodeContext& ctx, std::string_view key) {
  std::string path = pathTo(ctx, key);
  if (ctx.strict) return Status::invalidArgument("unknown field \"" + path + "\"");
  ctx.unknownFields.push_back(std::move(path));
  return {};
}

Status unsupportedValue(const DecodeContext& ctx, PathElem at, std::string_view got, std::string_view supported) {
  std::string what = "unsupported value ";
  what += json::quote(got);
  what += ": supported values: ";
  what += supported;
  return invalidAt(ctx, at, what);
}

Status checkTypeMeta(const json::Value& v, const DecodeContext& ctx, std::string_view key, std::string_view expected) {
  if (v.isNull()) return {};
  if (!v.isString()) return typeError(ctx, key, "string", v);
  const std::string& s = v.asString();
  if (s.empty() || s == expected) return {};
  std::string what = std::string(key) + " is " + json::quote(s) + ", expected " + json::quote(expected);
  std::string where = ctx.path;
  return Status::invalidArgument(where.empty() ? what : where + ": " + what);
}

Status readInt64(const json::Value& v, const DecodeContext& ctx, PathElem at, std::int64_t min, std::int64_t max,
                 std::string_view typeName, std::int64_t& out) {
  if (!v.isNumber()) return typeError(ctx, at, "integer", v);
  if (v.isInt()) {
    std::int64_t x = v.asInt();
    if (x < min || x > max)
      return invalidAt(ctx, at, std::to_string(x) + " is out of range for " + std::string(typeName));
    out = x;
    return {};
  }
  double d = v.asDouble();
  if (!std::isfinite(d) || std::trunc(d) != d) return invalidAt(ctx, at, "expected integer, got " + numberText(v));
  // Doubles at or beyond 2^63 cannot be represented.
  if (d < static_cast<double>(min) || d >= 9223372036854775808.0 || d > static_cast<double>(max))
    return invalidAt(ctx, at, numberText(v) + " is out of range for " + std::string(typeName));
  out = static_cast<std::int64_t>(d);
  return {};
}

Status readUInt64(const json::Value& v, const DecodeContext& ctx, PathElem at, std::uint64_t& out) {
  if (!v.isNumber()) return typeError(ctx, at, "integer", v);
  if (v.isInt()) {
    if (v.asInt() < 0) return invalidAt(ctx, at, std::to_string(v.asInt()) + " is out of range for uint64");
    out = static_cast<std::uint64_t>(v.asInt());
    return {};
  }
  double d = v.asDouble();
  if (!std::isfinite(d) || std::trunc(d) != d) return invalidAt(ctx, at, "expected integer, got " + numberText(v));
  if (d < 0 || d >= 18446744073709551616.0) return invalidAt(ctx, at, numberText(v) + " is out of range for uint64");
  out = static_cast<std::uint64_t>(d);
  return {};
}

std::string rawJson(const json::Value& v) { return json::serialize(v); }

Status readBase64(const json::Value& v, const DecodeContext& ctx, PathElem at, std::string& bytes) {
  if (!v.isString()) return typeError(ctx, at, "string", v);
  std::size_t bad = 0;
  if (!decodeBase64(v.asString(), bytes, bad))
    return invalidAt(ctx, at, "illegal base64 data at input byte " + std::to_string(bad));
  return {};
}

Status readQuantity(const json::Value& v, const DecodeContext& ctx, QuantityValue& out) {
  if (v.isString()) out.text = v.asString();
  else if (v.isNumber()) out.text = numberText(v);
  else return typeError(ctx, {}, "quantity (string or number)", v);
  auto parsed = parseQuantity(out.text);
  if (!parsed.ok()) return invalidAt(ctx, {}, parsed.status().message());
  out.value = parsed->value;
  out.milli = parsed->milli;
  return {};
}

Status readIntOrString(const json::Value& v, const DecodeContext& ctx, IntOrStringValue& out) {
  if (v.isString()) {
    out.isString = true;
    return {};
  }
  if (!v.isNumber()) return typeError(ctx, {}, "integer or string", v);
  out.isString = false;
  return readInt(v, ctx, {}, out.intVal);
}

void writeBase64(json::Writer& out, capnp::Data::Reader bytes) {
  out.string(encodeBase64(std::string_view(reinterpret_cast<const char*>(bytes.begin()), bytes.size())));
}

void writeUInt64(json::Writer& out, std::uint64_t v) {
  if (v <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    out.integer(static_cast<std::int64_t>(v));
    return;
  }
  out.raw(std::to_string(v));
}

void writeDecimalString(json::Writer& out, std::int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.string(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
}

void writeRawJson(json::Writer& out, capnp::Text::Reader json) {
  if (json.size() == 0) {
    out.null();
    return;
  }
  out.raw(sv(json));
}

void writeQuantity(json::Writer& out, capnp::Text::Reader text, std::int64_t milli) {
  if (text.size() != 0) {
    out.string(sv(text));
    return;
  }
  out.string(formatMilli(milli));
}

}  // namespace capstan::k8s::detail
