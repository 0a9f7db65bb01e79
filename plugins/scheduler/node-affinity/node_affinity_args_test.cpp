#include "node_affinity_args.h"

#include <catch2/catch.hpp>

using namespace capstan::sched;

namespace {

std::string errorOf(const std::string& yaml) {
  auto args = decodeNodeAffinityArgs(yaml);
  REQUIRE_FALSE(args.ok());
  CHECK(args.status().code() == capstan::Code::kInvalidArgument);
  return args.status().message();
}

}  // namespace

TEST_CASE("NodeAffinityArgs: no args means no added affinity") {
  for (std::string yaml : {"", "null", "{}", "addedAffinity: null", "addedAffinity: {}"}) {
    INFO(yaml);
    auto args = decodeNodeAffinityArgs(yaml);
    REQUIRE(args.ok());
    CHECK_FALSE(args->addedRequired.has_value());
    CHECK(args->addedPreferred.empty());
  }
}

TEST_CASE("NodeAffinityArgs decodes a v1.NodeAffinity") {
  auto args = decodeNodeAffinityArgs(R"(
addedAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpressions:
      - key: node-role.example.com/batch
        operator: Exists
      - {key: cores, operator: Gt, values: ["4"]}
      matchFields:
      - key: metadata.name
        operator: NotIn
        values: [control-plane-1]
    - matchExpressions:
      - {key: zone, operator: In, values: [a, b]}
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: 30
    preference:
      matchExpressions:
      - {key: disk, operator: In, values: [ssd]}
)");
  REQUIRE(args.ok());
  REQUIRE(args->addedRequired.has_value());
  const auto& terms = *args->addedRequired;
  REQUIRE(terms.size() == 2);
  REQUIRE(terms[0].matchExpressions.size() == 2);
  CHECK(terms[0].matchExpressions[0].key == "node-role.example.com/batch");
  CHECK(terms[0].matchExpressions[0].op == SelectorOp::kExists);
  CHECK(terms[0].matchExpressions[1].op == SelectorOp::kGt);
  CHECK(terms[0].matchExpressions[1].values == std::vector<std::string>{"4"});
  REQUIRE(terms[0].matchFields.size() == 1);
  CHECK(terms[0].matchFields[0].op == SelectorOp::kNotIn);
  CHECK(terms[1].matchExpressions[0].values == std::vector<std::string>{"a", "b"});
  REQUIRE(args->addedPreferred.size() == 1);
  CHECK(args->addedPreferred[0].weight == 30);
  CHECK(args->addedPreferred[0].preference.matchExpressions[0].key == "disk");
}

TEST_CASE("NodeAffinityArgs: an empty nodeSelectorTerms list is kept (it matches no node)") {
  auto args = decodeNodeAffinityArgs(
      "addedAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: []}}");
  REQUIRE(args.ok());
  REQUIRE(args->addedRequired.has_value());
  CHECK(args->addedRequired->empty());
}

TEST_CASE("NodeAffinityArgs refuses unknown fields with their path") {
  CHECK(errorOf("addedAfinity: {}") == "NodeAffinity args: unknown field \"addedAfinity\"");
  CHECK(errorOf("addedAffinity: {requiredDuringSchedulingRequiredDuringExecution: {}}") ==
        "NodeAffinity args: unknown field \"addedAffinity.requiredDuringSchedulingRequiredDuringExecution\"");
  CHECK(errorOf(R"(
addedAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpresions: []
)") == "NodeAffinity args: unknown field "
       "\"addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpresions\"");
  CHECK(errorOf(R"(
addedAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: 1
    preference:
      matchFields: [{key: metadata.name, operator: In, values: [a], value: a}]
)") == "NodeAffinity args: unknown field "
       "\"addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].matchFields[0].value\"");
}

TEST_CASE("NodeAffinityArgs refuses values of the wrong type") {
  CHECK(errorOf("[1, 2]") == "NodeAffinity args: args: expected a mapping");
  CHECK(errorOf("addedAffinity: [a]") == "NodeAffinity args: addedAffinity: expected a mapping");
  CHECK(errorOf("addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: {weight: 1}}") ==
        "NodeAffinity args: addedAffinity.preferredDuringSchedulingIgnoredDuringExecution: expected a list");
  CHECK(errorOf("addedAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: ten}]}") ==
        "NodeAffinity args: addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: expected an "
        "integer, got \"ten\"");
  CHECK_THAT(errorOf("addedAffinity: {unclosed"), Catch::StartsWith("NodeAffinity args: "));
}

TEST_CASE("NodeAffinityArgs validates terms as ValidateNodeAffinityArgs does") {
  SECTION("an unsupported operator") {
    CHECK(errorOf(R"(
addedAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpressions: [{key: zone, operator: Equals, values: [a]}]
)") == "NodeAffinity args: addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
       "matchExpressions[0].operator: Unsupported value: \"Equals\": supported values: \"In\", \"NotIn\", "
       "\"Exists\", \"DoesNotExist\", \"Gt\", \"Lt\"");
  }
  SECTION("In without values") {
    CHECK(errorOf(R"(
addedAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchExpressions: [{key: zone, operator: In}]
)") == "NodeAffinity args: addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
       "matchExpressions[0].values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be "
       "empty");
  }
  SECTION("errors in several terms are reported together, preferred terms without \".preference\"") {
    CHECK(errorOf(R"(
addedAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    nodeSelectorTerms:
    - matchFields: [{key: metadata.name, operator: Exists}]
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: 2
    preference:
      matchExpressions: [{key: cores, operator: Lt, values: [lots]}]
)") == "NodeAffinity args: [addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
       "matchFields[0].operator: Unsupported value: \"Exists\": supported values: \"In\", \"NotIn\", "
       "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].matchExpressions[0].values[0]: Invalid "
       "value: \"lots\": for 'Gt', 'Lt' operators, the value must be an integer]");
  }
  SECTION("a preferred term of weight 0 is not checked (Kubernetes ignores it)") {
    auto args = decodeNodeAffinityArgs(R"(
addedAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: 0
    preference: {matchExpressions: [{key: zone, operator: In}]}
)");
    CHECK(args.ok());
  }
  SECTION("a negative weight is refused") {
    CHECK(errorOf(R"(
addedAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
  - weight: -5
    preference: {matchExpressions: [{key: zone, operator: Exists}]}
)") == "NodeAffinity args: addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid "
       "value: -5: must not be negative");
  }
}
