// batch/v1: Job and CronJob.

#include <algorithm>
#include <filesystem>

#include "kinds.h"
#include "schema/k8s/batch_v1.capnp.h"

namespace capstan::kube::kinds {

namespace {

namespace batch = ::capstan::k8s::batch::v1;

constexpr const char* kAgeDesc =
    "CreationTimestamp is a timestamp representing the server time when this object was created.";
constexpr const char* kControllerUid = "batch.kubernetes.io/controller-uid";
constexpr const char* kJobName = "batch.kubernetes.io/job-name";
constexpr const char* kLegacyControllerUid = "controller-uid";
constexpr const char* kLegacyJobName = "job-name";

// =======================================================================================
// JobSpec (shared by Jobs and CronJob job templates)

void defaultJobSpec(batch::JobSpec::Builder spec) {
  if (spec.getCompletions().isUnset() && spec.getParallelism().isUnset()) {
    spec.getCompletions().setValue(1);
    spec.getParallelism().setValue(1);
  }
  if (spec.getParallelism().isUnset()) spec.getParallelism().setValue(1);
  if (spec.getBackoffLimit().isUnset())
    spec.getBackoffLimit().setValue(spec.getBackoffLimitPerIndex().isValue() ? 2147483647 : 6);
  if (!spec.hasCompletionMode()) spec.setCompletionMode("NonIndexed");
  if (spec.getSuspend().isUnset()) spec.getSuspend().setValue(false);
  if (spec.hasPodFailurePolicy())
    for (auto rule : spec.getPodFailurePolicy().getRules())
      for (auto pattern : rule.getOnPodConditions())
        if (pattern.getStatus().size() == 0) pattern.setStatus("True");
  if (!spec.hasPodReplacementPolicy())
    spec.setPodReplacementPolicy(spec.hasPodFailurePolicy() ? "Failed" : "TerminatingOrFailed");
}

void validateJobSpecCommon(batch::JobSpec::Reader spec, const Path& p, Errors& errors) {
  auto nonNeg = [&](auto g, std::string_view child) {
    if (g.isValue()) checkNonNegative(g.getValue(), p.child(child), errors);
  };
  nonNeg(spec.getParallelism(), "parallelism");
  nonNeg(spec.getCompletions(), "completions");
  nonNeg(spec.getActiveDeadlineSeconds(), "activeDeadlineSeconds");
  nonNeg(spec.getBackoffLimit(), "backoffLimit");
  nonNeg(spec.getTtlSecondsAfterFinished(), "ttlSecondsAfterFinished");
  nonNeg(spec.getBackoffLimitPerIndex(), "backoffLimitPerIndex");
  nonNeg(spec.getMaxFailedIndexes(), "maxFailedIndexes");
  bool indexed = false;
  if (spec.hasCompletionMode()) {
    std::string_view mode = sv(spec.getCompletionMode());
    if (mode != "NonIndexed" && mode != "Indexed")
      errors.push_back(notSupported(p.child("completionMode"), goQuote(mode), {"NonIndexed", "Indexed"}));
    if (mode == "Indexed") {
      indexed = true;
      if (spec.getCompletions().isUnset())
        errors.push_back(required(p.child("completions"), "when completion mode is Indexed"));
      if (spec.getParallelism().isValue() && spec.getParallelism().getValue() > 100000)
        errors.push_back(invalidValue(p.child("parallelism"), std::to_string(spec.getParallelism().getValue()),
                                      "must be less than or equal to 100000 when completion mode is Indexed"));
    }
  }
  if (!indexed) {
    if (spec.getBackoffLimitPerIndex().isValue())
      errors.push_back(invalidValue(p.child("backoffLimitPerIndex"),
                                    std::to_string(spec.getBackoffLimitPerIndex().getValue()),
                                    "requires indexed completion mode"));
    if (spec.getMaxFailedIndexes().isValue())
      errors.push_back(invalidValue(p.child("maxFailedIndexes"), std::to_string(spec.getMaxFailedIndexes().getValue()),
                                    "requires indexed completion mode"));
  }
  if (spec.hasPodFailurePolicy()) {
    auto rules = spec.getPodFailurePolicy().getRules();
    Path rp = p.child("podFailurePolicy").child("rules");
    for (unsigned i = 0; i < rules.size(); ++i) {
      auto r = rules[i];
      std::string_view action = sv(r.getAction());
      if (action != "Count" && action != "FailIndex" && action != "FailJob" && action != "Ignore")
        errors.push_back(notSupported(rp.index(i).child("action"), goQuote(action),
                                      {"Count", "FailIndex", "FailJob", "Ignore"}));
      if (r.hasOnExitCodes() && r.getOnPodConditions().size() > 0)
        errors.push_back(invalidValue(rp.index(i), "batch.PodFailurePolicyRule{...}",
                                      "specifying both OnExitCodes and OnPodConditions is not supported"));
      if (!r.hasOnExitCodes() && r.getOnPodConditions().size() == 0)
        errors.push_back(invalidValue(rp.index(i), "batch.PodFailurePolicyRule{...}",
                                      "specifying one of OnExitCodes and OnPodConditions is required"));
    }
  }
  if (spec.hasPodReplacementPolicy()) {
    std::string_view prp = sv(spec.getPodReplacementPolicy());
    if (spec.hasPodFailurePolicy()) {
      if (prp != "Failed") errors.push_back(notSupported(p.child("podReplacementPolicy"), goQuote(prp), {"Failed"}));
    } else if (prp != "Failed" && prp != "TerminatingOrFailed") {
      errors.push_back(notSupported(p.child("podReplacementPolicy"), goQuote(prp), {"Failed", "TerminatingOrFailed"}));
    }
  }
  validatePodTemplateSpec(spec.getTemplate(), p.child("template"), errors, true);
  std::string_view rp = sv(spec.getTemplate().getSpec().getRestartPolicy());
  Path rpp = p.child("template").child("spec").child("restartPolicy");
  if (rp == "Always" || rp.empty()) {
    errors.push_back(required(rpp, "valid values: \"OnFailure\", \"Never\""));
  } else if (rp != "OnFailure" && rp != "Never") {
    errors.push_back(notSupported(rpp, goQuote(rp), {"OnFailure", "Never"}));
  } else if (spec.hasPodFailurePolicy() && rp != "Never") {
    errors.push_back(invalidValue(rpp, goQuote(rp), "only \"Never\" is supported when podFailurePolicy is specified"));
  }
}

// =======================================================================================
// Job

void jobDefaults(capnp::AnyStruct::Builder object) {
  auto spec = object.as<batch::Job>().getSpec();
  defaultJobSpec(spec);
  defaultPodTemplate(spec.getTemplate(), true);
}

void jobPrepareCreate(capnp::AnyStruct::Builder object) {
  auto job = object.as<batch::Job>();
  auto meta = job.getMetadata();
  auto spec = job.getSpec();
  job.initStatus();
  bool manual = spec.getManualSelector().isValue() && spec.getManualSelector().getValue();
  if (!manual) {
    // generateSelector: the pods carry the job's name and a uid, and the selector picks the uid.
    std::string uid = str(meta.getUid());
    if (spec.hasSelector())
      if (auto v = lookup(spec.getSelector().getMatchLabels(), kControllerUid)) uid = std::string(*v);
    if (uid.empty()) uid = randomUuid();
    auto tmeta = spec.getTemplate().getMetadata();
    KeyValues labels = toKeyValues(tmeta.getLabels().asReader());
    auto ensure = [&](const char* key, const std::string& value) {
      for (auto& kv : labels)
        if (kv.first == key) return;
      labels.emplace_back(key, value);
    };
    std::string name = str(meta.getName());
    ensure(kLegacyJobName, name);
    ensure(kJobName, name);
    ensure(kLegacyControllerUid, uid);
    ensure(kControllerUid, uid);
    writeEntries(labels, [&](unsigned n) { return tmeta.initLabels(n); });
    auto selector = spec.hasSelector() ? spec.getSelector() : spec.initSelector();
    KeyValues match = toKeyValues(selector.getMatchLabels().asReader());
    bool found = false;
    for (auto& kv : match)
      if (kv.first == kControllerUid) found = true;
    if (!found) {
      match.emplace_back(kControllerUid, uid);
      writeEntries(match, [&](unsigned n) { return selector.initMatchLabels(n); });
    }
  }
  // SetDefaults_Job copies the template's labels to a Job that has none.
  if (meta.getLabels().size() == 0 && spec.getTemplate().getMetadata().hasLabels())
    meta.setLabels(spec.getTemplate().getMetadata().getLabels().asReader());
}

void jobValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto job = object.as<batch::Job>();
  auto spec = job.getSpec();
  auto meta = job.getMetadata();
  Path p("spec");
  bool manual = spec.getManualSelector().isValue() && spec.getManualSelector().getValue();
  // validateGeneratedSelector (the uid is the one the selector was generated with).
  if (!manual && spec.hasSelector()) {
    std::string uid = str(meta.getUid());
    if (auto v = lookup(spec.getSelector().getMatchLabels(), kControllerUid)) uid = std::string(*v);
    auto tmeta = spec.getTemplate().getMetadata();
    Path tp = Path("spec").child("template").child("metadata");
    auto hasLabel = [&](const char* key, const std::string& expected) {
      auto v = lookup(tmeta.getLabels(), key);
      if (!v)
        errors.push_back(required(tp.child("labels").key(key), "must be '" + expected + "'"));
      else if (*v != expected)
        errors.push_back(invalidValue(tp.child("labels").key(key), goStringMap(tmeta.hasLabels(), tmeta.getLabels()),
                                      "must be '" + expected + "'"));
    };
    std::string name = str(meta.getName());
    hasLabel(kLegacyControllerUid, uid);
    hasLabel(kLegacyJobName, name);
    hasLabel(kControllerUid, uid);
    hasLabel(kJobName, name);
    capnp::MallocMessageBuilder scratch;
    auto expected = scratch.initRoot<meta::ObjectMeta>();
    writeEntries({{kControllerUid, uid}, {kJobName, name}}, [&](unsigned n) { return expected.initLabels(n); });
    if (!selectorMatches(spec.getSelector(), expected.asReader().getLabels()))
      errors.push_back(invalidValue(p.child("selector"), goLabelSelector(spec.getSelector()), "`selector` not auto-generated"));
  }
  validateJobSpecCommon(spec, p, errors);
  if (!spec.hasSelector())
    errors.push_back(required(p.child("selector")));
  else
    validateLabelSelector(spec.getSelector(), p.child("selector"), errors);
  // A missing selector selects nothing, so it never matches the template.
  auto labels = spec.getTemplate().getMetadata().getLabels();
  if (!spec.hasSelector() || !selectorMatches(spec.getSelector(), labels))
    errors.push_back(invalidValue(p.child("template").child("metadata").child("labels"),
                                  goStringMap(spec.getTemplate().getMetadata().hasLabels(), labels),
                                  "`selector` does not match template `labels`"));
  if (sv(spec.getCompletionMode()) == "Indexed" && spec.getCompletions().isValue() &&
      spec.getCompletions().getValue() > 0) {
    std::string host = str(meta.getName()) + "-" + std::to_string(spec.getCompletions().getValue() - 1);
    if (!isDNS1123Label(host).empty())
      errors.push_back(invalidValue(Path("metadata").child("name"), goQuote(sv(meta.getName())),
                                    "will not able to create pod with invalid DNS label: " + host));
  }
}

void jobValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto oldJob = oldObject.as<batch::Job>();
  auto o = oldJob.getSpec();
  auto n = newObject.as<batch::Job>().getSpec();
  Path p("spec");
  bool indexed = sv(n.getCompletionMode()) == "Indexed";
  if (!indexed) {
    bool same = o.getCompletions().isValue() == n.getCompletions().isValue() &&
                (!o.getCompletions().isValue() || o.getCompletions().getValue() == n.getCompletions().getValue());
    checkImmutable(same, p.child("completions"),
                   n.getCompletions().isValue() ? std::to_string(n.getCompletions().getValue()) : "null", errors);
  }
  if (!sameSelector(o.hasSelector(), o.getSelector(), n.hasSelector(), n.getSelector()))
    errors.push_back(invalidValue(p.child("selector"), n.hasSelector() ? goLabelSelector(n.getSelector()) : "null",
                                  "field is immutable"));
  // The template is immutable, except the scheduling directives of a suspended Job that never started.
  bool suspended = o.getSuspend().isValue() && o.getSuspend().getValue() && n.getSuspend().isValue() &&
                   n.getSuspend().getValue();
  bool notStarted = oldJob.getStatus().getStartTime().size() == 0;
  capnp::MallocMessageBuilder message;
  message.setRoot(o.getTemplate());
  auto old = message.getRoot<core::PodTemplateSpec>();
  auto nt = n.getTemplate();
  if (suspended && notStarted) {
    auto os = old.getSpec();
    auto ns = nt.getSpec();
    if (ns.hasAffinity()) {
      auto aff = os.hasAffinity() ? os.getAffinity() : os.initAffinity();
      if (ns.getAffinity().hasNodeAffinity())
        aff.setNodeAffinity(ns.getAffinity().getNodeAffinity());
      else if (aff.hasNodeAffinity())
        aff.disownNodeAffinity();
    } else if (os.hasAffinity()) {
      auto aff = os.getAffinity();
      if (aff.hasNodeAffinity()) aff.disownNodeAffinity();
      if (!aff.hasPodAffinity() && !aff.hasPodAntiAffinity()) os.disownAffinity();
    }
    if (ns.hasNodeSelector()) os.setNodeSelector(ns.getNodeSelector()); else if (os.hasNodeSelector()) os.disownNodeSelector();
    if (ns.hasTolerations()) os.setTolerations(ns.getTolerations()); else if (os.hasTolerations()) os.disownTolerations();
    if (ns.hasSchedulingGates()) os.setSchedulingGates(ns.getSchedulingGates()); else if (os.hasSchedulingGates()) os.disownSchedulingGates();
    auto om = old.getMetadata();
    if (nt.getMetadata().hasLabels()) om.setLabels(nt.getMetadata().getLabels()); else if (om.hasLabels()) om.disownLabels();
    if (nt.getMetadata().hasAnnotations()) om.setAnnotations(nt.getMetadata().getAnnotations()); else if (om.hasAnnotations()) om.disownAnnotations();
  }
  if (!same(old.asReader(), nt)) errors.push_back(invalidValue(p.child("template"), "core.PodTemplateSpec{...}", "field is immutable"));
  if (sv(o.getCompletionMode()) != sv(n.getCompletionMode()))
    errors.push_back(invalidValue(p.child("completionMode"), goQuote(sv(n.getCompletionMode())), "field is immutable"));
  if (o.hasPodFailurePolicy() != n.hasPodFailurePolicy() ||
      (o.hasPodFailurePolicy() && !same(o.getPodFailurePolicy(), n.getPodFailurePolicy())))
    errors.push_back(invalidValue(p.child("podFailurePolicy"), "batch.PodFailurePolicy{...}", "field is immutable"));
  auto ob = o.getBackoffLimitPerIndex(), nb = n.getBackoffLimitPerIndex();
  if (ob.isValue() != nb.isValue() || (ob.isValue() && ob.getValue() != nb.getValue()))
    errors.push_back(invalidValue(p.child("backoffLimitPerIndex"), nb.isValue() ? std::to_string(nb.getValue()) : "null",
                                  "field is immutable"));
}

