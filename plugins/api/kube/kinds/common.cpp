// Shared helpers of the per-kind hooks: field paths, apimachinery's validators with their
// exact messages, Go value rendering, label selectors, quantities, time and cron schedules.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <set>

#include "kinds.h"

namespace capstan::kube::kinds {

// ---------------------------------------------------------------------------------------
// Paths and errors

Path Path::child(std::string_view name) const {
  if (s_.empty()) return Path(std::string(name));
  return Path(s_ + "." + std::string(name));
}

Path Path::index(std::size_t i) const { return Path(s_ + "[" + std::to_string(i) + "]"); }

Path Path::key(std::string_view k) const { return Path(s_ + "[" + std::string(k) + "]"); }

FieldError notFound(std::string field, std::string_view valueGo) {
  return {"FieldValueNotFound", std::move(field), "Not found: " + std::string(valueGo)};
}

// ---------------------------------------------------------------------------------------
// Go rendering

std::string goQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string goBool(bool b) { return b ? "true" : "false"; }

std::string goStringMap(bool present, Entries entries) {
  if (!present) return "map[string]string(nil)";
  KeyValues kv = toKeyValues(entries);
  std::sort(kv.begin(), kv.end());
  std::string out = "map[string]string{";
  for (std::size_t i = 0; i < kv.size(); ++i) {
    if (i) out += ", ";
    out += goQuote(kv[i].first) + ":" + goQuote(kv[i].second);
  }
  return out + "}";
}

std::string goStringSlice(bool present, capnp::List<capnp::Text>::Reader items) {
  if (!present) return "[]string(nil)";
  std::string out = "[]string{";
  for (unsigned i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += goQuote(sv(items[i]));
  }
  return out + "}";
}

std::string goIntOrString(meta::IntOrString::Reader v) {
  if (v.isStrVal())
    return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + goQuote(sv(v.getStrVal())) + "}";
  return "intstr.IntOrString{Type:0, IntVal:" + std::to_string(v.getIntVal()) + ", StrVal:\"\"}";
}

std::string goLabelSelector(meta::LabelSelector::Reader s) {
  std::string out = "v1.LabelSelector{MatchLabels:" + goStringMap(s.hasMatchLabels(), s.getMatchLabels()) +
                    ", MatchExpressions:";
  if (!s.hasMatchExpressions()) {
    out += "[]v1.LabelSelectorRequirement(nil)";
  } else {
    out += "[]v1.LabelSelectorRequirement{";
    auto exprs = s.getMatchExpressions();
    for (unsigned i = 0; i < exprs.size(); ++i) {
      if (i) out += ", ";
      auto e = exprs[i];
      out += "v1.LabelSelectorRequirement{Key:" + goQuote(sv(e.getKey())) + ", Operator:" +
             goQuote(sv(e.getOperator())) + ", Values:" + goStringSlice(e.hasValues(), e.getValues()) + "}";
    }
    out += "}";
  }
  return out + "}";
}

// ---------------------------------------------------------------------------------------
// Validators

namespace {

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool isAlnum(char c) { return isLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }

std::string regexError(std::string msg, std::string_view fmt, std::initializer_list<std::string_view> examples) {
  if (examples.size() == 0) return msg + " (regex used for validation is '" + std::string(fmt) + "')";
  msg += " (e.g. ";
  bool first = true;
  for (auto e : examples) {
    if (!first) msg += " or ";
    first = false;
    msg += "'" + std::string(e) + "', ";
  }
  msg += "regex used for validation is '" + std::string(fmt) + "')";
  return msg;
}

std::string maxLenError(std::size_t n) { return "must be no more than " + std::to_string(n) + " characters"; }

bool matchDNS1123Label(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (!isLowerAlnum(c) && c != '-') return false;
  return isLowerAlnum(v.front()) && isLowerAlnum(v.back());
}

bool matchDNS1123Subdomain(std::string_view v) {
  if (v.empty()) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = v.find('.', start);
    std::string_view part = v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!matchDNS1123Label(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool matchQualifiedNamePart(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  return isAlnum(v.front()) && isAlnum(v.back());
}

constexpr std::string_view kDNS1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr std::string_view kDNS1123SubdomainFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr std::string_view kQualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr std::string_view kQualifiedNameErr =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character";

std::vector<std::string> hasChDirPrefix(std::string_view v) {
  if (v == ".") return {"must not be '.'"};
  if (v == "..") return {"must not be '..'"};
  if (v.substr(0, 2) == "..") return {"must not start with '..'"};
  return {};
}

}  // namespace

std::vector<std::string> isDNS1123Label(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(maxLenError(63));
  if (!matchDNS1123Label(v)) {
    if (matchDNS1123Subdomain(v)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                                "'-', and must start and end with an alphanumeric character",
                                kDNS1123LabelFmt, {"my-name", "123-abc"}));
    }
  }
  return errs;
}

std::vector<std::string> isDNS1123Subdomain(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 253) errs.push_back(maxLenError(253));
  if (!matchDNS1123Subdomain(v))
    errs.push_back(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                              "'-' or '.', and must start and end with an alphanumeric character",
                              kDNS1123SubdomainFmt, {"example.com"}));
  return errs;
}

