// JSON document tree, parser and writer. The hot paths (string scanning, escaping,
// number conversion) work on raw char pointers with lookup tables and std::from_chars /
// std::to_chars, because the API server pushes tens of MB/s through them.

#include "capstan/json.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <numeric>

namespace capstan::json {

// ---------------------------------------------------------------------------------------
// Value

const Value* Value::find(std::string_view key) const {
  for (const auto& m : members_)
    if (m.first == key) return &m.second;
  return nullptr;
}

Value* Value::find(std::string_view key) {
  for (auto& m : members_)
    if (m.first == key) return &m.second;
  return nullptr;
}

Value& Value::set(std::string_view key, Value v) {
  if (Value* existing = find(key)) {
    *existing = std::move(v);
    return *existing;
  }
  members_.emplace_back(std::string(key), std::move(v));
  return members_.back().second;
}

bool Value::erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->first == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

const Value& Value::operator[](std::string_view key) const {
  static const Value kNull;
  const Value* v = find(key);
  return v ? *v : kNull;
}

bool Value::operator==(const Value& other) const {
  if (isNumber() && other.isNumber()) {
    if (type_ == Type::kInt && other.type_ == Type::kInt) return int_ == other.int_;
    return asDouble() == other.asDouble();
  }
  if (type_ != other.type_) return false;
  switch (type_) {
    case Type::kNull: return true;
    case Type::kBool: return bool_ == other.bool_;
    case Type::kString: return string_ == other.string_;
    case Type::kArray: return items_ == other.items_;
    case Type::kObject: {
      // Member order carries no meaning in JSON, so compare as maps; the same-position
      // check keeps the usual case (same order) linear.
      if (members_.size() != other.members_.size()) return false;
      for (std::size_t i = 0; i < members_.size(); ++i) {
        const Member& m = members_[i];
        const Value* o = other.members_[i].first == m.first ? &other.members_[i].second
                                                             : other.find(m.first);
        if (!o || !(m.second == *o)) return false;
      }
      return true;
    }
    default: return false;  // numbers handled above
  }
}

// ---------------------------------------------------------------------------------------
// UTF-8

namespace {

// Decodes one UTF-8 sequence as Go's utf8.DecodeRune does: on any malformation (bad lead,
// truncated, overlong, surrogate, > U+10FFFF) returns -1 and consumes exactly one byte, so
// callers replace byte-by-byte like Go.
inline std::int32_t decodeUtf8(const unsigned char* p, const unsigned char* end, int* width) {
  unsigned char c0 = p[0];
  *width = 1;
  if (c0 < 0x80) return c0;
  std::size_t avail = static_cast<std::size_t>(end - p);
  if (c0 < 0xC2) return -1;
  if (c0 < 0xE0) {
    if (avail < 2 || (p[1] & 0xC0) != 0x80) return -1;
    *width = 2;
    return ((c0 & 0x1F) << 6) | (p[1] & 0x3F);
  }
  if (c0 < 0xF0) {
    if (avail < 3) return -1;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c0 == 0xE0) lo = 0xA0;
    else if (c0 == 0xED) hi = 0x9F;  // no UTF-16 surrogates
    if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80) return -1;
    *width = 3;
    return ((c0 & 0x0F) << 12) | ((p[1] & 0x3F) << 6) | (p[2] & 0x3F);
  }
  if (c0 < 0xF5) {
    if (avail < 4) return -1;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c0 == 0xF0) lo = 0x90;
    else if (c0 == 0xF4) hi = 0x8F;
    if (p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80) return -1;
    *width = 4;
    return ((c0 & 0x07) << 18) | ((p[1] & 0x3F) << 12) | ((p[2] & 0x3F) << 6) | (p[3] & 0x3F);
  }
  return -1;
}

inline void appendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    char b[2] = {static_cast<char>(0xC0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 2);
  } else if (cp < 0x10000) {
    char b[3] = {static_cast<char>(0xE0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
                 static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 3);
  } else {
    char b[4] = {static_cast<char>(0xF0 | (cp >> 18)), static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
                 static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), static_cast<char>(0x80 | (cp & 0x3F))};
    out.append(b, 4);
  }
}

constexpr std::string_view kReplacementUtf8 = "\xEF\xBF\xBD";

// ---------------------------------------------------------------------------------------
// Parser

