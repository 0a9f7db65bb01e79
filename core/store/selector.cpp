#include "selector.h"

#include <algorithm>
#include <charconv>

namespace capstan::store {
namespace {

// Tokens of Kubernetes' label selector grammar (k8s.io/apimachinery/pkg/labels/selector.go).
enum class Token : std::uint8_t {
  kEnd,
  kIdentifier,
  kComma,
  kOpenParen,
  kCloseParen,
  kNot,          // "!"
  kEquals,       // "="
  kDoubleEquals, // "=="
  kNotEquals,    // "!="
  kIn,           // "in"
  kNotIn,        // "notin"
  kGreater,      // ">"
  kLess,         // "<"
};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

bool isSpecial(char c) {
  return c == '!' || c == '=' || c == '>' || c == '<' || c == '(' || c == ')' || c == ',';
}

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

struct Lexeme {
  Token token = Token::kEnd;
  std::string_view text;
  std::size_t column = 0;  // 1-based
};

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  Lexeme next() {
    while (pos_ < input_.size() && isSpace(input_[pos_])) ++pos_;
    Lexeme l;
    l.column = pos_ + 1;
    if (pos_ >= input_.size()) {
      l.token = Token::kEnd;
      return l;
    }
    const std::size_t start = pos_;
    const char c = input_[pos_];
    if (isSpecial(c)) {
      ++pos_;
      const bool equalsFollows = pos_ < input_.size() && input_[pos_] == '=';
      switch (c) {
        case ',': l.token = Token::kComma; break;
        case '(': l.token = Token::kOpenParen; break;
        case ')': l.token = Token::kCloseParen; break;
        case '>': l.token = Token::kGreater; break;
        case '<': l.token = Token::kLess; break;
        case '!':
          l.token = equalsFollows ? Token::kNotEquals : Token::kNot;
          if (equalsFollows) ++pos_;
          break;
        default:  // '='
          l.token = equalsFollows ? Token::kDoubleEquals : Token::kEquals;
          if (equalsFollows) ++pos_;
          break;
      }
      l.text = input_.substr(start, pos_ - start);
      return l;
    }
    while (pos_ < input_.size() && !isSpace(input_[pos_]) && !isSpecial(input_[pos_])) ++pos_;
    l.text = input_.substr(start, pos_ - start);
    if (l.text == "in") {
      l.token = Token::kIn;
    } else if (l.text == "notin") {
      l.token = Token::kNotIn;
    } else {
      l.token = Token::kIdentifier;
    }
    return l;
  }

  Lexeme peek() {
    const std::size_t saved = pos_;
    Lexeme l = next();
    pos_ = saved;
    return l;
  }

 private:
  std::string_view input_;
  std::size_t pos_ = 0;
};

// Kubernetes' label name rule: at most 63 characters, alphanumerics plus '-', '_', '.',
// starting and ending with an alphanumeric.
std::string checkName(std::string_view s, std::string_view what) {
  if (s.empty()) return std::string(what) + " must not be empty";
  if (s.size() > 63) return std::string(what) + " must be no more than 63 characters";
  if (!isAlnum(s.front()) || !isAlnum(s.back())) {
    return std::string(what) + " must start and end with an alphanumeric character";
  }
  for (char c : s) {
    if (!isAlnum(c) && c != '-' && c != '_' && c != '.') {
      return std::string(what) +
             " must consist of alphanumeric characters, '-', '_' or '.'";
    }
  }
  return {};
}

// A DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters.
std::string checkPrefix(std::string_view s) {
  if (s.empty()) return "prefix part must not be empty";
  if (s.size() > 253) return "prefix part must be no more than 253 characters";
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) {
      return "prefix part must be a lowercase DNS subdomain (a-z, 0-9, '-' and '.')";
    }
  }
  if (!isAlnum(s.front()) || !isAlnum(s.back())) {
    return "prefix part must start and end with an alphanumeric character";
  }
  return {};
}

std::string checkKey(std::string_view key) {
  const std::size_t slash = key.find('/');
  if (slash == std::string_view::npos) return checkName(key, "name part");
  if (std::string e = checkPrefix(key.substr(0, slash)); !e.empty()) return e;
  return checkName(key.substr(slash + 1), "name part");
}

