#pragma once
// Typed config decoding for the daemon and for plugins: read each key once, with a type,
// and refuse keys nobody read, naming the full path ("plugins[2].args.strategy").
//
//   capstan::ConfigReader r(YAML::Load(argsYaml), "args");
//   std::string prefix = r.get<std::string>("prefix", "");
//   int64_t limit = r.get<int64_t>("limit", 100);
//   if (auto s = r.finish(); !s.ok()) return s;   // unknown keys, wrong types

#include <cctype>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "capstan/status.h"

namespace capstan {

class ConfigReader {
 public:
  ConfigReader(YAML::Node node, std::string path) : node_(std::move(node)), path_(std::move(path)) {
    if (node_ && !node_.IsNull() && !node_.IsMap()) fail(path_ + ": expected a mapping");
  }

  const std::string& path() const { return path_; }
  std::string childPath(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  bool has(std::string_view key) const { return node_.IsMap() && node_[std::string(key)]; }

  // The value at `key` as T, or `def` when absent or null. A value of the wrong type is
  // recorded as an error (see finish()) and `def` is returned.
  template <class T>
  T get(std::string_view key, T def) {
    YAML::Node v = take(key);
    if (!v || v.IsNull()) return def;
    try {
      if constexpr (std::is_same_v<T, bool>) {
        return v.as<bool>();
      } else {
        return v.as<T>();
      }
    } catch (const YAML::Exception&) {
      fail(childPath(key) + ": expected " + typeName<T>() + ", got " + describe(v));
      return def;
    }
  }

  // A byte size: an integer or a Kubernetes-style quantity ("64Gi", "512Mi", "1G").
  std::uint64_t getBytes(std::string_view key, std::uint64_t def) {
    YAML::Node v = take(key);
    if (!v || v.IsNull()) return def;
    auto parsed = parseBytes(v.Scalar());
    if (!parsed) {
      fail(childPath(key) + ": expected a size like 64Gi or 1048576, got " + describe(v));
      return def;
    }
    return *parsed;
  }

  // A duration in milliseconds: an integer (seconds) or "250ms", "30s", "5m", "1h".
  std::int64_t getDurationMs(std::string_view key, std::int64_t defMs) {
    YAML::Node v = take(key);
    if (!v || v.IsNull()) return defMs;
    auto parsed = parseDurationMs(v.Scalar());
    if (!parsed) {
      fail(childPath(key) + ": expected a duration like 30s or 5m, got " + describe(v));
      return defMs;
    }
    return *parsed;
  }

  // The raw node at `key` (marked as read), for nested structures.
  YAML::Node node(std::string_view key) { return take(key); }

  void fail(std::string message) {
    if (error_.ok()) error_ = Status::invalidArgument(std::move(message));
  }

  // Unknown keys and the first type error, as one Status.
  Status finish() const {
    if (!error_.ok()) return error_;
    if (node_.IsMap()) {
      for (const auto& kv : node_) {
        std::string key = kv.first.as<std::string>();
        if (!read_.count(key)) return Status::invalidArgument("unknown field \"" + childPath(key) + "\"");
      }
    }
    return {};
  }

  static std::optional<std::uint64_t> parseBytes(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == 0 || i > 19) return std::nullopt;
    std::uint64_t n = std::stoull(text.substr(0, i));
    std::string suffix = text.substr(i);
    static const std::pair<const char*, std::uint64_t> kSuffixes[] = {
        {"", 1},           {"k", 1000ull},    {"K", 1000ull},       {"M", 1000000ull},
        {"G", 1000000000ull}, {"T", 1000000000000ull}, {"Ki", 1ull << 10}, {"Mi", 1ull << 20},
        {"Gi", 1ull << 30}, {"Ti", 1ull << 40}};
    for (const auto& [s, mult] : kSuffixes) {
      if (suffix == s) return n * mult;
    }
    return std::nullopt;
  }

  static std::optional<std::int64_t> parseDurationMs(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == 0 || i > 15) return std::nullopt;
    std::int64_t n = std::stoll(text.substr(0, i));
    std::string suffix = text.substr(i);
    if (suffix == "ms") return n;
    if (suffix == "" || suffix == "s") return n * 1000;
    if (suffix == "m") return n * 60 * 1000;
    if (suffix == "h") return n * 3600 * 1000;
    return std::nullopt;
  }

 private:
  YAML::Node take(std::string_view key) {
    read_.insert(std::string(key));
    if (!node_.IsMap()) return YAML::Node();
    return node_[std::string(key)];
  }

  template <class T>
  static std::string typeName() {
    if constexpr (std::is_same_v<T, bool>) return "true or false";
    else if constexpr (std::is_integral_v<T>) return "an integer";
    else if constexpr (std::is_floating_point_v<T>) return "a number";
    else if constexpr (std::is_same_v<T, std::string>) return "a string";
    else return "a value of another type";
  }

  static std::string describe(const YAML::Node& v) {
    if (v.IsScalar()) return "\"" + v.Scalar() + "\"";
    if (v.IsSequence()) return "a list";
    if (v.IsMap()) return "a mapping";
    return "nothing";
  }

  YAML::Node node_;
  std::string path_;
  std::set<std::string> read_;
  Status error_;
};

}  // namespace capstan
