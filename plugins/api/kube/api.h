#pragma once
// The API machinery: every Kubernetes operation (create, get, list, update, patch, delete,
// watch, subresources) on typed objects stored in the kernel's store. Transport-free: the
// HTTP server and the bus `api` capability both call it.
//
// Thread-safety: all methods may be called from any thread concurrently. Writes block the
// calling thread until the store has made them durable, so call from worker threads, not
// from an event loop.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/json.h"
#include "capstan/store.h"
#include "errors.h"
#include "resources.h"

namespace capstan::kube {

struct Request {
  std::string verb;  // get list create update patch delete deletecollection watch (Kubernetes' verbs)
  std::string group;
  std::string version;
  std::string resource;
  std::string subresource;
  std::string ns;
  std::string name;
  std::multimap<std::string, std::string> query;  // decoded query parameters
  std::string contentType;  // of the body
  std::string accept;       // the client's Accept header
  std::string body;
  std::string userAgent;

  std::string param(std::string_view key) const;
  bool flag(std::string_view key) const;  // "true"/"1"
};

struct Response {
  int code = 200;
  std::string contentType = "application/json";
  std::string body;
  std::vector<std::string> warnings;  // sent as `Warning: 299 - "<text>"` headers

  static Response error(const ApiError& e);
};

// A running watch: events come as complete JSON lines (one per event, '\n'-terminated).
// `onData` may run on any thread; it must not block. `onEnd` runs once, last.
struct WatchSink {
  std::function<void(std::string chunk)> onData;
  std::function<void()> onEnd;
};

class WatchStream {
 public:
  virtual ~WatchStream() = default;
  virtual void cancel() = 0;
};

struct ApiOptions {
  std::string kubernetesVersion = "v1.32.0";  // what /version reports
  std::int64_t maxRequestBytes = 3 * 1024 * 1024;
  std::int64_t bookmarkIntervalMs = 60000;
  std::int64_t encodedCacheBytes = 256 << 20;  // JSON of recently served object versions
  std::string serverAddress;  // host:port clients reach this server at (legacy discovery)
};

class Api {
 public:
  Api(StoreClient& store, ApiOptions options);
  ~Api();

  const ResourceTable& resources() const { return resources_; }
  const ApiOptions& options() const { return options_; }

  // Everything but watch.
  Response handle(const Request& request);

  // A watch (verb "watch" or list with watch=true). On a setup error returns the error
  // response and no stream.
  std::unique_ptr<WatchStream> watch(const Request& request, WatchSink sink, Response& errorOut);

  // Creates default, kube-system, kube-public and kube-node-lease if missing.
  Status ensureSystemNamespaces();

  // Discovery and OpenAPI documents (cached; built from the generated kind registry).
  Response discovery(std::string_view path, std::string_view accept) const;
  Response version() const;
  Response openApi(std::string_view path) const;
  void setServerAddress(std::string address) { options_.serverAddress = std::move(address); }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  ResourceTable resources_;
  ApiOptions options_;
};

}  // namespace capstan::kube
