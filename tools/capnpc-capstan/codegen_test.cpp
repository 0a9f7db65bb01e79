// Tests of the code capnpc-capstan generates, on testdata/sample.capnp and
// testdata/sample_meta.capnp (every convention of plugin-api/schema/k8s in a few types).

#include <capnp/message.h>

#include <catch2/catch.hpp>
#include <string>

#include "capstan/json.h"
#include "capstan/k8s/codec.h"
#include "sample.codec.h"

namespace capstan::k8s::sample {
namespace {

json::Value parse(std::string_view text) {
  auto r = json::parse(text);
  INFO(text);
  REQUIRE(r.ok());
  return std::move(r).value();
}

template <typename Reader>
std::string toJson(Reader r, const EncodeOptions& options = {}) {
  std::string s;
  json::Writer w(s);
  encode(r, w, options);
  return s;
}

struct Decoded {
  capnp::MallocMessageBuilder message;
  Status status;
  DecodeContext ctx;
  Widget::Reader widget() { return message.getRoot<Widget>().asReader(); }
};

// Decodes a Widget through its KindInfo (as the API server does).
std::unique_ptr<Decoded> decodeWidget(std::string_view text, bool strict = false) {
  auto d = std::make_unique<Decoded>();
  d->ctx.strict = strict;
  d->status = widgetKind.decode(parse(text), d->message, d->ctx);
  UNSCOPED_INFO("decode: " << d->status.toString());
  return d;
}

std::string decodeError(std::string_view text, bool strict = false) {
  auto d = decodeWidget(text, strict);
  REQUIRE_FALSE(d->status.ok());
  CHECK(d->status.code() == Code::kInvalidArgument);
  return d->status.message();
}

// Encodes through the KindInfo, which reads a message (as stored objects are).
std::string widgetJson(capnp::MallocMessageBuilder& message, const EncodeOptions& options = {}) {
  capnp::SegmentArrayMessageReader reader(message.getSegmentsForOutput());
  std::string s;
  json::Writer w(s);
  widgetKind.encode(reader, w, options);
  return s;
}

std::string_view sv(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

constexpr std::string_view kFullWidget = R"({
  "kind": "Widget",
  "apiVersion": "sample.capstan.io/v1",
  "metadata": {
    "name": "w1", "namespace": "default", "uid": "u-1", "resourceVersion": "7", "generation": 3,
    "creationTimestamp": "2024-01-02T03:04:05Z",
    "labels": {"b": "2", "a": "1"},
    "ownerReferences": [{"apiVersion": "v1", "kind": "Gadget", "name": "g", "uid": "u-0", "controller": true}],
    "finalizers": ["x/y"]
  },
  "spec": {
    "replicas": 0,
    "paused": true,
    "image": "nginx:1.25",
    "ratio": 0.25,
    "payload": "aGVsbG8=",
    "selector": {"app": "web"},
    "resources": {"memory": "2Gi", "cpu": "500m"},
    "containers": [
      {"name": "main", "image": "nginx", "args": ["-g", "daemon off;"],
       "ports": [{"containerPort": 80, "protocol": "TCP"}, {"name": "zero", "containerPort": 0}],
       "env": [{"name": "A", "value": "1"}], "limits": {"cpu": 2}, "privileged": false}
    ],
    "config": {"a": [1, 2, {"b": null}], "c": "d"},
    "matrix": [[1, 2], [], [3]],
    "port": "http",
    "limit": "1.5",
    "host-name": "h",
    "big": 10000000000000000000,
    "enabled": false,
    "nickname": "",
    "small": -5,
    "tags": ["a", "b"],
    "weights": [0.5, 2],
    "extras": [1, "two", {"three": 3}],
    "phase": "succeededAll",
    "startTime": "2024-01-02T03:04:05Z",
    "ports": [8080, "https"],
    "hostPath": {"path": "/var", "type": "Directory"},
    "timeout": 30,
    "ratio32": 1.5,
    "parent": {"name": "p"}
  },
  "status": {
    "observedGeneration": 3,
    "readyReplicas": 2,
    "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2024-01-02T03:04:05Z"}],
    "nested": [[{"type": "A", "status": "False"}], []],
    "quantities": ["1k", 100],
    "labelsByZone": {"z2": {"type": "B", "status": "True"}, "z1": {"type": "A", "status": "True"}}
  }
})";

