#include "node_selector.h"

#include <catch2/catch.hpp>

using namespace capstan::sched;

namespace {

NodeInfo labeled(std::string name, Labels labels) {
  NodeInfo n;
  n.name = std::move(name);
  std::sort(labels.begin(), labels.end());
  n.labels = std::move(labels);
  return n;
}

Requirement req(std::string key, SelectorOp op, std::vector<std::string> values = {}) {
  return {std::move(key), op, std::move(values)};
}

NodeSelectorTerm expressions(std::vector<Requirement> r) { return {std::move(r), {}}; }
NodeSelectorTerm fields(std::vector<Requirement> r) { return {{}, std::move(r)}; }

std::vector<std::string> errorsOf(const NodeSelectorTerm& term) {
  std::vector<std::string> errors;
  validateTerm(term, "t", errors);
  return errors;
}

}  // namespace

TEST_CASE("termMatches: label operators") {
  NodeInfo n = labeled("n", {{"zone", "a"}, {"cores", "8"}, {"gen", "x9"}});

  CHECK(termMatches(expressions({req("zone", SelectorOp::kIn, {"a", "b"})}), n));
  CHECK_FALSE(termMatches(expressions({req("zone", SelectorOp::kIn, {"b"})}), n));
  CHECK_FALSE(termMatches(expressions({req("missing", SelectorOp::kIn, {"a"})}), n));
  CHECK(termMatches(expressions({req("zone", SelectorOp::kNotIn, {"b"})}), n));
  CHECK_FALSE(termMatches(expressions({req("zone", SelectorOp::kNotIn, {"a"})}), n));
  // NotIn holds for a node without the label at all.
  CHECK(termMatches(expressions({req("missing", SelectorOp::kNotIn, {"a"})}), n));
  CHECK(termMatches(expressions({req("zone", SelectorOp::kExists)}), n));
  CHECK_FALSE(termMatches(expressions({req("missing", SelectorOp::kExists)}), n));
  CHECK(termMatches(expressions({req("missing", SelectorOp::kDoesNotExist)}), n));
  CHECK_FALSE(termMatches(expressions({req("zone", SelectorOp::kDoesNotExist)}), n));

  SECTION("expressions of one term are ANDed") {
    CHECK(termMatches(expressions({req("zone", SelectorOp::kIn, {"a"}), req("cores", SelectorOp::kExists)}), n));
    CHECK_FALSE(termMatches(expressions({req("zone", SelectorOp::kIn, {"a"}), req("gpu", SelectorOp::kExists)}), n));
  }
}

TEST_CASE("termMatches: Gt and Lt compare integers") {
  NodeInfo n = labeled("n", {{"cores", "8"}, {"gen", "x9"}, {"huge", "99999999999999999999"}, {"pad", "007"}});
  CHECK(termMatches(expressions({req("cores", SelectorOp::kGt, {"4"})}), n));
  CHECK_FALSE(termMatches(expressions({req("cores", SelectorOp::kGt, {"8"})}), n));
  CHECK(termMatches(expressions({req("cores", SelectorOp::kLt, {"16"})}), n));
  CHECK_FALSE(termMatches(expressions({req("cores", SelectorOp::kLt, {"8"})}), n));
  // Numbers, not strings: "8" > "10" as text but not as integers.
  CHECK_FALSE(termMatches(expressions({req("cores", SelectorOp::kGt, {"10"})}), n));
  CHECK(termMatches(expressions({req("pad", SelectorOp::kGt, {"6"})}), n));
  SECTION("a label that is no integer, overflows or is absent never matches") {
    CHECK_FALSE(termMatches(expressions({req("gen", SelectorOp::kGt, {"1"})}), n));
    CHECK_FALSE(termMatches(expressions({req("gen", SelectorOp::kLt, {"1"})}), n));
    CHECK_FALSE(termMatches(expressions({req("huge", SelectorOp::kGt, {"1"})}), n));
    CHECK_FALSE(termMatches(expressions({req("missing", SelectorOp::kLt, {"1"})}), n));
  }
}

