// Per-kind hooks: Kubernetes' defaults, validation messages, field selector keys and table
// rows, checked on typed objects built in memory.

#include <capnp/message.h>

#include <catch2/catch.hpp>

#include "hooks.h"
#include "kinds/kinds.h"
#include "schema/k8s/apps_v1.capnp.h"
#include "schema/k8s/batch_v1.capnp.h"
#include "schema/k8s/coordination_v1.capnp.h"
#include "schema/k8s/core_v1.capnp.h"
#include "schema/k8s/discovery_v1.capnp.h"
#include "schema/k8s/events_v1.capnp.h"
#include "schema/k8s/networking_v1.capnp.h"
#include "schema/k8s/policy_v1.capnp.h"
#include "schema/k8s/rbac_v1.capnp.h"
#include "schema/k8s/scheduling_v1.capnp.h"
#include "schema/k8s/storage_v1.capnp.h"

using namespace capstan;
using namespace capstan::kube;
namespace core = capstan::k8s::core::v1;
namespace apps = capstan::k8s::apps::v1;
namespace batch = capstan::k8s::batch::v1;
namespace meta = capstan::k8s::meta;

namespace {

const KindHooks& hooks(std::string_view group, std::string_view kind) {
  k8s::KindInfo info{};
  info.group = group;
  info.version = "v1";
  info.kind = kind;
  return hooksFor(info);
}

std::string txt(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

// Every error as "field: detail", the way Kubernetes prints a cause.
std::vector<std::string> render(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field.empty() ? e.detail : e.field + ": " + e.detail);
  return out;
}

template <typename T>
std::vector<std::string> validate(const KindHooks& h, capnp::MallocMessageBuilder& m) {
  std::vector<FieldError> errors;
  REQUIRE(h.validate != nullptr);
  h.validate(capnp::toAny(m.getRoot<T>().asReader()), errors);
  return render(errors);
}

template <typename T>
std::vector<std::string> validateUpdate(const KindHooks& h, capnp::MallocMessageBuilder& o, capnp::MallocMessageBuilder& n) {
  std::vector<FieldError> errors;
  REQUIRE(h.validateUpdate != nullptr);
  h.validateUpdate(capnp::toAny(o.getRoot<T>().asReader()), capnp::toAny(n.getRoot<T>().asReader()), errors);
  return render(errors);
}

template <typename T>
std::string row(const KindHooks& h, capnp::MallocMessageBuilder& m, std::string_view age = "5m") {
  std::string out;
  json::Writer w(out);
  w.beginArray();
  REQUIRE(h.row != nullptr);
  h.row(capnp::toAny(m.getRoot<T>().asReader()), age, w);
  w.endArray();
  return out;
}

template <typename T>
std::map<std::string, std::string> indexes(const KindHooks& h, capnp::MallocMessageBuilder& m) {
  std::map<std::string, std::string> out;
  REQUIRE(h.indexes != nullptr);
  h.indexes(capnp::toAny(m.getRoot<T>().asReader()), out);
  return out;
}

template <typename T>
void defaults(const KindHooks& h, capnp::MallocMessageBuilder& m) {
  REQUIRE(h.setDefaults != nullptr);
  h.setDefaults(capnp::toAny(m.getRoot<T>()));
}

template <typename T>
void prepare(const KindHooks& h, capnp::MallocMessageBuilder& m) {
  REQUIRE(h.prepareCreate != nullptr);
  h.prepareCreate(capnp::toAny(m.getRoot<T>()));
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}


template <typename B>
void labels(B meta, std::initializer_list<std::pair<const char*, const char*>> kv) {
  auto l = meta.initLabels(static_cast<unsigned>(kv.size()));
  unsigned i = 0;
  for (auto& [k, v] : kv) {
    l[i].setKey(k);
    l[i].setValue(v);
    ++i;
  }
}

template <typename B>
void matchLabels(B selector, std::initializer_list<std::pair<const char*, const char*>> kv) {
  auto l = selector.initMatchLabels(static_cast<unsigned>(kv.size()));
  unsigned i = 0;
  for (auto& [k, v] : kv) {
    l[i].setKey(k);
    l[i].setValue(v);
    ++i;
  }
}

void quantity(meta::QuantityEntry::Builder e, const char* key, const char* value) {
  e.setKey(key);
  e.initValue().setString(value);
}

// A pod spec with one container "web" running nginx.
void webSpec(core::PodSpec::Builder spec, const char* image = "nginx:1.25") {
  auto c = spec.initContainers(1)[0];
  c.setName("web");
  c.setImage(image);
}

// A Pod as it looks after defaulting (so that validation sees what Kubernetes sees).
void defaultedPod(capnp::MallocMessageBuilder& m, const char* image = "nginx:1.25") {
  auto pod = m.initRoot<core::Pod>();
  pod.initMetadata().setName("p");
  webSpec(pod.initSpec(), image);
  defaults<core::Pod>(hooks("", "Pod"), m);
}

struct FixedNow {
  explicit FixedNow(std::int64_t t) {
    saved = kinds::nowSeconds;
    value = t;
    kinds::nowSeconds = [] { return value; };
  }
  ~FixedNow() { kinds::nowSeconds = saved; }
  std::int64_t (*saved)();
  static inline std::int64_t value = 0;
};

}  // namespace

// =======================================================================================
// The table

TEST_CASE("hooksFor finds kinds by group and kind and has empty hooks for the rest") {
  CHECK(hooks("", "Pod").setDefaults != nullptr);
  CHECK(hooks("apps", "Deployment").validate != nullptr);
  CHECK(hooks("events.k8s.io", "Event").indexes != nullptr);
  CHECK(hooks("", "Event").indexes != nullptr);
  CHECK(&hooks("", "Event") != &hooks("events.k8s.io", "Event"));
  const KindHooks& none = hooks("example.com", "Widget");
  CHECK(none.setDefaults == nullptr);
  CHECK(none.row == nullptr);
  CHECK(none.columns.empty());
  CHECK(&none == &hooks("apps", "Pod"));
}

// =======================================================================================
// Helpers

TEST_CASE("quantities print in Kubernetes' canonical form") {
  using kinds::parseQuantity;
  using kinds::quantityString;
  CHECK(quantityString(parseQuantity("500m")) == "500m");
  CHECK(quantityString(parseQuantity("0.5")) == "500m");
  CHECK(quantityString(parseQuantity("1000m")) == "1");
  CHECK(quantityString(parseQuantity("1500m")) == "1500m");
  CHECK(quantityString(parseQuantity("2000")) == "2k");
  CHECK(quantityString(parseQuantity("128Mi")) == "128Mi");
  CHECK(quantityString(parseQuantity("1024Mi")) == "1Gi");
  CHECK(quantityString(parseQuantity("1.5Gi")) == "1536Mi");
  CHECK(quantityString(parseQuantity("100Ki")) == "100Ki");
  CHECK(quantityString(parseQuantity("1e3")) == "1e3");
  CHECK(quantityString(parseQuantity("0")) == "0");
  CHECK(quantityString(parseQuantity("-1")) == "-1");
  CHECK_FALSE(parseQuantity("abc").valid);
  CHECK(kinds::compareQuantity(parseQuantity("1"), parseQuantity("500m")) > 0);
  CHECK(kinds::compareQuantity(parseQuantity("1Gi"), parseQuantity("1024Mi")) == 0);
  CHECK(kinds::compareQuantity(parseQuantity("1G"), parseQuantity("1Gi")) < 0);
  CHECK(kinds::quantityMilli(parseQuantity("1.5")).value() == 1500);
}

TEST_CASE("durations read as kubectl shows them") {
  using kinds::humanDuration;
  CHECK(humanDuration(5) == "5s");
  CHECK(humanDuration(119) == "119s");
  CHECK(humanDuration(302) == "5m2s");
  CHECK(humanDuration(600) == "10m");
  CHECK(humanDuration(3 * 3600 + 120) == "3h2m");
  CHECK(humanDuration(30 * 3600) == "30h");
  CHECK(humanDuration(3 * 86400 + 3600) == "3d1h");
  CHECK(humanDuration(400 * 86400) == "400d");
  CHECK(humanDuration(-5) == "<invalid>");
  CHECK(kinds::parseTime("2024-01-02T03:04:05Z").value() == 1704164645);
  CHECK(kinds::parseTime("2024-01-02T04:04:05.123+01:00").value() == 1704164645);
  CHECK_FALSE(kinds::parseTime("yesterday"));
}

TEST_CASE("cron schedules are checked as robfig/cron does") {
  CHECK_FALSE(kinds::cronError("*/5 * * * *"));
  CHECK_FALSE(kinds::cronError("0 3 * * mon-fri"));
  CHECK_FALSE(kinds::cronError("@hourly"));
  CHECK(kinds::cronError("foo").value() == "expected exactly 5 fields, found 1: [foo]");
  CHECK(kinds::cronError("61 * * * *").value() == "end of range (61) above maximum (59): 61");
  CHECK(kinds::cronError("* * * * x").value() ==
        "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax");
  CHECK(kinds::cronError("@often").value() == "unrecognized descriptor: @often");
}

