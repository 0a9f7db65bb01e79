// Kubernetes API benchmark: creates, lists (JSON and Table) and watch fan-out over HTTP/1.1
// against a real daemon running the kube-api plugin. Prints one summary line of figures on
// stdout (progress on stderr); it reports, it asserts nothing about the figures.
//
//   build/bin/api_bench [--quick] [--keep] [--capstan PATH]
//
// Full sizes are the issue's targets:
//   create32    50,000 ~1 KiB Pods POSTed by 32 threads, one keep-alive connection each
//               (objects/s counting 201s; writes are durable: the store fsyncs).
//   list10k_*   10,000 Pods in namespace "bench", listed 30 times as JSON and 30 times as
//               Table (after one untimed warm-up each); p99 of request sent -> body read.
//   watchN_*    N HTTP watchers (1, then 100) on namespace "watch" from a list's
//               resourceVersion; a paced writer makes 10,000 events at 1,000/s (creates of
//               1,000 pods, then updates of them), each pod carrying its send time
//               (CLOCK_REALTIME ns) in the annotation bench/sent-ns. Latency = watcher's
//               receive time - send time, so it includes the durable write. cpu_per_event =
//               daemon utime+stime (/proc/PID/stat) over the run / events.
// --quick: 2,000 creates, 1,000 pods listed 5 times, 10 watchers and 500 events at 500/s.
//
// The line: api create32=N/s list10k_json_p99=Nms list10k_table_p99=Nms watch1_p99=Nms
//   watch100_p99=Nms watch100_events=DELIVERED/EXPECTED watch1_cpu_per_event=Nus
//   watch100_cpu_per_event=Nus watch_cpu_per_delivery=Nus watch100_rate=N/s errors=N
// watch_cpu_per_delivery = (cpu_per_event with 100 watchers - with 1) / 99: the daemon's cost
// of one more watcher receiving one event. Encoding each event once for all watchers keeps it
// at a copy and a write; encoding per watcher makes it about one object's JSON encoding.
// watch100_rate is the write rate achieved (the pace is 1,000/s; a loaded machine lags).
//
// Exit status: 0 when every request answered 2xx, 1 otherwise (the line is still printed),
// 2 for a usage error. The daemon is always stopped; its data dir (a mkdtemp under /tmp) is
// removed unless --keep.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// ---------------------------------------------------------------------------------------
// Sizes

struct Sizes {
  int creates = 50000;
  int createClients = 32;
  int listPods = 10000;
  int lists = 30;
  int watchers = 100;
  int watchEvents = 10000;
  int watchRate = 1000;      // events/s
  int watchPool = 1000;      // pods created; later events update them
  int watchWriters = 16;     // threads sharing the paced schedule (writes wait for fsync)
};

Sizes quickSizes() {
  Sizes s;
  s.creates = 2000;
  s.listPods = 1000;
  s.lists = 5;
  s.watchers = 10;
  s.watchEvents = 500;
  s.watchRate = 500;
  s.watchPool = 250;
  return s;
}

double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

int64_t realtimeNs() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

std::string exeDir() { return fs::read_symlink("/proc/self/exe").parent_path().string(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::size_t idx = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  idx = idx == 0 ? 0 : idx - 1;
  idx = std::min(idx, v.size() - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
  return v[idx];
}

std::string fmt(double v) {
  if (std::isnan(v)) return "NA";
  char b[32];
  std::snprintf(b, sizeof(b), v >= 100 ? "%.0f" : (v >= 10 ? "%.1f" : "%.2f"), v);
  return b;
}

std::string shorten(std::string s, std::size_t n = 600) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  if (s.size() > n) s = s.substr(0, n) + "...(" + std::to_string(s.size()) + " bytes)";
  return s;
}

// ---------------------------------------------------------------------------------------
// Failures: the first few are printed, all are counted (and make the exit status 1).

std::atomic<int> gErrors{0};
std::mutex gErrorMutex;

void recordError(const std::string& what) {
  int n = ++gErrors;
  if (n <= 10) {
    std::lock_guard lock(gErrorMutex);
    std::cerr << "api_bench: ERROR " << what << "\n";
  } else if (n == 11) {
    std::cerr << "api_bench: (further errors are counted, not printed)\n";
  }
}

// ---------------------------------------------------------------------------------------
// The daemon. A global so that signal handlers and fatal() can always stop it.

std::atomic<pid_t> gDaemonPid{-1};
std::string gTempDir;
bool gKeep = false;

void stopDaemon() {
  pid_t pid = gDaemonPid.exchange(-1);
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int st = 0;
  for (int i = 0; i < 300; ++i) {  // 30 s, then SIGKILL
    pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid || r < 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cerr << "api_bench: the daemon did not stop within 30 s of SIGTERM; killing it\n";
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &st, 0);
}

std::mutex gCleanupMutex;

void cleanup() {
  std::lock_guard lock(gCleanupMutex);
  stopDaemon();
  if (!gTempDir.empty()) {
    if (gKeep) {
      std::cerr << "api_bench: kept " << gTempDir << "\n";
    } else {
      std::error_code ec;
      fs::remove_all(gTempDir, ec);
    }
    gTempDir.clear();
  }
}

void printLogTail() {
  if (gTempDir.empty()) return;
  std::ifstream in(gTempDir + "/daemon.log");
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) {
    lines.push_back(l);
    if (lines.size() > 20) lines.erase(lines.begin());
  }
  if (lines.empty()) return;
  std::cerr << "api_bench: last lines of the daemon log:\n";
  for (auto& x : lines) std::cerr << "  " << x << "\n";
}

