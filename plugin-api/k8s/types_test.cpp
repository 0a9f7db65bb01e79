// The generated codecs of the real Kubernetes schemas (plugin-api/schema/k8s) on manifests
// from the Kubernetes documentation, the kind registry and the OpenAPI documents.

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "capstan/json.h"
#include "capstan/k8s/codec.h"
#include "schema/k8s/apps_v1.codec.h"
#include "schema/k8s/core_v1.codec.h"

namespace capstan::k8s {
namespace {

json::Value parse(std::string_view text) {
  auto r = json::parse(text);
  INFO(text);
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string_view sv(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

// Decodes through the kind's KindInfo and encodes the result back (through a reader, as
// stored objects are).
struct RoundTrip {
  capnp::MallocMessageBuilder message;
  DecodeContext ctx;
  Status status;
  std::string out;
};

std::unique_ptr<RoundTrip> roundTrip(const KindInfo& kind, std::string_view text, const EncodeOptions& options = {}) {
  auto r = std::make_unique<RoundTrip>();
  r->status = kind.decode(parse(text), r->message, r->ctx);
  INFO(r->status.toString());
  REQUIRE(r->status.ok());
  capnp::SegmentArrayMessageReader reader(r->message.getSegmentsForOutput());
  json::Writer w(r->out);
  kind.encode(reader, w, options);
  return r;
}

// https://kubernetes.io/docs/concepts/workloads/controllers/deployment/ (as JSON).
constexpr std::string_view kNginxDeployment = R"({
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {
    "name": "nginx-deployment",
    "labels": {"app": "nginx"}
  },
  "spec": {
    "replicas": 3,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {
      "metadata": {"labels": {"app": "nginx"}},
      "spec": {
        "containers": [
          {"name": "nginx", "image": "nginx:1.14.2", "ports": [{"containerPort": 80}]}
        ]
      }
    }
  }
})";

// https://kubernetes.io/docs/concepts/workloads/pods/ and the resource-management page.
constexpr std::string_view kNginxPod = R"({
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "nginx", "namespace": "default", "annotations": {"b": "2", "a": "1"}},
  "spec": {
    "containers": [
      {
        "name": "nginx",
        "image": "nginx:1.14.2",
        "command": ["nginx"],
        "args": ["-g", "daemon off;"],
        "ports": [{"name": "http", "containerPort": 80, "protocol": "TCP"}],
        "env": [{"name": "MODE", "value": "demo"}],
        "resources": {
          "requests": {"memory": "64Mi", "cpu": "250m"},
          "limits": {"memory": "128Mi", "cpu": "500m"}
        },
        "volumeMounts": [{"name": "cache", "mountPath": "/cache", "readOnly": true}],
        "livenessProbe": {
          "httpGet": {"path": "/healthz", "port": "http"},
          "initialDelaySeconds": 3,
          "periodSeconds": 3
        },
        "readinessProbe": {"tcpSocket": {"port": 80}}
      }
    ],
    "volumes": [{"name": "cache", "emptyDir": {"sizeLimit": "500Mi"}}],
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 0,
    "nodeSelector": {"disktype": "ssd"}
  }
})";

