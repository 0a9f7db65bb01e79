#include "support/daemon.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace fs = std::filesystem;

namespace capstan::testing {
namespace {

std::string buildDir() {
  const char* b = std::getenv("CAPSTAN_BUILD_DIR");
  if (!b) throw std::runtime_error("CAPSTAN_BUILD_DIR is not set (ctest sets it)");
  return b;
}

int decodeStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

TempDir::TempDir() {
  std::string base = fs::temp_directory_path().string() + "/capstan-test-XXXXXX";
  std::vector<char> buf(base.begin(), base.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
  path_ = buf.data();
}

TempDir::~TempDir() {
  if (std::getenv("CAPSTAN_KEEP_TEST_DIRS")) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::string binPath(const std::string& name) { return buildDir() + "/bin/" + name; }
std::string pluginPath(const std::string& fileName) { return buildDir() + "/plugins/" + fileName; }

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  fs::rename(tmp, path);
}

namespace {

[[noreturn]] void execChild(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  for (const auto& e : env) {
    auto eq = e.find('=');
    ::setenv(e.substr(0, eq).c_str(), eq == std::string::npos ? "" : e.substr(eq + 1).c_str(), 1);
  }
  std::vector<char*> args;
  std::string exe = argv[0];
  if (exe == "capstan" || exe == "capctl") exe = binPath(exe);
  args.push_back(exe.data());
  for (std::size_t i = 1; i < argv.size(); ++i) args.push_back(const_cast<char*>(argv[i].c_str()));
  args.push_back(nullptr);
  ::execvp(exe.c_str(), args.data());
  ::_exit(127);
}

}  // namespace

Process::Process(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  std::string outPath = scratch_.path() + "/out", errPath = scratch_.path() + "/err";
  pid_ = ::fork();
  if (pid_ == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    execChild(argv, env);
  }
}

Process::~Process() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
}

std::string Process::out() const { return readFile(scratch_.path() + "/out"); }

std::string Process::err() const { return readFile(scratch_.path() + "/err"); }

bool Process::waitForOutput(const std::string& text, int seconds) const {
  for (int i = 0; i < seconds * 20; ++i) {
    if (out().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int Process::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return decodeStatus(status);
}

CommandResult run(const std::vector<std::string>& argv, const std::string& stdinText,
                  const std::vector<std::string>& env) {
  TempDir scratch;
  std::string outPath = scratch.path() + "/out", errPath = scratch.path() + "/err", inPath = scratch.path() + "/in";
  writeFile(inPath, stdinText);
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open(inPath.c_str(), O_RDONLY);
    int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    execChild(argv, env);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return CommandResult{decodeStatus(status), readFile(outPath), readFile(errPath)};
}

Daemon::Daemon(std::string dataDir, std::string configYaml)
    : dataDir_(std::move(dataDir)), configYaml_(std::move(configYaml)) {
  if (!configYaml_.empty()) writeFile(configPath(), configYaml_);
}

Daemon::~Daemon() {
  if (pid_ > 0) kill9();
}

void Daemon::rewriteConfig(const std::string& yaml) {
  configYaml_ = yaml;
  writeFile(configPath(), yaml);
}

bool Daemon::start() {
  fs::create_directories(dataDir_);
  std::error_code ec;
  fs::remove(dataDir_ + "/endpoints.json", ec);
  ++starts_;
  std::string logPath = dataDir_ + ".log";
  pid_ = ::fork();
  if (pid_ == 0) {
    int out = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(out, 1);
    ::dup2(out, 2);
    std::string exe = binPath("capstan");
    std::vector<std::string> argv = {exe, "--data-dir", dataDir_, "--log-level", "debug"};
    if (!configYaml_.empty()) {
      argv.push_back("--config");
      argv.push_back(configPath());
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(exe.c_str(), args.data());
    ::_exit(127);
  }
  // endpoints.json is written only once the daemon serves; allow a slow machine plenty.
  for (int i = 0; i < 6000; ++i) {
    if (fs::exists(dataDir_ + "/endpoints.json")) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int Daemon::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return decodeStatus(status);
}

void Daemon::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void Daemon::signal(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

bool Daemon::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string Daemon::busAddress() const { return "unix:" + dataDir_ + "/bus.sock"; }

std::string Daemon::log() const { return readFile(dataDir_ + ".log"); }

CommandResult Daemon::capctl(const std::vector<std::string>& args, const std::string& stdinText) const {
  std::vector<std::string> argv = {"capctl", "--data-dir", dataDir_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, stdinText);
}

}  // namespace capstan::testing
