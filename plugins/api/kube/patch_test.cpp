#include <catch2/catch.hpp>

#include <string>

#include "capstan/json.h"
#include "capstan/k8s/codec.h"
#include "patch.h"

using capstan::Code;
using capstan::json::Value;
using capstan::k8s::FieldInfo;
using capstan::k8s::FieldKind;
using capstan::k8s::StructInfo;
using capstan::kube::applyJsonPatch;
using capstan::kube::applyMergePatch;
using capstan::kube::applyStrategicMergePatch;

namespace Catch {
template <>
struct StringMaker<Value> {
  static std::string convert(const Value& v) { return capstan::json::serialize(v); }
};
}  // namespace Catch

namespace {

Value J(std::string_view text) {
  auto r = capstan::json::parse(text);
  INFO(text);
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string S(const Value& v) { return capstan::json::serialize(v); }

constexpr FieldInfo F(std::string_view name, FieldKind kind, FieldKind elem = FieldKind::kString,
                      const StructInfo* info = nullptr, std::string_view strategy = "", std::string_view key = "") {
  return FieldInfo{name, kind, elem, info, false, false, false, 0, strategy, key, "", "", "", ""};
}

// A small Deployment-like schema with the patch metadata Kubernetes' types carry.

const FieldInfo kContainerPortFields[] = {
    F("containerPort", FieldKind::kInt, FieldKind::kInt),
    F("protocol", FieldKind::kString),
    F("name", FieldKind::kString),
};
const StructInfo kContainerPort{"ContainerPort", "io.k8s.api.core.v1.ContainerPort", "", kContainerPortFields};

const FieldInfo kEnvVarFields[] = {
    F("name", FieldKind::kString),
    F("value", FieldKind::kString),
};
const StructInfo kEnvVar{"EnvVar", "io.k8s.api.core.v1.EnvVar", "", kEnvVarFields};

const FieldInfo kContainerFields[] = {
    F("name", FieldKind::kString),
    F("image", FieldKind::kString),
    F("args", FieldKind::kList, FieldKind::kString),
    F("ports", FieldKind::kList, FieldKind::kStruct, &kContainerPort, "merge", "containerPort"),
    F("env", FieldKind::kList, FieldKind::kStruct, &kEnvVar, "merge", "name"),
};
const StructInfo kContainer{"Container", "io.k8s.api.core.v1.Container", "", kContainerFields};

const FieldInfo kEmptyDirFields[] = {F("medium", FieldKind::kString), F("sizeLimit", FieldKind::kQuantity)};
const StructInfo kEmptyDir{"EmptyDirVolumeSource", "", "", kEmptyDirFields};
const FieldInfo kHostPathFields[] = {F("path", FieldKind::kString), F("type", FieldKind::kString)};
const StructInfo kHostPath{"HostPathVolumeSource", "", "", kHostPathFields};

const FieldInfo kVolumeFields[] = {
    F("name", FieldKind::kString),
    F("emptyDir", FieldKind::kStruct, FieldKind::kStruct, &kEmptyDir),
    F("hostPath", FieldKind::kStruct, FieldKind::kStruct, &kHostPath),
};
const StructInfo kVolume{"Volume", "io.k8s.api.core.v1.Volume", "", kVolumeFields};

const FieldInfo kConditionFields[] = {F("status", FieldKind::kString), F("reason", FieldKind::kString)};
const StructInfo kCondition{"Condition", "", "", kConditionFields};

const FieldInfo kPodSpecFields[] = {
    F("containers", FieldKind::kList, FieldKind::kStruct, &kContainer, "merge", "name"),
    F("volumes", FieldKind::kList, FieldKind::kStruct, &kVolume, "merge,retainKeys", "name"),
    F("nodeSelector", FieldKind::kMap, FieldKind::kString),
    F("gates", FieldKind::kMap, FieldKind::kStruct, &kCondition),
    F("affinity", FieldKind::kStruct, FieldKind::kStruct, &kCondition, "replace"),
    F("overhead", FieldKind::kMap, FieldKind::kQuantity),
    F("priority", FieldKind::kInt, FieldKind::kInt),
};
const StructInfo kPodSpec{"PodSpec", "io.k8s.api.core.v1.PodSpec", "", kPodSpecFields};

const FieldInfo kMetaFields[] = {
    F("name", FieldKind::kString),
    F("labels", FieldKind::kMap, FieldKind::kString),
    F("annotations", FieldKind::kMap, FieldKind::kString),
    F("finalizers", FieldKind::kList, FieldKind::kString, nullptr, "merge"),
};
const StructInfo kMeta{"ObjectMeta", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "", kMetaFields};

const FieldInfo kTemplateFields[] = {
    F("metadata", FieldKind::kStruct, FieldKind::kStruct, &kMeta),
    F("spec", FieldKind::kStruct, FieldKind::kStruct, &kPodSpec),
};
const StructInfo kTemplate{"PodTemplateSpec", "", "", kTemplateFields};

const FieldInfo kRollingUpdateFields[] = {F("maxSurge", FieldKind::kIntOrString), F("maxUnavailable", FieldKind::kIntOrString)};
const StructInfo kRollingUpdate{"RollingUpdateDeployment", "", "", kRollingUpdateFields};
const FieldInfo kStrategyFields[] = {
    F("type", FieldKind::kString),
    F("rollingUpdate", FieldKind::kStruct, FieldKind::kStruct, &kRollingUpdate),
};
const StructInfo kStrategy{"DeploymentStrategy", "", "", kStrategyFields};

const FieldInfo kDeploymentSpecFields[] = {
    F("replicas", FieldKind::kInt, FieldKind::kInt),
    F("strategy", FieldKind::kStruct, FieldKind::kStruct, &kStrategy, "retainKeys"),
    F("template", FieldKind::kStruct, FieldKind::kStruct, &kTemplate),
};
const StructInfo kDeploymentSpec{"DeploymentSpec", "", "", kDeploymentSpecFields};

const FieldInfo kDeploymentFields[] = {
    F("apiVersion", FieldKind::kString),
    F("kind", FieldKind::kString),
    F("metadata", FieldKind::kStruct, FieldKind::kStruct, &kMeta),
    F("spec", FieldKind::kStruct, FieldKind::kStruct, &kDeploymentSpec),
    F("extra", FieldKind::kRawJson, FieldKind::kRawJson),
};
const StructInfo kDeployment{"Deployment", "io.k8s.api.apps.v1.Deployment", "", kDeploymentFields};

Value smp(std::string_view target, std::string_view patch, const StructInfo* schema = &kDeployment) {
  auto r = applyStrategicMergePatch(J(target), J(patch), schema);
  INFO(patch << " -> " << r.status().toString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

// PodSpec-rooted shorthand.
Value pod(std::string_view target, std::string_view patch) { return smp(target, patch, &kPodSpec); }

std::string smpError(std::string_view target, std::string_view patch, const StructInfo* schema = &kDeployment) {
  auto r = applyStrategicMergePatch(J(target), J(patch), schema);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

bool hasDirective(const Value& v) {
  if (v.isObject()) {
    for (const auto& [k, m] : v.members()) {
      if (!k.empty() && k[0] == '$') return true;
      if (hasDirective(m)) return true;
    }
  } else if (v.isArray()) {
    for (const auto& i : v.items())
      if (hasDirective(i)) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Strategic merge patch

TEST_CASE("smp: kubectl client-side apply patch", "[patch][smp]") {
  const char* live = R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {"replicas": 2, "template": {
      "metadata": {"labels": {"app": "web"}},
      "spec": {"containers": [{
        "name": "nginx", "image": "nginx:1.25",
        "env": [{"name": "MODE", "value": "blue"}, {"name": "SERVER", "value": "x"}],
        "ports": [{"containerPort": 80, "protocol": "TCP"}]
      }]}}}})";
  const char* patch =
      R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"$setElementOrder/env":[{"name":"MODE"},{"name":"EXTRA"}],"env":[{"name":"MODE","value":"green"},{"name":"EXTRA","value":"1"}],"image":"nginx:1.26","name":"nginx"}]}}}})";
  Value out = smp(live, patch);
  const Value& c = out["spec"]["template"]["spec"]["containers"];
  REQUIRE(c.size() == 1);
  CHECK(c.items()[0]["image"].asString() == "nginx:1.26");
  // Ordered as $setElementOrder says; the env var only the server had stays, after them.
  CHECK(c.items()[0]["env"] ==
        J(R"([{"name":"MODE","value":"green"},{"name":"EXTRA","value":"1"},{"name":"SERVER","value":"x"}])"));
  CHECK(c.items()[0]["ports"] == J(R"([{"containerPort":80,"protocol":"TCP"}])"));
  CHECK(out["spec"]["replicas"].asInt() == 2);
  CHECK(out["metadata"]["labels"]["app"].asString() == "web");
  CHECK_FALSE(hasDirective(out));

  // The next apply drops EXTRA (it was in last-applied) and reorders.
  Value next = smp(S(out), R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"$setElementOrder/env":[{"name":"SERVER"},{"name":"MODE"}],"env":[{"$patch":"delete","name":"EXTRA"}],"name":"nginx"}]}}}})");
  CHECK(next["spec"]["template"]["spec"]["containers"].items()[0]["env"] ==
        J(R"([{"name":"SERVER","value":"x"},{"name":"MODE","value":"green"}])"));
  CHECK_FALSE(hasDirective(next));
}