std::vector<std::string> isDNS1035Label(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(maxLenError(63));
  bool ok = !v.empty() && v.front() >= 'a' && v.front() <= 'z' && isLowerAlnum(v.back());
  for (char c : v)
    if (!isLowerAlnum(c) && c != '-') ok = false;
  if (!ok)
    errs.push_back(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
                              "with an alphabetic character, and end with an alphanumeric character",
                              "[a-z]([-a-z0-9]*[a-z0-9])?", {"my-name", "abc-123"}));
  return errs;
}

std::vector<std::string> isQualifiedName(std::string_view v) {
  std::vector<std::string> errs;
  std::string_view name = v;
  std::size_t slashes = std::count(v.begin(), v.end(), '/');
  if (slashes == 1) {
    std::size_t slash = v.find('/');
    std::string_view prefix = v.substr(0, slash);
    name = v.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (auto& m : isDNS1123Subdomain(prefix)) errs.push_back("prefix part " + m);
    }
  } else if (slashes > 1) {
    errs.push_back("a qualified name " + regexError(std::string(kQualifiedNameErr), kQualifiedNameFmt,
                                                    {"MyName", "my.name", "123-abc"}) +
                   " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    return errs;
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + maxLenError(63));
  }
  if (!matchQualifiedNamePart(name))
    errs.push_back("name part " +
                   regexError(std::string(kQualifiedNameErr), kQualifiedNameFmt, {"MyName", "my.name", "123-abc"}));
  return errs;
}

std::vector<std::string> isValidLabelValue(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 63) errs.push_back(maxLenError(63));
  if (!v.empty() && !matchQualifiedNamePart(v))
    errs.push_back(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', "
                              "'_' or '.', and must start and end with an alphanumeric character",
                              "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", {"MyValue", "my_value", "12345"}));
  return errs;
}

std::vector<std::string> isConfigMapKey(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 253) errs.push_back(maxLenError(253));
  bool ok = !v.empty();
  for (char c : v)
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') ok = false;
  if (!ok)
    errs.push_back(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                              "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  for (auto& m : hasChDirPrefix(v)) errs.push_back(m);
  return errs;
}

std::string inclusiveRangeError(std::int64_t lo, std::int64_t hi) {
  return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", inclusive";
}

std::vector<std::string> isValidPortNum(std::int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {inclusiveRangeError(1, 65535)};
}

std::vector<std::string> isValidPortName(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > 15) errs.push_back(maxLenError(15));
  bool charset = !v.empty();
  bool letter = false;
  for (char c : v) {
    if (!isLowerAlnum(c) && c != '-') charset = false;
    if (c >= 'a' && c <= 'z') letter = true;
  }
  if (!charset) errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!letter) errs.push_back("must contain at least one letter (a-z)");
  if (v.find("--") != std::string_view::npos) errs.push_back("must not contain consecutive hyphens");
  if (!v.empty() && (v.front() == '-' || v.back() == '-')) errs.push_back("must not begin or end with a hyphen");
  return errs;
}

std::vector<std::string> isValidPercent(std::string_view v) {
  bool ok = v.size() >= 2 && v.back() == '%';
  for (std::size_t i = 0; ok && i + 1 < v.size(); ++i)
    if (!isDigit(v[i])) ok = false;
  if (ok) return {};
  return {regexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%",
                     {"1%", "93%"})};
}

std::vector<std::string> isEnvVarName(std::string_view v) {
  // RelaxedEnvironmentVariableValidation (on by default since 1.32).
  std::vector<std::string> errs;
  if (v.empty()) errs.push_back("environment variable name must be non-empty");
  for (unsigned char c : v) {
    if (c > 0x7e || c < 0x20 || c == '=') {
      errs.push_back("a valid environment variable name must consist only of printable ASCII characters other "
                     "than '='");
      break;
    }
  }
  return errs;
}

