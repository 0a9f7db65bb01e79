// capctl: the admin CLI over the bus.

#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <set>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <kj/async-io.h>

#include "bus/client.h"
#include "bus/convert.h"
#include "json.h"
#include "store/codec.h"

namespace fs = std::filesystem;
using namespace capstan;

namespace {

const char* kUsage = R"(capctl: administer a running capstan daemon over its bus.

Usage: capctl [--data-dir DIR | --bus ADDRESS] COMMAND [ARGS]

Connection (default: the data dir in $CAPSTAN_DATA_DIR, else ./capstan-data):
  --data-dir DIR         find the bus through DIR/endpoints.json
  --bus ADDRESS          unix:/path/bus.sock or 127.0.0.1:PORT

Commands:
  status                             revision, objects by type, store size, plugins, uptime
  plugins                            loaded plugins with versions and states
  plugin load NAME PATH [--args YAML]
  plugin unload NAME
  plugin swap NAME PATH              hot swap (PATH may be the same, rebuilt, file)
  reload                             re-read the config file and apply the difference
  call SERVICE METHOD [PAYLOAD]      call a plugin's bus service (e.g. `call scheduler stats`),
                                     printing its answer
  get TYPE [NAMESPACE/]NAME [--revision N]
  get TYPE [-n NAMESPACE] [-l SELECTOR] [--index KEY=VALUE] [--revision N] [--limit N]
                                     one object, or a list (one JSON object per line)
  put [-f FILE] [--create|--update] [--expect-revision N] [--ttl SECONDS]
                                     write an object given as JSON or YAML (stdin by default):
                                     {"type":..., "namespace":..., "name":..., "labels":{...}, "body":{...}}
  delete TYPE [NAMESPACE/]NAME [--expect-revision N]
  watch TYPE [-n NAMESPACE] [-l SELECTOR] [--from REVISION] [--count N]
                                     stream events as JSON lines
  compact [REVISION]                 drop history up to REVISION (default: the current one)
  backup DIR                         consistent copy of the store while the daemon runs
                                     (DIR must not exist; it receives data.mdb)
  restore DIR --data-dir DATADIR     replace DATADIR's store with a backup (daemon stopped)
)";

[[noreturn]] void die(const std::string& message, int code = 1) {
  std::cerr << "capctl: " << message << "\n";
  std::exit(code);
}

void check(const Status& s) {
  if (!s.ok()) die(s.message());
}

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;  // "--name" -> value ("" for switches)

  bool has(const std::string& f) const { return flags.count(f) > 0; }
  std::string get(const std::string& f, const std::string& def = "") const {
    auto it = flags.find(f);
    return it == flags.end() ? def : it->second;
  }
  int64_t getInt(const std::string& f, int64_t def) const {
    if (!has(f)) return def;
    try {
      std::size_t used = 0;
      int64_t v = std::stoll(get(f), &used);
      if (used != get(f).size()) throw std::invalid_argument("trailing");
      return v;
    } catch (const std::exception&) {
      die(f + " expects an integer, got \"" + get(f) + "\"", 2);
    }
  }
};

Args parseArgs(int argc, char** argv, int start) {
  static const std::set<std::string> kSwitches = {"--create", "--update", "--help", "-h"};
  Args a;
  for (int i = start; i < argc; ++i) {
    std::string s = argv[i];
    if (s.size() > 1 && s[0] == '-' && !std::isdigit(static_cast<unsigned char>(s[1]))) {
      if (kSwitches.count(s)) {
        a.flags[s] = "";
      } else {
        auto eq = s.find('=');
        if (s.rfind("--", 0) == 0 && eq != std::string::npos) {
          a.flags[s.substr(0, eq)] = s.substr(eq + 1);
        } else {
          if (i + 1 >= argc) die("option " + s + " needs a value", 2);
          a.flags[s] = argv[++i];
        }
      }
    } else {
      a.positional.push_back(s);
    }
  }
  return a;
}

std::pair<std::string, std::string> splitName(const std::string& s) {
  auto slash = s.find('/');
  if (slash == std::string::npos) return {"", s};
  return {s.substr(0, slash), s.substr(slash + 1)};
}

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

std::string humanBytes(uint64_t b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  std::ostringstream out;
  out.precision(u == 0 ? 0 : 1);
  out << std::fixed << v << " " << units[u];
  return out.str();
}

