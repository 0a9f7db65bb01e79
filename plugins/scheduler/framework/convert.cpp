#include "convert.h"

#include <capnp/serialize.h>

#include <cstring>
#include <map>
#include <optional>

#include "schema/k8s/core_v1.capnp.h"

namespace capstan::sched {
namespace {

namespace core = k8s::core::v1;

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

// A stored body as a message; copied to aligned words only when it is not aligned.
class Body {
 public:
  explicit Body(const std::string& bytes) {
    kj::ArrayPtr<const capnp::word> words(reinterpret_cast<const capnp::word*>(bytes.data()),
                                          bytes.size() / sizeof(capnp::word));
    if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(capnp::word) != 0) {
      copy_ = kj::heapArray<capnp::word>(words.size());
      std::memcpy(copy_.begin(), bytes.data(), words.size() * sizeof(capnp::word));
      words = copy_;
    }
    capnp::ReaderOptions options;
    options.traversalLimitInWords = 1u << 30;
    reader_.emplace(words, options);
  }
  template <class T>
  typename T::Reader root() {
    return reader_->getRoot<T>();
  }

 private:
  kj::Array<capnp::word> copy_;
  std::optional<capnp::FlatArrayMessageReader> reader_;
};

Labels labelsOf(capnp::List<k8s::meta::StringEntry>::Reader entries) {
  Labels out;
  out.reserve(entries.size());
  for (auto e : entries) out.emplace_back(str(e.getKey()), str(e.getValue()));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
            out.end());
  return out;
}

Labels labelsOf(const std::map<std::string, std::string>& m) { return Labels(m.begin(), m.end()); }

SelectorOp opOf(std::string_view op) {
  if (op == "NotIn") return SelectorOp::kNotIn;
  if (op == "Exists") return SelectorOp::kExists;
  if (op == "DoesNotExist") return SelectorOp::kDoesNotExist;
  if (op == "Gt") return SelectorOp::kGt;
  if (op == "Lt") return SelectorOp::kLt;
  return SelectorOp::kIn;
}

template <class List>
std::vector<Requirement> requirementsOf(List list) {
  std::vector<Requirement> out;
  out.reserve(list.size());
  for (auto r : list) {
    Requirement q;
    q.key = str(r.getKey());
    q.op = opOf(std::string_view(r.getOperator().cStr(), r.getOperator().size()));
    for (auto v : r.getValues()) q.values.push_back(str(v));
    out.push_back(std::move(q));
  }
  return out;
}

LabelSelector selectorOf(k8s::meta::LabelSelector::Reader s) {
  LabelSelector out;
  for (auto e : s.getMatchLabels()) out.requirements.push_back({str(e.getKey()), SelectorOp::kIn, {str(e.getValue())}});
  auto exprs = requirementsOf(s.getMatchExpressions());
  out.requirements.insert(out.requirements.end(), exprs.begin(), exprs.end());
  return out;
}

NodeSelectorTerm termOf(core::NodeSelectorTerm::Reader t) {
  return {requirementsOf(t.getMatchExpressions()), requirementsOf(t.getMatchFields())};
}

PodAffinityTerm affinityTermOf(core::PodAffinityTerm::Reader t, const Labels& podLabels) {
  PodAffinityTerm out;
  if (t.hasLabelSelector()) {
    out.labelSelector = selectorOf(t.getLabelSelector());
    // matchLabelKeys / mismatchLabelKeys: the incoming pod's values join the selector.
    for (auto k : t.getMatchLabelKeys())
      if (const std::string* v = findLabel(podLabels, str(k)))
        out.labelSelector->requirements.push_back({str(k), SelectorOp::kIn, {*v}});
    for (auto k : t.getMismatchLabelKeys())
      if (const std::string* v = findLabel(podLabels, str(k)))
        out.labelSelector->requirements.push_back({str(k), SelectorOp::kNotIn, {*v}});
  }
  for (auto n : t.getNamespaces()) out.namespaces.push_back(str(n));
  if (t.hasNamespaceSelector()) out.namespaceSelector = selectorOf(t.getNamespaceSelector());
  out.topologyKey = str(t.getTopologyKey());
  return out;
}

TaintEffect effectOf(std::string_view e) {
  if (e == "NoSchedule") return TaintEffect::kNoSchedule;
  if (e == "PreferNoSchedule") return TaintEffect::kPreferNoSchedule;
  if (e == "NoExecute") return TaintEffect::kNoExecute;
  return TaintEffect::kOther;
}

// Resource amounts by name: cpu in millicores, everything else in base units.
using Amounts = std::map<std::string, std::int64_t, std::less<>>;

Amounts amountsOf(capnp::List<k8s::meta::QuantityEntry>::Reader list) {
  Amounts out;
  for (auto e : list) {
    std::string name = str(e.getKey());
    out[name] = name == "cpu" ? e.getValue().getMilli() : e.getValue().getValue();
  }
  return out;
}