TEST_CASE("validators word their messages as apimachinery does") {
  CHECK(kinds::isDNS1123Label("Web").at(0) ==
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
        "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  CHECK(kinds::isDNS1123Label("a.b").at(0) == "must not contain dots");
  CHECK(kinds::isConfigMapKey("a b").at(0) ==
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
        "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  CHECK(kinds::isQualifiedName("example.com/app").empty());
  CHECK(kinds::isQualifiedName("/app").at(0) == "prefix part must be non-empty");
  CHECK(kinds::isValidPortName("HTTP").at(0) == "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  CHECK(kinds::isValidIPv4("10.0.0.1"));
  CHECK_FALSE(kinds::isValidIPv4("10.0.0.256"));
  CHECK(kinds::isValidIPv6("fd00::1"));
  CHECK(kinds::isValidIPv6("2001:db8:0:0:0:0:0:1"));
  CHECK_FALSE(kinds::isValidIPv6("fd00::1::2"));
  CHECK(kinds::goQuote("a\"b") == "\"a\\\"b\"");
}

// =======================================================================================
// Pod

TEST_CASE("Pod defaults follow SetDefaults_Pod and SetDefaults_PodSpec") {
  capnp::MallocMessageBuilder m;
  auto pod = m.initRoot<core::Pod>();
  auto spec = pod.initSpec();
  auto cs = spec.initContainers(5);
  const char* images[] = {"nginx", "nginx:latest", "nginx:1.25", "nginx@sha256:abcd", "localhost:5000/app"};
  for (unsigned i = 0; i < 5; ++i) {
    const char* names[] = {"c0", "c1", "c2", "c3", "c4"};
    cs[i].setName(names[i]);
    cs[i].setImage(images[i]);
  }
  cs[0].initPorts(1)[0].setContainerPort(80);
  auto probe = cs[0].initLivenessProbe();
  probe.initHttpGet().initPort().setIntVal(8080);
  auto res = cs[1].initResources();
  auto limits = res.initLimits(2);
  quantity(limits[0], "cpu", "500m");
  quantity(limits[1], "memory", "128Mi");
  auto requests = res.initRequests(1);
  quantity(requests[0], "cpu", "250m");
  auto vols = spec.initVolumes(4);
  vols[0].setName("s");
  vols[0].initSecret().setSecretName("s");
  vols[1].setName("c");
  vols[1].initConfigMap().setName("c");
  vols[2].setName("h");
  vols[2].initHostPath().setPath("/data");
  vols[3].setName("e");

  defaults<core::Pod>(hooks("", "Pod"), m);

  auto s = m.getRoot<core::Pod>().getSpec().asReader();
  CHECK(txt(s.getRestartPolicy()) == "Always");
  CHECK(txt(s.getDnsPolicy()) == "ClusterFirst");
  CHECK(txt(s.getSchedulerName()) == "default-scheduler");
  CHECK(s.getTerminationGracePeriodSeconds().getValue() == 30);
  CHECK(s.hasSecurityContext());
  CHECK(s.getEnableServiceLinks().getValue());
  auto c = s.getContainers();
  CHECK(txt(c[0].getImagePullPolicy()) == "Always");
  CHECK(txt(c[1].getImagePullPolicy()) == "Always");
  CHECK(txt(c[2].getImagePullPolicy()) == "IfNotPresent");
  CHECK(txt(c[3].getImagePullPolicy()) == "IfNotPresent");
  CHECK(txt(c[4].getImagePullPolicy()) == "Always");
  CHECK(txt(c[0].getTerminationMessagePath()) == "/dev/termination-log");
  CHECK(txt(c[0].getTerminationMessagePolicy()) == "File");
  CHECK(txt(c[0].getPorts()[0].getProtocol()) == "TCP");
  auto p = c[0].getLivenessProbe();
  CHECK(p.getTimeoutSeconds() == 1);
  CHECK(p.getPeriodSeconds() == 10);
  CHECK(p.getSuccessThreshold() == 1);
  CHECK(p.getFailureThreshold() == 3);
  CHECK(txt(p.getHttpGet().getScheme()) == "HTTP");
  CHECK(txt(p.getHttpGet().getPath()) == "/");
  // Requests default to limits where they are missing.
  auto req = c[1].getResources().getRequests();
  REQUIRE(req.size() == 2);
  CHECK(txt(req[0].getKey()) == "cpu");
  CHECK(txt(req[0].getValue().getString()) == "250m");
  CHECK(txt(req[1].getKey()) == "memory");
  CHECK(txt(req[1].getValue().getString()) == "128Mi");
  auto v = s.getVolumes();
  CHECK(v[0].getSecret().getDefaultMode().getValue() == 420);
  CHECK(v[1].getConfigMap().getDefaultMode().getValue() == 420);
  CHECK(v[2].getHostPath().hasType());
  CHECK(txt(v[2].getHostPath().getType()).empty());
  CHECK(v[3].hasEmptyDir());
}

TEST_CASE("Pod prepareCreate sets Pending and the QoS class") {
  auto qos = [](std::initializer_list<std::pair<const char*, const char*>> req,
                std::initializer_list<std::pair<const char*, const char*>> lim) {
    capnp::MallocMessageBuilder m;
    auto pod = m.initRoot<core::Pod>();
    webSpec(pod.initSpec());
    auto r = pod.getSpec().getContainers()[0].initResources();
    auto rl = r.initRequests(static_cast<unsigned>(req.size()));
    unsigned i = 0;
    for (auto& [k, v] : req) quantity(rl[i++], k, v);
    auto ll = r.initLimits(static_cast<unsigned>(lim.size()));
    i = 0;
    for (auto& [k, v] : lim) quantity(ll[i++], k, v);
    defaults<core::Pod>(hooks("", "Pod"), m);
    prepare<core::Pod>(hooks("", "Pod"), m);
    auto st = m.getRoot<core::Pod>().getStatus().asReader();
    CHECK(txt(st.getPhase()) == "Pending");
    return txt(st.getQosClass());
  };
  CHECK(qos({}, {}) == "BestEffort");
  CHECK(qos({{"cpu", "100m"}}, {}) == "Burstable");
  CHECK(qos({}, {{"cpu", "1"}, {"memory", "1Gi"}}) == "Guaranteed");
  CHECK(qos({{"cpu", "1"}, {"memory", "1Gi"}}, {{"cpu", "1000m"}, {"memory", "1024Mi"}}) == "Guaranteed");
  CHECK(qos({{"cpu", "500m"}, {"memory", "1Gi"}}, {{"cpu", "1"}, {"memory", "1Gi"}}) == "Burstable");
}

TEST_CASE("Pod prepareCreate marks gated pods SchedulingGated") {
  capnp::MallocMessageBuilder m;
  auto pod = m.initRoot<core::Pod>();
  webSpec(pod.initSpec());
  pod.getSpec().initSchedulingGates(1)[0].setName("example.com/gate");
  pod.initStatus().setPhase("Running");
  prepare<core::Pod>(hooks("", "Pod"), m);
  auto st = m.getRoot<core::Pod>().getStatus().asReader();
  CHECK(txt(st.getPhase()) == "Pending");
  REQUIRE(st.getConditions().size() == 1);
  CHECK(txt(st.getConditions()[0].getReason()) == "SchedulingGated");
  CHECK(row<core::Pod>(hooks("", "Pod"), m).find("\"SchedulingGated\"") != std::string::npos);
}

TEST_CASE("a defaulted Pod with one container is valid") {
  capnp::MallocMessageBuilder m;
  defaultedPod(m);
  CHECK(validate<core::Pod>(hooks("", "Pod"), m).empty());
}

TEST_CASE("Pod validation: containers and images are required") {
  capnp::MallocMessageBuilder m;
  auto pod = m.initRoot<core::Pod>();
  pod.initSpec();
  defaults<core::Pod>(hooks("", "Pod"), m);
  CHECK(validate<core::Pod>(hooks("", "Pod"), m) == std::vector<std::string>{"spec.containers: Required value"});

  capnp::MallocMessageBuilder m2;
  defaultedPod(m2);
  m2.getRoot<core::Pod>().getSpec().getContainers()[0].disownImage();
  CHECK(validate<core::Pod>(hooks("", "Pod"), m2) == std::vector<std::string>{"spec.containers[0].image: Required value"});
}

TEST_CASE("Pod validation: container names") {
  capnp::MallocMessageBuilder m;
  auto pod = m.initRoot<core::Pod>();
  auto cs = pod.initSpec().initContainers(3);
  cs[0].setName("web");
  cs[0].setImage("a");
  cs[1].setName("web");
  cs[1].setImage("b");
  cs[2].setName("Bad_Name");
  cs[2].setImage("c");
  defaults<core::Pod>(hooks("", "Pod"), m);
  auto errs = validate<core::Pod>(hooks("", "Pod"), m);
  CHECK(contains(errs, "spec.containers[1].name: Duplicate value: \"web\""));
  CHECK(contains(errs, "spec.containers[2].name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 label must consist "
                       "of lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
                       "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                       "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  CHECK(errs.size() == 2);
}

TEST_CASE("Pod validation: ports, protocols and policies") {
  capnp::MallocMessageBuilder m;
  defaultedPod(m);
  auto spec = m.getRoot<core::Pod>().getSpec();
  auto ports = spec.getContainers()[0].initPorts(2);
  ports[0].setContainerPort(70000);
  ports[0].setProtocol("TCP");
  ports[1].setContainerPort(53);
  ports[1].setProtocol("ICMP");
  spec.setRestartPolicy("Sometimes");
  spec.setDnsPolicy("Custom");
  auto errs = validate<core::Pod>(hooks("", "Pod"), m);
  CHECK(errs == std::vector<std::string>{
                    "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, "
                    "inclusive",
                    "spec.containers[0].ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", "
                    "\"TCP\", \"UDP\"",
                    "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
                    "\"OnFailure\", \"Never\"",
                    "spec.dnsPolicy: Unsupported value: \"Custom\": supported values: \"ClusterFirstWithHostNet\", "
                    "\"ClusterFirst\", \"Default\", \"None\""});
}

TEST_CASE("Pod validation: requests above limits and negative quantities") {
  capnp::MallocMessageBuilder m;
  defaultedPod(m);
  auto r = m.getRoot<core::Pod>().getSpec().getContainers()[0].initResources();
  auto limits = r.initLimits(1);
  quantity(limits[0], "cpu", "500m");
  auto requests = r.initRequests(2);
  quantity(requests[0], "cpu", "1");
  quantity(requests[1], "memory", "-1Mi");
  auto errs = validate<core::Pod>(hooks("", "Pod"), m);
  CHECK(errs == std::vector<std::string>{
                    "spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu "
                    "limit of 500m",
                    "spec.containers[0].resources.requests[memory]: Invalid value: \"-1Mi\": must be greater than or "
                    "equal to 0"});
}

TEST_CASE("Pod validation: volumes and mounts") {
  capnp::MallocMessageBuilder m;
  defaultedPod(m);
  auto spec = m.getRoot<core::Pod>().getSpec();
  auto vols = spec.initVolumes(3);
  vols[0].setName("data");
  vols[0].initEmptyDir();
  vols[1].setName("data");
  vols[1].initEmptyDir();
  vols[2].setName("both");
  vols[2].initEmptyDir();
  vols[2].initHostPath().setPath("/x");
  auto mounts = spec.getContainers()[0].initVolumeMounts(2);
  mounts[0].setName("data");
  mounts[0].setMountPath("/data");
  mounts[1].setName("x");
  mounts[1].setMountPath("/x");
  auto errs = validate<core::Pod>(hooks("", "Pod"), m);
  CHECK(errs == std::vector<std::string>{"spec.volumes[1].name: Duplicate value: \"data\"",
                                         "spec.volumes[2].hostPath: Forbidden: may not specify more than 1 volume type",
                                         "spec.containers[0].volumeMounts[1].name: Not found: \"x\""});
}

TEST_CASE("Pod validation: tolerations and grace periods") {
  capnp::MallocMessageBuilder m;
  defaultedPod(m);
  auto spec = m.getRoot<core::Pod>().getSpec();
  auto t = spec.initTolerations(3);
  t[0].setKey("k");
  t[0].setOperator("Maybe");
  t[1].setOperator("Equal");
  t[2].setKey("k");
  t[2].setOperator("Exists");
  t[2].setEffect("NoRun");
  spec.getActiveDeadlineSeconds().setValue(0);
  auto errs = validate<core::Pod>(hooks("", "Pod"), m);
  CHECK(contains(errs, "spec.tolerations[0].operator: Unsupported value: \"Maybe\": supported values: \"Equal\", "
                       "\"Exists\""));
  CHECK(contains(errs, "spec.tolerations[1].operator: Invalid value: \"Equal\": operator must be Exists when `key` is "
                       "empty, which means \"match all values and all keys\""));
  CHECK(contains(errs, "spec.tolerations[2].effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", "
                       "\"PreferNoSchedule\", \"NoExecute\""));
  CHECK(contains(errs, "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"));
  // A negative grace period is treated as 1 second.
  capnp::MallocMessageBuilder m2;
  auto pod = m2.initRoot<core::Pod>();
  webSpec(pod.initSpec());
  pod.getSpec().getTerminationGracePeriodSeconds().setValue(-5);
  defaults<core::Pod>(hooks("", "Pod"), m2);
  CHECK(m2.getRoot<core::Pod>().getSpec().getTerminationGracePeriodSeconds().getValue() == 1);
}

TEST_CASE("Pod validation: probes and env") {
  capnp::MallocMessageBuilder m;
  auto pod = m.initRoot<core::Pod>();
  webSpec(pod.initSpec());
  auto c = pod.getSpec().getContainers()[0];
  c.initLivenessProbe().setSuccessThreshold(2);
  auto env = c.initEnv(2);
  env[0].setName("A=B");
  env[1].setName("X");
  env[1].initValueFrom();
  defaults<core::Pod>(hooks("", "Pod"), m);
  auto errs = validate<core::Pod>(hooks("", "Pod"), m);
  CHECK(contains(errs, "spec.containers[0].livenessProbe: Required value: must specify a handler type"));
  CHECK(contains(errs, "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1"));
  CHECK(contains(errs, "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name "
                       "must consist only of printable ASCII characters other than '='"));
  CHECK(contains(errs, "spec.containers[0].env[1].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, "
                       "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
}

TEST_CASE("Pod updates may change images but not other fields") {
  capnp::MallocMessageBuilder o, n;
  defaultedPod(o);
  defaultedPod(n, "nginx:1.26");
  CHECK(validateUpdate<core::Pod>(hooks("", "Pod"), o, n).empty());

  capnp::MallocMessageBuilder n2;
  defaultedPod(n2);
  n2.getRoot<core::Pod>().getSpec().setRestartPolicy("Never");
  auto errs = validateUpdate<core::Pod>(hooks("", "Pod"), o, n2);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].rfind("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
                      "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
                      "to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
                      "was previously negative)\n",
                      0) == 0);
  CHECK(errs[0].find("RestartPolicy") != std::string::npos);

  capnp::MallocMessageBuilder n3;
  defaultedPod(n3);
  auto cs = n3.getRoot<core::Pod>().getSpec().initContainers(2);
  cs[0].setName("a");
  cs[0].setImage("a");
  cs[1].setName("b");
  cs[1].setImage("b");
  CHECK(validateUpdate<core::Pod>(hooks("", "Pod"), o, n3) ==
        std::vector<std::string>{"spec.containers: Forbidden: pod updates may not add or remove containers"});
}

TEST_CASE("Pod updates: tolerations may only be added, scheduling gates only removed") {
  capnp::MallocMessageBuilder o, n;
  defaultedPod(o);
  o.getRoot<core::Pod>().getSpec().initTolerations(1)[0].setOperator("Exists");
  o.getRoot<core::Pod>().getSpec().initSchedulingGates(1)[0].setName("a");
  defaultedPod(n);
  auto t = n.getRoot<core::Pod>().getSpec().initTolerations(2);
  t[0].setOperator("Exists");
  t[1].setKey("k");
  t[1].setOperator("Exists");
  CHECK(validateUpdate<core::Pod>(hooks("", "Pod"), o, n).empty());
  n.getRoot<core::Pod>().getSpec().initSchedulingGates(1)[0].setName("b");
  CHECK(validateUpdate<core::Pod>(hooks("", "Pod"), o, n) ==
        std::vector<std::string>{
            "spec.schedulingGates[0].name: Forbidden: only deletion is allowed, but found new scheduling gate 'b'"});
}

TEST_CASE("Pod field selector keys, empty values included") {
  capnp::MallocMessageBuilder m;
  defaultedPod(m);
  auto pod = m.getRoot<core::Pod>();
  pod.getSpec().setNodeName("n1");
  pod.getStatus().setPhase("Running");
  pod.getStatus().initPodIPs(1)[0].setIp("10.1.0.5");
  auto idx = indexes<core::Pod>(hooks("", "Pod"), m);
  CHECK(idx == std::map<std::string, std::string>{{"spec.nodeName", "n1"},
                                                  {"spec.restartPolicy", "Always"},
                                                  {"spec.schedulerName", "default-scheduler"},
                                                  {"spec.serviceAccountName", ""},
                                                  {"spec.hostNetwork", "false"},
                                                  {"status.phase", "Running"},
                                                  {"status.podIP", "10.1.0.5"},
                                                  {"status.nominatedNodeName", ""}});
}

TEST_CASE("Pod table: columns") {
  const auto& h = hooks("", "Pod");
  std::vector<std::string> names;
  for (auto& c : h.columns) names.emplace_back(c.name);
  CHECK(names == std::vector<std::string>{"Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node",
                                          "Readiness Gates"});
  CHECK(h.columns[4].priority == 1);
  CHECK(h.columns[0].priority == 0);
}

TEST_CASE("Pod table: running, crash looping, completed, terminating") {
  FixedNow now(1704164645 + 300);
  const auto& h = hooks("", "Pod");
  capnp::MallocMessageBuilder m;
  defaultedPod(m);
  auto pod = m.getRoot<core::Pod>();
  pod.getSpec().setNodeName("n1");
  auto st = pod.initStatus();
  st.setPhase("Running");
  st.setPodIP("10.1.0.5");
  auto cs = st.initContainerStatuses(1)[0];
  cs.setName("web");
  cs.setReady(true);
  cs.initState().initRunning().setStartedAt("2024-01-02T03:04:05Z");
  CHECK(row<core::Pod>(h, m) == R"(["1/1","Running","0","5m","10.1.0.5","n1","<none>","<none>"])");

  cs.setReady(false);
  cs.setRestartCount(3);
  cs.initState().initWaiting().setReason("CrashLoopBackOff");
  cs.initLastState().initTerminated().setFinishedAt("2024-01-02T03:04:05Z");
  CHECK(row<core::Pod>(h, m) == R"x(["0/1","CrashLoopBackOff","3 (5m ago)","5m","10.1.0.5","n1","<none>","<none>"])x");

  st.setPhase("Succeeded");
  cs.setRestartCount(0);
  cs.disownLastState();
  cs.initState().initTerminated().setReason("Completed");
  CHECK(row<core::Pod>(h, m).rfind(R"(["0/1","Completed","0")", 0) == 0);

  st.setPhase("Running");
  cs.initState().initRunning();
  cs.setReady(true);
  pod.getMetadata().setDeletionTimestamp("2024-01-02T03:04:05Z");
  CHECK(row<core::Pod>(h, m).rfind(R"(["1/1","Terminating")", 0) == 0);
}

TEST_CASE("Pod table: pending, init containers and readiness gates") {
  const auto& h = hooks("", "Pod");
  capnp::MallocMessageBuilder m;
  defaultedPod(m);
  auto pod = m.getRoot<core::Pod>();
  auto init = pod.getSpec().initInitContainers(1)[0];
  init.setName("setup");
  init.setImage("busybox");
  pod.getSpec().initReadinessGates(1)[0].setConditionType("example.com/ready");
  auto st = pod.initStatus();
  st.setPhase("Pending");
  auto is = st.initInitContainerStatuses(1)[0];
  is.setName("setup");
  is.initState().initRunning();
  auto c = st.initContainerStatuses(1)[0];
  c.setName("web");
  c.initState().initWaiting().setReason("PodInitializing");
  CHECK(row<core::Pod>(h, m) == R"(["0/1","Init:0/1","0","5m","<none>","<none>","<none>","0/1"])");

  is.initState().initTerminated().setExitCode(0);
  c.initState().initWaiting().setReason("ContainerCreating");
  auto conds = st.initConditions(1);
  conds[0].setType("example.com/ready");
  conds[0].setStatus("True");
  CHECK(row<core::Pod>(h, m) == R"(["0/1","ContainerCreating","0","5m","<none>","<none>","<none>","1/1"])");
}

// =======================================================================================
// Deployment

void deployment(capnp::MallocMessageBuilder& m, bool withDefaults = true) {
  auto d = m.initRoot<apps::Deployment>();
  d.initMetadata().setName("web");
  auto spec = d.initSpec();
  matchLabels(spec.initSelector(), {{"app", "web"}});
  labels(spec.initTemplate().initMetadata(), {{"app", "web"}});
  webSpec(spec.getTemplate().initSpec());
  if (withDefaults) defaults<apps::Deployment>(hooks("apps", "Deployment"), m);
}

TEST_CASE("Deployment defaults") {
  capnp::MallocMessageBuilder m;
  deployment(m);
  auto spec = m.getRoot<apps::Deployment>().getSpec().asReader();
  CHECK(spec.getReplicas().getValue() == 1);
  CHECK(txt(spec.getStrategy().getType()) == "RollingUpdate");
  CHECK(txt(spec.getStrategy().getRollingUpdate().getMaxUnavailable().getStrVal()) == "25%");
  CHECK(txt(spec.getStrategy().getRollingUpdate().getMaxSurge().getStrVal()) == "25%");
  CHECK(spec.getRevisionHistoryLimit().getValue() == 10);
  CHECK(spec.getProgressDeadlineSeconds().getValue() == 600);
  auto ps = spec.getTemplate().getSpec();
  CHECK(txt(ps.getRestartPolicy()) == "Always");
  CHECK(txt(ps.getContainers()[0].getImagePullPolicy()) == "IfNotPresent");
  // Pod-only defaults do not apply to templates.
  CHECK(ps.getEnableServiceLinks().isUnset());
  CHECK(validate<apps::Deployment>(hooks("apps", "Deployment"), m).empty());
}

TEST_CASE("Deployment validation messages") {
  const auto& h = hooks("apps", "Deployment");
  capnp::MallocMessageBuilder m;
  deployment(m);
  m.getRoot<apps::Deployment>().getSpec().getReplicas().setValue(-1);
  CHECK(validate<apps::Deployment>(h, m) ==
        std::vector<std::string>{"spec.replicas: Invalid value: -1: must be greater than or equal to 0"});

  capnp::MallocMessageBuilder m2;
  deployment(m2);
  labels(m2.getRoot<apps::Deployment>().getSpec().getTemplate().getMetadata(), {{"app", "other"}, {"tier", "fe"}});
  CHECK(validate<apps::Deployment>(h, m2) ==
        std::vector<std::string>{"spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\", "
                                 "\"tier\":\"fe\"}: `selector` does not match template `labels`"});

  capnp::MallocMessageBuilder m3;
  deployment(m3);
  m3.getRoot<apps::Deployment>().getSpec().disownSelector();
  CHECK(validate<apps::Deployment>(h, m3) ==
        std::vector<std::string>{"spec.selector: Required value",
                                 "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: "
                                 "`selector` does not match template `labels`"});

  capnp::MallocMessageBuilder m4;
  deployment(m4);
  auto ru = m4.getRoot<apps::Deployment>().getSpec().getStrategy().getRollingUpdate();
  ru.getMaxUnavailable().setIntVal(0);
  ru.getMaxSurge().setStrVal("0%");
  CHECK(validate<apps::Deployment>(h, m4) ==
        std::vector<std::string>{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                                 "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when `maxSurge` is 0"});

  capnp::MallocMessageBuilder m5;
  deployment(m5);
  m5.getRoot<apps::Deployment>().getSpec().getStrategy().setType("BlueGreen");
  CHECK(validate<apps::Deployment>(h, m5) ==
        std::vector<std::string>{"spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"BlueGreen\", "
                                 "RollingUpdate:(*apps.RollingUpdateDeployment)(0x1)}: supported values: \"Recreate\", "
                                 "\"RollingUpdate\""});

  capnp::MallocMessageBuilder m6;
  deployment(m6);
  m6.getRoot<apps::Deployment>().getSpec().getTemplate().getSpec().getContainers()[0].disownImage();
  CHECK(validate<apps::Deployment>(h, m6) ==
        std::vector<std::string>{"spec.template.spec.containers[0].image: Required value"});

  capnp::MallocMessageBuilder m7;
  deployment(m7);
  m7.getRoot<apps::Deployment>().getSpec().getTemplate().getSpec().setRestartPolicy("Never");
  CHECK(validate<apps::Deployment>(h, m7) ==
        std::vector<std::string>{
            "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""});
}

TEST_CASE("Deployment selector is immutable") {
  capnp::MallocMessageBuilder o, n;
  deployment(o);
  deployment(n);
  CHECK(validateUpdate<apps::Deployment>(hooks("apps", "Deployment"), o, n).empty());
  matchLabels(n.getRoot<apps::Deployment>().getSpec().getSelector(), {{"app", "web2"}});
  CHECK(validateUpdate<apps::Deployment>(hooks("apps", "Deployment"), o, n) ==
        std::vector<std::string>{"spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":"
                                 "\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"});
}

TEST_CASE("Deployment table") {
  capnp::MallocMessageBuilder m;
  deployment(m);
  auto d = m.getRoot<apps::Deployment>();
  d.getSpec().getReplicas().setValue(3);
  auto st = d.initStatus();
  st.setReadyReplicas(2);
  st.setUpdatedReplicas(3);
  st.setAvailableReplicas(2);
  CHECK(row<apps::Deployment>(hooks("apps", "Deployment"), m) == R"(["2/3",3,2,"5m","web","nginx:1.25","app=web"])");
  std::vector<std::string> names;
  for (auto& c : hooks("apps", "Deployment").columns) names.emplace_back(c.name);
  CHECK(names == std::vector<std::string>{"Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"});
}

// =======================================================================================
// ReplicaSet, StatefulSet, DaemonSet

TEST_CASE("ReplicaSet defaults, indexes and table") {
  const auto& h = hooks("apps", "ReplicaSet");
  capnp::MallocMessageBuilder m;
  auto rs = m.initRoot<apps::ReplicaSet>();
  auto spec = rs.initSpec();
  auto sel = spec.initSelector();
  matchLabels(sel, {{"app", "web"}});
  auto e = sel.initMatchExpressions(1)[0];
  e.setKey("tier");
  e.setOperator("In");
  auto vals = e.initValues(2);
  vals.set(0, "fe");
  vals.set(1, "be");
  labels(spec.initTemplate().initMetadata(), {{"app", "web"}, {"tier", "fe"}});
  webSpec(spec.getTemplate().initSpec());
  defaults<apps::ReplicaSet>(h, m);
  CHECK(m.getRoot<apps::ReplicaSet>().getSpec().getReplicas().getValue() == 1);
  CHECK(validate<apps::ReplicaSet>(h, m).empty());
  m.getRoot<apps::ReplicaSet>().initStatus().setReplicas(1);
  CHECK(indexes<apps::ReplicaSet>(h, m) == std::map<std::string, std::string>{{"status.replicas", "1"}});
  CHECK(row<apps::ReplicaSet>(h, m) == R"x([1,1,0,"5m","web","nginx:1.25","app=web,tier in (be,fe)"])x");
}

TEST_CASE("StatefulSet defaults and update rules") {
  const auto& h = hooks("apps", "StatefulSet");
  auto make = [&](capnp::MallocMessageBuilder& m) {
    auto s = m.initRoot<apps::StatefulSet>();
    auto spec = s.initSpec();
    matchLabels(spec.initSelector(), {{"app", "db"}});
    labels(spec.initTemplate().initMetadata(), {{"app", "db"}});
    webSpec(spec.getTemplate().initSpec(), "postgres:16");
    spec.setServiceName("db");
    defaults<apps::StatefulSet>(h, m);
  };
  capnp::MallocMessageBuilder m;
  make(m);
  auto spec = m.getRoot<apps::StatefulSet>().getSpec().asReader();
  CHECK(spec.getReplicas().getValue() == 1);
  CHECK(txt(spec.getPodManagementPolicy()) == "OrderedReady");
  CHECK(txt(spec.getUpdateStrategy().getType()) == "RollingUpdate");
  CHECK(spec.getUpdateStrategy().getRollingUpdate().getPartition().getValue() == 0);
  CHECK(spec.getRevisionHistoryLimit().getValue() == 10);
  CHECK(txt(spec.getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()) == "Retain");
  CHECK(txt(spec.getPersistentVolumeClaimRetentionPolicy().getWhenScaled()) == "Retain");
  CHECK(validate<apps::StatefulSet>(h, m).empty());

  capnp::MallocMessageBuilder n;
  make(n);
  n.getRoot<apps::StatefulSet>().getSpec().getReplicas().setValue(3);
  CHECK(validateUpdate<apps::StatefulSet>(h, m, n).empty());
  n.getRoot<apps::StatefulSet>().getSpec().setServiceName("other");
  CHECK(validateUpdate<apps::StatefulSet>(h, m, n) ==
        std::vector<std::string>{"spec: Forbidden: updates to statefulset spec for fields other than 'replicas', "
                                 "'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                                 "'minReadySeconds' are forbidden"});
  m.getRoot<apps::StatefulSet>().initStatus().setReadyReplicas(1);
  CHECK(row<apps::StatefulSet>(h, m) == R"(["1/1","5m","web","postgres:16"])");
}

TEST_CASE("DaemonSet defaults, validation and table") {
  const auto& h = hooks("apps", "DaemonSet");
  capnp::MallocMessageBuilder m;
  auto ds = m.initRoot<apps::DaemonSet>();
  auto spec = ds.initSpec();
  matchLabels(spec.initSelector(), {{"app", "agent"}});
  labels(spec.initTemplate().initMetadata(), {{"app", "agent"}});
  webSpec(spec.getTemplate().initSpec(), "agent:1");
  defaults<apps::DaemonSet>(h, m);
  auto s = m.getRoot<apps::DaemonSet>().getSpec().asReader();
  CHECK(txt(s.getUpdateStrategy().getType()) == "RollingUpdate");
  CHECK(s.getUpdateStrategy().getRollingUpdate().getMaxUnavailable().getIntVal() == 1);
  CHECK(s.getUpdateStrategy().getRollingUpdate().getMaxSurge().getIntVal() == 0);
  CHECK(s.getRevisionHistoryLimit().getValue() == 10);
  CHECK(validate<apps::DaemonSet>(h, m).empty());
  m.getRoot<apps::DaemonSet>().getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable().setIntVal(0);
  CHECK(validate<apps::DaemonSet>(h, m) ==
        std::vector<std::string>{"spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when "
                                 "maxSurge is 0"});
  auto st = m.getRoot<apps::DaemonSet>().initStatus();
  st.setDesiredNumberScheduled(3);
  st.setCurrentNumberScheduled(3);
  st.setNumberReady(2);
  st.setUpdatedNumberScheduled(3);
  st.setNumberAvailable(2);
  CHECK(row<apps::DaemonSet>(h, m) == R"([3,3,2,3,2,"<none>","5m","web","agent:1","app=agent"])");
}

// =======================================================================================
// Service

void service(capnp::MallocMessageBuilder& m) {
  auto svc = m.initRoot<core::Service>();
  svc.initMetadata().setName("web");
  auto spec = svc.initSpec();
  auto ports = spec.initPorts(1);
  ports[0].setPort(80);
  auto sel = spec.initSelector(1);
  sel[0].setKey("app");
  sel[0].setValue("web");
  defaults<core::Service>(hooks("", "Service"), m);
}

TEST_CASE("Service defaults") {
  capnp::MallocMessageBuilder m;
  service(m);
  auto spec = m.getRoot<core::Service>().getSpec().asReader();
  CHECK(txt(spec.getType()) == "ClusterIP");
  CHECK(txt(spec.getSessionAffinity()) == "None");
  CHECK(txt(spec.getPorts()[0].getProtocol()) == "TCP");
  CHECK(spec.getPorts()[0].getTargetPort().getIntVal() == 80);
  CHECK(txt(spec.getIpFamilyPolicy()) == "SingleStack");
  CHECK(txt(spec.getIpFamilies()[0]) == "IPv4");
  CHECK(txt(spec.getInternalTrafficPolicy()) == "Cluster");
  CHECK_FALSE(spec.hasExternalTrafficPolicy());
  CHECK(validate<core::Service>(hooks("", "Service"), m).empty());

  capnp::MallocMessageBuilder lb;
  service(lb);
  lb.getRoot<core::Service>().getSpec().setType("LoadBalancer");
  defaults<core::Service>(hooks("", "Service"), lb);
  auto ls = lb.getRoot<core::Service>().getSpec().asReader();
  CHECK(txt(ls.getExternalTrafficPolicy()) == "Cluster");
  CHECK(ls.getAllocateLoadBalancerNodePorts().getValue());
}

TEST_CASE("Service validation messages") {
  const auto& h = hooks("", "Service");
  capnp::MallocMessageBuilder m;
  service(m);
  m.getRoot<core::Service>().getSpec().disownPorts();
  CHECK(validate<core::Service>(h, m) == std::vector<std::string>{"spec.ports: Required value"});

  capnp::MallocMessageBuilder m2;
  service(m2);
  auto ports = m2.getRoot<core::Service>().getSpec().initPorts(2);
  ports[0].setName("a");
  ports[0].setPort(80);
  ports[0].setProtocol("TCP");
  ports[0].initTargetPort().setIntVal(8080);
  ports[1].setName("b");
  ports[1].setPort(80);
  ports[1].setProtocol("TCP");
  ports[1].initTargetPort().setIntVal(8081);
  CHECK(validate<core::Service>(h, m2) ==
        std::vector<std::string>{"spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
                                 "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
                                 "StrVal:\"\"}, NodePort:0}"});

  capnp::MallocMessageBuilder m3;
  service(m3);
  auto spec = m3.getRoot<core::Service>().getSpec();
  spec.getPorts()[0].setPort(0);
  spec.getPorts()[0].setNodePort(30080);
  spec.setType("Magic");
  auto errs = validate<core::Service>(h, m3);
  CHECK(contains(errs, "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"));
  CHECK(contains(errs, "spec.type: Unsupported value: \"Magic\": supported values: \"ClusterIP\", \"ExternalName\", "
                       "\"LoadBalancer\", \"NodePort\""));

  capnp::MallocMessageBuilder m4;
  service(m4);
  m4.getRoot<core::Service>().getSpec().getPorts()[0].setNodePort(30080);
  CHECK(validate<core::Service>(h, m4) ==
        std::vector<std::string>{"spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"});
}

TEST_CASE("Service clusterIP may not change") {
  capnp::MallocMessageBuilder o, n;
  service(o);
  service(n);
  o.getRoot<core::Service>().getSpec().initClusterIPs(1).set(0, "10.96.0.10");
  n.getRoot<core::Service>().getSpec().initClusterIPs(1).set(0, "10.96.0.11");
  CHECK(validateUpdate<core::Service>(hooks("", "Service"), o, n) ==
        std::vector<std::string>{
            "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.11\"}: may not change once set"});
}

TEST_CASE("Service table") {
  const auto& h = hooks("", "Service");
  capnp::MallocMessageBuilder m;
  service(m);
  auto spec = m.getRoot<core::Service>().getSpec();
  spec.setClusterIP("10.96.0.10");
  spec.initClusterIPs(1).set(0, "10.96.0.10");
  CHECK(row<core::Service>(h, m) == R"(["ClusterIP","10.96.0.10","<none>","80/TCP","5m","app=web"])");
  spec.setType("NodePort");
  spec.getPorts()[0].setNodePort(30080);
  CHECK(row<core::Service>(h, m) == R"(["NodePort","10.96.0.10","<none>","80:30080/TCP","5m","app=web"])");
  spec.setType("LoadBalancer");
  CHECK(row<core::Service>(h, m) == R"(["LoadBalancer","10.96.0.10","<pending>","80:30080/TCP","5m","app=web"])");
  m.getRoot<core::Service>().initStatus().initLoadBalancer().initIngress(1)[0].setIp("1.2.3.4");
  CHECK(row<core::Service>(h, m) == R"(["LoadBalancer","10.96.0.10","1.2.3.4","80:30080/TCP","5m","app=web"])");
}

// =======================================================================================
// Namespace, Node

TEST_CASE("Namespace defaults, prepareCreate, indexes and table") {
  const auto& h = hooks("", "Namespace");
  capnp::MallocMessageBuilder m;
  m.initRoot<core::Namespace>().initMetadata().setName("team-a");
  defaults<core::Namespace>(h, m);
  prepare<core::Namespace>(h, m);
  auto ns = m.getRoot<core::Namespace>().asReader();
  CHECK(txt(ns.getStatus().getPhase()) == "Active");
  REQUIRE(ns.getSpec().getFinalizers().size() == 1);
  CHECK(txt(ns.getSpec().getFinalizers()[0]) == "kubernetes");
  REQUIRE(ns.getMetadata().getLabels().size() == 1);
  CHECK(txt(ns.getMetadata().getLabels()[0].getKey()) == "kubernetes.io/metadata.name");
  CHECK(txt(ns.getMetadata().getLabels()[0].getValue()) == "team-a");
  CHECK(validate<core::Namespace>(h, m).empty());
  CHECK(indexes<core::Namespace>(h, m) == std::map<std::string, std::string>{{"name", "team-a"}, {"status.phase", "Active"}});
  CHECK(row<core::Namespace>(h, m, "3d") == R"(["Active","3d"])");
  m.getRoot<core::Namespace>().getSpec().initFinalizers(1).set(0, "custom");
  CHECK(validate<core::Namespace>(h, m) ==
        std::vector<std::string>{"spec.finalizers[0]: Invalid value: \"custom\": name is neither a standard finalizer "
                                 "name nor is it fully qualified"});
}

TEST_CASE("Node table and indexes") {
  const auto& h = hooks("", "Node");
  capnp::MallocMessageBuilder m;
  auto node = m.initRoot<core::Node>();
  labels(node.initMetadata(), {{"node-role.kubernetes.io/control-plane", ""}, {"kubernetes.io/os", "linux"}});
  auto st = node.initStatus();
  auto cond = st.initConditions(1)[0];
  cond.setType("Ready");
  cond.setStatus("True");
  auto addrs = st.initAddresses(1);
  addrs[0].setType("InternalIP");
  addrs[0].setAddress("192.168.1.10");
  auto info = st.initNodeInfo();
  info.setKubeletVersion("v1.32.0");
  info.setOsImage("Debian GNU/Linux 12 (bookworm)");
  CHECK(row<core::Node>(h, m, "10d") ==
        R"x(["Ready","control-plane","10d","v1.32.0","192.168.1.10","<none>","Debian GNU/Linux 12 (bookworm)","<unknown>","<unknown>"])x");
  node.initSpec().setUnschedulable(true);
  cond.setStatus("False");
  CHECK(row<core::Node>(h, m).rfind(R"(["NotReady,SchedulingDisabled","control-plane")", 0) == 0);
  node.getStatus().disownConditions();
  node.getMetadata().disownLabels();
  CHECK(row<core::Node>(h, m).rfind(R"(["Unknown,SchedulingDisabled","<none>")", 0) == 0);
  CHECK(indexes<core::Node>(h, m) == std::map<std::string, std::string>{{"spec.unschedulable", "true"}});
}

// =======================================================================================
// ConfigMap, Secret

TEST_CASE("ConfigMap keys, size and immutability") {
  const auto& h = hooks("", "ConfigMap");
  capnp::MallocMessageBuilder m;
  auto data = m.initRoot<core::ConfigMap>().initData(2);
  data[0].setKey("good.key");
  data[0].setValue("v");
  data[1].setKey("bad key");
  data[1].setValue("v");
  CHECK(validate<core::ConfigMap>(h, m) ==
        std::vector<std::string>{"data[bad key]: Invalid value: \"bad key\": a valid config key must consist of "
                                 "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                                 "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"});
  CHECK(row<core::ConfigMap>(h, m) == R"([2,"5m"])");

  capnp::MallocMessageBuilder big;
  auto bd = big.initRoot<core::ConfigMap>().initData(1);
  bd[0].setKey("k");
  bd[0].setValue(std::string(1024 * 1024 + 1, 'x'));
  CHECK(validate<core::ConfigMap>(h, big) == std::vector<std::string>{"Too long: may not be more than 1048576 bytes"});

  capnp::MallocMessageBuilder o, n;
  auto oc = o.initRoot<core::ConfigMap>();
  oc.getImmutable().setValue(true);
  auto od = oc.initData(1);
  od[0].setKey("k");
  od[0].setValue("1");
  auto nc = n.initRoot<core::ConfigMap>();
  nc.getImmutable().setValue(true);
  auto nd = nc.initData(1);
  nd[0].setKey("k");
  nd[0].setValue("2");
  CHECK(validateUpdate<core::ConfigMap>(h, o, n) ==
        std::vector<std::string>{"data: Forbidden: field is immutable when `immutable` is set"});
}

TEST_CASE("Secret defaults, stringData, validation, indexes and table") {
  const auto& h = hooks("", "Secret");
  capnp::MallocMessageBuilder m;
  auto s = m.initRoot<core::Secret>();
  auto sd = s.initStringData(1);
  sd[0].setKey("password");
  sd[0].setValue("hunter2");
  defaults<core::Secret>(h, m);
  auto r = m.getRoot<core::Secret>().asReader();
  CHECK(txt(r.getType()) == "Opaque");
  CHECK_FALSE(r.hasStringData());
  REQUIRE(r.getData().size() == 1);
  CHECK(txt(r.getData()[0].getKey()) == "password");
  CHECK(std::string(r.getData()[0].getValue().asChars().begin(), r.getData()[0].getValue().asChars().end()) == "hunter2");
  CHECK(validate<core::Secret>(h, m).empty());
  CHECK(indexes<core::Secret>(h, m) == std::map<std::string, std::string>{{"type", "Opaque"}});
  CHECK(row<core::Secret>(h, m) == R"(["Opaque",1,"5m"])");

  capnp::MallocMessageBuilder tls;
  tls.initRoot<core::Secret>().setType("kubernetes.io/tls");
  CHECK(validate<core::Secret>(h, tls) ==
        std::vector<std::string>{"data[tls.crt]: Required value", "data[tls.key]: Required value"});
  CHECK(validateUpdate<core::Secret>(h, m, tls) ==
        std::vector<std::string>{"type: Invalid value: \"kubernetes.io/tls\": field is immutable"});
}

// =======================================================================================
// Events

TEST_CASE("core Event field selector keys and table") {
  FixedNow now(1704164645 + 120);
  const auto& h = hooks("", "Event");
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<core::Event>();
  e.initMetadata().setName("web.17a");
  auto o = e.initInvolvedObject();
  o.setKind("Pod");
  o.setName("web");
  o.setNamespace("default");
  e.setReason("Scheduled");
  e.setType("Normal");
  e.setMessage("Successfully assigned default/web to n1 ");
  e.initSource().setComponent("default-scheduler");
  e.setFirstTimestamp("2024-01-02T03:04:05Z");
  e.setLastTimestamp("2024-01-02T03:04:05Z");
  auto idx = indexes<core::Event>(h, m);
  CHECK(idx.at("involvedObject.kind") == "Pod");
  CHECK(idx.at("involvedObject.name") == "web");
  CHECK(idx.at("involvedObject.namespace") == "default");
  CHECK(idx.at("involvedObject.uid").empty());
  CHECK(idx.at("involvedObject.fieldPath").empty());
  CHECK(idx.at("source") == "default-scheduler");
  CHECK(idx.at("reportingComponent").empty());
  CHECK(idx.at("type") == "Normal");
  CHECK(idx.size() == 11);
  CHECK(row<core::Event>(h, m) ==
        R"(["2m","Normal","Scheduled","pod/web","","default-scheduler","Successfully assigned default/web to n1","2m",1])");
  m.getRoot<core::Event>().getMetadata().setNamespace("kube-system");
  CHECK(validate<core::Event>(h, m) ==
        std::vector<std::string>{"involvedObject.namespace: Invalid value: \"default\": does not match event.namespace"});
}

TEST_CASE("events.k8s.io Event field selector keys") {
  const auto& h = hooks("events.k8s.io", "Event");
  capnp::MallocMessageBuilder m;
  auto e = m.initRoot<capstan::k8s::events::v1::Event>();
  e.initRegarding().setKind("Node");
  e.setReportingController("kubelet");
  auto idx = indexes<capstan::k8s::events::v1::Event>(h, m);
  CHECK(idx.at("regarding.kind") == "Node");
  CHECK(idx.at("regarding.namespace").empty());
  CHECK(idx.at("reportingController") == "kubelet");
  CHECK(idx.count("reason"));
  CHECK(idx.count("type"));
  CHECK(idx.size() == 10);
}

// =======================================================================================
// Job, CronJob

void job(capnp::MallocMessageBuilder& m) {
  auto j = m.initRoot<batch::Job>();
  j.initMetadata().setName("pi");
  auto spec = j.initSpec();
  webSpec(spec.initTemplate().initSpec(), "perl:5.34");
  spec.getTemplate().getSpec().setRestartPolicy("Never");
}

TEST_CASE("Job defaults and generated selector") {
  const auto& h = hooks("batch", "Job");
  capnp::MallocMessageBuilder m;
  job(m);
  defaults<batch::Job>(h, m);
  prepare<batch::Job>(h, m);
  auto j = m.getRoot<batch::Job>().asReader();
  auto spec = j.getSpec();
  CHECK(spec.getCompletions().getValue() == 1);
  CHECK(spec.getParallelism().getValue() == 1);
  CHECK(spec.getBackoffLimit().getValue() == 6);
  CHECK(txt(spec.getCompletionMode()) == "NonIndexed");
  CHECK_FALSE(spec.getSuspend().getValue());
  CHECK(txt(spec.getPodReplacementPolicy()) == "TerminatingOrFailed");
  auto uid = kinds::lookup(spec.getSelector().getMatchLabels(), "batch.kubernetes.io/controller-uid");
  REQUIRE(uid);
  CHECK(uid->size() == 36);
  auto tl = spec.getTemplate().getMetadata().getLabels();
  CHECK(kinds::lookup(tl, "job-name").value() == "pi");
  CHECK(kinds::lookup(tl, "batch.kubernetes.io/job-name").value() == "pi");
  CHECK(kinds::lookup(tl, "controller-uid").value() == *uid);
  CHECK(j.getMetadata().getLabels().size() == 4);
  CHECK(validate<batch::Job>(h, m).empty());
  m.getRoot<batch::Job>().initStatus().setSucceeded(1);
  CHECK(indexes<batch::Job>(h, m) == std::map<std::string, std::string>{{"status.successful", "1"}});
}

TEST_CASE("Job template restartPolicy must be OnFailure or Never") {
  const auto& h = hooks("batch", "Job");
  capnp::MallocMessageBuilder m;
  job(m);
  m.getRoot<batch::Job>().getSpec().getTemplate().getSpec().disownRestartPolicy();
  defaults<batch::Job>(h, m);
  prepare<batch::Job>(h, m);
  CHECK(validate<batch::Job>(h, m) ==
        std::vector<std::string>{"spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""});
  m.getRoot<batch::Job>().getSpec().getTemplate().getSpec().setRestartPolicy("Always");
  CHECK(validate<batch::Job>(h, m) ==
        std::vector<std::string>{"spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""});
}

TEST_CASE("Job selector and template are immutable") {
  const auto& h = hooks("batch", "Job");
  capnp::MallocMessageBuilder o;
  job(o);
  defaults<batch::Job>(h, o);
  prepare<batch::Job>(h, o);
  capnp::MallocMessageBuilder n;
  n.setRoot(o.getRoot<batch::Job>().asReader());
  CHECK(validateUpdate<batch::Job>(h, o, n).empty());
  n.getRoot<batch::Job>().getSpec().getTemplate().getSpec().getContainers()[0].setImage("perl:5.36");
  CHECK(validateUpdate<batch::Job>(h, o, n) ==
        std::vector<std::string>{"spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable"});
}

TEST_CASE("Job table") {
  FixedNow now(1704164645 + 3600);
  const auto& h = hooks("batch", "Job");
  capnp::MallocMessageBuilder m;
  job(m);
  defaults<batch::Job>(h, m);
  auto st = m.getRoot<batch::Job>().initStatus();
  st.setStartTime("2024-01-02T03:04:05Z");
  st.setActive(1);
  std::string r = row<batch::Job>(h, m);
  CHECK(r.rfind(R"(["Running","0/1","60m","5m","web","perl:5.34",)", 0) == 0);
  st.setSucceeded(1);
  st.setCompletionTime("2024-01-02T03:04:35Z");
  auto c = st.initConditions(1)[0];
  c.setType("Complete");
  c.setStatus("True");
  CHECK(row<batch::Job>(h, m).rfind(R"(["Complete","1/1","30s",)", 0) == 0);
}

TEST_CASE("CronJob defaults, validation and table") {
  const auto& h = hooks("batch", "CronJob");
  capnp::MallocMessageBuilder m;
  auto cj = m.initRoot<batch::CronJob>();
  cj.initMetadata().setName("nightly");
  auto spec = cj.initSpec();
  spec.setSchedule("0 3 * * *");
  webSpec(spec.initJobTemplate().initSpec().initTemplate().initSpec(), "backup:1");
  spec.getJobTemplate().getSpec().getTemplate().getSpec().setRestartPolicy("OnFailure");
  defaults<batch::CronJob>(h, m);
  auto s = m.getRoot<batch::CronJob>().getSpec().asReader();
  CHECK(txt(s.getConcurrencyPolicy()) == "Allow");
  CHECK_FALSE(s.getSuspend().getValue());
  CHECK(s.getSuccessfulJobsHistoryLimit().getValue() == 3);
  CHECK(s.getFailedJobsHistoryLimit().getValue() == 1);
  CHECK(validate<batch::CronJob>(h, m).empty());
  CHECK(row<batch::CronJob>(h, m) == R"(["0 3 * * *","<none>","False",0,"<none>","5m","web","backup:1","<none>"])");

  m.getRoot<batch::CronJob>().getSpec().setSchedule("");
  CHECK(validate<batch::CronJob>(h, m) == std::vector<std::string>{"spec.schedule: Required value"});
  m.getRoot<batch::CronJob>().getSpec().setSchedule("every day");
  CHECK(validate<batch::CronJob>(h, m) ==
        std::vector<std::string>{"spec.schedule: Invalid value: \"every day\": expected exactly 5 fields, found 2: "
                                 "[every day]"});
  m.getRoot<batch::CronJob>().getSpec().setSchedule("0 3 * * *");
  m.getRoot<batch::CronJob>().getSpec().getJobTemplate().getSpec().getTemplate().getSpec().disownRestartPolicy();
  CHECK(validate<batch::CronJob>(h, m) ==
        std::vector<std::string>{
            "spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: \"OnFailure\", \"Never\""});
}

// =======================================================================================
// Storage and the rest

TEST_CASE("PersistentVolumeClaim and PersistentVolume defaults and tables") {
  capnp::MallocMessageBuilder m;
  auto pvc = m.initRoot<core::PersistentVolumeClaim>();
  auto spec = pvc.initSpec();
  spec.initAccessModes(1).set(0, "ReadWriteOnce");
  quantity(spec.initResources().initRequests(1)[0], "storage", "1Gi");
  spec.getStorageClassName().setValue("standard");
  defaults<core::PersistentVolumeClaim>(hooks("", "PersistentVolumeClaim"), m);
  auto r = m.getRoot<core::PersistentVolumeClaim>().asReader();
  CHECK(txt(r.getSpec().getVolumeMode()) == "Filesystem");
  CHECK(txt(r.getStatus().getPhase()) == "Pending");
  CHECK(validate<core::PersistentVolumeClaim>(hooks("", "PersistentVolumeClaim"), m).empty());
  CHECK(row<core::PersistentVolumeClaim>(hooks("", "PersistentVolumeClaim"), m) ==
        R"(["Pending","","","","standard","<unset>","5m","Filesystem"])");

  capnp::MallocMessageBuilder bad;
  bad.initRoot<core::PersistentVolumeClaim>().initSpec();
  CHECK(validate<core::PersistentVolumeClaim>(hooks("", "PersistentVolumeClaim"), bad) ==
        std::vector<std::string>{"spec.accessModes: Required value: at least 1 access mode is required",
                                 "spec.resources[storage]: Required value"});

  capnp::MallocMessageBuilder pvm;
  auto pv = pvm.initRoot<core::PersistentVolume>();
  auto ps = pv.initSpec();
  quantity(ps.initCapacity(1)[0], "storage", "10Gi");
  ps.initAccessModes(2).set(0, "ReadWriteOnce");
  ps.getAccessModes().set(1, "ReadOnlyMany");
  ps.initHostPath().setPath("/data");
  defaults<core::PersistentVolume>(hooks("", "PersistentVolume"), pvm);
  CHECK(txt(pv.getSpec().getPersistentVolumeReclaimPolicy()) == "Retain");
  CHECK(validate<core::PersistentVolume>(hooks("", "PersistentVolume"), pvm).empty());
  CHECK(row<core::PersistentVolume>(hooks("", "PersistentVolume"), pvm) ==
        R"(["10Gi","RWO,ROX","Retain","Pending","","","<unset>","","5m","Filesystem"])");
}

TEST_CASE("PriorityClass and StorageClass defaults and validation") {
  namespace scheduling = capstan::k8s::scheduling::v1;
  namespace storage = capstan::k8s::storage::v1;
  capnp::MallocMessageBuilder m;
  auto pc = m.initRoot<scheduling::PriorityClass>();
  pc.initMetadata().setName("high");
  pc.setValue(2000000000);
  defaults<scheduling::PriorityClass>(hooks("scheduling.k8s.io", "PriorityClass"), m);
  CHECK(txt(pc.getPreemptionPolicy()) == "PreemptLowerPriority");
  CHECK(validate<scheduling::PriorityClass>(hooks("scheduling.k8s.io", "PriorityClass"), m) ==
        std::vector<std::string>{"value: Forbidden: maximum allowed value of a user defined priority is 1000000000"});
  pc.setValue(1000);
  CHECK(row<scheduling::PriorityClass>(hooks("scheduling.k8s.io", "PriorityClass"), m) ==
        R"([1000,false,"5m","PreemptLowerPriority"])");

  capnp::MallocMessageBuilder s;
  auto sc = s.initRoot<storage::StorageClass>();
  sc.setProvisioner("rancher.io/local-path");
  defaults<storage::StorageClass>(hooks("storage.k8s.io", "StorageClass"), s);
  CHECK(txt(sc.getReclaimPolicy()) == "Delete");
  CHECK(txt(sc.getVolumeBindingMode()) == "Immediate");
  CHECK(validate<storage::StorageClass>(hooks("storage.k8s.io", "StorageClass"), s).empty());
  CHECK(row<storage::StorageClass>(hooks("storage.k8s.io", "StorageClass"), s) ==
        R"(["rancher.io/local-path","Delete","Immediate",false,"5m"])");
}

TEST_CASE("RBAC bindings: defaults, validation and table") {
  namespace rbac = capstan::k8s::rbac::v1;
  const auto& h = hooks("rbac.authorization.k8s.io", "RoleBinding");
  capnp::MallocMessageBuilder m;
  auto rb = m.initRoot<rbac::RoleBinding>();
  auto ref = rb.initRoleRef();
  ref.setKind("Role");
  ref.setName("reader");
  auto subs = rb.initSubjects(2);
  subs[0].setKind("User");
  subs[0].setName("alice");
  subs[1].setKind("ServiceAccount");
  subs[1].setName("bot");
  subs[1].setNamespace("ci");
  defaults<rbac::RoleBinding>(h, m);
  CHECK(txt(rb.getRoleRef().getApiGroup()) == "rbac.authorization.k8s.io");
  CHECK(txt(rb.getSubjects()[0].getApiGroup()) == "rbac.authorization.k8s.io");
  CHECK(validate<rbac::RoleBinding>(h, m).empty());
  CHECK(row<rbac::RoleBinding>(h, m) == R"(["Role/reader","5m","alice","","ci/bot"])");
  capnp::MallocMessageBuilder n;
  n.setRoot(m.getRoot<rbac::RoleBinding>().asReader());
  n.getRoot<rbac::RoleBinding>().getRoleRef().setName("writer");
  CHECK(validateUpdate<rbac::RoleBinding>(h, m, n) ==
        std::vector<std::string>{"roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", "
                                 "Kind:\"Role\", Name:\"writer\"}: cannot change roleRef"});

  capnp::MallocMessageBuilder role;
  auto r = role.initRoot<rbac::Role>();
  r.initMetadata().setCreationTimestamp("2024-01-02T03:04:05Z");
  r.initRules(1)[0].initVerbs(1).set(0, "get");
  CHECK(validate<rbac::Role>(hooks("rbac.authorization.k8s.io", "Role"), role) ==
        std::vector<std::string>{"rules[0].apiGroups: Required value: resource rules must supply at least one api group",
                                 "rules[0].resources: Required value: resource rules must supply at least one resource"});
  CHECK(row<rbac::Role>(hooks("rbac.authorization.k8s.io", "Role"), role) == R"(["2024-01-02T03:04:05Z"])");
}

TEST_CASE("Lease, EndpointSlice, Ingress and PodDisruptionBudget tables") {
  namespace coordination = capstan::k8s::coordination::v1;
  namespace discovery = capstan::k8s::discovery::v1;
  namespace networking = capstan::k8s::networking::v1;
  namespace policy = capstan::k8s::policy::v1;
  capnp::MallocMessageBuilder l;
  l.initRoot<coordination::Lease>().initSpec().setHolderIdentity("node-1");
  CHECK(row<coordination::Lease>(hooks("coordination.k8s.io", "Lease"), l) == R"(["node-1","5m"])");

  capnp::MallocMessageBuilder es;
  auto slice = es.initRoot<discovery::EndpointSlice>();
  slice.setAddressType("IPv4");
  auto eps = slice.initEndpoints(2);
  eps[0].initAddresses(1).set(0, "10.1.0.5");
  eps[1].initAddresses(1).set(0, "10.1.0.6");
  slice.initPorts(1)[0].getPort().setValue(8080);
  defaults<discovery::EndpointSlice>(hooks("discovery.k8s.io", "EndpointSlice"), es);
  CHECK(txt(slice.getPorts()[0].getProtocol()) == "TCP");
  CHECK(validate<discovery::EndpointSlice>(hooks("discovery.k8s.io", "EndpointSlice"), es).empty());
  CHECK(row<discovery::EndpointSlice>(hooks("discovery.k8s.io", "EndpointSlice"), es) ==
        R"(["IPv4","8080","10.1.0.5,10.1.0.6","5m"])");

  capnp::MallocMessageBuilder in;
  auto ing = in.initRoot<networking::Ingress>();
  auto rule = ing.initSpec().initRules(1)[0];
  rule.setHost("example.com");
  auto path = rule.initHttp().initPaths(1)[0];
  path.setPath("/");
  path.setPathType("Prefix");
  auto svc = path.initBackend().initService();
  svc.setName("web");
  svc.initPort().setNumber(80);
  CHECK(validate<networking::Ingress>(hooks("networking.k8s.io", "Ingress"), in).empty());
  CHECK(row<networking::Ingress>(hooks("networking.k8s.io", "Ingress"), in) ==
        R"(["<none>","example.com","","80","5m"])");
  path.disownPathType();
  CHECK(validate<networking::Ingress>(hooks("networking.k8s.io", "Ingress"), in) ==
        std::vector<std::string>{"spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"});

  capnp::MallocMessageBuilder pd;
  auto pdb = pd.initRoot<policy::PodDisruptionBudget>();
  pdb.initSpec().initMinAvailable().setStrVal("50%");
  CHECK(row<policy::PodDisruptionBudget>(hooks("policy", "PodDisruptionBudget"), pd) == R"(["50%","N/A",0,"5m"])");
}

TEST_CASE("create starts Services, claims, volumes and workloads with a fresh status") {
  capnp::MallocMessageBuilder m;
  service(m);
  m.getRoot<core::Service>().initStatus().initLoadBalancer().initIngress(1)[0].setIp("1.2.3.4");
  prepare<core::Service>(hooks("", "Service"), m);
  CHECK(m.getRoot<core::Service>().getStatus().getLoadBalancer().getIngress().size() == 0);

  capnp::MallocMessageBuilder c;
  c.initRoot<core::PersistentVolumeClaim>().initStatus().setPhase("Bound");
  prepare<core::PersistentVolumeClaim>(hooks("", "PersistentVolumeClaim"), c);
  CHECK(txt(c.getRoot<core::PersistentVolumeClaim>().getStatus().getPhase()) == "Pending");

  capnp::MallocMessageBuilder d;
  deployment(d);
  d.getRoot<apps::Deployment>().initStatus().setReadyReplicas(5);
  prepare<apps::Deployment>(hooks("apps", "Deployment"), d);
  CHECK(d.getRoot<apps::Deployment>().getStatus().getReadyReplicas() == 0);
}

TEST_CASE("StatefulSet claim templates are defaulted like claims") {
  const auto& h = hooks("apps", "StatefulSet");
  capnp::MallocMessageBuilder m;
  auto spec = m.initRoot<apps::StatefulSet>().initSpec();
  auto pvc = spec.initVolumeClaimTemplates(1)[0];
  pvc.initMetadata().setName("data");
  defaults<apps::StatefulSet>(h, m);
  auto r = m.getRoot<apps::StatefulSet>().getSpec().getVolumeClaimTemplates()[0].asReader();
  CHECK(txt(r.getSpec().getVolumeMode()) == "Filesystem");
  CHECK(txt(r.getStatus().getPhase()) == "Pending");
}

TEST_CASE("a Job with a manual selector must select its template") {
  const auto& h = hooks("batch", "Job");
  capnp::MallocMessageBuilder m;
  job(m);
  m.getRoot<batch::Job>().getSpec().getManualSelector().setValue(true);
  labels(m.getRoot<batch::Job>().getSpec().getTemplate().getMetadata(), {{"app", "pi"}});
  defaults<batch::Job>(h, m);
  prepare<batch::Job>(h, m);
  CHECK(validate<batch::Job>(h, m) ==
        std::vector<std::string>{"spec.selector: Required value",
                                 "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"pi\"}: "
                                 "`selector` does not match template `labels`"});
  matchLabels(m.getRoot<batch::Job>().getSpec().initSelector(), {{"app", "pi"}});
  CHECK(validate<batch::Job>(h, m).empty());
}

TEST_CASE("Lease and PodDisruptionBudget validation") {
  namespace coordination = capstan::k8s::coordination::v1;
  namespace policy = capstan::k8s::policy::v1;
  capnp::MallocMessageBuilder l;
  l.initRoot<coordination::Lease>().initSpec().getLeaseDurationSeconds().setValue(0);
  CHECK(validate<coordination::Lease>(hooks("coordination.k8s.io", "Lease"), l) ==
        std::vector<std::string>{"spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"});

  capnp::MallocMessageBuilder p;
  auto spec = p.initRoot<policy::PodDisruptionBudget>().initSpec();
  spec.initMinAvailable().setIntVal(1);
  spec.initMaxUnavailable().setStrVal("150%");
  CHECK(validate<policy::PodDisruptionBudget>(hooks("policy", "PodDisruptionBudget"), p) ==
        std::vector<std::string>{
            "spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set",
            "spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"150%\"}: must not be "
            "greater than 100%"});
}