void printPlugins(capnp::List<schema::PluginInfo>::Reader plugins) {
  if (plugins.size() == 0) {
    std::cout << "no plugins loaded\n";
    return;
  }
  std::printf("%-20s %-16s %-10s %-18s %-9s %-6s %s\n", "NAME", "TYPE", "VERSION", "KINDS", "STATE", "SWAPS", "PATH");
  for (auto p : plugins) {
    std::string kinds;
    for (auto k : p.getKinds()) {
      if (!kinds.empty()) kinds += ',';
      kinds += str(k);
    }
    std::printf("%-20s %-16s %-10s %-18s %-9s %-6u %s\n", p.getName().cStr(), p.getType().cStr(),
                p.getVersion().cStr(), kinds.c_str(), p.getState().cStr(), p.getSwaps(), p.getPath().cStr());
    if (p.getError().size()) std::printf("  error: %s\n", p.getError().cStr());
  }
}

std::string readInput(const std::string& file) {
  std::stringstream ss;
  if (file.empty() || file == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(file);
    if (!in) die("cannot read " + file);
    ss << in.rdbuf();
  }
  return ss.str();
}

const char* eventName(WatchEvent::Kind k) {
  switch (k) {
    case WatchEvent::Kind::kAdded: return "ADDED";
    case WatchEvent::Kind::kModified: return "MODIFIED";
    case WatchEvent::Kind::kDeleted: return "DELETED";
    case WatchEvent::Kind::kBookmark: return "BOOKMARK";
    case WatchEvent::Kind::kError: return "ERROR";
  }
  return "UNKNOWN";
}

// Prints watch events as JSON lines; ends the watch after `count` events (0: never).
class PrintingSink final : public schema::WatchSink::Server {
 public:
  PrintingSink(int64_t count, kj::Own<kj::PromiseFulfiller<Status>> done) : remaining_(count), done_(kj::mv(done)) {}

  kj::Promise<void> events(EventsContext context) override {
    for (auto e : context.getParams().getEvents()) {
      WatchEvent ev = bus::fromCapnp(e);
      std::cout << "{\"type\":\"" << eventName(ev.kind) << "\",\"revision\":" << ev.revision;
      if (ev.object) std::cout << ",\"object\":" << capctl::objectToJson(*ev.object, false);
      std::cout << "}\n";
      if (remaining_ > 0 && --remaining_ == 0) {
        std::cout.flush();
        if (done_->isWaiting()) done_->fulfill(Status());
      }
    }
    std::cout.flush();
    return kj::READY_NOW;
  }

  kj::Promise<void> end(EndContext context) override {
    if (done_->isWaiting()) done_->fulfill(bus::fromCapnp(context.getParams().getStatus()));
    return kj::READY_NOW;
  }

 private:
  int64_t remaining_;
  kj::Own<kj::PromiseFulfiller<Status>> done_;
};

