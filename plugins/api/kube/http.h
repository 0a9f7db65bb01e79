#pragma once
// The Kubernetes REST API over HTTP/1.1 (plain HTTP on loopback for now): routing of
// /api and /apis paths onto Api, discovery, OpenAPI, health checks, and chunked watch
// streams. Runs its own KJ event loop thread (kj-http) and a pool of worker threads that
// run the (blocking) API operations. kj-http stays inside http.cpp.

#include <cstdint>
#include <memory>
#include <string>

#include "api.h"
#include "capstan/status.h"

namespace spdlog {
class logger;
}

namespace capstan::kube {

struct HttpOptions {
  std::string address = "127.0.0.1:8080";  // host:port; port 0 picks a free one
  int workers = 32;                        // threads running API operations
  std::int64_t maxWatchBacklogBytes = 64 << 20;  // a watcher this far behind is cut off
};

class HttpServer {
 public:
  HttpServer(Api& api, HttpOptions options, std::shared_ptr<spdlog::logger> logger);
  ~HttpServer();

  // Binds and starts serving; returns once the port is open (or with the bind error).
  Status start();
  // "127.0.0.1:PORT" actually bound.
  std::string address() const;
  // Stops accepting, ends watches, waits for in-flight operations.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace capstan::kube
