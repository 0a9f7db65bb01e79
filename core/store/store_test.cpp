#include "store.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <thread>

using namespace capstan;
using namespace capstan::store;
using namespace std::chrono_literals;

namespace {

// Generous: waits only guard against hangs; no test asserts how long anything takes.
constexpr auto kWait = 30s;

// "p" + std::to_string(i) trips GCC 12's -Wrestrict false positive (PR 105329).
std::string numbered(const char* prefix, long long i) {
  std::string s(prefix);
  s += std::to_string(i);
  return s;
}

// xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx in lowercase hex.
bool isUuidV4(const std::string& s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "capstan-store-test-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    REQUIRE(p != nullptr);
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

StoreOptions options(const std::string& dir, bool durable = true) {
  StoreOptions o;
  o.directory = dir;
  o.durable = durable;
  return o;
}

std::unique_ptr<LmdbStore> openStore(const StoreOptions& o) {
  Result<std::unique_ptr<LmdbStore>> r = LmdbStore::open(o);
  INFO(r.status().toString());
  REQUIRE(r.ok());
  return std::move(r).value();
}

// No Catch2 assertions in here: helper threads use it, and Catch2 is not thread-safe.
std::vector<WriteResult> writeSync(StoreClient& store, std::vector<Mutation> batch) {
  const std::size_t n = batch.size();
  auto done = std::make_shared<std::promise<std::vector<WriteResult>>>();
  std::future<std::vector<WriteResult>> f = done->get_future();
  store.write(std::move(batch), [done](std::vector<WriteResult> r) { done->set_value(std::move(r)); });
  if (f.wait_for(kWait) != std::future_status::ready) {
    return std::vector<WriteResult>(n, WriteResult{Status::deadlineExceeded("the write was not answered"), {}});
  }
  return f.get();
}

WriteResult writeOne(StoreClient& store, Mutation m) { return writeSync(store, {std::move(m)}).front(); }

Mutation mutation(MutationOp op, const std::string& type, const std::string& ns, const std::string& name,
                  std::map<std::string, std::string> labels = {}, std::string body = {}) {
  Mutation m;
  m.op = op;
  m.object.type = type;
  m.object.ns = ns;
  m.object.name = name;
  m.object.labels = std::move(labels);
  if (!body.empty()) {
    m.object.format = BodyFormat::kJson;
    m.object.body = std::move(body);
  }
  return m;
}

Mutation create(const std::string& name, std::map<std::string, std::string> labels = {},
                const std::string& ns = "default") {
  return mutation(MutationOp::kCreate, "pods", ns, name, std::move(labels));
}

Mutation update(const std::string& name, std::map<std::string, std::string> labels = {},
                std::int64_t expectRevision = 0) {
  Mutation m = mutation(MutationOp::kUpdate, "pods", "default", name, std::move(labels));
  m.expectRevision = expectRevision;
  return m;
}

Mutation removal(const std::string& name, const std::string& ns = "default") {
  return mutation(MutationOp::kDelete, "pods", ns, name);
}

std::set<std::string> names(const std::vector<Object>& items) {
  std::set<std::string> out;
  for (const Object& o : items) out.insert(o.ns + "/" + o.name);
  return out;
}

// Collects watch events; waits are bounded by kWait.
class EventLog {
 public:
  WatchHandler handler() {
    return [this](std::span<const WatchEvent> events) {
      std::lock_guard<std::mutex> lock(mutex_);
      events_.insert(events_.end(), events.begin(), events.end());
      ++calls_;
      cv_.notify_all();
    };
  }
  void add(std::span<const WatchEvent> events) {
    std::lock_guard<std::mutex> lock(mutex_);
    events_.insert(events_.end(), events.begin(), events.end());
    cv_.notify_all();
  }
  bool waitFor(const std::function<bool(const std::vector<WatchEvent>&)>& done) {
    std::unique_lock<std::mutex> lock(mutex_);
    return cv_.wait_for(lock, kWait, [&] { return done(events_); });
  }
  bool waitForCount(std::size_t n, bool ignoreBookmarks = true) {
    return waitFor([&](const std::vector<WatchEvent>& e) { return count(e, ignoreBookmarks) >= n; });
  }
  std::vector<WatchEvent> events() {
    std::lock_guard<std::mutex> lock(mutex_);
    return events_;
  }
  std::vector<WatchEvent> changes() {  // without bookmarks
    std::vector<WatchEvent> out;
    for (const WatchEvent& e : events()) {
      if (e.kind != WatchEvent::Kind::kBookmark) out.push_back(e);
    }
    return out;
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mutex_);
    return calls_;
  }

  static std::size_t count(const std::vector<WatchEvent>& e, bool ignoreBookmarks) {
    std::size_t n = 0;
    for (const WatchEvent& x : e) n += !(ignoreBookmarks && x.kind == WatchEvent::Kind::kBookmark);
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<WatchEvent> events_;
  int calls_ = 0;
};

void requireIncreasing(const std::vector<WatchEvent>& events) {
  for (std::size_t i = 1; i < events.size(); ++i) {
    if (events[i].kind == WatchEvent::Kind::kBookmark || events[i - 1].kind == WatchEvent::Kind::kBookmark) continue;
    REQUIRE(events[i].revision > events[i - 1].revision);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Writes

TEST_CASE("store: create stamps uid, revision, createRevision and creationTime") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  Mutation m = create("x", {{"app", "web"}});
  m.object.uid = "writer-supplied";
  m.object.revision = 999;
  m.object.creationTime = 5;
  WriteResult r = writeOne(*store, m);
  REQUIRE(r.status.ok());
  CHECK(r.object.revision == 1);
  CHECK(r.object.createRevision == 1);
  CHECK(r.object.creationTime > 1600000000LL * 1000000000LL);
  CHECK(isUuidV4(r.object.uid));
  CHECK(r.object.labels.at("app") == "web");
  CHECK(store->currentRevision() == 1);

  Result<Object> got = store->get("pods", "default", "x");
  REQUIRE(got.ok());
  CHECK(*got == r.object);
}

TEST_CASE("store: create of an existing name is AlreadyExists") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  REQUIRE(writeOne(*store, create("x")).status.ok());
  WriteResult r = writeOne(*store, create("x"));
  CHECK(r.status.code() == Code::kAlreadyExists);
  CHECK(r.status.message() == "object pods/default/x already exists");
  CHECK(store->currentRevision() == 1);  // a failed write takes no revision
}

TEST_CASE("store: update keeps identity, checks preconditions") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  WriteResult created = writeOne(*store, create("x", {{"v", "1"}}));
  REQUIRE(created.status.ok());

  WriteResult updated = writeOne(*store, update("x", {{"v", "2"}}, created.object.revision));
  REQUIRE(updated.status.ok());
  CHECK(updated.object.revision == 2);
  CHECK(updated.object.uid == created.object.uid);
  CHECK(updated.object.createRevision == 1);
  CHECK(updated.object.creationTime == created.object.creationTime);
  CHECK(updated.object.labels.at("v") == "2");

  SECTION("stale revision is a Conflict") {
    WriteResult stale = writeOne(*store, update("x", {{"v", "3"}}, created.object.revision));
    CHECK(stale.status.code() == Code::kConflict);
    CHECK(stale.status.message() == "object pods/default/x has revision 2, the write expected revision 1");
    CHECK(store->get("pods", "default", "x")->labels.at("v") == "2");
  }
  SECTION("wrong uid is a Conflict") {
    Mutation m = update("x");
    m.expectUid = "someone-else";
    CHECK(writeOne(*store, m).status.code() == Code::kConflict);
    m.expectUid = created.object.uid;
    CHECK(writeOne(*store, m).status.ok());
  }
  SECTION("update of a missing object is NotFound") {
    WriteResult r = writeOne(*store, update("missing"));
    CHECK(r.status.code() == Code::kNotFound);
    CHECK(r.status.message() == "object pods/default/missing not found");
  }
}

TEST_CASE("store: upsert creates or updates; preconditions apply only to an existing object") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  Mutation m = mutation(MutationOp::kUpsert, "configmaps", "default", "c", {{"v", "1"}});
  m.expectRevision = 12345;  // ignored: the object does not exist
  WriteResult first = writeOne(*store, m);
  REQUIRE(first.status.ok());
  CHECK(first.object.createRevision == first.object.revision);
  m.object.labels["v"] = "2";
  CHECK(writeOne(*store, m).status.code() == Code::kConflict);
  m.expectRevision = first.object.revision;
  WriteResult second = writeOne(*store, m);
  REQUIRE(second.status.ok());
  CHECK(second.object.uid == first.object.uid);
  CHECK(second.object.labels.at("v") == "2");
}

