// apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision.

#include "kinds.h"
#include "schema/k8s/apps_v1.capnp.h"

namespace capstan::kube::kinds {

namespace {

namespace apps = ::capstan::k8s::apps::v1;

constexpr const char* kAgeDesc =
    "CreationTimestamp is a timestamp representing the server time when this object was created.";
constexpr const char* kContainersDesc = "Names of each container in the template.";
constexpr const char* kImagesDesc = "Images referenced by each container in the template.";

// getIntOrPercentValue: the number, or the percentage for a valid percent string.
int intOrPercent(meta::IntOrString::Reader v) {
  if (v.isIntVal()) return v.getIntVal();
  std::string_view s = sv(v.getStrVal());
  if (!isValidPercent(s).empty()) return 0;  // IntValue() of a non-number string
  return std::stoi(std::string(s.substr(0, s.size() - 1)));
}

void validatePositiveIntOrPercent(meta::IntOrString::Reader v, const Path& p, Errors& errors) {
  if (v.isStrVal()) {
    for (auto& m : isValidPercent(sv(v.getStrVal()))) errors.push_back(invalidValue(p, goIntOrString(v), m));
  } else {
    checkNonNegative(v.getIntVal(), p, errors);
  }
}

void notMoreThan100Percent(meta::IntOrString::Reader v, const Path& p, Errors& errors) {
  if (!v.isStrVal() || !isValidPercent(sv(v.getStrVal())).empty()) return;
  if (intOrPercent(v) > 100) errors.push_back(invalidValue(p, goIntOrString(v), "must not be greater than 100%"));
}

// The selector checks shared by the replicated kinds (required, valid, non-empty).
bool validateSelector(bool has, meta::LabelSelector::Reader s, std::string_view kindWord, const Path& p,
                      Errors& errors) {
  if (!has) {
    errors.push_back(required(p));
    return false;
  }
  validateLabelSelector(s, p, errors);
  if (selectorEmpty(s))
    errors.push_back(invalidValue(p, goLabelSelector(s), "empty selector is invalid for " + std::string(kindWord)));
  return true;
}

bool selectorValid(meta::LabelSelector::Reader s) {
  for (auto e : s.getMatchExpressions()) {
    std::string_view op = sv(e.getOperator());
    unsigned n = e.getValues().size();
    if ((op == "In" || op == "NotIn") && n == 0) return false;
    if ((op == "Exists" || op == "DoesNotExist") && n != 0) return false;
    if (op != "In" && op != "NotIn" && op != "Exists" && op != "DoesNotExist") return false;
    if (!isQualifiedName(sv(e.getKey())).empty()) return false;
    for (auto v : e.getValues())
      if (!isValidLabelValue(sv(v)).empty()) return false;
  }
  for (auto e : s.getMatchLabels())
    if (!isQualifiedName(sv(e.getKey())).empty() || !isValidLabelValue(sv(e.getValue())).empty()) return false;
  return true;
}

// ValidatePodTemplateSpecForReplicaSet (Deployments and ReplicaSets).
void validateTemplateForReplicaSet(bool hasSelector, meta::LabelSelector::Reader s, core::PodTemplateSpec::Reader t,
                                   std::string_view kind, const Path& p, Errors& errors) {
  // A missing selector selects nothing (labels.Nothing()), so it never matches.
  auto labels = t.getMetadata().getLabels();
  if (!hasSelector || (!selectorEmpty(s) && !selectorMatches(s, labels)))
    errors.push_back(invalidValue(p.child("metadata").child("labels"),
                                  goStringMap(t.getMetadata().hasLabels(), labels),
                                  "`selector` does not match template `labels`"));
  validatePodTemplateSpec(t, p, errors);
  std::string_view rp = sv(t.getSpec().getRestartPolicy());
  if (rp != "Always") errors.push_back(notSupported(p.child("spec").child("restartPolicy"), goQuote(rp), {"Always"}));
  if (t.getSpec().getActiveDeadlineSeconds().isValue())
    errors.push_back(forbiddenField(p.child("spec").child("activeDeadlineSeconds"),
                                    "activeDeadlineSeconds in " + std::string(kind) + " is not Supported"));
}

void checkSelectorImmutable(bool hasOld, meta::LabelSelector::Reader o, bool hasNew, meta::LabelSelector::Reader n,
                            Errors& errors) {
  if (!sameSelector(hasOld, o, hasNew, n))
    errors.push_back(invalidValue("spec.selector", hasNew ? goLabelSelector(n) : "null", "field is immutable"));
}

// =======================================================================================
// Deployment

void deploymentDefaults(capnp::AnyStruct::Builder object) {
  auto spec = object.as<apps::Deployment>().getSpec();
  if (spec.getReplicas().isUnset()) spec.getReplicas().setValue(1);
  auto strategy = spec.getStrategy();
  if (strategy.getType().size() == 0) strategy.setType("RollingUpdate");
  if (sv(strategy.getType()) == "RollingUpdate") {
    auto ru = strategy.hasRollingUpdate() ? strategy.getRollingUpdate() : strategy.initRollingUpdate();
    if (!ru.hasMaxUnavailable()) ru.initMaxUnavailable().setStrVal("25%");
    if (!ru.hasMaxSurge()) ru.initMaxSurge().setStrVal("25%");
  }
  if (spec.getRevisionHistoryLimit().isUnset()) spec.getRevisionHistoryLimit().setValue(10);
  if (spec.getProgressDeadlineSeconds().isUnset()) spec.getProgressDeadlineSeconds().setValue(600);
  defaultPodTemplate(spec.getTemplate());
}

void deploymentPrepareCreate(capnp::AnyStruct::Builder object) { object.as<apps::Deployment>().initStatus(); }

void deploymentValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = object.as<apps::Deployment>().getSpec();
  Path p("spec");
  std::int32_t replicas = spec.getReplicas().isValue() ? spec.getReplicas().getValue() : 0;
  checkNonNegative(replicas, p.child("replicas"), errors);
  bool has = validateSelector(spec.hasSelector(), spec.getSelector(), "deployment", p.child("selector"), errors);
  if (has && !selectorValid(spec.getSelector())) {
    errors.push_back(invalidValue(p.child("selector"), goLabelSelector(spec.getSelector()), "invalid label selector"));
  } else {
    validateTemplateForReplicaSet(has, spec.getSelector(), spec.getTemplate(), "ReplicaSet", p.child("template"), errors);
  }
  auto strategy = spec.getStrategy();
  Path sp = p.child("strategy");
  std::string_view type = sv(strategy.getType());
  if (type == "Recreate") {
    if (strategy.hasRollingUpdate())
      errors.push_back(forbiddenField(sp.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type == "RollingUpdate") {
    if (!strategy.hasRollingUpdate()) {
      errors.push_back(required(sp.child("rollingUpdate"), "this should be defaulted and never be nil"));
    } else {
      auto ru = strategy.getRollingUpdate();
      Path rp = sp.child("rollingUpdate");
      validatePositiveIntOrPercent(ru.getMaxUnavailable(), rp.child("maxUnavailable"), errors);
      validatePositiveIntOrPercent(ru.getMaxSurge(), rp.child("maxSurge"), errors);
      if (intOrPercent(ru.getMaxUnavailable()) == 0 && intOrPercent(ru.getMaxSurge()) == 0)
        errors.push_back(invalidValue(rp.child("maxUnavailable"), goIntOrString(ru.getMaxUnavailable()),
                                      "may not be 0 when `maxSurge` is 0"));
      notMoreThan100Percent(ru.getMaxUnavailable(), rp.child("maxUnavailable"), errors);
    }
  } else {
    std::string ru = strategy.hasRollingUpdate() ? "(*apps.RollingUpdateDeployment)(0x1)" : "(*apps.RollingUpdateDeployment)(nil)";
    errors.push_back(notSupported(sp, "apps.DeploymentStrategy{Type:" + goQuote(type) + ", RollingUpdate:" + ru + "}",
                                  {"Recreate", "RollingUpdate"}));
  }
  checkNonNegative(spec.getMinReadySeconds(), p.child("minReadySeconds"), errors);
  if (spec.getRevisionHistoryLimit().isValue())
    checkNonNegative(spec.getRevisionHistoryLimit().getValue(), p.child("revisionHistoryLimit"), errors);
  if (spec.getProgressDeadlineSeconds().isValue()) {
    std::int32_t v = spec.getProgressDeadlineSeconds().getValue();
    checkNonNegative(v, p.child("progressDeadlineSeconds"), errors);
    if (v <= spec.getMinReadySeconds())
      errors.push_back(invalidValue(p.child("progressDeadlineSeconds"), std::to_string(v),
                                    "must be greater than minReadySeconds"));
  }
}

void deploymentValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = oldObject.as<apps::Deployment>().getSpec();
  auto n = newObject.as<apps::Deployment>().getSpec();
  checkSelectorImmutable(o.hasSelector(), o.getSelector(), n.hasSelector(), n.getSelector(), errors);
}

constexpr TableColumn kDeploymentColumns[] = {
    {"Ready", "string", "", "Number of the pod with ready state", 0},
    {"Up-to-date", "string", "", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", 0},
    {"Available", "string", "", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Containers", "string", "", kContainersDesc, 1},
    {"Images", "string", "", kImagesDesc, 1},
    {"Selector", "string", "", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.", 1},
};

void deploymentRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto d = object.as<apps::Deployment>();
  auto spec = d.getSpec();
  auto status = d.getStatus();
  std::int32_t desired = spec.getReplicas().isValue() ? spec.getReplicas().getValue() : 0;
  w.string(std::to_string(status.getReadyReplicas()) + "/" + std::to_string(desired));
  w.integer(status.getUpdatedReplicas());
  w.integer(status.getAvailableReplicas());
  w.string(age);
  auto [names, images] = containerCells(spec.getTemplate().getSpec().getContainers());
  w.string(names);
  w.string(images);
  w.string(!spec.hasSelector() ? "" : selectorValid(spec.getSelector()) ? selectorString(spec.getSelector()) : "<invalid>");
}

// =======================================================================================
// ReplicaSet

void replicaSetDefaults(capnp::AnyStruct::Builder object) {
  auto spec = object.as<apps::ReplicaSet>().getSpec();
  if (spec.getReplicas().isUnset()) spec.getReplicas().setValue(1);
  defaultPodTemplate(spec.getTemplate());
}

void replicaSetPrepareCreate(capnp::AnyStruct::Builder object) { object.as<apps::ReplicaSet>().initStatus(); }

void replicaSetValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = object.as<apps::ReplicaSet>().getSpec();
  Path p("spec");
  checkNonNegative(spec.getReplicas().isValue() ? spec.getReplicas().getValue() : 0, p.child("replicas"), errors);
  checkNonNegative(spec.getMinReadySeconds(), p.child("minReadySeconds"), errors);
  bool has = validateSelector(spec.hasSelector(), spec.getSelector(), "deployment", p.child("selector"), errors);
  if (has && !selectorValid(spec.getSelector()))
    errors.push_back(invalidValue(p.child("selector"), goLabelSelector(spec.getSelector()), "invalid label selector"));
  else
    validateTemplateForReplicaSet(has, spec.getSelector(), spec.getTemplate(), "ReplicaSet", p.child("template"), errors);
}

void replicaSetValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = oldObject.as<apps::ReplicaSet>().getSpec();
  auto n = newObject.as<apps::ReplicaSet>().getSpec();
  checkSelectorImmutable(o.hasSelector(), o.getSelector(), n.hasSelector(), n.getSelector(), errors);
}

void replicaSetIndexes(capnp::AnyStruct::Reader object, std::map<std::string, std::string>& out) {
  out["status.replicas"] = std::to_string(object.as<apps::ReplicaSet>().getStatus().getReplicas());
}

constexpr TableColumn kReplicaSetColumns[] = {
    {"Desired", "integer", "", "Replicas is the number of desired replicas.", 0},
    {"Current", "integer", "", "Replicas is the most recently observed number of replicas.", 0},
    {"Ready", "integer", "", "The number of ready replicas for this replica set.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Containers", "string", "", kContainersDesc, 1},
    {"Images", "string", "", kImagesDesc, 1},
    {"Selector", "string", "", "Selector is a label query over pods that should match the replica count.", 1},
};

void replicaSetRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto rs = object.as<apps::ReplicaSet>();
  auto spec = rs.getSpec();
  w.integer(spec.getReplicas().isValue() ? spec.getReplicas().getValue() : 0);
  w.integer(rs.getStatus().getReplicas());
  w.integer(rs.getStatus().getReadyReplicas());
  w.string(age);
  auto [names, images] = containerCells(spec.getTemplate().getSpec().getContainers());
  w.string(names);
  w.string(images);
  w.string(formatLabelSelector(spec.hasSelector(), spec.getSelector()));
}

// =======================================================================================
// StatefulSet

void statefulSetDefaults(capnp::AnyStruct::Builder object) {
  auto spec = object.as<apps::StatefulSet>().getSpec();
  if (spec.getPodManagementPolicy().size() == 0) spec.setPodManagementPolicy("OrderedReady");
  auto us = spec.getUpdateStrategy();
  if (us.getType().size() == 0) {
    us.setType("RollingUpdate");
    if (!us.hasRollingUpdate()) us.initRollingUpdate();
  }
  if (sv(us.getType()) == "RollingUpdate" && us.hasRollingUpdate()) {
    auto ru = us.getRollingUpdate();
    if (ru.getPartition().isUnset()) ru.getPartition().setValue(0);
  }
  auto policy = spec.hasPersistentVolumeClaimRetentionPolicy() ? spec.getPersistentVolumeClaimRetentionPolicy()
                                                                 : spec.initPersistentVolumeClaimRetentionPolicy();
  if (policy.getWhenDeleted().size() == 0) policy.setWhenDeleted("Retain");
  if (policy.getWhenScaled().size() == 0) policy.setWhenScaled("Retain");
  if (spec.getReplicas().isUnset()) spec.getReplicas().setValue(1);
  if (spec.getRevisionHistoryLimit().isUnset()) spec.getRevisionHistoryLimit().setValue(10);
  defaultPodTemplate(spec.getTemplate());
  for (auto pvc : spec.getVolumeClaimTemplates()) {
    defaultPvcSpec(pvc.getSpec());
    if (pvc.getStatus().getPhase().size() == 0) pvc.getStatus().setPhase("Pending");
  }
}

void statefulSetPrepareCreate(capnp::AnyStruct::Builder object) { object.as<apps::StatefulSet>().initStatus(); }

void statefulSetValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = object.as<apps::StatefulSet>().getSpec();
  Path p("spec");
  std::string_view pmp = sv(spec.getPodManagementPolicy());
  if (pmp.empty())
    errors.push_back(required(p.child("podManagementPolicy")));
  else if (pmp != "OrderedReady" && pmp != "Parallel")
    errors.push_back(invalidValue(p.child("podManagementPolicy"), goQuote(pmp), "must be 'OrderedReady' or 'Parallel'"));

