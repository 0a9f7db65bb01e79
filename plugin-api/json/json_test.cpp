#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "capstan/json.h"

using capstan::json::parse;
using capstan::json::parsePointer;
using capstan::json::ParseOptions;
using capstan::json::quote;
using capstan::json::serialize;
using capstan::json::Value;
using capstan::json::Writer;

namespace Catch {
template <>
struct StringMaker<Value> {
  static std::string convert(const Value& v) { return serialize(v); }
};
}  // namespace Catch

namespace {

Value mustParse(std::string_view text) {
  auto r = parse(text);
  INFO(text << " -> " << r.status().toString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string parseError(std::string_view text, const ParseOptions& options = {}) {
  auto r = parse(text, options);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == capstan::Code::kInvalidArgument);
  return r.status().message();
}

}  // namespace

TEST_CASE("parse scalars", "[json]") {
  CHECK(mustParse("null").isNull());
  CHECK(mustParse("true").asBool());
  CHECK_FALSE(mustParse("false").asBool());
  CHECK(mustParse("false").isBool());

  Value i = mustParse("42");
  CHECK(i.isInt());
  CHECK(i.asInt() == 42);
  CHECK(mustParse("-0").isInt());
  CHECK(mustParse("-17").asInt() == -17);
  CHECK(mustParse("9223372036854775807").asInt() == std::numeric_limits<std::int64_t>::max());
  CHECK(mustParse("-9223372036854775808").asInt() == std::numeric_limits<std::int64_t>::min());

  Value d = mustParse("1.5");
  CHECK(d.type() == Value::Type::kDouble);
  CHECK(d.asDouble() == 1.5);
  CHECK(mustParse("1e3").type() == Value::Type::kDouble);
  CHECK(mustParse("1e3").asDouble() == 1000.0);
  CHECK(mustParse("-2.5E-3").asDouble() == -0.0025);
  CHECK(mustParse("1E+2").asDouble() == 100.0);
  CHECK(mustParse("0.1").asDouble() == 0.1);

  CHECK(mustParse("\"hi\"").asString() == "hi");
  CHECK(mustParse("  \n\t\r 7 \r\n").asInt() == 7);
}

TEST_CASE("integers beyond int64 become doubles", "[json]") {
  Value big = mustParse("9223372036854775808");
  CHECK(big.type() == Value::Type::kDouble);
  CHECK(big.asDouble() == 9223372036854775808.0);
  Value neg = mustParse("-9223372036854775809");
  CHECK(neg.type() == Value::Type::kDouble);
  Value huge = mustParse("123456789012345678901234567890");
  CHECK(huge.type() == Value::Type::kDouble);
  CHECK(huge.asDouble() == Approx(1.2345678901234568e29));
}

TEST_CASE("number range", "[json]") {
  CHECK(parseError("1e400").find("out of range") != std::string::npos);
  CHECK(parseError("-1e400").find("out of range") != std::string::npos);
  CHECK(mustParse("1e-400").asDouble() == 0.0);
  CHECK(mustParse("0.0000000000000000000000000000000000000000000000000000000000000000000000000000000"
                  "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
                  "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
                  "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
                  "000000000000000000000000000000000000000000000000000000000000000000000000000001")
            .asDouble() == 0.0);
}

TEST_CASE("parse containers keeps key order", "[json]") {
  Value v = mustParse(R"({"b": 1, "a": [1, 2.5, "x", null, true, {}], "c": {"d": []}})");
  REQUIRE(v.isObject());
  REQUIRE(v.size() == 3);
  CHECK(v.members()[0].first == "b");
  CHECK(v.members()[1].first == "a");
  CHECK(v.members()[2].first == "c");
  const Value& a = v["a"];
  REQUIRE(a.isArray());
  REQUIRE(a.size() == 6);
  CHECK(a.items()[0].asInt() == 1);
  CHECK(a.items()[1].asDouble() == 2.5);
  CHECK(a.items()[2].asString() == "x");
  CHECK(a.items()[3].isNull());
  CHECK(a.items()[4].asBool());
  CHECK(a.items()[5].isObject());
  CHECK(a.items()[5].size() == 0);
  CHECK(v["c"]["d"].isArray());
  CHECK(v["missing"].isNull());
  CHECK(v["missing"]["deeper"].isNull());
  CHECK(mustParse("[]").isArray());
  CHECK(mustParse("{}").isObject());
  CHECK(mustParse("[ ]").size() == 0);
  CHECK(mustParse("{ }").size() == 0);
}

TEST_CASE("duplicate keys: last wins at the first position", "[json]") {
  Value v = mustParse(R"({"a":1,"b":2,"a":3})");
  REQUIRE(v.size() == 2);
  CHECK(v.members()[0].first == "a");
  CHECK(v["a"].asInt() == 3);

  // The large-object path (sorting) must agree.
  std::string text = "{";
  for (int i = 0; i < 40; ++i) text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  text += "\"k7\":700}";
  Value big = mustParse(text);
  CHECK(big.size() == 40);
  CHECK(big["k7"].asInt() == 700);
  CHECK(big.members()[7].first == "k7");
}

TEST_CASE("parse string escapes", "[json]") {
  CHECK(mustParse(R"("a\"b\\c\/d\be\ff\ng\rh\ti")").asString() == "a\"b\\c/d\be\ff\ng\rh\ti");
  CHECK(mustParse(R"("\u0041\u00e9\u4e2d")").asString() == "A\xC3\xA9\xE4\xB8\xAD");
  CHECK(mustParse(R"("\u0000")").asString() == std::string(1, '\0'));
  // Surrogate pair -> U+1F600 (F0 9F 98 80).
  CHECK(mustParse(R"("\ud83d\ude00")").asString() == "\xF0\x9F\x98\x80");
  CHECK(mustParse(R"("\uD83D\uDE00")").asString() == "\xF0\x9F\x98\x80");
  // Unpaired surrogates become U+FFFD.
  CHECK(mustParse(R"("\ud83d")").asString() == "\xEF\xBF\xBD");
  CHECK(mustParse(R"("\ude00x")").asString() == "\xEF\xBF\xBDx");
  CHECK(mustParse(R"("\ud83d\u0041")").asString() == "\xEF\xBF\xBD" "A");
  // Raw UTF-8 passes through; invalid bytes are replaced.
  CHECK(mustParse("\"h\xC3\xA9llo\"").asString() == "h\xC3\xA9llo");
  CHECK(mustParse("\"a\xFF" "b\"").asString() == "a\xEF\xBF\xBD" "b");
  CHECK(mustParse("\"\xC3\"").asString() == "\xEF\xBF\xBD");
}

TEST_CASE("parse errors carry line and column", "[json]") {
  CHECK(parseError("") == "line 1, column 1: unexpected end of input, expected a value");
  CHECK(parseError("{\"a\":1,\n  \"b\" 2}") ==
        "line 2, column 7: expected ':' after object key, got '2'");
  CHECK(parseError("{\n\"a\": 1\n\"b\": 2}") == "line 3, column 1: expected ',' or '}', got '\"'");
  CHECK(parseError("[1, 2") == "line 1, column 6: unexpected end of input, expected ',' or ']'");
  CHECK(parseError("[1 2]") == "line 1, column 4: expected ',' or ']', got '2'");
  CHECK(parseError("{1:2}").find("line 1, column 2: expected '\"' to start an object key") == 0);
  CHECK(parseError("tru") == "line 1, column 1: invalid literal, expected true");
  CHECK(parseError("nul") == "line 1, column 1: invalid literal, expected null");
  CHECK(parseError("1 2") == "line 1, column 3: unexpected '2' after top-level value");
  CHECK(parseError("\"abc") == "line 1, column 1: unterminated string");
  CHECK(parseError("\"a\\x\"") == "line 1, column 3: invalid escape \\x in string");
  CHECK(parseError("\"a\\u12G4\"") == "line 1, column 7: invalid hex digit 'G' in \\u escape");
  CHECK(parseError("\"a\nb\"") == "line 1, column 3: invalid control character byte 0x0a in string");
  CHECK(parseError("01") == "line 1, column 2: invalid number: leading zero");
  CHECK(parseError("1.") == "line 1, column 3: invalid number: expected a digit after '.'");
  CHECK(parseError("1e") == "line 1, column 3: invalid number: expected a digit in exponent");
  CHECK(parseError("-") == "line 1, column 2: invalid number: expected a digit");
  CHECK(parseError("+1") == "line 1, column 1: expected a value, got '+'");
  CHECK(parseError("[1,]") == "line 1, column 4: expected a value, got ']'");
  CHECK(parseError("{\"a\":1,}") == "line 1, column 8: expected '\"' to start an object key, got '}'");
  CHECK(parseError("NaN").find("line 1, column 1:") == 0);
  CHECK(parseError(".5").find("line 1, column 1:") == 0);
}

TEST_CASE("depth limit", "[json]") {
  ParseOptions opts;
  opts.maxDepth = 3;
  CHECK(parse("[[[1]]]", opts).ok());
  CHECK(parse("{\"a\":{\"b\":[1]}}", opts).ok());
  CHECK(parseError("[[[[1]]]]", opts) == "line 1, column 4: exceeded maximum nesting depth of 3");
  // The default guards the stack against hostile input.
  std::string deep(100000, '[');
  CHECK(parseError(deep).find("exceeded maximum nesting depth of 512") != std::string::npos);
  std::string ok = std::string(512, '[') + std::string(512, ']');
  CHECK(parse(ok).ok());
}

TEST_CASE("Value object operations", "[json]") {
  Value v = Value::object();
  v.set("a", 1);
  v.set("b", "two");
  Value& c = v.set("c", Value::array());
  c.push(true);
  REQUIRE(v.size() == 3);
  v.set("a", 10);  // replaces in place
  CHECK(v.members()[0].first == "a");
  CHECK(v["a"].asInt() == 10);
  REQUIRE(v.find("c"));
  CHECK(v.find("c")->size() == 1);
  CHECK(v.find("zz") == nullptr);
  CHECK(v.erase("b"));
  CHECK_FALSE(v.erase("b"));
  CHECK(v.size() == 2);
  v.find("a")->asString();  // no crash on type mismatch
  const Value& cv = v;
  CHECK(cv.find("a")->asInt() == 10);
}

TEST_CASE("Value equality", "[json]") {
  CHECK(Value(1) == Value(1.0));
  CHECK(Value(std::int64_t{3}) == Value(3));
  CHECK_FALSE(Value(1) == Value(1.5));
  CHECK_FALSE(Value(1) == Value("1"));
  CHECK(Value() == Value(nullptr));
  CHECK_FALSE(Value() == Value(false));
  CHECK(mustParse(R"({"a":1,"b":[1,2]})") == mustParse(R"({"b":[1,2.0],"a":1})"));
  CHECK_FALSE(mustParse(R"({"a":1,"b":[1,2]})") == mustParse(R"({"a":1,"b":[2,1]})"));
  CHECK_FALSE(mustParse(R"({"a":1})") == mustParse(R"({"a":1,"b":2})"));
  CHECK_FALSE(mustParse(R"({"a":1,"c":2})") == mustParse(R"({"a":1,"b":2})"));
  CHECK_FALSE(mustParse("[]") == mustParse("{}"));
  CHECK(mustParse("\"x\"") == Value("x"));
}

TEST_CASE("quote escapes like Go without HTML escaping", "[json]") {
  CHECK(quote("plain") == "\"plain\"");
  CHECK(quote("") == "\"\"");
  CHECK(quote("a\"b\\c") == R"("a\"b\\c")");
  CHECK(quote("\n\r\t") == R"("\n\r\t")");
  CHECK(quote(std::string("\x01\x08\x0c\x1f", 4)) == R"("\u0001\u0008\u000c\u001f")");
  CHECK(quote(std::string(1, '\0')) == R"("\u0000")");
  CHECK(quote("<a href=\"x\">&amp;</a>") == R"("<a href=\"x\">&amp;</a>")");
  CHECK(quote("/") == "\"/\"");
  CHECK(quote("\x7f") == "\"\x7f\"");
  CHECK(quote("caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80") == "\"caf\xC3\xA9 \xE4\xB8\xAD \xF0\x9F\x98\x80\"");
  CHECK(quote("\xE2\x80\xA8|\xE2\x80\xA9") == R"("\u2028|\u2029")");
  // Invalid UTF-8: each bad byte becomes \ufffd, as Go's decoder consumes one byte.
  CHECK(quote("a\xFF" "b") == R"("a\ufffdb")");
  CHECK(quote("\xC3") == R"("\ufffd")");
  CHECK(quote("\xC0\x80") == R"("\ufffd\ufffd")");          // overlong
  CHECK(quote("\xED\xA0\x80") == R"("\ufffd\ufffd\ufffd")");  // encoded surrogate
  CHECK(quote("\xF4\x90\x80\x80") == R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
  CHECK(quote("\xE4\xB8") == R"("\ufffd\ufffd")");  // truncated
}

TEST_CASE("numbers are written like Go", "[json]") {
  auto num = [](double d) {
    std::string s;
    Writer(s).number(d);
    return s;
  };
  CHECK(num(0) == "0");
  CHECK(num(-0.0) == "-0");
  CHECK(num(1) == "1");
  CHECK(num(-3) == "-3");
  CHECK(num(1.5) == "1.5");
  CHECK(num(0.1) == "0.1");
  CHECK(num(0.1 + 0.2) == "0.30000000000000004");
  CHECK(num(1e20) == "100000000000000000000");
  CHECK(num(1e21) == "1e+21");
  CHECK(num(1.23456789e23) == "1.23456789e+23");
  CHECK(num(0.000001) == "0.000001");
  CHECK(num(0.0000001) == "1e-7");
  CHECK(num(1.5e-10) == "1.5e-10");
  CHECK(num(-2.5e-300) == "-2.5e-300");
  CHECK(num(1.7976931348623157e308) == "1.7976931348623157e+308");
  CHECK(num(5e-324) == "5e-324");
  CHECK(num(std::nan("")) == "null");
  CHECK(num(std::numeric_limits<double>::infinity()) == "null");

  std::string s;
  Writer w(s);
  w.integer(std::numeric_limits<std::int64_t>::min());
  CHECK(s == "-9223372036854775808");
}

TEST_CASE("Writer tracks commas and nesting", "[json]") {
  std::string s;
  Writer w(s);
  w.beginObject();
  w.key("a");
  w.integer(1);
  w.key("b");
  w.beginArray();
  w.string("x");
  w.boolean(false);
  w.null();
  w.beginObject();
  w.endObject();
  w.beginArray();
  w.endArray();
  w.raw(R"({"r":1})");
  w.endArray();
  w.key("c");
  w.number(2.5);
  w.key("d");
  w.value(mustParse(R"({"e":[1,{"f":null}]})"));
  w.endObject();
  CHECK(s == R"({"a":1,"b":["x",false,null,{},[],{"r":1}],"c":2.5,"d":{"e":[1,{"f":null}]}})");
}

TEST_CASE("pretty output matches json.MarshalIndent(v, \"\", \"  \")", "[json]") {
  Value v = mustParse(R"({"kind":"Pod","metadata":{"name":"x","labels":{}},"spec":{"containers":[{"name":"a","ports":[]},{"name":"b","args":["1",2]}]},"n":null})");
  const char* expected = R"({
  "kind": "Pod",
  "metadata": {
    "name": "x",
    "labels": {}
  },
  "spec": {
    "containers": [
      {
        "name": "a",
        "ports": []
      },
      {
        "name": "b",
        "args": [
          "1",
          2
        ]
      }
    ]
  },
  "n": null
})";
  CHECK(serialize(v, true) == expected);
  CHECK(serialize(Value::array(), true) == "[]");
  CHECK(serialize(Value(3), true) == "3");
}