TEST_CASE("store: delete returns the last state at the deletion revision and checks preconditions") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  WriteResult created = writeOne(*store, create("x", {{"app", "web"}}));
  Mutation del = removal("x");
  del.expectRevision = 77;
  WriteResult conflict = writeOne(*store, del);
  CHECK(conflict.status.code() == Code::kConflict);
  CHECK(store->get("pods", "default", "x").ok());

  del.expectRevision = created.object.revision;
  del.expectUid = created.object.uid;
  WriteResult deleted = writeOne(*store, del);
  REQUIRE(deleted.status.ok());
  CHECK(deleted.object.revision == 2);
  CHECK(deleted.object.uid == created.object.uid);
  CHECK(deleted.object.labels.at("app") == "web");

  Result<Object> gone = store->get("pods", "default", "x");
  CHECK(gone.status().code() == Code::kNotFound);
  CHECK(gone.status().message() == "object pods/default/x not found");
  CHECK(writeOne(*store, removal("x")).status.code() == Code::kNotFound);
  CHECK(writeOne(*store, mutation(MutationOp::kDelete, "never-written", "", "y")).status.code() == Code::kNotFound);
}

TEST_CASE("store: one failing mutation in a batch fails alone (nested transactions)") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  REQUIRE(writeOne(*store, create("taken")).status.ok());
  Mutation tooBig = create("big");
  tooBig.object.body.assign(kMaxObjectBytes + 10, 'x');
  std::vector<WriteResult> r = writeSync(
      *store, {create("a"), create("taken"), create("b"), update("missing"), tooBig, create("c", {}, "other")});
  REQUIRE(r.size() == 6);
  CHECK(r[0].status.ok());
  CHECK(r[1].status.code() == Code::kAlreadyExists);
  CHECK(r[2].status.ok());
  CHECK(r[3].status.code() == Code::kNotFound);
  CHECK(r[4].status.code() == Code::kTooLarge);
  CHECK(r[5].status.ok());
  // Successful mutations get consecutive revisions in batch order.
  CHECK(r[0].object.revision == 2);
  CHECK(r[2].object.revision == 3);
  CHECK(r[5].object.revision == 4);
  CHECK(store->get("pods", "default", "a").ok());
  CHECK(store->get("pods", "default", "b").ok());
  CHECK(store->get("pods", "other", "c").ok());
  CHECK(store->get("pods", "default", "big").status().code() == Code::kNotFound);
  CHECK(store->currentRevision() == 4);
}

TEST_CASE("store: a batch that creates and then updates the same object in one transaction") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  Mutation up = update("x", {{"v", "2"}});
  up.expectRevision = 1;
  std::vector<WriteResult> r = writeSync(*store, {create("x", {{"v", "1"}}), up, removal("x"), create("x")});
  REQUIRE(r.size() == 4);
  for (const WriteResult& w : r) CHECK(w.status.ok());
  CHECK(r[1].object.uid == r[0].object.uid);
  CHECK(r[3].object.uid != r[0].object.uid);  // a new incarnation
  CHECK(r[3].object.createRevision == 4);
}

TEST_CASE("store: invalid identities and oversized objects are rejected with clear messages") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  auto status = [&](Mutation m) { return writeOne(*store, std::move(m)).status; };
  CHECK(status(mutation(MutationOp::kCreate, "", "default", "x")).code() == Code::kInvalidArgument);
  Status noName = status(mutation(MutationOp::kCreate, "pods", "default", ""));
  CHECK(noName.code() == Code::kInvalidArgument);
  CHECK_THAT(noName.message(), Catch::Contains("name must not be empty"));
  Status longName = status(create(std::string(254, 'n')));
  CHECK(longName.code() == Code::kInvalidArgument);
  CHECK_THAT(longName.message(), Catch::Contains("name is 254 bytes, the limit is 253 bytes"));
  CHECK(status(create("x", {}, std::string(64, 's'))).code() == Code::kInvalidArgument);
  CHECK(status(mutation(MutationOp::kCreate, std::string(201, 't'), "", "x")).code() == Code::kInvalidArgument);
  CHECK_THAT(status(create(std::string("a\0b", 3))).message(), Catch::Contains("NUL byte"));
  CHECK(status(create(std::string(253, 'n'), {}, std::string(63, 's'))).ok());  // the limits themselves are fine

  Mutation reserved = create("r");
  reserved.object.indexes["metadata.name"] = "r";
  CHECK_THAT(status(reserved).message(), Catch::Contains("reserved"));
  Mutation longIndex = create("i");
  longIndex.object.indexes["k"] = std::string(600, 'v');
  CHECK(status(longIndex).code() == Code::kInvalidArgument);

  Mutation big = create("x");
  big.object.body.assign(2000000, 'b');
  Status tooLarge = status(big);
  CHECK(tooLarge.code() == Code::kTooLarge);
  // The envelope adds a few hundred bytes to the body.
  const std::string prefix = "object pods/default/x is ";
  const std::string suffix = " bytes, the limit is 1572864 bytes";
  const std::string& message = tooLarge.message();
  REQUIRE(message.size() > prefix.size() + suffix.size());
  CHECK(message.compare(0, prefix.size(), prefix) == 0);
  CHECK(message.compare(message.size() - suffix.size(), suffix.size(), suffix) == 0);
  const long long size = std::stoll(message.substr(prefix.size()));
  CHECK(size > 2000000);
  CHECK(size < 2001000);
}

