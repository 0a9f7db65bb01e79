// Discovery (/api, /apis, aggregated and legacy forms), /version and the OpenAPI v3
// documents, all derived from the generated kind registry.

#include <cstdio>
#include <map>

#include "api.h"

namespace capstan::kube {

namespace {

void writeVerbs(json::Writer& w, const std::vector<std::string>& verbs) {
  w.beginArray();
  for (const auto& v : verbs) w.string(v);
  w.endArray();
}

void writeStrings(json::Writer& w, std::span<const std::string_view> values) {
  w.beginArray();
  for (auto v : values) w.string(v);
  w.endArray();
}

struct SubresourceInfo {
  std::string_view group;
  std::string_view version;
  std::string_view kind;  // empty: the parent's kind
  std::vector<std::string> verbs;
};

SubresourceInfo subresourceInfo(const Resource& r, std::string_view sub) {
  if (sub == "scale") return {"autoscaling", "v1", "Scale", {"get", "patch", "update"}};
  if (sub == "status") return {r.group, r.version, "", {"get", "patch", "update"}};
  if (sub == "binding") return {"", "v1", "Binding", {"create"}};
  if (sub == "eviction") return {"policy", "v1", "Eviction", {"create"}};
  if (sub == "log") return {"", "v1", "Pod", {"get"}};
  if (sub == "exec" || sub == "attach" || sub == "portforward") return {"", "v1", "PodExecOptions", {"create", "get"}};
  return {r.group, r.version, "", {"get"}};
}

// One resource in the aggregated (apidiscovery.k8s.io) form.
void writeAggregatedResource(json::Writer& w, const Resource& r) {
  w.beginObject();
  w.key("resource");
  w.string(r.name);
  w.key("responseKind");
  w.beginObject();
  w.key("group");
  w.string(r.group);
  w.key("version");
  w.string(r.version);
  w.key("kind");
  w.string(r.kind->kind);
  w.endObject();
  w.key("scope");
  w.string(r.namespaced ? "Namespaced" : "Cluster");
  w.key("singularResource");
  w.string(r.kind->singular);
  w.key("verbs");
  writeVerbs(w, r.verbs);
  if (!r.kind->shortNames.empty()) {
    w.key("shortNames");
    writeStrings(w, r.kind->shortNames);
  }
  if (!r.kind->categories.empty()) {
    w.key("categories");
    writeStrings(w, r.kind->categories);
  }
  if (!r.kind->subresources.empty()) {
    w.key("subresources");
    w.beginArray();
    for (auto sub : r.kind->subresources) {
      SubresourceInfo info = subresourceInfo(r, sub);
      w.beginObject();
      w.key("subresource");
      w.string(sub);
      w.key("responseKind");
      w.beginObject();
      w.key("group");
      w.string(info.group);
      w.key("version");
      w.string(info.version);
      w.key("kind");
      w.string(info.kind.empty() ? r.kind->kind : info.kind);
      w.endObject();
      w.key("verbs");
      writeVerbs(w, info.verbs);
      w.endObject();
    }
    w.endArray();
  }
  w.endObject();
}

// One resource (and its subresources) in the legacy APIResourceList form.
void writeLegacyResources(json::Writer& w, const Resource& r) {
  auto entry = [&](const std::string& name, std::string_view singular, std::string_view group,
                   std::string_view version, std::string_view kind, const std::vector<std::string>& verbs,
                   bool withNames) {
    w.beginObject();
    w.key("name");
    w.string(name);
    w.key("singularName");
    w.string(singular);
    w.key("namespaced");
    w.boolean(r.namespaced);
    if (!group.empty() || !version.empty()) {
      w.key("group");
      w.string(group);
      w.key("version");
      w.string(version);
    }
    w.key("kind");
    w.string(kind);
    w.key("verbs");
    writeVerbs(w, verbs);
    if (withNames && !r.kind->shortNames.empty()) {
      w.key("shortNames");
      writeStrings(w, r.kind->shortNames);
    }
    if (withNames && !r.kind->categories.empty()) {
      w.key("categories");
      writeStrings(w, r.kind->categories);
    }
    w.endObject();
  };
  entry(r.name, r.kind->singular, "", "", r.kind->kind, r.verbs, true);
  for (auto sub : r.kind->subresources) {
    SubresourceInfo info = subresourceInfo(r, sub);
    bool foreign = !info.kind.empty() && (info.group != r.group || info.version != r.version);
    entry(r.name + "/" + std::string(sub), "", foreign ? info.group : "", foreign ? info.version : "",
          info.kind.empty() ? r.kind->kind : info.kind, info.verbs, false);
  }
}

std::string groupOf(const std::string& gv) {
  auto slash = gv.find('/');
  return slash == std::string::npos ? std::string() : gv.substr(0, slash);
}

std::string versionOf(const std::string& gv) {
  auto slash = gv.find('/');
  return slash == std::string::npos ? gv : gv.substr(slash + 1);
}

// The aggregated media type the client asked for first ("v2" or "v2beta1"), if any.
std::string aggregatedVersion(std::string_view accept) {
  std::size_t pos = 0;
  while (pos < accept.size()) {
    std::size_t comma = accept.find(',', pos);
    std::string_view part = accept.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    if (part.find("as=APIGroupDiscoveryList") != std::string_view::npos &&
        part.find("g=apidiscovery.k8s.io") != std::string_view::npos) {
      if (part.find("v=v2beta1") != std::string_view::npos) return "v2beta1";
      if (part.find("v=v2") != std::string_view::npos) return "v2";
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return {};
}

std::string hashOf(std::string_view text) {
  // FNV-1a, as an ETag-like cache key for kubectl's OpenAPI cache.
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llX", static_cast<unsigned long long>(h));
  return buffer;
}

Response json200(std::string body, std::string contentType = "application/json") {
  Response r;
  r.code = 200;
  r.contentType = std::move(contentType);
  r.body = std::move(body);
  return r;
}

}  // namespace

Response Api::discovery(std::string_view path, std::string_view accept) const {
  const auto groupVersions = resources_.groupVersions();
  std::string aggregated = aggregatedVersion(accept);
  std::string body;
  json::Writer w(body);

  if ((path == "/api" || path == "/apis") && !aggregated.empty()) {
    bool core = path == "/api";
    w.beginObject();
    w.key("kind");
    w.string("APIGroupDiscoveryList");
    w.key("apiVersion");
    w.string("apidiscovery.k8s.io/" + aggregated);
    w.key("metadata");
    w.beginObject();
    w.endObject();
    w.key("items");
    w.beginArray();
    // Groups in first-seen order, each with its versions.
    std::vector<std::string> groups;
    for (const auto& gv : groupVersions) {
      std::string g = groupOf(gv);
      if ((g.empty()) != core) continue;
      if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(g);
    }
    for (const auto& g : groups) {
      w.beginObject();
      w.key("metadata");
      w.beginObject();
      w.key("name");
      w.string(g);
      w.endObject();
      w.key("versions");
      w.beginArray();
      for (const auto& gv : groupVersions) {
        if (groupOf(gv) != g) continue;
        w.beginObject();
        w.key("version");
        w.string(versionOf(gv));
        w.key("resources");
        w.beginArray();
        for (const auto& r : resources_.all())
          if (r.served && r.apiVersion() == gv) writeAggregatedResource(w, r);
        w.endArray();
        w.key("freshness");
        w.string("Current");
        w.endObject();
      }
      w.endArray();
      w.endObject();
    }
    w.endArray();
    w.endObject();
    return json200(std::move(body), "application/json;g=apidiscovery.k8s.io;v=" + aggregated + ";as=APIGroupDiscoveryList");
  }

  if (path == "/api") {
    w.beginObject();
    w.key("kind");
    w.string("APIVersions");
    w.key("versions");
    w.beginArray();
    w.string("v1");
    w.endArray();
    w.key("serverAddressByClientCIDRs");
    w.beginArray();
    w.beginObject();
    w.key("clientCIDR");
    w.string("0.0.0.0/0");
    w.key("serverAddress");
    w.string(options_.serverAddress);
    w.endObject();
    w.endArray();
    w.endObject();
    return json200(std::move(body));
  }

  auto writeGroup = [&](const std::string& g) {
    w.beginObject();
    w.key("name");
    w.string(g);
    w.key("versions");
    w.beginArray();
    std::string preferred;
    for (const auto& gv : groupVersions) {
      if (groupOf(gv) != g) continue;
      if (preferred.empty()) preferred = gv;
      w.beginObject();
      w.key("groupVersion");
      w.string(gv);
      w.key("version");
      w.string(versionOf(gv));
      w.endObject();
    }
    w.endArray();
    w.key("preferredVersion");
    w.beginObject();
    w.key("groupVersion");
    w.string(preferred);
    w.key("version");
    w.string(versionOf(preferred));
    w.endObject();
    w.endObject();
  };

  if (path == "/apis") {
    w.beginObject();
    w.key("kind");
    w.string("APIGroupList");
    w.key("apiVersion");
    w.string("v1");
    w.key("groups");
    w.beginArray();
    std::vector<std::string> seen;
    for (const auto& gv : groupVersions) {
      std::string g = groupOf(gv);
      if (g.empty() || std::find(seen.begin(), seen.end(), g) != seen.end()) continue;
      seen.push_back(g);
      writeGroup(g);
    }
    w.endArray();
    w.endObject();
    return json200(std::move(body));
  }

  // /api/v1, /apis/<group>, /apis/<group>/<version>
  std::string gv;
  if (path == "/api/v1") {
    gv = "v1";
  } else if (path.starts_with("/apis/")) {
    std::string rest(path.substr(6));
    if (rest.find('/') == std::string::npos) {
      bool known = false;
      for (const auto& v : groupVersions)
        if (groupOf(v) == rest) known = true;
      if (!known) return Response::error(pathNotFound());
      writeGroup(rest);
      // writeGroup wrote a bare object; APIGroup carries kind/apiVersion too.
      std::string withKind = "{\"kind\":\"APIGroup\",\"apiVersion\":\"v1\"," + body.substr(1);
      return json200(std::move(withKind));
    }
    gv = rest;
  }
  if (gv.empty() || std::find(groupVersions.begin(), groupVersions.end(), gv) == groupVersions.end())
    return Response::error(pathNotFound());
  w.beginObject();
  w.key("kind");
  w.string("APIResourceList");
  w.key("apiVersion");
  w.string("v1");
  w.key("groupVersion");
  w.string(gv);
  w.key("resources");
  w.beginArray();
  for (const auto& r : resources_.all())
    if (r.served && r.apiVersion() == gv) writeLegacyResources(w, r);
  w.endArray();
  w.endObject();
  return json200(std::move(body));
}

Response Api::version() const {
  const std::string& v = options_.kubernetesVersion;  // "v1.32.0"
  std::string major = "1", minor = "0";
  if (v.size() > 1 && v[0] == 'v') {
    auto dot1 = v.find('.');
    auto dot2 = v.find('.', dot1 + 1);
    major = v.substr(1, dot1 - 1);
    minor = v.substr(dot1 + 1, dot2 == std::string::npos ? std::string::npos : dot2 - dot1 - 1);
  }
  std::string body;
  json::Writer w(body, true);
  w.beginObject();
  w.key("major");
  w.string(major);
  w.key("minor");
  w.string(minor);
  w.key("gitVersion");
  w.string(v);
  w.key("gitCommit");
  w.string("capstan-" CAPSTAN_VERSION);
  w.key("gitTreeState");
  w.string("clean");
  w.key("buildDate");
  w.string(__DATE__ " " __TIME__);
  w.key("goVersion");
  w.string("");
  w.key("compiler");
  w.string("gcc");
  w.key("platform");
  w.string("linux/amd64");
  w.endObject();
  return json200(std::move(body));
}

namespace {

std::string openApiDocument(const ResourceTable& resources, const std::string& gv, const std::string& k8sVersion) {
  std::string body;
  json::Writer w(body);
  w.beginObject();
  w.key("openapi");
  w.string("3.0.0");
  w.key("info");
  w.beginObject();
  w.key("title");
  w.string("Kubernetes");
  w.key("version");
  w.string(k8sVersion);
  w.endObject();
  w.key("paths");
  w.beginObject();
  for (const auto& r : resources.all()) {
    if (!r.served || r.apiVersion() != gv) continue;
    std::string prefix = r.group.empty() ? "/api/v1" : "/apis/" + gv;
    std::string collection = prefix + (r.namespaced ? "/namespaces/{namespace}/" : "/") + r.name;
    std::string ref = "#/components/schemas/" + std::string(r.kind->info->openApiName);
    auto op = [&](std::string_view method, std::string_view action, bool writes) {
      w.key(method);
      w.beginObject();
      w.key("description");
      w.string(std::string(action) + " " + std::string(r.kind->kind));
      w.key("operationId");
      w.string(std::string(action) + std::string(r.kind->kind));
      w.key("x-kubernetes-action");
      w.string(action);
      w.key("x-kubernetes-group-version-kind");
      w.beginObject();
      w.key("group");
      w.string(r.group);
      w.key("version");
      w.string(r.version);
      w.key("kind");
      w.string(r.kind->kind);
      w.endObject();
      w.key("parameters");
      w.beginArray();
      if (writes) {
        for (const char* p : {"dryRun", "fieldManager", "fieldValidation"}) {
          w.beginObject();
          w.key("name");
          w.string(p);
          w.key("in");
          w.string("query");
          w.key("schema");
          w.beginObject();
          w.key("type");
          w.string("string");
          w.endObject();
          w.endObject();
        }
      }
      w.endArray();
      w.key("responses");
      w.beginObject();
      w.key("200");
      w.beginObject();
      w.key("description");
      w.string("OK");
      w.key("content");
      w.beginObject();
      w.key("application/json");
      w.beginObject();
      w.key("schema");
      w.beginObject();
      w.key("$ref");
      w.string(ref);
      w.endObject();
      w.endObject();
      w.endObject();
      w.endObject();
      w.endObject();
      w.endObject();
    };
    auto has = [&](std::string_view verb) { return std::find(r.verbs.begin(), r.verbs.end(), verb) != r.verbs.end(); };
    w.key(collection);
    w.beginObject();
    if (has("list")) op("get", "list", false);
    if (has("create")) op("post", "post", true);
    w.endObject();
    w.key(collection + "/{name}");
    w.beginObject();
    if (has("get")) op("get", "get", false);
    if (has("update")) op("put", "put", true);
    if (has("patch")) op("patch", "patch", true);
    if (has("delete")) op("delete", "delete", false);
    w.endObject();
  }
  w.endObject();
  w.key("components");
  w.beginObject();
  w.key("schemas");
  std::string_view schemas = k8s::openApiComponents(gv);
  w.raw(schemas.empty() ? std::string_view("{}") : schemas);
  w.endObject();
  w.endObject();
  return body;
}

}  // namespace

Response Api::openApi(std::string_view path) const {
  static std::mutex mutex;
  static std::map<std::string, std::string> cache;  // group-version -> document
  std::lock_guard lock(mutex);
  auto document = [&](const std::string& gv) -> const std::string& {
    auto it = cache.find(gv);
    if (it == cache.end()) it = cache.emplace(gv, openApiDocument(resources_, gv, options_.kubernetesVersion)).first;
    return it->second;
  };
  const auto groupVersions = resources_.groupVersions();
  if (path == "/openapi/v3" || path == "/openapi/v3/") {
    std::string body;
    json::Writer w(body);
    w.beginObject();
    w.key("paths");
    w.beginObject();
    for (const auto& gv : groupVersions) {
      std::string key = gv == "v1" ? "api/v1" : "apis/" + gv;
      w.key(key);
      w.beginObject();
      w.key("serverRelativeURL");
      w.string("/openapi/v3/" + key + "?hash=" + hashOf(document(gv)));
      w.endObject();
    }
    w.endObject();
    w.endObject();
    return json200(std::move(body));
  }
  std::string rest(path.substr(std::string_view("/openapi/v3/").size()));
  std::string gv;
  if (rest == "api/v1") gv = "v1";
  else if (rest.starts_with("apis/")) gv = rest.substr(5);
  if (gv.empty() || std::find(groupVersions.begin(), groupVersions.end(), gv) == groupVersions.end())
    return Response::error(pathNotFound());
  return json200(document(gv));
}

}  // namespace capstan::kube
