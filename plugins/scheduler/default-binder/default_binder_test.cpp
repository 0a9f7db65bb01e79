#include "default_binder.h"

#include <catch2/catch.hpp>

#include "capstan/json.h"
#include "capstan/scheduler_testing.h"

using namespace capstan;
using namespace capstan::sched;

namespace {

// The API side of the unit test: records the batch and answers as told. The integration test
// (tests/scheduler_test.cpp) binds through the real API plugin.
class RecordingHandle : public TestFrameworkHandle {
 public:
  std::string apiBatch(const std::string& requests) override {
    sent.push_back(requests);
    if (fail) throw std::runtime_error("the API plugin \"api\" is not loaded");
    return answer;
  }
  std::vector<std::string> sent;
  std::string answer;
  bool fail = false;
};

PodInfoPtr pod(const std::string& name) {
  auto p = std::make_shared<PodInfo>();
  p->ns = "default";
  p->name = name;
  p->uid = "uid-" + name;
  return p;
}

}  // namespace

TEST_CASE("DefaultBinder binds a batch of pods in one API call through the binding subresource") {
  DefaultBinder binder;
  RecordingHandle api;
  api.answer = R"([{"code":201,"body":{"kind":"Status","status":"Success"}},)"
               R"({"code":409,"body":{"kind":"Status","reason":"Conflict","message":"pod b is already assigned to node \"n2\""}}])";
  std::vector<BindItem> items{{nullptr, pod("a"), "n1"}, {nullptr, pod("b"), "n1"}};
  std::vector<StageStatus> out(2);
  binder.bind(api, items, out);

  REQUIRE(api.sent.size() == 1);
  auto sent = json::parse(api.sent[0]);
  REQUIRE(sent.ok());
  REQUIRE(sent->items().size() == 2);
  const json::Value& first = sent->items()[0];
  CHECK(first["verb"].asString() == "create");
  CHECK(first["resource"].asString() == "pods");
  CHECK(first["subresource"].asString() == "binding");
  CHECK(first["name"].asString() == "a");
  CHECK(first["body"]["kind"].asString() == "Binding");
  CHECK(first["body"]["metadata"]["uid"].asString() == "uid-a");
  CHECK(first["body"]["target"]["name"].asString() == "n1");

  CHECK(out[0].ok());
  CHECK(out[1].code == sched::Code::kError);
  CHECK(out[1].message == "pod b is already assigned to node \"n2\"");
}

TEST_CASE("DefaultBinder fails every pod of the batch when the API cannot be reached") {
  DefaultBinder binder;
  RecordingHandle api;
  api.fail = true;
  std::vector<BindItem> items{{nullptr, pod("a"), "n1"}};
  std::vector<StageStatus> out(1);
  binder.bind(api, items, out);
  CHECK(out[0].code == sched::Code::kError);
  CHECK(out[0].message == "the API plugin \"api\" is not loaded");

  api.fail = false;
  api.answer = "[]";  // an answer of the wrong length
  binder.bind(api, items, out);
  CHECK(out[0].message == "unexpected answer from the API to a binding batch");
}
