#pragma once
// Runtime support for the code tools/capnpc-capstan generates (schema/k8s/*.codec.cpp):
// decode paths, typed reads of json::Value with Kubernetes-style messages, base64,
// quantities, IntOrString and sorted map output. Generated code only; plugins use the
// per-type decode/encode functions and capstan/k8s/codec.h.

#include <capnp/blob.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "capstan/json.h"
#include "capstan/k8s/codec.h"
#include "capstan/status.h"

// Returns the Status of `expr` when it is not OK.
#define CAPSTAN_K8S_TRY(...)                                                         \
  do {                                                                               \
    if (::capstan::Status capstan_k8s_status_ = (__VA_ARGS__); !capstan_k8s_status_.ok()) \
      return capstan_k8s_status_;                                                    \
  } while (false)

namespace capstan::k8s::detail {

struct MapKey {
  std::string_view key;
};

// One step below DecodeContext::path: a field name, a list index, a map key, or nothing.
struct PathElem {
  enum class Type : std::uint8_t { kNone, kField, kIndex, kKey };
  PathElem() = default;
  PathElem(std::string_view n) : type(Type::kField), name(n) {}
  PathElem(const std::string& n) : type(Type::kField), name(n) {}
  PathElem(const char* n) : type(Type::kField), name(n) {}
  PathElem(std::size_t i) : type(Type::kIndex), index(i) {}
  PathElem(unsigned i) : type(Type::kIndex), index(i) {}
  PathElem(MapKey k) : type(Type::kKey), name(k.key) {}
  Type type = Type::kNone;
  std::string_view name;
  std::size_t index = 0;
};

// "a" + field b -> "a.b"; + index 0 -> "a[0]"; + key k -> "a[k]".
void appendPath(std::string& path, PathElem at);
std::string pathTo(const DecodeContext& ctx, PathElem at);

// Extends ctx.path for the scope of a nested decode.
class PathScope {
 public:
  PathScope(DecodeContext& ctx, PathElem at) : path_(ctx.path), size_(ctx.path.size()) { appendPath(path_, at); }
  ~PathScope() { path_.resize(size_); }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  std::string& path_;
  std::size_t size_;
};

// "PATH: expected integer, got string" (PATH omitted at the top level).
Status typeError(const DecodeContext& ctx, PathElem at, std::string_view expected, const json::Value& got);
// Records `unknown field "PATH"`, or fails with it when ctx.strict.
Status unknownField(DecodeContext& ctx, std::string_view key);
// "PATH: unsupported value "x": supported values: "a", "b"".
Status unsupportedValue(const DecodeContext& ctx, PathElem at, std::string_view got, std::string_view supported);
// `kind` / `apiVersion` of a kind's object: null, "" or `expected`.
Status checkTypeMeta(const json::Value& v, const DecodeContext& ctx, std::string_view key, std::string_view expected);

inline Status expectObject(const json::Value& v, const DecodeContext& ctx, PathElem at) {
  return v.isObject() ? Status() : typeError(ctx, at, "object", v);
}
inline Status expectArray(const json::Value& v, const DecodeContext& ctx, PathElem at) {
  return v.isArray() ? Status() : typeError(ctx, at, "array", v);
}
inline Status expectString(const json::Value& v, const DecodeContext& ctx, PathElem at) {
  return v.isString() ? Status() : typeError(ctx, at, "string", v);
}
inline Status readBool(const json::Value& v, const DecodeContext& ctx, PathElem at, bool& out) {
  if (!v.isBool()) return typeError(ctx, at, "boolean", v);
  out = v.asBool();
  return {};
}
inline Status readNumber(const json::Value& v, const DecodeContext& ctx, PathElem at, double& out) {
  if (!v.isNumber()) return typeError(ctx, at, "number", v);
  out = v.asDouble();
  return {};
}

// An integer (a JSON integer, or a number with an integral value) within [min, max].
Status readInt64(const json::Value& v, const DecodeContext& ctx, PathElem at, std::int64_t min, std::int64_t max,
                 std::string_view typeName, std::int64_t& out);
Status readUInt64(const json::Value& v, const DecodeContext& ctx, PathElem at, std::uint64_t& out);

template <typename T>
constexpr std::string_view intTypeName() {
  if constexpr (std::is_same_v<T, std::int8_t>) return "int8";
  else if constexpr (std::is_same_v<T, std::int16_t>) return "int16";
  else if constexpr (std::is_same_v<T, std::int32_t>) return "int32";
  else if constexpr (std::is_same_v<T, std::int64_t>) return "int64";
  else if constexpr (std::is_same_v<T, std::uint8_t>) return "uint8";
  else if constexpr (std::is_same_v<T, std::uint16_t>) return "uint16";
  else return "uint32";
}

template <typename T>
inline Status readInt(const json::Value& v, const DecodeContext& ctx, PathElem at, T& out) {
  if constexpr (std::is_same_v<T, std::uint64_t>) {
    return readUInt64(v, ctx, at, out);
  } else {
    constexpr auto min = static_cast<std::int64_t>(std::numeric_limits<T>::min());
    constexpr auto max = static_cast<std::int64_t>(std::numeric_limits<T>::max());
    if (v.isInt()) {  // the common case, inline
      std::int64_t x = v.asInt();
      if (x >= min && x <= max) {
        out = static_cast<T>(x);
        return {};
      }
    }
    std::int64_t x = 0;
    CAPSTAN_K8S_TRY(readInt64(v, ctx, at, min, max, intTypeName<T>(), x));
    out = static_cast<T>(x);
    return {};
  }
}

inline capnp::Text::Reader text(const std::string& s) { return capnp::Text::Reader(s.data(), s.size()); }
inline capnp::Text::Reader text(const json::Value& v) { return text(v.asString()); }
inline capnp::Data::Reader data(const std::string& bytes) {
  return capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(bytes.data()), bytes.size());
}
// The compact JSON text of any value ($rawJson).
std::string rawJson(const json::Value& v);
// Standard base64 with padding.
Status readBase64(const json::Value& v, const DecodeContext& ctx, PathElem at, std::string& bytes);