  auto us = spec.getUpdateStrategy();
  std::string_view ust = sv(us.getType());
  if (ust.empty()) {
    errors.push_back(required(p.child("updateStrategy")));
  } else if (ust == "OnDelete") {
    if (us.hasRollingUpdate())
      errors.push_back(invalidValue(p.child("updateStrategy").child("rollingUpdate"),
                                    "apps.RollingUpdateStatefulSetStrategy{...}",
                                    "only allowed for updateStrategy 'RollingUpdate'"));
  } else if (ust == "RollingUpdate") {
    if (us.hasRollingUpdate()) {
      auto ru = us.getRollingUpdate();
      Path rp = p.child("updateStrategy").child("rollingUpdate");
      checkNonNegative(ru.getPartition().isValue() ? ru.getPartition().getValue() : 0, rp.child("partition"), errors);
      if (ru.hasMaxUnavailable()) {
        validatePositiveIntOrPercent(ru.getMaxUnavailable(), rp.child("maxUnavailable"), errors);
        if (intOrPercent(ru.getMaxUnavailable()) == 0)
          errors.push_back(invalidValue(rp.child("maxUnavailable"), goIntOrString(ru.getMaxUnavailable()), "cannot be 0"));
        notMoreThan100Percent(ru.getMaxUnavailable(), rp.child("maxUnavailable"), errors);
      }
    }
  } else {
    errors.push_back(invalidValue(p.child("updateStrategy"),
                                  "apps.StatefulSetUpdateStrategy{Type:" + goQuote(ust) + ", RollingUpdate:" +
                                      (us.hasRollingUpdate() ? "(*apps.RollingUpdateStatefulSetStrategy)(0x1)"
                                                             : "(*apps.RollingUpdateStatefulSetStrategy)(nil)") +
                                      "}",
                                  "must be 'RollingUpdate' or 'OnDelete'"));
  }
  if (spec.hasPersistentVolumeClaimRetentionPolicy()) {
    auto pol = spec.getPersistentVolumeClaimRetentionPolicy();
    auto check = [&](std::string_view v, std::string_view child) {
      if (v != "Retain" && v != "Delete")
        errors.push_back(notSupported(p.child("persistentVolumeClaimRetentionPolicy").child(child), goQuote(v),
                                      {"Retain", "Delete"}));
    };
    check(sv(pol.getWhenDeleted()), "whenDeleted");
    check(sv(pol.getWhenScaled()), "whenScaled");
  }
  checkNonNegative(spec.getReplicas().isValue() ? spec.getReplicas().getValue() : 0, p.child("replicas"), errors);
  checkNonNegative(spec.getMinReadySeconds(), p.child("minReadySeconds"), errors);
  if (spec.hasOrdinals()) checkNonNegative(spec.getOrdinals().getStart(), p.child("ordinals.start"), errors);
  bool has = validateSelector(spec.hasSelector(), spec.getSelector(), "statefulset", p.child("selector"), errors);
  auto t = spec.getTemplate();
  if (has && !selectorValid(spec.getSelector())) {
    errors.push_back(invalidValue(p.child("selector"), goLabelSelector(spec.getSelector()), ""));
  } else {
    auto labels = t.getMetadata().getLabels();
    if (!has || (!selectorEmpty(spec.getSelector()) && !selectorMatches(spec.getSelector(), labels)))
      errors.push_back(invalidValue(p.child("template").child("metadata").child("labels"),
                                    goStringMap(t.getMetadata().hasLabels(), labels),
                                    "`selector` does not match template `labels`"));
    validateLabels(labels, p.child("template").child("labels"), errors);
  }
  std::string_view rp = sv(t.getSpec().getRestartPolicy());
  if (rp != "Always")
    errors.push_back(notSupported(p.child("template").child("spec").child("restartPolicy"), goQuote(rp), {"Always"}));
  if (t.getSpec().getActiveDeadlineSeconds().isValue())
    errors.push_back(forbiddenField(p.child("template").child("spec").child("activeDeadlineSeconds"),
                                    "activeDeadlineSeconds in StatefulSet is not Supported"));
}

void statefulSetValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = oldObject.as<apps::StatefulSet>().getSpec();
  auto n = newObject.as<apps::StatefulSet>().getSpec();
  capnp::MallocMessageBuilder message;
  message.setRoot(n);
  auto clone = message.getRoot<apps::StatefulSetSpec>();
  if (o.getReplicas().isValue())
    clone.getReplicas().setValue(o.getReplicas().getValue());
  else
    clone.getReplicas().setUnset();
  clone.setTemplate(o.getTemplate());
  clone.setUpdateStrategy(o.getUpdateStrategy());
  clone.setMinReadySeconds(o.getMinReadySeconds());
  if (o.hasOrdinals())
    clone.setOrdinals(o.getOrdinals());
  else
    clone.disownOrdinals();
  if (o.hasPersistentVolumeClaimRetentionPolicy())
    clone.setPersistentVolumeClaimRetentionPolicy(o.getPersistentVolumeClaimRetentionPolicy());
  else
    clone.disownPersistentVolumeClaimRetentionPolicy();
  if (!same(clone.asReader(), o))
    errors.push_back(forbiddenField("spec",
                                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                                    "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                                    "'minReadySeconds' are forbidden"));
}

void statefulSetIndexes(capnp::AnyStruct::Reader, std::map<std::string, std::string>& out) {
  // apps/v1 accepts this field label for StatefulSets but never fills it.
  out["status.successful"] = "";
}

constexpr TableColumn kStatefulSetColumns[] = {
    {"Ready", "string", "", "Number of the pod with ready state", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Containers", "string", "", kContainersDesc, 1},
    {"Images", "string", "", kImagesDesc, 1},
};

void statefulSetRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto s = object.as<apps::StatefulSet>();
  auto spec = s.getSpec();
  std::int32_t desired = spec.getReplicas().isValue() ? spec.getReplicas().getValue() : 0;
  w.string(std::to_string(s.getStatus().getReadyReplicas()) + "/" + std::to_string(desired));
  w.string(age);
  auto [names, images] = containerCells(spec.getTemplate().getSpec().getContainers());
  w.string(names);
  w.string(images);
}

// =======================================================================================
// DaemonSet

void daemonSetDefaults(capnp::AnyStruct::Builder object) {
  auto spec = object.as<apps::DaemonSet>().getSpec();
  auto us = spec.getUpdateStrategy();
  if (us.getType().size() == 0) us.setType("RollingUpdate");
  if (sv(us.getType()) == "RollingUpdate") {
    auto ru = us.hasRollingUpdate() ? us.getRollingUpdate() : us.initRollingUpdate();
    if (!ru.hasMaxUnavailable()) ru.initMaxUnavailable().setIntVal(1);
    if (!ru.hasMaxSurge()) ru.initMaxSurge().setIntVal(0);
  }
  if (spec.getRevisionHistoryLimit().isUnset()) spec.getRevisionHistoryLimit().setValue(10);
  defaultPodTemplate(spec.getTemplate());
}

void daemonSetPrepareCreate(capnp::AnyStruct::Builder object) { object.as<apps::DaemonSet>().initStatus(); }

void daemonSetValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = object.as<apps::DaemonSet>().getSpec();
  Path p("spec");
  auto t = spec.getTemplate();
  if (spec.hasSelector()) validateLabelSelector(spec.getSelector(), p.child("selector"), errors);
  // LabelSelectorAsSelector(nil) selects nothing, so a missing selector never matches.
  bool valid = !spec.hasSelector() || selectorValid(spec.getSelector());
  bool matches = spec.hasSelector() && selectorMatches(spec.getSelector(), t.getMetadata().getLabels());
  if (valid && !matches)
    errors.push_back(invalidValue(p.child("template").child("metadata").child("labels"),
                                  goStringMap(t.getMetadata().hasLabels(), t.getMetadata().getLabels()),
                                  "`selector` does not match template `labels`"));
  if (spec.hasSelector() && selectorEmpty(spec.getSelector()))
    errors.push_back(invalidValue(p.child("selector"), goLabelSelector(spec.getSelector()),
                                  "empty selector is invalid for daemonset"));
  validatePodTemplateSpec(t, p.child("template"), errors);
  std::string_view rp = sv(t.getSpec().getRestartPolicy());
  if (rp != "Always")
    errors.push_back(notSupported(p.child("template").child("spec").child("restartPolicy"), goQuote(rp), {"Always"}));
  if (t.getSpec().getActiveDeadlineSeconds().isValue())
    errors.push_back(forbiddenField(p.child("template").child("spec").child("activeDeadlineSeconds"),
                                    "activeDeadlineSeconds in DaemonSet is not Supported"));
  checkNonNegative(spec.getMinReadySeconds(), p.child("minReadySeconds"), errors);
  auto us = spec.getUpdateStrategy();
  Path up = p.child("updateStrategy");
  std::string_view type = sv(us.getType());
  if (type == "RollingUpdate") {
    if (!us.hasRollingUpdate()) {
      errors.push_back(required(up.child("rollingUpdate")));
    } else {
      auto ru = us.getRollingUpdate();
      Path rp2 = up.child("rollingUpdate");
      validatePositiveIntOrPercent(ru.getMaxUnavailable(), rp2.child("maxUnavailable"), errors);
      validatePositiveIntOrPercent(ru.getMaxSurge(), rp2.child("maxSurge"), errors);
      notMoreThan100Percent(ru.getMaxUnavailable(), rp2.child("maxUnavailable"), errors);
      notMoreThan100Percent(ru.getMaxSurge(), rp2.child("maxSurge"), errors);
      bool hasUnavailable = intOrPercent(ru.getMaxUnavailable()) != 0;
      bool hasSurge = intOrPercent(ru.getMaxSurge()) != 0;
      if (hasUnavailable && hasSurge)
        errors.push_back(invalidValue(rp2.child("maxSurge"), goIntOrString(ru.getMaxSurge()),
                                      "may not be set when maxUnavailable is non-zero"));
      else if (!hasUnavailable && !hasSurge)
        errors.push_back(required(rp2.child("maxUnavailable"), "cannot be 0 when maxSurge is 0"));
    }
  } else if (type != "OnDelete") {
    std::string ru = us.hasRollingUpdate() ? "(*apps.RollingUpdateDaemonSet)(0x1)" : "(*apps.RollingUpdateDaemonSet)(nil)";
    errors.push_back(notSupported(up, "apps.DaemonSetUpdateStrategy{Type:" + goQuote(type) + ", RollingUpdate:" + ru + "}",
                                  {"RollingUpdate", "OnDelete"}));
  }
  if (spec.getRevisionHistoryLimit().isValue())
    checkNonNegative(spec.getRevisionHistoryLimit().getValue(), p.child("revisionHistoryLimit"), errors);
}

void daemonSetValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = oldObject.as<apps::DaemonSet>().getSpec();
  auto n = newObject.as<apps::DaemonSet>().getSpec();
  checkSelectorImmutable(o.hasSelector(), o.getSelector(), n.hasSelector(), n.getSelector(), errors);
}

constexpr TableColumn kDaemonSetColumns[] = {
    {"Desired", "integer", "", "The total number of nodes that should be running the daemon pod.", 0},
    {"Current", "integer", "", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.", 0},
    {"Ready", "integer", "", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.", 0},
    {"Up-to-date", "integer", "", "The total number of nodes that are running updated daemon pod", 0},
    {"Available", "integer", "", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.", 0},
    {"Node Selector", "string", "", "NodeSelector is a selector which must be true for the pod to fit on a node.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Containers", "string", "", kContainersDesc, 1},
    {"Images", "string", "", kImagesDesc, 1},
    {"Selector", "string", "", "A label query over pods that are managed by the daemon set.", 1},
};

void daemonSetRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto d = object.as<apps::DaemonSet>();
  auto st = d.getStatus();
  auto spec = d.getSpec();
  w.integer(st.getDesiredNumberScheduled());
  w.integer(st.getCurrentNumberScheduled());
  w.integer(st.getNumberReady());
  w.integer(st.getUpdatedNumberScheduled());
  w.integer(st.getNumberAvailable());
  w.string(formatLabels(spec.getTemplate().getSpec().getNodeSelector()));
  w.string(age);
  auto [names, images] = containerCells(spec.getTemplate().getSpec().getContainers());
  w.string(names);
  w.string(images);
  w.string(formatLabelSelector(spec.hasSelector(), spec.getSelector()));
}

// =======================================================================================
// ControllerRevision

void controllerRevisionValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto cr = object.as<apps::ControllerRevision>();
  if (!cr.hasData()) errors.push_back(required("data", "data is mandatory"));
  checkNonNegative(cr.getRevision(), "revision", errors);
}

void controllerRevisionValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject,
                                      Errors& errors) {
  auto o = oldObject.as<apps::ControllerRevision>();
  auto n = newObject.as<apps::ControllerRevision>();
  if (sv(o.getData()) != sv(n.getData())) errors.push_back(invalidValue("data", "runtime.RawExtension{...}", "field is immutable"));
}

