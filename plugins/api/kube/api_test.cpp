// The API machinery against a real LMDB store (in-process): the semantics kubectl does not
// exercise directly — resourceVersion rules, continue tokens, watch resume and 410,
// bookmarks, generation, status rules, binding preconditions.

#include "api.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "store/store.h"

using namespace capstan;
using namespace capstan::kube;
namespace fs = std::filesystem;

namespace {

struct Fixture {
  Fixture() {
    dir = fs::temp_directory_path() / ("kube-api-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(dir);
    store::StoreOptions options;
    options.directory = dir.string();
    options.mapSizeBytes = 1ull << 30;
    options.durable = false;
    auto opened = store::LmdbStore::open(options);
    REQUIRE(opened.ok());
    db = std::move(*opened);
    ApiOptions apiOptions;
    apiOptions.bookmarkIntervalMs = 50;
    api = std::make_unique<Api>(*db, apiOptions);
    REQUIRE(api->ensureSystemNamespaces().ok());
  }
  ~Fixture() {
    api.reset();
    db.reset();
    fs::remove_all(dir);
  }

  Response call(std::string verb, std::string resource, std::string name = "", std::string body = "",
                std::multimap<std::string, std::string> query = {}, std::string group = "", std::string version = "v1",
                std::string subresource = "", std::string contentType = "application/json") {
    Request r;
    r.verb = std::move(verb);
    r.group = std::move(group);
    r.version = std::move(version);
    r.resource = std::move(resource);
    r.ns = r.resource == "namespaces" ? "" : "default";
    r.name = std::move(name);
    r.body = std::move(body);
    r.query = std::move(query);
    r.subresource = std::move(subresource);
    r.contentType = std::move(contentType);
    return api->handle(r);
  }

  json::Value parse(const Response& r) {
    auto v = json::parse(r.body);
    REQUIRE(v.ok());
    return *v;
  }

  static inline int counter = 0;
  fs::path dir;
  std::unique_ptr<store::LmdbStore> db;
  std::unique_ptr<Api> api;
};

std::string configMap(const std::string& name, const std::string& value) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":")" + name + R"("},"data":{"k":")" + value + R"("}})";
}

struct Collected {
  std::mutex mutex;
  std::condition_variable cv;
  std::string text;
  bool ended = false;
  WatchSink sink() {
    return {[this](std::string chunk) {
              std::lock_guard lock(mutex);
              text += chunk;
              cv.notify_all();
            },
            [this] {
              std::lock_guard lock(mutex);
              ended = true;
              cv.notify_all();
            }};
  }
  bool waitFor(const std::string& part) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, std::chrono::seconds(10), [&] { return text.find(part) != std::string::npos; });
  }
};

}  // namespace

