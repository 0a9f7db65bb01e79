#include "k8s/quantity.h"

#include <limits>

namespace capstan::k8s {

namespace {

using u128 = unsigned __int128;

Status formatError() { return Status::invalidArgument(std::string(kQuantityFormatError)); }

// The suffix's decimal and binary exponents; false when it is not a suffix.
bool parseSuffix(std::string_view s, std::int64_t& exp10, int& exp2) {
  exp10 = 0;
  exp2 = 0;
  if (s.empty()) return true;
  if (s.size() == 1) {
    switch (s[0]) {
      case 'n': exp10 = -9; return true;
      case 'u': exp10 = -6; return true;
      case 'm': exp10 = -3; return true;
      case 'k': exp10 = 3; return true;
      case 'M': exp10 = 6; return true;
      case 'G': exp10 = 9; return true;
      case 'T': exp10 = 12; return true;
      case 'P': exp10 = 15; return true;
      case 'E': exp10 = 18; return true;
      default: return false;
    }
  }
  if (s.size() == 2 && s[1] == 'i') {
    switch (s[0]) {
      case 'K': exp2 = 10; return true;
      case 'M': exp2 = 20; return true;
      case 'G': exp2 = 30; return true;
      case 'T': exp2 = 40; return true;
      case 'P': exp2 = 50; return true;
      case 'E': exp2 = 60; return true;
      default: return false;
    }
  }
  if (s[0] != 'e' && s[0] != 'E') return false;
  size_t i = 1;
  bool negative = false;
  if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
  if (i == s.size()) return false;
  std::int64_t e = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    if (e < 100000) e = e * 10 + (s[i] - '0');  // far beyond any int64: saturates anyway
  }
  exp10 = negative ? -e : e;
  return true;
}

// ceil(|digits * 10^exp10 * 2^exp2|) away from zero, saturated at `limit`.
u128 scaled(u128 digits, bool sticky, std::int64_t exp10, int exp2, u128 limit) {
  if (digits == 0) return 0;
  u128 n = digits << exp2;  // digits < 10^20 < 2^67 and exp2 <= 60
  if (exp10 >= 0) {
    for (std::int64_t k = 0; k < exp10; ++k) {
      if (n > limit / 10) return limit;
      n *= 10;
    }
    return n > limit ? limit : n;
  }
  if (-exp10 > 38) return 1;  // a positive fraction below 10^-19: rounds up to one
  u128 div = 1;
  for (std::int64_t k = 0; k < -exp10; ++k) div *= 10;
  u128 q = n / div;
  if (n % div != 0 || sticky) q += 1;
  return q > limit ? limit : q;
}

std::int64_t signedOf(u128 magnitude, bool negative) {
  if (!negative) return static_cast<std::int64_t>(magnitude);
  if (magnitude == static_cast<u128>(1) << 63) return std::numeric_limits<std::int64_t>::min();
  return -static_cast<std::int64_t>(magnitude);
}

}  // namespace

Result<ParsedQuantity> parseQuantity(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  u128 digits = 0;
  int significant = 0;
  bool sticky = false, nonzero = false, dot = false;
  int count = 0;
  std::int64_t exp10 = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (dot) return formatError();
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    ++count;
    if (dot) exp10 -= 1;
    if (!nonzero && c == '0') continue;
    nonzero = true;
    if (significant < 20) {
      digits = digits * 10 + static_cast<unsigned>(c - '0');
      ++significant;
    } else {
      exp10 += 1;  // a dropped digit: the kept ones move up one place
      if (c != '0') sticky = true;
    }
  }
  if (count == 0) return formatError();
  std::int64_t suffix10 = 0;
  int exp2 = 0;
  if (!parseSuffix(text.substr(i), suffix10, exp2)) return formatError();
  exp10 += suffix10;
  u128 limit = negative ? static_cast<u128>(1) << 63 : static_cast<u128>(std::numeric_limits<std::int64_t>::max());
  ParsedQuantity q;
  q.value = signedOf(scaled(digits, sticky, exp10, exp2, limit), negative);
  q.milli = signedOf(scaled(digits, sticky, exp10 + 3, exp2, limit), negative);
  return q;
}

std::string formatMilli(std::int64_t milli) {
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return std::to_string(milli) + "m";
}

}  // namespace capstan::k8s
