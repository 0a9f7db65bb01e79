#pragma once
// What the daemon-driving benchmarks share (api_bench, scheduler_bench): starting and
// stopping a capstan daemon in a temp dir (also on signals), error counting, CPU time of a
// process, and a tiny blocking HTTP/1.1 client. One benchmark per process: the state is
// global so signal handlers and fatal() can always stop the daemon.

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

namespace capstan::bench {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// The benchmark's name, for messages ("api_bench").
inline std::string gTool = "bench";

inline double seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

inline int64_t realtimeNs() {
  timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

inline std::string exeDir() { return fs::read_symlink("/proc/self/exe").parent_path().string(); }

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::size_t idx = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
  idx = idx == 0 ? 0 : idx - 1;
  idx = std::min(idx, v.size() - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(idx), v.end());
  return v[idx];
}

inline std::string fmt(double v) {
  if (std::isnan(v)) return "NA";
  char b[32];
  std::snprintf(b, sizeof(b), v >= 100 ? "%.0f" : (v >= 10 ? "%.1f" : "%.2f"), v);
  return b;
}

inline std::string shorten(std::string s, std::size_t n = 600) {
  for (auto& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  if (s.size() > n) s = s.substr(0, n) + "...(" + std::to_string(s.size()) + " bytes)";
  return s;
}

// ---------------------------------------------------------------------------------------
// Failures: the first few are printed, all are counted (and make the exit status 1).

inline std::atomic<int> gErrors{0};
inline std::mutex gErrorMutex;

inline void recordError(const std::string& what) {
  int n = ++gErrors;
  if (n <= 10) {
    std::lock_guard lock(gErrorMutex);
    std::cerr << gTool + ": ERROR " << what << "\n";
  } else if (n == 11) {
    std::cerr << gTool + ": (further errors are counted, not printed)\n";
  }
}

// ---------------------------------------------------------------------------------------
// The daemon. A global so that signal handlers and fatal() can always stop it.

inline std::atomic<pid_t> gDaemonPid{-1};
inline std::string gTempDir;
inline bool gKeep = false;

inline void stopDaemon() {
  pid_t pid = gDaemonPid.exchange(-1);
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int st = 0;
  for (int i = 0; i < 300; ++i) {  // 30 s, then SIGKILL
    pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid || r < 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::cerr << gTool + ": the daemon did not stop within 30 s of SIGTERM; killing it\n";
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &st, 0);
}

inline std::mutex gCleanupMutex;

inline void cleanup() {
  std::lock_guard lock(gCleanupMutex);
  stopDaemon();
  if (!gTempDir.empty()) {
    if (gKeep) {
      std::cerr << gTool + ": kept " << gTempDir << "\n";
    } else {
      std::error_code ec;
      fs::remove_all(gTempDir, ec);
    }
    gTempDir.clear();
  }
}

inline void printLogTail() {
  if (gTempDir.empty()) return;
  std::ifstream in(gTempDir + "/daemon.log");
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) {
    lines.push_back(l);
    if (lines.size() > 20) lines.erase(lines.begin());
  }
  if (lines.empty()) return;
  std::cerr << gTool + ": last lines of the daemon log:\n";
  for (auto& x : lines) std::cerr << "  " << x << "\n";
}

[[noreturn]] inline void fatal(const std::string& what) {
  std::cerr << gTool + ": " << what << "\n";
  printLogTail();
  cleanup();
  std::_Exit(1);
}

// SIGINT/SIGTERM/SIGHUP/SIGQUIT are blocked in every thread and taken by this one, which
// stops the daemon and removes the data dir before exiting.
inline void startSignalThread() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, sig);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    ::sigwait(&set, &sig);
    std::cerr << gTool + ": signal " << sig << "; stopping the daemon\n";
    cleanup();
    std::_Exit(128 + sig);
  }).detach();
}

struct Daemon {
  std::string host = "127.0.0.1";
  int port = 0;
  pid_t pid = -1;
};

// Starts `capstan` on `configYaml` with its data dir under gTempDir and waits until the API
// plugin wrote its kubeconfig (which names the address).
inline Daemon startDaemon(const std::string& capstan, const std::string& configYaml) {
  std::string config = gTempDir + "/config.yaml";
  std::string dataDir = gTempDir + "/data";
  std::string log = gTempDir + "/daemon.log";
  {
    std::ofstream out(config);
    out << configYaml;
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
  std::cerr << gTool + ": daemon pid " << pid << " serving http://" << d.host << ":" << d.port << " (started in "
            << fmt(seconds(t0) * 1000) << " ms)\n";
  return d;
}

// This process's user + system CPU time, in microseconds.
inline double selfCpuMicros() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

// utime + stime of a process, in microseconds.
inline double cpuMicros(pid_t pid) {
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
                       const std::string& accept = "application/json",
                       const std::string& contentType = "application/json") {
    for (int attempt = 0;; ++attempt) {
      bool reused = connected();
      if (!reused) connect();
      try {
        sendRequest(method, path, body, accept, contentType);
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
                   const std::string& accept, const std::string& contentType) {
    std::string req;
    req.reserve(256 + body.size());
    req += method;
    req += ' ';
    req += path;
    req += " HTTP/1.1\r\nHost: ";
    req += host_;
    req += ':';
    req += std::to_string(port_);
    req += "\r\nUser-Agent: ";
    req += gTool;
    req += "\r\nAccept: ";
    req += accept;
    req += "\r\n";
    if (!body.empty() || method == "POST" || method == "PUT") {
      req += "Content-Type: ";
      req += contentType;
      req += "\r\nContent-Length: ";
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


}  // namespace capstan::bench