void jobIndexes(capnp::AnyStruct::Reader object, std::map<std::string, std::string>& out) {
  out["status.successful"] = std::to_string(object.as<batch::Job>().getStatus().getSucceeded());
}

constexpr TableColumn kJobColumns[] = {
    {"Status", "string", "", "Status of the job.", 0},
    {"Completions", "string", "", "The number of pods which reached phase Succeeded.", 0},
    {"Duration", "string", "", "Time required to complete the job.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Containers", "string", "", "Names of each container in the template.", 1},
    {"Images", "string", "", "Images referenced by each container in the template.", 1},
    {"Selector", "string", "", "A label query over pods that should match the pod count.", 1},
};

void jobRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto job = object.as<batch::Job>();
  auto spec = job.getSpec();
  auto status = job.getStatus();
  std::string completions;
  std::string succeeded = std::to_string(status.getSucceeded());
  if (spec.getCompletions().isValue()) {
    completions = succeeded + "/" + std::to_string(spec.getCompletions().getValue());
  } else {
    std::int32_t parallelism = spec.getParallelism().isValue() ? spec.getParallelism().getValue() : 0;
    completions = parallelism > 1 ? succeeded + "/1 of " + std::to_string(parallelism) : succeeded + "/1";
  }
  std::string duration;
  auto start = parseTime(sv(status.getStartTime()));
  if (start) {
    auto done = parseTime(sv(status.getCompletionTime()));
    duration = humanDuration(done ? *done - *start : nowSeconds() - *start);
  }
  auto condition = [&](std::string_view type) {
    for (auto c : status.getConditions())
      if (sv(c.getType()) == type) return sv(c.getStatus()) == "True";
    return false;
  };
  std::string st;
  if (condition("Complete"))
    st = "Complete";
  else if (condition("Failed"))
    st = "Failed";
  else if (job.getMetadata().hasDeletionTimestamp())
    st = "Terminating";
  else if (condition("Suspended"))
    st = "Suspended";
  else if (condition("FailureTarget"))
    st = "FailureTarget";
  else
    st = "Running";
  w.string(st);
  w.string(completions);
  w.string(duration);
  w.string(age);
  auto [names, images] = containerCells(spec.getTemplate().getSpec().getContainers());
  w.string(names);
  w.string(images);
  w.string(formatLabelSelector(spec.hasSelector(), spec.getSelector()));
}