[[noreturn]] void fatal(const std::string& what) {
  std::cerr << "api_bench: " << what << "\n";
  printLogTail();
  cleanup();
  std::_Exit(1);
}

// SIGINT/SIGTERM/SIGHUP/SIGQUIT are blocked in every thread and taken by this one, which
// stops the daemon and removes the data dir before exiting.
void startSignalThread() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, sig);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    ::sigwait(&set, &sig);
    std::cerr << "api_bench: signal " << sig << "; stopping the daemon\n";
    cleanup();
    std::_Exit(128 + sig);
  }).detach();
}

struct Daemon {
  std::string host = "127.0.0.1";
  int port = 0;
  pid_t pid = -1;
};

Daemon startDaemon(const std::string& capstan) {
  std::string config = gTempDir + "/config.yaml";
  std::string dataDir = gTempDir + "/data";
  std::string log = gTempDir + "/daemon.log";
  {
    std::ofstream out(config);
    out << "plugins:\n"
           "  - name: api\n"
           "    path: kube-api.so\n"
           "    args: {address: \"127.0.0.1:0\", workers: 64}\n";
  }
  fs::create_directories(dataDir);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) fatal("fork failed");
  if (pid == 0) {
    // If the benchmark dies without cleaning up (SIGKILL), the daemon goes too.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // exec keeps the mask: unblock what we blocked
    if (::getppid() != parent) ::_exit(1);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execl(capstan.c_str(), capstan.c_str(), "--config", config.c_str(), "--data-dir", dataDir.c_str(),
            "--log-level", "warn", nullptr);
    ::_exit(127);
  }
  gDaemonPid = pid;
  Daemon d;
  d.pid = pid;
  std::string kubeconfig = dataDir + "/kubeconfig";
  auto t0 = Clock::now(), lastLogCheck = t0;
  while (true) {
    int st;
    if (::waitpid(pid, &st, WNOHANG) == pid) {
      if (gDaemonPid.exchange(-1) != pid) ::pause();  // the signal thread is stopping it and exits
      fatal("the daemon exited (status " + std::to_string(st) + ") before writing " + kubeconfig);
    }
    if (fs::exists(kubeconfig)) {
      std::ifstream in(kubeconfig);
      std::string line;
      while (std::getline(in, line)) {
        auto at = line.find("server: http://");
        if (at == std::string::npos) continue;
        std::string addr = line.substr(at + std::strlen("server: http://"));
        while (!addr.empty() && (addr.back() == '\r' || addr.back() == ' ' || addr.back() == '/')) addr.pop_back();
        auto colon = addr.rfind(':');
        if (colon != std::string::npos) {
          d.host = addr.substr(0, colon);
          d.port = std::atoi(addr.c_str() + colon + 1);
        }
      }
      if (d.port > 0) break;
    }
    if (seconds(t0) > 60) fatal("the daemon wrote no kubeconfig with a server line within 60 s");
    if (seconds(lastLogCheck) > 0.5) {
      // The daemon keeps running when a plugin fails to load: look for that in its log.
      lastLogCheck = Clock::now();
      std::ifstream in(log);
      std::string line;
      while (std::getline(in, line))
        if (line.find(" error ") != std::string::npos && line.find("plugin") != std::string::npos)
          fatal("the daemon could not start the kube-api plugin: " + line);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::cerr << "api_bench: daemon pid " << pid << " serving http://" << d.host << ":" << d.port << " (started in "
            << fmt(seconds(t0) * 1000) << " ms)\n";
  return d;
}

// This process's user + system CPU time, in microseconds.
double selfCpuMicros() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

// utime + stime of a process, in microseconds.
double cpuMicros(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto paren = text.rfind(')');
  if (paren == std::string::npos) return NAN;
  std::istringstream fields(text.substr(paren + 2));
  std::vector<std::string> f;
  std::string x;
  while (fields >> x) f.push_back(x);
  // After ")": state is field 3, so utime (14) and stime (15) are at 11 and 12.
  if (f.size() < 13) return NAN;
  double ticks = std::stod(f[11]) + std::stod(f[12]);
  return ticks * 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// ---------------------------------------------------------------------------------------
// A tiny HTTP/1.1 client: keep-alive, Content-Length and chunked responses.

struct HttpResponse {
  int code = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return "";
  }
};

class HttpConn {
 public:
  HttpConn(std::string host, int port) : host_(std::move(host)), port_(port) {}
  ~HttpConn() { close(); }
  HttpConn(const HttpConn&) = delete;
  HttpConn& operator=(const HttpConn&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
    pos_ = 0;
  }

  bool connected() const { return fd_ >= 0; }

  // Throws std::runtime_error on connection failures.
  void connect() {
    close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port_));
    if (::inet_pton(AF_INET, host_.c_str(), &a.sin_addr) != 1) throw std::runtime_error("bad address " + host_);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0) {
      std::string e = std::strerror(errno);
      close();
      throw std::runtime_error("connect to " + host_ + ":" + std::to_string(port_) + ": " + e);
    }
  }

  // One request/response on the kept-alive connection. A request that finds the kept-alive
  // connection closed by the server before any response byte is resent once on a new one.
  HttpResponse request(const std::string& method, const std::string& path, const std::string& body = "",
                       const std::string& accept = "application/json") {
    for (int attempt = 0;; ++attempt) {
      bool reused = connected();
      if (!reused) connect();
      try {
        sendRequest(method, path, body, accept);
        HttpResponse r = readHead(true);
        readBody(r);
        if (lower(r.header("connection")) == "close") close();
        return r;
      } catch (const EofBeforeResponse&) {
        close();
        if (!reused || attempt > 0) throw std::runtime_error("connection closed before a response");
        ++reconnects;
      }
    }
  }

  void sendRequest(const std::string& method, const std::string& path, const std::string& body,
                   const std::string& accept) {
    std::string req;
    req.reserve(256 + body.size());
    req += method;
    req += ' ';
    req += path;
    req += " HTTP/1.1\r\nHost: ";
    req += host_;
    req += ':';
    req += std::to_string(port_);
    req += "\r\nUser-Agent: api_bench\r\nAccept: ";
    req += accept;
    req += "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT") {
      req += "Content-Type: application/json\r\nContent-Length: ";
      req += std::to_string(body.size());
      req += "\r\n";
    }
    req += "\r\n";
    req += body;
    std::size_t off = 0;
    while (off < req.size()) {
      ssize_t n = ::send(fd_, req.data() + off, req.size() - off, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EPIPE || errno == ECONNRESET) throw EofBeforeResponse{};
        throw std::runtime_error(std::string("send: ") + std::strerror(errno));
      }
      off += static_cast<std::size_t>(n);
    }
  }

  // Status line and headers. With firstByteRetry, EOF before any byte throws EofBeforeResponse.
  HttpResponse readHead(bool firstByteRetry) {
    HttpResponse r;
    std::string status;
    if (!readLine(status)) {
      if (firstByteRetry) throw EofBeforeResponse{};
      throw std::runtime_error("connection closed before a response");
    }
    // HTTP/1.1 201 Created
    auto sp = status.find(' ');
    if (status.rfind("HTTP/1.", 0) != 0 || sp == std::string::npos)
      throw std::runtime_error("bad status line: " + shorten(status, 200));
    r.code = std::atoi(status.c_str() + sp + 1);
    auto sp2 = status.find(' ', sp + 1);
    if (sp2 != std::string::npos) r.reason = status.substr(sp2 + 1);
    while (true) {
      std::string line;
      if (!readLine(line)) throw std::runtime_error("connection closed in the response headers");
      if (line.empty()) break;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = lower(line.substr(0, colon));
      std::size_t v = colon + 1;
      while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) ++v;
      r.headers.emplace_back(name, line.substr(v));
    }
    return r;
  }

  void readBody(HttpResponse& r) {
    if (r.code == 204 || r.code == 304 || (r.code >= 100 && r.code < 200)) return;
    if (lower(r.header("transfer-encoding")).find("chunked") != std::string::npos) {
      while (true) {
        std::size_t n = readChunkSize();
        if (n == 0) {
          std::string trailer;
          do {
            if (!readLine(trailer)) throw std::runtime_error("connection closed in the chunked trailer");
          } while (!trailer.empty());
          return;
        }
        readExact(n, r.body);
        std::string crlf;
        if (!readLine(crlf) || !crlf.empty()) throw std::runtime_error("bad chunk terminator");
      }
    }
    std::string cl = r.header("content-length");
    if (!cl.empty()) {
      readExact(static_cast<std::size_t>(std::stoull(cl)), r.body);
      return;
    }
    // Neither: the body runs to the end of the connection.
    while (fill(stopNever())) {
    }
    r.body.append(buf_, pos_, std::string::npos);
    close();
  }

  // The next chunk's size (chunked encoding); throws on EOF.
  std::size_t readChunkSize(const std::atomic<bool>* stop = nullptr) {
    std::string line;
    if (!readLine(line, stop)) throw std::runtime_error("connection closed in a chunked body");
    auto semi = line.find(';');
    if (semi != std::string::npos) line.resize(semi);
    return static_cast<std::size_t>(std::stoull(line, nullptr, 16));
  }

  // Appends exactly n bytes to out.
  void readExact(std::size_t n, std::string& out, const std::atomic<bool>* stop = nullptr) {
    while (buf_.size() - pos_ < n) {
      std::size_t have = buf_.size() - pos_;
      out.append(buf_, pos_, have);
      n -= have;
      buf_.clear();
      pos_ = 0;
      if (!fill(stop)) throw std::runtime_error("connection closed in a response body");
    }
    out.append(buf_, pos_, n);
    pos_ += n;
  }

  // A CRLF- (or LF-) terminated line without its terminator; false on EOF.
  bool readLine(std::string& line, const std::atomic<bool>* stop = nullptr) {
    while (true) {
      const char* start = buf_.data() + pos_;
      const void* nl = std::memchr(start, '\n', buf_.size() - pos_);
      if (nl) {
        std::size_t len = static_cast<const char*>(nl) - start;
        line.assign(start, len);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        pos_ += len + 1;
        return true;
      }
      if (!fill(stop)) return false;
    }
  }

  int reconnects = 0;
  // Seconds without data after which a read fails (watches pass a stop flag instead).
  int readTimeoutSeconds = 120;

  struct Stopped {};

 private:
  struct EofBeforeResponse {};

  static const std::atomic<bool>* stopNever() { return nullptr; }

  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  // Reads more; false on EOF. With a stop flag, polls and throws Stopped once it is set.
  bool fill(const std::atomic<bool>* stop) {
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    } else if (pos_ > (1 << 20)) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    auto waited = Clock::now();
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      int pr = ::poll(&p, 1, 200);
      if (pr < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
      }
      if (pr == 0) {
        if (stop && stop->load()) throw Stopped{};
        if (!stop && seconds(waited) > readTimeoutSeconds)
          throw std::runtime_error("no response data for " + std::to_string(readTimeoutSeconds) + " s");
        continue;
      }
      char tmp[65536];
      ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        if (errno == ECONNRESET) return false;
        throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
      }
      if (n == 0) return false;
      buf_.append(tmp, static_cast<std::size_t>(n));
      return true;
    }
  }

  std::string host_;
  int port_;
  int fd_ = -1;
  std::string buf_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------