TEST_CASE("store: maxObjectBytes is configurable") {
  TempDir dir;
  StoreOptions o = options(dir.path(), false);
  o.maxObjectBytes = 4096;
  auto store = openStore(o);
  Mutation m = create("x");
  m.object.body.assign(5000, 'b');
  WriteResult r = writeOne(*store, m);
  CHECK(r.status.code() == Code::kTooLarge);
  CHECK_THAT(r.status.message(), Catch::Contains("the limit is 4096 bytes"));
}

TEST_CASE("store: revisions strictly increase across writes and threads") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  EventLog log;
  WatchOptions wo;
  wo.type = "pods";
  auto w = store->watch(wo, log.handler());
  REQUIRE(w.ok());
  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::vector<std::int64_t> revisions;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::vector<WriteResult> r =
            writeSync(*store, {create(numbered("t", t) + numbered("-", i))});
        if (!r[0].status.ok()) ++failures;
        std::lock_guard<std::mutex> lock(mutex);
        revisions.push_back(r[0].object.revision);
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  std::sort(revisions.begin(), revisions.end());
  REQUIRE(revisions.size() == kThreads * kPerThread);
  for (std::size_t i = 0; i < revisions.size(); ++i) CHECK(revisions[i] == static_cast<std::int64_t>(i + 1));
  CHECK(store->currentRevision() == kThreads * kPerThread);
  ListOptions lo;
  lo.type = "pods";
  CHECK(store->list(lo)->items.size() == kThreads * kPerThread);
  CHECK(store->stats().objectCounts.at("pods") == kThreads * kPerThread);
  REQUIRE(log.waitForCount(kThreads * kPerThread));
  std::vector<WatchEvent> events = log.changes();
  CHECK(events.size() == kThreads * kPerThread);
  requireIncreasing(events);
}

// ---------------------------------------------------------------------------------------
// Reads at a revision, lists, continue tokens

TEST_CASE("store: get at an old revision sees that version, including deleted objects") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  writeOne(*store, create("x", {{"v", "1"}}));   // 1
  writeOne(*store, update("x", {{"v", "2"}}));   // 2
  writeOne(*store, create("other"));             // 3
  writeOne(*store, removal("x"));                 // 4
  CHECK(store->get("pods", "default", "x", 1)->labels.at("v") == "1");
  CHECK(store->get("pods", "default", "x", 2)->labels.at("v") == "2");
  CHECK(store->get("pods", "default", "x", 3)->labels.at("v") == "2");
  CHECK(store->get("pods", "default", "x", 3)->revision == 2);
  CHECK(store->get("pods", "default", "x", 4).status().code() == Code::kNotFound);
  CHECK(store->get("pods", "default", "other", 2).status().code() == Code::kNotFound);
  Result<Object> future = store->get("pods", "default", "x", 99);
  CHECK(future.status().code() == Code::kInvalidArgument);
  CHECK(store->get("unknown-type", "default", "x").status().code() == Code::kNotFound);
}

TEST_CASE("store: list by namespace, label selector and index selector") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  std::vector<Mutation> batch;
  for (int i = 0; i < 30; ++i) {
    Mutation m = create(numbered("p", i), {{"app", i % 2 ? "web" : "db"}}, i < 20 ? "a" : "b");
    m.object.indexes["spec.nodeName"] = numbered("node-", i % 3);
    batch.push_back(m);
  }
  batch.push_back(mutation(MutationOp::kCreate, "nodes", "", "node-0"));
  for (const WriteResult& r : writeSync(*store, batch)) REQUIRE(r.status.ok());

  auto list = [&](ListOptions lo) {
    lo.type = lo.type.empty() ? "pods" : lo.type;
    Result<ListResult> r = store->list(lo);
    INFO(r.status().toString());
    REQUIRE(r.ok());
    return std::move(r).value();
  };
  ListResult all = list({});
  CHECK(all.items.size() == 30);
  CHECK(all.revision == store->currentRevision());
  CHECK(all.continueToken.empty());
  // Ordered by namespace, then name.
  for (std::size_t i = 1; i < all.items.size(); ++i) {
    CHECK(std::make_pair(all.items[i - 1].ns, all.items[i - 1].name) < std::make_pair(all.items[i].ns, all.items[i].name));
  }

  ListOptions ns;
  ns.ns = "b";
  CHECK(list(ns).items.size() == 10);

  ListOptions web;
  web.labelSelector = "app=web";
  CHECK(list(web).items.size() == 15);
  web.ns = "a";
  CHECK(list(web).items.size() == 10);

  ListOptions byNode;
  byNode.indexSelector = {{"spec.nodeName", "node-1"}};
  ListResult n1 = list(byNode);
  CHECK(n1.items.size() == 10);
  for (const Object& o : n1.items) CHECK(o.indexes.at("spec.nodeName") == "node-1");
  byNode.ns = "b";
  byNode.labelSelector = "app in (web)";
  for (const Object& o : list(byNode).items) {
    CHECK(o.ns == "b");
    CHECK(o.labels.at("app") == "web");
  }

  ListOptions pseudo;
  pseudo.indexSelector = {{"metadata.name", "p21"}};
  ListResult one = list(pseudo);
  REQUIRE(one.items.size() == 1);
  CHECK(one.items[0].ns == "b");
  pseudo.indexSelector = {{"metadata.namespace", "b"}, {"metadata.name", "p21"}};
  CHECK(list(pseudo).items.size() == 1);
  pseudo.indexSelector = {{"metadata.namespace", "a"}, {"metadata.name", "p21"}};
  CHECK(list(pseudo).items.empty());
  pseudo.indexSelector = {{"metadata.namespace", ""}};
  pseudo.type = "nodes";
  CHECK(list(pseudo).items.size() == 1);

  ListOptions bad;
  bad.type = "pods";
  bad.labelSelector = "app in web";
  CHECK(store->list(bad).status().code() == Code::kInvalidArgument);
  ListOptions unknown;
  unknown.type = "widgets";
  CHECK(list(unknown).items.empty());

  // After updates that move pods between nodes, the index follows the current state.
  Mutation move = update("p1");
  move.object.ns = "a";
  move.object.labels = {{"app", "web"}};
  move.object.indexes["spec.nodeName"] = "node-2";
  REQUIRE(writeOne(*store, move).status.ok());
  byNode = {};
  byNode.indexSelector = {{"spec.nodeName", "node-1"}};
  CHECK(list(byNode).items.size() == 9);
  byNode.indexSelector = {{"spec.nodeName", "node-2"}};
  CHECK(list(byNode).items.size() == 11);
}

TEST_CASE("store: list at an old revision") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  writeSync(*store, {create("a", {{"v", "1"}}), create("b"), create("c")});  // 1..3
  const std::int64_t before = store->currentRevision();
  writeSync(*store, {removal("b"), update("a", {{"v", "2"}}), create("d")});
  ListOptions lo;
  lo.type = "pods";
  lo.revision = before;
  Result<ListResult> old = store->list(lo);
  REQUIRE(old.ok());
  CHECK(old->revision == before);
  CHECK(names(old->items) == std::set<std::string>{"default/a", "default/b", "default/c"});
  for (const Object& o : old->items) {
    if (o.name == "a") CHECK(o.labels.at("v") == "1");
  }
  lo.labelSelector = "v=1";
  CHECK(names(store->list(lo)->items) == std::set<std::string>{"default/a"});
  lo.labelSelector.clear();
  lo.revision = 0;
  CHECK(names(store->list(lo)->items) == std::set<std::string>{"default/a", "default/c", "default/d"});
}

