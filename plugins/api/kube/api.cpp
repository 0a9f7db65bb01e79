#include "api.h"

#include <capnp/any.h>
#include <capnp/serialize.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "allocator.h"
#include "encoded_cache.h"
#include "hooks.h"
#include "objects.h"
#include "patch.h"
#include "protobuf.h"
#include "ssa.h"

namespace capstan::kube {

std::string Request::param(std::string_view key) const {
  auto it = query.find(std::string(key));
  return it == query.end() ? std::string() : it->second;
}

bool Request::flag(std::string_view key) const {
  std::string v = param(key);
  return v == "true" || v == "1";
}

Response Response::error(const ApiError& e) {
  Response r;
  r.code = e.code;
  r.body = e.toJson();
  return r;
}

namespace {

using Clock = std::chrono::system_clock;

std::int64_t nowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

bool wantsTable(std::string_view accept) { return accept.find("as=Table") != std::string_view::npos; }

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }
std::string str(capnp::Text::Builder t) { return std::string(t.cStr(), t.size()); }

// Encodes a message being built (read in place, no copy).
std::string encodeBuilder(const k8s::KindInfo& kind, capnp::MessageBuilder& message) {
  capnp::SegmentArrayMessageReader reader(message.getSegmentsForOutput());
  std::string text;
  json::Writer w(text);
  kind.encode(reader, w, {});
  return text;
}

Response ok(int code, std::string body) {
  Response r;
  r.code = code;
  r.body = std::move(body);
  return r;
}

Response statusSuccess(int code) {
  return ok(code, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Success\",\"code\":" +
                      std::to_string(code) + "}");
}

// Kubernetes' name rules, with its messages.
bool isDns1123Label(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-') return false;
  return true;
}

bool isDns1123Subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = s.find('.', start);
    std::string_view part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    // Each part: lower alphanumerics and '-', alphanumeric at both ends (no 63 limit per part).
    if (part.empty()) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(part.front()) || !alnum(part.back())) return false;
    for (char c : part)
      if (!alnum(c) && c != '-') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool isDns1035Label(std::string_view s) { return isDns1123Label(s) && s.front() >= 'a' && s.front() <= 'z'; }

