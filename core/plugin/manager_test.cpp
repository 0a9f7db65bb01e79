#include "plugin/manager.h"

#include <atomic>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <kj/async.h>

#include "capstan/service.h"
#include "plugin/test_support.h"

namespace capstan::plugin {
namespace {

namespace t = testing;
namespace fs = std::filesystem;

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

// A manager over the in-tree plugin directory, with a private cache, whose plugins get a
// TestHost whose registry is the manager itself.
struct Fixture {
  t::TempDir dir;
  PluginManager manager{dir / "cache", {t::pluginDir()}, [this](const std::string& name) {
                          return std::make_unique<t::TestHost>(manager, dir / "data" / name);
                        }};

  fs::path cache() const { return dir / "cache"; }
  std::size_t mapped(std::string_view nameContains) const { return t::mappedLibraries(cache(), nameContains); }
};

// One unit of work: pin the service, call it on this thread's own event loop, release.
Result<std::string> callService(PluginManager& manager, std::string_view name, std::string_view method,
                                std::string payload = "") {
  Pinned<Service> unit = manager.get<Service>(name).pin();
  if (!unit) return Status::unavailable("nothing to pin for " + std::string(name));
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  return unit->call(method, std::move(payload)).wait(waitScope);
}

std::string versionOf(PluginManager& manager, std::string_view name) {
  auto answer = callService(manager, name, "version");
  return answer.ok() ? *answer : answer.status().toString();
}

std::string echoOf(PluginManager& manager, std::string_view name, std::string payload) {
  auto answer = callService(manager, name, "echo", std::move(payload));
  return answer.ok() ? *answer : answer.status().toString();
}

const PluginInfo* find(const std::vector<PluginInfo>& infos, std::string_view name) {
  for (const PluginInfo& info : infos) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::vector<std::string> names(const std::vector<PluginInfo>& infos) {
  std::vector<std::string> out;
  for (const PluginInfo& info : infos) out.push_back(info.name);
  return out;
}

std::string absolute(std::string_view pluginName) {
  return fs::absolute(t::pluginFile(pluginName)).lexically_normal().string();
}

}  // namespace

TEST_CASE("load, call, list and unload a plugin") {
  Fixture f;
  REQUIRE(f.manager.load({"echo", "echo-v1.so"}).ok());

  Handle<Service> handle = f.manager.get<Service>("echo");
  REQUIRE(handle);
  CHECK(handle.name() == "echo");
  {
    Pinned<Service> unit = handle.pin();
    REQUIRE(unit);
    CHECK(unit.version() == "1.0.0");
  }
  CHECK(echoOf(f.manager, "echo", "hi") == "hi");
  CHECK(versionOf(f.manager, "echo") == "1.0.0");
  auto unknown = callService(f.manager, "echo", "shout", "hi");
  CHECK(unknown.status().code() == Code::kNotFound);

  auto infos = f.manager.list();
  REQUIRE(infos.size() == 1);
  const PluginInfo& info = infos[0];
  CHECK(info.name == "echo");
  CHECK(info.pluginName == "echo");
  CHECK(info.version == "1.0.0");
  CHECK(info.kinds == std::vector<std::string>{"service"});
  CHECK(info.description == "answers what it is sent (a test plugin)");
  CHECK(info.path == "echo-v1.so");
  CHECK(info.resolvedPath == absolute("echo-v1.so"));
  CHECK(fs::path(info.loadedPath).parent_path() == f.cache());
  CHECK(info.sha256.size() == 64);
  CHECK(info.state == PluginState::kRunning);
  CHECK(stateName(info.state) == "Running");
  CHECK(info.lastError.empty());
  CHECK(info.swapCount == 0);
  CHECK(info.loadedAt > std::chrono::system_clock::time_point{});

  CHECK(f.manager.slotsOfKind("service").size() == 1);
  CHECK(f.manager.slotsOfKind("controller").empty());
  CHECK(f.manager.ofKind<Service>().size() == 1);
  CHECK(f.mapped("echo-v1") == 1);

  REQUIRE(f.manager.unload("echo").ok());
  CHECK_FALSE(handle.pin());  // the old handle is safe and pins nothing
  CHECK(f.manager.list().empty());
  CHECK(f.manager.slot("echo") == nullptr);
  CHECK(f.mapped("echo") == 0);
  CHECK(f.manager.unload("echo").code() == Code::kNotFound);
}

TEST_CASE("instance names are unique and well-formed, paths are found or reported") {
  Fixture f;
  REQUIRE(f.manager.load({"echo", "echo-v1.so"}).ok());

  Status duplicate = f.manager.load({"echo", "echo-v2.so"});
  CHECK(duplicate.code() == Code::kAlreadyExists);
  CHECK(duplicate.message() == "a plugin instance named echo already exists");
  CHECK(versionOf(f.manager, "echo") == "1.0.0");

  CHECK(f.manager.load({"", "echo-v1.so"}).code() == Code::kInvalidArgument);
  CHECK(f.manager.load({"a/b", "echo-v1.so"}).code() == Code::kInvalidArgument);

  Status missing = f.manager.load({"ghost", "ghost.so"});
  CHECK(missing.code() == Code::kNotFound);
  CHECK(contains(missing.message(), "plugin file ghost.so not found in the plugin search paths (" +
                                        t::pluginDir().string() + ")"));

  // A path with a slash is taken as it is, not searched.
  REQUIRE(f.manager.load({"abs", absolute("echo-v2.so")}).ok());
  CHECK(versionOf(f.manager, "abs") == "2.0.0");
  CHECK(f.manager.load({"rel", "./echo-v1.so"}).code() == Code::kNotFound);

  // A disabled instance is recorded, loads nothing, and still owns its name.
  REQUIRE(f.manager.load({"off", "echo-v1.so", "", false}).ok());
  CHECK(find(f.manager.list(), "off")->state == PluginState::kDisabled);
  CHECK_FALSE(f.manager.get<Service>("off").pin());
  CHECK(f.manager.load({"off", "echo-v1.so"}).code() == Code::kAlreadyExists);
}

TEST_CASE("every defective plugin is refused with its reason, and the manager keeps working") {
  Fixture f;
  REQUIRE(f.manager.load({"good", "echo-v1.so"}).ok());

  struct Case {
    std::string file;
    Code code;
    std::string message;  // expected in the status message, after "plugin <abs path>"
  };
  const std::vector<Case> cases = {
      {"test-bad-abi.so", Code::kFailedPrecondition,
       ": plugin ABI 999 does not match the host's plugin ABI " + std::to_string(kPluginAbiVersion) +
           " (rebuild the plugin against this Capstan's plugin-api)"},
      {"test-extra-symbol.so", Code::kFailedPrecondition,
       ": a plugin exports exactly one symbol, `capstan_plugin`; extra: capstan_test_extra_symbol;"},
      {"test-missing-export.so", Code::kFailedPrecondition,
       ": a plugin exports exactly one symbol, `capstan_plugin`; missing: capstan_plugin;"},
      {"test-unresolved-symbol.so", Code::kFailedPrecondition, ": cannot be loaded: "},
      {"test-throwing-factory.so", Code::kInternal,
       " (instance bad): factory threw std::runtime_error: the faulty plugin refuses to be constructed"},
      {"test-init-error.so", Code::kInvalidArgument,
       " (instance bad): init: args.mode: the faulty plugin accepts no configuration"},
      {"test-init-throws.so", Code::kInternal, " (instance bad): init threw std::runtime_error: init exploded"},
      {"test-no-interface.so", Code::kInternal,
       " (instance bad): its descriptor declares kind \"service\" but queryInterface(\"service\") returns no "
       "interface"},
      {"test-not-a-plugin.so", Code::kInvalidArgument, ": not a Capstan plugin"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.file);
    Status status = f.manager.load({"bad", c.file});
    CHECK(status.code() == c.code);
    CHECK(contains(status.message(), "plugin " + absolute(c.file) + c.message));
    if (c.file == "test-unresolved-symbol.so") {
      CHECK(contains(status.message(), "undefined symbol: capstan_test_never_defined"));
    }
    // Nothing was recorded, nothing stays mapped, the good plugin still answers.
    CHECK(names(f.manager.list()) == std::vector<std::string>{"good"});
    CHECK(f.manager.slot("bad") == nullptr);
    CHECK(f.mapped("test-") == 0);
    CHECK(echoOf(f.manager, "good", "still here") == "still here");
  }
}

TEST_CASE("a plugin that throws from reconfigure, drain and stop is contained") {
  Fixture f;
  REQUIRE(f.manager.load({"x", "test-lifecycle-throws.so"}).ok());
  const std::string who = "plugin " + absolute("test-lifecycle-throws.so") + " (instance x): ";

  Status reconfigured = f.manager.reconfigure("x", "mode: 1");
  CHECK(reconfigured.code() == Code::kInternal);
  CHECK(reconfigured.message() == who + "reconfigure threw std::runtime_error: reconfigure exploded");
  CHECK(find(f.manager.list(), "x")->lastError == reconfigured.toString());

  // The swap succeeds; the old instance's drain and stop throw, and are only reported.
  REQUIRE(f.manager.swap("x", "echo-v1.so").ok());
  CHECK(versionOf(f.manager, "x") == "1.0.0");
  const PluginInfo info = *find(f.manager.list(), "x");  // a copy: list() returns a temporary
  CHECK(info.state == PluginState::kRunning);
  CHECK(info.lastError == "Internal: " + who + "stop threw std::logic_error: stop exploded");
  CHECK(f.mapped("test-lifecycle") == 0);
}

TEST_CASE("reconfigure changes a running instance's args live") {
  Fixture f;
  REQUIRE(f.manager.load({"echo", "echo-v1.so", "prefix: \"a: \""}).ok());
  Pinned<Service> unit = f.manager.get<Service>("echo").pin();
  REQUIRE(unit);
  kj::EventLoop loop;
  kj::WaitScope waitScope(loop);
  CHECK(*unit->call("echo", "x").wait(waitScope) == "a: x");

  REQUIRE(f.manager.reconfigure("echo", "prefix: \"b: \"").ok());
  CHECK(*unit->call("echo", "x").wait(waitScope) == "b: x");  // the same instance, new args
  CHECK(find(f.manager.list(), "echo")->argsYaml == "prefix: \"b: \"");
  CHECK(find(f.manager.list(), "echo")->swapCount == 0);

  Status typo = f.manager.reconfigure("echo", "prefx: \"c: \"");
  CHECK(typo.code() == Code::kInvalidArgument);
  CHECK(contains(typo.message(), "(instance echo): reconfigure: unknown field \"args.prefx\""));
  CHECK(*unit->call("echo", "x").wait(waitScope) == "b: x");  // refused: the old args stay
  CHECK(find(f.manager.list(), "echo")->argsYaml == "prefix: \"b: \"");
  CHECK(find(f.manager.list(), "echo")->lastError == typo.toString());

  CHECK(f.manager.reconfigure("nobody", "").code() == Code::kNotFound);

  Status badInit = f.manager.load({"other", "echo-v1.so", "prefix: [1, 2]"});
  CHECK(badInit.code() == Code::kInvalidArgument);
  CHECK(contains(badInit.message(), "(instance other): init: args.prefix: expected a string, got a list"));
}

TEST_CASE("a swap lets pinned units finish on the old instance, which unloads after the last one") {
  Fixture f;
  REQUIRE(f.manager.load({"echo", "echo-v1.so"}).ok());
  Handle<Service> handle = f.manager.get<Service>("echo");
  std::optional<Pinned<Service>> oldUnit = handle.pin();
  REQUIRE(*oldUnit);

  REQUIRE(f.manager.swap("echo", "echo-v2.so").ok());
  CHECK(oldUnit->version() == "1.0.0");
  {
    kj::EventLoop loop;
    kj::WaitScope waitScope(loop);
    CHECK(*(*oldUnit)->call("version", "").wait(waitScope) == "1.0.0");
  }
  CHECK(handle.pin().version() == "2.0.0");
  CHECK(versionOf(f.manager, "echo") == "2.0.0");
  CHECK(f.mapped("echo-v") == 2);
  oldUnit.reset();
  CHECK(f.mapped("echo-v") == 1);
  CHECK(f.mapped("echo-v2") == 1);

  const PluginInfo info = *find(f.manager.list(), "echo");
  CHECK(info.path == "echo-v2.so");
  CHECK(info.version == "2.0.0");
  CHECK(info.swapCount == 1);

  SECTION("the same content again is not a swap") {
    REQUIRE(f.manager.swap("echo", absolute("echo-v2.so")).ok());
    CHECK(find(f.manager.list(), "echo")->swapCount == 1);
    CHECK(find(f.manager.list(), "echo")->path == absolute("echo-v2.so"));
  }
  SECTION("a failed swap leaves the old version serving") {
    Status refused = f.manager.swap("echo", "test-bad-abi.so");
    CHECK(refused.code() == Code::kFailedPrecondition);
    CHECK(versionOf(f.manager, "echo") == "2.0.0");
    const PluginInfo after = *find(f.manager.list(), "echo");
    CHECK(after.state == PluginState::kRunning);
    CHECK(after.path == "echo-v2.so");
    CHECK(after.swapCount == 1);
    CHECK(after.lastError == refused.toString());

    Status throwing = f.manager.swap("echo", "test-init-throws.so");
    CHECK(throwing.code() == Code::kInternal);
    CHECK(versionOf(f.manager, "echo") == "2.0.0");
    CHECK(f.mapped("test-") == 0);

    CHECK(f.manager.swap("echo", "ghost.so").code() == Code::kNotFound);
    CHECK(f.manager.swap("nobody", "echo-v1.so").code() == Code::kNotFound);
    CHECK(versionOf(f.manager, "echo") == "2.0.0");
  }
}

TEST_CASE("a swap to the same path picks up a rebuilt file") {
  Fixture f;
  const fs::path path = f.dir / "echo.so";
  fs::copy_file(t::pluginFile("echo-v1.so"), path);
  REQUIRE(f.manager.load({"echo", path.string()}).ok());
  CHECK(versionOf(f.manager, "echo") == "1.0.0");

  // "Rebuild" in place: the loader must not be fooled by the unchanged path.
  fs::copy_file(t::pluginFile("echo-v2.so"), path, fs::copy_options::overwrite_existing);
  REQUIRE(f.manager.swap("echo", path.string()).ok());
  CHECK(versionOf(f.manager, "echo") == "2.0.0");
  CHECK(find(f.manager.list(), "echo")->swapCount == 1);

  // apply() sees the content change behind an unchanged spec too.
  fs::copy_file(t::pluginFile("echo-v1.so"), path, fs::copy_options::overwrite_existing);
  ApplyResult result = f.manager.apply({{"echo", path.string()}});
  CHECK(result.status.ok());
  CHECK(result.summary == "swap echo (" + path.string() + " -> " + path.string() + "): ok\n");
  CHECK(versionOf(f.manager, "echo") == "1.0.0");
  CHECK(f.mapped("echo") == 1);
}

TEST_CASE("apply() loads, unloads, reconfigures, swaps, disables and enables only what changed") {
  Fixture f;
  ApplyResult r = f.manager.apply({{"a", "echo-v1.so"}, {"b", "echo-v1.so", "prefix: \"b: \""}});
  CHECK(r.status.ok());
  CHECK(r.summary == "load a (echo-v1.so): ok\nload b (echo-v1.so): ok\n");
  CHECK(echoOf(f.manager, "b", "x") == "b: x");

  r = f.manager.apply({{"a", "echo-v2.so"}, {"b", "echo-v1.so", "prefix: \"B: \""}, {"c", "echo-v1.so"}});
  CHECK(r.status.ok());
  CHECK(r.summary == "swap a (echo-v1.so -> echo-v2.so): ok\nreconfigure b: ok\nload c (echo-v1.so): ok\n");
  CHECK(versionOf(f.manager, "a") == "2.0.0");
  CHECK(echoOf(f.manager, "b", "x") == "B: x");
  CHECK(find(f.manager.list(), "b")->swapCount == 0);

  r = f.manager.apply({{"a", "echo-v2.so"}, {"c", "echo-v1.so", "", false}});
  CHECK(r.status.ok());
  CHECK(r.summary == "unload b: ok\ndisable c: ok\n");
  CHECK(names(f.manager.list()) == std::vector<std::string>{"a", "c"});
  CHECK(find(f.manager.list(), "c")->state == PluginState::kDisabled);
  CHECK_FALSE(f.manager.get<Service>("c").pin());

  Handle<Service> c = f.manager.get<Service>("c");  // held across the enable
  r = f.manager.apply({{"a", "echo-v2.so"}, {"c", "echo-v1.so"}});
  CHECK(r.summary == "enable c (echo-v1.so): ok\n");
  CHECK(c.pin().version() == "1.0.0");

  r = f.manager.apply({{"a", "echo-v2.so"}, {"c", "echo-v1.so"}});
  CHECK(r.status.ok());
  CHECK(r.summary == "no changes");

  SECTION("the same content under another path is no action") {
    r = f.manager.apply({{"a", absolute("echo-v2.so")}, {"c", "echo-v1.so"}});
    CHECK(r.summary == "no changes");
    CHECK(find(f.manager.list(), "a")->path == absolute("echo-v2.so"));
  }
  SECTION("new file and new args: one swap that starts with the new args") {
    r = f.manager.apply({{"a", "echo-v1.so", "prefix: \"p: \""}, {"c", "echo-v1.so"}});
    CHECK(r.summary == "swap a (echo-v2.so -> echo-v1.so): ok\n");
    CHECK(echoOf(f.manager, "a", "x") == "p: x");
    CHECK(versionOf(f.manager, "a") == "1.0.0");
  }
  SECTION("invalid configurations change nothing") {
    r = f.manager.apply({{"a", "echo-v1.so"}, {"a", "echo-v2.so"}});
    CHECK(r.status.code() == Code::kInvalidArgument);
    CHECK(r.status.message() == "plugin instance a is configured twice");
    CHECK(r.summary == "no changes: the configuration is invalid");
    r = f.manager.apply({{"bad name", "echo-v1.so"}});
    CHECK(r.status.code() == Code::kInvalidArgument);
    CHECK(names(f.manager.list()) == std::vector<std::string>{"a", "c"});
    CHECK(versionOf(f.manager, "a") == "2.0.0");
  }
  SECTION("a failing action is reported, kept as Failed, retried, and does not stop the others") {
    r = f.manager.apply({{"a", "echo-v1.so"}, {"c", "echo-v1.so"}, {"d", "test-init-throws.so"}});
    CHECK(r.status.code() == Code::kInternal);
    CHECK(contains(r.status.message(), "1 of 2 plugin actions failed; the first: plugin " +
                                           absolute("test-init-throws.so") + " (instance d): init threw"));
    CHECK(contains(r.summary, "swap a (echo-v2.so -> echo-v1.so): ok\n"));
    CHECK(contains(r.summary, "load d (test-init-throws.so): failed: Internal: plugin "));
    CHECK(versionOf(f.manager, "a") == "1.0.0");
    const PluginInfo d = *find(f.manager.list(), "d");
    CHECK(d.state == PluginState::kFailed);
    CHECK(contains(d.lastError, "init threw std::runtime_error: init exploded"));
    CHECK(d.pluginName.empty());
    CHECK_FALSE(f.manager.get<Service>("d").pin());

    r = f.manager.apply({{"a", "echo-v1.so"}, {"c", "echo-v1.so"}, {"d", "test-init-throws.so"}});
    CHECK(r.summary.rfind("load d (test-init-throws.so): failed: ", 0) == 0);  // retried

    r = f.manager.apply({{"c", "echo-v1.so"}, {"a", "echo-v1.so"}, {"d", "echo-v2.so"}});
    CHECK(r.status.ok());
    CHECK(r.summary == "load d (echo-v2.so): ok\n");
    CHECK(names(f.manager.list()) == std::vector<std::string>{"c", "a", "d"});  // config order
    CHECK(find(f.manager.list(), "d")->lastError.empty());

    r = f.manager.apply({});
    CHECK(r.summary == "unload d: ok\nunload a: ok\nunload c: ok\n");
    CHECK(f.manager.list().empty());
    CHECK(f.mapped("") == 0);
  }
}

TEST_CASE("the registry gives the slots of a kind in config order") {
  Fixture f;
  REQUIRE(f.manager.apply({{"b", "echo-v2.so"}, {"a", "echo-v1.so"}, {"off", "echo-v1.so", "", false}})
              .status.ok());
  std::vector<std::string> order;
  for (const auto& slot : f.manager.slotsOfKind("service")) order.push_back(slot->name());
  CHECK(order == std::vector<std::string>{"b", "a"});
  CHECK(f.manager.slot("off") != nullptr);
  CHECK(f.manager.slot("nobody") == nullptr);

  std::vector<std::string> versions;
  for (const Handle<Service>& handle : f.manager.ofKind<Service>()) versions.push_back(handle.pin().version());
  CHECK(versions == std::vector<std::string>{"2.0.0", "1.0.0"});

  // A slot pins only the kinds its instance implements.
  std::shared_ptr<const void> keep;
  CHECK(f.manager.slot("a")->pin("controller", keep) == nullptr);
  CHECK(keep == nullptr);
}

TEST_CASE("hot swaps under load: no failed call, one version per unit, old images unloaded") {
  Fixture f;
  REQUIRE(f.manager.load({"echo", "echo-v1.so"}).ok());
  const Handle<Service> handle = f.manager.get<Service>("echo");

  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::atomic<std::uint64_t> units{0}, failures{0}, mixedVersions{0}, foreignVersions{0};
  std::mutex firstFailureMutex;
  std::string firstFailure;

  // Catch2's assertions are not thread-safe: the workers only count, the test thread checks.
  auto worker = [&](int id) {
    kj::EventLoop loop;
    kj::WaitScope waitScope(loop);
    for (std::uint64_t n = 0; !stop.load(); ++n) {
      {
        Pinned<Service> unit = handle.pin();  // one unit of work
        const std::string payload = "worker " + std::to_string(id) + " call " + std::to_string(n);
        std::string problem;
        if (!unit) {
          problem = "nothing to pin";
        } else {
          auto version = unit->call("version", "").wait(waitScope);
          auto echoed = unit->call("echo", payload).wait(waitScope);
          if (!version.ok() || !echoed.ok()) {
            problem = version.ok() ? echoed.status().toString() : version.status().toString();
          } else if (*echoed != payload) {
            problem = "echoed \"" + *echoed + "\" for \"" + payload + "\"";
          } else if (*version != unit.version()) {
            ++mixedVersions;
          } else if (*version != "1.0.0" && *version != "2.0.0") {
            ++foreignVersions;
          }
        }
        if (!problem.empty() && failures++ == 0) {
          std::lock_guard lock(firstFailureMutex);
          firstFailure = problem;
        }
        ++units;
      }  // the unit is released here, possibly as the old instance's last pin
      if (n == 0) ++started;
    }
  };
  std::thread first(worker, 1);
  std::thread second(worker, 2);
  while (started.load() < 2) std::this_thread::yield();  // both are calling before the swaps start

  Status swapFailure;
  int swaps = 0;
  for (int i = 0; i < 100 && swapFailure.ok(); ++i) {
    swapFailure = f.manager.swap("echo", i % 2 == 0 ? "echo-v2.so" : "echo-v1.so");
    if (swapFailure.ok()) ++swaps;
  }
  stop = true;
  first.join();
  second.join();

  INFO(firstFailure);
  CHECK(swapFailure.ok());
  CHECK(swaps == 100);
  CHECK(units.load() > 0);
  CHECK(failures.load() == 0);
  CHECK(mixedVersions.load() == 0);
  CHECK(foreignVersions.load() == 0);
  const PluginInfo info = *find(f.manager.list(), "echo");
  CHECK(info.swapCount == 100);
  CHECK(info.version == "1.0.0");
  CHECK(versionOf(f.manager, "echo") == "1.0.0");
  // Every replaced image was really unmapped once its last unit was done.
  CHECK(f.mapped("echo-v") == 1);
}

TEST_CASE("each instance gets its own Host, and a Host that cannot be built fails the load") {
  t::TempDir dir;
  std::vector<std::string> built;
  bool refuse = false;
  bool throwing = false;
  PluginManager* self = nullptr;
  PluginManager manager(dir / "cache", {t::pluginDir()}, [&](const std::string& name) -> std::unique_ptr<Host> {
    if (throwing) throw std::runtime_error("no hosts today");
    if (refuse) return nullptr;
    built.push_back(name);
    return std::make_unique<t::TestHost>(*self, dir / name);
  });
  self = &manager;

  REQUIRE(manager.load({"a", "echo-v1.so"}).ok());
  REQUIRE(manager.swap("a", "echo-v2.so").ok());
  REQUIRE(manager.load({"b", "echo-v1.so"}).ok());
  CHECK(built == std::vector<std::string>{"a", "a", "b"});

  refuse = true;
  Status none = manager.load({"c", "echo-v1.so"});
  CHECK(none.code() == Code::kInternal);
  CHECK(none.message() == "no Host could be built for plugin instance c");
  refuse = false;
  throwing = true;
  Status thrown = manager.swap("a", "echo-v1.so");
  CHECK(thrown.code() == Code::kInternal);
  CHECK(thrown.message() == "building the Host for plugin instance a threw std::runtime_error: no hosts today");
  CHECK(versionOf(manager, "a") == "2.0.0");
}

TEST_CASE("destroying the manager unloads every plugin") {
  t::TempDir dir;
  {
    PluginManager* self = nullptr;
    PluginManager manager(dir / "cache", {t::pluginDir()}, [&](const std::string& name) {
      return std::make_unique<t::TestHost>(*self, dir / name);
    });
    self = &manager;
    REQUIRE(manager.apply({{"a", "echo-v1.so"}, {"b", "echo-v2.so"}, {"x", "test-lifecycle-throws.so"}})
                .status.ok());
    CHECK(t::mappedLibraries(dir / "cache", "") == 3);
  }
  CHECK(t::mappedLibraries(dir / "cache", "") == 0);
}

}  // namespace capstan::plugin
