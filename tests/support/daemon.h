#pragma once
// Test support: a real `capstan` daemon in its own process, on a temporary data dir,
// and `capctl` runs against it. Integration tests only (tests/).

#include <sys/types.h>

#include <string>
#include <vector>

namespace capstan::testing {

// A fresh temporary directory, removed on destruction unless CAPSTAN_KEEP_TEST_DIRS is set.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CommandResult {
  int exitCode = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs a command (argv[0] resolved through the build's bin/ for capstan/capctl), waits.
// `env`: extra "NAME=value" entries for the child's environment.
CommandResult run(const std::vector<std::string>& argv, const std::string& stdinText = "",
                  const std::vector<std::string>& env = {});

// A command left running in the background (e.g. `kubectl get -w`); its output so far can
// be read while it runs.
class Process {
 public:
  explicit Process(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~Process();  // SIGKILL if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  std::string out() const;
  std::string err() const;
  // Waits up to `seconds` for `text` to appear in stdout.
  bool waitForOutput(const std::string& text, int seconds) const;
  // SIGTERM, then the exit status.
  int stop();

 private:
  TempDir scratch_;
  pid_t pid_ = -1;
};

// Path of a built binary or plugin: bin/NAME, plugins/NAME.
std::string binPath(const std::string& name);
std::string pluginPath(const std::string& fileName);

std::string readFile(const std::string& path);
void writeFile(const std::string& path, const std::string& text);

class Daemon {
 public:
  // `configYaml` empty: the embedded defaults. The data dir is always `dataDir`.
  Daemon(std::string dataDir, std::string configYaml = "");
  ~Daemon();  // SIGKILL if still running

  // Starts the process and waits until endpoints.json names a reachable bus (or the
  // process exits: then returns false, and log() says why).
  bool start();
  // SIGTERM and wait; returns the exit status (as from waitpid, decoded: exit code, or
  // 128+signal).
  int stop();
  void kill9();
  void signal(int sig);
  bool running();
  pid_t pid() const { return pid_; }

  const std::string& dataDir() const { return dataDir_; }
  std::string configPath() const { return dataDir_ + ".config.yaml"; }
  void rewriteConfig(const std::string& yaml);
  std::string busAddress() const;
  std::string log() const;

  // capctl --data-dir <dataDir> ARGS...
  CommandResult capctl(const std::vector<std::string>& args, const std::string& stdinText = "") const;

 private:
  std::string dataDir_;
  std::string configYaml_;
  pid_t pid_ = -1;
  int starts_ = 0;
};

}  // namespace capstan::testing