TEST_CASE("round trips", "[json]") {
  const char* texts[] = {
      R"({"apiVersion":"v1","kind":"List","items":[{"a":1,"b":-2.5,"c":"\u0001\n","d":[true,false,null],"e":{}}]})",
      R"([1e+21,1e-7,0.30000000000000004,9223372036854775807,-9223372036854775808,"\u2028"])",
      R"("caf\u00e9 \ud83d\ude00 <&>")",
      R"({"":{"":[[[[]]]]}})",
  };
  for (const char* t : texts) {
    Value v = mustParse(t);
    std::string compact = serialize(v);
    Value again = mustParse(compact);
    CHECK(again == v);
    CHECK(serialize(again) == compact);
    Value pretty = mustParse(serialize(v, true));
    CHECK(pretty == v);
  }
  // Canonical text comes back byte for byte.
  std::string canonical = R"({"a":[1,2.5,"x\n\"y\""],"b":{"c":null,"d":true},"e":"é<>&"})";
  CHECK(serialize(mustParse(canonical)) == canonical);
  CHECK(serialize(mustParse(R"("\u00e9\/")")) == "\"\xC3\xA9/\"");

  // Doubles survive text exactly.
  for (double d : {0.1, 1.0 / 3, 6.02214076e23, 1e-320, 123.456e-8, -1e300}) {
    Value parsed = mustParse(serialize(Value(d)));
    CHECK(parsed.asDouble() == d);
  }
}