TEST_CASE("create, get, update with a stale resourceVersion, and generation") {
  Fixture f;
  Response created = f.call("create", "configmaps", "", configMap("a", "1"));
  REQUIRE(created.code == 201);
  json::Value obj = f.parse(created);
  std::string rv = obj["metadata"]["resourceVersion"].asString();
  CHECK(!obj["metadata"]["uid"].asString().empty());

  Response again = f.call("create", "configmaps", "", configMap("a", "1"));
  CHECK(again.code == 409);
  CHECK(f.parse(again)["reason"].asString() == "AlreadyExists");

  // A PUT carrying an old resourceVersion is a Conflict with Kubernetes' message.
  Response updated = f.call("update", "configmaps", "a", configMap("a", "2"));
  REQUIRE(updated.code == 200);
  std::string stale = configMap("a", "3");
  stale.insert(stale.find("\"name\""), "\"resourceVersion\":\"" + rv + "\",");
  Response conflict = f.call("update", "configmaps", "a", stale);
  CHECK(conflict.code == 409);
  CHECK(f.parse(conflict)["message"].asString() ==
        "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes "
        "to the latest version and try again");

  // An update that changes nothing writes nothing.
  Response same = f.call("update", "configmaps", "a", configMap("a", "2"));
  CHECK(f.parse(same)["metadata"]["resourceVersion"] == f.parse(updated)["metadata"]["resourceVersion"]);

  // Deployments: generation moves only with the spec; the main resource cannot change status.
  std::string deploy = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
    "spec":{"replicas":1,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},
    "spec":{"containers":[{"name":"c","image":"i"}]}}},"status":{"replicas":7}})";
  Response d = f.call("create", "deployments", "", deploy, {}, "apps");
  REQUIRE(d.code == 201);
  CHECK(f.parse(d)["metadata"]["generation"].asInt() == 1);
  Response scaled = f.call("patch", "deployments", "d", R"({"spec":{"replicas":3},"status":{"replicas":9}})", {}, "apps",
                           "v1", "", "application/merge-patch+json");
  REQUIRE(scaled.code == 200);
  json::Value s = f.parse(scaled);
  CHECK(s["metadata"]["generation"].asInt() == 2);
  CHECK_FALSE(s["status"].find("replicas"));
  Response status = f.call("patch", "deployments", "d", R"({"status":{"replicas":3}})", {}, "apps", "v1", "status",
                           "application/merge-patch+json");
  REQUIRE(status.code == 200);
  CHECK(f.parse(status)["status"]["replicas"].asInt() == 3);
  CHECK(f.parse(status)["metadata"]["generation"].asInt() == 2);
}

TEST_CASE("lists page with continue tokens at one revision") {
  Fixture f;
  for (char c = '0'; c < '5'; ++c) REQUIRE(f.call("create", "configmaps", "", configMap(std::string{'c', c}, "x")).code == 201);
  Response page1 = f.call("list", "configmaps", "", "", {{"limit", "2"}});
  REQUIRE(page1.code == 200);
  json::Value p1 = f.parse(page1);
  CHECK(p1["kind"].asString() == "ConfigMapList");
  CHECK(p1["items"].size() == 2);
  CHECK(p1["metadata"]["remainingItemCount"].asInt() == 3);
  std::string token = p1["metadata"]["continue"].asString();
  REQUIRE(!token.empty());
  // A write between pages does not show up in the paged list.
  REQUIRE(f.call("create", "configmaps", "", configMap("c9", "x")).code == 201);
  Response page2 = f.call("list", "configmaps", "", "", {{"limit", "10"}, {"continue", token}});
  json::Value p2 = f.parse(page2);
  CHECK(p2["items"].size() == 3);
  CHECK(p2["metadata"]["resourceVersion"] == p1["metadata"]["resourceVersion"]);

  Response badField = f.call("list", "configmaps", "", "", {{"fieldSelector", "spec.nope=x"}});
  CHECK(badField.code == 400);
  CHECK(f.parse(badField)["message"].asString() == "field label not supported: spec.nope");
}

TEST_CASE("watch resumes from a resourceVersion, sends bookmarks, and answers 410 below compaction") {
  Fixture f;
  Response first = f.call("create", "configmaps", "", configMap("w", "1"));
  std::string rv = f.parse(first)["metadata"]["resourceVersion"].asString();
  REQUIRE(f.call("update", "configmaps", "w", configMap("w", "2")).code == 200);

  Request req;
  req.verb = "watch";
  req.version = "v1";
  req.resource = "configmaps";
  req.ns = "default";
  req.query = {{"resourceVersion", rv}, {"allowWatchBookmarks", "true"}};
  Collected events;
  Response error;
  auto stream = f.api->watch(req, events.sink(), error);
  REQUIRE(stream);
  CHECK(events.waitFor("\"type\":\"MODIFIED\""));
  CHECK(events.text.find("\"type\":\"ADDED\"") == std::string::npos);  // only events after rv
  CHECK(events.waitFor("\"type\":\"BOOKMARK\""));
  stream->cancel();

  f.db->compact(f.db->currentRevision());
  Collected expired;
  auto gone = f.api->watch(req, expired.sink(), error);
  CHECK(expired.waitFor("\"type\":\"ERROR\""));
  CHECK(expired.text.find("\"code\":410") != std::string::npos);
  CHECK(expired.text.find("\"reason\":\"Expired\"") != std::string::npos);
}