// =======================================================================================
// CronJob

void cronJobDefaults(capnp::AnyStruct::Builder object) {
  auto spec = object.as<batch::CronJob>().getSpec();
  if (spec.getConcurrencyPolicy().size() == 0) spec.setConcurrencyPolicy("Allow");
  if (spec.getSuspend().isUnset()) spec.getSuspend().setValue(false);
  if (spec.getSuccessfulJobsHistoryLimit().isUnset()) spec.getSuccessfulJobsHistoryLimit().setValue(3);
  if (spec.getFailedJobsHistoryLimit().isUnset()) spec.getFailedJobsHistoryLimit().setValue(1);
  defaultPodTemplate(spec.getJobTemplate().getSpec().getTemplate(), true);
}

void cronJobPrepareCreate(capnp::AnyStruct::Builder object) { object.as<batch::CronJob>().initStatus(); }

bool validTimeZonePart(std::string_view part) {
  if (part.empty() || part.size() > 14 || part == "." || part == ".." || part.front() == '-') return false;
  for (char c : part)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_' && c != '+') return false;
  return true;
}

void validateCronJobSpec(batch::CronJobSpec::Reader spec, bool allowTZ, bool checkTimeZone, Errors& errors) {
  Path p("spec");
  std::string_view schedule = sv(spec.getSchedule());
  if (schedule.empty()) {
    errors.push_back(required(p.child("schedule")));
  } else {
    if (auto e = cronError(schedule)) errors.push_back(invalidValue(p.child("schedule"), goQuote(schedule), *e));
    bool tz = schedule.find("TZ") != std::string_view::npos;
    if (allowTZ && tz && spec.hasTimeZone())
      errors.push_back(invalidValue(p.child("schedule"), goQuote(schedule),
                                    "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
    else if (!allowTZ && tz)
      errors.push_back(invalidValue(p.child("schedule"), goQuote(schedule),
                                    "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  }
  if (spec.getStartingDeadlineSeconds().isValue())
    checkNonNegative(spec.getStartingDeadlineSeconds().getValue(), p.child("startingDeadlineSeconds"), errors);
  if (checkTimeZone && spec.hasTimeZone()) {
    std::string_view tz = sv(spec.getTimeZone());
    Path tzp = p.child("timeZone");
    if (tz.empty()) {
      errors.push_back(invalidValue(tzp, "\"\"", "timeZone must be nil or non-empty string"));
    } else {
      bool ok = true;
      std::size_t start = 0;
      while (ok) {
        std::size_t slash = tz.find('/', start);
        ok = validTimeZonePart(tz.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
      }
      std::string lowerTz(tz);
      for (auto& c : lowerTz) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (!ok) {
        errors.push_back(invalidValue(tzp, goQuote(tz), "unknown time zone " + std::string(tz)));
      } else {
        if (lowerTz == "local")
          errors.push_back(invalidValue(tzp, goQuote(tz),
                                        "timeZone must be an explicit time zone as defined in "
                                        "https://www.iana.org/time-zones"));
        std::error_code ec;
        if (tz != "UTC" && lowerTz != "local" &&
            !std::filesystem::is_regular_file(std::filesystem::path("/usr/share/zoneinfo") / std::string(tz), ec))
          errors.push_back(invalidValue(tzp, goQuote(tz), "unknown time zone " + std::string(tz)));
      }
    }
  }
  std::string_view cp = sv(spec.getConcurrencyPolicy());
  if (cp.empty())
    errors.push_back(required(p.child("concurrencyPolicy")));
  else if (cp != "Allow" && cp != "Forbid" && cp != "Replace")
    errors.push_back(notSupported(p.child("concurrencyPolicy"), goQuote(cp), {"Allow", "Forbid", "Replace"}));
  auto jt = spec.getJobTemplate();
  Path jp = p.child("jobTemplate");
  validateJobSpecCommon(jt.getSpec(), jp.child("spec"), errors);
  if (jt.getSpec().hasSelector())
    errors.push_back(invalidValue(jp.child("spec").child("selector"), goLabelSelector(jt.getSpec().getSelector()),
                                  "`selector` will be auto-generated"));
  if (jt.getSpec().getManualSelector().isValue() && jt.getSpec().getManualSelector().getValue())
    errors.push_back(notSupported(jp.child("spec").child("manualSelector"), "true", {"nil", "false"}));
  if (spec.getSuccessfulJobsHistoryLimit().isValue())
    checkNonNegative(spec.getSuccessfulJobsHistoryLimit().getValue(), p.child("successfulJobsHistoryLimit"), errors);
  if (spec.getFailedJobsHistoryLimit().isValue())
    checkNonNegative(spec.getFailedJobsHistoryLimit().getValue(), p.child("failedJobsHistoryLimit"), errors);
}

void cronJobValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto cj = object.as<batch::CronJob>();
  if (cj.getMetadata().getName().size() > 52)
    errors.push_back(invalidValue(Path("metadata").child("name"), goQuote(sv(cj.getMetadata().getName())),
                                  "must be no more than 52 characters"));
  validateCronJobSpec(cj.getSpec(), false, true, errors);
}

void cronJobValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  // The update rules differ from create only in what they tolerate: a schedule that already
  // used TZ may keep it, and an unchanged time zone is not re-checked. Redo the spec checks
  // under those rules and drop what plain validation reported for the same fields.
  auto o = oldObject.as<batch::CronJob>().getSpec();
  auto n = newObject.as<batch::CronJob>().getSpec();
  bool allowTZ = sv(o.getSchedule()).find("TZ") != std::string_view::npos;
  bool sameTz = o.hasTimeZone() == n.hasTimeZone() && sv(o.getTimeZone()) == sv(n.getTimeZone());
  if (!allowTZ && !sameTz) return;  // plain validation already said it all
  Errors relaxed;
  validateCronJobSpec(n, allowTZ, !sameTz, relaxed);
  auto isScheduleOrTz = [](const FieldError& e) { return e.field == "spec.schedule" || e.field == "spec.timeZone"; };
  errors.erase(std::remove_if(errors.begin(), errors.end(), isScheduleOrTz), errors.end());
  for (auto& e : relaxed)
    if (isScheduleOrTz(e)) errors.push_back(e);
}

constexpr TableColumn kCronJobColumns[] = {
    {"Schedule", "string", "", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", 0},
    {"Timezone", "string", "", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.", 0},
    {"Suspend", "boolean", "", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.", 0},
    {"Active", "integer", "", "A list of pointers to currently running jobs.", 0},
    {"Last Schedule", "string", "", "Information when was the last time the job was successfully scheduled.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Containers", "string", "", "Names of each container in the template.", 1},
    {"Images", "string", "", "Images referenced by each container in the template.", 1},
    {"Selector", "string", "", "A label query over pods that should match the pod count.", 1},
};

void cronJobRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto cj = object.as<batch::CronJob>();
  auto spec = cj.getSpec();
  auto status = cj.getStatus();
  w.string(sv(spec.getSchedule()));
  w.string(spec.hasTimeZone() ? str(spec.getTimeZone()) : "<none>");
  w.string(spec.getSuspend().isValue() ? (spec.getSuspend().getValue() ? "True" : "False") : "<unset>");
  w.integer(status.getActive().size());
  w.string(status.getLastScheduleTime().size() > 0 ? since(sv(status.getLastScheduleTime())) : "<none>");
  w.string(age);
  auto jspec = spec.getJobTemplate().getSpec();
  auto [names, images] = containerCells(jspec.getTemplate().getSpec().getContainers());
  w.string(names);
  w.string(images);
  w.string(formatLabelSelector(jspec.hasSelector(), jspec.getSelector()));
}

}  // namespace

const KindHooks kJobHooks{jobDefaults, jobValidate, jobValidateUpdate, jobPrepareCreate, jobIndexes, kJobColumns, jobRow};
const KindHooks kCronJobHooks{cronJobDefaults, cronJobValidate, cronJobValidateUpdate, cronJobPrepareCreate,
                              nullptr,         kCronJobColumns, cronJobRow};

}  // namespace capstan::kube::kinds
