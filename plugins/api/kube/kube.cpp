// GCC 12 false positive on Result<T> inside kj promises (as in core/bus/client.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// kube-api: the Kubernetes API machinery as a "service" plugin. Serves kubectl over HTTP
// and the same operations to other plugins and processes as the bus capability of its
// instance name (conventionally `api`).

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

#include "api.h"
#include "capstan/config.h"
#include "capstan/host.h"
#include "capstan/plugin.h"
#include "capstan/service.h"
#include "http.h"
#include "pool.h"

namespace capstan::kube {

namespace {

struct Args {
  HttpOptions http;
  ApiOptions api;
  std::string kubeconfig;  // empty: <daemon data dir>/kubeconfig; "-": none
};

Result<Args> decodeArgs(const std::string& yaml) {
  try {
    ConfigReader r(YAML::Load(yaml), "args");
    Args a;
    a.http.address = r.get<std::string>("address", a.http.address);
    a.http.workers = r.get<int>("workers", a.http.workers);
    a.api.kubernetesVersion = r.get<std::string>("kubernetesVersion", a.api.kubernetesVersion);
    a.api.maxRequestBytes = static_cast<std::int64_t>(r.getBytes("maxRequestBytes", 3 * 1024 * 1024));
    a.api.bookmarkIntervalMs = r.getDurationMs("bookmarkInterval", a.api.bookmarkIntervalMs);
    a.api.encodedCacheBytes = static_cast<std::int64_t>(r.getBytes("encodedCache", 256ull << 20));
    a.kubeconfig = r.get<std::string>("kubeconfig", "");
    if (Status s = r.finish(); !s.ok()) return s;
    if (a.http.workers < 1 || a.http.workers > 4096) return Status::invalidArgument("args.workers: must be 1..4096");
    const std::string& v = a.api.kubernetesVersion;
    if (v.size() < 6 || v[0] != 'v' || v.find('.') == std::string::npos)
      return Status::invalidArgument("args.kubernetesVersion: expected a version like v1.32.0, got \"" + v + "\"");
    if (a.http.address.rfind(':') == std::string::npos)
      return Status::invalidArgument("args.address: expected host:port, got \"" + a.http.address + "\"");
    return a;
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("args: not valid YAML: ") + e.what());
  }
}

std::string kubeconfigText(const std::string& address) {
  return "# Written by capstan's kube-api plugin: KUBECONFIG=<this file> kubectl get ns\n"
         "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: capstan\n"
         "  cluster:\n"
         "    server: http://" + address + "\n"
         "contexts:\n"
         "- name: capstan\n"
         "  context:\n"
         "    cluster: capstan\n"
         "    user: capstan\n"
         "    namespace: default\n"
         "current-context: capstan\n"
         "users:\n"
         "- name: capstan\n"
         "  user: {}\n"
         "preferences: {}\n";
}

}  // namespace

class KubeApiPlugin final : public Plugin, public Service {
 public:
  Status init(Host& host, const PluginConfig& config) override {
    host_ = &host;
    logger_ = host.logger();
    auto args = decodeArgs(config.argsYaml);
    if (!args.ok()) return args.status();
    args_ = std::move(*args);
    return {};
  }

  Status start() override { return startServing(); }

  Status reconfigure(const std::string& argsYaml) override {
    auto args = decodeArgs(argsYaml);
    if (!args.ok()) return args.status();
    stopServing();
    args_ = std::move(*args);
    return startServing();
  }

  void drain() override {}

  void stop() override { stopServing(); }

  void* queryInterface(std::string_view kind) override {
    return kind == Service::kKind ? static_cast<Service*>(this) : nullptr;
  }

  // The bus capability. Method "request": one request as JSON
  //   {"verb","group","version","resource","namespace","name","subresource","query":{..},"body":<object>|"text"}
  // answered with {"code", "body": <object>, "warnings": [...]}. Method "batch": a JSON array
  // of such requests, answered with an array in the same order.
  kj::Promise<Result<std::string>> call(std::string_view method, std::string payload) override {
    if (method != "request" && method != "batch")
      return Result<std::string>(Status::notFound("kube-api has no method \"" + std::string(method) +
                                                  "\" (methods: request, batch)"));
    std::shared_ptr<Api> api;
    std::shared_ptr<WorkerPool> pool;
    {
      std::lock_guard lock(mutex_);
      api = api_;
      pool = busPool_;
    }
    if (!api || !pool) return Result<std::string>(Status::unavailable("kube-api is not serving"));
    auto paf = kj::newPromiseAndCrossThreadFulfiller<Result<std::string>>();
    auto fulfiller = std::make_shared<kj::Own<kj::CrossThreadPromiseFulfiller<Result<std::string>>>>(kj::mv(paf.fulfiller));
    bool batch = method == "batch";
    pool->submit([api, fulfiller, batch, payload = std::move(payload)] {
      (*fulfiller)->fulfill(handleBus(*api, payload, batch));
    });
    return kj::mv(paf.promise);
  }