TEST_CASE("smp: null deletes a key, maps merge recursively", "[patch][smp]") {
  Value out = smp(R"({"metadata":{"name":"a","labels":{"x":"1","y":"2"},"annotations":{"k":"v"}},"spec":{"replicas":3}})",
                  R"({"metadata":{"labels":{"x":null,"z":"3"},"annotations":null},"spec":{"replicas":null},"missing":null})");
  CHECK(out == J(R"({"metadata":{"name":"a","labels":{"y":"2","z":"3"}},"spec":{}})"));
  // New keys do not carry nulls or directives along.
  Value fresh = smp("{}", R"({"metadata":{"labels":{"a":"1","gone":null}},"spec":{"template":{"spec":{"containers":[{"name":"c","$patch":"merge","env":[{"name":"E","value":null}]}]}}}})");
  CHECK(fresh == J(R"({"metadata":{"labels":{"a":"1"}},"spec":{"template":{"spec":{"containers":[{"name":"c","env":[{"name":"E"}]}]}}}})"));
  CHECK_FALSE(hasDirective(fresh));
}

TEST_CASE("smp: lists of structs merge by key", "[patch][smp]") {
  const char* live = R"({"containers":[
      {"name":"a","image":"a:1","ports":[{"containerPort":80},{"containerPort":443,"name":"https"}]},
      {"name":"b","image":"b:1"}]})";
  Value out = pod(live, R"({"containers":[{"name":"b","image":"b:2"},{"name":"a","ports":[{"containerPort":443,"protocol":"TCP"}]}]})");
  // The patch's order wins for the elements it names.
  CHECK(out == J(R"({"containers":[
      {"name":"b","image":"b:2"},
      {"name":"a","image":"a:1","ports":[{"containerPort":80},{"containerPort":443,"name":"https","protocol":"TCP"}]}]})"));

  // New elements: apimachinery puts patch elements unknown to the server ahead of the
  // server-only ones that follow them.
  Value added = pod(live, R"({"containers":[{"name":"c","image":"c:1"}]})");
  CHECK(S(added["containers"]) ==
        S(J(R"([{"name":"c","image":"c:1"},{"name":"a","image":"a:1","ports":[{"containerPort":80},{"containerPort":443,"name":"https"}]},{"name":"b","image":"b:1"}])")));
}