// Pods

// A realistic ~1 KiB Pod: labels, one container with image, ports, env and resources.
std::string podJson(const std::string& name, int64_t sentNs = 0, int generation = 0) {
  std::string s;
  s.reserve(1200);
  s += R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")";
  s += name;
  s += R"(","labels":{"app":"bench-api","tier":"backend","release":"stable","team":"capstan","shard":")";
  s += std::to_string(std::hash<std::string>{}(name) % 16);
  s += R"("})";
  if (sentNs) {
    s += R"(,"annotations":{"bench/sent-ns":")";
    s += std::to_string(sentNs);
    s += R"(","bench/generation":")";
    s += std::to_string(generation);
    s += R"("})";
  }
  s += R"(},"spec":{"containers":[{"name":"app","image":"registry.example.com/capstan/bench-app:1.27.3",)"
       R"("args":["--listen=:8080","--metrics=:9090","--log-format=json"],)"
       R"("ports":[{"name":"http","containerPort":8080,"protocol":"TCP"},)"
       R"({"name":"metrics","containerPort":9090,"protocol":"TCP"}],)"
       R"("env":[{"name":"LOG_LEVEL","value":"info"},{"name":"CACHE_SIZE","value":"256Mi"},)"
       R"({"name":"UPSTREAM_URL","value":"http://backend.default.svc.cluster.local:8080/api"},)"
       R"({"name":"FEATURE_FLAGS","value":"alpha=false,beta=true,gamma=true"},)"
       R"({"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],)"
       R"("resources":{"requests":{"cpu":"100m","memory":"128Mi"},"limits":{"cpu":"500m","memory":"512Mi"}},)"
       R"("readinessProbe":{"httpGet":{"path":"/healthz","port":8080},"periodSeconds":10},)"
       R"("imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,)"
       R"("nodeSelector":{"kubernetes.io/os":"linux"}}})";
  return s;
}