// A container's requests, with limits standing in for missing requests (API defaulting).
Amounts containerRequests(core::Container::Reader c, bool nonZero) {
  auto res = c.getResources();
  Amounts out = amountsOf(res.getRequests());
  for (const auto& [k, v] : amountsOf(res.getLimits())) out.emplace(k, v);
  if (nonZero) {
    if (out["cpu"] == 0) out["cpu"] = kDefaultMilliCpuRequest;
    if (out["memory"] == 0) out["memory"] = kDefaultMemoryRequest;
  }
  return out;
}

void addTo(Amounts& into, const Amounts& a) {
  for (const auto& [k, v] : a) into[k] += v;
}
void maxInto(Amounts& into, const Amounts& a) {
  for (const auto& [k, v] : a) into[k] = std::max(into[k], v);
}

// Kubernetes' PodRequests: max(containers + sidecars, each init container with the
// sidecars started before it) + overhead.
Amounts podRequests(core::PodSpec::Reader spec, bool nonZero) {
  Amounts reqs;
  for (auto c : spec.getContainers()) addTo(reqs, containerRequests(c, nonZero));
  Amounts sidecars, initMax;
  for (auto c : spec.getInitContainers()) {
    Amounts r = containerRequests(c, nonZero);
    if (c.getRestartPolicy() == "Always") {
      addTo(reqs, r);
      addTo(sidecars, r);
      r = sidecars;
    } else {
      addTo(r, sidecars);
    }
    maxInto(initMax, r);
  }
  maxInto(reqs, initMax);
  addTo(reqs, amountsOf(spec.getOverhead()));
  return reqs;
}

Resources resourcesOf(const Amounts& a) {
  Resources r;
  for (const auto& [k, v] : a) {
    if (k == "cpu")
      r.milliCpu = v;
    else if (k == "memory")
      r.memory = v;
    else if (k == "ephemeral-storage")
      r.ephemeralStorage = v;
    else if (k == "pods")
      r.pods = v;
    else if (v != 0)
      r.scalar.emplace_back(k, v);  // std::map order: already sorted
  }
  return r;
}

}  // namespace