constexpr TableColumn kControllerRevisionColumns[] = {
    {"Controller", "string", "", "Controller of the object", 0},
    {"Revision", "string", "", "Revision indicates the revision of the state represented by Data.", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void controllerRevisionRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto cr = object.as<apps::ControllerRevision>();
  std::string controller = "<none>";
  for (auto ref : cr.getMetadata().getOwnerReferences()) {
    if (!(ref.getController().isValue() && ref.getController().getValue())) continue;
    std::string_view apiVersion = sv(ref.getApiVersion());
    std::size_t slash = apiVersion.find('/');
    std::string group = slash == std::string_view::npos ? "" : std::string(apiVersion.substr(0, slash));
    std::string gk = str(ref.getKind()) + (group.empty() ? "" : "." + group);
    for (auto& c : gk) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    controller = gk.empty() ? str(ref.getName()) : gk + "/" + str(ref.getName());
    break;
  }
  w.string(controller);
  w.integer(cr.getRevision());
  w.string(age);
}

}  // namespace

const KindHooks kDeploymentHooks{deploymentDefaults, deploymentValidate, deploymentValidateUpdate,
                                 deploymentPrepareCreate, nullptr, kDeploymentColumns, deploymentRow};
const KindHooks kReplicaSetHooks{replicaSetDefaults,   replicaSetValidate, replicaSetValidateUpdate, replicaSetPrepareCreate,
                                 replicaSetIndexes,    kReplicaSetColumns, replicaSetRow};
const KindHooks kStatefulSetHooks{statefulSetDefaults, statefulSetValidate, statefulSetValidateUpdate,
                                  statefulSetPrepareCreate, statefulSetIndexes, kStatefulSetColumns, statefulSetRow};
const KindHooks kDaemonSetHooks{daemonSetDefaults, daemonSetValidate, daemonSetValidateUpdate, daemonSetPrepareCreate,
                                nullptr,           kDaemonSetColumns, daemonSetRow};
const KindHooks kControllerRevisionHooks{nullptr, controllerRevisionValidate, controllerRevisionValidateUpdate, nullptr,
                                         nullptr, kControllerRevisionColumns, controllerRevisionRow};

}  // namespace capstan::kube::kinds