bool isValidIPv4(std::string_view v) {
  int parts = 0;
  std::size_t i = 0;
  while (i <= v.size()) {
    std::size_t j = v.find('.', i);
    if (j == std::string_view::npos) j = v.size();
    std::string_view p = v.substr(i, j - i);
    if (p.empty() || p.size() > 3) return false;
    if (p.size() > 1 && p[0] == '0') return false;  // Go 1.17+ rejects leading zeros
    int n = 0;
    for (char c : p) {
      if (!isDigit(c)) return false;
      n = n * 10 + (c - '0');
    }
    if (n > 255) return false;
    ++parts;
    i = j + 1;
    if (j == v.size()) break;
  }
  return parts == 4;
}

bool isValidIPv6(std::string_view v) {
  if (v.find(':') == std::string_view::npos) return false;
  std::size_t dbl = v.find("::");
  if (dbl != std::string_view::npos && v.find("::", dbl + 1) != std::string_view::npos) return false;
  int groups = 0;
  bool sawV4 = false;
  std::size_t i = 0;
  std::string_view rest = v;
  if (dbl != std::string_view::npos) {
    // Count groups on both sides.
    std::string_view left = v.substr(0, dbl), right = v.substr(dbl + 2);
    auto count = [&](std::string_view side) -> int {
      if (side.empty()) return 0;
      int n = 0;
      std::size_t k = 0;
      while (true) {
        std::size_t c = side.find(':', k);
        std::string_view g = side.substr(k, c == std::string_view::npos ? std::string_view::npos : c - k);
        if (c == std::string_view::npos && g.find('.') != std::string_view::npos) {
          if (!isValidIPv4(g)) return -100;
          sawV4 = true;
          n += 2;
          return n;
        }
        if (g.empty() || g.size() > 4) return -100;
        for (char ch : g)
          if (!std::isxdigit(static_cast<unsigned char>(ch))) return -100;
        ++n;
        if (c == std::string_view::npos) return n;
        k = c + 1;
      }
    };
    int l = count(left), r = count(right);
    if (l < 0 || r < 0) return false;
    return l + r <= 7;
  }
  (void)i;
  (void)rest;
  std::size_t k = 0;
  while (true) {
    std::size_t c = v.find(':', k);
    std::string_view g = v.substr(k, c == std::string_view::npos ? std::string_view::npos : c - k);
    if (c == std::string_view::npos && g.find('.') != std::string_view::npos) {
      if (!isValidIPv4(g)) return false;
      groups += 2;
      sawV4 = true;
      break;
    }
    if (g.empty() || g.size() > 4) return false;
    for (char ch : g)
      if (!std::isxdigit(static_cast<unsigned char>(ch))) return false;
    ++groups;
    if (c == std::string_view::npos) break;
    k = c + 1;
  }
  (void)sawV4;
  return groups == 8;
}

std::vector<std::string> isValidIP(std::string_view v) {
  if (isValidIPv4(v) || isValidIPv6(v)) return {};
  return {"must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"};
}

void checkDNS1123Label(std::string_view v, const Path& p, Errors& errors) {
  for (auto& m : isDNS1123Label(v)) errors.push_back(invalidValue(p, goQuote(v), m));
}

void checkDNS1123Subdomain(std::string_view v, const Path& p, Errors& errors) {
  for (auto& m : isDNS1123Subdomain(v)) errors.push_back(invalidValue(p, goQuote(v), m));
}

void checkQualifiedName(std::string_view v, const Path& p, Errors& errors) {
  for (auto& m : isQualifiedName(v)) errors.push_back(invalidValue(p, goQuote(v), m));
}

void checkNonNegative(std::int64_t v, const Path& p, Errors& errors) {
  if (v < 0) errors.push_back(invalidValue(p, std::to_string(v), "must be greater than or equal to 0"));
}

void checkImmutable(bool same, const Path& p, std::string_view newValueGo, Errors& errors) {
  if (!same) errors.push_back(invalidValue(p, newValueGo, "field is immutable"));
}

// ---------------------------------------------------------------------------------------
// Maps and selectors

std::optional<std::string_view> lookup(Entries entries, std::string_view key) {
  for (auto e : entries)
    if (sv(e.getKey()) == key) return sv(e.getValue());
  return std::nullopt;
}

std::optional<meta::Quantity::Reader> lookupQuantity(capnp::List<meta::QuantityEntry>::Reader entries,
                                                     std::string_view key) {
  for (auto e : entries)
    if (sv(e.getKey()) == key) return e.getValue();
  return std::nullopt;
}

KeyValues toKeyValues(Entries entries) {
  KeyValues kv;
  kv.reserve(entries.size());
  for (auto e : entries) kv.emplace_back(str(e.getKey()), str(e.getValue()));
  return kv;
}