Result<PodInfoPtr> podInfoFromObject(const Object& object) {
  if (object.format != BodyFormat::kCapnp)
    return Status::invalidArgument("pod " + object.ns + "/" + object.name + " has no typed body");
  Body body(object.body);
  auto pod = body.root<core::Pod>();
  auto spec = pod.getSpec();
  auto status = pod.getStatus();
  auto info = std::make_shared<PodInfo>();
  info->ns = object.ns;
  info->name = object.name;
  info->uid = object.uid;
  info->resourceVersion = object.revision;
  info->creationTime = object.creationTime;
  info->labels = labelsOf(object.labels);
  info->schedulerName = str(spec.getSchedulerName());
  if (info->schedulerName.empty()) info->schedulerName = "default-scheduler";
  info->nodeName = str(spec.getNodeName());
  info->nominatedNodeName = str(status.getNominatedNodeName());
  info->phase = str(status.getPhase());
  info->terminating = pod.getMetadata().getDeletionTimestamp().size() > 0;
  info->priority = spec.getPriority().isValue() ? spec.getPriority().getValue() : 0;
  info->preemptNever = spec.getPreemptionPolicy() == "Never";

  info->requests = resourcesOf(podRequests(spec, false));
  Amounts nonZero = podRequests(spec, true);
  info->nonZeroMilliCpu = nonZero["cpu"];
  info->nonZeroMemory = nonZero["memory"];

  info->nodeSelector = labelsOf(spec.getNodeSelector());
  if (spec.hasAffinity()) {
    auto affinity = spec.getAffinity();
    if (affinity.hasNodeAffinity()) {
      auto na = affinity.getNodeAffinity();
      if (na.hasRequiredDuringSchedulingIgnoredDuringExecution()) {
        std::vector<NodeSelectorTerm> terms;
        for (auto t : na.getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms())
          terms.push_back(termOf(t));
        info->requiredNodeAffinity = std::move(terms);
      }
      for (auto p : na.getPreferredDuringSchedulingIgnoredDuringExecution())
        info->preferredNodeAffinity.push_back({p.getWeight(), termOf(p.getPreference())});
    }
    auto weighted = [&](auto list, std::vector<WeightedPodAffinityTerm>& out) {
      for (auto w : list) out.push_back({w.getWeight(), affinityTermOf(w.getPodAffinityTerm(), info->labels)});
    };
    if (affinity.hasPodAffinity()) {
      auto pa = affinity.getPodAffinity();
      for (auto t : pa.getRequiredDuringSchedulingIgnoredDuringExecution())
        info->requiredAffinity.push_back(affinityTermOf(t, info->labels));
      weighted(pa.getPreferredDuringSchedulingIgnoredDuringExecution(), info->preferredAffinity);
    }
    if (affinity.hasPodAntiAffinity()) {
      auto pa = affinity.getPodAntiAffinity();
      for (auto t : pa.getRequiredDuringSchedulingIgnoredDuringExecution())
        info->requiredAntiAffinity.push_back(affinityTermOf(t, info->labels));
      weighted(pa.getPreferredDuringSchedulingIgnoredDuringExecution(), info->preferredAntiAffinity);
    }
  }
  for (auto t : spec.getTolerations()) {
    Toleration tol;
    tol.key = str(t.getKey());
    tol.exists = t.getOperator() == "Exists";
    tol.value = str(t.getValue());
    if (t.getEffect().size() > 0) tol.effect = effectOf(std::string_view(t.getEffect().cStr(), t.getEffect().size()));
    if (t.getTolerationSeconds().isValue()) tol.tolerationSeconds = t.getTolerationSeconds().getValue();
    info->tolerations.push_back(std::move(tol));
  }
  auto collectPorts = [&](core::Container::Reader c) {
    for (auto p : c.getPorts()) {
      if (p.getHostPort() <= 0) continue;
      HostPort hp;
      hp.ip = p.getHostIP().size() > 0 ? str(p.getHostIP()) : "0.0.0.0";
      hp.protocol = p.getProtocol().size() > 0 ? str(p.getProtocol()) : "TCP";
      hp.port = p.getHostPort();
      info->hostPorts.push_back(std::move(hp));
    }
  };
  for (auto c : spec.getContainers()) {
    collectPorts(c);
    info->images.push_back(str(c.getImage()));
  }
  for (auto c : spec.getInitContainers()) {
    if (c.getRestartPolicy() == "Always") collectPorts(c);
    info->images.push_back(str(c.getImage()));
  }
  for (auto c : spec.getTopologySpreadConstraints()) {
    TopologySpreadConstraint t;
    t.maxSkew = c.getMaxSkew();
    t.topologyKey = str(c.getTopologyKey());
    t.doNotSchedule = c.getWhenUnsatisfiable() != "ScheduleAnyway";
    if (c.hasLabelSelector()) {
      t.labelSelector = selectorOf(c.getLabelSelector());
      for (auto k : c.getMatchLabelKeys())
        if (const std::string* v = findLabel(info->labels, str(k)))
          t.labelSelector->requirements.push_back({str(k), SelectorOp::kIn, {*v}});
    }
    if (c.getMinDomains().isValue()) t.minDomains = c.getMinDomains().getValue();
    t.nodeAffinityPolicyHonor = c.getNodeAffinityPolicy() != "Ignore";
    t.nodeTaintsPolicyHonor = c.getNodeTaintsPolicy() == "Honor";
    info->topologySpreadConstraints.push_back(std::move(t));
  }
  for (auto g : spec.getSchedulingGates()) info->schedulingGates.push_back(str(g.getName()));
  return PodInfoPtr(std::move(info));
}

bool podSchedulingChanged(const Object& before, const Object& after) {
  if (before.labels != after.labels) return true;
  if (before.format != BodyFormat::kCapnp || after.format != BodyFormat::kCapnp) return true;
  Body a(before.body), b(after.body);
  return a.root<core::Pod>().getMetadata().getGeneration() != b.root<core::Pod>().getMetadata().getGeneration();
}

Result<NodeInfo> nodeInfoFromObject(const Object& object) {
  if (object.format != BodyFormat::kCapnp) return Status::invalidArgument("node " + object.name + " has no typed body");
  Body body(object.body);
  auto node = body.root<core::Node>();
  NodeInfo info;
  info.name = object.name;
  info.labels = labelsOf(object.labels);
  auto spec = node.getSpec();
  info.unschedulable = spec.getUnschedulable();
  for (auto t : spec.getTaints())
    info.taints.push_back({str(t.getKey()), str(t.getValue()),
                           effectOf(std::string_view(t.getEffect().cStr(), t.getEffect().size()))});
  auto status = node.getStatus();
  // Allocatable, or capacity where a node reports no allocatable (as Kubernetes' defaulting).
  Amounts alloc = amountsOf(status.getCapacity());
  for (const auto& [k, v] : amountsOf(status.getAllocatable())) alloc[k] = v;
  info.allocatable = resourcesOf(alloc);
  for (auto image : status.getImages())
    for (auto name : image.getNames())
      info.images.push_back({str(name), ImageState{image.getSizeBytes(), 0}});
  std::sort(info.images.begin(), info.images.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  info.images.erase(std::unique(info.images.begin(), info.images.end(),
                                [](const auto& a, const auto& b) { return a.first == b.first; }),
                    info.images.end());
  return info;
}

}  // namespace capstan::sched