TEST_CASE("smp: order rules from apimachinery's tests", "[patch][smp]") {
  // "preserve the order from the patch in a merging list"
  CHECK(pod(R"({"containers":[{"name":"1"},{"name":"2","image":"b"},{"name":"3"}]})",
            R"({"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"},{"name":"2","args":["x"]}]})") ==
        J(R"({"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"},{"name":"2","image":"b","args":["x"]}]})"));
  // "... 2": server-only elements are woven in by their live position.
  CHECK(pod(R"({"containers":[{"name":"1"},{"name":"2","image":"b"},{"name":"3"}]})",
            R"({"containers":[{"name":"3","image":"c"},{"name":"1","image":"a"}]})") ==
        J(R"({"containers":[{"name":"2","image":"b"},{"name":"3","image":"c"},{"name":"1","image":"a"}]})"));
  // "merge lists of maps" with $setElementOrder naming new and existing elements.
  CHECK(pod(R"({"containers":[{"name":"1","image":"a"},{"name":"2","image":"b"}]})",
            R"({"$setElementOrder/containers":[{"name":"4"},{"name":"1"},{"name":"2"},{"name":"3"}],
                "containers":[{"name":"4","image":"4"},{"name":"3","image":"3"}]})") ==
        J(R"({"containers":[{"name":"4","image":"4"},{"name":"1","image":"a"},{"name":"2","image":"b"},{"name":"3","image":"3"}]})"));
  // A sidecar another client injected keeps its place relative to the others.
  CHECK(pod(R"({"containers":[{"name":"istio"},{"name":"app","image":"1"}]})",
            R"({"$setElementOrder/containers":[{"name":"app"}],"containers":[{"name":"app","image":"2"}]})") ==
        J(R"({"containers":[{"name":"istio"},{"name":"app","image":"2"}]})"));
  // $setElementOrder alone reorders; names absent from the list are ignored.
  CHECK(pod(R"({"containers":[{"name":"1"},{"name":"3"}]})",
            R"({"$setElementOrder/containers":[{"name":"3"},{"name":"2"},{"name":"1"}]})") ==
        J(R"({"containers":[{"name":"3"},{"name":"1"}]})"));
  // "nested patch merge with empty list"
  CHECK(pod(R"({"containers":[{"name":"hello2"}]})",
            R"({"$setElementOrder/containers":[{"name":"hello"},{"name":"doesntexist"}],
                "containers":[{"name":"hello"},{"$patch":"delete","name":"doesntexist"}]})") ==
        J(R"({"containers":[{"name":"hello"},{"name":"hello2"}]})"));
  CHECK(pod("{}", R"({"containers":[{"name":"hello"},{"$patch":"delete","name":"doesntexist"}]})") ==
        J(R"({"containers":[{"name":"hello"}]})"));
}