// Bytes a string body can copy verbatim: not '"', '\\', a control character, or non-ASCII
// (which needs UTF-8 validation).
constexpr std::array<bool, 256> makePlainStringTable() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = true;
  t['"'] = false;
  t['\\'] = false;
  return t;
}
constexpr std::array<bool, 256> kPlainInString = makePlainStringTable();

inline int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string describeChar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) {
    if (c == '\'') return "'\\''";
    return std::string("'") + c + "'";
  }
  static const char* kHex = "0123456789abcdef";
  std::string s = "byte 0x";
  s += kHex[u >> 4];
  s += kHex[u & 0xF];
  return s;
}

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), options_(options) {}

  Result<Value> run() {
    Value root;
    skipSpace();
    if (!parseValue(root, 0)) return error();
    skipSpace();
    if (p_ != end_) {
      fail(p_, "unexpected " + describeChar(*p_) + " after top-level value");
      return error();
    }
    return root;
  }

 private:
  Status error() const {
    // Line and column are computed only on failure, so the fast path never counts newlines.
    std::size_t line = 1, column = 1;
    for (const char* q = begin_; q < errorAt_; ++q) {
      if (*q == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    return Status::invalidArgument("line " + std::to_string(line) + ", column " +
                                   std::to_string(column) + ": " + errorWhat_);
  }

  bool fail(const char* at, std::string what) {
    errorAt_ = at;
    errorWhat_ = std::move(what);
    return false;
  }

  bool failUnexpected(const char* expected) {
    if (p_ == end_) return fail(p_, std::string("unexpected end of input, expected ") + expected);
    return fail(p_, std::string("expected ") + expected + ", got " + describeChar(*p_));
  }

  void skipSpace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) >= word.size() &&
        std::memcmp(p_, word.data(), word.size()) == 0) {
      p_ += word.size();
      return true;
    }
    return fail(p_, "invalid literal, expected " + std::string(word));
  }

  bool parseValue(Value& out, std::size_t depth) {
    if (p_ == end_) return fail(p_, "unexpected end of input, expected a value");
    switch (*p_) {
      case '{': return parseObject(out, depth + 1);
      case '[': return parseArray(out, depth + 1);
      case '"':
        out = Value(std::string());
        return parseString(out.asString());
      case 't':
        if (!literal("true")) return false;
        out = Value(true);
        return true;
      case 'f':
        if (!literal("false")) return false;
        out = Value(false);
        return true;
      case 'n':
        if (!literal("null")) return false;
        out = Value();
        return true;
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return parseNumber(out);
        return fail(p_, "expected a value, got " + describeChar(*p_));
    }
  }

  bool enter(std::size_t depth) {
    if (depth > options_.maxDepth)
      return fail(p_, "exceeded maximum nesting depth of " + std::to_string(options_.maxDepth));
    return true;
  }

  bool parseObject(Value& out, std::size_t depth) {
    if (!enter(depth)) return false;
    ++p_;  // '{'
    out = Value::object();
    auto& members = out.members();
    skipSpace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      if (p_ == end_ || *p_ != '"') return failUnexpected("'\"' to start an object key");
      members.emplace_back();
      if (!parseString(members.back().first)) return false;
      skipSpace();
      if (p_ == end_ || *p_ != ':') return failUnexpected("':' after object key");
      ++p_;
      skipSpace();
      if (!parseValue(members.back().second, depth)) return false;
      skipSpace();
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        skipSpace();
        continue;
      }
      if (p_ < end_ && *p_ == '}') {
        ++p_;
        break;
      }
      return failUnexpected("',' or '}'");
    }
    dedupe(members);
    return true;
  }

  // Keys must be unique in a Value; like Go's decoder the last duplicate wins, kept at the
  // position of the first (as set() would).
  static void dedupe(std::vector<Member>& members) {
    const std::size_t n = members.size();
    if (n < 2) return;
    bool dup = false;
    if (n <= 16) {
      for (std::size_t i = 1; i < n && !dup; ++i)
        for (std::size_t j = 0; j < i; ++j)
          if (members[i].first == members[j].first) {
            dup = true;
            break;
          }
    } else {
      std::vector<std::uint32_t> idx(n);
      std::iota(idx.begin(), idx.end(), 0u);
      std::sort(idx.begin(), idx.end(),
                [&](std::uint32_t a, std::uint32_t b) { return members[a].first < members[b].first; });
      for (std::size_t i = 1; i < n; ++i)
        if (members[idx[i]].first == members[idx[i - 1]].first) {
          dup = true;
          break;
        }
    }
    if (!dup) return;
    Value rebuilt = Value::object();
    for (auto& m : members) rebuilt.set(m.first, std::move(m.second));
    members = std::move(rebuilt.members());
  }

  bool parseArray(Value& out, std::size_t depth) {
    if (!enter(depth)) return false;
    ++p_;  // '['
    out = Value::array();
    auto& items = out.items();
    skipSpace();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    for (;;) {
      items.emplace_back();
      if (!parseValue(items.back(), depth)) return false;
      skipSpace();
      if (p_ < end_ && *p_ == ',') {
        ++p_;
        skipSpace();
        continue;
      }
      if (p_ < end_ && *p_ == ']') {
        ++p_;
        return true;
      }
      return failUnexpected("',' or ']'");
    }
  }

  bool parseHex4(const char* at, std::uint32_t* out) {
    if (end_ - at < 4) return fail(at, "truncated \\u escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      int h = hexValue(at[i]);
      if (h < 0) return fail(at + i, "invalid hex digit " + describeChar(at[i]) + " in \\u escape");
      v = (v << 4) | static_cast<std::uint32_t>(h);
    }
    *out = v;
    return true;
  }

  bool parseString(std::string& out) {
    const char* open = p_;
    ++p_;  // '"'
    for (;;) {
      const char* run = p_;
      while (p_ < end_ && kPlainInString[static_cast<unsigned char>(*p_)]) ++p_;
      out.append(run, static_cast<std::size_t>(p_ - run));
      if (p_ == end_) return fail(open, "unterminated string");
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c == '\\') {
        if (!parseEscape(out)) return false;
        continue;
      }
      if (c < 0x20) return fail(p_, "invalid control character " + describeChar(*p_) + " in string");
      // Non-ASCII: keep valid UTF-8 as is; replace each invalid byte with U+FFFD like Go.
      int width;
      auto u = reinterpret_cast<const unsigned char*>(p_);
      if (decodeUtf8(u, reinterpret_cast<const unsigned char*>(end_), &width) < 0) {
        out.append(kReplacementUtf8);
        ++p_;
      } else {
        out.append(p_, static_cast<std::size_t>(width));
        p_ += width;
      }
    }
  }

  bool parseEscape(std::string& out) {
    const char* at = p_;
    ++p_;  // '\\'
    if (p_ == end_) return fail(at, "unterminated string");
    char e = *p_++;
    switch (e) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return fail(at, "invalid escape \\" + std::string(1, e) + " in string");
    }
    std::uint32_t cp;
    if (!parseHex4(p_, &cp)) return false;
    p_ += 4;
    if (cp >= 0xD800 && cp < 0xDC00) {
      // A high surrogate pairs only with an immediately following \uDC00-\uDFFF; otherwise
      // it is unpaired and becomes U+FFFD (as in Go), and the next escape stands alone.
      std::uint32_t lo;
      if (end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
        if (!parseHex4(p_ + 2, &lo)) return false;
        if (lo >= 0xDC00 && lo < 0xE000) {
          p_ += 6;
          appendUtf8(out, 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00));
          return true;
        }
      }
      out.append(kReplacementUtf8);
      return true;
    }
    if (cp >= 0xDC00 && cp < 0xE000) {
      out.append(kReplacementUtf8);
      return true;
    }
    appendUtf8(out, cp);
    return true;
  }

  bool parseNumber(Value& out) {
    const char* start = p_;
    const char* q = p_;
    if (*q == '-') ++q;
    if (q == end_ || *q < '0' || *q > '9') return fail(q, "invalid number: expected a digit");
    if (*q == '0') {
      ++q;
      if (q < end_ && *q >= '0' && *q <= '9') return fail(q, "invalid number: leading zero");
    } else {
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
    }
    bool integral = true;
    if (q < end_ && *q == '.') {
      integral = false;
      ++q;
      if (q == end_ || *q < '0' || *q > '9') return fail(q, "invalid number: expected a digit after '.'");
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
    }
    if (q < end_ && (*q == 'e' || *q == 'E')) {
      integral = false;
      ++q;
      if (q < end_ && (*q == '+' || *q == '-')) ++q;
      if (q == end_ || *q < '0' || *q > '9') return fail(q, "invalid number: expected a digit in exponent");
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
    }
    p_ = q;
    if (integral) {
      std::int64_t i;
      auto r = std::from_chars(start, q, i);
      if (r.ec == std::errc() && r.ptr == q) {
        out = Value(i);
        return true;
      }
      // Too large for int64: falls through to double, as the header promises.
    }
    double d;
    auto r = std::from_chars(start, q, d);
    if (r.ec == std::errc::result_out_of_range) {
      if (overflows(start, q)) return fail(start, "number " + std::string(start, q) + " out of range");
      d = *start == '-' ? -0.0 : 0.0;  // underflow rounds to zero, as strconv does
    } else if (r.ec != std::errc() || r.ptr != q) {
      return fail(start, "invalid number");
    }
    out = Value(d);
    return true;
  }

  // from_chars reports both overflow and underflow as out of range; tell them apart by the
  // decimal exponent of the first significant digit.
  static bool overflows(const char* s, const char* e) {
    const char* q = s;
    if (*q == '-') ++q;
    long intDigits = 0;
    long leadingFracZeros = 0;
    bool significant = false;
    for (; q < e && *q >= '0' && *q <= '9'; ++q) {
      if (*q != '0') significant = true;
      if (significant) ++intDigits;
    }
    if (q < e && *q == '.') {
      for (++q; q < e && *q >= '0' && *q <= '9'; ++q) {
        if (!significant) {
          if (*q == '0') ++leadingFracZeros;
          else significant = true;
        }
      }
    }
    if (!significant) return false;
    long exp = 0;
    if (q < e && (*q == 'e' || *q == 'E')) {
      ++q;
      bool neg = false;
      if (*q == '+' || *q == '-') neg = *q++ == '-';
      for (; q < e; ++q) {
        exp = exp * 10 + (*q - '0');
        if (exp > 100000000) break;
      }
      if (neg) exp = -exp;
    }
    long magnitude = (intDigits > 0 ? intDigits : -leadingFracZeros) + exp;
    return magnitude > 0;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const ParseOptions& options_;
  const char* errorAt_ = nullptr;
  std::string errorWhat_;
};