TEST_CASE("termMatches: matchFields read metadata.name") {
  NodeInfo n = labeled("node-1", {{"zone", "a"}});
  CHECK(termMatches(fields({req("metadata.name", SelectorOp::kIn, {"node-1"})}), n));
  CHECK_FALSE(termMatches(fields({req("metadata.name", SelectorOp::kIn, {"node-2"})}), n));
  CHECK(termMatches(fields({req("metadata.name", SelectorOp::kNotIn, {"node-2"})}), n));
  CHECK_FALSE(termMatches(fields({req("metadata.name", SelectorOp::kNotIn, {"node-1"})}), n));
  // Any other field reads as empty.
  CHECK_FALSE(termMatches(fields({req("metadata.uid", SelectorOp::kIn, {"node-1"})}), n));
  CHECK(termMatches(fields({req("metadata.uid", SelectorOp::kNotIn, {"node-1"})}), n));

  SECTION("fields and expressions of one term are ANDed") {
    NodeSelectorTerm both{{req("zone", SelectorOp::kIn, {"a"})}, {req("metadata.name", SelectorOp::kIn, {"node-1"})}};
    CHECK(termMatches(both, n));
    both.matchExpressions[0].values = {"b"};
    CHECK_FALSE(termMatches(both, n));
  }
}

TEST_CASE("termMatches: a term without requirements matches nothing") {
  NodeInfo n = labeled("n", {{"zone", "a"}});
  CHECK_FALSE(termMatches(NodeSelectorTerm{}, n));
}

TEST_CASE("validateTerm follows Kubernetes' parsing rules") {
  CHECK(errorsOf(
            expressions({req("zone", SelectorOp::kIn, {"a"}), req("topology.kubernetes.io/zone", SelectorOp::kExists)}))
            .empty());

  CHECK(errorsOf(expressions({req("zone", SelectorOp::kIn)})) ==
        std::vector<std::string>{
            "t.matchExpressions[0].values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't "
            "be empty"});
  CHECK(errorsOf(expressions({req("zone", SelectorOp::kExists, {"a"})})) ==
        std::vector<std::string>{"t.matchExpressions[0].values: Invalid value: []string{\"a\"}: values set must be "
                                 "empty for exists and does not exist"});
  CHECK(errorsOf(expressions({req("cores", SelectorOp::kGt, {"1", "2"})})) ==
        std::vector<std::string>{"t.matchExpressions[0].values: Invalid value: []string{\"1\", \"2\"}: for 'Gt', 'Lt' "
                                 "operators, exactly one value is required"});
  CHECK(errorsOf(expressions({req("cores", SelectorOp::kLt, {"many"})})) ==
        std::vector<std::string>{
            "t.matchExpressions[0].values[0]: Invalid value: \"many\": for 'Gt', 'Lt' operators, the value must be an "
            "integer"});

  SECTION("a negative Gt value is an integer but no valid label value") {
    auto errors = errorsOf(expressions({req("cores", SelectorOp::kGt, {"-1"})}));
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::StartsWith("t.matchExpressions[0].values[0][cores]: Invalid value: \"-1\": a valid "
                                            "label must be an empty string"));
  }
  SECTION("keys must be qualified names") {
    auto errors = errorsOf(expressions({req("bad key", SelectorOp::kExists)}));
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::StartsWith("t.matchExpressions[0].key: Invalid value: \"bad key\": name part must "
                                            "consist of alphanumeric characters"));
    CHECK(errorsOf(expressions({req("Example.com/x", SelectorOp::kExists)})).size() == 1);
    CHECK(errorsOf(expressions({req("/x", SelectorOp::kExists)})).size() == 1);
    CHECK(errorsOf(expressions({req("a/b/c", SelectorOp::kExists)})).size() == 1);
    CHECK(errorsOf(expressions({req(std::string(64, 'k'), SelectorOp::kExists)})).size() == 1);
    CHECK(errorsOf(expressions({req("example.com/" + std::string(63, 'k'), SelectorOp::kExists)})).empty());
  }
  SECTION("matchFields take In or NotIn with exactly one value") {
    CHECK(errorsOf(fields({req("metadata.name", SelectorOp::kExists)})) ==
          std::vector<std::string>{
              "t.matchFields[0].operator: Unsupported value: \"Exists\": supported values: \"In\", \"NotIn\""});
    CHECK(errorsOf(fields({req("metadata.name", SelectorOp::kIn, {"a", "b"})})) ==
          std::vector<std::string>{
              "t.matchFields[0].values: Invalid value: []string{\"a\", \"b\"}: must have one element"});
  }
}

