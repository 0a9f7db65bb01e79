#pragma once
// JSON for the API machinery: a document tree (Value) that keeps object key order, a
// parser that reports line:column, and a streaming Writer that the generated codecs and
// the HTTP layer write text with. Kubernetes-free.
//
// Numbers: integers that fit int64 stay exact (kInt); everything else is a double (kDouble).
// Thread-safety: values are plain data; no shared state.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "capstan/status.h"

namespace capstan::json {

class Value;
using Member = std::pair<std::string, Value>;

class Value {
 public:
  enum class Type : std::uint8_t { kNull, kBool, kInt, kDouble, kString, kArray, kObject };

  Value() = default;  // null
  Value(std::nullptr_t) {}
  Value(bool b) : type_(Type::kBool), bool_(b) {}
  Value(int i) : type_(Type::kInt), int_(i) {}
  Value(std::int64_t i) : type_(Type::kInt), int_(i) {}
  Value(double d) : type_(Type::kDouble), double_(d) {}
  Value(std::string s) : type_(Type::kString), string_(std::move(s)) {}
  Value(std::string_view s) : type_(Type::kString), string_(s) {}
  Value(const char* s) : type_(Type::kString), string_(s) {}

  static Value array() { Value v; v.type_ = Type::kArray; return v; }
  static Value object() { Value v; v.type_ = Type::kObject; return v; }

  Type type() const { return type_; }
  bool isNull() const { return type_ == Type::kNull; }
  bool isBool() const { return type_ == Type::kBool; }
  bool isInt() const { return type_ == Type::kInt; }
  bool isNumber() const { return type_ == Type::kInt || type_ == Type::kDouble; }
  bool isString() const { return type_ == Type::kString; }
  bool isArray() const { return type_ == Type::kArray; }
  bool isObject() const { return type_ == Type::kObject; }

  bool asBool() const { return bool_; }
  std::int64_t asInt() const { return type_ == Type::kDouble ? static_cast<std::int64_t>(double_) : int_; }
  double asDouble() const { return type_ == Type::kInt ? static_cast<double>(int_) : double_; }
  const std::string& asString() const { return string_; }
  std::string& asString() { return string_; }

  // Arrays.
  const std::vector<Value>& items() const { return items_; }
  std::vector<Value>& items() { return items_; }
  void push(Value v) { items_.push_back(std::move(v)); }

  // Objects: members in insertion order; keys are unique (set() replaces).
  const std::vector<Member>& members() const { return members_; }
  std::vector<Member>& members() { return members_; }
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);
  // Sets (replacing in place, or appending) and returns the stored value.
  Value& set(std::string_view key, Value v);
  bool erase(std::string_view key);
  // find() or a shared null.
  const Value& operator[](std::string_view key) const;

  std::size_t size() const { return type_ == Type::kArray ? items_.size() : members_.size(); }

  // Deep equality; an int and a double are equal when their values are.
  bool operator==(const Value& other) const;

 private:
  Type type_ = Type::kNull;
  bool bool_ = false;
  std::int64_t int_ = 0;
  double double_ = 0;
  std::string string_;
  std::vector<Value> items_;
  std::vector<Member> members_;
};

struct ParseOptions {
  std::size_t maxDepth = 512;
};

// Parses one JSON text (RFC 8259; trailing whitespace allowed, nothing else).
// Errors read "line L, column C: <what>", e.g. "line 3, column 7: expected ',' or '}'".
Result<Value> parse(std::string_view text, const ParseOptions& options = {});

// Streaming writer: commas and nesting are tracked for you. Strings are escaped as
// Go's encoding/json does (so output matches Kubernetes: <, >, & as \u003c etc. are NOT
// escaped; control characters are).
class Writer {
 public:
  explicit Writer(std::string& out, bool pretty = false) : out_(out), pretty_(pretty) {}

  void beginObject();
  void endObject();
  void beginArray();
  void endArray();
  void key(std::string_view k);
  void string(std::string_view s);
  void integer(std::int64_t i);
  void number(double d);  // shortest form that round-trips; integral values without ".0"
  void boolean(bool b);
  void null();
  // Already-serialized JSON, inserted as one value.
  void raw(std::string_view json);
  void value(const Value& v);

 private:
  void separate();
  std::string& out_;
  bool pretty_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool afterKey_ = false;
};

std::string serialize(const Value& v, bool pretty = false);
// The text of `s` as a quoted JSON string.
std::string quote(std::string_view s);

// JSON Pointer (RFC 6901) helpers used by JSON Patch: "/a/b~1c/0".
Result<std::vector<std::string>> parsePointer(std::string_view pointer);

}  // namespace capstan::json