TEST_CASE("store: continue tokens stay consistent at one revision across concurrent writes") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  std::vector<Mutation> batch;
  for (int i = 0; i < 50; ++i) batch.push_back(create(numbered("p", 100 + i), {}, i % 2 ? "a" : "b"));
  writeSync(*store, batch);
  std::set<std::string> expected;
  for (int i = 0; i < 50; ++i) expected.insert(numbered(i % 2 ? "a/p" : "b/p", 100 + i));

  ListOptions lo;
  lo.type = "pods";
  lo.limit = 7;
  Result<ListResult> page = store->list(lo);
  REQUIRE(page.ok());
  const std::int64_t listRevision = page->revision;
  CHECK(page->items.size() == 7);
  CHECK(page->remainingCount == 43);
  REQUIRE_FALSE(page->continueToken.empty());

  // Concurrent writers change everything while the client pages.
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    int i = 0;
    while (!stop.load()) {
      writeSync(*store, {create(numbered("new", i), {}, "a"), removal(numbered("p", 100 + i % 50), i % 2 ? "a" : "b")});
      ++i;
    }
  });
  std::set<std::string> seen = names(page->items);
  std::size_t pages = 1;
  while (!page->continueToken.empty()) {
    ListOptions next;
    next.type = "pods";
    next.limit = 7;
    next.continueToken = page->continueToken;
    page = store->list(next);
    REQUIRE(page.ok());
    CHECK(page->revision == listRevision);
    for (const std::string& n : names(page->items)) CHECK(seen.insert(n).second);  // no duplicates
    ++pages;
  }
  stop = true;
  writer.join();
  CHECK(seen == expected);
  CHECK(pages == 8);

  SECTION("the namespace and label selector carry through pages") {
    ListOptions sel;
    sel.type = "pods";
    sel.ns = "a";
    sel.limit = 4;
    sel.revision = listRevision;
    std::set<std::string> inA;
    while (true) {
      Result<ListResult> p = store->list(sel);
      REQUIRE(p.ok());
      for (const std::string& n : names(p->items)) inA.insert(n);
      if (p->continueToken.empty()) break;
      sel.continueToken = p->continueToken;
    }
    CHECK(inA.size() == 25);
  }
  SECTION("a garbage token is InvalidArgument") {
    ListOptions next;
    next.type = "pods";
    next.continueToken = "not-a-token!";
    CHECK(store->list(next).status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("store: paging through an index lookup") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  std::vector<Mutation> batch;
  for (int i = 0; i < 20; ++i) {
    Mutation m = create(numbered("p", i), {}, i % 2 ? "a" : "b");
    m.object.indexes["spec.nodeName"] = i < 15 ? "n1" : "n2";
    batch.push_back(m);
  }
  writeSync(*store, batch);
  ListOptions lo;
  lo.type = "pods";
  lo.indexSelector = {{"spec.nodeName", "n1"}};
  lo.limit = 4;
  std::set<std::string> seen;
  int pages = 0;
  while (true) {
    Result<ListResult> p = store->list(lo);
    REQUIRE(p.ok());
    for (const std::string& n : names(p->items)) CHECK(seen.insert(n).second);
    ++pages;
    if (p->continueToken.empty()) break;
    lo.continueToken = p->continueToken;
  }
  CHECK(seen.size() == 15);
  CHECK(pages == 4);
}

// ---------------------------------------------------------------------------------------
// Compaction

TEST_CASE("store: compaction makes older reads Gone and keeps what is visible at or above it") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  writeOne(*store, create("x", {{"v", "1"}}));  // 1
  writeOne(*store, update("x", {{"v", "2"}}));  // 2
  writeOne(*store, create("y"));                // 3
  writeOne(*store, update("x", {{"v", "3"}}));  // 4
  writeOne(*store, removal("y"));                // 5
  writeOne(*store, create("z"));                // 6

  ListOptions paged;
  paged.type = "pods";
  paged.limit = 1;
  Result<ListResult> firstPage = store->list(paged);
  REQUIRE(firstPage.ok());
  REQUIRE_FALSE(firstPage->continueToken.empty());

  REQUIRE(store->compact(3).ok());
  CHECK(store->compactedRevision() == 3);

  Result<Object> old = store->get("pods", "default", "x", 2);
  CHECK(old.status().code() == Code::kGone);
  CHECK(old.status().message() == "required revision 2 has been compacted (compacted revision is 3)");
  CHECK(store->get("pods", "default", "x", 3)->labels.at("v") == "2");
  CHECK(store->get("pods", "default", "x", 4)->labels.at("v") == "3");
  CHECK(store->get("pods", "default", "y", 4).ok());
  CHECK(store->get("pods", "default", "y", 5).status().code() == Code::kNotFound);

  ListOptions lo;
  lo.type = "pods";
  lo.revision = 2;
  CHECK(store->list(lo).status().code() == Code::kGone);
  lo.revision = 3;
  CHECK(names(store->list(lo)->items) == std::set<std::string>{"default/x", "default/y"});

  WatchOptions wo;
  wo.type = "pods";
  wo.fromRevision = 2;
  EventLog log;
  Result<std::unique_ptr<Watch>> w = store->watch(wo, log.handler());
  CHECK(w.status().code() == Code::kGone);
  CHECK_THAT(w.status().message(), Catch::Contains("required revision 2 has been compacted"));

  // The continue token was issued at revision 6: still fine.
  ListOptions next;
  next.type = "pods";
  next.continueToken = firstPage->continueToken;
  CHECK(store->list(next).ok());

  // Compact everything: the deleted y disappears from history entirely; a token at an older
  // revision is Gone.
  writeOne(*store, create("w"));  // 7
  REQUIRE(store->compact(0).ok());
  CHECK(store->compactedRevision() == 7);
  Result<ListResult> expired = store->list(next);
  CHECK(expired.status().code() == Code::kGone);
  CHECK_THAT(expired.status().message(), Catch::Contains("continue token expired"));
  CHECK(store->get("pods", "default", "x", 7)->labels.at("v") == "3");
  CHECK(store->get("pods", "default", "y", 7).status().code() == Code::kNotFound);
  lo.revision = 7;
  CHECK(names(store->list(lo)->items) == std::set<std::string>{"default/w", "default/x", "default/z"});

  CHECK(store->compact(2).ok());  // below the window: nothing to do
  CHECK(store->compact(1000).code() == Code::kInvalidArgument);
}