std::string checkValue(std::string_view value) {
  if (value.empty()) return {};
  return checkName(value, "value");
}

std::string describe(const Lexeme& l) {
  if (l.token == Token::kEnd) return "end of string";
  std::string s;
  s.reserve(l.text.size() + 2);
  s += '\'';
  s.append(l.text);
  s += '\'';
  return s;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lexer_(text) {}

  Result<LabelSelector::Requirement> requirement() {
    LabelSelector::Requirement r;
    Lexeme first = lexer_.next();
    if (first.token == Token::kNot) {
      Lexeme key = lexer_.next();
      if (key.token != Token::kIdentifier) return unexpected(key, "identifier");
      if (Status s = validateKey(key); !s.ok()) return s;
      r.key = std::string(key.text);
      r.op = LabelSelector::Operator::kDoesNotExist;
      return r;
    }
    if (first.token != Token::kIdentifier) return unexpected(first, "identifier or '!'");
    if (Status s = validateKey(first); !s.ok()) return s;
    r.key = std::string(first.text);

    Lexeme op = lexer_.peek();
    if (op.token == Token::kComma || op.token == Token::kEnd) {
      r.op = LabelSelector::Operator::kExists;
      return r;
    }
    lexer_.next();
    switch (op.token) {
      case Token::kEquals:
      case Token::kDoubleEquals:
      case Token::kNotEquals: {
        r.op = op.token == Token::kNotEquals ? LabelSelector::Operator::kNotIn
                                             : LabelSelector::Operator::kIn;
        // "a=" selects the empty value, as in Kubernetes.
        Lexeme v = lexer_.peek();
        if (v.token == Token::kComma || v.token == Token::kEnd) {
          r.values.emplace_back();
          return r;
        }
        lexer_.next();
        if (v.token != Token::kIdentifier) return unexpected(v, "value");
        if (Status s = validateValue(v); !s.ok()) return s;
        r.values.emplace_back(v.text);
        return r;
      }
      case Token::kIn:
      case Token::kNotIn: {
        r.op = op.token == Token::kIn ? LabelSelector::Operator::kIn : LabelSelector::Operator::kNotIn;
        Lexeme open = lexer_.next();
        if (open.token != Token::kOpenParen) return unexpected(open, "'('");
        if (Status s = valueList(r.values); !s.ok()) return s;
        if (r.values.empty()) {
          return error(open.column, "'" + std::string(op.text) + "' needs at least one value");
        }
        std::sort(r.values.begin(), r.values.end());
        r.values.erase(std::unique(r.values.begin(), r.values.end()), r.values.end());
        return r;
      }
      case Token::kGreater:
      case Token::kLess: {
        r.op = op.token == Token::kGreater ? LabelSelector::Operator::kGreaterThan
                                           : LabelSelector::Operator::kLessThan;
        Lexeme v = lexer_.next();
        if (v.token != Token::kIdentifier) return unexpected(v, "integer value");
        auto [end, ec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), r.number);
        if (ec != std::errc() || end != v.text.data() + v.text.size()) {
          return error(v.column, "'" + std::string(v.text) + "' is not an integer, as '" +
                                     std::string(op.text) + "' requires");
        }
        return r;
      }
      default:
        return unexpected(op, "operator ('=', '==', '!=', 'in', 'notin', '>', '<'), ',' or end of string");
    }
  }

  Result<std::vector<LabelSelector::Requirement>> requirements() {
    std::vector<LabelSelector::Requirement> out;
    if (lexer_.peek().token == Token::kEnd) return out;
    while (true) {
      Result<LabelSelector::Requirement> r = requirement();
      if (!r.ok()) return r.status();
      out.push_back(std::move(r).value());
      Lexeme sep = lexer_.next();
      if (sep.token == Token::kEnd) return out;
      if (sep.token != Token::kComma) return unexpected(sep, "',' or end of string");
    }
  }

 private:
  // "(x, y)" after the '(' was read; Kubernetes accepts empty values between commas.
  Status valueList(std::vector<std::string>& values) {
    bool expectValue = true;
    while (true) {
      Lexeme l = lexer_.next();
      switch (l.token) {
        case Token::kCloseParen:
          if (expectValue && !values.empty()) values.emplace_back();  // "(x,)"
          return {};
        case Token::kComma:
          if (expectValue) values.emplace_back();  // "(,x)" or "(x,,y)"
          expectValue = true;
          break;
        case Token::kIdentifier:
          if (!expectValue) return unexpected(l, "',' or ')'");
          if (Status s = validateValue(l); !s.ok()) return s;
          values.emplace_back(l.text);
          expectValue = false;
          break;
        default:
          return unexpected(l, expectValue ? "value, ',' or ')'" : "',' or ')'");
      }
    }
  }

  Status validateKey(const Lexeme& l) {
    std::string e = checkKey(l.text);
    if (e.empty()) return {};
    return error(l.column, "invalid label key '" + std::string(l.text) + "': " + e);
  }

  Status validateValue(const Lexeme& l) {
    std::string e = checkValue(l.text);
    if (e.empty()) return {};
    return error(l.column, "invalid label value '" + std::string(l.text) + "': " + e);
  }

  Status unexpected(const Lexeme& found, std::string_view expected) {
    return Status::invalidArgument("invalid label selector \"" + std::string(text_) +
                                   "\": unable to parse requirement: found " + describe(found) +
                                   " at column " + std::to_string(found.column) +
                                   ", expected: " + std::string(expected));
  }

  Status error(std::size_t column, const std::string& what) {
    return Status::invalidArgument("invalid label selector \"" + std::string(text_) + "\": " +
                                   what + " (at column " + std::to_string(column) + ")");
  }

  std::string_view text_;
  Lexer lexer_;
};

}  // namespace

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  Result<std::vector<Requirement>> r = Parser(text).requirements();
  if (!r.ok()) return r.status();
  LabelSelector selector;
  selector.requirements_ = std::move(r).value();
  // Sorted by key as Kubernetes does, so equal selectors have equal requirement lists.
  std::stable_sort(selector.requirements_.begin(), selector.requirements_.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return selector;
}

