// Unit tests of the hand-written support of the generated codecs: quantities and base64.

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "k8s/base64.h"
#include "k8s/quantity.h"

namespace capstan::k8s {
namespace {

ParsedQuantity parseOk(std::string_view text) {
  auto r = parseQuantity(text);
  INFO(text << ": " << r.status().toString());
  REQUIRE(r.ok());
  return *r;
}

TEST_CASE("quantity parsing: value rounds up, milli is thousandths", "[quantity]") {
  struct Case {
    std::string_view text;
    std::int64_t value, milli;
  };
  const Case cases[] = {
      {"0", 0, 0},
      {"1", 1, 1000},
      {"500m", 1, 500},
      {"250m", 1, 250},
      {"1500m", 2, 1500},
      {"2", 2, 2000},
      {"0.1", 1, 100},
      {"1.5", 2, 1500},
      {"0.0001", 1, 1},
      {"1e3", 1000, 1000000},
      {"1E3", 1000, 1000000},
      {"1e-3", 1, 1},
      {"5e-1", 1, 500},
      {"100M", 100000000, 100000000000LL},
      {"1k", 1000, 1000000},
      {"1G", 1000000000, 1000000000000LL},
      {"1T", 1000000000000LL, 1000000000000000LL},
      {"1P", 1000000000000000LL, 1000000000000000000LL},
      {"9E", 9000000000000000000LL, INT64_MAX},
      {"10E", INT64_MAX, INT64_MAX},
      {"64Mi", 67108864, 67108864000LL},
      {"128Mi", 134217728, 134217728000LL},
      {"2Gi", 2147483648LL, 2147483648000LL},
      {"1Ki", 1024, 1024000},
      {"0.5Ki", 512, 512000},
      {"1Ti", 1099511627776LL, 1099511627776000LL},
      {"1Ei", 1152921504606846976LL, INT64_MAX},
      {"8Ei", INT64_MAX, INT64_MAX},
      {"1u", 1, 1},
      {"1500u", 1, 2},
      {"1n", 1, 1},
      {"-1", -1, -1000},
      {"-1.5", -2, -1500},
      {"-500m", -1, -500},
      {"+3", 3, 3000},
      {"1.", 1, 1000},
      {".5", 1, 500},
      {"00012", 12, 12000},
      {"123456789012345678901234567890", INT64_MAX, INT64_MAX},
      {"0.000000000000000000000000000001", 1, 1},
      {"1.00000000000000000000000001", 2, 1001},
      {"1e+2", 100, 100000},
      {"1e99999999999", INT64_MAX, INT64_MAX},
      {"1e-99999999999", 1, 1},
      {"-10E", INT64_MIN, INT64_MIN},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto q = parseOk(c.text);
    CHECK(q.value == c.value);
    CHECK(q.milli == c.milli);
  }
}

TEST_CASE("malformed quantities", "[quantity]") {
  for (std::string_view bad : {"", "abc", "1.2.3", "1Kb", "1K", "1 ", " 1", "1e", "e3", "--1", "+", ".", "Gi", "1ki",
                               "1e+", "1e3.5", "1mm", "1Mi2", "0x10", "1,5", "1e-", "∞"}) {
    INFO(bad);
    auto r = parseQuantity(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK(r.status().message() == kQuantityFormatError);
  }
}

TEST_CASE("quantities formatted from thousandths", "[quantity]") {
  CHECK(formatMilli(0) == "0");
  CHECK(formatMilli(100) == "100m");
  CHECK(formatMilli(2000) == "2");
  CHECK(formatMilli(1500) == "1500m");
  CHECK(formatMilli(-1500) == "-1500m");
  CHECK(formatMilli(-3000) == "-3");
}

TEST_CASE("base64", "[base64]") {
  CHECK(encodeBase64("") == "");
  CHECK(encodeBase64("f") == "Zg==");
  CHECK(encodeBase64("fo") == "Zm8=");
  CHECK(encodeBase64("foo") == "Zm9v");
  CHECK(encodeBase64("foobar") == "Zm9vYmFy");
  CHECK(encodeBase64(std::string("\0\xff\xfe", 3)) == "AP/+");

  std::string out;
  std::size_t bad = 0;
  for (std::string_view s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    REQUIRE(decodeBase64(encodeBase64(s), out, bad));
    CHECK(out == s);
  }
  REQUIRE(decodeBase64("Zm9v\r\nYmFy\n", out, bad));
  CHECK(out == "foobar");

  CHECK_FALSE(decodeBase64("Zm9", out, bad));  // missing padding
  CHECK(bad == 3);
  CHECK_FALSE(decodeBase64("Zm9v!", out, bad));
  CHECK(bad == 4);
  CHECK_FALSE(decodeBase64("Zg==Zg==", out, bad));  // data after padding
  CHECK(bad == 4);
  CHECK_FALSE(decodeBase64("Z===", out, bad));
  CHECK(bad == 1);
  CHECK_FALSE(decodeBase64("Zm-_", out, bad));  // URL alphabet
  CHECK(bad == 2);
}

}  // namespace
}  // namespace capstan::k8s