TEST_CASE("store: compaction of many versions runs in bounded steps while writes continue") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  for (int round = 0; round < 30; ++round) {
    std::vector<Mutation> batch;
    for (int i = 0; i < 1000; ++i) {
      Mutation m = mutation(MutationOp::kUpsert, "pods", "default", numbered("p", i), {{"round", std::to_string(round)}});
      batch.push_back(m);
    }
    writeSync(*store, batch);
  }
  const std::int64_t target = store->currentRevision();
  std::atomic<bool> stop{false};
  std::atomic<int> failedDuring{0};
  std::thread writer([&] {
    while (!stop.load()) {
      if (!writeOne(*store, mutation(MutationOp::kUpsert, "events", "default", "e")).status.ok()) ++failedDuring;
    }
  });
  REQUIRE(store->compact(target).ok());
  stop = true;
  writer.join();
  CHECK(failedDuring == 0);
  CHECK(store->get("events", "default", "e").ok());
  ListOptions lo;
  lo.type = "pods";
  lo.revision = target;
  Result<ListResult> at = store->list(lo);
  REQUIRE(at.ok());
  CHECK(at->items.size() == 1000);
  for (const Object& o : at->items) CHECK(o.labels.at("round") == "29");
  CHECK(store->get("pods", "default", "p0", target - 1).status().code() == Code::kGone);
}

// ---------------------------------------------------------------------------------------
// Watch

TEST_CASE("store: watch from now delivers ADDED, MODIFIED and DELETED with the last state") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  writeOne(*store, create("before"));
  EventLog log;
  WatchOptions wo;
  wo.type = "pods";
  auto w = store->watch(wo, log.handler());
  REQUIRE(w.ok());
  writeOne(*store, create("x", {{"app", "web"}}));
  writeOne(*store, update("x", {{"app", "db"}}));
  writeOne(*store, removal("x"));
  writeOne(*store, mutation(MutationOp::kCreate, "nodes", "", "n1"));  // another type
  REQUIRE(log.waitForCount(3));
  std::vector<WatchEvent> e = log.changes();
  REQUIRE(e.size() == 3);
  CHECK(e[0].kind == WatchEvent::Kind::kAdded);
  CHECK(e[0].revision == 2);
  CHECK(e[1].kind == WatchEvent::Kind::kModified);
  CHECK(e[1].object->labels.at("app") == "db");
  CHECK(e[2].kind == WatchEvent::Kind::kDeleted);
  CHECK(e[2].revision == 4);
  CHECK(e[2].object->revision == 4);
  CHECK(e[2].object->labels.at("app") == "db");
  CHECK(e[2].object->uid == e[0].object->uid);
}

TEST_CASE("store: watch replays history from LMDB when older than the ring, then goes live") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  for (int i = 0; i < 30; ++i) writeOne(*store, create(numbered("p", i)));
  // A reopened store starts with an empty ring: revisions 4..30 come from LMDB.
  store->close();
  store = openStore(options(dir.path(), false));
  EventLog log;
  WatchOptions wo;
  wo.type = "pods";
  wo.fromRevision = 3;
  auto w = store->watch(wo, log.handler());
  REQUIRE(w.ok());
  REQUIRE(log.waitForCount(27));
  for (int i = 30; i < 40; ++i) writeOne(*store, create(numbered("p", i)));
  REQUIRE(log.waitForCount(37));
  std::vector<WatchEvent> e = log.changes();
  REQUIRE(e.size() == 37);
  for (std::size_t i = 0; i < e.size(); ++i) {
    CHECK(e[i].revision == static_cast<std::int64_t>(i + 4));
    CHECK(e[i].kind == WatchEvent::Kind::kAdded);
    CHECK(e[i].object->name == numbered("p", i + 3));
  }
}

TEST_CASE("store: filtered watches turn leaving into DELETED and entering into ADDED") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  writeOne(*store, mutation(MutationOp::kCreate, "nodes", "", "n0"));  // 1
  const std::int64_t start = store->currentRevision();

  WatchOptions byLabel;
  byLabel.type = "pods";
  byLabel.labelSelector = "app=web";
  EventLog live;
  auto w = store->watch(byLabel, live.handler());
  REQUIRE(w.ok());

  writeOne(*store, create("x", {{"app", "web"}}));             // ADDED
  writeOne(*store, update("x", {{"app", "db"}}));              // leaves: DELETED (new state)
  writeOne(*store, update("x", {{"app", "db"}, {"v", "2"}}));  // still out: nothing
  writeOne(*store, update("x", {{"app", "web"}}));             // enters: ADDED
  writeOne(*store, update("x", {{"app", "web"}, {"v", "3"}})); // MODIFIED
  writeOne(*store, create("y", {{"app", "db"}}));              // nothing
  writeOne(*store, removal("x"));                               // DELETED (last state)
  writeOne(*store, removal("y"));                               // nothing

  auto check = [](const std::vector<WatchEvent>& e) {
    REQUIRE(e.size() == 5);
    CHECK(e[0].kind == WatchEvent::Kind::kAdded);
    CHECK(e[1].kind == WatchEvent::Kind::kDeleted);
    CHECK(e[1].object->labels.at("app") == "db");
    CHECK(e[1].revision == 3);
    CHECK(e[2].kind == WatchEvent::Kind::kAdded);
    CHECK(e[2].revision == 5);
    CHECK(e[3].kind == WatchEvent::Kind::kModified);
    CHECK(e[4].kind == WatchEvent::Kind::kDeleted);
    CHECK(e[4].object->labels.at("v") == "3");
    CHECK(e[4].revision == 8);
  };
  REQUIRE(live.waitForCount(5));
  // Wait until y's deletion went by the watch too (its position passed revision 8).
  writeOne(*store, create("z", {{"app", "web"}}));
  REQUIRE(live.waitForCount(6));
  std::vector<WatchEvent> liveEvents = live.changes();
  liveEvents.pop_back();
  check(liveEvents);

  // A reopened store starts with an empty ring: a watch from the start replays the same
  // history from LMDB, and must make the same decisions from the stored previous versions.
  w->reset();
  store->close();
  store = openStore(options(dir.path(), false));
  EventLog replayed;
  byLabel.fromRevision = start;
  auto w2 = store->watch(byLabel, replayed.handler());
  REQUIRE(w2.ok());
  REQUIRE(replayed.waitForCount(6));
  std::vector<WatchEvent> replayEvents = replayed.changes();
  replayEvents.pop_back();
  check(replayEvents);

  SECTION("index selectors behave the same way") {
    WatchOptions byIndex;
    byIndex.type = "pods";
    byIndex.indexSelector = {{"spec.nodeName", "n1"}};
    EventLog idx;
    auto w3 = store->watch(byIndex, idx.handler());
    REQUIRE(w3.ok());
    Mutation bind = mutation(MutationOp::kCreate, "pods", "default", "pending");
    writeOne(*store, bind);
    bind.op = MutationOp::kUpdate;
    bind.object.indexes["spec.nodeName"] = "n1";
    writeOne(*store, bind);
    bind.object.indexes["spec.nodeName"] = "n2";
    writeOne(*store, bind);
    REQUIRE(idx.waitForCount(2));
    std::vector<WatchEvent> e = idx.changes();
    REQUIRE(e.size() == 2);
    CHECK(e[0].kind == WatchEvent::Kind::kAdded);
    CHECK(e[1].kind == WatchEvent::Kind::kDeleted);
    CHECK(e[1].object->indexes.at("spec.nodeName") == "n2");
  }
}