// What encode writes for kFullWidget: maps sorted, schema order, quantities as written.
constexpr std::string_view kFullWidgetOut = R"({
  "kind": "Widget",
  "apiVersion": "sample.capstan.io/v1",
  "metadata": {
    "name": "w1", "namespace": "default", "uid": "u-1", "resourceVersion": "7", "generation": 3,
    "creationTimestamp": "2024-01-02T03:04:05Z",
    "labels": {"a": "1", "b": "2"},
    "ownerReferences": [{"apiVersion": "v1", "kind": "Gadget", "name": "g", "uid": "u-0", "controller": true}],
    "finalizers": ["x/y"]
  },
  "spec": {
    "replicas": 0,
    "paused": true,
    "image": "nginx:1.25",
    "minReadySeconds": 0,
    "ratio": 0.25,
    "payload": "aGVsbG8=",
    "selector": {"app": "web"},
    "resources": {"cpu": "500m", "memory": "2Gi"},
    "containers": [
      {"name": "main", "image": "nginx", "args": ["-g", "daemon off;"],
       "ports": [{"containerPort": 80, "protocol": "TCP"}, {"name": "zero", "containerPort": 0}],
       "env": [{"name": "A", "value": "1"}], "limits": {"cpu": "2"}, "privileged": false}
    ],
    "config": {"a": [1, 2, {"b": null}], "c": "d"},
    "matrix": [[1, 2], [], [3]],
    "port": "http",
    "limit": "1.5",
    "host-name": "h",
    "big": 10000000000000000000,
    "enabled": false,
    "nickname": "",
    "small": -5,
    "tags": ["a", "b"],
    "weights": [0.5, 2],
    "extras": [1, "two", {"three": 3}],
    "phase": "succeededAll",
    "startTime": "2024-01-02T03:04:05Z",
    "ports": [8080, "https"],
    "hostPath": {"path": "/var", "type": "Directory"},
    "timeout": 30,
    "ratio32": 1.5,
    "parent": {"name": "p"}
  },
  "status": {
    "observedGeneration": 3,
    "readyReplicas": 2,
    "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2024-01-02T03:04:05Z"}],
    "nested": [[{"type": "A", "status": "False"}], []],
    "quantities": ["1k", "100"],
    "labelsByZone": {"z1": {"type": "A", "status": "True"}, "z2": {"type": "B", "status": "True"}}
  }
})";

TEST_CASE("a full object decodes and encodes back", "[codegen]") {
  auto d = decodeWidget(kFullWidget);
  REQUIRE(d->status.ok());
  CHECK(d->ctx.unknownFields.empty());
  std::string out = widgetJson(d->message);
  INFO(out);
  // The encoder's own output: compact, in schema order, maps sorted.
  CHECK(json::serialize(parse(out)) == json::serialize(parse(kFullWidgetOut)));
  // Decoding the output again gives the same output.
  auto again = decodeWidget(out);
  REQUIRE(again->status.ok());
  CHECK(widgetJson(again->message) == out);
}

TEST_CASE("decoded values land in the Cap'n Proto fields", "[codegen]") {
  auto d = decodeWidget(kFullWidget);
  REQUIRE(d->status.ok());
  auto w = d->widget();
  auto spec = w.getSpec();
  CHECK(w.getMetadata().getName() == "w1");
  CHECK(spec.getReplicas().isValue());
  CHECK(spec.getReplicas().getValue() == 0);
  CHECK(spec.getPaused());
  CHECK(spec.getPayload().size() == 5);
  CHECK(spec.getResources().size() == 2);
  CHECK(spec.getResources()[0].getKey() == "memory");
  CHECK(spec.getResources()[0].getValue().getValue() == 2147483648LL);
  CHECK(spec.getResources()[1].getValue().getMilli() == 500);
  CHECK(spec.getConfig() == R"({"a":[1,2,{"b":null}],"c":"d"})");
  CHECK(spec.getPort().isStrVal());
  CHECK(spec.getPort().getStrVal() == "http");
  CHECK(spec.getPorts()[0].isIntVal());
  CHECK(spec.getPorts()[0].getIntVal() == 8080);
  CHECK(spec.getLimit().getValue() == 2);
  CHECK(spec.getLimit().getMilli() == 1500);
  CHECK(spec.getBig() == 10000000000000000000ULL);
  CHECK(spec.getEnabled().isValue());
  CHECK_FALSE(spec.getEnabled().getValue());
  CHECK(spec.getNickname().isValue());
  CHECK(spec.getPhase() == Phase::SUCCEEDED_ALL);
  CHECK(spec.isHostPath());
  CHECK(spec.getTimeout().isValue());
  CHECK(spec.getTimeout().getValue() == 30);
  CHECK(spec.getMatrix().size() == 3);
  CHECK(spec.getMatrix()[2][0] == 3);
  CHECK(spec.getExtras()[2] == R"({"three":3})");
  CHECK(w.getStatus().getQuantities()[1].getString() == "100");
}

