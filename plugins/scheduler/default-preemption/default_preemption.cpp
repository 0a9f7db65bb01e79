#include "default_preemption.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <utility>

#include "capstan/config.h"
#include "capstan/json.h"

namespace capstan::sched {

namespace {

// Kubernetes' texts, word for word: they end up in pods' PodScheduled conditions.
constexpr std::string_view kNotEligibleNever = "not eligible due to preemptionPolicy=Never.";
constexpr std::string_view kNotEligibleTerminating = "not eligible due to a terminating pod on the nominated node.";
constexpr std::string_view kNoVictims = "No preemption victims found for incoming pod";
constexpr std::string_view kNotHelpful = "Preemption is not helpful for scheduling";
constexpr std::string_view kDisruptionMessageSuffix = ": preempting to accommodate a higher priority pod";
constexpr std::string_view kStrategicMergePatch = "application/strategic-merge-patch+json";

// ---------------------------------------------------------------------------------------
// Args decoding: field errors in Kubernetes' wording, several joined as its aggregate does.

std::string invalid(std::string_view path, std::int64_t value, std::string_view detail) {
  return std::string(path) + ": Invalid value: " + std::to_string(value) + ": " + std::string(detail);
}

std::string aggregate(const std::vector<std::string>& errors) {
  std::vector<std::string> unique;
  for (const auto& e : errors)
    if (std::find(unique.begin(), unique.end(), e) == unique.end()) unique.push_back(e);
  if (unique.size() == 1) return unique.front();
  std::string out = "[";
  for (std::size_t i = 0; i < unique.size(); ++i) out += (i ? ", " : "") + unique[i];
  return out + "]";
}

Status decode(const std::string& yaml, DefaultPreemptionArgs& args) try {
  YAML::Node root = YAML::Load(yaml);
  if (root && !root.IsNull() && !root.IsMap()) return Status::invalidArgument("expected a mapping");
  ConfigReader r(root, "");
  args.minCandidateNodesPercentage = r.get<std::int32_t>("minCandidateNodesPercentage", 10);
  args.minCandidateNodesAbsolute = r.get<std::int32_t>("minCandidateNodesAbsolute", 100);
  if (Status s = r.finish(); !s.ok()) return s;

  std::vector<std::string> errors;
  const std::int32_t pct = args.minCandidateNodesPercentage, abs = args.minCandidateNodesAbsolute;
  if (pct < 0 || pct > 100)
    errors.push_back(invalid("minCandidateNodesPercentage", pct, "not in valid range [0, 100]"));
  if (abs < 0) errors.push_back(invalid("minCandidateNodesAbsolute", abs, "not in valid range [0, inf)"));
  if (pct == 0 && abs == 0) {
    errors.push_back(
        invalid("minCandidateNodesPercentage", pct, "cannot be zero at the same time as minCandidateNodesAbsolute"));
    errors.push_back(
        invalid("minCandidateNodesAbsolute", abs, "cannot be zero at the same time as minCandidateNodesPercentage"));
  }
  if (!errors.empty()) return Status::invalidArgument(aggregate(errors));
  return {};
} catch (const YAML::Exception& e) {
  return Status::invalidArgument(std::string("not valid YAML: ") + e.what());
}

// ---------------------------------------------------------------------------------------
// Time and API requests.

std::int64_t unixNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string rfc3339Now() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Kubernetes falls back to "now" for a pod without a start time; the latest possible time
// keeps the order strict (comparisons must not read the clock).
std::int64_t startTime(const PodInfo& pod) {
  return pod.creationTime > 0 ? pod.creationTime : std::numeric_limits<std::int64_t>::max();
}

void podRequestHead(json::Writer& w, std::string_view verb, const PodInfo& pod) {
  w.key("verb"), w.string(verb);
  w.key("version"), w.string("v1");
  w.key("resource"), w.string("pods");
  w.key("namespace"), w.string(pod.ns);
  w.key("name"), w.string(pod.name);
}

// Marks the victim as disrupted by preemption before it is deleted (its controller and
// users see why it went away).
std::string disruptionTargetPatch(const PodInfo& victim, const std::string& message, const std::string& now) {
  std::string out;
  json::Writer w(out);
  w.beginObject();
  podRequestHead(w, "patch", victim);
  w.key("subresource"), w.string("status");
  w.key("contentType"), w.string(kStrategicMergePatch);
  w.key("body");
  w.beginObject();
  w.key("metadata");
  w.beginObject();
  w.key("uid"), w.string(victim.uid);  // a precondition: never mark a recreated pod
  w.endObject();
  w.key("status");
  w.beginObject();
  w.key("conditions");
  w.beginArray();
  w.beginObject();
  w.key("type"), w.string("DisruptionTarget");
  w.key("status"), w.string("True");
  w.key("lastProbeTime"), w.null();
  w.key("lastTransitionTime"), w.string(now);
  w.key("reason"), w.string("PreemptionByScheduler");
  w.key("message"), w.string(message);
  w.endObject();
  w.endArray();
  w.endObject();
  w.endObject();
  w.endObject();
  return out;
}

std::string deleteRequest(const PodInfo& victim) {
  std::string out;
  json::Writer w(out);
  w.beginObject();
  podRequestHead(w, "delete", victim);
  w.endObject();
  return out;
}

std::string clearNominationPatch(const std::string& ns, const std::string& name, const std::string& uid) {
  std::string out;
  json::Writer w(out);
  w.beginObject();
  w.key("verb"), w.string("patch");
  w.key("version"), w.string("v1");
  w.key("resource"), w.string("pods");
  w.key("namespace"), w.string(ns);
  w.key("name"), w.string(name);
  w.key("subresource"), w.string("status");
  w.key("contentType"), w.string(kStrategicMergePatch);
  w.key("body");
  w.beginObject();
  if (!uid.empty()) {
    w.key("metadata");
    w.beginObject();
    w.key("uid"), w.string(uid);
    w.endObject();
  }
  w.key("status");
  w.beginObject();
  w.key("nominatedNodeName"), w.null();
  w.endObject();
  w.endObject();
  w.endObject();
  return out;
}

std::string listPdbsRequest() {
  return R"({"verb":"list","group":"policy","version":"v1","resource":"poddisruptionbudgets"})";
}

std::string listNominatedPodsRequest(const std::string& node) {
  std::string out;
  json::Writer w(out);
  w.beginObject();
  w.key("verb"), w.string("list");
  w.key("version"), w.string("v1");
  w.key("resource"), w.string("pods");
  w.key("query");
  w.beginObject();
  w.key("fieldSelector"), w.string("status.nominatedNodeName=" + node);
  w.endObject();
  w.endObject();
  return out;
}

// The Normal event Kubernetes records on each victim.
std::string preemptedEvent(const PodInfo& victim, const PodInfo& preemptor, const std::string& node,
                           const std::string& name, const std::string& now, const std::string& instance) {
  auto reference = [](json::Writer& w, const PodInfo& p) {
    w.beginObject();
    w.key("kind"), w.string("Pod");
    w.key("namespace"), w.string(p.ns);
    w.key("name"), w.string(p.name);
    w.key("uid"), w.string(p.uid);
    w.key("apiVersion"), w.string("v1");
    w.endObject();
  };
  std::string out;
  json::Writer w(out);
  w.beginObject();
  w.key("verb"), w.string("create");
  w.key("version"), w.string("v1");
  w.key("resource"), w.string("events");
  w.key("namespace"), w.string(victim.ns);
  w.key("body");
  w.beginObject();
  w.key("metadata");
  w.beginObject();
  w.key("name"), w.string(name);
  w.key("namespace"), w.string(victim.ns);
  w.endObject();
  w.key("involvedObject");
  reference(w, victim);
  w.key("related");
  reference(w, preemptor);
  w.key("reason"), w.string("Preempted");
  w.key("action"), w.string("Preempting");
  w.key("message"), w.string("Preempted by pod " + preemptor.uid + " on node " + node);
  w.key("source");
  w.beginObject();
  w.key("component"), w.string("default-scheduler");
  w.endObject();
  w.key("firstTimestamp"), w.string(now);
  w.key("lastTimestamp"), w.string(now);
  w.key("count"), w.integer(1);
  w.key("type"), w.string("Normal");
  w.key("reportingComponent"), w.string("default-scheduler");
  w.key("reportingInstance"), w.string(instance);
  w.endObject();
  w.endObject();
  return out;
}

std::string joinBatch(const std::vector<std::string>& requests) {
  std::string batch = "[";
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (i) batch += ',';
    batch += requests[i];
  }
  return batch + "]";
}

// One API batch: the answers, in order, or what went wrong.
Result<json::Value> callApi(FrameworkHandle& framework, const std::vector<std::string>& requests) {
  std::string answer;
  try {
    answer = framework.apiBatch(joinBatch(requests));
  } catch (const std::exception& e) {
    return Status::unavailable(e.what());
  }
  auto doc = json::parse(answer);
  if (!doc.ok() || !doc->isArray() || doc->items().size() != requests.size())
    return Status::internal("unexpected answer from the API to a preemption batch");
  return std::move(doc.value());
}

std::int64_t answerCode(const json::Value& answer) {
  const json::Value& code = answer["code"];
  return code.isNumber() ? code.asInt() : 0;
}

bool succeeded(const json::Value& answer) {
  std::int64_t code = answerCode(answer);
  return code >= 200 && code < 300;
}

std::string answerError(const json::Value& answer, std::string_view what) {
  const json::Value& message = answer["body"]["message"];
  if (message.isString() && !message.asString().empty()) return message.asString();
  return std::string(what) + ": the API answered HTTP " + std::to_string(answerCode(answer));
}

// A metav1.LabelSelector as LabelSelectorAsSelector reads it; false when it is invalid.
bool parseSelector(const json::Value& in, LabelSelector& out) {
  if (const json::Value* labels = in.find("matchLabels"); labels && !labels->isNull()) {
    if (!labels->isObject()) return false;
    for (const auto& [key, value] : labels->members()) {
      if (!value.isString()) return false;
      out.requirements.push_back({key, SelectorOp::kIn, {value.asString()}});
    }
  }
  if (const json::Value* expressions = in.find("matchExpressions"); expressions && !expressions->isNull()) {
    if (!expressions->isArray()) return false;
    for (const json::Value& e : expressions->items()) {
      Requirement r;
      if (!e["key"].isString()) return false;
      r.key = e["key"].asString();
      const std::string op = e["operator"].isString() ? e["operator"].asString() : "";
      if (const json::Value* values = e.find("values"); values && !values->isNull()) {
        if (!values->isArray()) return false;
        for (const json::Value& v : values->items()) {
          if (!v.isString()) return false;
          r.values.push_back(v.asString());
        }
      }
      if (op == "In" || op == "NotIn") {
        if (r.values.empty()) return false;
        r.op = op == "In" ? SelectorOp::kIn : SelectorOp::kNotIn;
      } else if (op == "Exists" || op == "DoesNotExist") {
        if (!r.values.empty()) return false;
        r.op = op == "Exists" ? SelectorOp::kExists : SelectorOp::kDoesNotExist;
      } else {
        return false;
      }
      out.requirements.push_back(std::move(r));
    }
  }
  return true;
}

// The reasons nodes could not help, counted and sorted as the framework's FitError does.
std::string noCandidateMessage(std::size_t numAllNodes, const std::vector<std::string>& nodeReasons) {
  std::map<std::string, std::size_t> counts;
  for (const auto& reason : nodeReasons)
    if (!reason.empty()) ++counts[reason];
  if (nodeReasons.size() < numAllNodes) counts[std::string(kNotHelpful)] += numAllNodes - nodeReasons.size();
  std::vector<std::string> parts;
  for (const auto& [reason, count] : counts) parts.push_back(std::to_string(count) + " " + reason);
  std::sort(parts.begin(), parts.end());
  std::string msg = "0/" + std::to_string(numAllNodes) + " nodes are available:";
  if (!parts.empty()) {
    msg += " ";
    for (std::size_t i = 0; i < parts.size(); ++i) msg += (i ? ", " : "") + parts[i];
    msg += ".";
  }
  return msg;
}

// Splits `pods` (kept in order) into those whose eviction a PodDisruptionBudget forbids and
// the rest, spending each budget's allowed disruptions as it goes.
void splitByPdbViolation(const std::vector<PodInfoPtr>& pods, std::span<const PodDisruptionBudget> pdbs,
                         std::vector<PodInfoPtr>& violating, std::vector<PodInfoPtr>& nonViolating) {
  std::vector<std::int32_t> allowed;
  allowed.reserve(pdbs.size());
  for (const auto& pdb : pdbs) allowed.push_back(pdb.disruptionsAllowed);
  for (const auto& pod : pods) {
    bool violated = false;
    for (std::size_t i = 0; i < pdbs.size(); ++i) {
      if (!pdbs[i].matches(*pod)) continue;
      // Already counted by the API's eviction handling: not a further disruption.
      if (pdbs[i].disrupted(pod->name)) continue;
      if (--allowed[i] < 0) violated = true;
    }
    (violated ? violating : nonViolating).push_back(pod);
  }
}

StageStatus asError(const StageStatus& s) { return s.code == Code::kError ? s : StageStatus::error(s.message); }

}  // namespace