bool createNamespace(HttpConn& c, const std::string& ns) {
  try {
    auto r = c.request("POST", "/api/v1/namespaces", R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns +
                                                          R"("}})");
    if (r.code == 201 || r.code == 409) return true;
    recordError("POST /api/v1/namespaces (" + ns + ") -> " + std::to_string(r.code) + " " + shorten(r.body));
  } catch (const std::exception& e) {
    recordError("POST /api/v1/namespaces (" + ns + "): " + e.what());
  }
  return false;
}

// `total` creates of pods PREFIX-i in ns by `clients` threads with a connection each.
// Returns 201s per second.
double createPods(const Daemon& d, const std::string& ns, const std::string& prefix, int total, int clients,
                  int* createdOut = nullptr) {
  std::atomic<int> next{0}, created{0}, reconnects{0};
  std::string path = "/api/v1/namespaces/" + ns + "/pods";
  auto t0 = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < clients; ++t) {
    threads.emplace_back([&] {
      HttpConn c(d.host, d.port);
      while (true) {
        int i = next++;
        if (i >= total) break;
        std::string name = prefix + std::to_string(i);
        try {
          auto r = c.request("POST", path, podJson(name));
          if (r.code == 201) {
            ++created;
          } else {
            recordError("POST " + path + " (" + name + ") -> " + std::to_string(r.code) + " " + shorten(r.body));
          }
        } catch (const std::exception& e) {
          recordError("POST " + path + " (" + name + "): " + e.what());
          c.close();
        }
      }
      reconnects += c.reconnects;
    });
  }
  for (auto& t : threads) t.join();
  double secs = seconds(t0);
  if (reconnects) std::cerr << "api_bench: note: " << reconnects << " kept-alive connections were closed by the server\n";
  if (createdOut) *createdOut = created;
  return created / secs;
}