TEST_CASE("absent, zero and null values", "[codegen]") {
  SECTION("zero scalars and empty values are omitted; $always fields are written") {
    auto d = decodeWidget(R"({"spec": {"paused": false, "image": "", "ratio": 0, "tags": [], "selector": {}}})");
    REQUIRE(d->status.ok());
    CHECK(widgetJson(d->message) ==
          R"({"kind":"Widget","apiVersion":"sample.capstan.io/v1","spec":{"minReadySeconds":0}})");
  }
  SECTION("null leaves fields unset") {
    auto d = decodeWidget(
        R"({"metadata": null, "spec": {"replicas": null, "image": null, "containers": null, "port": null,
            "limit": null, "enabled": null}, "status": null, "kind": null, "apiVersion": null})");
    REQUIRE(d->status.ok());
    auto w = d->widget();
    CHECK_FALSE(w.hasMetadata());
    CHECK_FALSE(w.hasStatus());
    CHECK_FALSE(w.getSpec().getReplicas().isValue());
    CHECK_FALSE(w.getSpec().hasImage());
    CHECK_FALSE(w.getSpec().hasContainers());
    CHECK_FALSE(w.getSpec().hasPort());
    CHECK_FALSE(w.getSpec().hasLimit());
    CHECK_FALSE(w.getSpec().getEnabled().isValue());
  }
  SECTION("null list elements and map values are zero values") {
    auto d = decodeWidget(R"({"spec": {"containers": [null, {"name": "b"}], "selector": {"k": null}}})");
    REQUIRE(d->status.ok());
    auto spec = d->widget().getSpec();
    REQUIRE(spec.getContainers().size() == 2);
    CHECK(spec.getContainers()[1].getName() == "b");
    CHECK(spec.getSelector()[0].getKey() == "k");
    CHECK(toJson(spec.getContainers()[0]) == "{}");
  }
  SECTION("optional scalars are written when set, even when zero") {
    capnp::MallocMessageBuilder m;
    auto spec = m.initRoot<WidgetSpec>();
    CHECK(toJson(spec.asReader()) == R"({"minReadySeconds":0})");
    spec.initReplicas().setValue(0);
    spec.initEnabled().setValue(false);
    CHECK(toJson(spec.asReader()) == R"({"replicas":0,"minReadySeconds":0,"enabled":false})");
  }
  SECTION("the active union member is written, others are not") {
    auto d = decodeWidget(R"({"spec": {"hostPath": {"path": "/a"}, "emptyDir": {"sizeLimit": "1Gi"}}})");
    REQUIRE(d->status.ok());
    auto spec = d->widget().getSpec();
    CHECK(spec.isEmptyDir());  // the last one wins
    CHECK(toJson(spec) == R"({"minReadySeconds":0,"emptyDir":{"sizeLimit":"1Gi"}})");
  }
}