bool sameEntries(Entries a, Entries b) {
  auto ka = toKeyValues(a), kb = toKeyValues(b);
  std::sort(ka.begin(), ka.end());
  std::sort(kb.begin(), kb.end());
  return ka == kb;
}

void validateLabels(Entries labels, const Path& p, Errors& errors) {
  for (auto e : labels) {
    checkQualifiedName(sv(e.getKey()), p, errors);
    for (auto& m : isValidLabelValue(sv(e.getValue()))) errors.push_back(invalidValue(p, goQuote(sv(e.getValue())), m));
  }
}

void validateLabelSelector(meta::LabelSelector::Reader s, const Path& p, Errors& errors) {
  validateLabels(s.getMatchLabels(), p.child("matchLabels"), errors);
  auto exprs = s.getMatchExpressions();
  for (unsigned i = 0; i < exprs.size(); ++i) {
    auto e = exprs[i];
    Path ep = p.child("matchExpressions").index(i);
    std::string_view op = sv(e.getOperator());
    if (op == "In" || op == "NotIn") {
      if (e.getValues().size() == 0)
        errors.push_back(required(ep.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (e.getValues().size() > 0)
        errors.push_back(forbiddenField(ep.child("values"),
                                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errors.push_back(invalidValue(ep.child("operator"), goQuote(op), "not a valid selector operator"));
    }
    checkQualifiedName(sv(e.getKey()), ep.child("key"), errors);
    auto values = e.getValues();
    for (unsigned j = 0; j < values.size(); ++j)
      for (auto& m : isValidLabelValue(sv(values[j])))
        errors.push_back(invalidValue(ep.child("values").index(j), goQuote(sv(values[j])), m));
  }
}

bool selectorEmpty(meta::LabelSelector::Reader s) {
  return s.getMatchLabels().size() + s.getMatchExpressions().size() == 0;
}

bool selectorMatches(meta::LabelSelector::Reader s, Entries labels) {
  for (auto e : s.getMatchLabels()) {
    auto v = lookup(labels, sv(e.getKey()));
    if (!v || *v != sv(e.getValue())) return false;
  }
  for (auto e : s.getMatchExpressions()) {
    std::string_view op = sv(e.getOperator());
    auto v = lookup(labels, sv(e.getKey()));
    auto in = [&] {
      if (!v) return false;
      for (auto x : e.getValues())
        if (sv(x) == *v) return true;
      return false;
    };
    if (op == "In") {
      if (!in()) return false;
    } else if (op == "NotIn") {
      if (in()) return false;
    } else if (op == "Exists") {
      if (!v) return false;
    } else if (op == "DoesNotExist") {
      if (v) return false;
    } else {
      return false;
    }
  }
  return true;
}

bool sameSelector(bool hasA, meta::LabelSelector::Reader a, bool hasB, meta::LabelSelector::Reader b) {
  if (hasA != hasB) return false;
  if (!hasA) return true;
  if (!sameEntries(a.getMatchLabels(), b.getMatchLabels())) return false;
  auto ea = a.getMatchExpressions(), eb = b.getMatchExpressions();
  if (ea.size() != eb.size() || a.hasMatchLabels() != b.hasMatchLabels()) return false;
  for (unsigned i = 0; i < ea.size(); ++i) {
    if (sv(ea[i].getKey()) != sv(eb[i].getKey()) || sv(ea[i].getOperator()) != sv(eb[i].getOperator())) return false;
    auto va = ea[i].getValues(), vb = eb[i].getValues();
    if (va.size() != vb.size()) return false;
    for (unsigned j = 0; j < va.size(); ++j)
      if (sv(va[j]) != sv(vb[j])) return false;
  }
  return true;
}

std::string selectorString(meta::LabelSelector::Reader s) {
  std::vector<std::pair<std::string, std::string>> reqs;  // key, rendered
  for (auto e : s.getMatchLabels()) reqs.emplace_back(str(e.getKey()), str(e.getKey()) + "=" + str(e.getValue()));
  for (auto e : s.getMatchExpressions()) {
    std::string key = str(e.getKey());
    std::string_view op = sv(e.getOperator());
    std::vector<std::string> values;
    for (auto v : e.getValues()) values.push_back(str(v));
    std::sort(values.begin(), values.end());
    std::string joined;
    for (std::size_t i = 0; i < values.size(); ++i) { joined += i ? "," : ""; joined += values[i]; }
    if (op == "In") {
      reqs.emplace_back(key, key + " in (" + joined + ")");
    } else if (op == "NotIn") {
      reqs.emplace_back(key, key + " notin (" + joined + ")");
    } else if (op == "Exists") {
      reqs.emplace_back(key, key);
    } else if (op == "DoesNotExist") {
      reqs.emplace_back(key, "!" + key);
    }
  }
  std::stable_sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (std::size_t i = 0; i < reqs.size(); ++i) { out += i ? "," : ""; out += reqs[i].second; }
  return out;
}

std::string formatLabelSelector(bool present, meta::LabelSelector::Reader s) {
  if (!present) return "<none>";
  for (auto e : s.getMatchExpressions()) {
    std::string_view op = sv(e.getOperator());
    if (op != "In" && op != "NotIn" && op != "Exists" && op != "DoesNotExist") return "<error>";
  }
  std::string out = selectorString(s);
  return out.empty() ? "<none>" : out;
}

std::string formatLabels(Entries entries) {
  KeyValues kv = toKeyValues(entries);
  std::sort(kv.begin(), kv.end());
  std::string out;
  for (std::size_t i = 0; i < kv.size(); ++i) { out += i ? "," : ""; out += kv[i].first + "=" + kv[i].second; }
  return out.empty() ? "<none>" : out;
}

// ---------------------------------------------------------------------------------------
// Quantities

namespace {
using u128 = unsigned __int128;

bool mulSafe(u128& x, u128 m) {
  if (x != 0 && m > (~u128(0)) / x) return false;
  x *= m;
  return true;
}

u128 pow10u(int n) {
  u128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

std::string u128ToString(u128 v) {
  if (v == 0) return "0";
  std::string s;
  while (v) {
    s += static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

// Folds 2^exp2 into the mantissa; false on overflow.
bool toDecimal(const Quantity& q, u128& mant, int& exp10) {
  mant = q.mantissa;
  exp10 = q.exp10;
  for (int i = 0; i < q.exp2; ++i)
    if (!mulSafe(mant, 2)) return false;
  return true;
}
}  // namespace

Quantity parseQuantity(std::string_view t) {
  Quantity q;
  std::size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    q.negative = t[i] == '-';
    ++i;
  }
  u128 mant = 0;
  int exp10 = 0;
  bool digits = false, dot = false;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (isDigit(c)) {
      digits = true;
      if (mant > (~u128(0)) / 10 - 10) return q;  // absurdly long
      mant = mant * 10 + static_cast<unsigned>(c - '0');
      if (dot) --exp10;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return q;
  std::string_view suffix = t.substr(i);
  int exp2 = 0;
  char format = 'd';
  static const std::pair<std::string_view, int> dec[] = {{"", 0},  {"n", -9}, {"u", -6}, {"m", -3}, {"k", 3},
                                                          {"M", 6}, {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  static const std::pair<std::string_view, int> bin[] = {{"Ki", 10}, {"Mi", 20}, {"Gi", 30},
                                                          {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  bool found = false;
  for (auto& [s, e] : dec)
    if (suffix == s) {
      exp10 += e;
      found = true;
    }
  for (auto& [s, e] : bin)
    if (!found && suffix == s) {
      exp2 = e;
      format = 'b';
      found = true;
    }
  if (!found && !suffix.empty() && (suffix[0] == 'e' || suffix[0] == 'E')) {
    std::string_view num = suffix.substr(1);
    bool neg = false;
    if (!num.empty() && (num[0] == '+' || num[0] == '-')) {
      neg = num[0] == '-';
      num.remove_prefix(1);
    }
    if (num.empty() || num.size() > 4) return q;
    int e = 0;
    for (char c : num) {
      if (!isDigit(c)) return q;
      e = e * 10 + (c - '0');
    }
    exp10 += neg ? -e : e;
    format = 'e';
    found = true;
  }
  if (!found) return q;
  // Normalize the mantissa (strip factors of ten).
  while (mant != 0 && mant % 10 == 0) {
    mant /= 10;
    ++exp10;
  }
  if (mant == 0) {
    exp10 = 0;
    q.negative = false;
  }
  q.valid = true;
  q.mantissa = mant;
  q.exp10 = exp10;
  q.exp2 = exp2;
  q.format = format;
  return q;
}

Quantity quantityOf(meta::Quantity::Reader r) {
  Quantity q = parseQuantity(sv(r.getString()));
  if (q.valid) return q;
  std::int64_t milli = r.getMilli();
  std::int64_t value = r.getValue();
  Quantity f;
  f.valid = true;
  if (milli != 0 || value == 0) {
    f.negative = milli < 0;
    f.mantissa = static_cast<u128>(milli < 0 ? -static_cast<__int128>(milli) : milli);
    f.exp10 = -3;
  } else {
    f.negative = value < 0;
    f.mantissa = static_cast<u128>(value < 0 ? -static_cast<__int128>(value) : value);
  }
  while (f.mantissa != 0 && f.mantissa % 10 == 0) {
    f.mantissa /= 10;
    ++f.exp10;
  }
  if (f.mantissa == 0) f.exp10 = 0;
  return f;
}

bool quantityIsZero(const Quantity& q) { return q.mantissa == 0; }

int compareQuantity(const Quantity& a, const Quantity& b) {
  u128 ma, mb;
  int ea, eb;
  bool okA = toDecimal(a, ma, ea), okB = toDecimal(b, mb, eb);
  int sa = ma == 0 ? 0 : (a.negative ? -1 : 1);
  int sb = mb == 0 ? 0 : (b.negative ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int mag;
  if (okA && okB) {
    int e = std::min(ea, eb);
    bool fa = true, fb = true;
    for (int i = ea; i > e && fa; --i) fa = mulSafe(ma, 10);
    for (int i = eb; i > e && fb; --i) fb = mulSafe(mb, 10);
    if (fa && fb) {
      mag = ma == mb ? 0 : (ma < mb ? -1 : 1);
    } else {
      mag = !fa && fb ? 1 : (fa && !fb ? -1 : 0);
    }
  } else {
    long double da = static_cast<long double>(a.mantissa), db = static_cast<long double>(b.mantissa);
    for (int i = 0; i < a.exp2; ++i) da *= 2;
    for (int i = 0; i < b.exp2; ++i) db *= 2;
    for (int i = 0; i < std::abs(a.exp10); ++i) da = a.exp10 > 0 ? da * 10 : da / 10;
    for (int i = 0; i < std::abs(b.exp10); ++i) db = b.exp10 > 0 ? db * 10 : db / 10;
    mag = da == db ? 0 : (da < db ? -1 : 1);
  }
  return sa > 0 ? mag : -mag;
}

std::string quantityString(const Quantity& q) {
  if (!q.valid) return "0";
  u128 mant;
  int exp10;
  if (!toDecimal(q, mant, exp10)) return "<overflow>";
  if (mant == 0) return "0";
  std::string sign = q.negative ? "-" : "";
  char format = q.format;
  if (format == 'b') {
    // |q| < 1024, or not a whole number: shown as DecimalSI.
    bool whole = exp10 >= 0;
    if (!whole) {
      u128 div = pow10u(-exp10);
      whole = mant % div == 0;
    }
    u128 whole_value = 0;
    bool small = false;
    if (whole) {
      whole_value = mant;
      if (exp10 < 0) {
        whole_value /= pow10u(-exp10);
      } else {
        for (int i = 0; i < exp10; ++i)
          if (!mulSafe(whole_value, 10)) return "<overflow>";
      }
      small = whole_value < 1024;
    }
    if (!whole || small) {
      format = 'd';
    } else {
      int e = 0;
      while (e < 60 && whole_value % 1024 == 0) {
        whole_value /= 1024;
        e += 10;
      }
      static const char* suffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
      return sign + u128ToString(whole_value) + suffixes[e / 10];
    }
  }
  // Decimal: strip factors of ten, then bring the exponent down to a multiple of three.
  while (mant % 10 == 0) {
    mant /= 10;
    ++exp10;
  }
  int r = ((exp10 % 3) + 3) % 3;
  for (int i = 0; i < r; ++i) {
    mant *= 10;
    --exp10;
  }
  std::string number = u128ToString(mant);
  if (format == 'e') return sign + number + (exp10 == 0 ? "" : "e" + std::to_string(exp10));
  switch (exp10) {
    case 0: return sign + number;
    case -9: return sign + number + "n";
    case -6: return sign + number + "u";
    case -3: return sign + number + "m";
    case 3: return sign + number + "k";
    case 6: return sign + number + "M";
    case 9: return sign + number + "G";
    case 12: return sign + number + "T";
    case 15: return sign + number + "P";
    case 18: return sign + number + "E";
    default: return sign + number + "e" + std::to_string(exp10);
  }
}

std::optional<std::int64_t> quantityMilli(const Quantity& q) {
  u128 mant;
  int exp10;
  if (!toDecimal(q, mant, exp10)) return std::nullopt;
  exp10 += 3;
  if (exp10 >= 0) {
    for (int i = 0; i < exp10; ++i)
      if (!mulSafe(mant, 10)) return std::nullopt;
  } else {
    u128 div = pow10u(-exp10);
    u128 rounded = mant / div + (mant % div ? 1 : 0);
    mant = rounded;
  }
  if (mant > static_cast<u128>(INT64_MAX)) return std::nullopt;
  std::int64_t m = static_cast<std::int64_t>(mant);
  return q.negative ? -m : m;
}

void copyQuantity(meta::Quantity::Reader from, meta::Quantity::Builder to) {
  to.setString(from.getString());
  to.setValue(from.getValue());
  to.setMilli(from.getMilli());
}

// ---------------------------------------------------------------------------------------
// Time

namespace {
std::int64_t systemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t daysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
}  // namespace

std::int64_t (*nowSeconds)() = systemNow;

std::optional<std::int64_t> parseTime(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)
  if (t.size() < 20) return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) -> std::optional<int> {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (!isDigit(t[i])) return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto Y = num(0, 4), M = num(5, 2), D = num(8, 2), h = num(11, 2), m = num(14, 2), s = num(17, 2);
  if (!Y || !M || !D || !h || !m || !s || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') ||
      t[13] != ':' || t[16] != ':')
    return std::nullopt;
  std::size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    while (i < t.size() && isDigit(t[i])) ++i;
  }
  std::int64_t offset = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i + 6 <= t.size() && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':') {
    auto oh = num(i + 1, 2), om = num(i + 4, 2);
    if (!oh || !om) return std::nullopt;
    offset = (*oh * 3600 + *om * 60) * (t[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (i != t.size()) return std::nullopt;
  std::int64_t days = daysFromCivil(*Y, static_cast<unsigned>(*M), static_cast<unsigned>(*D));
  return days * 86400 + *h * 3600 + *m * 60 + *s - offset;
}

std::string humanDuration(std::int64_t seconds) {
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  std::int64_t minutes = seconds / 60;
  if (minutes < 10) {
    std::int64_t s = seconds % 60;
    if (s == 0) return std::to_string(minutes) + "m";
    return std::to_string(minutes) + "m" + std::to_string(s) + "s";
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  std::int64_t hours = seconds / 3600;
  if (hours < 8) {
    std::int64_t m = minutes % 60;
    if (m == 0) return std::to_string(hours) + "h";
    return std::to_string(hours) + "h" + std::to_string(m) + "m";
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    std::int64_t h = hours % 24;
    if (h == 0) return std::to_string(hours / 24) + "d";
    return std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    std::int64_t dy = (hours / 24) % 365;
    if (dy == 0) return std::to_string(hours / 24 / 365) + "y";
    return std::to_string(hours / 24 / 365) + "y" + std::to_string(dy) + "d";
  }
  return std::to_string(hours / 24 / 365) + "y";
}

std::string since(std::string_view rfc3339) {
  auto t = parseTime(rfc3339);
  if (!t) return "<unknown>";
  return humanDuration(nowSeconds() - *t);
}

// ---------------------------------------------------------------------------------------
// Cron schedules (github.com/robfig/cron/v3 ParseStandard)

namespace {
struct Bounds {
  unsigned min, max;
  std::vector<std::pair<std::string_view, unsigned>> names;
};

std::string goFields(const std::vector<std::string>& fields) {
  std::string out = "[";
  for (std::size_t i = 0; i < fields.size(); ++i) { out += i ? " " : ""; out += fields[i]; }
  return out + "]";
}

std::optional<std::string> parseUint(const std::string& expr, unsigned& out) {
  // strconv.Atoi
  std::size_t i = 0;
  bool neg = false;
  if (!expr.empty() && (expr[0] == '+' || expr[0] == '-')) {
    neg = expr[0] == '-';
    i = 1;
  }
  if (i >= expr.size()) return "failed to parse int from " + expr + ": strconv.Atoi: parsing " + goQuote(expr) +
                               ": invalid syntax";
  long long v = 0;
  for (; i < expr.size(); ++i) {
    if (!isDigit(expr[i]))
      return "failed to parse int from " + expr + ": strconv.Atoi: parsing " + goQuote(expr) + ": invalid syntax";
    v = v * 10 + (expr[i] - '0');
    if (v > 1000000000LL)
      return "failed to parse int from " + expr + ": strconv.Atoi: parsing " + goQuote(expr) +
             ": value out of range";
  }
  if (neg && v != 0) return "negative number (-" + std::to_string(v) + ") not allowed: " + expr;
  out = static_cast<unsigned>(v);
  return std::nullopt;
}

std::optional<std::string> parseIntOrName(const std::string& expr, const Bounds& b, unsigned& out) {
  std::string lower;
  for (char c : expr) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto& [n, v] : b.names)
    if (lower == n) {
      out = v;
      return std::nullopt;
    }
  return parseUint(expr, out);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

std::optional<std::string> checkRange(const std::string& expr, const Bounds& r) {
  auto rangeAndStep = split(expr, '/');
  auto lowAndHigh = split(rangeAndStep[0], '-');
  bool single = lowAndHigh.size() == 1;
  unsigned start = 0, end = 0, step = 1;
  if (lowAndHigh[0] == "*" || lowAndHigh[0] == "?") {
    start = r.min;
    end = r.max;
  } else {
    if (auto e = parseIntOrName(lowAndHigh[0], r, start)) return e;
    if (lowAndHigh.size() == 1) {
      end = start;
    } else if (lowAndHigh.size() == 2) {
      if (auto e = parseIntOrName(lowAndHigh[1], r, end)) return e;
    } else {
      return "too many hyphens: " + expr;
    }
  }
  if (rangeAndStep.size() == 2) {
    if (auto e = parseUint(rangeAndStep[1], step)) return e;
    if (single) end = r.max;
  } else if (rangeAndStep.size() > 2) {
    return "too many slashes: " + expr;
  }
  if (start < r.min)
    return "beginning of range (" + std::to_string(start) + ") below minimum (" + std::to_string(r.min) + "): " + expr;
  if (end > r.max)
    return "end of range (" + std::to_string(end) + ") above maximum (" + std::to_string(r.max) + "): " + expr;
  if (start > end)
    return "beginning of range (" + std::to_string(start) + ") beyond end of range (" + std::to_string(end) +
           "): " + expr;
  if (step == 0) return "step of range should be a positive number: " + expr;
  return std::nullopt;
}

bool validGoDuration(std::string_view d) {
  if (d.empty()) return false;
  std::size_t i = 0;
  if (d[0] == '+' || d[0] == '-') ++i;
  if (d.substr(i) == "0") return true;
  if (i >= d.size()) return false;
  while (i < d.size()) {
    bool digits = false;
    while (i < d.size() && (isDigit(d[i]) || d[i] == '.')) {
      digits = digits || isDigit(d[i]);
      ++i;
    }
    if (!digits) return false;
    std::size_t u = i;
    while (i < d.size() && !isDigit(d[i]) && d[i] != '.') ++i;
    std::string_view unit = d.substr(u, i - u);
    if (unit != "ns" && unit != "us" && unit != "\xC2\xB5s" && unit != "ms" && unit != "s" && unit != "m" &&
        unit != "h")
      return false;
  }
  return true;
}
}  // namespace

std::optional<std::string> cronError(std::string_view specView) {
  std::string spec(specView);
  if (spec.empty()) return "empty spec string";
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    std::size_t sp = spec.find(' ');
    if (sp == std::string::npos) return "provided bad location " + spec.substr(spec.find('=') + 1) + ": missing";
    spec = spec.substr(sp + 1);
    while (!spec.empty() && spec.front() == ' ') spec.erase(0, 1);
  }
  if (!spec.empty() && spec[0] == '@') {
    static const std::set<std::string> known = {"@yearly", "@annually", "@monthly", "@weekly",
                                                "@daily",  "@midnight", "@hourly"};
    if (known.count(spec)) return std::nullopt;
    if (spec.rfind("@every ", 0) == 0) {
      std::string d = spec.substr(7);
      if (!validGoDuration(d)) return "failed to parse duration " + spec + ": time: invalid duration " + goQuote(d);
      return std::nullopt;
    }
    return "unrecognized descriptor: " + spec;
  }
  std::vector<std::string> fields;
  {
    std::string cur;
    for (char c : spec) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
        if (!cur.empty()) fields.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) fields.push_back(cur);
  }
  if (fields.size() != 5)
    return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + goFields(fields);
  static const Bounds bounds[5] = {
      {0, 59, {}},
      {0, 23, {}},
      {1, 31, {}},
      {1, 12, {{"jan", 1}, {"feb", 2}, {"mar", 3}, {"apr", 4}, {"may", 5}, {"jun", 6},
               {"jul", 7}, {"aug", 8}, {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}}},
      {0, 6, {{"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4}, {"fri", 5}, {"sat", 6}}},
  };
  for (int f = 0; f < 5; ++f) {
    for (auto& expr : split(fields[f], ',')) {
      if (expr.empty()) continue;  // strings.FieldsFunc drops empty pieces
      if (auto e = checkRange(expr, bounds[f])) return e;
    }
  }
  return std::nullopt;
}

std::string randomUuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uint64_t a = rng(), b = rng();
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xffff),
                static_cast<unsigned>(b >> 48), static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

}  // namespace capstan::kube::kinds
