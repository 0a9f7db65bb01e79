#include "ssa.h"

#include <catch2/catch.hpp>

#include "schema/k8s/core_v1.codec.h"

using namespace capstan;
using namespace capstan::kube;

namespace {

json::Value parse(const char* text) {
  auto v = json::parse(text);
  REQUIRE(v.ok());
  return *v;
}

const k8s::StructInfo* service() { return &k8s::core::v1::serviceInfo; }

const char* kApplied = R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","labels":{"app":"web","tier":"a"}},
  "spec":{"selector":{"app":"web"},"ports":[{"port":80,"protocol":"TCP","targetPort":8080}]}})";

}  // namespace

TEST_CASE("the field set of an applied configuration keys associative list items") {
  json::Value set = fieldSet(parse(kApplied), service());
  std::string text = json::serialize(set);
  CHECK(text.find(R"("f:metadata":{"f:labels":{"f:app":{},"f:tier":{}}})") != std::string::npos);
  CHECK(text.find(R"("k:{\"port\":80,\"protocol\":\"TCP\"}":{"f:port":{},"f:protocol":{},"f:targetPort":{},".":{}})") !=
        std::string::npos);
  CHECK(text.find("apiVersion") == std::string::npos);
}

TEST_CASE("a manager's re-apply removes what it no longer applies, and only that") {
  auto first = serverSideApply(json::Value(), parse(kApplied), "m1", false, service(), "v1", "t0");
  REQUIRE(first.ok());
  json::Value live = first->object;
  // Someone else's label survives m1's re-apply.
  live.find("metadata")->find("labels")->set("extra", "x");
  auto second = serverSideApply(live, parse(R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web","labels":{"app":"web"}},
    "spec":{"selector":{"app":"web"},"ports":[{"port":81,"protocol":"TCP"}]}})"),
                                "m1", false, service(), "v1", "t1");
  REQUIRE(second.ok());
  REQUIRE(second->conflicts.empty());
  const json::Value& labels = second->object["metadata"]["labels"];
  CHECK(labels.find("app"));
  CHECK_FALSE(labels.find("tier"));
  CHECK(labels.find("extra"));
  const json::Value& ports = second->object["spec"]["ports"];
  REQUIRE(ports.size() == 1);
  CHECK(ports.items()[0]["port"].asInt() == 81);
  CHECK(second->object["metadata"]["managedFields"].size() == 1);
}

TEST_CASE("apply managers conflict on fields they set differently; force takes them over") {
  auto first = serverSideApply(json::Value(), parse(kApplied), "m1", false, service(), "v1", "t0");
  REQUIRE(first.ok());
  const char* other = R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
    "spec":{"ports":[{"port":80,"protocol":"TCP","targetPort":9090}]}})";
  auto refused = serverSideApply(first->object, parse(other), "m2", false, service(), "v1", "t1");
  REQUIRE(refused.ok());
  REQUIRE(refused->conflicts.size() == 1);
  CHECK(refused->conflicts[0].manager == "m1");
  CHECK(refused->conflicts[0].path == R"(.spec.ports[port=80,protocol="TCP"].targetPort)");

  // The same value is no conflict: both managers own it.
  const char* same = R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},
    "spec":{"ports":[{"port":80,"protocol":"TCP","targetPort":8080}]}})";
  auto shared = serverSideApply(first->object, parse(same), "m2", false, service(), "v1", "t1");
  REQUIRE(shared.ok());
  CHECK(shared->conflicts.empty());

  auto forced = serverSideApply(first->object, parse(other), "m2", true, service(), "v1", "t1");
  REQUIRE(forced.ok());
  CHECK(forced->conflicts.empty());
  CHECK(forced->object["spec"]["ports"].items()[0]["targetPort"].asInt() == 9090);
  // m1 no longer owns targetPort.
  std::string m1 = json::serialize(forced->object["metadata"]["managedFields"].items()[0]["fieldsV1"]);
  CHECK(m1.find("f:targetPort") == std::string::npos);
}