// ---------------------------------------------------------------------------------------
// Escaping

// Bytes a quoted string copies verbatim: printable ASCII other than '"' and '\\' (DEL is
// safe in Go too). Non-ASCII goes through UTF-8 validation.
constexpr std::array<bool, 256> makeSafeTable() {
  std::array<bool, 256> t{};
  for (int c = 0x20; c < 0x80; ++c) t[c] = true;
  t['"'] = false;
  t['\\'] = false;
  return t;
}
constexpr std::array<bool, 256> kSafe = makeSafeTable();

void appendQuoted(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  auto p = reinterpret_cast<const unsigned char*>(s.data());
  auto end = p + s.size();
  while (p < end) {
    auto run = p;
    while (p < end && kSafe[*p]) ++p;
    if (p != run) out.append(reinterpret_cast<const char*>(run), static_cast<std::size_t>(p - run));
    if (p == end) break;
    unsigned char c = *p;
    if (c < 0x80) {
      switch (c) {
        case '"': out.append("\\\"", 2); break;
        case '\\': out.append("\\\\", 2); break;
        case '\n': out.append("\\n", 2); break;
        case '\r': out.append("\\r", 2); break;
        case '\t': out.append("\\t", 2); break;
        default: {
          char b[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
          out.append(b, 6);
        }
      }
      ++p;
      continue;
    }
    int width;
    std::int32_t cp = decodeUtf8(p, end, &width);
    if (cp < 0) {
      out.append("\\ufffd", 6);
    } else if (cp == 0x2028 || cp == 0x2029) {
      // Valid JSON, but not valid JavaScript string text; Go escapes them.
      out.append(cp == 0x2028 ? "\\u2028" : "\\u2029", 6);
    } else {
      out.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(width));
    }
    p += width;
  }
  out += '"';
}

void appendDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {
    // JSON has no NaN or infinities; null is the least surprising stand-in for a writer
    // that cannot fail.
    out.append("null", 4);
    return;
  }
  // Go's encoding/json: fixed notation for 1e-6 <= |d| < 1e21, exponent otherwise, both
  // with the shortest digits that round-trip; exponents lose a leading zero ("1e-07" -> "1e-7").
  char buf[64];
  double a = std::fabs(d);
  bool exponent = a != 0 && (a < 1e-6 || a >= 1e21);
  auto r = std::to_chars(buf, buf + sizeof buf, d,
                         exponent ? std::chars_format::scientific : std::chars_format::fixed);
  std::size_t n = static_cast<std::size_t>(r.ptr - buf);
  if (exponent && n >= 4 && buf[n - 4] == 'e' && buf[n - 3] == '-' && buf[n - 2] == '0') {
    buf[n - 2] = buf[n - 1];
    --n;
  }
  out.append(buf, n);
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Public functions

Result<Value> parse(std::string_view text, const ParseOptions& options) {
  return Parser(text, options).run();
}

std::string quote(std::string_view s) {
  std::string out;
  appendQuoted(out, s);
  return out;
}

std::string serialize(const Value& v, bool pretty) {
  std::string out;
  Writer w(out, pretty);
  w.value(v);
  return out;
}