TEST_CASE("large documents", "[json]") {
  Value list = Value::array();
  for (int i = 0; i < 2000; ++i) {
    Value o = Value::object();
    o.set("name", "pod-" + std::to_string(i));
    o.set("i", i);
    o.set("f", i * 0.5);
    o.set("tags", mustParse(R"(["a","b\tc"])"));
    list.push(std::move(o));
  }
  std::string text = serialize(list);
  Value back = mustParse(text);
  REQUIRE(back.size() == 2000);
  CHECK(back == list);
  CHECK(back.items()[1999]["name"].asString() == "pod-1999");
}

TEST_CASE("JSON pointers", "[json]") {
  auto tokens = [](std::string_view p) {
    auto r = parsePointer(p);
    INFO(p << " -> " << r.status().toString());
    REQUIRE(r.ok());
    return *r;
  };
  CHECK(tokens("").empty());
  CHECK(tokens("/") == std::vector<std::string>{""});
  CHECK(tokens("/a/b") == std::vector<std::string>{"a", "b"});
  CHECK(tokens("/a~1b/c~0d/0") == std::vector<std::string>{"a/b", "c~d", "0"});
  CHECK(tokens("/~01") == std::vector<std::string>{"~1"});
  CHECK(tokens("/a//b/") == std::vector<std::string>{"a", "", "b", ""});
  CHECK(tokens("/metadata/labels/app.kubernetes.io~1name") ==
        std::vector<std::string>{"metadata", "labels", "app.kubernetes.io/name"});

  for (std::string_view bad : {"a", "a/b", "/a~", "/a~2", "/~x/b"}) {
    auto r = parsePointer(bad);
    INFO(bad);
    CHECK_FALSE(r.ok());
    CHECK(r.status().code() == capstan::Code::kInvalidArgument);
  }
  CHECK(parsePointer("x").status().message().find("must be empty or start with '/'") != std::string::npos);
}