TEST_CASE("unknown fields are collected with their paths, or fail in strict mode", "[codegen]") {
  constexpr std::string_view text = R"({
    "metadata": {"name": "x", "labelz": {}},
    "spec": {"containers": [{"name": "a"}, {"name": "b", "imagee": "typo", "ports": [{"containerPort": 1, "hostPort": 2}]}],
             "resources": {"cpu": "1"}, "labelsByZone": 1},
    "extra": null
  })";
  SECTION("collected") {
    auto d = decodeWidget(text);
    // labelsByZone is a status field: unknown in spec.
    REQUIRE(d->status.ok());
    CHECK(d->ctx.unknownFields == std::vector<std::string>{"metadata.labelz", "spec.containers[1].imagee",
                                                           "spec.containers[1].ports[0].hostPort",
                                                           "spec.labelsByZone", "extra"});
  }
  SECTION("strict") {
    CHECK(decodeError(text, true) == R"(unknown field "metadata.labelz")");
    CHECK(decodeError(R"({"spec": {"containers": [{"name": "a"}, {"imagee": "x"}]}})", true) ==
          R"(unknown field "spec.containers[1].imagee")");
  }
  SECTION("the path is reset between fields") {
    auto d = decodeWidget(R"({"spec": {"parent": {"x": 1}, "containers": [{"y": 1}]}, "status": {"z": 1}})");
    REQUIRE(d->status.ok());
    CHECK(d->ctx.unknownFields ==
          std::vector<std::string>{"spec.parent.x", "spec.containers[0].y", "status.z"});
    CHECK(d->ctx.path.empty());
  }
}

TEST_CASE("type mismatches name the path and both types", "[codegen]") {
  CHECK(decodeError(R"({"spec": {"replicas": "3"}})") == "spec.replicas: expected integer, got string");
  CHECK(decodeError(R"({"spec": {"paused": "true"}})") == "spec.paused: expected boolean, got string");
  CHECK(decodeError(R"({"spec": {"image": 5}})") == "spec.image: expected string, got number");
  CHECK(decodeError(R"({"spec": {"ratio": "x"}})") == "spec.ratio: expected number, got string");
  CHECK(decodeError(R"({"spec": {"tags": "a"}})") == "spec.tags: expected array, got string");
  CHECK(decodeError(R"({"spec": {"tags": ["a", 1]}})") == "spec.tags[1]: expected string, got number");
  CHECK(decodeError(R"({"spec": {"selector": []}})") == "spec.selector: expected object, got array");
  CHECK(decodeError(R"({"spec": {"selector": {"app": true}}})") == "spec.selector[app]: expected string, got boolean");
  CHECK(decodeError(R"({"spec": 5})") == "spec: expected object, got number");
  CHECK(decodeError(R"([1])") == "expected object, got array");
  CHECK(decodeError(R"({"spec": {"containers": [{"ports": [{"containerPort": "80"}]}]}})") ==
        "spec.containers[0].ports[0].containerPort: expected integer, got string");
  CHECK(decodeError(R"({"spec": {"matrix": [[1], [2, "x"]]}})") == "spec.matrix[1][1]: expected integer, got string");
  CHECK(decodeError(R"({"spec": {"port": true}})") == "spec.port: expected integer or string, got boolean");
  CHECK(decodeError(R"({"spec": {"limit": {}}})") == "spec.limit: expected quantity (string or number), got object");
  CHECK(decodeError(R"({"status": {"labelsByZone": {"z": {"type": 1}}}})") ==
        "status.labelsByZone[z].type: expected string, got number");
}

TEST_CASE("integers are range-checked for their width", "[codegen]") {
  CHECK(decodeError(R"({"spec": {"small": 300}})") == "spec.small: 300 is out of range for int8");
  CHECK(decodeError(R"({"spec": {"replicas": 2147483648}})") == "spec.replicas: 2147483648 is out of range for int32");
  CHECK(decodeError(R"({"spec": {"replicas": 1.5}})") == "spec.replicas: expected integer, got 1.5");
  CHECK(decodeError(R"({"spec": {"big": -1}})") == "spec.big: -1 is out of range for uint64");
  CHECK(decodeError(R"({"spec": {"timeout": 1e300}})") == "spec.timeout: 1e+300 is out of range for int64");
  CHECK(decodeError(R"({"spec": {"port": 3000000000}})") == "spec.port: 3000000000 is out of range for int32");
  auto d = decodeWidget(R"({"spec": {"replicas": 3.0, "small": -128, "timeout": -9223372036854775808}})");
  REQUIRE(d->status.ok());
  CHECK(d->widget().getSpec().getReplicas().getValue() == 3);
  CHECK(d->widget().getSpec().getSmall() == -128);
  CHECK(d->widget().getSpec().getTimeout().getValue() == INT64_MIN);
}