std::size_t countOccurrences(const std::string& hay, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + needle.size())) ++n;
  return n;
}

std::string listResourceVersion(const std::string& body) {
  // The list's metadata comes before its items: the first resourceVersion is the list's.
  static const std::string key = "\"resourceVersion\":\"";
  auto at = body.find(key);
  if (at == std::string::npos) return "";
  auto end = body.find('"', at + key.size());
  return body.substr(at + key.size(), end - at - key.size());
}

// ---------------------------------------------------------------------------------------
// Phase 2: lists

struct ListResult {
  double jsonP99Ms = NAN, tableP99Ms = NAN, jsonBytes = 0, tableBytes = 0;
};

ListResult runLists(const Daemon& d, const Sizes& sz) {
  ListResult out;
  const std::string path = "/api/v1/namespaces/bench/pods";
  const std::string tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  HttpConn c(d.host, d.port);
  auto one = [&](const std::string& accept, bool table, double& bytes) -> double {
    auto t0 = Clock::now();
    HttpResponse r;
    try {
      r = c.request("GET", path, "", accept);
    } catch (const std::exception& e) {
      recordError("GET " + path + " (Accept: " + accept + "): " + e.what());
      c.close();
      return NAN;
    }
    double ms = seconds(t0) * 1000;
    if (r.code != 200) {
      recordError("GET " + path + " (Accept: " + accept + ") -> " + std::to_string(r.code) + " " + shorten(r.body));
      return NAN;
    }
    bytes = static_cast<double>(r.body.size());
    // Sanity: every pod is there (objects have one uid each; Table rows one "cells").
    std::size_t n = countOccurrences(r.body, table ? "\"cells\":" : "\"uid\":");
    if (n != static_cast<std::size_t>(sz.listPods)) {
      recordError("GET " + path + " (Accept: " + accept + ") returned " + std::to_string(n) + " items, expected " +
                  std::to_string(sz.listPods) + "; body starts: " + shorten(r.body, 300));
    }
    if (table && r.body.find("\"kind\":\"Table\"") == std::string::npos)
      recordError("GET " + path + " (Accept: " + accept + ") is not a Table: " + shorten(r.body, 300));
    return ms;
  };
  for (int pass = 0; pass < 2; ++pass) {
    bool table = pass == 1;
    const std::string accept = table ? tableAccept : "application/json";
    double bytes = 0;
    one(accept, table, bytes);  // warm-up, untimed
    std::vector<double> ms;
    for (int i = 0; i < sz.lists; ++i) {
      double m = one(accept, table, bytes);
      if (!std::isnan(m)) ms.push_back(m);
    }
    double p99 = percentile(ms, 0.99), p50 = percentile(ms, 0.5);
    std::cerr << "api_bench: list " << (table ? "Table" : "JSON") << ": " << ms.size() << " lists of "
              << fmt(bytes / 1e6) << " MB, p50 " << fmt(p50) << " ms, p99 " << fmt(p99) << " ms\n";
    (table ? out.tableP99Ms : out.jsonP99Ms) = p99;
    (table ? out.tableBytes : out.jsonBytes) = bytes;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Phase 3: watch fan-out

struct WatchResult {
  double p50Ms = NAN, p99Ms = NAN, maxMs = NAN;
  long long delivered = 0, expected = 0;
  double cpuPerEventUs = NAN;
  double writeRate = NAN;  // events/s achieved by the paced writer
};

struct Watcher {
  std::thread thread;
  std::atomic<bool> ready{false};   // response headers read (or failed)
  std::atomic<bool> failed{false};  // `error` is set (then written no more)
  std::atomic<long long> seen{0};
  std::vector<double> latMs;
  std::string error;
  std::string badLine;
};

// Latency of one event line, or NAN when the line has no bench/sent-ns annotation.
double lineLatencyMs(const char* p, std::size_t n, int64_t nowNs) {
  static const std::string_view key = "\"bench/sent-ns\"";
  const char* end = p + n;
  const char* at = static_cast<const char*>(::memmem(p, n, key.data(), key.size()));
  if (!at) return NAN;
  at += key.size();
  while (at < end && (*at == ' ' || *at == ':' || *at == '"')) ++at;
  int64_t sent = 0;
  bool any = false;
  while (at < end && *at >= '0' && *at <= '9') {
    sent = sent * 10 + (*at - '0');
    ++at;
    any = true;
  }
  if (!any) return NAN;
  return static_cast<double>(nowNs - sent) / 1e6;
}

void watchLoop(const Daemon& d, const std::string& path, Watcher& w, const std::atomic<bool>& stop) {
  HttpConn c(d.host, d.port);
  try {
    c.connect();
    c.sendRequest("GET", path, "", "application/json");
    HttpResponse head = c.readHead(false);
    if (head.code != 200) {
      c.readBody(head);
      w.error = "GET " + path + " -> " + std::to_string(head.code) + " " + shorten(head.body);
      w.failed = true;
      w.ready = true;
      return;
    }
    bool chunked = head.header("transfer-encoding").find("chunked") != std::string::npos;
    w.ready = true;
    std::string pending;  // bytes of an incomplete line
    std::string chunk;
    while (true) {
      chunk.clear();
      if (chunked) {
        std::size_t n = c.readChunkSize(&stop);
        if (n == 0) {
          if (!stop) w.error = "GET " + path + ": the server ended the watch stream";
          return;
        }
        c.readExact(n, chunk, &stop);
        std::string crlf;
        if (!c.readLine(crlf, &stop) || !crlf.empty()) throw std::runtime_error("bad chunk terminator");
      } else {
        std::string line;
        if (!c.readLine(line, &stop)) {
          if (!stop) w.error = "GET " + path + ": the server closed the watch stream";
          return;
        }
        chunk = line + "\n";
      }
      int64_t now = realtimeNs();
      pending += chunk;
      std::size_t start = 0;
      while (true) {
        auto nl = pending.find('\n', start);
        if (nl == std::string::npos) break;
        const char* lp = pending.data() + start;
        std::size_t len = nl - start;
        if (len > 0) {
          double ms = lineLatencyMs(lp, len, now);
          if (!std::isnan(ms)) {
            w.latMs.push_back(ms);
            ++w.seen;
          } else if (w.badLine.empty()) {
            w.badLine = shorten(std::string(lp, len), 400);
          }
        }
        start = nl + 1;
      }
      pending.erase(0, start);
    }
  } catch (const HttpConn::Stopped&) {
  } catch (const std::exception& e) {
    if (!stop) {
      w.error = "GET " + path + ": " + e.what();
      w.failed = true;
    }
    w.ready = true;
  }
}

WatchResult runWatch(const Daemon& d, const Sizes& sz, int watchers, const std::string& prefix) {
  WatchResult out;
  const std::string collection = "/api/v1/namespaces/watch/pods";
  HttpConn c(d.host, d.port);
  std::string rv;
  try {
    auto r = c.request("GET", collection);
    if (r.code != 200) fatal("GET " + collection + " -> " + std::to_string(r.code) + " " + shorten(r.body));
    rv = listResourceVersion(r.body);
  } catch (const std::exception& e) {
    fatal("GET " + collection + ": " + e.what());
  }
  if (rv.empty()) fatal("the list of " + collection + " has no resourceVersion");

  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Watcher>> ws;
  std::string watchPath = collection + "?watch=true&resourceVersion=" + rv;
  for (int i = 0; i < watchers; ++i) {
    ws.push_back(std::make_unique<Watcher>());
    Watcher* w = ws.back().get();
    w->latMs.reserve(static_cast<std::size_t>(sz.watchEvents));
    w->thread = std::thread([&d, watchPath, w, &stop] { watchLoop(d, watchPath, *w, stop); });
  }
  // The server sends the headers once the watch is registered. Events after `rv` reach a
  // watcher either way; this only keeps setup out of the first events' latency.
  auto t0 = Clock::now();
  while (seconds(t0) < 10) {
    if (std::all_of(ws.begin(), ws.end(), [](auto& w) { return w->ready.load(); })) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  int notReady = 0, failed = 0;
  for (auto& w : ws) {
    if (!w->ready) ++notReady;
    if (w->failed) ++failed;
  }
  if (failed) std::cerr << "api_bench: " << failed << " of " << watchers << " watches failed to start\n";
  if (notReady)
    std::cerr << "api_bench: note: " << notReady << " watchers had no response headers after 10 s; writing anyway\n";

  // The paced writer: event i is due at start + i/rate; several threads share the schedule
  // because each write waits for its fsync.
  std::atomic<int> next{0};
  std::atomic<long long> written{0};
  double cpu0 = cpuMicros(d.pid), self0 = selfCpuMicros();
  auto start = Clock::now() + std::chrono::milliseconds(20);
  std::vector<std::thread> writers;
  std::atomic<long long> maxLagUs{0};
  for (int t = 0; t < sz.watchWriters; ++t) {
    writers.emplace_back([&] {
      HttpConn wc(d.host, d.port);
      while (true) {
        int i = next++;
        if (i >= sz.watchEvents) break;
        auto due = start + std::chrono::nanoseconds(static_cast<int64_t>(1e9 * i / sz.watchRate));
        std::this_thread::sleep_until(due);
        long long lag = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due).count();
        long long prev = maxLagUs.load();
        while (lag > prev && !maxLagUs.compare_exchange_weak(prev, lag)) {
        }
        int podIndex = i % sz.watchPool;
        bool create = i < sz.watchPool;
        std::string name = prefix + std::to_string(podIndex);
        std::string path = collection + (create ? "" : "/" + name);
        try {
          auto r = wc.request(create ? "POST" : "PUT", path, podJson(name, realtimeNs(), i / sz.watchPool));
          if (r.code == (create ? 201 : 200)) {
            ++written;
          } else {
            recordError(std::string(create ? "POST " : "PUT ") + path + " -> " + std::to_string(r.code) + " " +
                        shorten(r.body));
          }
        } catch (const std::exception& e) {
          recordError(std::string(create ? "POST " : "PUT ") + path + ": " + e.what());
          wc.close();
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  double writeSecs = seconds(start);
  out.expected = written * watchers;
  // Wait for the deliveries (up to 10 s after the last write).
  auto writtenAt = Clock::now();
  while (seconds(writtenAt) < 10) {
    long long seen = 0;
    for (auto& w : ws) seen += w->seen.load();
    if (seen >= out.expected) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  double cpu1 = cpuMicros(d.pid), self1 = selfCpuMicros();
  double phaseSecs = seconds(start);
  stop = true;
  for (auto& w : ws) w->thread.join();

  std::vector<double> all;
  all.reserve(static_cast<std::size_t>(out.expected));
  int shortWatchers = 0;
  for (auto& w : ws) {
    out.delivered += static_cast<long long>(w->latMs.size());
    all.insert(all.end(), w->latMs.begin(), w->latMs.end());
    if (!w->error.empty()) recordError(w->error);
    if (static_cast<long long>(w->latMs.size()) < written) ++shortWatchers;
    if (!w->badLine.empty())
      std::cerr << "api_bench: note: a watch line without bench/sent-ns: " << w->badLine << "\n";
  }
  out.p50Ms = percentile(all, 0.5);
  out.p99Ms = percentile(all, 0.99);
  out.maxMs = all.empty() ? NAN : *std::max_element(all.begin(), all.end());
  out.cpuPerEventUs = written ? (cpu1 - cpu0) / static_cast<double>(written) : NAN;
  out.writeRate = static_cast<double>(written) / writeSecs;
  std::cerr << "api_bench: watch x" << watchers << ": " << written << "/" << sz.watchEvents << " writes in "
            << fmt(writeSecs) << " s (target " << fmt(static_cast<double>(sz.watchEvents) / sz.watchRate)
            << " s, worst writer lag " << fmt(maxLagUs / 1000.0) << " ms), delivered " << out.delivered << "/"
            << out.expected << ", latency p50 " << fmt(out.p50Ms) << " ms p99 " << fmt(out.p99Ms) << " ms max "
            << fmt(out.maxMs) << " ms, daemon cpu " << fmt((cpu1 - cpu0) / 1000) << " ms = "
            << fmt(out.cpuPerEventUs) << " us/event; this benchmark's own cpu " << fmt((self1 - self0) / 1000)
            << " ms over " << fmt(phaseSecs) << " s (it shares the machine)\n";
  if (out.writeRate < 0.95 * sz.watchRate)
    std::cerr << "api_bench: note: the writer fell behind the pace: " << fmt(out.writeRate) << " events/s of "
              << sz.watchRate << "/s\n";
  if (shortWatchers)
    std::cerr << "api_bench: note: " << shortWatchers << " of " << watchers << " watchers missed events\n";
  return out;
}

std::string countName(int n) { return n >= 1000 && n % 1000 == 0 ? std::to_string(n / 1000) + "k" : std::to_string(n); }

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string capstan;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--keep") gKeep = true;
    else if (a == "--durable") {
    }  // the default: the store fsyncs every write
    else if (a == "--capstan" && i + 1 < argc) capstan = argv[++i];
    else {
      std::cerr << "usage: api_bench [--quick] [--keep] [--capstan PATH]\n";
      return 2;
    }
  }
  if (capstan.empty()) capstan = exeDir() + "/capstan";
  if (::access(capstan.c_str(), X_OK) != 0) {
    std::cerr << "api_bench: " << capstan << " is not an executable (use --capstan PATH)\n";
    return 2;
  }
  Sizes sz = quick ? quickSizes() : Sizes{};

  ::signal(SIGPIPE, SIG_IGN);
  startSignalThread();

  {
    std::string base = fs::temp_directory_path().string() + "/capstan-api-bench-XXXXXX";
    std::vector<char> buf(base.begin(), base.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) {
      std::cerr << "api_bench: mkdtemp failed\n";
      return 1;
    }
    gTempDir = buf.data();
  }

  int status = 0;
  try {
    Daemon d = startDaemon(capstan);
    std::cerr << "api_bench: pod body " << podJson("c-00000").size() << " bytes (watch pods "
              << podJson("w100-000", realtimeNs(), 9).size() << ")\n";

    // 1. Creates, 32 clients.
    std::cerr << "api_bench: creating " << sz.creates << " pods in default with " << sz.createClients
              << " clients...\n";
    int created = 0;
    double create32 = createPods(d, "default", "c-", sz.creates, sz.createClients, &created);
    std::cerr << "api_bench: created " << created << "/" << sz.creates << ": " << fmt(create32) << "/s\n";

    // 2. Lists.
    HttpConn admin(d.host, d.port);
    createNamespace(admin, "bench");
    createNamespace(admin, "watch");
    std::cerr << "api_bench: creating " << sz.listPods << " pods in bench...\n";
    int listed = 0;
    createPods(d, "bench", "l-", sz.listPods, sz.createClients, &listed);
    if (listed != sz.listPods) std::cerr << "api_bench: note: only " << listed << " pods in bench\n";
    std::cerr << "api_bench: listing " << sz.lists << " times as JSON and as Table...\n";
    ListResult lists = runLists(d, sz);

    // 3./4. Watch fan-out: 1 watcher, then the full number.
    std::cerr << "api_bench: watch with 1 watcher, " << sz.watchEvents << " events at " << sz.watchRate << "/s...\n";
    WatchResult w1 = runWatch(d, sz, 1, "w1-");
    std::cerr << "api_bench: watch with " << sz.watchers << " watchers, " << sz.watchEvents << " events at "
              << sz.watchRate << "/s...\n";
    WatchResult wn = runWatch(d, sz, sz.watchers, "w" + std::to_string(sz.watchers) + "-");

    {
      int st;
      if (::waitpid(d.pid, &st, WNOHANG) == d.pid) {
        gDaemonPid = -1;
        fatal("the daemon exited during the benchmark (status " + std::to_string(st) + ")");
      }
    }

    std::string l = countName(sz.listPods), n = std::to_string(sz.watchers);
    std::ostringstream line;
    line << "api create" << sz.createClients << "=" << fmt(create32) << "/s list" << l
         << "_json_p99=" << fmt(lists.jsonP99Ms) << "ms list" << l << "_table_p99=" << fmt(lists.tableP99Ms)
         << "ms watch1_p99=" << fmt(w1.p99Ms) << "ms watch" << n << "_p99=" << fmt(wn.p99Ms) << "ms watch" << n
         << "_events=" << wn.delivered << "/" << wn.expected << " watch1_cpu_per_event=" << fmt(w1.cpuPerEventUs)
         << "us watch" << n << "_cpu_per_event=" << fmt(wn.cpuPerEventUs) << "us";
    // The daemon's extra CPU per event per additional watcher: small (a copy and a write) when
    // an event is encoded once for all watchers, about an object's encoding when it is not.
    if (sz.watchers > 1)
      line << " watch_cpu_per_delivery=" << fmt((wn.cpuPerEventUs - w1.cpuPerEventUs) / (sz.watchers - 1)) << "us";
    line << " watch" << n << "_rate=" << fmt(wn.writeRate) << "/s errors=" << gErrors.load();
    stopDaemon();
    std::cout << line.str() << std::endl;
    if (gErrors > 0) status = 1;
  } catch (const std::exception& e) {
    fatal(std::string("unexpected error: ") + e.what());
  }
  if (gErrors > 0) printLogTail();
  cleanup();
  return status;
}