// ---------------------------------------------------------------------------------------

Result<DefaultPreemptionArgs> DefaultPreemptionArgs::parse(const std::string& yaml) {
  DefaultPreemptionArgs args;
  if (Status s = decode(yaml, args); !s.ok()) return s.withContext("DefaultPreemption args");
  return args;
}

bool PodDisruptionBudget::matches(const PodInfo& pod) const {
  // A pod without labels matches no budget; neither does an empty or invalid selector.
  return selectorMatchesPods && !pod.labels.empty() && pod.ns == ns && selector.matches(pod.labels);
}

bool PodDisruptionBudget::disrupted(const std::string& podName) const {
  return std::binary_search(disruptedPods.begin(), disruptedPods.end(), podName);
}

std::vector<PodDisruptionBudget> PodDisruptionBudget::fromList(const json::Value& list) {
  std::vector<PodDisruptionBudget> out;
  for (const json::Value& item : list["items"].items()) {
    if (!item.isObject()) continue;
    PodDisruptionBudget pdb;
    const json::Value& metadata = item["metadata"];
    if (metadata["namespace"].isString()) pdb.ns = metadata["namespace"].asString();
    if (metadata["name"].isString()) pdb.name = metadata["name"].asString();
    const json::Value& selector = item["spec"]["selector"];
    if (selector.isObject())
      pdb.selectorMatchesPods = parseSelector(selector, pdb.selector) && !pdb.selector.requirements.empty();
    const json::Value& status = item["status"];
    if (status["disruptionsAllowed"].isNumber())
      pdb.disruptionsAllowed = static_cast<std::int32_t>(status["disruptionsAllowed"].asInt());
    if (status["disruptedPods"].isObject())
      for (const auto& [name, when] : status["disruptedPods"].members()) pdb.disruptedPods.push_back(name);
    std::sort(pdb.disruptedPods.begin(), pdb.disruptedPods.end());
    out.push_back(std::move(pdb));
  }
  return out;
}