TEST_CASE("the nginx Deployment decodes and encodes back", "[k8s]") {
  auto r = roundTrip(apps::v1::deploymentKind, kNginxDeployment);
  CHECK(r->ctx.unknownFields.empty());
  INFO(r->out);
  CHECK(parse(r->out) == parse(kNginxDeployment));
  // kind and apiVersion first, then the fields in schema order.
  CHECK(r->out.starts_with(R"({"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"nginx-deployment",)"));

  auto d = r->message.getRoot<apps::v1::Deployment>().asReader();
  CHECK(sv(d.getMetadata().getName()) == "nginx-deployment");
  CHECK(d.getSpec().getReplicas().isValue());
  CHECK(d.getSpec().getReplicas().getValue() == 3);
  auto container = d.getSpec().getTemplate().getSpec().getContainers()[0];
  CHECK(sv(container.getImage()) == "nginx:1.14.2");
  CHECK(container.getPorts()[0].getContainerPort() == 80);
}

TEST_CASE("the nginx Pod decodes and encodes back", "[k8s]") {
  auto r = roundTrip(core::v1::podKind, kNginxPod);
  CHECK(r->ctx.unknownFields.empty());
  INFO(r->out);
  CHECK(parse(r->out) == parse(kNginxPod));
  CHECK(r->out.find(R"("annotations":{"a":"1","b":"2"})") != std::string::npos);  // maps sorted
  CHECK(r->out.find(R"("terminationGracePeriodSeconds":0)") != std::string::npos);  // optional, set to 0

  auto pod = r->message.getRoot<core::v1::Pod>().asReader();
  auto c = pod.getSpec().getContainers()[0];
  auto requests = c.getResources().getRequests();
  REQUIRE(requests.size() == 2);
  CHECK(sv(requests[0].getKey()) == "memory");
  CHECK(requests[0].getValue().getValue() == 64 * 1024 * 1024);
  CHECK(sv(requests[1].getKey()) == "cpu");
  CHECK(requests[1].getValue().getMilli() == 250);
  CHECK(c.getLivenessProbe().getHttpGet().getPort().isStrVal());
  CHECK(c.getReadinessProbe().getTcpSocket().getPort().getIntVal() == 80);
  CHECK(pod.getSpec().getTerminationGracePeriodSeconds().isValue());
}

TEST_CASE("Kubernetes decoding semantics on the real types", "[k8s]") {
  capnp::MallocMessageBuilder message;
  DecodeContext ctx;
  SECTION("unknown fields") {
    auto st = core::v1::podKind.decode(
        parse(R"({"spec": {"containers": [{"name": "a", "imagee": "x"}], "hostnetwork": true}})"), message, ctx);
    REQUIRE(st.ok());
    CHECK(ctx.unknownFields == std::vector<std::string>{"spec.containers[0].imagee", "spec.hostnetwork"});
    ctx.strict = true;
    ctx.unknownFields.clear();
    st = core::v1::podKind.decode(parse(R"({"spec": {"containers": [{"name": "a", "imagee": "x"}]}})"), message, ctx);
    CHECK(st.message() == R"(unknown field "spec.containers[0].imagee")");
  }
  SECTION("type mismatches") {
    auto st = apps::v1::deploymentKind.decode(parse(R"({"spec": {"replicas": "3"}})"), message, ctx);
    CHECK(st.code() == Code::kInvalidArgument);
    CHECK(st.message() == "spec.replicas: expected integer, got string");
  }
  SECTION("the wrong kind") {
    auto st = apps::v1::deploymentKind.decode(parse(R"({"kind": "Pod", "apiVersion": "v1"})"), message, ctx);
    CHECK(st.message() == R"(kind is "Pod", expected "Deployment")");
    st = apps::v1::deploymentKind.decode(parse(R"({"kind": "Deployment", "apiVersion": "apps/v1beta1"})"), message, ctx);
    CHECK(st.message() == R"(apiVersion is "apps/v1beta1", expected "apps/v1")");
  }
  SECTION("malformed quantities") {
    auto st = core::v1::podKind.decode(
        parse(R"({"spec": {"containers": [{"name": "a", "resources": {"limits": {"cpu": "1x"}}}]}})"), message, ctx);
    CHECK(st.message() ==
          "spec.containers[0].resources.limits[cpu]: quantities must match the regular expression "
          "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  }
}

TEST_CASE("Secret data is base64, ConfigMap data is strings", "[k8s]") {
  auto secret = roundTrip(core::v1::secretKind,
                          R"({"metadata": {"name": "s"}, "type": "Opaque", "data": {"password": "czNjcjN0"}})");
  auto s = secret->message.getRoot<core::v1::Secret>().asReader();
  auto bytes = s.getData()[0].getValue();
  CHECK(std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size()) == "s3cr3t");
  CHECK(parse(secret->out) ==
        parse(R"({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "s"}, "data": {"password": "czNjcjN0"},
                  "type": "Opaque"})"));
  auto cm = roundTrip(core::v1::configMapKind, R"({"metadata": {"name": "c"}, "data": {"k": "v"}})");
  CHECK(parse(cm->out) == parse(R"({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "c"}, "data": {"k": "v"}})"));
}

TEST_CASE("the overlay stamps the top-level metadata", "[k8s]") {
  MetaOverlay overlay;
  overlay.uid = "6f1c";
  overlay.resourceVersion = 1234;
  overlay.creationTimestamp = "2024-01-01T00:00:00Z";
  EncodeOptions options;
  options.overlay = &overlay;
  auto r = roundTrip(apps::v1::deploymentKind, kNginxDeployment, options);
  json::Value out = parse(r->out);
  CHECK(out["metadata"]["uid"] == json::Value("6f1c"));
  CHECK(out["metadata"]["resourceVersion"] == json::Value("1234"));
  CHECK(out["metadata"]["creationTimestamp"] == json::Value("2024-01-01T00:00:00Z"));
  // The pod template's metadata is not the object's.
  CHECK(out["spec"]["template"]["metadata"]["uid"].isNull());
}

TEST_CASE("every kind is registered", "[k8s][registry]") {
  std::set<std::string> names;
  for (const KindInfo* k : allKinds()) {
    names.insert(k->apiVersion() + " " + std::string(k->kind));
    INFO(k->kind);
    REQUIRE(k->info);
    CHECK(k->decode);
    CHECK(k->encode);
    CHECK_FALSE(k->resource.empty());
    // Every kind's metadata is its first field (the API plugin relies on it).
    REQUIRE_FALSE(k->info->fields.empty());
    CHECK(k->info->fields[0].name == "metadata");
    CHECK(findKind(k->group, k->version, k->kind) == k);
    CHECK(findResource(k->group, k->version, k->resource) == k);
  }
  for (const char* expected : {"v1 Pod", "v1 Service", "v1 ConfigMap", "v1 Secret", "v1 Namespace", "v1 Node",
                               "apps/v1 Deployment", "apps/v1 ReplicaSet", "apps/v1 StatefulSet", "apps/v1 DaemonSet",
                               "batch/v1 Job", "batch/v1 CronJob", "coordination.k8s.io/v1 Lease"}) {
    CHECK(names.count(expected) == 1);
  }
  CHECK(findKind("", "v1", "Pod") == &core::v1::podKind);
  CHECK(findResource("apps", "v1", "deployments") == &apps::v1::deploymentKind);
  CHECK(findResource("apps", "v1", "pods") == nullptr);
  CHECK(findKind("", "v2", "Pod") == nullptr);
  CHECK(core::v1::podKind.namespaced);
  CHECK_FALSE(core::v1::namespaceKind.namespaced);
  CHECK(core::v1::podKind.listKind == "PodList");
}

TEST_CASE("schema tables of the real types", "[k8s]") {
  const FieldInfo* containers = core::v1::podSpecInfo.field("containers");
  REQUIRE(containers);
  CHECK(containers->patchStrategy == "merge");
  CHECK(containers->patchMergeKey == "name");
  CHECK(containers->structInfo == &core::v1::containerInfo);
  CHECK_FALSE(containers->description.empty());
  const FieldInfo* replicas = apps::v1::deploymentSpecInfo.field("replicas");
  REQUIRE(replicas);
  CHECK(replicas->optional);
  CHECK(replicas->protobuf == 1);
  CHECK(core::v1::podInfo.openApiName == "io.k8s.api.core.v1.Pod");
}

TEST_CASE("OpenAPI components of the real group-versions", "[k8s][openapi]") {
  for (const KindInfo* k : allKinds()) {
    INFO(k->apiVersion());
    auto text = openApiComponents(k->apiVersion());
    REQUIRE_FALSE(text.empty());
    auto doc = json::parse(text);
    REQUIRE(doc.ok());
    const json::Value& def = (*doc)[k->info->openApiName];
    REQUIRE(def.isObject());
    CHECK(def["x-kubernetes-group-version-kind"].items()[0]["kind"] == json::Value(std::string(k->kind)));
  }
  json::Value apps = parse(openApiComponents("apps/v1"));
  const json::Value& deployment = apps["io.k8s.api.apps.v1.Deployment"];
  CHECK(deployment["properties"]["spec"]["allOf"].items()[0]["$ref"] ==
        json::Value("#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"));
  CHECK_FALSE(deployment["description"].asString().empty());
  // Reached through the pod template: core types and meta types are included.
  CHECK(apps["io.k8s.api.core.v1.PodSpec"].isObject());
  CHECK(apps["io.k8s.api.core.v1.Container"]["properties"]["image"]["type"] == json::Value("string"));
  CHECK(apps["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].isObject());
  CHECK(apps["io.k8s.apimachinery.pkg.api.resource.Quantity"]["oneOf"].isArray());
  CHECK(apps["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["x-kubernetes-int-or-string"] == json::Value(true));
  const json::Value& containers = apps["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
  CHECK(containers["x-kubernetes-patch-merge-key"] == json::Value("name"));
  CHECK(containers["x-kubernetes-patch-strategy"] == json::Value("merge"));
  CHECK(openApiComponents("apps/v2").empty());
}

}  // namespace
}  // namespace capstan::k8s
