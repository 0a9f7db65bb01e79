// GCC 12 reports -Wmaybe-uninitialized from inside std::variant when a Result<T> travels
// through kj's ExceptionOr (the bus `stats` method; a known false positive, as in
// core/bus/server.cpp).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// The scheduler framework plugin (scheduler-framework.so): wires the Framework to the
// kernel — pods and nodes from the shared informers, stage plugins from the registry,
// bindings, events and pod conditions through the API plugin's bus capability.

#include <spdlog/spdlog.h>

#include "capstan/api.h"
#include "capstan/host.h"
#include "capstan/informer.h"
#include "capstan/json.h"
#include "capstan/plugin.h"
#include "capstan/service.h"
#include "convert.h"
#include "framework.h"

namespace capstan::sched {
namespace {

class SchedulerPlugin final : public Plugin, public Service {
 public:
  Status init(Host& host, const PluginConfig& config) override {
    host_ = &host;
    logger_ = host.logger();
    auto args = decodeSchedulerArgs(config.argsYaml);
    if (!args.ok()) return args.status();
    args_ = std::move(*args);
    return {};
  }

  Status start() override {
    std::string apiName = args_.api;
    Host* host = host_;
    // The API plugin's in-process door (kind "api"): called from the binding thread, so the
    // kernel's loop is never involved (and a shutdown cannot deadlock on it).
    auto api = [host, apiName](const std::string& requests) -> Result<std::string> {
      auto pinned = host->registry().get<ApiService>(apiName).pin();
      if (!pinned) return Status::unavailable("the API plugin \"" + apiName + "\" is not loaded");
      return pinned->batch(requests);
    };
    framework_ = std::make_unique<Framework>(args_, host_->registry(), api, &host_->metrics(), logger_);
    if (Status s = framework_->start(); !s.ok()) {
      framework_.reset();
      return s;
    }
    Framework* fw = framework_.get();
    auto logger = logger_;
    nodes_ = host_->informers().informer("nodes");
    pods_ = host_->informers().informer("pods");
    InformerHandlers nodeHandlers;
    nodeHandlers.onAdd = [fw, logger](const ObjectPtr& o) {
      auto node = nodeInfoFromObject(*o);
      if (node.ok())
        fw->nodeUpserted(std::move(*node));
      else
        logger->warn("scheduler: {}", node.status().message());
    };
    nodeHandlers.onUpdate = [add = nodeHandlers.onAdd](const ObjectPtr&, const ObjectPtr& o) { add(o); };
    nodeHandlers.onDelete = [fw](const ObjectPtr& o) { fw->nodeDeleted(o->name); };
    nodeRegistration_ = nodes_->addHandlers(std::move(nodeHandlers));
    InformerHandlers podHandlers;
    podHandlers.onAdd = [fw, logger](const ObjectPtr& o) {
      auto pod = podInfoFromObject(*o);
      if (pod.ok())
        fw->podUpserted(std::move(*pod));
      else
        logger->warn("scheduler: {}", pod.status().message());
    };
    podHandlers.onUpdate = [fw, logger](const ObjectPtr& before, const ObjectPtr& after) {
      auto pod = podInfoFromObject(*after);
      if (pod.ok())
        fw->podUpserted(std::move(*pod), podSchedulingChanged(*before, *after));
      else
        logger->warn("scheduler: {}", pod.status().message());
    };
    podHandlers.onDelete = [fw, logger](const ObjectPtr& o) {
      auto pod = podInfoFromObject(*o);
      if (pod.ok()) fw->podDeleted(std::move(*pod));
    };
    podRegistration_ = pods_->addHandlers(std::move(podHandlers));
    namespaces_ = host_->informers().informer("namespaces");
    InformerHandlers nsHandlers;
    nsHandlers.onAdd = [fw](const ObjectPtr& o) {
      fw->namespaceUpserted(o->name, Labels(o->labels.begin(), o->labels.end()));
    };
    nsHandlers.onUpdate = [add = nsHandlers.onAdd](const ObjectPtr&, const ObjectPtr& o) { add(o); };
    nsHandlers.onDelete = [fw](const ObjectPtr& o) { fw->namespaceDeleted(o->name); };
    namespaceRegistration_ = namespaces_->addHandlers(std::move(nsHandlers));
    logger_->info("scheduler: {} profile(s), parallelism {}", args_.profiles.size(), args_.parallelism);
    return {};
  }

  void stop() override {
    podRegistration_.reset();
    nodeRegistration_.reset();
    namespaceRegistration_.reset();
    if (framework_) framework_->stop();
    framework_.reset();
    pods_.reset();
    nodes_.reset();
    namespaces_.reset();
  }

  void* queryInterface(std::string_view kind) override {
    return kind == Service::kKind ? static_cast<Service*>(this) : nullptr;
  }

  // Bus methods: "stats" answers the framework's counters and queue sizes as JSON.
  kj::Promise<Result<std::string>> call(std::string_view method, std::string) override {
    if (method != "stats")
      return Result<std::string>(Status::notFound("scheduler has no method \"" + std::string(method) + "\" (methods: stats)"));
    if (!framework_) return Result<std::string>(Status::unavailable("the scheduler is not running"));
    auto s = framework_->stats();
    auto q = framework_->queueCounts();
    std::string out;
    json::Writer w(out);
    w.beginObject();
    w.key("attempts"), w.integer(static_cast<std::int64_t>(s.attempts));
    w.key("scheduled"), w.integer(static_cast<std::int64_t>(s.scheduled));
    w.key("unschedulable"), w.integer(static_cast<std::int64_t>(s.unschedulable));
    w.key("errors"), w.integer(static_cast<std::int64_t>(s.errors));
    w.key("queue");
    w.beginObject();
    w.key("active"), w.integer(static_cast<std::int64_t>(q.active));
    w.key("backoff"), w.integer(static_cast<std::int64_t>(q.backoff));
    w.key("unschedulable"), w.integer(static_cast<std::int64_t>(q.unschedulable));
    w.key("gated"), w.integer(static_cast<std::int64_t>(q.gated));
    w.key("inFlight"), w.integer(static_cast<std::int64_t>(q.inFlight));
    w.endObject();
    w.key("profiles");
    w.beginObject();
    for (const auto& [name, stages] : framework_->profileStages()) {
      w.key(name);
      w.beginArray();
      for (const auto& stage : stages) w.string(stage);
      w.endArray();
    }
    w.endObject();
    w.endObject();
    return Result<std::string>(std::move(out));
  }

 private:
  Host* host_ = nullptr;
  std::shared_ptr<spdlog::logger> logger_;
  SchedulerArgs args_;
  std::unique_ptr<Framework> framework_;
  std::shared_ptr<Informer> nodes_, pods_, namespaces_;
  std::unique_ptr<InformerRegistration> nodeRegistration_, podRegistration_, namespaceRegistration_;
};

}  // namespace
}  // namespace capstan::sched

CAPSTAN_PLUGIN(capstan::sched::SchedulerPlugin, "scheduler", "1.0.0", "service",
               "Kubernetes' scheduling framework: profiles of hot-swappable stage plugins")
