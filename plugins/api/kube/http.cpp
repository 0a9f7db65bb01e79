#include "http.h"

#include "pool.h"

#include <kj/async-io.h>
#include <kj/compat/http.h>
#include <kj/compat/url.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

namespace capstan::kube {

namespace {

// Carries watch events from the store's fan-out thread to the HTTP loop.
class WatchPipe {
 public:
  explicit WatchPipe(std::int64_t limit) : limit_(limit) {}

  void push(std::string chunk) {
    std::lock_guard lock(mutex_);
    if (ended_) return;
    bytes_ += static_cast<std::int64_t>(chunk.size());
    chunks_.push_back(std::move(chunk));
    if (bytes_ > limit_) {
      // Too far behind: Kubernetes closes such a watch; the client re-lists.
      overflowed_ = true;
      ended_ = true;
    }
    wake();
  }

  void end() {
    std::lock_guard lock(mutex_);
    ended_ = true;
    wake();
  }

  // Resolves when there is data or the pipe ended. Event-loop thread only.
  kj::Promise<void> ready() {
    std::lock_guard lock(mutex_);
    if (!chunks_.empty() || ended_) return kj::READY_NOW;
    auto paf = kj::newPromiseAndCrossThreadFulfiller<void>();
    waiter_ = kj::mv(paf.fulfiller);
    return kj::mv(paf.promise);
  }

  // Everything queued, joined; `ended` tells whether the stream is over after it.
  std::string take(bool& ended, bool& overflowed) {
    std::lock_guard lock(mutex_);
    std::string out;
    for (auto& c : chunks_) out += c;
    chunks_.clear();
    bytes_ = 0;
    ended = ended_;
    overflowed = overflowed_;
    return out;
  }

 private:
  void wake() {
    if (waiter_) {
      waiter_->fulfill();
      waiter_ = nullptr;
    }
  }

  std::mutex mutex_;
  std::deque<std::string> chunks_;
  std::int64_t bytes_ = 0;
  std::int64_t limit_;
  bool ended_ = false;
  bool overflowed_ = false;
  kj::Own<kj::CrossThreadPromiseFulfiller<void>> waiter_;
};

std::string statusText(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 507: return "Insufficient Storage";
    default: return "Status";
  }
}

// Splits /api/v1/namespaces/NS/pods/NAME/SUB and /apis/G/V/... onto a Request.
// Returns false for paths outside the resource tree.
bool route(const kj::Vector<kj::String>& path, const ResourceTable& resources, Request& req, bool& isCollection) {
  std::size_t i;
  if (path.size() >= 2 && path[0] == "api") {
    req.group = "";
    req.version = std::string(path[1].cStr());
    i = 2;
  } else if (path.size() >= 3 && path[0] == "apis") {
    req.group = std::string(path[1].cStr());
    req.version = std::string(path[2].cStr());
    i = 3;
  } else {
    return false;
  }
  std::vector<std::string> rest;
  for (; i < path.size(); ++i) rest.emplace_back(path[i].cStr());
  if (rest.empty()) return false;
  if (rest[0] == "namespaces" && rest.size() >= 3) {
    const Resource* r = resources.find(req.group, req.version, rest[2]);
    if (r && r->namespaced) {
      req.ns = rest[1];
      rest.erase(rest.begin(), rest.begin() + 2);
    }
  }
  if (rest.size() > 3) return false;
  req.resource = rest[0];
  if (rest.size() >= 2) req.name = rest[1];
  if (rest.size() == 3) req.subresource = rest[2];
  isCollection = rest.size() == 1;
  return true;
}

}  // namespace

class HttpServer::Impl final : public kj::HttpService {
 public:
  Impl(Api& api, HttpOptions options, std::shared_ptr<spdlog::logger> logger)
      : api_(api), options_(std::move(options)), logger_(std::move(logger)) {}

  ~Impl() { stop(); }

  Status start() {
    std::promise<Status> bound;
    auto boundFuture = bound.get_future();
    pool_ = std::make_unique<WorkerPool>(options_.workers);
    thread_ = std::thread([this, &bound] { run(bound); });
    Status s = boundFuture.get();
    if (!s.ok()) {
      thread_.join();
      pool_->stop();
    }
    return s;
  }