int restore(const Args& args) {
  if (args.positional.size() != 2 || !args.has("--data-dir")) die("usage: capctl restore BACKUP-DIR --data-dir DIR", 2);
  std::string backup = args.positional[1] + "/data.mdb";
  std::string dataDir = args.get("--data-dir");
  if (!fs::exists(backup)) die("backup " + backup + " does not exist");
  fs::create_directories(dataDir);
  // The daemon holds this lock while it runs: never replace a live store.
  std::string lockPath = dataDir + "/capstan.lock";
  int fd = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    die("the daemon is running on " + dataDir + ": stop it before restoring");
  }
  std::string storeDir = dataDir + "/store";
  fs::create_directories(storeDir);
  if (fs::exists(storeDir + "/data.mdb")) {
    std::string aside = storeDir + "/data.mdb.before-restore";
    fs::rename(storeDir + "/data.mdb", aside);
    std::cout << "previous store kept as " << aside << "\n";
  }
  fs::remove(storeDir + "/lock.mdb");
  fs::copy_file(backup, storeDir + "/data.mdb");
  std::cout << "restored " << backup << " into " << storeDir << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  std::string dataDir = std::getenv("CAPSTAN_DATA_DIR") ? std::getenv("CAPSTAN_DATA_DIR") : "capstan-data";
  std::string busAddress;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--data-dir" || a == "--bus") && i + 1 < argc) {
      (a == "--data-dir" ? dataDir : busAddress) = argv[++i];
    } else if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    } else {
      break;
    }
  }
  if (i >= argc) {
    std::cerr << kUsage;
    return 2;
  }
  Args args = parseArgs(argc, argv, i);
  const std::string cmd = args.positional.empty() ? "" : args.positional[0];
  if (cmd == "restore") {
    if (!args.has("--data-dir")) args.flags["--data-dir"] = dataDir;
    return restore(args);
  }

  auto io = kj::setupAsyncIo();
  auto& ws = io.waitScope;
  kj::Own<bus::BusClient> client;
  try {
    if (busAddress.empty()) {
      auto addr = bus::busAddressFromDataDir(dataDir);
      check(addr.status());
      busAddress = *addr;
    }
    client = bus::BusClient::connect(io, busAddress).wait(ws);
  } catch (const kj::Exception& e) {
    die("cannot connect to the capstan bus at " + busAddress + ": " + e.getDescription().cStr());
  }
  auto& kernel = client->kernel();

  try {
    if (cmd == "status") {
      auto r = kernel.statusRequest().send().wait(ws);
      auto s = r.getStatus();
      std::cout << "capstan " << s.getVersion().cStr() << " (pid " << s.getPid() << "), up "
                << static_cast<int64_t>(s.getUptimeSeconds()) << "s\n"
                << "data dir:  " << s.getDataDir().cStr() << "\n"
                << "revision:  " << s.getRevision() << " (compacted up to " << s.getCompactedRevision() << ")\n"
                << "store:     " << humanBytes(s.getStoreBytes()) << " used of a " << humanBytes(s.getMapBytes())
                << " map\n"
                << "objects:\n";
      if (s.getObjects().size() == 0) std::cout << "  (none)\n";
      for (auto t : s.getObjects()) std::cout << "  " << t.getType().cStr() << ": " << t.getCount() << "\n";
      std::cout << "plugins:\n";
      printPlugins(s.getPlugins());
    } else if (cmd == "plugins") {
      printPlugins(kernel.pluginsRequest().send().wait(ws).getPlugins());
    } else if (cmd == "plugin") {
      const std::string sub = args.positional.size() > 1 ? args.positional[1] : "";
      Status status;
      if (sub == "load" && args.positional.size() == 4) {
        auto req = kernel.loadPluginRequest();
        req.setName(args.positional[2]);
        req.setPath(args.positional[3]);
        req.setArgsYaml(args.get("--args"));
        status = bus::fromCapnp(req.send().wait(ws).getStatus());
      } else if (sub == "unload" && args.positional.size() == 3) {
        auto req = kernel.unloadPluginRequest();
        req.setName(args.positional[2]);
        status = bus::fromCapnp(req.send().wait(ws).getStatus());
      } else if (sub == "swap" && args.positional.size() == 4) {
        auto req = kernel.swapPluginRequest();
        req.setName(args.positional[2]);
        req.setPath(args.positional[3]);
        status = bus::fromCapnp(req.send().wait(ws).getStatus());
      } else {
        die("usage: capctl plugin load NAME PATH [--args YAML] | unload NAME | swap NAME PATH", 2);
      }
      check(status);
      std::cout << "plugin " << args.positional[2] << ": " << sub << " done\n";
    } else if (cmd == "call") {
      if (args.positional.size() < 3 || args.positional.size() > 4) die("usage: capctl call SERVICE METHOD [PAYLOAD]", 2);
      auto lookup = kernel.serviceRequest();
      lookup.setName(args.positional[1]);
      auto found = lookup.send().wait(ws);
      check(bus::fromCapnp(found.getStatus()));
      auto req = found.getService().callRequest();
      req.setMethod(args.positional[2]);
      std::string payload = args.positional.size() == 4 ? args.positional[3] : "";
      req.setPayload(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(payload.data()), payload.size()));
      auto answer = req.send().wait(ws);
      check(bus::fromCapnp(answer.getStatus()));
      auto data = answer.getPayload();
      std::cout << std::string(reinterpret_cast<const char*>(data.begin()), data.size()) << "\n";
    } else if (cmd == "reload") {
      auto r = kernel.reloadRequest().send().wait(ws);
      check(bus::fromCapnp(r.getStatus()));
      std::cout << "reloaded: " << r.getSummary().cStr() << "\n";
    } else if (cmd == "get") {
      if (args.positional.size() < 2) die("usage: capctl get TYPE [[NAMESPACE/]NAME]", 2);
      std::string type = args.positional[1];
      int64_t revision = args.getInt("--revision", 0);
      if (args.positional.size() >= 3) {
        auto [ns, name] = splitName(args.positional[2]);
        auto req = kernel.getRequest();
        auto key = req.initKeys(1)[0];
        key.setType(type);
        key.setNs(ns);
        key.setName(name);
        req.setRevision(revision);
        auto r = req.send().wait(ws).getResults()[0];
        check(bus::fromCapnp(r.getStatus()));
        std::cout << capctl::objectToJson(store::fromCapnp(r.getObject()), true) << "\n";
      } else {
        ListOptions o;
        o.type = type;
        o.ns = args.get("-n", args.get("--namespace"));
        o.labelSelector = args.get("-l", args.get("--selector"));
        if (args.has("--index")) {
          auto kv = args.get("--index");
          auto eq = kv.find('=');
          if (eq == std::string::npos) die("--index expects KEY=VALUE", 2);
          o.indexSelector.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        }
        o.revision = revision;
        o.limit = args.getInt("--limit", 0);
        auto r = client->list(o).wait(ws);
        check(r.status());
        for (const auto& item : r->items) std::cout << capctl::objectToJson(item, false) << "\n";
        std::cerr << r->items.size() << " object(s) at revision " << r->revision
                  << (r->continueToken.empty() ? "" : ", more: --continue " + r->continueToken) << "\n";
      }
    } else if (cmd == "put") {
      std::string file = args.get("-f", args.get("--filename"));
      auto object = capctl::objectFromText(readInput(file), file.empty() || file == "-" ? "stdin" : file);
      check(object.status());
      Mutation m;
      m.op = args.has("--create") ? MutationOp::kCreate : args.has("--update") ? MutationOp::kUpdate : MutationOp::kUpsert;
      m.object = std::move(object).value();
      m.expectRevision = args.getInt("--expect-revision", 0);
      m.ttlSeconds = args.getInt("--ttl", 0);
      auto results = client->writeBatch({m}).wait(ws);
      check(results.at(0).status);
      std::cout << capctl::objectToJson(results[0].object, true) << "\n";
    } else if (cmd == "delete") {
      if (args.positional.size() != 3) die("usage: capctl delete TYPE [NAMESPACE/]NAME", 2);
      auto [ns, name] = splitName(args.positional[2]);
      Mutation m;
      m.op = MutationOp::kDelete;
      m.object.type = args.positional[1];
      m.object.ns = ns;
      m.object.name = name;
      m.expectRevision = args.getInt("--expect-revision", 0);
      auto results = client->writeBatch({m}, true).wait(ws);
      check(results.at(0).status);
      std::cout << "deleted " << m.object.type << " " << args.positional[2] << " at revision "
                << results[0].object.revision << "\n";
    } else if (cmd == "watch") {
      if (args.positional.size() != 2) die("usage: capctl watch TYPE [-n NS] [-l SELECTOR] [--from REV]", 2);
      auto paf = kj::newPromiseAndFulfiller<Status>();
      auto req = kernel.watchRequest();
      WatchOptions o;
      o.type = args.positional[1];
      o.ns = args.get("-n", args.get("--namespace"));
      o.labelSelector = args.get("-l", args.get("--selector"));
      o.fromRevision = args.getInt("--from", 0);
      bus::toCapnp(o, req.initOptions());
      req.setSink(kj::heap<PrintingSink>(args.getInt("--count", 0), kj::mv(paf.fulfiller)));
      auto r = req.send().wait(ws);
      check(bus::fromCapnp(r.getStatus()));
      std::cerr << "watching " << o.type << " from revision " << (o.fromRevision ? o.fromRevision : r.getRevision())
                << "\n";
      auto handle = r.getHandle();
      Status ended = paf.promise.exclusiveJoin(client->onDisconnect().then([]() {
                                   return Status::unavailable("the daemon closed the connection");
                                 })).wait(ws);
      check(ended);
    } else if (cmd == "compact") {
      auto req = kernel.compactRequest();
      req.setRevision(args.positional.size() > 1 ? std::stoll(args.positional[1]) : 0);
      auto r = req.send().wait(ws);
      check(bus::fromCapnp(r.getStatus()));
      std::cout << "compacted up to revision " << r.getCompactedRevision() << "\n";
    } else if (cmd == "backup") {
      if (args.positional.size() != 2) die("usage: capctl backup DIR", 2);
      auto req = kernel.backupRequest();
      req.setPath(fs::absolute(args.positional[1]).string());
      auto r = req.send().wait(ws);
      check(bus::fromCapnp(r.getStatus()));
      std::cout << "backed up revision " << r.getRevision() << " to " << args.positional[1] << " ("
                << humanBytes(r.getBytes()) << ")\n";
    } else {
      std::cerr << "capctl: unknown command \"" << cmd << "\"\n" << kUsage;
      return 2;
    }
  } catch (const kj::Exception& e) {
    die(std::string("bus call failed: ") + e.getDescription().cStr());
  }
  return 0;
}