Result<std::vector<std::string>> parsePointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer[0] != '/')
    return Status::invalidArgument("invalid JSON pointer \"" + std::string(pointer) +
                                   "\": must be empty or start with '/'");
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    char c = pointer[i];
    if (c == '~') {
      char next = i + 1 < pointer.size() ? pointer[i + 1] : '\0';
      if (next == '0') token += '~';
      else if (next == '1') token += '/';
      else
        return Status::invalidArgument("invalid JSON pointer \"" + std::string(pointer) +
                                       "\": '~' must be followed by '0' or '1'");
      ++i;
      continue;
    }
    token += c;
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------
// Writer

void Writer::separate() {
  if (afterKey_) {
    afterKey_ = false;
    return;
  }
  if (first_.empty()) return;
  if (!first_.back()) out_ += ',';
  first_.back() = false;
  if (pretty_) {
    out_ += '\n';
    out_.append(first_.size() * 2, ' ');
  }
}

void Writer::beginObject() {
  separate();
  out_ += '{';
  first_.push_back(true);
}

void Writer::endObject() {
  bool empty = first_.empty() || first_.back();
  if (!first_.empty()) first_.pop_back();
  if (pretty_ && !empty) {
    out_ += '\n';
    out_.append(first_.size() * 2, ' ');
  }
  out_ += '}';
}

void Writer::beginArray() {
  separate();
  out_ += '[';
  first_.push_back(true);
}

void Writer::endArray() {
  bool empty = first_.empty() || first_.back();
  if (!first_.empty()) first_.pop_back();
  if (pretty_ && !empty) {
    out_ += '\n';
    out_.append(first_.size() * 2, ' ');
  }
  out_ += ']';
}

void Writer::key(std::string_view k) {
  separate();
  appendQuoted(out_, k);
  if (pretty_) out_.append(": ", 2);
  else out_ += ':';
  afterKey_ = true;
}

void Writer::string(std::string_view s) {
  separate();
  appendQuoted(out_, s);
}

void Writer::integer(std::int64_t i) {
  separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, i);
  out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

void Writer::number(double d) {
  separate();
  appendDouble(out_, d);
}

void Writer::boolean(bool b) {
  separate();
  if (b) out_.append("true", 4);
  else out_.append("false", 5);
}

void Writer::null() {
  separate();
  out_.append("null", 4);
}

void Writer::raw(std::string_view json) {
  separate();
  out_.append(json);
}

void Writer::value(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull: null(); break;
    case Value::Type::kBool: boolean(v.asBool()); break;
    case Value::Type::kInt: integer(v.asInt()); break;
    case Value::Type::kDouble: number(v.asDouble()); break;
    case Value::Type::kString: string(v.asString()); break;
    case Value::Type::kArray:
      beginArray();
      for (const auto& item : v.items()) value(item);
      endArray();
      break;
    case Value::Type::kObject:
      beginObject();
      for (const auto& [k, m] : v.members()) {
        key(k);
        value(m);
      }
      endObject();
      break;
  }
}

}  // namespace capstan::json