bool moreImportantPod(const PodInfo& a, const PodInfo& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  return startTime(a) < startTime(b);
}

std::size_t pickOneNodeForPreemption(std::span<const PreemptionCandidate> candidates) {
  if (candidates.empty()) return 0;
  // Each rule scores the candidates (higher is better); the next rule only breaks ties.
  auto fewestPdbViolations = [](const Victims& v) { return -v.numPdbViolations; };
  auto lowestHighestPriority = [](const Victims& v) -> std::int64_t {
    return v.pods.empty() ? 0 : -std::int64_t{v.pods.front()->priority};
  };
  auto smallestPrioritySum = [](const Victims& v) {
    // Shifted to be non-negative, so more victims never sum lower than fewer.
    std::int64_t sum = 0;
    for (const auto& p : v.pods) sum += std::int64_t{p->priority} + (std::int64_t{1} << 31);
    return -sum;
  };
  auto fewestVictims = [](const Victims& v) { return -static_cast<std::int64_t>(v.pods.size()); };
  auto latestStart = [](const Victims& v) {
    if (v.pods.empty()) return std::numeric_limits<std::int64_t>::min();
    // The earliest start among the victims of the highest priority.
    std::int32_t top = v.pods.front()->priority;
    std::int64_t earliest = startTime(*v.pods.front());
    for (const auto& p : v.pods) {
      if (p->priority == top) {
        earliest = std::min(earliest, startTime(*p));
      } else if (p->priority > top) {
        top = p->priority;
        earliest = startTime(*p);
      }
    }
    return earliest;
  };
  const std::function<std::int64_t(const Victims&)> rules[] = {fewestPdbViolations, lowestHighestPriority,
                                                               smallestPrioritySum, fewestVictims, latestStart};

  std::vector<std::size_t> remaining(candidates.size());
  std::iota(remaining.begin(), remaining.end(), std::size_t{0});
  for (const auto& rule : rules) {
    std::vector<std::size_t> best;
    std::int64_t bestScore = std::numeric_limits<std::int64_t>::min();
    for (std::size_t i : remaining) {
      std::int64_t score = rule(candidates[i].victims);
      if (score > bestScore) {
        bestScore = score;
        best.clear();
      }
      if (score == bestScore) best.push_back(i);
    }
    if (best.size() == 1) return best.front();
    remaining = std::move(best);
  }
  return remaining.front();
}