TEST_CASE("store: watch filters by namespace and name") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  WatchOptions wo;
  wo.type = "pods";
  wo.ns = "a";
  wo.name = "x";
  EventLog log;
  auto w = store->watch(wo, log.handler());
  REQUIRE(w.ok());
  writeSync(*store, {create("x", {}, "b"), create("y", {}, "a"), create("x", {}, "a"), create("z", {}, "a")});
  writeOne(*store, removal("x", "a"));
  REQUIRE(log.waitForCount(2));
  std::vector<WatchEvent> e = log.changes();
  REQUIRE(e.size() == 2);
  CHECK(e[0].object->ns == "a");
  CHECK(e[0].object->name == "x");
  CHECK(e[1].kind == WatchEvent::Kind::kDeleted);
}

TEST_CASE("store: bookmarks arrive while a watch is idle") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  writeOne(*store, create("x"));
  WatchOptions wo;
  wo.type = "pods";
  wo.labelSelector = "app=never";
  wo.bookmarkIntervalMs = 20;
  EventLog log;
  auto w = store->watch(wo, log.handler());
  REQUIRE(w.ok());
  REQUIRE(log.waitFor([](const std::vector<WatchEvent>& e) {
    return !e.empty() && e.back().kind == WatchEvent::Kind::kBookmark && e.back().revision == 1;
  }));
  // Unrelated writes move the bookmark revision even though nothing matches.
  writeOne(*store, mutation(MutationOp::kCreate, "nodes", "", "n1"));
  writeOne(*store, create("y"));
  REQUIRE(log.waitFor([](const std::vector<WatchEvent>& e) {
    return !e.empty() && e.back().kind == WatchEvent::Kind::kBookmark && e.back().revision == 3;
  }));
  for (const WatchEvent& e : log.events()) {
    CHECK(e.kind == WatchEvent::Kind::kBookmark);
    CHECK(e.object == nullptr);
  }
}

TEST_CASE("store: a watcher that falls out of the ring is ended with a clear reason") {
  TempDir dir;
  StoreOptions o = options(dir.path(), false);
  o.watchRingCapacity = 10;
  auto store = openStore(o);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  EventLog log;
  std::atomic<int> calls{0};
  WatchOptions wo;
  wo.type = "pods";
  auto w = store->watch(wo, [&](std::span<const WatchEvent> events) {
    if (calls++ == 0) released.wait();  // a handler that blocks: the watcher is too slow
    log.add(events);
  });
  REQUIRE(w.ok());
  writeOne(*store, create("first"));
  for (int i = 0; i < 40; ++i) writeOne(*store, create(numbered("p", i)));
  release.set_value();
  REQUIRE(log.waitFor([](const std::vector<WatchEvent>& e) {
    return !e.empty() && e.back().kind == WatchEvent::Kind::kError;
  }));
  const WatchEvent last = log.events().back();
  CHECK(last.error.code() == Code::kResourceExhausted);
  CHECK(last.error.message() == "watch fell behind by more than 10 events; re-list and watch again");
  // Ended: later writes are not delivered.
  const std::size_t n = log.events().size();
  EventLog other;
  auto w2 = store->watch(wo, other.handler());
  writeOne(*store, create("after"));
  REQUIRE(other.waitForCount(1));
  CHECK(log.events().size() == n);
}

TEST_CASE("store: cancel() waits for a running handler and stops delivery") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  WatchOptions wo;
  wo.type = "pods";
  std::atomic<bool> inHandler{false};
  std::atomic<int> calls{0};
  std::promise<void> entered;
  std::atomic<bool> enteredOnce{false};
  auto w = store->watch(wo, [&](std::span<const WatchEvent>) {
    inHandler = true;
    ++calls;
    if (!enteredOnce.exchange(true)) entered.set_value();
    std::this_thread::sleep_for(50ms);  // make it likely that cancel() races a running call
    inHandler = false;
  });
  REQUIRE(w.ok());
  writeOne(*store, create("a"));
  REQUIRE(entered.get_future().wait_for(kWait) == std::future_status::ready);
  (*w)->cancel();
  CHECK_FALSE(inHandler.load());
  const int after = calls.load();
  // Another watch sees the next writes; the cancelled one must not.
  EventLog other;
  auto w2 = store->watch(wo, other.handler());
  REQUIRE(w2.ok());
  writeOne(*store, create("b"));
  writeOne(*store, create("c"));
  REQUIRE(other.waitForCount(2));
  CHECK(calls.load() == after);
  (*w)->cancel();  // idempotent
}

TEST_CASE("store: a handler may cancel its own watch") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  WatchOptions wo;
  wo.type = "pods";
  std::unique_ptr<Watch> self;
  std::atomic<int> calls{0};
  std::promise<void> cancelled;
  auto w = store->watch(wo, [&](std::span<const WatchEvent>) {
    ++calls;
    self->cancel();
    cancelled.set_value();
  });
  REQUIRE(w.ok());
  self = std::move(w).value();
  writeOne(*store, create("a"));
  REQUIRE(cancelled.get_future().wait_for(kWait) == std::future_status::ready);
  EventLog other;
  auto w2 = store->watch(wo, other.handler());
  writeOne(*store, create("b"));
  REQUIRE(other.waitForCount(1));
  CHECK(calls.load() == 1);
}

TEST_CASE("store: TTL expiry deletes through the write path and watchers see DELETED") {
  TempDir dir;
  StoreOptions o = options(dir.path(), false);
  o.ttlSweepIntervalMs = 20;
  auto store = openStore(o);
  WatchOptions wo;
  wo.type = "events";
  EventLog log;
  auto w = store->watch(wo, log.handler());
  REQUIRE(w.ok());
  Mutation m = mutation(MutationOp::kCreate, "events", "default", "e1", {{"reason", "Scheduled"}});
  m.ttlSeconds = 1;
  WriteResult created = writeOne(*store, m);
  REQUIRE(created.status.ok());
  CHECK(created.object.expireTime > 0);
  Mutation keep = mutation(MutationOp::kCreate, "events", "default", "forever");
  writeOne(*store, keep);
  REQUIRE(log.waitFor([](const std::vector<WatchEvent>& e) {
    for (const WatchEvent& x : e) {
      if (x.kind == WatchEvent::Kind::kDeleted) return true;
    }
    return false;
  }));
  std::vector<WatchEvent> e = log.changes();
  REQUIRE(e.size() == 3);
  CHECK(e[2].kind == WatchEvent::Kind::kDeleted);
  CHECK(e[2].object->name == "e1");
  CHECK(e[2].object->labels.at("reason") == "Scheduled");
  CHECK(e[2].revision == store->get("events", "default", "forever")->revision + 1);
  CHECK(store->get("events", "default", "e1").status().code() == Code::kNotFound);
  CHECK(store->get("events", "default", "forever").ok());

  SECTION("an update without a TTL removes the expiry") {
    Mutation t = mutation(MutationOp::kCreate, "events", "default", "e2");
    t.ttlSeconds = 1;
    writeOne(*store, t);
    t.op = MutationOp::kUpdate;
    t.ttlSeconds = 0;
    WriteResult u = writeOne(*store, t);
    CHECK(u.object.expireTime == 0);
    // Another short-lived object expiring proves the sweep ran past e2's old deadline.
    Mutation probe = mutation(MutationOp::kCreate, "events", "default", "probe");
    probe.ttlSeconds = 2;
    writeOne(*store, probe);
    REQUIRE(log.waitFor([](const std::vector<WatchEvent>& ev) {
      for (const WatchEvent& x : ev) {
        if (x.kind == WatchEvent::Kind::kDeleted && x.object->name == "probe") return true;
      }
      return false;
    }));
    CHECK(store->get("events", "default", "e2").ok());
  }
}