TEST_CASE("smp: $patch delete and replace", "[patch][smp]") {
  const char* live = R"({"containers":[{"name":"a"},{"name":"b"},{"name":"a"},{"name":"c"}],
                         "nodeSelector":{"disk":"ssd","zone":"z1"},"gates":{"g":{"status":"True"}}})";
  // Deletes every element with the key ("delete all duplicate entries in a merging list").
  CHECK(pod(live, R"({"containers":[{"name":"a","$patch":"delete"}]})")["containers"] ==
        J(R"([{"name":"b"},{"name":"c"}])"));
  CHECK(pod(live, R"({"containers":[{"name":"a","$patch":"delete"},{"name":"b","$patch":"delete"},{"name":"c","$patch":"delete"}]})")["containers"] ==
        J("[]"));
  // Replace the whole list.
  CHECK(pod(live, R"({"containers":[{"name":"z","image":"z"},{"$patch":"replace"}]})")["containers"] ==
        J(R"([{"name":"z","image":"z"}])"));
  CHECK(pod(live, R"({"containers":[{"$patch":"replace"}]})")["containers"] == J("[]"));
  // Replace and delete a map.
  CHECK(pod(live, R"({"nodeSelector":{"$patch":"replace","zone":"z2"}})")["nodeSelector"] == J(R"({"zone":"z2"})"));
  CHECK(pod(live, R"({"nodeSelector":{"$patch":"delete"}})")["nodeSelector"] == J("{}"));
  // At the root: "delete all keys from map" / "add key and delete all keys from map".
  CHECK(pod(R"({"priority":1,"nodeSelector":{"a":"b"}})", R"({"$patch":"replace"})") == J("{}"));
  CHECK(pod(R"({"priority":1,"nodeSelector":{"a":"b"}})", R"({"$patch":"replace","priority":2})") == J(R"({"priority":2})"));
  CHECK_FALSE(hasDirective(pod(live, R"({"gates":{"g":{"$patch":"replace","reason":"r"}}})")));
  CHECK(pod(live, R"({"gates":{"g":{"$patch":"replace","reason":"r"}}})")["gates"] == J(R"({"g":{"reason":"r"}})"));
}

TEST_CASE("smp: struct fields with patchStrategy replace", "[patch][smp]") {
  CHECK(pod(R"({"affinity":{"status":"a","reason":"b"}})", R"({"affinity":{"reason":"c"}})") ==
        J(R"({"affinity":{"reason":"c"}})"));
}

TEST_CASE("smp: maps of structs merge per value", "[patch][smp]") {
  Value out = pod(R"({"gates":{"a":{"status":"True","reason":"x"},"b":{"status":"False"}}})",
                  R"({"gates":{"a":{"reason":null},"b":null,"c":{"status":"Unknown","reason":null}}})");
  CHECK(out == J(R"({"gates":{"a":{"status":"True"},"c":{"status":"Unknown"}}})"));
}