void validateName(const Resource& r, std::string_view name, std::vector<FieldError>& errors) {
  std::string value = json::quote(name);
  if (r.name == "namespaces") {
    if (!isDns1123Label(name))
      errors.push_back(invalidValue(
          "metadata.name", value,
          name.size() > 63 ? "must be no more than 63 characters"
                           : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                             "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
                             "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
  } else if (r.name == "services") {
    if (!isDns1035Label(name))
      errors.push_back(invalidValue(
          "metadata.name", value,
          name.size() > 63 ? "must be no more than 63 characters"
                           : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
                             "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
                             "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"));
  } else if (!isDns1123Subdomain(name)) {
    errors.push_back(invalidValue(
        "metadata.name", value,
        name.size() > 253 ? "must be no more than 253 characters"
                          : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
                            "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
                            "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  }
}

// Label keys: an optional DNS subdomain prefix and '/', then a name of up to 63 characters
// of alphanumerics, '-', '_', '.', alphanumeric at both ends. Values: the same name rule, or empty.
bool isQualifiedNamePart(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  for (char c : s)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

void validateLabels(k8s::meta::ObjectMeta::Reader meta, std::vector<FieldError>& errors) {
  for (auto e : meta.getLabels()) {
    std::string key = str(e.getKey());
    std::string value = str(e.getValue());
    std::string_view name = key;
    auto slash = key.find('/');
    bool keyOk = true;
    if (slash != std::string::npos) {
      keyOk = isDns1123Subdomain(std::string_view(key).substr(0, slash));
      name = std::string_view(key).substr(slash + 1);
    }
    if (!keyOk || !isQualifiedNamePart(name))
      errors.push_back(invalidValue("metadata.labels", json::quote(key),
                                    "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
                                    "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
                                    "'123-abc', regex used for validation is "
                                    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
    if (!value.empty() && !isQualifiedNamePart(value))
      errors.push_back(invalidValue("metadata.labels", json::quote(value),
                                    "a valid label must be an empty string or consist of alphanumeric characters, "
                                    "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                                    "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                                    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
  }
}

std::string randomSuffix() {
  // Kubernetes' generateName alphabet: no vowels or confusable characters.
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937_64 rng(std::random_device{}() ^
                                   std::hash<std::thread::id>{}(std::this_thread::get_id()));
  std::string s;
  for (int i = 0; i < 5; ++i) s += kAlphabet[rng() % (sizeof kAlphabet - 1)];
  return s;
}

std::int64_t parseRevision(std::string_view text, bool& ok) {
  ok = true;
  if (text.empty()) return 0;
  std::int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      return 0;
    }
    v = v * 10 + (c - '0');
  }
  return v;
}

// Every field-selector term must name an index key of the kind (Kubernetes refuses unknown
// field labels the same way).
struct FieldTerm {
  std::string field;
  std::string value;
  bool equals = true;
};

Result<std::vector<FieldTerm>> parseFieldSelector(std::string_view text) {
  std::vector<FieldTerm> terms;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    std::size_t comma = text.find(',', start);
    std::string_view term = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!term.empty()) {
      FieldTerm t;
      std::size_t op;
      if ((op = term.find("!=")) != std::string_view::npos) {
        t.equals = false;
        t.field = term.substr(0, op);
        t.value = term.substr(op + 2);
      } else if ((op = term.find("==")) != std::string_view::npos) {
        t.field = term.substr(0, op);
        t.value = term.substr(op + 2);
      } else if ((op = term.find('=')) != std::string_view::npos) {
        t.field = term.substr(0, op);
        t.value = term.substr(op + 1);
      } else {
        return Status::invalidArgument("invalid selector: '" + std::string(text) +
                                       "'; can't understand '" + std::string(term) + "'");
      }
      terms.push_back(std::move(t));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return terms;
}

std::string indexValue(const Object& o, const std::string& field) {
  if (field == "metadata.name") return o.name;
  if (field == "metadata.namespace") return o.ns;
  auto it = o.indexes.find(field);
  return it == o.indexes.end() ? std::string() : it->second;
}

bool matchesFields(const Object& o, const std::vector<FieldTerm>& terms) {
  for (const auto& t : terms) {
    bool eq = indexValue(o, t.field) == t.value;
    if (eq != t.equals) return false;
  }
  return true;
}

// A label selector as the string Kubernetes puts in Scale.status.selector.
std::string selectorString(const json::Value& selector) {
  std::vector<std::string> parts;
  if (const json::Value* ml = selector.find("matchLabels"); ml && ml->isObject()) {
    std::vector<std::string> kv;
    for (const auto& [k, v] : ml->members()) kv.push_back(k + "=" + (v.isString() ? v.asString() : json::serialize(v)));
    std::sort(kv.begin(), kv.end());
    parts.insert(parts.end(), kv.begin(), kv.end());
  }
  if (const json::Value* me = selector.find("matchExpressions"); me && me->isArray()) {
    for (const auto& e : me->items()) {
      std::string key = e["key"].isString() ? e["key"].asString() : "";
      std::string op = e["operator"].isString() ? e["operator"].asString() : "";
      std::string values;
      if (e["values"].isArray()) {
        std::vector<std::string> vs;
        for (const auto& v : e["values"].items())
          if (v.isString()) vs.push_back(v.asString());
        std::sort(vs.begin(), vs.end());
        for (std::size_t i = 0; i < vs.size(); ++i) values += (i ? "," : "") + vs[i];
      }
      if (op == "In") parts.push_back(key + " in (" + values + ")");
      else if (op == "NotIn") parts.push_back(key + " notin (" + values + ")");
      else if (op == "Exists") parts.push_back(key);
      else if (op == "DoesNotExist") parts.push_back("!" + key);
    }
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
  return out;
}

// The field labels a kind supports are the index keys its hooks produce; an empty object
// yields every key (with empty values).
bool hooksSupportsField(const Resource& r, std::string_view field) {
  static std::mutex mutex;
  static std::map<const Resource*, std::map<std::string, std::string>> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(&r);
  if (it == cache.end()) {
    std::map<std::string, std::string> keys;
    const KindHooks& hooks = hooksFor(*r.kind);
    if (hooks.indexes) {
      capnp::MallocMessageBuilder message;
      k8s::DecodeContext ctx;
      if (r.kind->decode(json::Value::object(), message, ctx).ok())
        hooks.indexes(message.getRoot<capnp::AnyStruct>().asReader(), keys);
    }
    it = cache.emplace(&r, std::move(keys)).first;
  }
  return it->second.count(std::string(field)) > 0;
}

bool isServices(const Resource& r) { return r.group.empty() && r.name == "services"; }

// A Service update that leaves out its allocated addresses keeps them (as Kubernetes does
// for PUT and patches alike).
void carryServiceAddresses(const json::Value& current, json::Value& next) {
  const json::Value& oldSpec = current["spec"];
  json::Value* spec = next.find("spec");
  if (!spec || !spec->isObject()) return;
  for (const char* field : {"clusterIP", "clusterIPs", "healthCheckNodePort"}) {
    const json::Value* have = spec->find(field);
    bool missing = !have || have->isNull() || (have->isString() && have->asString().empty());
    if (missing && oldSpec.find(field)) spec->set(field, oldSpec[field]);
  }
  json::Value* ports = spec->find("ports");
  if (!ports || !ports->isArray() || !oldSpec["ports"].isArray()) return;
  for (auto& port : ports->items()) {
    if (port.find("nodePort") && port["nodePort"].isNumber() && port["nodePort"].asInt() != 0) continue;
    for (const auto& old : oldSpec["ports"].items()) {
      auto protocol = [](const json::Value& p) { return p["protocol"].isString() ? p["protocol"].asString() : "TCP"; };
      if (old["port"] == port["port"] && protocol(old) == protocol(port) && old.find("nodePort"))
        port.set("nodePort", old["nodePort"]);
    }
  }
}

struct DeleteOptions {
  std::string uid;
  std::int64_t resourceVersion = 0;
  std::string propagationPolicy;
  bool dryRun = false;
};

}  // namespace

class Api::Impl {
 public:
  Impl(StoreClient& store, const ResourceTable& resources, const ApiOptions& options)
      : store_(store), resources_(resources), options_(options) {}
  ~Impl() {
    std::lock_guard lock(backgroundMutex_);
    for (auto& t : background_) t.join();
  }

  Response handle(const Request& req);
  std::unique_ptr<WatchStream> watch(const Request& req, WatchSink sink, Response& errorOut);
  Status ensureNamespace(const std::string& name);

 private:
  struct Outcome {
    Status status;
    Object object;
  };

  std::vector<WriteResult> writeSync(std::vector<Mutation> batch) {
    auto promise = std::make_shared<std::promise<std::vector<WriteResult>>>();
    auto future = promise->get_future();
    store_.write(std::move(batch), [promise](std::vector<WriteResult> results) { promise->set_value(std::move(results)); });
    return future.get();
  }

  Response get(const Request& req, const Resource& r);
  Response list(const Request& req, const Resource& r);
  Response create(const Request& req, const Resource& r);
  Response update(const Request& req, const Resource& r);
  Response patch(const Request& req, const Resource& r);
  Response remove(const Request& req, const Resource& r);
  Response removeCollection(const Request& req, const Resource& r);
  Response scale(const Request& req, const Resource& r);
  Response bind(const Request& req, const Resource& r);
  Response evict(const Request& req, const Resource& r);

  // Decodes, checks and writes a new object. `body` is the object's JSON.
  Response createFrom(const Request& req, const Resource& r, const json::Value& body, int successCode);
  // Replaces an object with `next` (the whole new JSON); `expectRevision` 0 = the current
  // one (optimistic, retried by the caller on Conflict when `retryOnConflict`).
  // `system`: a write of the API's own (the binding subresource), which Kubernetes does not
  // subject to the kind's update validation, and which may set status (PodScheduled).
  Response replace(const Request& req, const Resource& r, const Object& current, json::Value next,
                   bool statusOnly, bool& conflicted, bool system = false);
  // Read-modify-write with retries on conflict: `mutate` turns the current JSON into the next.
  Response modify(const Request& req, const Resource& r, bool statusOnly,
                  const std::function<Result<json::Value>(const json::Value& current)>& mutate,
                  bool allowCreate = false, bool system = false);

  Result<Object> envelopeOf(const Resource& r, Typed& typed, const std::string& ns, const std::string& name);
  void checkMeta(const Resource& r, Typed& typed, std::vector<FieldError>& errors);

  std::string namespaceOf(const Request& req, const Resource& r) const { return r.namespaced ? req.ns : std::string(); }

  void writeTable(const Resource& r, const std::vector<Object>& items, std::int64_t revision,
                  const std::string& continueToken, std::int64_t remaining, json::Writer& w, bool withColumns);
  void writeList(const Resource& r, const std::vector<Object>& items, std::int64_t revision,
                 const std::string& continueToken, std::int64_t remaining, json::Writer& w);
  std::string eventLine(const Resource& r, const WatchEvent& e, bool table);

  // `stored`: `o` is a version in the store (its JSON may be cached); a dry run's is not.
  Response objectResponse(const Request& req, const Resource& r, const Object& o, int code, bool stored = true) {
    std::string body;
    json::Writer w(body);
    if (wantsTable(req.accept)) {
      writeTable(r, {o}, o.revision, "", -1, w, true);
    } else if (stored) {
      writeStored(r, o, w);
    } else {
      writeObject(r, o, w);
    }
    return ok(code, std::move(body));
  }

  Result<DeleteOptions> deleteOptions(const Request& req);
  ApiError applyConflict(const Resource& r, const std::string& name, const std::vector<ApplyConflict>& conflicts);
  Response deleteNamespace(const Request& req, const Resource& r, const Object& current);
  void purgeNamespace(std::string ns);

  // The JSON of a stored version (from the cache, or encoded and cached).
  void writeStored(const Resource& r, const Object& o, json::Writer& w) {
    if (o.format != BodyFormat::kCapnp) {
      writeObject(r, o, w);
      return;
    }
    if (auto cached = encoded_.find(o)) {
      w.raw(*cached);
      return;
    }
    auto text = std::make_shared<std::string>(objectJson(r, o));
    w.raw(*text);
    encoded_.put(o, std::move(text));
  }

  StoreClient& store_;
  const ResourceTable& resources_;
  const ApiOptions& options_;
  EncodedCache encoded_{static_cast<std::size_t>(options_.encodedCacheBytes)};
  // Service addresses: allocation and the write that records it happen under this lock, so
  // two creates never take the same address.
  std::mutex allocMutex_;
  ServiceRanges serviceRanges_;
  AddressesInUse servicesInUse(const std::string& exceptNs, const std::string& exceptName) {
    AddressesInUse used;
    ListOptions all;
    all.type = "services";
    auto listed = store_.list(all);
    if (!listed.ok()) return used;
    for (const auto& o : listed->items) {
      if (o.ns == exceptNs && o.name == exceptName) continue;
      if (o.format != BodyFormat::kCapnp) continue;
      BodyReader body(o.body);
      addInUse(body.message().getRoot<k8s::core::v1::Service>(), used);
    }
    return used;
  }

  // Namespace deletions finishing in the background (joined on destruction).
  std::mutex backgroundMutex_;
  std::vector<std::thread> background_;
};

Response Api::Impl::handle(const Request& req) {
  const Resource* r = resources_.find(req.group, req.version, req.resource);
  if (!r) return Response::error(pathNotFound());
  if (req.body.size() > static_cast<std::size_t>(options_.maxRequestBytes))
    return Response::error(tooLarge("Request entity too large: limit is " + std::to_string(options_.maxRequestBytes)));

  const std::string& sub = req.subresource;
  if (!sub.empty() && !r->hasSubresource(sub)) return Response::error(pathNotFound());
  if (sub == "scale") return scale(req, *r);
  if (sub == "binding") {
    if (req.verb != "create") return Response::error(methodNotAllowed());
    return bind(req, *r);
  }
  if (sub == "eviction") {
    if (req.verb != "create") return Response::error(methodNotAllowed());
    return evict(req, *r);
  }
  if (sub == "log" || sub == "exec" || sub == "attach" || sub == "portforward" || sub == "proxy") {
    return Response::error(serviceUnavailable(
        "pods \"" + req.name + "\": no node agent is connected to serve " + sub +
        " requests; logs, exec, attach and port-forward are forwarded to the pod's node agent (capstan-node), "
        "and no node agent serves this pod"));
  }
  if (!sub.empty() && sub != "status") return Response::error(pathNotFound());

  const std::string& verb = req.verb;
  if (r->name == "bindings" && verb == "create") return bind(req, *r);
  if (std::find(r->verbs.begin(), r->verbs.end(), verb) == r->verbs.end())
    return Response::error(methodNotAllowed());
  if (verb == "get") return get(req, *r);
  if (verb == "list") return list(req, *r);
  if (verb == "create") return create(req, *r);
  if (verb == "update") return update(req, *r);
  if (verb == "patch") return patch(req, *r);
  if (verb == "delete") return remove(req, *r);
  if (verb == "deletecollection") return removeCollection(req, *r);
  return Response::error(methodNotAllowed());
}

Response Api::Impl::get(const Request& req, const Resource& r) {
  auto got = store_.get(r.storeType, namespaceOf(req, r), req.name);
  if (!got.ok()) return Response::error(fromStatus(got.status(), r.group, r.name, req.name));
  return objectResponse(req, r, *got, 200);
}

Response Api::Impl::list(const Request& req, const Resource& r) {
  ListOptions options;
  options.type = r.storeType;
  options.ns = namespaceOf(req, r);
  options.labelSelector = req.param("labelSelector");
  auto terms = parseFieldSelector(req.param("fieldSelector"));
  if (!terms.ok()) return Response::error(badRequest(terms.status().message()));
  for (const auto& t : *terms) {
    if (t.field != "metadata.name" && t.field != "metadata.namespace" && !hooksSupportsField(r, t.field))
      return Response::error(badRequest("field label not supported: " + t.field));
    if (t.equals && !t.value.empty()) options.indexSelector.emplace_back(t.field, t.value);
  }
  std::string limit = req.param("limit");
  if (!limit.empty()) options.limit = std::atoll(limit.c_str());
  options.continueToken = req.param("continue");
  std::string rv = req.param("resourceVersion");
  std::string match = req.param("resourceVersionMatch");
  if (!rv.empty() && rv != "0") {
    bool good;
    std::int64_t revision = parseRevision(rv, good);
    if (!good) return Response::error(badRequest("invalid resource version \"" + rv + "\""));
    if (match == "Exact") options.revision = revision;
    // NotOlderThan (or no match): the current state is never older than what a client saw.
  } else if (match == "Exact") {
    return Response::error(badRequest("resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
  }
  auto listed = store_.list(options);
  if (!listed.ok()) {
    if (listed.status().code() == Code::kGone)
      return Response::error(expired("The provided continue parameter is too old to display a consistent list "
                                     "result. You can start a new list without the continue parameter."));
    if (listed.status().code() == Code::kInvalidArgument)
      return Response::error(badRequest(listed.status().message()));
    return Response::error(fromStatus(listed.status(), r.group, r.name, ""));
  }
  std::vector<Object>& items = listed->items;
  if (!terms->empty()) {
    std::erase_if(items, [&](const Object& o) { return !matchesFields(o, *terms); });
  }
  std::string body;
  body.reserve(items.size() * 1024 + 256);
  json::Writer w(body);
  if (wantsTable(req.accept)) {
    writeTable(r, items, listed->revision, listed->continueToken, listed->remainingCount, w, true);
  } else {
    writeList(r, items, listed->revision, listed->continueToken, listed->remainingCount, w);
  }
  return ok(200, std::move(body));
}

namespace {

// ListMeta: the revision the list is consistent at, and where the next page starts.
void writeListMeta(std::int64_t revision, const std::string& continueToken, std::int64_t remaining, json::Writer& w) {
  w.key("metadata");
  w.beginObject();
  w.key("resourceVersion");
  w.string(std::to_string(revision));
  if (!continueToken.empty()) {
    w.key("continue");
    w.string(continueToken);
    if (remaining >= 0) {
      w.key("remainingItemCount");
      w.integer(remaining);
    }
  }
  w.endObject();
}

}  // namespace

void Api::Impl::writeList(const Resource& r, const std::vector<Object>& items, std::int64_t revision,
                          const std::string& continueToken, std::int64_t remaining, json::Writer& w) {
  w.beginObject();
  w.key("kind");
  w.string(r.kind->listKind);
  w.key("apiVersion");
  w.string(r.apiVersion());
  writeListMeta(revision, continueToken, remaining, w);
  w.key("items");
  w.beginArray();
  for (const auto& o : items) writeStored(r, o, w);
  w.endArray();
  w.endObject();
}

void Api::Impl::writeTable(const Resource& r, const std::vector<Object>& items, std::int64_t revision,
                           const std::string& continueToken, std::int64_t remaining, json::Writer& w,
                           bool withColumns) {
  const KindHooks& hooks = hooksFor(*r.kind);
  static constexpr TableColumn kAge{"Age", "string", "",
                                    "CreationTimestamp is a timestamp representing the server time when this "
                                    "object was created.",
                                    0};
  w.beginObject();
  w.key("kind");
  w.string("Table");
  w.key("apiVersion");
  w.string("meta.k8s.io/v1");
  writeListMeta(revision, continueToken, remaining, w);
  if (withColumns) {
    w.key("columnDefinitions");
    w.beginArray();
    auto column = [&](const TableColumn& c) {
      w.beginObject();
      w.key("name");
      w.string(c.name);
      w.key("type");
      w.string(c.type);
      w.key("format");
      w.string(c.format);
      w.key("description");
      w.string(c.description);
      w.key("priority");
      w.integer(c.priority);
      w.endObject();
    };
    column(TableColumn{"Name", "string", "name",
                       "Name must be unique within a namespace. Is required when creating resources, although some "
                       "resources may allow a client to request the generation of an appropriate name "
                       "automatically.",
                       0});
    if (hooks.row) {
      for (const auto& c : hooks.columns) column(c);
    } else {
      column(kAge);
    }
    w.endArray();
  }
  w.key("rows");
  w.beginArray();
  std::int64_t now = nowNanos();
  for (const auto& o : items) {
    std::string age = humanAge(o.creationTime, now);
    w.beginObject();
    w.key("cells");
    w.beginArray();
    w.string(o.name);
    if (o.format == BodyFormat::kCapnp && hooks.row) {
      BodyReader body(o.body);
      hooks.row(body.message().getRoot<capnp::AnyStruct>(), age, w);
    } else {
      w.string(age);
    }
    w.endArray();
    w.key("object");
    w.beginObject();
    w.key("kind");
    w.string("PartialObjectMetadata");
    w.key("apiVersion");
    w.string("meta.k8s.io/v1");
    w.key("metadata");
    writeObjectMeta(o, w);
    w.endObject();
    w.endObject();
  }
  w.endArray();
  w.endObject();
}

void Api::Impl::checkMeta(const Resource& r, Typed& typed, std::vector<FieldError>& errors) {
  auto meta = typed.meta().asReader();
  validateName(r, str(meta.getName()), errors);
  validateLabels(meta, errors);
}

Result<Object> Api::Impl::envelopeOf(const Resource& r, Typed& typed, const std::string& ns, const std::string& name) {
  Object o;
  o.type = r.storeType;
  o.ns = ns;
  o.name = name;
  auto meta = typed.meta().asReader();
  for (auto e : meta.getLabels()) o.labels[str(e.getKey())] = str(e.getValue());
  for (auto ref : meta.getOwnerReferences()) {
    OwnerReference owner;
    owner.apiVersion = str(ref.getApiVersion());
    owner.kind = str(ref.getKind());
    owner.name = str(ref.getName());
    owner.uid = str(ref.getUid());
    owner.controller = ref.getController().isValue() && ref.getController().getValue();
    owner.blockOwnerDeletion = ref.getBlockOwnerDeletion().isValue() && ref.getBlockOwnerDeletion().getValue();
    o.ownerReferences.push_back(std::move(owner));
  }
  const KindHooks& hooks = hooksFor(*r.kind);
  if (hooks.indexes) hooks.indexes(typed.message->getRoot<capnp::AnyStruct>().asReader(), o.indexes);
  auto words = capnp::messageToFlatArray(*typed.message);
  auto bytes = words.asBytes();
  o.body.assign(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
  o.format = BodyFormat::kCapnp;
  return o;
}

Status Api::Impl::ensureNamespace(const std::string& name) {
  const Resource* r = resources_.find("", "v1", "namespaces");
  if (!r) return Status::internal("the namespaces resource is not registered");
  if (store_.get(r->storeType, "", name).ok()) return {};
  json::Value body = json::Value::object();
  body.set("metadata", json::Value::object()).set("name", name);
  Request req;
  req.verb = "create";
  req.version = "v1";
  req.resource = "namespaces";
  Response resp = createFrom(req, *r, body, 201);
  if (resp.code != 201 && resp.code != 409) return Status::internal("creating namespace " + name + ": " + resp.body);
  return {};
}

Response Api::Impl::create(const Request& req, const Resource& r) {
  if (req.contentType.find("protobuf") != std::string::npos) {
    // kubectl >= 1.32's typed client: the Kubernetes protobuf envelope.
    auto envelope = parseProtobufEnvelope(req.body);
    if (!envelope.ok()) return Response::error(badRequest(envelope.status().message()));
    if (envelope->kind != r.kind->kind || envelope->apiVersion != r.apiVersion())
      return Response::error(badRequest("the body is a " + envelope->apiVersion + " " + envelope->kind +
                                        ", not a " + r.apiVersion() + " " + std::string(r.kind->kind)));
    auto value = protobufToJson(envelope->raw, *r.kind->info);
    if (!value.ok()) return Response::error(badRequest(value.status().message()));
    return createFrom(req, r, *value, 201);
  }
  auto body = parseBody(req.contentType, req.body);
  if (!body.ok()) return Response::error(badRequest(body.status().message()));
  return createFrom(req, r, *body, 201);
}

Response Api::Impl::createFrom(const Request& req, const Resource& r, const json::Value& body, int successCode) {
  std::string fieldValidation = req.param("fieldValidation");
  bool strict = fieldValidation == "Strict";
  auto typed = decodeTyped(r, body, strict);
  if (!typed.ok()) {
    std::string what = typed.status().message();
    if (strict && what.find("unknown field") != std::string::npos) what = "strict decoding error: " + what;
    return Response::error(badRequest(std::string(r.kind->kind) + " in version \"" + r.version +
                                      "\" cannot be handled as a " + std::string(r.kind->kind) + ": " + what));
  }
  Response response;
  if (fieldValidation != "Ignore")
    for (const auto& f : typed->unknownFields) response.warnings.push_back("unknown field \"" + f + "\"");

  auto meta = typed->meta();
  std::string ns = namespaceOf(req, r);
  std::string bodyNs = str(meta.getNamespace());
  if (r.namespaced) {
    if (!bodyNs.empty() && bodyNs != ns)
      return Response::error(badRequest("the namespace of the provided object does not match the namespace sent on "
                                        "the request"));
    if (!ns.empty()) meta.setNamespace(ns);
  } else if (meta.hasNamespace()) {
    meta.disownNamespace();
  }
  std::string name = str(meta.getName());
  if (name.empty() && !str(meta.getGenerateName()).empty()) {
    name = str(meta.getGenerateName()) + randomSuffix();
    meta.setName(name);
  }
  std::vector<FieldError> errors;
  if (name.empty()) {
    errors.push_back(required("metadata.name", "name or generateName is required"));
    return Response::error(invalid(r.group, r.kind->kind, "", std::move(errors)));
  }
  if (r.namespaced && ns.empty())
    return Response::error(badRequest("the server could not find the requested resource: a namespace is required "
                                      "to create " + r.name));
  // The store stamps these; a client's values (e.g. from an exported object) do not apply.
  if (meta.hasUid()) meta.disownUid();
  if (meta.hasResourceVersion()) meta.disownResourceVersion();
  if (meta.hasCreationTimestamp()) meta.disownCreationTimestamp();
  if (meta.hasDeletionTimestamp()) meta.disownDeletionTimestamp();
  if (meta.hasSelfLink()) meta.disownSelfLink();
  meta.setGeneration(r.hasSpec() ? 1 : 0);

  const KindHooks& hooks = hooksFor(*r.kind);
  auto root = typed->message->getRoot<capnp::AnyStruct>();
  if (hooks.setDefaults) hooks.setDefaults(root);
  if (hooks.prepareCreate) hooks.prepareCreate(root);
  checkMeta(r, *typed, errors);
  if (hooks.validate) hooks.validate(root.asReader(), errors);
  if (!errors.empty()) return Response::error(invalid(r.group, r.kind->kind, name, std::move(errors)));

  if (r.namespaced) {
    auto nsObject = store_.get("namespaces", "", ns);
    if (!nsObject.ok()) return Response::error(notFound("", "namespaces", ns));
    BodyReader nsBody(nsObject->body);
    if (nsObject->format == BodyFormat::kCapnp && metaOf(nsBody.message()).hasDeletionTimestamp())
      return Response::error(forbidden(r.group, r.name, name,
                                       "unable to create new content in namespace " + ns +
                                           " because it is being terminated"));
  }

  std::unique_lock<std::mutex> allocation;
  if (isServices(r)) {
    allocation = std::unique_lock(allocMutex_);
    AddressesInUse used = servicesInUse("", "");
    allocate(typed->message->getRoot<k8s::core::v1::Service>(), serviceRanges_, used, errors);
    if (!errors.empty()) return Response::error(invalid(r.group, r.kind->kind, name, std::move(errors)));
  }
  auto envelope = envelopeOf(r, *typed, ns, name);
  if (!envelope.ok()) return Response::error(internalError(envelope.status().message()));
  if (req.param("dryRun") == "All") {
    // Nothing is written; the answer shows what would have been stored.
    envelope->creationTime = nowNanos();
    Response dry = objectResponse(req, r, *envelope, successCode, false);
    dry.warnings = std::move(response.warnings);
    return dry;
  }
  Mutation m;
  m.op = MutationOp::kCreate;
  m.object = std::move(*envelope);
  auto results = writeSync({std::move(m)});
  WriteResult& result = results.at(0);
  if (!result.status.ok()) return Response::error(fromStatus(result.status, r.group, r.name, name));
  Response created = objectResponse(req, r, result.object, successCode);
  created.warnings = std::move(response.warnings);
  return created;
}

Response Api::Impl::replace(const Request& req, const Resource& r, const Object& current, json::Value next,
                            bool statusOnly, bool& conflicted, bool system) {
  conflicted = false;
  auto currentValue = objectValue(r, current);
  if (!currentValue.ok()) return Response::error(internalError(currentValue.status().message()));
  // Status subresource rules: the main resource cannot change status, /status only status.
  bool splitStatus = r.hasStatus() && r.hasSubresource("status");
  if (statusOnly) {
    json::Value merged = *currentValue;
    if (const json::Value* st = next.find("status")) merged.set("status", *st);
    else merged.erase("status");
    // Keep the client's resourceVersion as the precondition.
    if (const json::Value* md = next.find("metadata"); md && md->find("resourceVersion"))
      merged.set("metadata", *currentValue->find("metadata"))
          .set("resourceVersion", *md->find("resourceVersion"));
    next = std::move(merged);
  } else if (splitStatus && !system) {
    if (const json::Value* st = currentValue->find("status")) next.set("status", *st);
    else next.erase("status");
  }

  if (isServices(r)) carryServiceAddresses(*currentValue, next);
  std::string fieldValidation = req.param("fieldValidation");
  bool strict = fieldValidation == "Strict";
  auto typed = decodeTyped(r, next, strict);
  if (!typed.ok()) {
    std::string what = typed.status().message();
    if (strict && what.find("unknown field") != std::string::npos) what = "strict decoding error: " + what;
    return Response::error(badRequest(std::string(r.kind->kind) + " in version \"" + r.version +
                                      "\" cannot be handled as a " + std::string(r.kind->kind) + ": " + what));
  }
  std::vector<std::string> warnings;
  if (fieldValidation != "Ignore")
    for (const auto& f : typed->unknownFields) warnings.push_back("unknown field \"" + f + "\"");

  auto meta = typed->meta();
  std::string name = str(meta.getName());
  if (name.empty()) {
    meta.setName(current.name);
    name = current.name;
  }
  if (name != current.name)
    return Response::error(badRequest("the name of the object (" + name + ") does not match the name on the URL (" +
                                      current.name + ")"));
  if (r.namespaced) {
    std::string bodyNs = str(meta.getNamespace());
    if (!bodyNs.empty() && bodyNs != current.ns)
      return Response::error(badRequest("the namespace of the provided object does not match the namespace sent on "
                                        "the request"));
    meta.setNamespace(current.ns);
  }
  std::string uid = str(meta.getUid());
  if (!uid.empty() && uid != current.uid)
    return Response::error(conflict(r.group, r.name, name,
                                    "Precondition failed: UID in precondition: " + uid + ", UID in object meta: " +
                                        current.uid));
  bool good = true;
  std::int64_t expect = parseRevision(str(meta.getResourceVersion()), good);
  if (!good)
    return Response::error(badRequest("metadata.resourceVersion: Invalid value: " +
                                      json::quote(str(meta.getResourceVersion())) + ": must be a number"));
  if (meta.hasUid()) meta.disownUid();
  if (meta.hasResourceVersion()) meta.disownResourceVersion();
  if (meta.hasCreationTimestamp()) meta.disownCreationTimestamp();
  if (meta.hasSelfLink()) meta.disownSelfLink();

  BodyReader oldBody(current.body);
  auto oldMeta = metaOf(oldBody.message());
  // deletionTimestamp is the server's: it can be set only by a delete, never cleared.
  if (oldMeta.hasDeletionTimestamp()) {
    meta.setDeletionTimestamp(oldMeta.getDeletionTimestamp());
  } else if (meta.hasDeletionTimestamp()) {
    meta.disownDeletionTimestamp();
  }
  meta.setGeneration(oldMeta.getGeneration());

  const KindHooks& hooks = hooksFor(*r.kind);
  auto root = typed->message->getRoot<capnp::AnyStruct>();
  if (hooks.setDefaults) hooks.setDefaults(root);
  std::vector<FieldError> errors;
  checkMeta(r, *typed, errors);
  if (hooks.validate) hooks.validate(root.asReader(), errors);
  if (hooks.validateUpdate && !system)
    hooks.validateUpdate(oldBody.message().getRoot<capnp::AnyStruct>(), root.asReader(), errors);
  if (!errors.empty()) return Response::error(invalid(r.group, r.kind->kind, name, std::move(errors)));
  std::unique_lock<std::mutex> allocation;
  if (isServices(r)) {
    // A type change to NodePort, or a new port, may need addresses; the service's own stay.
    allocation = std::unique_lock(allocMutex_);
    AddressesInUse used = servicesInUse(current.ns, current.name);
    allocate(typed->message->getRoot<k8s::core::v1::Service>(), serviceRanges_, used, errors);
    if (!errors.empty()) return Response::error(invalid(r.group, r.kind->kind, name, std::move(errors)));
  }

  // Compare with the stored object: no change means no write (and no new resourceVersion),
  // and only a spec change moves generation on.
  auto nextValue = json::parse(encodeBuilder(*r.kind, *typed->message));
  if (!nextValue.ok()) return Response::error(internalError(nextValue.status().message()));
  json::Value before = *currentValue;
  auto stripVolatile = [](json::Value& v) {
    if (json::Value* md = v.find("metadata")) {
      md->erase("resourceVersion");
      md->erase("uid");
      md->erase("creationTimestamp");
      md->erase("managedFields");
    }
  };
  stripVolatile(before);
  stripVolatile(*nextValue);
  if (before == *nextValue) {
    Response same = objectResponse(req, r, current, 200);
    same.warnings = std::move(warnings);
    return same;
  }
  if (r.hasSpec() && !(before["spec"] == (*nextValue)["spec"])) meta.setGeneration(oldMeta.getGeneration() + 1);

  auto envelope = envelopeOf(r, *typed, current.ns, current.name);
  if (!envelope.ok()) return Response::error(internalError(envelope.status().message()));
  if (req.param("dryRun") == "All") {
    envelope->uid = current.uid;
    envelope->creationTime = current.creationTime;
    envelope->revision = current.revision;
    Response dry = objectResponse(req, r, *envelope, 200, false);
    dry.warnings = std::move(warnings);
    return dry;
  }
  Mutation m;
  // An object being deleted whose last finalizer is gone is deleted now.
  bool finish = meta.hasDeletionTimestamp() && meta.getFinalizers().size() == 0;
  m.op = finish ? MutationOp::kDelete : MutationOp::kUpdate;
  m.object = std::move(*envelope);
  m.expectRevision = expect != 0 ? expect : current.revision;
  bool clientPrecondition = expect != 0;
  auto results = writeSync({std::move(m)});
  WriteResult& result = results.at(0);
  if (!result.status.ok()) {
    if (result.status.code() == Code::kConflict && !clientPrecondition) conflicted = true;
    return Response::error(fromStatus(result.status, r.group, r.name, name));
  }
  Response updated = objectResponse(req, r, result.object, 200);
  updated.warnings = std::move(warnings);
  return updated;
}

Response Api::Impl::modify(const Request& req, const Resource& r, bool statusOnly,
                           const std::function<Result<json::Value>(const json::Value& current)>& mutate,
                           bool allowCreate, bool system) {
  std::string ns = namespaceOf(req, r);
  for (int attempt = 0;; ++attempt) {
    auto current = store_.get(r.storeType, ns, req.name);
    if (!current.ok()) {
      if (current.status().code() == Code::kNotFound && allowCreate) {
        auto next = mutate(json::Value());
        if (!next.ok()) return Response::error(badRequest(next.status().message()));
        return createFrom(req, r, *next, 201);
      }
      return Response::error(fromStatus(current.status(), r.group, r.name, req.name));
    }
    auto currentValue = objectValue(r, *current);
    if (!currentValue.ok()) return Response::error(internalError(currentValue.status().message()));
    auto next = mutate(*currentValue);
    if (!next.ok()) {
      if (next.status().code() == Code::kConflict)
        return Response::error(conflict(r.group, r.name, req.name, next.status().message()));
      if (next.status().code() == Code::kUnavailable)
        return Response::error(serviceUnavailable(next.status().message()));
      return Response::error(badRequest(next.status().message()));
    }
    bool conflicted = false;
    Response response = replace(req, r, *current, std::move(*next), statusOnly, conflicted, system);
    if (!conflicted || attempt >= 8) return response;
  }
}

Response Api::Impl::update(const Request& req, const Resource& r) {
  auto body = parseBody(req.contentType, req.body);
  if (!body.ok()) return Response::error(badRequest(body.status().message()));
  if (!body->isObject()) return Response::error(badRequest("the request body must be a JSON object"));
  auto current = store_.get(r.storeType, namespaceOf(req, r), req.name);
  if (!current.ok()) return Response::error(fromStatus(current.status(), r.group, r.name, req.name));
  bool conflicted = false;
  return replace(req, r, *current, std::move(*body), req.subresource == "status", conflicted);
}

Response Api::Impl::patch(const Request& req, const Resource& r) {
  std::string type = req.contentType.substr(0, req.contentType.find(';'));
  if (type != "application/json-patch+json" && type != "application/merge-patch+json" &&
      type != "application/strategic-merge-patch+json" && type != "application/apply-patch+yaml")
    return Response::error(unsupportedMediaType(
        req.contentType,
        "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, "
        "application/strategic-merge-patch+json"));
  auto patchDoc = parseBody(type, req.body);
  if (!patchDoc.ok()) return Response::error(badRequest(patchDoc.status().message()));
  bool apply = type == "application/apply-patch+yaml";
  if (apply && req.param("fieldManager").empty())
    return Response::error(badRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is "
                                      "required for apply patch"));
  const json::Value& p = *patchDoc;
  std::optional<ApiError> applyError;
  Response response = modify(
      req, r, req.subresource == "status",
      [&](const json::Value& current) -> Result<json::Value> {
        if (apply) {
          auto applied = serverSideApply(current, p, req.param("fieldManager"), req.flag("force"), r.kind->info,
                                         r.apiVersion(), rfc3339(nowNanos()));
          if (!applied.ok()) return applied.status();
          if (!applied->conflicts.empty()) {
            applyError = applyConflict(r, req.name, applied->conflicts);
            return Status::aborted("apply conflict");
          }
          return std::move(applied->object);
        }
        if (type == "application/json-patch+json") return applyJsonPatch(current, p);
        if (type == "application/merge-patch+json") return applyMergePatch(current, p);
        return applyStrategicMergePatch(current, p, r.kind->info);
      },
      apply);
  if (applyError) return Response::error(*applyError);
  return response;
}

ApiError Api::Impl::applyConflict(const Resource& r, const std::string& name, const std::vector<ApplyConflict>& conflicts) {
  // Kubernetes' wording: one manager and path per line when there are several.
  std::string message = "Apply failed with " + std::to_string(conflicts.size()) +
                        (conflicts.size() == 1 ? " conflict: " : " conflicts: ");
  if (conflicts.size() == 1) {
    message += "conflict with \"" + conflicts[0].manager + "\" using " + r.apiVersion() + ": " + conflicts[0].path;
  } else {
    std::map<std::string, std::vector<std::string>> byManager;
    for (const auto& c : conflicts) byManager[c.manager].push_back(c.path);
    bool first = true;
    for (const auto& [manager, paths] : byManager) {
      if (!first) message += "\n";
      first = false;
      message += "conflicts with \"" + manager + "\" using " + r.apiVersion() + ":";
      for (const auto& path : paths) message += "\n- " + path;
    }
  }
  ApiError e = conflict(r.group, r.name, name, "");
  e.message = std::move(message);
  for (const auto& c : conflicts)
    e.causes.push_back({"FieldManagerConflict", c.path, "conflict with \"" + c.manager + "\" using " + r.apiVersion()});
  return e;
}

Result<DeleteOptions> Api::Impl::deleteOptions(const Request& req) {
  DeleteOptions d;
  if (!req.body.empty()) {
    auto body = json::parse(req.body);
    if (!body.ok()) return Status::invalidArgument(body.status().message());
    if (const json::Value* pre = body->find("preconditions"); pre && pre->isObject()) {
      if (pre->find("uid") && (*pre)["uid"].isString()) d.uid = (*pre)["uid"].asString();
      if (pre->find("resourceVersion") && (*pre)["resourceVersion"].isString()) {
        bool good;
        d.resourceVersion = parseRevision((*pre)["resourceVersion"].asString(), good);
      }
    }
    if (const json::Value* pp = body->find("propagationPolicy"); pp && pp->isString()) d.propagationPolicy = pp->asString();
    if (const json::Value* dr = body->find("dryRun"); dr && dr->isArray())
      for (const auto& v : dr->items())
        if (v.isString() && v.asString() == "All") d.dryRun = true;
  }
  if (req.param("dryRun") == "All") d.dryRun = true;
  if (!req.param("propagationPolicy").empty()) d.propagationPolicy = req.param("propagationPolicy");
  return d;
}

Response Api::Impl::remove(const Request& req, const Resource& r) {
  auto options = deleteOptions(req);
  if (!options.ok()) return Response::error(badRequest(options.status().message()));
  std::string ns = namespaceOf(req, r);
  for (int attempt = 0;; ++attempt) {
    auto current = store_.get(r.storeType, ns, req.name);
    if (!current.ok()) return Response::error(fromStatus(current.status(), r.group, r.name, req.name));
    if (!options->uid.empty() && options->uid != current->uid)
      return Response::error(conflict(r.group, r.name, req.name,
                                      "Precondition failed: UID in precondition: " + options->uid +
                                          ", UID in object meta: " + current->uid));
    if (options->resourceVersion != 0 && options->resourceVersion != current->revision)
      return Response::error(conflict(r.group, r.name, req.name,
                                      "Precondition failed: ResourceVersion in precondition: " +
                                          std::to_string(options->resourceVersion) +
                                          ", ResourceVersion in object meta: " + std::to_string(current->revision)));
    if (options->dryRun) return objectResponse(req, r, *current, 200);
    if (r.name == "namespaces" && r.group.empty()) return deleteNamespace(req, r, *current);

    BodyReader body(current->body);
    auto meta = metaOf(body.message());
    if (current->format == BodyFormat::kCapnp && meta.getFinalizers().size() > 0) {
      // Finalizers hold the object: mark it as being deleted and let their owners finish.
      if (meta.hasDeletionTimestamp()) return objectResponse(req, r, *current, 200);
      capnp::MallocMessageBuilder copy;
      copy.setRoot(body.message().getRoot<capnp::AnyStruct>());
      metaOf(copy).setDeletionTimestamp(rfc3339(nowNanos()));
      metaOf(copy).getDeletionGracePeriodSeconds().setValue(0);
      Mutation m;
      m.op = MutationOp::kUpdate;
      m.object = *current;
      auto words = capnp::messageToFlatArray(copy);
      m.object.body.assign(reinterpret_cast<const char*>(words.asBytes().begin()), words.asBytes().size());
      m.expectRevision = current->revision;
      auto results = writeSync({std::move(m)});
      if (results.at(0).status.code() == Code::kConflict && attempt < 8) continue;
      if (!results.at(0).status.ok())
        return Response::error(fromStatus(results.at(0).status, r.group, r.name, req.name));
      return objectResponse(req, r, results.at(0).object, 200);
    }
    Mutation m;
    m.op = MutationOp::kDelete;
    m.object.type = r.storeType;
    m.object.ns = ns;
    m.object.name = req.name;
    m.expectRevision = current->revision;
    auto results = writeSync({std::move(m)});
    if (results.at(0).status.code() == Code::kConflict && options->resourceVersion == 0 && attempt < 8) continue;
    if (!results.at(0).status.ok()) return Response::error(fromStatus(results.at(0).status, r.group, r.name, req.name));
    return objectResponse(req, r, results.at(0).object, 200);
  }
}

Response Api::Impl::deleteNamespace(const Request& req, const Resource& r, const Object& current) {
  if (req.name == "default" || req.name == "kube-system" || req.name == "kube-public")
    return Response::error(forbidden(r.group, r.name, req.name, "this namespace may not be deleted"));
  BodyReader body(current.body);
  if (metaOf(body.message()).hasDeletionTimestamp()) return objectResponse(req, r, current, 200);
  capnp::MallocMessageBuilder copy;
  copy.setRoot(body.message().getRoot<capnp::AnyStruct>());
  metaOf(copy).setDeletionTimestamp(rfc3339(nowNanos()));
  // status.phase is the namespace's; set it through JSON to stay independent of the schema's layout.
  Mutation m;
  m.op = MutationOp::kUpdate;
  m.object = current;
  auto value = json::parse(encodeBuilder(*r.kind, copy));
  if (!value.ok()) return Response::error(internalError(value.status().message()));
  if (!value->find("status")) value->set("status", json::Value::object());
  value->find("status")->set("phase", "Terminating");
  auto typed = decodeTyped(r, *value, false);
  if (!typed.ok()) return Response::error(internalError(typed.status().message()));
  auto envelope = envelopeOf(r, *typed, "", current.name);
  if (!envelope.ok()) return Response::error(internalError(envelope.status().message()));
  m.object = std::move(*envelope);
  m.expectRevision = current.revision;
  auto results = writeSync({std::move(m)});
  if (!results.at(0).status.ok()) return Response::error(fromStatus(results.at(0).status, r.group, r.name, req.name));
  // The namespace controller's job, done here until controllers exist: remove the content,
  // then the namespace. kubectl waits for the namespace to disappear.
  {
    std::lock_guard lock(backgroundMutex_);
    background_.emplace_back([this, ns = req.name] { purgeNamespace(ns); });
  }
  return objectResponse(req, r, results.at(0).object, 200);
}

void Api::Impl::purgeNamespace(std::string ns) {
  for (const auto& res : resources_.all()) {
    if (!res.served || !res.namespaced) continue;
    ListOptions options;
    options.type = res.storeType;
    options.ns = ns;
    auto listed = store_.list(options);
    if (!listed.ok()) continue;
    std::vector<Mutation> batch;
    for (const auto& o : listed->items) {
      Mutation m;
      m.op = MutationOp::kDelete;
      m.object.type = o.type;
      m.object.ns = o.ns;
      m.object.name = o.name;
      batch.push_back(std::move(m));
    }
    if (!batch.empty()) writeSync(std::move(batch));
  }
  Mutation m;
  m.op = MutationOp::kDelete;
  m.object.type = "namespaces";
  m.object.name = ns;
  writeSync({std::move(m)});
}

Response Api::Impl::removeCollection(const Request& req, const Resource& r) {
  ListOptions options;
  options.type = r.storeType;
  options.ns = namespaceOf(req, r);
  options.labelSelector = req.param("labelSelector");
  auto terms = parseFieldSelector(req.param("fieldSelector"));
  if (!terms.ok()) return Response::error(badRequest(terms.status().message()));
  auto listed = store_.list(options);
  if (!listed.ok()) return Response::error(badRequest(listed.status().message()));
  std::vector<Object> deleted;
  for (const auto& o : listed->items) {
    if (!matchesFields(o, *terms)) continue;
    Request one = req;
    one.verb = "delete";
    one.name = o.name;
    one.ns = o.ns;
    Response resp = remove(one, r);
    if (resp.code >= 300 && resp.code != 404) return resp;
    deleted.push_back(o);
  }
  std::string body;
  json::Writer w(body);
  writeList(r, deleted, store_.currentRevision(), "", -1, w);
  return ok(200, std::move(body));
}

Response Api::Impl::scale(const Request& req, const Resource& r) {
  auto toScale = [&](const json::Value& object) {
    json::Value s = json::Value::object();
    s.set("kind", "Scale");
    s.set("apiVersion", "autoscaling/v1");
    json::Value md = json::Value::object();
    const json::Value& om = object["metadata"];
    for (const char* k : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
      if (om.find(k)) md.set(k, om[k]);
    s.set("metadata", std::move(md));
    json::Value spec = json::Value::object();
    spec.set("replicas", object["spec"]["replicas"].isNumber() ? object["spec"]["replicas"].asInt() : std::int64_t{0});
    s.set("spec", std::move(spec));
    json::Value status = json::Value::object();
    status.set("replicas",
               object["status"]["replicas"].isNumber() ? object["status"]["replicas"].asInt() : std::int64_t{0});
    status.set("selector", selectorString(object["spec"]["selector"]));
    s.set("status", std::move(status));
    return s;
  };
  if (req.verb == "get") {
    auto current = store_.get(r.storeType, namespaceOf(req, r), req.name);
    if (!current.ok()) return Response::error(fromStatus(current.status(), r.group, r.name, req.name));
    auto value = objectValue(r, *current);
    if (!value.ok()) return Response::error(internalError(value.status().message()));
    return ok(200, json::serialize(toScale(*value)));
  }
  if (req.verb != "update" && req.verb != "patch") return Response::error(methodNotAllowed());
  auto doc = parseBody(req.contentType, req.body);
  if (!doc.ok()) return Response::error(badRequest(doc.status().message()));
  std::string type = req.contentType.substr(0, req.contentType.find(';'));
  Request inner = req;
  inner.subresource.clear();
  Response response = modify(inner, r, false, [&](const json::Value& current) -> Result<json::Value> {
    json::Value scaleValue = toScale(current);
    json::Value next;
    if (req.verb == "update") {
      next = *doc;
      const json::Value& rv = next["metadata"]["resourceVersion"];
      if (rv.isString() && !rv.asString().empty() && rv.asString() != current["metadata"]["resourceVersion"].asString())
        return Status::conflict("the object has been modified; please apply your changes to the latest version and try again");
    } else {
      Result<json::Value> patched = type == "application/json-patch+json" ? applyJsonPatch(scaleValue, *doc)
                                    : type == "application/merge-patch+json"
                                        ? applyMergePatch(scaleValue, *doc)
                                        : applyStrategicMergePatch(scaleValue, *doc, nullptr);
      if (!patched.ok()) return patched.status();
      next = std::move(*patched);
    }
    const json::Value& replicas = next["spec"]["replicas"];
    if (!replicas.isNumber()) return Status::invalidArgument("Scale: spec.replicas must be a number");
    json::Value object = current;
    if (!object.find("spec")) object.set("spec", json::Value::object());
    object.find("spec")->set("replicas", replicas.asInt());
    return object;
  });
  if (response.code != 200) return response;
  auto value = json::parse(response.body);
  if (!value.ok()) return response;
  response.body = json::serialize(toScale(*value));
  return response;
}

Response Api::Impl::bind(const Request& req, const Resource&) {
  auto doc = parseBody(req.contentType, req.body);
  if (!doc.ok()) return Response::error(badRequest(doc.status().message()));
  const json::Value& target = (*doc)["target"];
  std::string podName = !req.name.empty() ? req.name : (*doc)["metadata"]["name"].isString() ? (*doc)["metadata"]["name"].asString() : "";
  std::string node = target["name"].isString() ? target["name"].asString() : "";
  if (node.empty())
    return Response::error(invalid("", "Binding", podName, {required("target.name")}));
  const Resource* pods = resources_.find("", "v1", "pods");
  if (!pods) return Response::error(pathNotFound());
  Request inner = req;
  inner.resource = "pods";
  inner.subresource.clear();
  inner.name = podName;
  Response response = modify(inner, *pods, false, [&](const json::Value& current) -> Result<json::Value> {
    const json::Value& existing = current["spec"]["nodeName"];
    if (existing.isString() && !existing.asString().empty())
      return Status::conflict("pod " + podName + " is already assigned to node " + json::quote(existing.asString()));
    if (current["metadata"].find("deletionTimestamp"))
      return Status::conflict("pod " + podName + " is being deleted, cannot be assigned to a host");
    json::Value next = current;
    next.find("spec")->set("nodeName", node);
    // PodScheduled=True, as the binding subresource records it.
    json::Value* status = next.find("status");
    if (!status) status = &next.set("status", json::Value::object());
    json::Value* conditions = status->find("conditions");
    if (!conditions) conditions = &status->set("conditions", json::Value::array());
    json::Value condition = json::Value::object();
    condition.set("type", "PodScheduled");
    condition.set("status", "True");
    condition.set("lastProbeTime", json::Value());
    condition.set("lastTransitionTime", rfc3339(nowNanos()));
    bool replaced = false;
    for (auto& c : conditions->items())
      if (c["type"].isString() && c["type"].asString() == "PodScheduled") {
        c = condition;
        replaced = true;
      }
    if (!replaced) conditions->push(std::move(condition));
    return next;
  }, false, /*system=*/true);
  if (response.code == 200) return statusSuccess(201);
  return response;
}

Response Api::Impl::evict(const Request& req, const Resource& r) {
  // Disruption budgets are checked once the disruption controller exists; until then an
  // eviction is a delete with the eviction's delete options.
  auto doc = parseBody(req.contentType, req.body);
  if (!doc.ok()) return Response::error(badRequest(doc.status().message()));
  Request del = req;
  del.verb = "delete";
  del.subresource.clear();
  if (const json::Value* opts = doc->find("deleteOptions"); opts && opts->isObject()) del.body = json::serialize(*opts);
  else del.body.clear();
  Response response = remove(del, r);
  if (response.code == 200) return statusSuccess(201);
  return response;
}

std::string Api::Impl::eventLine(const Resource& r, const WatchEvent& e, bool table) {
  std::string line;
  json::Writer w(line);
  w.beginObject();
  w.key("type");
  switch (e.kind) {
    case WatchEvent::Kind::kAdded: w.string("ADDED"); break;
    case WatchEvent::Kind::kModified: w.string("MODIFIED"); break;
    case WatchEvent::Kind::kDeleted: w.string("DELETED"); break;
    case WatchEvent::Kind::kBookmark: w.string("BOOKMARK"); break;
    case WatchEvent::Kind::kError: w.string("ERROR"); break;
  }
  w.key("object");
  if (e.kind == WatchEvent::Kind::kBookmark) {
    w.beginObject();
    w.key("kind");
    w.string(r.kind->kind);
    w.key("apiVersion");
    w.string(r.apiVersion());
    w.key("metadata");
    w.beginObject();
    w.key("resourceVersion");
    w.string(std::to_string(e.revision));
    w.endObject();
    w.endObject();
  } else if (e.kind == WatchEvent::Kind::kError) {
    ApiError err = e.error.code() == Code::kGone ? expired("too old resource version: " + e.error.message())
                                                 : internalError(e.error.message());
    w.raw(err.toJson());
  } else if (table) {
    writeTable(r, {*e.object}, e.revision, "", -1, w, true);
  } else {
    writeStored(r, *e.object, w);
  }
  w.endObject();
  line += '\n';
  return line;
}

namespace {

class StoreWatchStream final : public WatchStream {
 public:
  void cancel() override {
    std::unique_ptr<Watch> w;
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
      w = std::move(watch_);
    }
    if (w) w->cancel();
  }
  void attach(std::unique_ptr<Watch> w) {
    std::lock_guard lock(mutex_);
    if (cancelled_) {
      w->cancel();
      return;
    }
    watch_ = std::move(w);
  }

 private:
  std::mutex mutex_;
  bool cancelled_ = false;
  std::unique_ptr<Watch> watch_;
};

}  // namespace

std::unique_ptr<WatchStream> Api::Impl::watch(const Request& req, WatchSink sink, Response& errorOut) {
  const Resource* r = resources_.find(req.group, req.version, req.resource);
  if (!r || !req.subresource.empty()) {
    errorOut = Response::error(pathNotFound());
    return nullptr;
  }
  if (std::find(r->verbs.begin(), r->verbs.end(), "watch") == r->verbs.end()) {
    errorOut = Response::error(methodNotAllowed());
    return nullptr;
  }
  bool table = wantsTable(req.accept);
  WatchOptions options;
  options.type = r->storeType;
  options.ns = namespaceOf(req, *r);
  options.labelSelector = req.param("labelSelector");
  auto terms = parseFieldSelector(req.param("fieldSelector"));
  if (!terms.ok()) {
    errorOut = Response::error(badRequest(terms.status().message()));
    return nullptr;
  }
  for (const auto& t : *terms) {
    if (t.field != "metadata.name" && t.field != "metadata.namespace" && !hooksSupportsField(*r, t.field)) {
      errorOut = Response::error(badRequest("field label not supported: " + t.field));
      return nullptr;
    }
    if (!t.equals) continue;
    if (t.field == "metadata.name") options.name = t.value;
    else if (t.field == "metadata.namespace") options.ns = t.value;
    else options.indexSelector.emplace_back(t.field, t.value);
  }
  if (!req.name.empty()) options.name = req.name;
  if (req.flag("allowWatchBookmarks")) options.bookmarkIntervalMs = options_.bookmarkIntervalMs;
  std::vector<FieldTerm> inequalities;
  for (const auto& t : *terms)
    if (!t.equals) inequalities.push_back(t);

  std::string rv = req.param("resourceVersion");
  std::vector<std::string> initial;
  if (rv.empty() || rv == "0") {
    // "Start now": the current objects as ADDED, then what follows.
    ListOptions list;
    list.type = options.type;
    list.ns = options.ns;
    list.labelSelector = options.labelSelector;
    list.indexSelector = options.indexSelector;
    auto listed = store_.list(list);
    if (!listed.ok()) {
      errorOut = Response::error(badRequest(listed.status().message()));
      return nullptr;
    }
    for (const auto& o : listed->items) {
      if (!options.name.empty() && o.name != options.name) continue;
      if (!matchesFields(o, *terms)) continue;
      WatchEvent e;
      e.kind = WatchEvent::Kind::kAdded;
      e.revision = o.revision;
      e.object = std::make_shared<Object>(o);
      initial.push_back(eventLine(*r, e, table));
    }
    options.fromRevision = listed->revision;
  } else {
    bool good;
    options.fromRevision = parseRevision(rv, good);
    if (!good) {
      errorOut = Response::error(badRequest("invalid resource version \"" + rv + "\""));
      return nullptr;
    }
  }
  for (auto& line : initial) sink.onData(std::move(line));

  auto stream = std::make_unique<StoreWatchStream>();
  auto shared = std::make_shared<WatchSink>(std::move(sink));
  const Resource* res = r;
  auto ended = std::make_shared<std::atomic<bool>>(false);
  auto handler = [this, res, table, shared, ended, inequalities](std::span<const WatchEvent> events) {
    if (ended->load()) return;
    for (const auto& e : events) {
      if (e.object && !inequalities.empty() && !matchesFields(*e.object, inequalities)) continue;
      // The object's JSON comes from the encoded cache: one encoding per version
      // however many watchers receive it.
      shared->onData(eventLine(*res, e, table));
      if (e.kind == WatchEvent::Kind::kError) {
        if (!ended->exchange(true)) shared->onEnd();
        return;
      }
    }
  };
  auto started = store_.watch(options, handler);
  if (!started.ok()) {
    WatchEvent e;
    e.kind = WatchEvent::Kind::kError;
    e.error = started.status();
    if (started.status().code() == Code::kGone)
      e.error = Status::gone(std::to_string(options.fromRevision) + " (" +
                             std::to_string(store_.compactedRevision()) + ")");
    shared->onData(eventLine(*r, e, table));
    if (!ended->exchange(true)) shared->onEnd();
    return stream;
  }
  stream->attach(std::move(*started));
  return stream;
}

Api::Api(StoreClient& store, ApiOptions options) : resources_(k8s::allKinds()), options_(std::move(options)) {
  impl_ = std::make_unique<Impl>(store, resources_, options_);
}

Api::~Api() = default;

Response Api::handle(const Request& request) {
  try {
    return impl_->handle(request);
  } catch (const std::exception& e) {
    return Response::error(internalError(e.what()));
  }
}

std::unique_ptr<WatchStream> Api::watch(const Request& request, WatchSink sink, Response& errorOut) {
  try {
    return impl_->watch(request, std::move(sink), errorOut);
  } catch (const std::exception& e) {
    errorOut = Response::error(internalError(e.what()));
    return nullptr;
  }
}

Status Api::ensureSystemNamespaces() {
  for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"})
    if (Status s = impl_->ensureNamespace(ns); !s.ok()) return s;
  return {};
}

}  // namespace capstan::kube
