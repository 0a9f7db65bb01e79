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
#include <condition_variable>
#include <mutex>

#include "api.h"
#include "capstan/api.h"
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

class KubeApiPlugin final : public Plugin, public Service, public ApiService {
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
    if (kind == Service::kKind) return static_cast<Service*>(this);
    if (kind == ApiService::kKind) return static_cast<ApiService*>(this);
    return nullptr;
  }

  // Kind "api": in-process callers (the scheduler) call from their own threads.
  Result<std::string> batch(const std::string& requestsJson) override {
    std::shared_ptr<Api> api;
    std::shared_ptr<WorkerPool> items;
    {
      std::lock_guard lock(mutex_);
      api = api_;
      items = itemPool_;
    }
    if (!api || !items) return Status::unavailable("kube-api is not serving");
    return handleBus(*api, items.get(), requestsJson, true);
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
    std::shared_ptr<WorkerPool> items;
    {
      std::lock_guard lock(mutex_);
      items = itemPool_;
    }
    pool->submit([api, items, fulfiller, batch, payload = std::move(payload)] {
      (*fulfiller)->fulfill(handleBus(*api, items.get(), payload, batch));
    });
    return kj::mv(paf.promise);
  }

 private:
  // One request of the bus/api format, answered as {"code","body","warnings"}.
  static std::string answer(Api& api, const json::Value& r) {
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
    if (const json::Value* b = r.find("body")) req.body = b->isString() ? b->asString() : json::serialize(*b);
    Response resp = api.handle(req);
    std::string out;
    json::Writer w(out);
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
    return out;
  }

  // The requests of a batch are independent: they run concurrently on `items` (each write
  // still waits for its commit, so a batch costs about one group commit, not one per item).
  static Result<std::string> handleBus(Api& api, WorkerPool* items, const std::string& payload, bool batch) {
    auto doc = json::parse(payload);
    if (!doc.ok()) return Status::invalidArgument("kube-api request: " + doc.status().message());
    if (!batch) return answer(api, *doc);
    if (!doc->isArray()) return Status::invalidArgument("kube-api batch: expected a JSON array of requests");
    const auto& requests = doc->items();
    std::vector<std::string> answers(requests.size());
    if (items && requests.size() > 1) {
      std::mutex mutex;
      std::condition_variable done;
      std::size_t left = requests.size();
      for (std::size_t i = 0; i < requests.size(); ++i)
        items->submit([&, i] {
          answers[i] = answer(api, requests[i]);
          std::lock_guard lock(mutex);
          if (--left == 0) done.notify_one();
        });
      std::unique_lock lock(mutex);
      done.wait(lock, [&] { return left == 0; });
    } else {
      for (std::size_t i = 0; i < requests.size(); ++i) answers[i] = answer(api, requests[i]);
    }
    std::string out = "[";
    for (std::size_t i = 0; i < answers.size(); ++i) {
      if (i) out += ',';
      out += answers[i];
    }
    out += ']';
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
    itemPool_ = std::make_shared<WorkerPool>(args_.http.workers);
    return {};
  }

  void stopServing() {
    std::unique_ptr<HttpServer> server;
    std::shared_ptr<WorkerPool> pool, items;
    {
      std::lock_guard lock(mutex_);
      server = std::move(server_);
      pool = std::move(busPool_);
      items = std::move(itemPool_);
    }
    if (server) server->stop();
    if (pool) pool->stop();
    if (items) items->stop();
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
  std::shared_ptr<WorkerPool> itemPool_;  // runs the requests of a batch concurrently
};

}  // namespace capstan::kube

CAPSTAN_PLUGIN(capstan::kube::KubeApiPlugin, "kube-api", "0.1.0", "service,api",
               "The Kubernetes API: typed objects, defaulting, validation, patches, watch, and the HTTP API kubectl uses")