TEST_CASE("smp: $retainKeys", "[patch][smp]") {
  const char* live = R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}}}})";
  CHECK(smp(live, R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})") ==
        J(R"({"spec":{"strategy":{"type":"Recreate"}}})"));
  // Retained keys merge as usual.
  CHECK(smp(live, R"({"spec":{"strategy":{"$retainKeys":["type","rollingUpdate"],"rollingUpdate":{"maxSurge":2}}}})") ==
        J(R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":2,"maxUnavailable":0}}}})"));
  // Without the directive the map merges normally.
  CHECK(smp(live, R"({"spec":{"strategy":{"type":"Recreate"}}})")["spec"]["strategy"]["rollingUpdate"]["maxSurge"].asInt() == 1);
  // Inside merged list elements (a volume switching its source).
  CHECK(pod(R"({"volumes":[{"name":"v","emptyDir":{}},{"name":"w","emptyDir":{}}]})",
            R"({"volumes":[{"$retainKeys":["hostPath","name"],"name":"v","hostPath":{"path":"/data"}}]})") ==
        J(R"({"volumes":[{"name":"v","hostPath":{"path":"/data"}},{"name":"w","emptyDir":{}}]})"));
  // The patch may only set keys it retains.
  CHECK(smpError(live, R"({"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{"maxSurge":2}}}})")
            .find("$retainKeys does not list \"rollingUpdate\"") != std::string::npos);
  CHECK(smpError(live, R"({"spec":{"strategy":{"$retainKeys":"type"}}})").find("spec.strategy") != std::string::npos);
}

TEST_CASE("smp: primitive lists", "[patch][smp]") {
  // Merge strategy: set union, live order first.
  CHECK(smp(R"({"metadata":{"finalizers":["a","b"]}})", R"({"metadata":{"finalizers":["b","c"]}})") ==
        J(R"({"metadata":{"finalizers":["a","b","c"]}})"));
  // "preserve the order from the patch in a merging int list"
  CHECK(smp(R"({"metadata":{"finalizers":[1,2,3]}})", R"({"metadata":{"finalizers":[3,1]}})") ==
        J(R"({"metadata":{"finalizers":[2,3,1]}})"));
  CHECK(smp(R"({"metadata":{"finalizers":["a","a","b"]}})", R"({"metadata":{"finalizers":["b"]}})") ==
        J(R"({"metadata":{"finalizers":["a","b"]}})"));
  // $deleteFromPrimitiveList, with and without additions and order.
  CHECK(smp(R"({"metadata":{"finalizers":["a","b","c","b"]}})", R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","zz"]}})") ==
        J(R"({"metadata":{"finalizers":["a","c"]}})"));
  CHECK(smp(R"({"metadata":{"finalizers":[1,2,3,4]}})",
            R"({"metadata":{"$setElementOrder/finalizers":[1,2,5],"$deleteFromPrimitiveList/finalizers":[3],"finalizers":[5]}})") ==
        J(R"({"metadata":{"finalizers":[1,2,5,4]}})"));
  CHECK(smp(R"({"metadata":{"finalizers":[1,2,3,4]}})",
            R"({"metadata":{"$setElementOrder/finalizers":[2,1],"$deleteFromPrimitiveList/finalizers":[3]}})") ==
        J(R"({"metadata":{"finalizers":[2,1,4]}})"));
  // Deleting from a list that is not there does not create it.
  CHECK(smp(R"({"metadata":{"name":"x"}})", R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"]}})") ==
        J(R"({"metadata":{"name":"x"}})"));
  // Works on lists without merge strategy as well.
  CHECK(pod(R"({"containers":[{"name":"a","args":["1","2","3"]}]})",
            R"({"containers":[{"name":"a","$deleteFromPrimitiveList/args":["2"]}]})") ==
        J(R"({"containers":[{"name":"a","args":["1","3"]}]})"));
  // No strategy: replaced entirely.
  CHECK(pod(R"({"containers":[{"name":"a","args":["1","2"]}]})", R"({"containers":[{"name":"a","args":["3"]}]})") ==
        J(R"({"containers":[{"name":"a","args":["3"]}]})"));
}