// ---------------------------------------------------------------------------------------
// Pull cursors

TEST_CASE("store: cursors deliver in order, notify when readable, and report their end") {
  TempDir dir;
  StoreOptions o = options(dir.path(), false);
  o.watchRingCapacity = 8;
  auto store = openStore(o);
  for (int i = 0; i < 20; ++i) writeOne(*store, create(numbered("old", i)));

  std::mutex m;
  std::condition_variable cv;
  int notifications = 0;
  auto onReadable = [&] {
    std::lock_guard<std::mutex> lock(m);
    ++notifications;
    cv.notify_all();
  };
  auto waitNotified = [&](int n) {
    std::unique_lock<std::mutex> lock(m);
    return cv.wait_for(lock, kWait, [&] { return notifications >= n; });
  };

  WatchOptions wo;
  wo.type = "pods";
  wo.fromRevision = 2;  // replays 3..20 from LMDB (the ring holds only the last 8)
  Result<std::shared_ptr<WatchCursor>> c = store->openCursor(wo, onReadable);
  REQUIRE(c.ok());
  std::shared_ptr<WatchCursor> cursor = *c;
  std::vector<WatchEvent> got;
  Status ended;
  while (true) {
    std::vector<WatchEvent> batch = cursor->next(5, &ended);
    REQUIRE(ended.ok());
    CHECK(batch.size() <= 5);
    got.insert(got.end(), batch.begin(), batch.end());
    if (batch.size() < 5) break;
  }
  REQUIRE(got.size() == 18);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].revision == static_cast<std::int64_t>(i + 3));
  CHECK(cursor->position() == 20);

  const int before = [&] {
    std::lock_guard<std::mutex> lock(m);
    return notifications;
  }();
  writeOne(*store, create("live"));
  REQUIRE(waitNotified(before + 1));
  std::vector<WatchEvent> live = cursor->next(100, &ended);
  REQUIRE(live.size() == 1);
  CHECK(live[0].object->name == "live");

  SECTION("a cursor that is not drained falls out of the ring") {
    for (int i = 0; i < 20; ++i) writeOne(*store, create(numbered("flood", i)));
    std::vector<WatchEvent> end = cursor->next(100, &ended);
    REQUIRE(end.size() == 1);
    CHECK(end[0].kind == WatchEvent::Kind::kError);
    CHECK(ended.code() == Code::kResourceExhausted);
    CHECK_THAT(ended.message(), Catch::Contains("fell behind by more than 8 events"));
    CHECK(cursor->next(100, &ended).empty());
    CHECK(ended.code() == Code::kResourceExhausted);
  }
  SECTION("closing the store ends the cursor") {
    store->close();
    std::vector<WatchEvent> end = cursor->next(100, &ended);
    REQUIRE(end.size() == 1);
    CHECK(end[0].kind == WatchEvent::Kind::kError);
    CHECK(ended.code() == Code::kUnavailable);
  }
  SECTION("a filtered cursor is not cut off by events it does not want") {
    WatchOptions only;
    only.type = "pods";
    only.labelSelector = "app=rare";
    auto rare = store->openCursor(only, [] {});
    REQUIRE(rare.ok());
    CHECK((*rare)->next(10, &ended).empty());  // arms it
    // A push watch as a barrier: once it saw event k, the fan-out thread has served the
    // cursor for every event before k, so the cursor never lags by more than two events.
    EventLog barrier;
    WatchOptions all;
    all.type = "pods";
    auto b = store->watch(all, barrier.handler());
    REQUIRE(b.ok());
    for (int i = 0; i < 30; ++i) {
      writeOne(*store, create(numbered("noise", i)));
      REQUIRE(barrier.waitForCount(static_cast<std::size_t>(i + 1)));
    }
    writeOne(*store, create("wanted", {{"app", "rare"}}));
    std::vector<WatchEvent> e;
    for (int tries = 0; tries < 3000 && e.empty(); ++tries) {
      e = (*rare)->next(10, &ended);
      if (e.empty()) std::this_thread::sleep_for(10ms);
    }
    REQUIRE(ended.ok());
    REQUIRE(e.size() == 1);
    CHECK(e[0].object->name == "wanted");
  }
  SECTION("cancel stops notifications") {
    cursor->cancel();
    CHECK(cursor->next(10, &ended).size() == 1);  // the final kError
    CHECK(ended.code() == Code::kAborted);
  }
}

// ---------------------------------------------------------------------------------------
// Lifecycle, durability, limits

TEST_CASE("store: reopen after close keeps data, revision, compaction and type ids") {
  TempDir dir;
  WriteResult x;
  {
    auto store = openStore(options(dir.path()));
    x = writeOne(*store, create("x", {{"app", "web"}}));
    writeOne(*store, mutation(MutationOp::kCreate, "nodes", "", "n1"));
    writeOne(*store, update("x", {{"app", "db"}}));
    REQUIRE(store->compact(2).ok());
    store->close();
    CHECK(store->get("pods", "default", "x").status().code() == Code::kUnavailable);
    CHECK(writeOne(*store, create("late")).status.code() == Code::kUnavailable);
    store->close();  // idempotent
  }
  auto store = openStore(options(dir.path()));
  CHECK(store->currentRevision() == 3);
  CHECK(store->compactedRevision() == 2);
  Result<Object> got = store->get("pods", "default", "x");
  REQUIRE(got.ok());
  CHECK(got->uid == x.object.uid);
  CHECK(got->labels.at("app") == "db");
  CHECK(store->get("nodes", "", "n1").ok());
  CHECK(store->get("pods", "default", "x", 1).status().code() == Code::kGone);
  WriteResult next = writeOne(*store, create("y"));
  CHECK(next.object.revision == 4);
  CHECK(store->stats().objectCounts == std::map<std::string, std::int64_t>{{"nodes", 1}, {"pods", 2}});
}

TEST_CASE("store: stores opened and closed one after another on one thread keep their reads apart") {
  // Each thread caches one read transaction per store; a new store is often allocated at
  // the address of the one closed before it, and must never pick up that store's cache.
  TempDir dir;
  for (int i = 0; i < 20; ++i) {
    auto store = openStore(options(dir.sub(numbered("s", i % 3)), false));
    REQUIRE(writeOne(*store, mutation(MutationOp::kUpsert, "pods", "default", "x")).status.ok());
    REQUIRE(store->get("pods", "default", "x").ok());
    store->close();
    CHECK(store->get("pods", "default", "x").status().code() == Code::kUnavailable);
  }
}