bool LabelSelector::requirementMatches(const Requirement& r, std::optional<std::string_view> value) {
  switch (r.op) {
    case Operator::kExists:
      return value.has_value();
    case Operator::kDoesNotExist:
      return !value.has_value();
    case Operator::kIn:
      return value && std::binary_search(r.values.begin(), r.values.end(), *value);
    case Operator::kNotIn:
      return !value || !std::binary_search(r.values.begin(), r.values.end(), *value);
    case Operator::kGreaterThan:
    case Operator::kLessThan: {
      if (!value) return false;
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
      if (ec != std::errc() || end != value->data() + value->size()) return false;
      return r.op == Operator::kGreaterThan ? n > r.number : n < r.number;
    }
  }
  return false;
}

Result<IndexSelector> IndexSelector::make(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  IndexSelector s;
  for (const auto& [key, value] : pairs) {
    if (key.empty()) return Status::invalidArgument("invalid index selector: empty index name");
    if (key.find('\0') != std::string::npos) {
      return Status::invalidArgument("invalid index selector: index name contains a NUL byte");
    }
    std::optional<std::string>* identity = nullptr;
    if (key == kNameIndex) identity = &s.name_;
    if (key == kNamespaceIndex) identity = &s.ns_;
    if (identity != nullptr) {
      if (*identity && **identity != value) s.contradictory_ = true;
      *identity = value;
      continue;
    }
    s.indexes_.emplace_back(key, value);
  }
  std::sort(s.indexes_.begin(), s.indexes_.end());
  s.indexes_.erase(std::unique(s.indexes_.begin(), s.indexes_.end()), s.indexes_.end());
  for (std::size_t i = 1; i < s.indexes_.size(); ++i) {
    if (s.indexes_[i].first == s.indexes_[i - 1].first) s.contradictory_ = true;
  }
  return s;
}

}  // namespace capstan::store