TEST_CASE("smp: unknown fields and a null schema merge as RFC 7386", "[patch][smp]") {
  const char* live = R"({"spec":{"replicas":1,"unknown":{"a":[1,2],"b":{"c":1}}},"extra":{"x":[{"name":"a","v":1}]}})";
  const char* patch = R"({"spec":{"unknown":{"a":[3],"b":{"c":null,"d":2}}},"extra":{"x":[{"name":"b","v":null}]}})";
  Value expected = J(R"({"spec":{"replicas":1,"unknown":{"a":[3],"b":{"d":2}}},"extra":{"x":[{"name":"b","v":null}]}})");
  CHECK(smp(live, patch) == expected);
  CHECK(smp(live, patch, nullptr) == expected);
  // With a schema containers merge; without one they are replaced.
  CHECK(pod(R"({"containers":[{"name":"a"}]})", R"({"containers":[{"name":"b"}]})") ==
        J(R"({"containers":[{"name":"b"},{"name":"a"}]})"));
  CHECK(smp(R"({"containers":[{"name":"a"}]})", R"({"containers":[{"name":"b"}]})", nullptr) ==
        J(R"({"containers":[{"name":"b"}]})"));
  // Type changes replace.
  CHECK(smp(R"({"spec":{"replicas":{"odd":1}}})", R"({"spec":{"replicas":3}})") == J(R"({"spec":{"replicas":3}})"));
  CHECK(smp(R"({"spec":"x"})", R"({"spec":{"replicas":3}})") == J(R"({"spec":{"replicas":3}})"));
}

TEST_CASE("smp: errors", "[patch][smp]") {
  CHECK(smpError("{}", "[]") == "strategic merge patch: the patch must be a JSON object");
  CHECK(smpError(R"({"containers":[{"name":"a"}]})", R"({"containers":[{"image":"b"}]})", &kPodSpec) ==
        "strategic merge patch: containers[0]: element does not contain declared merge key \"name\"");
  CHECK(smpError(R"({"containers":[{"name":"a"}]})", R"({"containers":[{"$patch":"delete"}]})", &kPodSpec)
            .find("does not contain declared merge key") != std::string::npos);
  CHECK(smpError(R"({"containers":[]})", R"({"containers":["a"]})", &kPodSpec) ==
        "strategic merge patch: containers[0]: list element is not an object");
  CHECK(smpError("{}", R"({"spec":{"$patch":"explode"}})") ==
        "strategic merge patch: spec: unknown $patch directive \"explode\"");
  CHECK(smpError(R"({"containers":[{"name":"1"},{"name":"3"},{"name":"2"}]})",
                 R"({"$setElementOrder/containers":[{"name":"1"},{"name":"2"},{"name":"3"}],"containers":[{"name":"3"},{"name":"1"}]})",
                 &kPodSpec)
            .find("does not match its $setElementOrder") != std::string::npos);
  CHECK(smpError(R"({"metadata":{"finalizers":[1,3,2]}})",
                 R"({"metadata":{"$setElementOrder/finalizers":[1,2,3],"finalizers":[3,1]}})")
            .find("metadata.finalizers") != std::string::npos);
  CHECK(smpError("{}", R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})").find("must be a list") !=
        std::string::npos);
}

TEST_CASE("smp: the target is not modified", "[patch][smp]") {
  Value live = J(R"({"metadata":{"labels":{"a":"1"}}})");
  Value copy = live;
  auto r = applyStrategicMergePatch(live, J(R"({"metadata":{"labels":{"a":null}}})"), &kDeployment);
  REQUIRE(r.ok());
  CHECK(live == copy);
  CHECK(S(live) == S(copy));
}

// ---------------------------------------------------------------------------------------
// JSON Patch (RFC 6902, examples from appendix A)