DefaultPreemption::DefaultPreemption() : DefaultPreemption(DefaultPreemptionArgs{}) {}

DefaultPreemption::DefaultPreemption(DefaultPreemptionArgs args, OffsetSource offset)
    : args_(args), offset_(std::move(offset)), random_(std::random_device{}()) {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  reportingInstance_ = std::string("default-scheduler-") + host;
}

Status DefaultPreemption::init(Host&, const PluginConfig& config) {
  auto args = DefaultPreemptionArgs::parse(config.argsYaml);
  if (!args.ok()) return args.status();
  args_ = args.value();
  return {};
}

void* DefaultPreemption::queryInterface(std::string_view kind) {
  return kind == PostFilterPlugin::kKind ? static_cast<PostFilterPlugin*>(this) : nullptr;
}

std::int32_t DefaultPreemption::numCandidates(std::int32_t numNodes) const {
  std::int64_t n = std::int64_t{numNodes} * args_.minCandidateNodesPercentage / 100;
  n = std::max<std::int64_t>(n, args_.minCandidateNodesAbsolute);
  return static_cast<std::int32_t>(std::min<std::int64_t>(n, numNodes));
}

std::int32_t DefaultPreemption::randomOffset(std::int32_t n) {
  if (n <= 0) return 0;
  if (offset_) {
    std::int32_t o = offset_(n) % n;
    return o < 0 ? o + n : o;
  }
  std::lock_guard lock(randomMutex_);
  return std::uniform_int_distribution<std::int32_t>(0, n - 1)(random_);
}