TEST_CASE("binding assigns a node once; unknown fields warn or fail under Strict") {
  Fixture f;
  std::string pod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i","imagePullPolicyy":"x"}]}})";
  Response created = f.call("create", "pods", "", pod);
  REQUIRE(created.code == 201);
  REQUIRE(created.warnings.size() == 1);
  CHECK(created.warnings[0] == "unknown field \"spec.containers[0].imagePullPolicyy\"");
  CHECK(f.parse(created)["status"]["phase"].asString() == "Pending");

  Response strict = f.call("create", "pods", "", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"q"},"spec":{"containers":[{"name":"c","image":"i"}],"nope":1}})",
                           {{"fieldValidation", "Strict"}});
  CHECK(strict.code == 400);
  CHECK(f.parse(strict)["message"].asString().find("strict decoding error: unknown field \"spec.nope\"") != std::string::npos);

  std::string binding = R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"p"},"target":{"kind":"Node","name":"n1"}})";
  Response bound = f.call("create", "pods", "p", binding, {}, "", "v1", "binding");
  CHECK(bound.code == 201);
  Response pod2 = f.call("get", "pods", "p");
  CHECK(f.parse(pod2)["spec"]["nodeName"].asString() == "n1");
  Response twice = f.call("create", "pods", "p", binding, {}, "", "v1", "binding");
  CHECK(twice.code == 409);
  CHECK(f.parse(twice)["message"].asString().find("is already assigned to node \"n1\"") != std::string::npos);

  Response byNode = f.call("list", "pods", "", "", {{"fieldSelector", "spec.nodeName=n1"}});
  CHECK(f.parse(byNode)["items"].size() == 1);
  Response notOnNode = f.call("list", "pods", "", "", {{"fieldSelector", "spec.nodeName!=n1"}});
  CHECK(f.parse(notOnNode)["items"].size() == 0);

  Response log = f.call("get", "pods", "p", "", {}, "", "v1", "log");
  CHECK(log.code == 503);
}

TEST_CASE("services get a ClusterIP from the loopback range and keep it across updates") {
  Fixture f;
  auto svc = [](const std::string& name, const std::string& extra) {
    return R"({"apiVersion":"v1","kind":"Service","metadata":{"name":")" + name + R"("},"spec":{)" + extra +
           R"("ports":[{"port":80}]}})";
  };
  Response a = f.call("create", "services", "", svc("a", ""));
  REQUIRE(a.code == 201);
  std::string ip = f.parse(a)["spec"]["clusterIP"].asString();
  CHECK(ip.rfind("127.32.", 0) == 0);
  CHECK(f.parse(a)["spec"]["clusterIPs"].items()[0].asString() == ip);

  Response taken = f.call("create", "services", "", svc("b", R"("clusterIP":")" + ip + R"(",)"));
  CHECK(taken.code == 422);
  CHECK(f.parse(taken)["message"].asString().find("provided IP is already allocated") != std::string::npos);
  Response outside = f.call("create", "services", "", svc("c", R"("clusterIP":"10.0.0.1",)"));
  CHECK(outside.code == 422);
  CHECK(f.parse(outside)["message"].asString().find("The range of valid IPs is 127.32.0.0/16") != std::string::npos);
  Response headless = f.call("create", "services", "", svc("d", R"("clusterIP":"None",)"));
  CHECK(f.parse(headless)["spec"]["clusterIP"].asString() == "None");

  // A PUT without the address keeps it; switching to NodePort allocates a node port.
  Response updated = f.call("update", "services", "a", svc("a", R"("type":"NodePort",)"));
  REQUIRE(updated.code == 200);
  json::Value u = f.parse(updated);
  CHECK(u["spec"]["clusterIP"].asString() == ip);
  std::int64_t nodePort = u["spec"]["ports"].items()[0]["nodePort"].asInt();
  CHECK(nodePort >= 30000);
  CHECK(nodePort <= 32767);
}