  std::string address() const {
    std::lock_guard lock(mutex_);
    return address_;
  }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (!executor_) {
        if (thread_.joinable()) thread_.join();
        if (pool_) pool_->stop();
        return;
      }
      const kj::Executor* executor = executor_;
      executor_ = nullptr;
      executor->executeSync([this] {
        if (stop_) stop_->fulfill();
      });
    }
    if (thread_.joinable()) thread_.join();
    if (pool_) pool_->stop();
  }

  kj::Promise<void> request(kj::HttpMethod method, kj::StringPtr url, const kj::HttpHeaders& headers,
                            kj::AsyncInputStream& requestBody, Response& response) override {
    auto parsed = kj::Url::tryParse(url, kj::Url::HTTP_REQUEST);
    KJ_IF_MAYBE(u, parsed) {
      auto req = kj::heap<Request>();
      for (auto& q : u->query) req->query.emplace(std::string(q.name.cStr()), std::string(q.value.cStr()));
      KJ_IF_MAYBE(v, headers.get(contentType_)) { req->contentType = std::string(v->cStr()); }
      KJ_IF_MAYBE(v, headers.get(accept_)) { req->accept = std::string(v->cStr()); }
      KJ_IF_MAYBE(v, headers.get(userAgent_)) { req->userAgent = std::string(v->cStr()); }
      std::string path = "/";
      for (std::size_t i = 0; i < u->path.size(); ++i) {
        if (i) path += '/';
        path += u->path[i].cStr();
      }

      if (method == kj::HttpMethod::GET) {
        if (path == "/version") return send(response, api_.version());
        if (path == "/healthz" || path == "/livez" || path == "/readyz") {
          kube::Response r;
          r.contentType = "text/plain; charset=utf-8";
          r.body = "ok";
          return send(response, std::move(r));
        }
        if (path == "/api" || path == "/apis" || path == "/api/v1" ||
            (path.starts_with("/apis/") && u->path.size() <= 3))
          return send(response, api_.discovery(path, req->accept));
        if (path.starts_with("/openapi/v3")) return send(response, api_.openApi(path));
      }

      bool isCollection = false;
      if (!route(u->path, api_.resources(), *req, isCollection))
        return send(response, kube::Response::error(pathNotFound()));
      switch (method) {
        case kj::HttpMethod::GET:
          req->verb = isCollection ? (req->flag("watch") ? "watch" : "list") : (req->flag("watch") ? "watch" : "get");
          break;
        case kj::HttpMethod::POST: req->verb = "create"; break;
        case kj::HttpMethod::PUT: req->verb = "update"; break;
        case kj::HttpMethod::PATCH: req->verb = "patch"; break;
        case kj::HttpMethod::DELETE: req->verb = isCollection ? "deletecollection" : "delete"; break;
        default:
          return send(response, kube::Response::error(methodNotAllowed()));
      }
      if (req->verb == "watch") {
        if (!isCollection) {
          // A watch on one object: the collection, filtered by name.
          req->query.emplace("fieldSelector", "metadata.name=" + req->name);
        }
        return startWatch(kj::mv(req), response);
      }
      auto limit = static_cast<std::uint64_t>(api_.options().maxRequestBytes);
      return requestBody.readAllText(limit + 1)
          .then(
              [this, req = kj::mv(req), &response, limit](kj::String body) mutable -> kj::Promise<void> {
                if (body.size() > limit)
                  return send(response, kube::Response::error(tooLarge("Request entity too large: limit is " +
                                                                       std::to_string(limit))));
                req->body = std::string(body.cStr(), body.size());
                return runOnPool(kj::mv(req), response);
              },
              [this, &response](kj::Exception&& e) -> kj::Promise<void> {
                return send(response, kube::Response::error(badRequest(
                                          "reading the request body: " + std::string(e.getDescription().cStr()))));
              });
    }
    return send(response, kube::Response::error(badRequest("malformed URL: " + std::string(url.cStr()))));
  }

 private:
  kj::Promise<void> runOnPool(kj::Own<Request> req, Response& response) {
    auto paf = kj::newPromiseAndCrossThreadFulfiller<kube::Response>();
    auto fulfiller = std::make_shared<kj::Own<kj::CrossThreadPromiseFulfiller<kube::Response>>>(kj::mv(paf.fulfiller));
    auto shared = std::make_shared<Request>(kj::mv(*req));
    pool_->submit([this, shared, fulfiller] { (*fulfiller)->fulfill(api_.handle(*shared)); });
    return paf.promise.then([this, &response](kube::Response r) { return send(response, std::move(r)); });
  }

  kj::Promise<void> send(Response& response, kube::Response r) {
    kj::HttpHeaders headers(*table_);
    headers.set(contentType_, kj::str(r.contentType.c_str()));
    for (const auto& w : r.warnings) headers.add(kj::str("Warning"), kj::str("299 - ", json::quote(w).c_str()));
    // The body is written from the response's own buffer (lists run to tens of MB: no copy).
    auto body = kj::heap<std::string>(std::move(r.body));
    auto stream = response.send(static_cast<uint>(r.code), statusText(r.code).c_str(), headers, body->size());
    auto promise = stream->write(body->data(), body->size());
    return promise.attach(kj::mv(stream), kj::mv(body));
  }

  kj::Promise<void> startWatch(kj::Own<Request> req, Response& response) {
    auto pipe = std::make_shared<WatchPipe>(options_.maxWatchBacklogBytes);
    struct Started {
      std::unique_ptr<WatchStream> stream;
      kube::Response error;
    };
    auto paf = kj::newPromiseAndCrossThreadFulfiller<Started>();
    auto fulfiller = std::make_shared<kj::Own<kj::CrossThreadPromiseFulfiller<Started>>>(kj::mv(paf.fulfiller));
    auto shared = std::make_shared<Request>(kj::mv(*req));
    pool_->submit([this, shared, fulfiller, pipe] {
      WatchSink sink;
      sink.onData = [pipe](std::string chunk) { pipe->push(std::move(chunk)); };
      sink.onEnd = [pipe] { pipe->end(); };
      Started started;
      started.stream = api_.watch(*shared, std::move(sink), started.error);
      (*fulfiller)->fulfill(std::move(started));
    });
    // Kubernetes ends watches without timeoutSeconds after a random 30-60 minutes.
    std::int64_t timeoutSeconds = 0;
    {
      std::string t = shared->param("timeoutSeconds");
      if (!t.empty()) timeoutSeconds = std::atoll(t.c_str());
      if (timeoutSeconds <= 0) {
        thread_local std::mt19937 rng(std::random_device{}());
        timeoutSeconds = 1800 + static_cast<std::int64_t>(rng() % 1800);
      }
    }
    return paf.promise.then([this, pipe, &response, timeoutSeconds](Started started) mutable -> kj::Promise<void> {
      if (!started.stream) return send(response, std::move(started.error));
      kj::HttpHeaders headers(*table_);
      headers.set(contentType_, "application/json");
      auto stream = response.send(200, "OK", headers);
      auto pump = pumpWatch(*stream, pipe);
      auto timeout = timer_->afterDelay(timeoutSeconds * kj::SECONDS);
      return pump.exclusiveJoin(kj::mv(timeout))
          .attach(kj::mv(stream), kj::defer([watch = std::move(started.stream)] { watch->cancel(); }));
    });
  }

  kj::Promise<void> pumpWatch(kj::AsyncOutputStream& stream, std::shared_ptr<WatchPipe> pipe) {
    return pipe->ready().then([this, &stream, pipe]() -> kj::Promise<void> {
      bool ended = false, overflowed = false;
      std::string data = pipe->take(ended, overflowed);
      if (overflowed) logger_->warn("a watch fell too far behind and was closed; the client will re-list");
      if (data.empty()) {
        if (ended) return kj::READY_NOW;
        return pumpWatch(stream, pipe);
      }
      auto bytes = kj::heapString(data.data(), data.size());
      auto write = stream.write(bytes.begin(), bytes.size()).attach(kj::mv(bytes));
      if (ended) return write;
      return write.then([this, &stream, pipe] { return pumpWatch(stream, pipe); });
    });
  }

  void run(std::promise<Status>& bound) {
    try {
      auto io = kj::setupAsyncIo();
      kj::HttpHeaderTable::Builder builder;
      contentType_ = kj::HttpHeaderId::CONTENT_TYPE;
      accept_ = builder.add("Accept");
      userAgent_ = builder.add("User-Agent");
      auto table = builder.build();
      table_ = table.get();
      timer_ = &io.provider->getTimer();
      kj::Own<kj::ConnectionReceiver> receiver;
      try {
        auto addr = io.provider->getNetwork().parseAddress(options_.address.c_str()).wait(io.waitScope);
        receiver = addr->listen();
      } catch (const kj::Exception& e) {
        bound.set_value(Status::unavailable("cannot listen on " + options_.address + ": " +
                                            std::string(e.getDescription().cStr())));
        return;
      }
      std::string host = options_.address.substr(0, options_.address.rfind(':'));
      {
        std::lock_guard lock(mutex_);
        address_ = host + ":" + std::to_string(receiver->getPort());
        executor_ = &kj::getCurrentThreadExecutor();
      }
      kj::HttpServerSettings settings;
      kj::HttpServer server(io.provider->getTimer(), *table, *this, settings);
      auto paf = kj::newPromiseAndFulfiller<void>();
      stop_ = kj::mv(paf.fulfiller);
      auto listening = server.listenHttp(*receiver);
      bound.set_value(Status());
      paf.promise.exclusiveJoin(kj::mv(listening)).wait(io.waitScope);
      stop_ = nullptr;
    } catch (const kj::Exception& e) {
      logger_->error("HTTP server stopped: {}", e.getDescription().cStr());
      std::lock_guard lock(mutex_);
      executor_ = nullptr;
    }
  }

  Api& api_;
  HttpOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<WorkerPool> pool_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::string address_;
  const kj::Executor* executor_ = nullptr;
  kj::Own<kj::PromiseFulfiller<void>> stop_;
  const kj::HttpHeaderTable* table_ = nullptr;
  kj::Timer* timer_ = nullptr;
  kj::HttpHeaderId contentType_ = kj::HttpHeaderId::CONTENT_TYPE;
  kj::HttpHeaderId accept_ = kj::HttpHeaderId::CONTENT_TYPE;
  kj::HttpHeaderId userAgent_ = kj::HttpHeaderId::CONTENT_TYPE;
};

HttpServer::HttpServer(Api& api, HttpOptions options, std::shared_ptr<spdlog::logger> logger)
    : impl_(std::make_unique<Impl>(api, std::move(options), std::move(logger))) {}

HttpServer::~HttpServer() = default;

Status HttpServer::start() { return impl_->start(); }

std::string HttpServer::address() const { return impl_->address(); }

void HttpServer::stop() { impl_->stop(); }

}  // namespace capstan::kube
