#include "selector.h"

#include <catch2/catch.hpp>

using namespace capstan;
using namespace capstan::store;

namespace {

using Labels = std::map<std::string, std::string>;

bool matches(const std::string& selector, const Labels& labels) {
  Result<LabelSelector> s = LabelSelector::parse(selector);
  REQUIRE(s.ok());
  return s->matches(labels);
}

Status parseError(const std::string& selector) {
  Result<LabelSelector> s = LabelSelector::parse(selector);
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() == Code::kInvalidArgument);
  return s.status();
}

}  // namespace

TEST_CASE("label selector: empty and blank selectors match everything") {
  CHECK(matches("", {}));
  CHECK(matches("   ", {{"a", "b"}}));
  CHECK(LabelSelector::parse("").value().empty());
}

TEST_CASE("label selector: equality operators") {
  const Labels l{{"app", "web"}, {"tier", "frontend"}};
  CHECK(matches("app=web", l));
  CHECK(matches("app==web", l));
  CHECK_FALSE(matches("app=db", l));
  CHECK(matches("app!=db", l));
  CHECK_FALSE(matches("app!=web", l));
  // As in Kubernetes, != also matches objects without the label.
  CHECK(matches("missing!=x", l));
  CHECK_FALSE(matches("missing=x", l));
}

TEST_CASE("label selector: set operators") {
  const Labels l{{"env", "prod"}};
  CHECK(matches("env in (prod,staging)", l));
  CHECK(matches("env in (prod)", l));
  CHECK_FALSE(matches("env in (dev, staging)", l));
  CHECK(matches("env notin (dev)", l));
  CHECK_FALSE(matches("env notin (prod, dev)", l));
  CHECK(matches("other notin (x)", l));
  CHECK_FALSE(matches("other in (x)", l));
}

TEST_CASE("label selector: existence") {
  const Labels l{{"a", "1"}};
  CHECK(matches("a", l));
  CHECK_FALSE(matches("b", l));
  CHECK(matches("!b", l));
  CHECK_FALSE(matches("!a", l));
}

TEST_CASE("label selector: numeric comparisons") {
  const Labels l{{"replicas", "3"}, {"name", "x"}};
  CHECK(matches("replicas>2", l));
  CHECK_FALSE(matches("replicas>3", l));
  CHECK(matches("replicas<4", l));
  CHECK_FALSE(matches("name>1", l));  // not a number
  CHECK_FALSE(matches("missing<10", l));
}

TEST_CASE("label selector: requirements are ANDed, whitespace is tolerated") {
  const Labels l{{"app", "web"}, {"env", "prod"}, {"team", "a"}};
  CHECK(matches("app=web,env in (prod, dev),team,!legacy", l));
  CHECK(matches("  app = web ,  env  notin ( dev ) ,\tteam ", l));
  CHECK_FALSE(matches("app=web,env=dev", l));
}

TEST_CASE("label selector: empty values and qualified keys") {
  CHECK(matches("a=", {{"a", ""}}));
  CHECK_FALSE(matches("a=", {{"a", "x"}}));
  CHECK(matches("a in (x,)", {{"a", ""}}));
  CHECK(matches("app.kubernetes.io/name=web", {{"app.kubernetes.io/name", "web"}}));
}