TEST_CASE("kind and apiVersion must match the kind", "[codegen]") {
  CHECK(decodeError(R"({"kind": "Pod"})") == R"(kind is "Pod", expected "Widget")");
  CHECK(decodeError(R"({"apiVersion": "v1"})") == R"(apiVersion is "v1", expected "sample.capstan.io/v1")");
  CHECK(decodeError(R"({"kind": 1})") == "kind: expected string, got number");
  CHECK(decodeWidget(R"({"kind": "", "apiVersion": ""})")->status.ok());
}

TEST_CASE("quantities", "[codegen][quantity]") {
  struct Case {
    std::string_view json;
    std::string_view text;
    std::int64_t value, milli;
  };
  const Case cases[] = {
      {R"("500m")", "500m", 1, 500},
      {R"("2Gi")", "2Gi", 2147483648LL, 2147483648000LL},
      {R"("1e3")", "1e3", 1000, 1000000},
      {R"(1e3)", "1000", 1000, 1000000},
      {R"("1.5")", "1.5", 2, 1500},
      {R"(1.5)", "1.5", 2, 1500},
      {R"("0.1")", "0.1", 1, 100},
      {R"("-1")", "-1", -1, -1000},
      {R"(-1)", "-1", -1, -1000},
      {R"("100M")", "100M", 100000000, 100000000000LL},
      {R"("0")", "0", 0, 0},
      {R"("1n")", "1n", 1, 1},
      {R"("+2k")", "+2k", 2000, 2000000},
      {R"("1.5Ki")", "1.5Ki", 1536, 1536000},
      {R"("12E")", "12E", INT64_MAX, INT64_MAX},
      {R"("-12E")", "-12E", INT64_MIN, INT64_MIN},
      {R"(".5")", ".5", 1, 500},
      {R"("1E-2")", "1E-2", 1, 10},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    auto d = decodeWidget(std::string(R"({"spec": {"limit": )") + std::string(c.json) + "}}");
    REQUIRE(d->status.ok());
    auto q = d->widget().getSpec().getLimit();
    CHECK(sv(q.getString()) == c.text);
    CHECK(q.getValue() == c.value);
    CHECK(q.getMilli() == c.milli);
  }
  const std::string message =
      "spec.limit: quantities must match the regular expression "
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  for (std::string_view bad : {"abc", "1.2.3", "1Kb", "", "1 ", "1e", "--1", "Gi", "1ki", "1e+"}) {
    INFO(bad);
    CHECK(decodeError(std::string(R"({"spec": {"limit": )") + json::quote(bad) + "}}") == message);
  }
  CHECK(decodeError(R"({"spec": {"resources": {"cpu": "x"}}})") ==
        "spec.resources[cpu]: quantities must match the regular expression "
        "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

TEST_CASE("quantities without their text are written from thousandths", "[codegen][quantity]") {
  capnp::MallocMessageBuilder m;
  auto q = m.initRoot<testmeta::Quantity>();
  q.setMilli(100);
  CHECK(toJson(q.asReader()) == R"("100m")");
  q.setMilli(2000);
  CHECK(toJson(q.asReader()) == R"("2")");
  q.setString("2k");
  CHECK(toJson(q.asReader()) == R"("2k")");
}

TEST_CASE("base64 Data", "[codegen]") {
  auto d = decodeWidget(R"({"spec": {"payload": "AAEC/w=="}})");
  REQUIRE(d->status.ok());
  auto payload = d->widget().getSpec().getPayload();
  REQUIRE(payload.size() == 4);
  CHECK(payload[3] == 0xff);
  CHECK(toJson(d->widget().getSpec()) == R"({"minReadySeconds":0,"payload":"AAEC/w=="})");
  CHECK(decodeError(R"({"spec": {"payload": "a!=="}})") == "spec.payload: illegal base64 data at input byte 1");
  CHECK(decodeError(R"({"spec": {"payload": "abc"}})") == "spec.payload: illegal base64 data at input byte 3");
  CHECK(decodeError(R"({"spec": {"payload": 1}})") == "spec.payload: expected string, got number");

  capnp::MallocMessageBuilder m;
  auto gadget = m.initRoot<Gadget>();
  DecodeContext ctx;
  REQUIRE(decode(parse(R"({"binaryData": {"b": "", "a": "eA=="}})"), gadget, ctx).ok());
  CHECK(toJson(gadget.asReader()) == R"({"kind":"Gadget","apiVersion":"v1","binaryData":{"a":"eA==","b":""}})");
}

TEST_CASE("enums are strings", "[codegen]") {
  CHECK(decodeError(R"({"spec": {"phase": "done"}})") ==
        R"(spec.phase: unsupported value "done": supported values: "pending", "running", "succeededAll")");
  auto d = decodeWidget(R"({"spec": {"phase": "running"}})");
  REQUIRE(d->status.ok());
  CHECK(toJson(d->widget().getSpec()) == R"({"minReadySeconds":0,"phase":"running"})");
}

TEST_CASE("the overlay replaces the top-level metadata's stamped fields", "[codegen]") {
  auto d = decodeWidget(R"({"metadata": {"name": "a", "uid": "old", "resourceVersion": "1"}, "spec": {"image": "x"}})");
  REQUIRE(d->status.ok());
  MetaOverlay overlay;
  overlay.uid = "new-uid";
  overlay.resourceVersion = 42;
  overlay.creationTimestamp = "2024-05-06T07:08:09Z";
  EncodeOptions options;
  options.overlay = &overlay;
  CHECK(widgetJson(d->message, options) ==
        R"({"kind":"Widget","apiVersion":"sample.capstan.io/v1","metadata":{"name":"a","uid":"new-uid",)"
        R"("resourceVersion":"42","creationTimestamp":"2024-05-06T07:08:09Z"},"spec":{"image":"x","minReadySeconds":0}})");
  // Unset overlay members leave the body's values.
  MetaOverlay partial;
  partial.creationTimestamp = "2024-05-06T07:08:09Z";
  options.overlay = &partial;
  CHECK(widgetJson(d->message, options) ==
        R"({"kind":"Widget","apiVersion":"sample.capstan.io/v1","metadata":{"name":"a","uid":"old",)"
        R"("resourceVersion":"1","creationTimestamp":"2024-05-06T07:08:09Z"},"spec":{"image":"x","minReadySeconds":0}})");
  // Without metadata in the body, the overlay still writes it.
  capnp::MallocMessageBuilder empty;
  empty.initRoot<Widget>();
  options.overlay = &overlay;
  CHECK(widgetJson(empty, options) ==
        R"({"kind":"Widget","apiVersion":"sample.capstan.io/v1","metadata":{"uid":"new-uid",)"
        R"("resourceVersion":"42","creationTimestamp":"2024-05-06T07:08:09Z"}})");
  // ObjectMeta's own encode honours it too (partial object metadata).
  CHECK(toJson(d->widget().getMetadata(), options) ==
        R"({"name":"a","uid":"new-uid","resourceVersion":"42","creationTimestamp":"2024-05-06T07:08:09Z"})");
}

TEST_CASE("schema tables", "[codegen]") {
  CHECK(widgetSpecInfo.name == "WidgetSpec");
  CHECK(widgetSpecInfo.openApiName == "io.capstan.sample.v1.WidgetSpec");
  CHECK(widgetSpecInfo.description == "WidgetSpec is the desired state.");
  const FieldInfo* containers = widgetSpecInfo.field("containers");
  REQUIRE(containers);
  CHECK(containers->kind == FieldKind::kList);
  CHECK(containers->elementKind == FieldKind::kStruct);
  CHECK(containers->structInfo == &containerInfo);
  CHECK(containers->patchStrategy == "merge");
  CHECK(containers->patchMergeKey == "name");
  CHECK(containers->listType == "map");
  CHECK(containers->listMapKeys == "name");
  CHECK(containers->protobuf == 9);
  CHECK(containers->description == "The containers.");
  const FieldInfo* replicas = widgetSpecInfo.field("replicas");
  REQUIRE(replicas);
  CHECK(replicas->optional);
  CHECK(replicas->kind == FieldKind::kInt);
  CHECK(replicas->protobuf == 1);
  CHECK(replicas->description == "Number of desired widgets. Defaults to 1.");
  CHECK(widgetSpecInfo.field("host-name"));
  CHECK_FALSE(widgetSpecInfo.field("hostName"));
  CHECK_FALSE(widgetSpecInfo.field("noSource"));
  CHECK(widgetSpecInfo.field("resources")->kind == FieldKind::kMap);
  CHECK(widgetSpecInfo.field("resources")->elementKind == FieldKind::kQuantity);
  CHECK(widgetSpecInfo.field("resources")->structInfo == &testmeta::quantityInfo);
  CHECK(widgetSpecInfo.field("config")->kind == FieldKind::kRawJson);
  CHECK(widgetSpecInfo.field("payload")->kind == FieldKind::kBytes);
  CHECK(widgetSpecInfo.field("port")->kind == FieldKind::kIntOrString);
  CHECK(widgetSpecInfo.field("limit")->kind == FieldKind::kQuantity);
  CHECK(widgetSpecInfo.field("matrix")->elementKind == FieldKind::kList);
  CHECK(widgetSpecInfo.field("image")->required);
  CHECK(widgetSpecInfo.field("minReadySeconds")->always);
  CHECK(widgetSpecInfo.field("startTime")->format == "date-time");
  CHECK(testmeta::objectMetaInfo.field("ownerReferences")->listMapKeys == "uid");
  CHECK(containerPortInfo.field("containerPort")->always);
  CHECK(containerInfo.field("ports")->listMapKeys == "containerPort,protocol");
  CHECK(testmeta::quantityInfo.openApiName == "io.k8s.apimachinery.pkg.api.resource.Quantity");
  // Fields are in declaration order.
  REQUIRE(widgetInfo.fields.size() == 3);
  CHECK(widgetInfo.fields[0].name == "metadata");
  CHECK(widgetInfo.fields[2].name == "status");
}

TEST_CASE("the kind registry", "[codegen]") {
  auto kinds = allKinds();
  REQUIRE(kinds.size() == 2);
  CHECK(kinds[0] == &widgetKind);
  CHECK(kinds[1] == &gadgetKind);
  CHECK(findKind("sample.capstan.io", "v1", "Widget") == &widgetKind);
  CHECK(findKind("", "v1", "Gadget") == &gadgetKind);
  CHECK(findKind("", "v1", "Widget") == nullptr);
  CHECK(findResource("sample.capstan.io", "v1", "widgets") == &widgetKind);
  CHECK(findResource("", "v1", "gadgets") == &gadgetKind);
  CHECK(findResource("", "v2", "gadgets") == nullptr);
  CHECK(widgetKind.apiVersion() == "sample.capstan.io/v1");
  CHECK(gadgetKind.apiVersion() == "v1");
  CHECK(widgetKind.listKind == "WidgetList");
  CHECK(widgetKind.namespaced);
  CHECK_FALSE(gadgetKind.namespaced);
  REQUIRE(widgetKind.shortNames.size() == 1);
  CHECK(widgetKind.shortNames[0] == "wd");
  CHECK(widgetKind.subresources.size() == 2);
  CHECK(widgetKind.verbs.size() == 8);
  CHECK(gadgetKind.singular == "gadget");
  CHECK(gadgetKind.info == &gadgetInfo);
}

TEST_CASE("OpenAPI components", "[codegen][openapi]") {
  CHECK(openApiComponents("nope/v1").empty());
  json::Value doc = parse(openApiComponents("sample.capstan.io/v1"));
  REQUIRE(doc.isObject());
  const json::Value& widget = doc["io.capstan.sample.v1.Widget"];
  REQUIRE(widget.isObject());
  CHECK(widget["type"] == json::Value("object"));
  CHECK(widget["description"] == json::Value("A Widget is a made-up kind that uses every feature of the generator."));
  const json::Value& gvk = widget["x-kubernetes-group-version-kind"];
  REQUIRE(gvk.isArray());
  CHECK(gvk.items()[0]["group"] == json::Value("sample.capstan.io"));
  CHECK(gvk.items()[0]["kind"] == json::Value("Widget"));
  CHECK(gvk.items()[0]["version"] == json::Value("v1"));
  CHECK(widget["properties"]["kind"]["type"] == json::Value("string"));
  CHECK(widget["properties"]["apiVersion"]["type"] == json::Value("string"));
  CHECK(widget["properties"]["spec"]["allOf"].items()[0]["$ref"] ==
        json::Value("#/components/schemas/io.capstan.sample.v1.WidgetSpec"));
  CHECK(widget["properties"]["metadata"]["allOf"].items()[0]["$ref"] ==
        json::Value("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));

  const json::Value& spec = doc["io.capstan.sample.v1.WidgetSpec"]["properties"];
  CHECK(spec["replicas"]["type"] == json::Value("integer"));
  CHECK(spec["replicas"]["format"] == json::Value("int32"));
  CHECK(spec["timeout"]["format"] == json::Value("int64"));
  CHECK(spec["paused"]["type"] == json::Value("boolean"));
  CHECK(spec["ratio"]["type"] == json::Value("number"));
  CHECK(spec["payload"]["format"] == json::Value("byte"));
  CHECK(spec["startTime"]["format"] == json::Value("date-time"));
  CHECK(spec["tags"]["items"]["type"] == json::Value("string"));
  CHECK(spec["tags"]["x-kubernetes-list-type"] == json::Value("set"));
  CHECK(spec["selector"]["additionalProperties"]["type"] == json::Value("string"));
  CHECK(spec["resources"]["additionalProperties"]["$ref"] ==
        json::Value("#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity"));
  CHECK(spec["containers"]["items"]["allOf"].items()[0]["$ref"] ==
        json::Value("#/components/schemas/io.capstan.sample.v1.Container"));
  CHECK(spec["containers"]["x-kubernetes-patch-strategy"] == json::Value("merge"));
  CHECK(spec["containers"]["x-kubernetes-patch-merge-key"] == json::Value("name"));
  CHECK(spec["containers"]["x-kubernetes-list-map-keys"].items()[0] == json::Value("name"));
  CHECK(spec["containers"]["description"] == json::Value("The containers."));
  CHECK(spec["config"]["x-kubernetes-preserve-unknown-fields"] == json::Value(true));
  CHECK(spec["matrix"]["items"]["items"]["format"] == json::Value("int64"));
  CHECK(spec["host-name"].isObject());
  CHECK(spec["noSource"].isNull());
  CHECK(spec["port"]["allOf"].items()[0]["$ref"] ==
        json::Value("#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString"));
  CHECK(doc["io.capstan.sample.v1.WidgetSpec"]["required"].items()[0] == json::Value("image"));

  const json::Value& quantity = doc["io.k8s.apimachinery.pkg.api.resource.Quantity"];
  REQUIRE(quantity["oneOf"].isArray());
  CHECK(quantity["oneOf"].items()[0]["type"] == json::Value("string"));
  CHECK(quantity["oneOf"].items()[1]["type"] == json::Value("number"));
  CHECK(doc["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["x-kubernetes-int-or-string"] == json::Value(true));
  // Reached only through maps, lists of lists and union members:
  CHECK(doc["io.capstan.sample.v1.Condition"].isObject());
  CHECK(doc["io.capstan.sample.v1.EmptyDirSource"].isObject());
  CHECK(doc["io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"].isObject());
  // Not reachable from this group-version's kinds:
  CHECK(doc["io.capstan.sample.v1.Gadget"].isNull());
  CHECK(doc["io.capstan.sample.v1.BytesEntry"].isNull());

  json::Value core = parse(openApiComponents("v1"));
  CHECK(core["io.capstan.sample.v1.Gadget"].isObject());
  CHECK(core["io.capstan.sample.v1.Gadget"]["properties"]["binaryData"]["additionalProperties"]["format"] ==
        json::Value("byte"));
}

TEST_CASE("decode into a nested value with a path prefix", "[codegen]") {
  capnp::MallocMessageBuilder m;
  DecodeContext ctx;
  ctx.path = "items[3]";
  auto st = decode(parse(R"({"name": 1})"), m.initRoot<Container>(), ctx);
  CHECK(st.message() == "items[3].name: expected string, got number");
}

}  // namespace
}  // namespace capstan::k8s::sample