namespace {

Value jp(std::string_view target, std::string_view patch) {
  auto r = applyJsonPatch(J(target), J(patch));
  INFO(patch << " -> " << r.status().toString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string jpError(std::string_view target, std::string_view patch) {
  auto r = applyJsonPatch(J(target), J(patch));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  return r.status().message();
}

}  // namespace

TEST_CASE("json patch: RFC 6902 appendix A", "[patch][jsonpatch]") {
  // A.1 - A.10
  CHECK(S(jp(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux"}])")) == R"({"foo":"bar","baz":"qux"})");
  CHECK(jp(R"({"foo":["bar","baz"]})", R"([{"op":"add","path":"/foo/1","value":"qux"}])") ==
        J(R"({"foo":["bar","qux","baz"]})"));
  CHECK(jp(R"({"baz":"qux","foo":"bar"})", R"([{"op":"remove","path":"/baz"}])") == J(R"({"foo":"bar"})"));
  CHECK(jp(R"({"foo":["bar","qux","baz"]})", R"([{"op":"remove","path":"/foo/1"}])") == J(R"({"foo":["bar","baz"]})"));
  CHECK(jp(R"({"baz":"qux","foo":"bar"})", R"([{"op":"replace","path":"/baz","value":"boo"}])") ==
        J(R"({"baz":"boo","foo":"bar"})"));
  CHECK(jp(R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
           R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])") ==
        J(R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"));
  CHECK(jp(R"({"foo":["all","grass","cows","eat"]})", R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])") ==
        J(R"({"foo":["all","cows","eat","grass"]})"));
  CHECK(jp(R"({"baz":"qux","foo":["a",2,"c"]})",
           R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])") ==
        J(R"({"baz":"qux","foo":["a",2,"c"]})"));
  CHECK(jpError(R"({"baz":"qux"})", R"([{"op":"test","path":"/baz","value":"bar"}])") ==
        "json patch: operation 0: test operation failed at /baz");
  CHECK(jp(R"({"foo":"bar"})", R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])") ==
        J(R"({"foo":"bar","child":{"grandchild":{}}})"));
  // A.11: unrecognized members are ignored.
  CHECK(jp(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])") ==
        J(R"({"foo":"bar","baz":"qux"})"));
  // A.12: adding to a nonexistent target.
  CHECK(jpError(R"({"foo":"bar"})", R"([{"op":"add","path":"/baz/bat","value":"qux"}])") ==
        "json patch: operation 0 (add /baz/bat): path not found: no member \"baz\"");
  // A.14: ~ escapes.
  CHECK(jp(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":10}])") == J(R"({"/":9,"~1":10})"));
  // A.15: a string is not a number.
  CHECK(jpError(R"({"/":9,"~1":10})", R"([{"op":"test","path":"/~01","value":"10"}])") ==
        "json patch: operation 0: test operation failed at /~01");
  // A.16: arrays are values.
  CHECK(jp(R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])") ==
        J(R"({"foo":["bar",["abc","def"]]})"));
}

TEST_CASE("json patch: more operations", "[patch][jsonpatch]") {
  CHECK(jp(R"({"a":[1,2]})", R"([{"op":"add","path":"/a/-","value":3},{"op":"add","path":"/a/0","value":0},{"op":"add","path":"/a/4","value":4}])") ==
        J(R"({"a":[0,1,2,3,4]})"));
  CHECK(jp(R"({"a":1})", R"([{"op":"add","path":"","value":[1]}])") == J("[1]"));
  CHECK(jp(R"({"a":1})", R"([{"op":"replace","path":"","value":{"b":2}}])") == J(R"({"b":2})"));
  CHECK(jp(R"({"a":{"b":1}})", R"([{"op":"copy","from":"/a","path":"/c"},{"op":"replace","path":"/c/b","value":2}])") ==
        J(R"({"a":{"b":1},"c":{"b":2}})"));
  CHECK(jp(R"({"a":1})", R"([{"op":"move","from":"/a","path":"/a"}])") == J(R"({"a":1})"));
  CHECK(jp(R"({"metadata":{"labels":{"app.kubernetes.io/name":"x"}}})",
           R"([{"op":"replace","path":"/metadata/labels/app.kubernetes.io~1name","value":"y"}])") ==
        J(R"({"metadata":{"labels":{"app.kubernetes.io/name":"y"}}})"));
  CHECK(jp(R"({"spec":{"replicas":3}})", R"([{"op":"test","path":"/spec/replicas","value":3.0}])") ==
        J(R"({"spec":{"replicas":3}})"));
  CHECK(jp(R"({"a":{"x":1,"y":[1]}})", R"([{"op":"test","path":"/a","value":{"y":[1],"x":1}}])")["a"]["x"].asInt() == 1);
  CHECK(jp("{}", "[]") == J("{}"));
}