 private:
  static Result<std::string> handleBus(Api& api, const std::string& payload, bool batch) {
    auto doc = json::parse(payload);
    if (!doc.ok()) return Status::invalidArgument("kube-api request: " + doc.status().message());
    auto one = [&](const json::Value& r, json::Writer& w) {
      Request req;
      auto text = [&](const char* key) { return r[key].isString() ? r[key].asString() : std::string(); };
      req.verb = text("verb");
      req.group = text("group");
      req.version = text("version");
      req.resource = text("resource");
      req.ns = text("namespace");
      req.name = text("name");
      req.subresource = text("subresource");
      req.contentType = r.find("contentType") ? text("contentType") : "application/json";
      if (const json::Value* q = r.find("query"); q && q->isObject())
        for (const auto& [k, v] : q->members()) req.query.emplace(k, v.isString() ? v.asString() : json::serialize(v));
      if (const json::Value* b = r.find("body"))
        req.body = b->isString() ? b->asString() : json::serialize(*b);
      Response resp = api.handle(req);
      w.beginObject();
      w.key("code");
      w.integer(resp.code);
      w.key("body");
      if (resp.contentType.starts_with("application/json") && !resp.body.empty()) {
        w.raw(resp.body);
      } else {
        w.string(resp.body);
      }
      if (!resp.warnings.empty()) {
        w.key("warnings");
        w.beginArray();
        for (const auto& warning : resp.warnings) w.string(warning);
        w.endArray();
      }
      w.endObject();
    };
    std::string out;
    json::Writer w(out);
    if (batch) {
      if (!doc->isArray()) return Status::invalidArgument("kube-api batch: expected a JSON array of requests");
      w.beginArray();
      for (const auto& r : doc->items()) one(r, w);
      w.endArray();
    } else {
      one(*doc, w);
    }
    return out;
  }

  Status startServing() {
    auto api = std::make_shared<Api>(host_->store(), args_.api);
    if (Status s = api->ensureSystemNamespaces(); !s.ok()) return s.withContext("creating the system namespaces");
    auto server = std::make_unique<HttpServer>(*api, args_.http, logger_);
    if (Status s = server->start(); !s.ok()) return s;
    api->setServerAddress(server->address());
    std::string path = args_.kubeconfig.empty() ? host_->daemonDataDir() + "/kubeconfig" : args_.kubeconfig;
    if (args_.kubeconfig != "-") {
      std::string tmp = path + ".tmp";
      {
        std::ofstream out(tmp, std::ios::trunc);
        out << kubeconfigText(server->address());
        if (!out) {
          server->stop();
          return Status::unavailable("cannot write the kubeconfig " + tmp);
        }
      }
      std::filesystem::permissions(tmp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      std::filesystem::rename(tmp, path);
    }
    logger_->info("Kubernetes API on http://{} (reports {}); kubeconfig: {}", server->address(),
                  args_.api.kubernetesVersion, args_.kubeconfig == "-" ? "not written" : path);
    std::lock_guard lock(mutex_);
    api_ = std::move(api);
    server_ = std::move(server);
    busPool_ = std::make_shared<WorkerPool>(8);
    return {};
  }

  void stopServing() {
    std::unique_ptr<HttpServer> server;
    std::shared_ptr<WorkerPool> pool;
    {
      std::lock_guard lock(mutex_);
      server = std::move(server_);
      pool = std::move(busPool_);
    }
    if (server) server->stop();
    if (pool) pool->stop();
    std::lock_guard lock(mutex_);
    api_.reset();
  }

  Host* host_ = nullptr;
  std::shared_ptr<spdlog::logger> logger_;
  Args args_;
  std::mutex mutex_;
  std::shared_ptr<Api> api_;
  std::unique_ptr<HttpServer> server_;
  std::shared_ptr<WorkerPool> busPool_;
};

}  // namespace capstan::kube

CAPSTAN_PLUGIN(capstan::kube::KubeApiPlugin, "kube-api", "0.1.0", "service",
               "The Kubernetes API: typed objects, defaulting, validation, patches, watch, and the HTTP API kubectl uses")