TEST_CASE("store: a directory can be open only once") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  Result<std::unique_ptr<LmdbStore>> second = LmdbStore::open(options(dir.path()));
  REQUIRE_FALSE(second.ok());
  CHECK(second.status().code() == Code::kFailedPrecondition);
  CHECK_THAT(second.status().message(), Catch::Contains("already open"));
}

TEST_CASE("store: close answers queued writes and ends watches") {
  TempDir dir;
  auto store = openStore(options(dir.path()));
  WatchOptions wo;
  wo.type = "pods";
  EventLog log;
  auto w = store->watch(wo, log.handler());
  REQUIRE(w.ok());
  std::atomic<int> answered{0};
  std::atomic<int> succeeded{0};
  for (int i = 0; i < 200; ++i) {
    store->write({create(numbered("p", i))}, [&](std::vector<WriteResult> r) {
      succeeded += r[0].status.ok();
      ++answered;
    });
  }
  store->close();
  CHECK(answered == 200);
  CHECK(succeeded == 200);
  std::vector<WatchEvent> e = log.events();
  REQUIRE(e.size() == 201);  // every committed event, then the end
  CHECK(e.back().kind == WatchEvent::Kind::kError);
  CHECK(e.back().error.code() == Code::kUnavailable);
  CHECK(store->watch(wo, log.handler()).status().code() == Code::kUnavailable);
}

TEST_CASE("store: backup is a consistent copy that opens as a store") {
  TempDir dir;
  auto store = openStore(options(dir.sub("live"), false));
  std::vector<Mutation> batch;
  for (int i = 0; i < 500; ++i) batch.push_back(create(numbered("p", i), {{"i", std::to_string(i)}}));
  writeSync(*store, batch);
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    int i = 0;
    while (!stop.load()) writeOne(*store, create(numbered("during", i++)));
  });
  Status s = store->backup(dir.sub("copy"));
  stop = true;
  writer.join();
  REQUIRE(s.ok());
  CHECK(store->backup(dir.sub("copy")).code() == Code::kFailedPrecondition);

  auto copy = openStore(options(dir.sub("copy"), false));
  const std::int64_t at = copy->currentRevision();
  CHECK(at >= 500);
  ListOptions lo;
  lo.type = "pods";
  Result<ListResult> inCopy = copy->list(lo);
  lo.revision = at;
  Result<ListResult> inLive = store->list(lo);
  REQUIRE(inCopy.ok());
  REQUIRE(inLive.ok());
  CHECK(inCopy->items == inLive->items);
  CHECK(copy->get("pods", "default", "p42")->labels.at("i") == "42");
}

TEST_CASE("store: a full map fails the write that does not fit, cleanly and alone") {
  TempDir dir;
  StoreOptions o = options(dir.path(), false);
  o.mapSizeBytes = 1 << 20;
  auto store = openStore(o);

  Mutation huge = create("huge");
  huge.object.body.assign(1000 * 1000, 'h');  // under maxObjectBytes, over what the map holds
  std::vector<WriteResult> r = writeSync(*store, {create("a"), huge, create("b")});
  CHECK(r[0].status.ok());
  CHECK(r[1].status.code() == Code::kResourceExhausted);
  CHECK_THAT(r[1].status.message(), Catch::Contains("the store is full"));
  CHECK_THAT(r[1].status.message(), Catch::Contains("1048576"));
  CHECK(r[2].status.ok());

  // Fill the map by rewriting a few objects, keeping every version in history.
  Status full;
  int written = 0;
  for (int i = 0; i < 10000 && full.ok(); ++i) {
    Mutation m = mutation(MutationOp::kUpsert, "blobs", "", numbered("blob", i % 4));
    m.object.body.assign(20000, static_cast<char>('a' + i % 26));
    WriteResult w = writeOne(*store, m);
    if (w.status.ok()) ++written;
    full = w.status;
  }
  REQUIRE(full.code() == Code::kResourceExhausted);
  CHECK_THAT(full.message(), Catch::Contains("the store is full"));
  CHECK(written > 4);
  // The store keeps running: reads work, and compaction frees the superseded versions so
  // that writes fit again.
  CHECK(store->get("pods", "default", "a").ok());
  ListOptions lo;
  lo.type = "blobs";
  CHECK(store->list(lo)->items.size() == 4);
  REQUIRE(store->compact(0).ok());
  Mutation again = mutation(MutationOp::kUpsert, "blobs", "", "blob0");
  again.object.body.assign(20000, 'z');
  WriteResult after = writeOne(*store, again);
  INFO(after.status.toString());
  CHECK(after.status.ok());
  CHECK(writeOne(*store, create("small")).status.ok());
}

TEST_CASE("store: kill -9 loses no acknowledged write and the store reopens cleanly") {
  TempDir dir;
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    Result<std::unique_ptr<LmdbStore>> r = LmdbStore::open(options(dir.path()));
    if (!r.ok()) ::_exit(2);
    LmdbStore& store = **r;
    std::atomic<int> inFlight{0};
    for (int i = 0;; ++i) {
      while (inFlight.load() >= 16) std::this_thread::yield();
      ++inFlight;
      store.write({create(numbered("k", i))}, [&inFlight, i, fd = fds[1]](std::vector<WriteResult> res) {
        if (res[0].status.ok()) {
          // Acknowledged: durable, and now the parent may rely on it.
          std::int32_t v = i;
          if (::write(fd, &v, sizeof v) != sizeof v) ::_exit(3);
        }
        --inFlight;
      });
    }
  }
  ::close(fds[1]);
  std::vector<std::int32_t> acked;
  while (acked.size() < 300) {
    std::int32_t v;
    const ssize_t n = ::read(fds[0], &v, sizeof v);
    REQUIRE(n == sizeof v);
    acked.push_back(v);
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  // Acknowledgements written before the kill but not yet read still count.
  std::int32_t v;
  while (::read(fds[0], &v, sizeof v) == sizeof v) acked.push_back(v);
  ::close(fds[0]);
  CHECK(WIFSIGNALED(status));

  auto store = openStore(options(dir.path()));
  for (std::int32_t i : acked) {
    INFO("k" << i);
    CHECK(store->get("pods", "default", numbered("k", i)).ok());
  }
  CHECK(store->currentRevision() >= static_cast<std::int64_t>(acked.size()));
  CHECK(writeOne(*store, create("after-crash")).status.ok());
}

TEST_CASE("store: stats report revision, space and counts") {
  TempDir dir;
  auto store = openStore(options(dir.path(), false));
  writeSync(*store, {create("a"), create("b"), mutation(MutationOp::kCreate, "nodes", "", "n")});
  writeOne(*store, removal("a"));
  Stats st = store->stats();
  CHECK(st.revision == 4);
  CHECK(st.compactedRevision == 0);
  CHECK(st.mapSizeBytes == 64ull << 30);
  CHECK(st.bytesInUse > 0);
  CHECK(st.bytesInUse < st.mapSizeBytes);
  CHECK(st.objectCounts == std::map<std::string, std::int64_t>{{"nodes", 1}, {"pods", 1}});
}