TEST_CASE("json patch: errors name the operation and path", "[patch][jsonpatch]") {
  const char* doc = R"({"spec":{"replicas":3,"list":[1,2]}})";
  CHECK(jpError(doc, R"([{"op":"test","path":"/spec/replicas","value":3},{"op":"test","path":"/spec/replicas","value":4}])") ==
        "json patch: operation 1: test operation failed at /spec/replicas");
  CHECK(jpError(doc, R"([{"op":"remove","path":"/spec/nope"}])") ==
        "json patch: operation 0 (remove /spec/nope): path not found: no member \"nope\"");
  CHECK(jpError(doc, R"([{"op":"replace","path":"/spec/nope","value":1}])") ==
        "json patch: operation 0 (replace /spec/nope): path not found: no member \"nope\"");
  CHECK(jpError(doc, R"([{"op":"remove","path":"/spec/list/2"}])") ==
        "json patch: operation 0 (remove /spec/list/2): array index 2 out of range");
  CHECK(jpError(doc, R"([{"op":"add","path":"/spec/list/3","value":0}])") ==
        "json patch: operation 0 (add /spec/list/3): array index 3 out of range");
  CHECK(jpError(doc, R"([{"op":"add","path":"/spec/list/01","value":0}])") ==
        "json patch: operation 0 (add /spec/list/01): invalid array index \"01\"");
  CHECK(jpError(doc, R"([{"op":"remove","path":"/spec/list/-"}])") ==
        "json patch: operation 0 (remove /spec/list/-): invalid array index \"-\"");
  CHECK(jpError(doc, R"([{"op":"add","path":"/spec/replicas/x","value":0}])") ==
        "json patch: operation 0 (add /spec/replicas/x): parent is not an object or array");
  CHECK(jpError(doc, R"([{"op":"add","path":"spec","value":0}])").find("must be empty or start with '/'") != std::string::npos);
  CHECK(jpError(doc, R"([{"op":"add","path":"/a~2","value":0}])").find("operation 0 (add /a~2): ") != std::string::npos);
  CHECK(jpError(doc, R"([{"op":"add","path":"/x"}])") == "json patch: operation 0 (add /x): missing \"value\"");
  CHECK(jpError(doc, R"([{"op":"move","path":"/x"}])") == "json patch: operation 0 (move /x): missing \"from\"");
  CHECK(jpError(doc, R"([{"op":"move","from":"/spec","path":"/spec/inner"}])") ==
        "json patch: operation 0 (move /spec/inner): cannot move a value into one of its own children");
  CHECK(jpError(doc, R"([{"op":"copy","from":"/nope","path":"/x"}])") ==
        "json patch: operation 0 (copy /x): from: path not found: no member \"nope\"");
  CHECK(jpError(doc, R"([{"op":"frobnicate","path":"/x"}])") == "json patch: operation 0 (frobnicate /x): unknown operation \"frobnicate\"");
  CHECK(jpError(doc, R"([{"path":"/x"}])") == "json patch: operation 0: missing \"op\"");
  CHECK(jpError(doc, R"([{"op":"add"}])") == "json patch: operation 0 (add): missing \"path\"");
  CHECK(jpError(doc, R"([1])") == "json patch: operation 0: not a JSON object");
  CHECK(jpError(doc, R"({"op":"add"})") == "json patch: the patch must be a JSON array of operations");
  CHECK(jpError(doc, R"([{"op":"remove","path":""}])") == "json patch: operation 0 (remove \"\"): cannot remove the whole document");
}

TEST_CASE("json patch: failure leaves the target untouched", "[patch][jsonpatch]") {
  Value doc = J(R"({"a":1})");
  auto r = applyJsonPatch(doc, J(R"([{"op":"add","path":"/b","value":2},{"op":"test","path":"/a","value":2}])"));
  CHECK_FALSE(r.ok());
  CHECK(doc == J(R"({"a":1})"));
}

// ---------------------------------------------------------------------------------------
// JSON Merge Patch (RFC 7386, appendix A)

TEST_CASE("merge patch: RFC 7386 appendix A", "[patch][mergepatch]") {
  struct Case {
    const char* target;
    const char* patch;
    const char* result;
  };
  const Case cases[] = {
      {R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
      {R"({"a":"b"})", R"({"a":null})", R"({})"},
      {R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
      {R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
      {R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
      {R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
      {R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
      {R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
      {R"({"a":"b"})", R"(["c"])", R"(["c"])"},
      {R"({"a":"foo"})", "null", "null"},
      {R"({"a":"foo"})", R"("bar")", R"("bar")"},
      {R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
      {R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
      {R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
  };
  for (const auto& c : cases) {
    auto r = applyMergePatch(J(c.target), J(c.patch));
    INFO(c.target << " + " << c.patch);
    REQUIRE(r.ok());
    CHECK(S(*r) == S(J(c.result)));
  }
  // Arrays inside the patch are taken as they are, nulls included.
  CHECK(S(*applyMergePatch(J("{}"), J(R"({"a":[{"b":null}]})"))) == R"({"a":[{"b":null}]})");
}