TEST_CASE("label selector: parse errors say what and where") {
  SECTION("an operator where an identifier belongs") {
    Status s = parseError("(a");
    CHECK_THAT(s.message(), Catch::Contains("unable to parse requirement: found '(' at column 1, expected: identifier"));
  }
  SECTION("missing parenthesis after in") {
    Status s = parseError("a in x");
    CHECK_THAT(s.message(), Catch::Contains("found 'x' at column 6, expected: '('"));
  }
  SECTION("missing comma between requirements") {
    Status s = parseError("a=b c=d");
    CHECK_THAT(s.message(), Catch::Contains("found 'c' at column 5, expected: ',' or end of string"));
  }
  SECTION("unterminated set") {
    Status s = parseError("a in (x,y");
    CHECK_THAT(s.message(), Catch::Contains("found end of string at column 10"));
  }
  SECTION("empty set") {
    Status s = parseError("a notin ()");
    CHECK_THAT(s.message(), Catch::Contains("'notin' needs at least one value"));
  }
  SECTION("trailing comma") {
    Status s = parseError("a=b,");
    CHECK_THAT(s.message(), Catch::Contains("found end of string at column 5, expected: identifier"));
  }
  SECTION("invalid key characters") {
    Status s = parseError("-a=b");
    CHECK_THAT(s.message(), Catch::Contains("invalid label key '-a'"));
    CHECK_THAT(s.message(), Catch::Contains("column 1"));
  }
  SECTION("value too long") {
    Status s = parseError("a=" + std::string(64, 'v'));
    CHECK_THAT(s.message(), Catch::Contains("must be no more than 63 characters"));
  }
  SECTION("not a number for >") {
    Status s = parseError("a>b");
    CHECK_THAT(s.message(), Catch::Contains("'b' is not an integer"));
  }
  SECTION("the selector text is quoted in the message") {
    Status s = parseError("a!");
    CHECK_THAT(s.message(), Catch::StartsWith("invalid label selector \"a!\":"));
  }
}

TEST_CASE("label selector: matchesWith works on any lookup") {
  Result<LabelSelector> s = LabelSelector::parse("a=1,!b");
  REQUIRE(s.ok());
  auto lookup = [](const std::string& key) -> std::optional<std::string_view> {
    if (key == "a") return std::string_view("1");
    return std::nullopt;
  };
  CHECK(s->matchesWith(lookup));
}

TEST_CASE("index selector: exact matches on writer-supplied indexes") {
  Object o;
  o.type = "pods";
  o.ns = "default";
  o.name = "p1";
  o.indexes = {{"spec.nodeName", "n1"}, {"status.phase", "Running"}};
  auto make = [](std::vector<std::pair<std::string, std::string>> pairs) {
    Result<IndexSelector> s = IndexSelector::make(pairs);
    REQUIRE(s.ok());
    return std::move(s).value();
  };
  CHECK(make({}).empty());
  CHECK(make({}).matches(o));
  CHECK(make({{"spec.nodeName", "n1"}}).matches(o));
  CHECK_FALSE(make({{"spec.nodeName", "n2"}}).matches(o));
  CHECK(make({{"spec.nodeName", "n1"}, {"status.phase", "Running"}}).matches(o));
  CHECK_FALSE(make({{"spec.nodeName", "n1"}, {"status.phase", "Pending"}}).matches(o));
  CHECK_FALSE(make({{"missing", ""}}).matches(o));
}

TEST_CASE("index selector: metadata.name and metadata.namespace pseudo-indexes") {
  Object o;
  o.ns = "kube-system";
  o.name = "dns";
  Result<IndexSelector> byName = IndexSelector::make({{"metadata.name", "dns"}});
  REQUIRE(byName.ok());
  CHECK(byName->name() == std::optional<std::string>("dns"));
  CHECK(byName->indexes().empty());
  CHECK(byName->matches(o));
  Result<IndexSelector> byNs = IndexSelector::make({{"metadata.namespace", "default"}});
  REQUIRE(byNs.ok());
  CHECK_FALSE(byNs->matches(o));
}

TEST_CASE("index selector: contradictions and invalid names") {
  Result<IndexSelector> c = IndexSelector::make({{"a", "1"}, {"a", "2"}});
  REQUIRE(c.ok());
  CHECK(c->contradictory());
  Object o;
  o.indexes = {{"a", "1"}};
  CHECK_FALSE(c->matches(o));
  Result<IndexSelector> same = IndexSelector::make({{"a", "1"}, {"a", "1"}});
  REQUIRE(same.ok());
  CHECK_FALSE(same->contradictory());
  CHECK(same->matches(o));
  Result<IndexSelector> empty = IndexSelector::make({{"", "x"}});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.status().code() == Code::kInvalidArgument);
}