TEST_CASE("RequiredNodeSelector ORs its terms and drops invalid ones lazily") {
  NodeInfo a = labeled("a", {{"zone", "a"}});
  NodeInfo b = labeled("b", {{"zone", "b"}});
  std::vector<NodeSelectorTerm> terms{expressions({req("zone", SelectorOp::kIn, {"a"})}),
                                      expressions({req("zone", SelectorOp::kIn, {"b"})})};
  auto selector = RequiredNodeSelector::lazy(terms);
  CHECK(selector.matches(a));
  CHECK(selector.matches(b));

  SECTION("an invalid term matches nothing but does not spoil the others") {
    terms[1] = expressions({req("zone", SelectorOp::kNotIn)});  // NotIn without values
    auto lazy = RequiredNodeSelector::lazy(terms);
    CHECK(lazy.matches(a));
    CHECK_FALSE(lazy.matches(b));
  }
  SECTION("strict parsing reports every error with its path") {
    terms[0] = expressions({req("zone", SelectorOp::kIn)});
    terms[1] = fields({req("metadata.name", SelectorOp::kGt, {"1"})});
    std::vector<std::string> errors;
    RequiredNodeSelector::parse(terms, "root", errors);
    REQUIRE(errors.size() == 2);
    CHECK_THAT(errors[0], Catch::StartsWith("root.nodeSelectorTerms[0].matchExpressions[0].values: "));
    CHECK_THAT(errors[1], Catch::StartsWith("root.nodeSelectorTerms[1].matchFields[0].operator: "));
    CHECK(joinErrors(errors) == "[" + errors[0] + ", " + errors[1] + "]");
  }
  SECTION("no terms: nothing matches") { CHECK_FALSE(RequiredNodeSelector::lazy({}).matches(a)); }
}

TEST_CASE("PreferredSchedulingTerms sums the weights of matching terms") {
  NodeInfo n = labeled("n", {{"zone", "a"}, {"disk", "ssd"}});
  std::vector<PreferredSchedulingTerm> terms{{10, expressions({req("zone", SelectorOp::kIn, {"a"})})},
                                             {5, expressions({req("disk", SelectorOp::kIn, {"ssd"})})},
                                             {20, expressions({req("gpu", SelectorOp::kExists)})},
                                             {7, fields({req("metadata.name", SelectorOp::kIn, {"n"})})}};
  std::vector<std::string> errors;
  auto preferred = PreferredSchedulingTerms::parse(terms, "", errors);
  CHECK(errors.empty());
  CHECK(preferred.score(n) == 22);

  SECTION("weight 0 terms are ignored, even invalid ones") {
    terms = {{0, expressions({req("zone", SelectorOp::kIn)})}, {3, expressions({req("zone", SelectorOp::kExists)})}};
    auto p = PreferredSchedulingTerms::parse(terms, "", errors);
    CHECK(errors.empty());
    CHECK(p.score(n) == 3);
  }
  SECTION("an invalid weighted term is an error naming its index") {
    terms = {{3, expressions({req("zone", SelectorOp::kExists)})}, {4, expressions({req("zone", SelectorOp::kIn)})}};
    PreferredSchedulingTerms::parse(terms, "", errors);
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::StartsWith("[1].matchExpressions[0].values: "));
  }
}