std::string DefaultPreemption::eventName(const std::string& podName) {
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, ".%llx",
                static_cast<unsigned long long>(unixNanos()) + static_cast<unsigned long long>(eventSequence_++));
  return podName + suffix;
}

PostFilterResult DefaultPreemption::postFilter(CycleContext& ctx, const PodInfo& pod,
                                               std::span<const NodeRejection> rejections) {
  PostFilterResult result = preempt(ctx, pod, rejections);
  if (!result.status.message.empty()) result.status.message = "preemption: " + result.status.message;
  return result;
}

std::string DefaultPreemption::notEligibleReason(CycleContext& ctx, const PodInfo& pod,
                                                 std::span<const NodeRejection> rejections) const {
  if (pod.preemptNever) return std::string(kNotEligibleNever);
  if (pod.nominatedNodeName.empty()) return {};
  // A nominated node no filter rejected (or that preemption cannot fix) is preempted on again.
  Code nominatedCode = Code::kUnschedulableAndUnresolvable;
  for (const auto& r : rejections)
    if (r.node && r.node->name == pod.nominatedNodeName) {
      nominatedCode = r.code;
      break;
    }
  if (nominatedCode == Code::kUnschedulableAndUnresolvable) return {};
  // Victims of an earlier preemption are still leaving: wait for them instead of evicting more.
  if (const NodeInfo* node = ctx.snapshot.node(pod.nominatedNodeName))
    for (const auto& p : node->pods)
      if (p->priority < pod.priority && p->terminating) return std::string(kNotEligibleTerminating);
  return {};
}