// A $quantity value: a JSON string or number in Kubernetes' quantity syntax.
struct QuantityValue {
  std::string text;
  std::int64_t value = 0;
  std::int64_t milli = 0;
};
Status readQuantity(const json::Value& v, const DecodeContext& ctx, QuantityValue& out);

// An $intOrString value: a JSON integer (int32) or string.
struct IntOrStringValue {
  bool isString = false;
  std::int32_t intVal = 0;
};
Status readIntOrString(const json::Value& v, const DecodeContext& ctx, IntOrStringValue& out);

// ---- encoding ----

inline std::string_view sv(capnp::Text::Reader t) { return std::string_view(t.cStr(), t.size()); }
void writeBase64(json::Writer& out, capnp::Data::Reader bytes);
void writeUInt64(json::Writer& out, std::uint64_t v);
void writeDecimalString(json::Writer& out, std::int64_t v);  // "42"
// Raw JSON text as a value; `null` when empty.
void writeRawJson(json::Writer& out, capnp::Text::Reader json);
// A quantity as its text; without one, formatted from thousandths ("100m", "2").
void writeQuantity(json::Writer& out, capnp::Text::Reader text, std::int64_t milli);

// Calls f(entry) for every entry of a $map list, by key (Go writes maps sorted).
template <typename Entries, typename F>
void forEachSorted(Entries entries, F&& f) {
  unsigned n = entries.size();
  bool sorted = true;
  for (unsigned i = 1; i < n && sorted; ++i) sorted = sv(entries[i - 1].getKey()) <= sv(entries[i].getKey());
  if (sorted) {
    for (unsigned i = 0; i < n; ++i) f(entries[i]);
    return;
  }
  std::vector<unsigned> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](unsigned a, unsigned b) { return sv(entries[a].getKey()) < sv(entries[b].getKey()); });
  for (unsigned i : order) f(entries[i]);
}

}  // namespace capstan::k8s::detail