StageStatus DefaultPreemption::selectVictimsOnNode(CycleContext& ctx, CycleState& state, const PodInfo& pod,
                                                   NodeInfo& node, std::span<const PodDisruptionBudget> pdbs,
                                                   Victims& out) const {
  FrameworkHandle& framework = ctx.framework;
  auto removePod = [&](const PodInfoPtr& victim) -> StageStatus {
    if (!removePodFromNode(node, victim->uid))
      return StageStatus::error("pod " + victim->key() + " is not on node " + node.name);
    StageStatus s = framework.runPreFilterRemovePod(state, pod, *victim, node);
    return s.ok() ? s : asError(s);
  };
  auto addPod = [&](const PodInfoPtr& other) -> StageStatus {
    addPodToNode(node, other);
    StageStatus s = framework.runPreFilterAddPod(state, pod, *other, node);
    return s.ok() ? s : asError(s);
  };

  std::vector<PodInfoPtr> potential;
  for (const auto& p : node.pods)
    if (p->priority < pod.priority) potential.push_back(p);
  if (potential.empty()) return {Code::kUnschedulableAndUnresolvable, std::string(kNoVictims)};
  for (const auto& p : potential)
    if (StageStatus s = removePod(p); !s.ok()) return s;

  // Not even evicting every lower-priority pod helps (affinity to a victim is not considered).
  if (StageStatus s = framework.runFilters(state, pod, node); !s.ok()) return s;

  std::stable_sort(potential.begin(), potential.end(),
                   [](const PodInfoPtr& a, const PodInfoPtr& b) { return moreImportantPod(*a, *b); });
  std::vector<PodInfoPtr> violating, nonViolating;
  splitByPdbViolation(potential, pdbs, violating, nonViolating);

  out.pods.clear();
  out.numPdbViolations = 0;
  // Puts `p` back when the pod still fits with it; otherwise it stays a victim.
  auto reprieve = [&](const PodInfoPtr& p, bool& fits) -> StageStatus {
    if (StageStatus s = addPod(p); !s.ok()) return s;
    fits = framework.runFilters(state, pod, node).ok();
    if (!fits) {
      if (StageStatus s = removePod(p); !s.ok()) return s;
      out.pods.push_back(p);
    }
    return {};
  };
  for (const auto& p : violating) {
    bool fits = false;
    if (StageStatus s = reprieve(p, fits); !s.ok()) return s;
    if (!fits) ++out.numPdbViolations;
  }
  for (const auto& p : nonViolating) {
    bool fits = false;
    if (StageStatus s = reprieve(p, fits); !s.ok()) return s;
  }
  if (!violating.empty() && !nonViolating.empty())
    std::stable_sort(out.pods.begin(), out.pods.end(),
                     [](const PodInfoPtr& a, const PodInfoPtr& b) { return moreImportantPod(*a, *b); });
  return {};
}

PostFilterResult DefaultPreemption::preempt(CycleContext& ctx, const PodInfo& pod,
                                            std::span<const NodeRejection> rejections) {
  if (std::string reason = notEligibleReason(ctx, pod, rejections); !reason.empty())
    return {StageStatus::unschedulable(std::move(reason)), {}};

  const std::size_t numAllNodes = ctx.snapshot.nodes.size();
  if (numAllNodes == 0) return {StageStatus::error("no nodes available"), {}};

  // Only nodes a Filter rejected as Unschedulable can be helped by evicting pods.
  std::vector<const NodeInfo*> potential;
  for (const auto& r : rejections)
    if (r.node && r.code == Code::kUnschedulable) potential.push_back(r.node);

  std::vector<PreemptionCandidate> nonViolating, violating;
  std::vector<std::string> nodeReasons, errors;
  if (!potential.empty()) {
    auto answers = callApi(ctx.framework, {listPdbsRequest()});
    if (!answers.ok()) return {StageStatus::error(answers.status().message()), {}};
    const json::Value& answer = answers->items().front();
    if (!succeeded(answer)) return {StageStatus::error(answerError(answer, "listing PodDisruptionBudgets")), {}};
    const std::vector<PodDisruptionBudget> pdbs = PodDisruptionBudget::fromList(answer["body"]);

    const auto n = static_cast<std::int32_t>(potential.size());
    const std::int32_t offset = randomOffset(n);
    const auto wanted = static_cast<std::size_t>(numCandidates(n));
    // Nodes are tried from a random start, until enough candidates are found of which at
    // least one violates no budget.
    for (std::int32_t i = 0; i < n; ++i) {
      const NodeInfo* node = potential[static_cast<std::size_t>((std::int64_t{offset} + i) % n)];
      NodeInfo copy = *node;
      std::unique_ptr<CycleState> state = ctx.state.clone();
      Victims victims;
      StageStatus s = selectVictimsOnNode(ctx, *state, pod, copy, pdbs, victims);
      if (s.ok() && !victims.pods.empty()) {
        auto& list = victims.numPdbViolations == 0 ? nonViolating : violating;
        if (list.size() < wanted) list.push_back({node, std::move(victims)});
        if (!nonViolating.empty() && nonViolating.size() + violating.size() >= wanted) break;
        continue;
      }
      if (s.ok()) s = StageStatus::error("expected at least one victim pod on node \"" + node->name + "\"");
      if (s.code == Code::kError) errors.push_back(s.message);
      nodeReasons.push_back(s.message);
    }
  }
  std::vector<PreemptionCandidate> candidates = std::move(nonViolating);
  for (auto& c : violating) candidates.push_back(std::move(c));

  if (candidates.empty()) {
    if (!errors.empty()) return {StageStatus::error(aggregate(errors)), {}};
    // The pod cannot be helped anywhere: its nomination from an earlier preemption is void.
    if (!pod.nominatedNodeName.empty()) (void)callApi(ctx.framework, {clearNominationPatch(pod.ns, pod.name, pod.uid)});
    return {StageStatus::unschedulable(noCandidateMessage(numAllNodes, nodeReasons)), {}};
  }

  const PreemptionCandidate& best = candidates[pickOneNodeForPreemption(candidates)];
  if (StageStatus s = prepareCandidate(ctx, pod, best); !s.ok()) return {s, {}};
  return {StageStatus::success(), best.node->name};
}

StageStatus DefaultPreemption::prepareCandidate(CycleContext& ctx, const PodInfo& pod,
                                                const PreemptionCandidate& candidate) {
  FrameworkHandle& framework = ctx.framework;
  const std::string& node = candidate.node->name;
  const std::vector<PodInfoPtr>& victims = candidate.victims.pods;

  // A victim still waiting on a Permit plugin is rejected there (a no-op for the others).
  for (const auto& v : victims) framework.rejectWaitingPod(v->uid, kName, "preempted");

  // 1. Mark every victim, and find the pods nominated to the node.
  const std::string& schedulerName = pod.schedulerName.empty() ? framework.profileName() : pod.schedulerName;
  const std::string message = schedulerName + std::string(kDisruptionMessageSuffix);
  const std::string now = rfc3339Now();
  std::vector<std::string> requests;
  for (const auto& v : victims) requests.push_back(disruptionTargetPatch(*v, message, now));
  requests.push_back(listNominatedPodsRequest(node));
  auto marked = callApi(framework, requests);
  if (!marked.ok()) return StageStatus::error(marked.status().message());

  std::vector<const PodInfo*> toDelete;
  for (std::size_t i = 0; i < victims.size(); ++i) {
    const json::Value& a = marked->items()[i];
    if (succeeded(a)) {
      toDelete.push_back(victims[i].get());
    } else if (answerCode(a) != 404) {  // a victim already gone needs no eviction
      return StageStatus::error(answerError(a, "marking pod " + victims[i]->key() + " as a disruption target"));
    }
  }

  // 2. Evict.
  std::vector<const PodInfo*> deleted;
  if (!toDelete.empty()) {
    requests.clear();
    for (const PodInfo* v : toDelete) requests.push_back(deleteRequest(*v));
    auto answers = callApi(framework, requests);
    if (!answers.ok()) return StageStatus::error(answers.status().message());
    for (std::size_t i = 0; i < toDelete.size(); ++i) {
      const json::Value& a = answers->items()[i];
      if (succeeded(a))
        deleted.push_back(toDelete[i]);
      else if (answerCode(a) != 404)
        return StageStatus::error(answerError(a, "deleting pod " + toDelete[i]->key()));
    }
  }

  // 3. Tell the victims why, and free lower-priority pods nominated to the node to go
  // elsewhere (they may not fit there any more). Neither is critical: answers are not read.
  requests.clear();
  for (const PodInfo* v : deleted)
    requests.push_back(preemptedEvent(*v, pod, node, eventName(v->name), now, reportingInstance_));
  const json::Value& nominated = marked->items().back();
  if (succeeded(nominated)) {
    for (const json::Value& item : nominated["body"]["items"].items()) {
      const json::Value& metadata = item["metadata"];
      const json::Value& spec = item["spec"];
      if (!metadata["name"].isString() || !metadata["namespace"].isString()) continue;
      if (spec["nodeName"].isString() && !spec["nodeName"].asString().empty()) continue;  // bound meanwhile
      if (item["status"]["nominatedNodeName"].isString() && item["status"]["nominatedNodeName"].asString() != node)
        continue;
      const std::int64_t priority = spec["priority"].isNumber() ? spec["priority"].asInt() : 0;
      if (priority >= pod.priority) continue;
      requests.push_back(clearNominationPatch(metadata["namespace"].asString(), metadata["name"].asString(),
                                              metadata["uid"].isString() ? metadata["uid"].asString() : ""));
    }
  }
  if (!requests.empty()) (void)callApi(framework, requests);
  return {};
}

}  // namespace capstan::sched
