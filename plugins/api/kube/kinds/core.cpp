// The core ("" group, v1) kinds: Pod, Node, Namespace, Service, Endpoints, ConfigMap,
// Secret, ServiceAccount, Event, PersistentVolume, PersistentVolumeClaim.

#include <algorithm>
#include <set>

#include "kinds.h"

namespace capstan::kube::kinds {

namespace {

constexpr const char* kAgeDesc =
    "CreationTimestamp is a timestamp representing the server time when this object was created.";

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string orNone(std::string_view s) { return s.empty() ? "<none>" : std::string(s); }

template <typename T>
typename T::Reader as(capnp::AnyStruct::Reader o) {
  return o.as<T>();
}
template <typename T>
typename T::Builder as(capnp::AnyStruct::Builder o) {
  return o.as<T>();
}

// =======================================================================================
// Pod

void podDefaults(capnp::AnyStruct::Builder object) {
  auto pod = as<core::Pod>(object);
  auto spec = pod.getSpec();
  defaultPodSpec(spec);
  defaultPodOnly(spec);
}

void podPrepareCreate(capnp::AnyStruct::Builder object) {
  auto pod = as<core::Pod>(object);
  std::string qos = podQos(pod.getSpec().asReader());
  auto status = pod.initStatus();
  status.setPhase("Pending");
  status.setQosClass(qos);
  if (pod.getSpec().getSchedulingGates().size() > 0) {
    auto c = status.initConditions(1)[0];
    c.setType("PodScheduled");
    c.setStatus("False");
    c.setReason("SchedulingGated");
    c.setMessage("Scheduling is blocked due to non-empty scheduling gates");
  }
}

void podValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto pod = as<core::Pod>(object);
  auto spec = pod.getSpec();
  validatePodSpec(spec, Path("spec"), true, errors);
  if (spec.getNodeName().size() > 0 && spec.getSchedulingGates().size() > 0)
    errors.push_back(forbiddenField("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
}

void podValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  validatePodSpecUpdate(as<core::Pod>(oldObject).getSpec(), as<core::Pod>(newObject).getSpec(), errors);
}

void podIndexes(capnp::AnyStruct::Reader object, std::map<std::string, std::string>& out) {
  auto pod = as<core::Pod>(object);
  auto spec = pod.getSpec();
  auto status = pod.getStatus();
  out["spec.nodeName"] = str(spec.getNodeName());
  out["spec.restartPolicy"] = str(spec.getRestartPolicy());
  out["spec.schedulerName"] = str(spec.getSchedulerName());
  out["spec.serviceAccountName"] = str(spec.getServiceAccountName());
  out["spec.hostNetwork"] = spec.getHostNetwork() ? "true" : "false";
  out["status.phase"] = str(status.getPhase());
  std::string ip = status.getPodIPs().size() > 0 ? str(status.getPodIPs()[0].getIp()) : str(status.getPodIP());
  out["status.podIP"] = ip;
  out["status.nominatedNodeName"] = str(status.getNominatedNodeName());
}

constexpr TableColumn kPodColumns[] = {
    {"Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0},
    {"Status", "string", "", "The aggregate status of the containers in this pod.", 0},
    {"Restarts", "string", "",
     "The number of times the containers in this pod have been restarted and when the last container in this pod "
     "has restarted.",
     0},
    {"Age", "string", "", kAgeDesc, 0},
    {"IP", "string", "", "IP address allocated to the pod. Routable at least within the cluster.", 1},
    {"Node", "string", "", "The node the pod is scheduled onto.", 1},
    {"Nominated Node", "string", "", "The node the scheduler nominated the pod for when it preempted others.", 1},
    {"Readiness Gates", "string", "", "Pod readiness gates: how many of their conditions are true.", 1},
};

void podRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto pod = as<core::Pod>(object);
  auto spec = pod.getSpec();
  auto status = pod.getStatus();
  auto meta = pod.getMetadata();

  int restarts = 0, restartableRestarts = 0, ready = 0;
  int total = static_cast<int>(spec.getContainers().size());
  std::optional<std::int64_t> lastRestart, lastRestartableRestart;
  std::string phase = str(status.getPhase());
  std::string reason = phase;
  if (status.getReason().size() > 0) reason = str(status.getReason());
  for (auto c : status.getConditions())
    if (sv(c.getType()) == "PodScheduled" && sv(c.getReason()) == "SchedulingGated") reason = "SchedulingGated";

  auto restartable = [&](std::string_view name) {
    for (auto c : spec.getInitContainers())
      if (sv(c.getName()) == name) return sv(c.getRestartPolicy()) == "Always";
    return false;
  };
  for (auto c : spec.getInitContainers())
    if (sv(c.getRestartPolicy()) == "Always") ++total;
  auto later = [](std::optional<std::int64_t>& cur, core::ContainerState::Reader last) {
    if (!last.hasTerminated()) return;
    auto t = parseTime(sv(last.getTerminated().getFinishedAt()));
    if (t && (!cur || *cur < *t)) cur = t;
  };

  bool initializing = false;
  auto inits = status.getInitContainerStatuses();
  int initCount = static_cast<int>(spec.getInitContainers().size());
  for (unsigned i = 0; i < inits.size(); ++i) {
    auto c = inits[i];
    restarts += c.getRestartCount();
    later(lastRestart, c.getLastState());
    bool isRestartable = restartable(sv(c.getName()));
    if (isRestartable) {
      restartableRestarts += c.getRestartCount();
      later(lastRestartableRestart, c.getLastState());
    }
    auto state = c.getState();
    if (state.hasTerminated() && state.getTerminated().getExitCode() == 0) continue;
    if (isRestartable && c.getStarted().isValue() && c.getStarted().getValue()) {
      if (c.getReady()) ++ready;
      continue;
    }
    if (state.hasTerminated()) {
      auto t = state.getTerminated();
      if (t.getReason().size() == 0) {
        reason = t.getSignal() != 0 ? "Init:Signal:" + std::to_string(t.getSignal())
                                    : "Init:ExitCode:" + std::to_string(t.getExitCode());
      } else {
        reason = "Init:" + str(t.getReason());
      }
    } else if (state.hasWaiting() && state.getWaiting().getReason().size() > 0 &&
               sv(state.getWaiting().getReason()) != "PodInitializing") {
      reason = "Init:" + str(state.getWaiting().getReason());
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(initCount);
    }
    initializing = true;
    break;
  }

  bool initialized = false;
  for (auto c : status.getConditions())
    if (sv(c.getType()) == "Initialized" && sv(c.getStatus()) == "True") initialized = true;
  if (!initializing || initialized) {
    restarts = restartableRestarts;
    lastRestart = lastRestartableRestart;
    bool hasRunning = false;
    auto cs = status.getContainerStatuses();
    for (int i = static_cast<int>(cs.size()) - 1; i >= 0; --i) {
      auto c = cs[static_cast<unsigned>(i)];
      restarts += c.getRestartCount();
      later(lastRestart, c.getLastState());
      auto state = c.getState();
      if (state.hasWaiting() && state.getWaiting().getReason().size() > 0) {
        reason = str(state.getWaiting().getReason());
      } else if (state.hasTerminated() && state.getTerminated().getReason().size() > 0) {
        reason = str(state.getTerminated().getReason());
      } else if (state.hasTerminated()) {
        auto t = state.getTerminated();
        reason = t.getSignal() != 0 ? "Signal:" + std::to_string(t.getSignal())
                                    : "ExitCode:" + std::to_string(t.getExitCode());
      } else if (c.getReady() && state.hasRunning()) {
        hasRunning = true;
        ++ready;
      }
    }
    if (reason == "Completed" && hasRunning) {
      bool podReady = false;
      for (auto c : status.getConditions())
        if (sv(c.getType()) == "Ready" && sv(c.getStatus()) == "True") podReady = true;
      reason = podReady ? "Running" : "NotReady";
    }
  }

  if (meta.hasDeletionTimestamp() && sv(status.getReason()) == "NodeLost") {
    reason = "Unknown";
  } else if (meta.hasDeletionTimestamp() && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  std::string restartsCell = std::to_string(restarts);
  if (restarts != 0 && lastRestart) restartsCell += " (" + humanDuration(nowSeconds() - *lastRestart) + " ago)";

  w.string(std::to_string(ready) + "/" + std::to_string(total));
  w.string(reason);
  w.string(restartsCell);
  w.string(age);

  std::string podIP = status.getPodIPs().size() > 0 ? str(status.getPodIPs()[0].getIp()) : str(status.getPodIP());
  w.string(orNone(podIP));
  w.string(orNone(sv(spec.getNodeName())));
  w.string(orNone(sv(status.getNominatedNodeName())));
  std::string gates = "<none>";
  if (spec.getReadinessGates().size() > 0) {
    int trueConditions = 0;
    for (auto g : spec.getReadinessGates()) {
      for (auto c : status.getConditions()) {
        if (sv(c.getType()) == sv(g.getConditionType())) {
          if (sv(c.getStatus()) == "True") ++trueConditions;
          break;
        }
      }
    }
    gates = std::to_string(trueConditions) + "/" + std::to_string(spec.getReadinessGates().size());
  }
  w.string(gates);
}

// =======================================================================================
// Node

void nodeDefaults(capnp::AnyStruct::Builder object) {
  auto node = as<core::Node>(object);
  if (!node.hasStatus()) return;
  auto status = node.getStatus();
  if (!status.hasAllocatable() && status.hasCapacity()) status.setAllocatable(status.getCapacity().asReader());
}

void validateTaints(capnp::List<core::Taint>::Reader taints, const Path& p, Errors& errors) {
  std::map<std::string, std::set<std::string>> unique;
  for (unsigned i = 0; i < taints.size(); ++i) {
    auto t = taints[i];
    Path ip = p.index(i);
    checkQualifiedName(sv(t.getKey()), ip.child("key"), errors);
    auto msgs = isValidLabelValue(sv(t.getValue()));
    if (!msgs.empty()) {
      std::string joined;
      for (std::size_t k = 0; k < msgs.size(); ++k) { joined += k ? ";" : ""; joined += msgs[k]; }
      errors.push_back(invalidValue(ip.child("value"), goQuote(sv(t.getValue())), joined));
    }
    std::string_view effect = sv(t.getEffect());
    if (effect.empty())
      errors.push_back(required(ip.child("effect")));
    else if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute")
      errors.push_back(notSupported(ip.child("effect"), goQuote(effect), {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    auto& keys = unique[std::string(effect)];
    if (keys.count(str(t.getKey()))) {
      FieldError e = duplicate(ip, "core.Taint{Key:" + goQuote(sv(t.getKey())) + ", Value:" + goQuote(sv(t.getValue())) +
                                       ", Effect:" + goQuote(effect) + ", TimeAdded:(*v1.Time)(nil)}");
      e.detail += ": taints must be unique by key and effect pair";
      errors.push_back(e);
      continue;
    }
    keys.insert(str(t.getKey()));
  }
}

void nodeValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto node = as<core::Node>(object);
  // Kubernetes reports taints under metadata (fldPath is the metadata path there).
  validateTaints(node.getSpec().getTaints(), Path("metadata").child("taints"), errors);
  for (auto e : node.getStatus().getCapacity()) {
    Quantity q = quantityOf(e.getValue());
    if (q.negative && !quantityIsZero(q))
      errors.push_back(invalidValue(Path("status").child("capacity").child(sv(e.getKey())), goQuote(quantityString(q)),
                                    "must be greater than or equal to 0"));
  }
  for (auto e : node.getStatus().getAllocatable()) {
    Quantity q = quantityOf(e.getValue());
    if (q.negative && !quantityIsZero(q))
      errors.push_back(invalidValue(Path("status").child("allocatable").child(sv(e.getKey())),
                                    goQuote(quantityString(q)), "must be greater than or equal to 0"));
  }
  auto cidrs = node.getSpec().getPodCIDRs();
  std::set<std::string, std::less<>> seen;
  for (unsigned i = 0; i < cidrs.size(); ++i) {
    std::string_view c = sv(cidrs[i]);
    if (seen.count(c)) errors.push_back(duplicate(Path("spec").child("podCIDRs").index(i), goQuote(c)));
    seen.insert(std::string(c));
  }
}

void nodeValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = as<core::Node>(oldObject).getSpec();
  auto n = as<core::Node>(newObject).getSpec();
  if (o.getPodCIDRs().size() > 0) {
    bool changed = o.getPodCIDRs().size() != n.getPodCIDRs().size();
    for (unsigned i = 0; !changed && i < o.getPodCIDRs().size(); ++i)
      changed = sv(o.getPodCIDRs()[i]) != sv(n.getPodCIDRs()[i]);
    if (changed)
      errors.push_back(forbiddenField("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
  }
  if (o.getProviderID().size() > 0 && sv(o.getProviderID()) != sv(n.getProviderID()))
    errors.push_back(forbiddenField("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
}

void nodeIndexes(capnp::AnyStruct::Reader object, std::map<std::string, std::string>& out) {
  out["spec.unschedulable"] = as<core::Node>(object).getSpec().getUnschedulable() ? "true" : "false";
}

constexpr TableColumn kNodeColumns[] = {
    {"Status", "string", "", "The status of the node", 0},
    {"Roles", "string", "", "The roles of the node", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Version", "string", "", "Kubelet Version reported by the node.", 0},
    {"Internal-IP", "string", "", "List of addresses reachable to the node.", 1},
    {"External-IP", "string", "", "List of addresses reachable to the node.", 1},
    {"OS-Image", "string", "", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1},
    {"Kernel-Version", "string", "", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1},
    {"Container-Runtime", "string", "", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1},
};

void nodeRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto node = as<core::Node>(object);
  auto status = node.getStatus();
  std::vector<std::string> parts;
  for (auto c : status.getConditions()) {
    if (sv(c.getType()) != "Ready") continue;
    parts.assign(1, sv(c.getStatus()) == "True" ? "Ready" : "NotReady");
  }
  if (parts.empty()) parts.push_back("Unknown");
  if (node.getSpec().getUnschedulable()) parts.push_back("SchedulingDisabled");
  std::string st;
  for (std::size_t i = 0; i < parts.size(); ++i) { st += i ? "," : ""; st += parts[i]; }

  std::set<std::string> roles;
  for (auto l : node.getMetadata().getLabels()) {
    std::string_view k = sv(l.getKey()), v = sv(l.getValue());
    if (k.rfind("node-role.kubernetes.io/", 0) == 0) {
      std::string_view role = k.substr(std::string_view("node-role.kubernetes.io/").size());
      if (!role.empty()) roles.insert(std::string(role));
    } else if (k == "kubernetes.io/role" && !v.empty()) {
      roles.insert(std::string(v));
    }
  }
  std::string rolesCell;
  for (auto& r : roles) { rolesCell += rolesCell.empty() ? "" : ","; rolesCell += r; }

  auto info = status.getNodeInfo();
  w.string(st);
  w.string(orNone(rolesCell));
  w.string(age);
  w.string(sv(info.getKubeletVersion()));
  auto address = [&](std::string_view type) -> std::string {
    for (auto a : status.getAddresses())
      if (sv(a.getType()) == type) return str(a.getAddress());
    return "<none>";
  };
  w.string(address("InternalIP"));
  w.string(address("ExternalIP"));
  auto unknown = [](std::string_view s) { return s.empty() ? std::string("<unknown>") : std::string(s); };
  w.string(unknown(sv(info.getOsImage())));
  w.string(unknown(sv(info.getKernelVersion())));
  w.string(unknown(sv(info.getContainerRuntimeVersion())));
}

// =======================================================================================
// Namespace

void namespaceDefaults(capnp::AnyStruct::Builder object) {
  auto ns = as<core::Namespace>(object);
  auto meta = ns.getMetadata();
  std::string name = str(meta.getName());
  if (!name.empty()) {
    KeyValues labels = toKeyValues(meta.getLabels().asReader());
    bool found = false;
    for (auto& [k, v] : labels)
      if (k == "kubernetes.io/metadata.name") {
        v = name;
        found = true;
      }
    if (!found) labels.emplace_back("kubernetes.io/metadata.name", name);
    writeEntries(labels, [&](unsigned n) { return meta.initLabels(n); });
  }
  auto status = ns.getStatus();
  if (status.getPhase().size() == 0) status.setPhase("Active");
}

void namespacePrepareCreate(capnp::AnyStruct::Builder object) {
  auto ns = as<core::Namespace>(object);
  auto status = ns.initStatus();
  status.setPhase("Active");
  auto spec = ns.getSpec();
  std::vector<std::string> finalizers;
  bool has = false;
  for (auto f : spec.getFinalizers()) {
    finalizers.push_back(str(f));
    if (sv(f) == "kubernetes") has = true;
  }
  if (!has) {
    finalizers.push_back("kubernetes");
    auto list = spec.initFinalizers(static_cast<unsigned>(finalizers.size()));
    for (unsigned i = 0; i < finalizers.size(); ++i) list.set(i, finalizers[i]);
  }
}

void namespaceValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto fins = as<core::Namespace>(object).getSpec().getFinalizers();
  for (unsigned i = 0; i < fins.size(); ++i) {
    std::string_view f = sv(fins[i]);
    Path p = Path("spec").child("finalizers").index(i);
    checkQualifiedName(f, p, errors);
    if (f.find('/') == std::string_view::npos && f != "kubernetes" && f != "orphan" && f != "foregroundDeletion")
      errors.push_back(invalidValue(p, goQuote(f), "name is neither a standard finalizer name nor is it fully qualified"));
  }
}

void namespaceIndexes(capnp::AnyStruct::Reader object, std::map<std::string, std::string>& out) {
  auto ns = as<core::Namespace>(object);
  out["status.phase"] = str(ns.getStatus().getPhase());
  out["name"] = str(ns.getMetadata().getName());
}

constexpr TableColumn kNamespaceColumns[] = {
    {"Status", "string", "", "The status of the namespace", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void namespaceRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  w.string(sv(as<core::Namespace>(object).getStatus().getPhase()));
  w.string(age);
}

// =======================================================================================
// Service

bool externallyAccessible(core::ServiceSpec::Reader s) {
  std::string_view t = sv(s.getType());
  return t == "LoadBalancer" || t == "NodePort" || (t == "ClusterIP" && s.getExternalIPs().size() > 0);
}

void serviceDefaults(capnp::AnyStruct::Builder object) {
  auto spec = as<core::Service>(object).getSpec();
  if (spec.getSessionAffinity().size() == 0) spec.setSessionAffinity("None");
  if (sv(spec.getSessionAffinity()) == "None" && spec.hasSessionAffinityConfig()) spec.disownSessionAffinityConfig();
  if (sv(spec.getSessionAffinity()) == "ClientIP") {
    bool ok = spec.hasSessionAffinityConfig() && spec.getSessionAffinityConfig().hasClientIP() &&
              spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds().isValue();
    if (!ok) spec.initSessionAffinityConfig().initClientIP().getTimeoutSeconds().setValue(10800);
  }
  if (spec.getType().size() == 0) spec.setType("ClusterIP");
  for (auto port : spec.getPorts()) {
    if (port.getProtocol().size() == 0) port.setProtocol("TCP");
    bool unset = !port.hasTargetPort();
    if (!unset) {
      auto tp = port.getTargetPort();
      unset = (tp.isIntVal() && tp.getIntVal() == 0) || (tp.isStrVal() && tp.getStrVal().size() == 0);
    }
    if (unset) port.initTargetPort().setIntVal(port.getPort());
  }
  std::string_view type = sv(spec.getType());
  if (externallyAccessible(spec.asReader()) && spec.getExternalTrafficPolicy().size() == 0)
    spec.setExternalTrafficPolicy("Cluster");
  if (!spec.hasInternalTrafficPolicy() && (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP"))
    spec.setInternalTrafficPolicy("Cluster");
  if (type == "LoadBalancer" && spec.getAllocateLoadBalancerNodePorts().isUnset())
    spec.getAllocateLoadBalancerNodePorts().setValue(true);
  // The strategy keeps clusterIP and clusterIPs in step; the allocator settles the families.
  if (type != "ExternalName") {
    if (spec.getClusterIP().size() > 0 && spec.getClusterIPs().size() == 0) {
      spec.initClusterIPs(1).set(0, spec.getClusterIP());
    } else if (spec.getClusterIP().size() == 0 && spec.getClusterIPs().size() > 0) {
      spec.setClusterIP(spec.getClusterIPs()[0]);
    }
    if (!spec.hasIpFamilyPolicy()) spec.setIpFamilyPolicy("SingleStack");
    if (spec.getIpFamilies().size() == 0) {
      std::string_view ip = sv(spec.getClusterIP());
      spec.initIpFamilies(1).set(0, isValidIPv6(ip) ? "IPv6" : "IPv4");
    }
  }
}

bool isHeadless(core::ServiceSpec::Reader s) {
  return sv(s.getType()) == "ClusterIP" && s.getClusterIPs().size() == 1 && sv(s.getClusterIPs()[0]) == "None";
}

std::string goServicePortKey(std::string_view protocol, std::int32_t port) {
  return "core.ServicePort{Name:\"\", Protocol:" + goQuote(protocol) + ", AppProtocol:(*string)(nil), Port:" +
         std::to_string(port) + ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}";
}

void serviceValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = as<core::Service>(object).getSpec();
  Path sp("spec");
  std::string_view type = sv(spec.getType());
  auto ports = spec.getPorts();
  bool headless = isHeadless(spec);
  if (ports.size() == 0 && !headless && type != "ExternalName") errors.push_back(required(sp.child("ports")));
  if (type == "LoadBalancer") {
    for (unsigned i = 0; i < ports.size(); ++i)
      if (ports[i].getPort() == 10250)
        errors.push_back(invalidValue(sp.child("ports").index(i), "10250",
                                      "may not expose port 10250 externally since it is used by kubelet"));
    if (headless)
      errors.push_back(invalidValue(sp.child("clusterIPs").index(0), "\"None\"",
                                    "may not be set to 'None' for LoadBalancer services"));
  } else if (type == "NodePort") {
    if (headless)
      errors.push_back(invalidValue(sp.child("clusterIPs").index(0), "\"None\"",
                                    "may not be set to 'None' for NodePort services"));
  } else if (type == "ExternalName") {
    if (spec.getClusterIPs().size() > 0)
      errors.push_back(forbiddenField(sp.child("clusterIPs"), "may not be set for ExternalName services"));
    if (spec.getIpFamilies().size() > 0)
      errors.push_back(forbiddenField(sp.child("ipFamilies"), "may not be set for ExternalName services"));
    if (spec.hasIpFamilyPolicy())
      errors.push_back(forbiddenField(sp.child("ipFamilyPolicy"), "may not be set for ExternalName services"));
    std::string cname = str(spec.getExternalName());
    if (!cname.empty() && cname.back() == '.') cname.pop_back();
    if (!cname.empty())
      checkDNS1123Subdomain(cname, sp.child("externalName"), errors);
    else
      errors.push_back(required(sp.child("externalName")));
  }

  std::set<std::string, std::less<>> names;
  for (unsigned i = 0; i < ports.size(); ++i) {
    auto port = ports[i];
    Path pp = sp.child("ports").index(i);
    std::string_view name = sv(port.getName());
    if (ports.size() > 1 && name.empty()) {
      errors.push_back(required(pp.child("name")));
    } else if (!name.empty()) {
      checkDNS1123Label(name, pp.child("name"), errors);
      if (names.count(name))
        errors.push_back(duplicate(pp.child("name"), goQuote(name)));
      else
        names.insert(std::string(name));
    }
    for (auto& m : isValidPortNum(port.getPort()))
      errors.push_back(invalidValue(pp.child("port"), std::to_string(port.getPort()), m));
    std::string_view proto = sv(port.getProtocol());
    if (proto.empty())
      errors.push_back(required(pp.child("protocol")));
    else if (proto != "SCTP" && proto != "TCP" && proto != "UDP")
      errors.push_back(notSupported(pp.child("protocol"), goQuote(proto), {"SCTP", "TCP", "UDP"}));
    auto tp = port.getTargetPort();
    if (tp.isStrVal()) {
      for (auto& m : isValidPortName(sv(tp.getStrVal())))
        errors.push_back(invalidValue(pp.child("targetPort"), goQuote(sv(tp.getStrVal())), m));
    } else {
      for (auto& m : isValidPortNum(tp.getIntVal()))
        errors.push_back(invalidValue(pp.child("targetPort"), std::to_string(tp.getIntVal()), m));
    }
    if (port.hasAppProtocol()) checkQualifiedName(sv(port.getAppProtocol()), pp.child("appProtocol"), errors);
  }

  if (spec.hasSelector()) validateLabels(spec.getSelector(), sp.child("selector"), errors);

  std::string_view affinity = sv(spec.getSessionAffinity());
  if (affinity.empty())
    errors.push_back(required(sp.child("sessionAffinity")));
  else if (affinity != "ClientIP" && affinity != "None")
    errors.push_back(notSupported(sp.child("sessionAffinity"), goQuote(affinity), {"ClientIP", "None"}));
  if (affinity == "ClientIP") {
    Path cp = sp.child("sessionAffinityConfig");
    if (!spec.hasSessionAffinityConfig()) {
      errors.push_back(required(cp, "when session affinity type is ClientIP"));
    } else if (!spec.getSessionAffinityConfig().hasClientIP()) {
      errors.push_back(required(cp.child("clientIP"), "when session affinity type is ClientIP"));
    } else {
      auto t = spec.getSessionAffinityConfig().getClientIP().getTimeoutSeconds();
      if (t.isUnset())
        errors.push_back(required(cp.child("clientIP").child("timeoutSeconds"), "when session affinity type is ClientIP"));
      else if (t.getValue() <= 0 || t.getValue() > 86400)
        errors.push_back(invalidValue(cp.child("clientIP").child("timeoutSeconds"), std::to_string(t.getValue()),
                                      "must be greater than 0 and less than 86400"));
    }
  } else if (affinity == "None" && spec.hasSessionAffinityConfig()) {
    errors.push_back(forbiddenField(sp.child("sessionAffinityConfig"), "must not be set when session affinity is None"));
  }

  // clusterIP / clusterIPs / ipFamilies / ipFamilyPolicy.
  if (type != "ExternalName") {
    auto ips = spec.getClusterIPs();
    Path ipsPath = sp.child("clusterIPs");
    std::string goIps = goStringSlice(spec.hasClusterIPs(), ips);
    if (spec.getClusterIP().size() > 0) {
      if (ips.size() == 0)
        errors.push_back(required(ipsPath));
      else if (sv(ips[0]) != sv(spec.getClusterIP()))
        errors.push_back(invalidValue(ipsPath, goIps, "first value must match `clusterIP`"));
    } else if (ips.size() > 0) {
      errors.push_back(invalidValue(ipsPath, goIps, "must be empty when `clusterIP` is not specified"));
    }
    std::set<std::string, std::less<>> families;
    auto fam = spec.getIpFamilies();
    for (unsigned i = 0; i < fam.size(); ++i) {
      std::string_view f = sv(fam[i]);
      if (f != "IPv4" && f != "IPv6")
        errors.push_back(notSupported(sp.child("ipFamilies").index(i), goQuote(f), {"IPv4", "IPv6"}));
      if (families.count(f)) errors.push_back(duplicate(sp.child("ipFamilies").index(i), goQuote(f)));
      families.insert(std::string(f));
    }
    if (spec.hasIpFamilyPolicy()) {
      std::string_view pol = sv(spec.getIpFamilyPolicy());
      if (pol != "PreferDualStack" && pol != "RequireDualStack" && pol != "SingleStack")
        errors.push_back(notSupported(sp.child("ipFamilyPolicy"), goQuote(pol),
                                      {"PreferDualStack", "RequireDualStack", "SingleStack"}));
    }
    for (unsigned i = 0; i < ips.size(); ++i) {
      std::string_view ip = sv(ips[i]);
      if (i == 0 && ip == "None") {
        if (ips.size() > 1) errors.push_back(invalidValue(ipsPath, goIps, "'None' must be the first and only value"));
        continue;
      }
      for (auto& m : isValidIP(ip)) errors.push_back(invalidValue(ipsPath.index(i), goQuote(ip), m));
    }
  }

  auto ext = spec.getExternalIPs();
  for (unsigned i = 0; i < ext.size(); ++i)
    for (auto& m : isValidIP(sv(ext[i])))
      errors.push_back(invalidValue(sp.child("externalIPs").index(i), goQuote(sv(ext[i])), m));

  if (type.empty())
    errors.push_back(required(sp.child("type")));
  else if (type != "ClusterIP" && type != "ExternalName" && type != "LoadBalancer" && type != "NodePort")
    errors.push_back(notSupported(sp.child("type"), goQuote(type), {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));

  if (type == "ClusterIP")
    for (unsigned i = 0; i < ports.size(); ++i)
      if (ports[i].getNodePort() != 0)
        errors.push_back(forbiddenField(sp.child("ports").index(i).child("nodePort"),
                                        "may not be used when `type` is 'ClusterIP'"));

  {
    std::set<std::pair<std::string, std::int32_t>> nodePorts, seen;
    for (unsigned i = 0; i < ports.size(); ++i) {
      auto port = ports[i];
      if (port.getNodePort() == 0) continue;
      auto key = std::make_pair(str(port.getProtocol()), port.getNodePort());
      if (nodePorts.count(key))
        errors.push_back(duplicate(sp.child("ports").index(i).child("nodePort"), std::to_string(port.getNodePort())));
      nodePorts.insert(key);
    }
    for (unsigned i = 0; i < ports.size(); ++i) {
      auto port = ports[i];
      auto key = std::make_pair(str(port.getProtocol()), port.getPort());
      if (seen.count(key))
        errors.push_back(duplicate(sp.child("ports").index(i), goServicePortKey(sv(port.getProtocol()), port.getPort())));
      seen.insert(key);
    }
  }

  if (spec.getLoadBalancerSourceRanges().size() > 0 && type != "LoadBalancer")
    errors.push_back(forbiddenField(sp.child("LoadBalancerSourceRanges"), "may only be used when `type` is 'LoadBalancer'"));
  if (spec.getAllocateLoadBalancerNodePorts().isValue() && type != "LoadBalancer")
    errors.push_back(forbiddenField(sp.child("allocateLoadBalancerNodePorts"),
                                    "may only be used when `type` is 'LoadBalancer'"));
  if (type == "LoadBalancer" && spec.getAllocateLoadBalancerNodePorts().isUnset())
    errors.push_back(required("allocateLoadBalancerNodePorts"));

  std::string_view etp = sv(spec.getExternalTrafficPolicy());
  if (!externallyAccessible(spec)) {
    if (!etp.empty())
      errors.push_back(invalidValue(sp.child("externalTrafficPolicy"), goQuote(etp),
                                    "may only be set for externally-accessible services"));
  } else if (etp.empty()) {
    errors.push_back(required(sp.child("externalTrafficPolicy")));
  } else if (etp != "Cluster" && etp != "Local") {
    errors.push_back(notSupported(sp.child("externalTrafficPolicy"), goQuote(etp), {"Cluster", "Local"}));
  }
  bool needsHealthCheck = type == "LoadBalancer" && etp == "Local";
  if (!needsHealthCheck && spec.getHealthCheckNodePort() != 0)
    errors.push_back(invalidValue(sp.child("healthCheckNodePort"), std::to_string(spec.getHealthCheckNodePort()),
                                  "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));

  if (!spec.hasInternalTrafficPolicy()) {
    if (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP")
      errors.push_back(required(sp.child("internalTrafficPolicy")));
  } else {
    std::string_view itp = sv(spec.getInternalTrafficPolicy());
    if (itp != "Cluster" && itp != "Local")
      errors.push_back(notSupported(sp.child("internalTrafficPolicy"), goQuote(itp), {"Cluster", "Local"}));
  }
}

// The strategies start Services, claims and volumes with an empty status.
void servicePrepareCreate(capnp::AnyStruct::Builder object) { as<core::Service>(object).initStatus(); }

void serviceValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = as<core::Service>(oldObject).getSpec();
  auto n = as<core::Service>(newObject).getSpec();
  if (sv(o.getType()) == "ExternalName" || sv(n.getType()) == "ExternalName") return;
  if (isHeadless(o) && isHeadless(n)) return;
  auto oi = o.getClusterIPs(), ni = n.getClusterIPs();
  Path p = Path("spec").child("clusterIPs");
  std::string goNew = goStringSlice(n.hasClusterIPs(), ni);
  if (oi.size() == ni.size()) {
    for (unsigned i = 0; i < oi.size(); ++i)
      if (sv(oi[i]) != sv(ni[i])) errors.push_back(invalidValue(p.index(i), goNew, "may not change once set"));
  } else if (oi.size() > ni.size()) {
    if (ni.size() == 0) errors.push_back(invalidValue(p.index(0), goNew, "primary clusterIP can not be unset"));
    if (oi.size() > 0 && ni.size() > 0 && sv(ni[0]) != sv(oi[0]))
      errors.push_back(invalidValue(p.index(0), goNew, "may not change once set"));
    if (ni.size() == 1 && sv(n.getIpFamilyPolicy()) != "SingleStack")
      errors.push_back(invalidValue(p.index(0), goNew,
                                    "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
  } else if (oi.size() > 0 && sv(ni[0]) != sv(oi[0])) {
    errors.push_back(invalidValue(p.index(0), goNew, "may not change once set"));
  }
}

constexpr TableColumn kServiceColumns[] = {
    {"Type", "string", "", "type determines how the Service is exposed.", 0},
    {"Cluster-IP", "string", "", "clusterIP is the IP address of the service.", 0},
    {"External-IP", "string", "", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.", 0},
    {"Port(s)", "string", "", "The list of ports that are exposed by this service.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Selector", "string", "", "Route service traffic to pods with label keys and values matching this selector.", 1},
};

void serviceRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto svc = as<core::Service>(object);
  auto spec = svc.getSpec();
  std::string_view type = sv(spec.getType());
  std::string clusterIP = "<none>";
  if (spec.getClusterIPs().size() > 0)
    clusterIP = str(spec.getClusterIPs()[0]);
  else if (spec.getClusterIP().size() > 0)
    clusterIP = str(spec.getClusterIP());
  auto joinList = [](capnp::List<capnp::Text>::Reader l) {
    std::string out;
    for (unsigned i = 0; i < l.size(); ++i) { out += i ? "," : ""; out += str(l[i]); }
    return out;
  };
  std::string external;
  if (type == "ClusterIP" || type == "NodePort") {
    external = spec.getExternalIPs().size() > 0 ? joinList(spec.getExternalIPs()) : "<none>";
  } else if (type == "LoadBalancer") {
    std::set<std::string> lb;
    for (auto in : svc.getStatus().getLoadBalancer().getIngress()) {
      if (in.getIp().size() > 0)
        lb.insert(str(in.getIp()));
      else if (in.getHostname().size() > 0)
        lb.insert(str(in.getHostname()));
    }
    std::string lbIps;
    for (auto& s : lb) { lbIps += lbIps.empty() ? "" : ","; lbIps += s; }
    if (spec.getExternalIPs().size() > 0) {
      external = lbIps;
      std::string e = joinList(spec.getExternalIPs());
      external = external.empty() ? e : external + "," + e;
    } else {
      external = lbIps.empty() ? "<pending>" : lbIps;
    }
  } else if (type == "ExternalName") {
    external = str(spec.getExternalName());
  } else {
    external = "<unknown>";
  }
  std::string ports;
  auto ps = spec.getPorts();
  for (unsigned i = 0; i < ps.size(); ++i) {
    if (i) ports += ",";
    if (ps[i].getNodePort() > 0)
      ports += std::to_string(ps[i].getPort()) + ":" + std::to_string(ps[i].getNodePort()) + "/" + str(ps[i].getProtocol());
    else
      ports += std::to_string(ps[i].getPort()) + "/" + str(ps[i].getProtocol());
  }
  w.string(type);
  w.string(clusterIP);
  w.string(external);
  w.string(ports.empty() ? "<none>" : ports);
  w.string(age);
  w.string(formatLabels(spec.getSelector()));
}

// =======================================================================================
// Endpoints

void endpointsDefaults(capnp::AnyStruct::Builder object) {
  for (auto ss : as<core::Endpoints>(object).getSubsets())
    for (auto p : ss.getPorts())
      if (p.getProtocol().size() == 0) p.setProtocol("TCP");
}

void endpointsValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto subsets = as<core::Endpoints>(object).getSubsets();
  for (unsigned i = 0; i < subsets.size(); ++i) {
    auto ss = subsets[i];
    Path p = Path("subsets").index(i);
    if (ss.getAddresses().size() == 0 && ss.getNotReadyAddresses().size() == 0)
      errors.push_back(required(p, "must specify `addresses` or `notReadyAddresses`"));
    auto check = [&](capnp::List<core::EndpointAddress>::Reader addrs, std::string_view child) {
      for (unsigned j = 0; j < addrs.size(); ++j)
        for (auto& m : isValidIP(sv(addrs[j].getIp())))
          errors.push_back(invalidValue(p.child(child).index(j).child("ip"), goQuote(sv(addrs[j].getIp())), m));
    };
    check(ss.getAddresses(), "addresses");
    check(ss.getNotReadyAddresses(), "notReadyAddresses");
    auto ports = ss.getPorts();
    for (unsigned j = 0; j < ports.size(); ++j) {
      Path pp = p.child("ports").index(j);
      if (ports.size() > 1 && ports[j].getName().size() == 0) errors.push_back(required(pp.child("name")));
      else if (ports[j].getName().size() > 0) checkDNS1123Label(sv(ports[j].getName()), pp.child("name"), errors);
      for (auto& m : isValidPortNum(ports[j].getPort()))
        errors.push_back(invalidValue(pp.child("port"), std::to_string(ports[j].getPort()), m));
      std::string_view proto = sv(ports[j].getProtocol());
      if (proto.empty())
        errors.push_back(required(pp.child("protocol")));
      else if (proto != "SCTP" && proto != "TCP" && proto != "UDP")
        errors.push_back(notSupported(pp.child("protocol"), goQuote(proto), {"SCTP", "TCP", "UDP"}));
    }
  }
}

constexpr TableColumn kEndpointsColumns[] = {
    {"Endpoints", "string", "", "The set of all endpoints is the union of all subsets.", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void endpointsRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto subsets = as<core::Endpoints>(object).getSubsets();
  std::string cell;
  if (subsets.size() == 0) {
    cell = "<none>";
  } else {
    std::vector<std::string> list;
    const std::size_t max = 3;
    bool more = false;
    std::size_t count = 0;
    for (auto ss : subsets) {
      if (ss.getPorts().size() == 0) {
        count += ss.getAddresses().size();
        for (auto a : ss.getAddresses()) {
          if (list.size() == max) {
            more = true;
            break;
          }
          list.push_back(str(a.getIp()));
        }
        continue;
      }
      for (auto port : ss.getPorts()) {
        count += ss.getAddresses().size();
        for (auto a : ss.getAddresses()) {
          if (list.size() == max) {
            more = true;
            break;
          }
          std::string ip = str(a.getIp());
          if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
          list.push_back(ip + ":" + std::to_string(port.getPort()));
        }
      }
    }
    for (std::size_t i = 0; i < list.size(); ++i) { cell += i ? "," : ""; cell += list[i]; }
    if (more) cell += " + " + std::to_string(count - max) + " more...";
  }
  w.string(cell);
  w.string(age);
}

// =======================================================================================
// ConfigMap

constexpr std::size_t kMaxSecretSize = 1 * 1024 * 1024;

void configMapValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto cm = as<core::ConfigMap>(object);
  std::size_t total = 0;
  std::set<std::string, std::less<>> binaryKeys;
  for (auto e : cm.getBinaryData()) binaryKeys.insert(str(e.getKey()));
  for (auto e : cm.getData()) {
    std::string_view key = sv(e.getKey());
    for (auto& m : isConfigMapKey(key)) errors.push_back(invalidValue(Path("data").key(key), goQuote(key), m));
    if (binaryKeys.count(key))
      errors.push_back(invalidValue(Path("data").key(key), goQuote(key), "duplicate of key present in binaryData"));
    total += e.getValue().size();
  }
  for (auto e : cm.getBinaryData()) {
    std::string_view key = sv(e.getKey());
    for (auto& m : isConfigMapKey(key)) errors.push_back(invalidValue(Path("binaryData").key(key), goQuote(key), m));
    total += e.getValue().size();
  }
  if (total > kMaxSecretSize) errors.push_back(tooLong("", "", kMaxSecretSize));
}

template <typename T>
bool sameBytes(T a, T b) {
  std::vector<std::pair<std::string, std::string>> x, y;
  for (auto e : a) x.emplace_back(str(e.getKey()), std::string(e.getValue().asChars().begin(), e.getValue().asChars().end()));
  for (auto e : b) y.emplace_back(str(e.getKey()), std::string(e.getValue().asChars().begin(), e.getValue().asChars().end()));
  std::sort(x.begin(), x.end());
  std::sort(y.begin(), y.end());
  return x == y;
}

void configMapValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = as<core::ConfigMap>(oldObject);
  auto n = as<core::ConfigMap>(newObject);
  if (o.getImmutable().isValue() && o.getImmutable().getValue()) {
    if (!(n.getImmutable().isValue() && n.getImmutable().getValue()))
      errors.push_back(forbiddenField("immutable", "field is immutable when `immutable` is set"));
    if (!sameEntries(n.getData(), o.getData()))
      errors.push_back(forbiddenField("data", "field is immutable when `immutable` is set"));
    if (!sameBytes(n.getBinaryData(), o.getBinaryData()))
      errors.push_back(forbiddenField("binaryData", "field is immutable when `immutable` is set"));
  }
}

constexpr TableColumn kConfigMapColumns[] = {
    {"Data", "string", "", "Data contains the configuration data.", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void configMapRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto cm = as<core::ConfigMap>(object);
  w.integer(cm.getData().size() + cm.getBinaryData().size());
  w.string(age);
}

// =======================================================================================
// Secret

void secretDefaults(capnp::AnyStruct::Builder object) {
  auto s = as<core::Secret>(object);
  if (s.getType().size() == 0) s.setType("Opaque");
  // stringData is write-only: it is merged into data (overriding it), as the v1 conversion does.
  if (s.hasStringData()) {
    std::vector<std::pair<std::string, std::string>> data;
    for (auto e : s.getData().asReader())
      data.emplace_back(str(e.getKey()), std::string(e.getValue().asChars().begin(), e.getValue().asChars().end()));
    for (auto e : s.getStringData().asReader()) {
      bool replaced = false;
      for (auto& d : data)
        if (d.first == sv(e.getKey())) {
          d.second = str(e.getValue());
          replaced = true;
        }
      if (!replaced) data.emplace_back(str(e.getKey()), str(e.getValue()));
    }
    auto list = s.initData(static_cast<unsigned>(data.size()));
    for (unsigned i = 0; i < data.size(); ++i) {
      list[i].setKey(data[i].first);
      list[i].setValue(capnp::Data::Reader(reinterpret_cast<const capnp::byte*>(data[i].second.data()),
                                           data[i].second.size()));
    }
    s.disownStringData();
  }
}

void secretValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto s = as<core::Secret>(object);
  Path dataPath("data");
  std::size_t total = 0;
  for (auto e : s.getData()) {
    std::string_view key = sv(e.getKey());
    for (auto& m : isConfigMapKey(key)) errors.push_back(invalidValue(dataPath.key(key), goQuote(key), m));
    total += e.getValue().size();
  }
  if (total > kMaxSecretSize) errors.push_back(tooLong(dataPath, "\"\"", kMaxSecretSize));
  auto has = [&](std::string_view key) {
    for (auto e : s.getData())
      if (sv(e.getKey()) == key) return true;
    return false;
  };
  auto value = [&](std::string_view key) -> std::string {
    for (auto e : s.getData())
      if (sv(e.getKey()) == key) return std::string(e.getValue().asChars().begin(), e.getValue().asChars().end());
    return {};
  };
  std::string_view type = sv(s.getType());
  if (type == "kubernetes.io/service-account-token") {
    auto name = lookup(s.getMetadata().getAnnotations(), "kubernetes.io/service-account.name");
    if (!name || name->empty())
      errors.push_back(required(Path("metadata").child("annotations").key("kubernetes.io/service-account.name")));
  } else if (type == "kubernetes.io/dockercfg") {
    if (!has(".dockercfg")) errors.push_back(required(dataPath.key(".dockercfg")));
    else if (!json::parse(value(".dockercfg")).ok())
      errors.push_back(invalidValue(dataPath.key(".dockercfg"), "\"<secret contents redacted>\"", "invalid JSON"));
  } else if (type == "kubernetes.io/dockerconfigjson") {
    if (!has(".dockerconfigjson")) errors.push_back(required(dataPath.key(".dockerconfigjson")));
    else if (!json::parse(value(".dockerconfigjson")).ok())
      errors.push_back(invalidValue(dataPath.key(".dockerconfigjson"), "\"<secret contents redacted>\"", "invalid JSON"));
  } else if (type == "kubernetes.io/basic-auth") {
    if (!has("username") && !has("password")) {
      errors.push_back(required(dataPath.key("username")));
      errors.push_back(required(dataPath.key("password")));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    if (value("ssh-privatekey").empty()) errors.push_back(required(dataPath.key("ssh-privatekey")));
  } else if (type == "kubernetes.io/tls") {
    if (!has("tls.crt")) errors.push_back(required(dataPath.key("tls.crt")));
    if (!has("tls.key")) errors.push_back(required(dataPath.key("tls.key")));
  }
}

void secretValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = as<core::Secret>(oldObject);
  auto n = as<core::Secret>(newObject);
  checkImmutable(sv(o.getType()) == sv(n.getType()), "type", goQuote(sv(n.getType())), errors);
  if (o.getImmutable().isValue() && o.getImmutable().getValue()) {
    if (!(n.getImmutable().isValue() && n.getImmutable().getValue()))
      errors.push_back(forbiddenField("immutable", "field is immutable when `immutable` is set"));
    if (!sameBytes(n.getData(), o.getData()))
      errors.push_back(forbiddenField("data", "field is immutable when `immutable` is set"));
  }
}

void secretIndexes(capnp::AnyStruct::Reader object, std::map<std::string, std::string>& out) {
  out["type"] = str(as<core::Secret>(object).getType());
}

constexpr TableColumn kSecretColumns[] = {
    {"Type", "string", "", "Used to facilitate programmatic handling of secret data.", 0},
    {"Data", "string", "", "Data contains the secret data.", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void secretRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto s = as<core::Secret>(object);
  w.string(sv(s.getType()));
  w.integer(s.getData().size());
  w.string(age);
}

// =======================================================================================
// ServiceAccount

constexpr TableColumn kServiceAccountColumns[] = {
    {"Secrets", "string", "", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void serviceAccountRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  w.integer(as<core::ServiceAccount>(object).getSecrets().size());
  w.string(age);
}

// =======================================================================================
// Event (core/v1)

void eventIndexes(capnp::AnyStruct::Reader object, std::map<std::string, std::string>& out) {
  auto e = as<core::Event>(object);
  auto o = e.getInvolvedObject();
  out["involvedObject.kind"] = str(o.getKind());
  out["involvedObject.namespace"] = str(o.getNamespace());
  out["involvedObject.name"] = str(o.getName());
  out["involvedObject.uid"] = str(o.getUid());
  out["involvedObject.apiVersion"] = str(o.getApiVersion());
  out["involvedObject.resourceVersion"] = str(o.getResourceVersion());
  out["involvedObject.fieldPath"] = str(o.getFieldPath());
  out["reason"] = str(e.getReason());
  out["reportingComponent"] = str(e.getReportingComponent());
  std::string source = str(e.getSource().getComponent());
  if (source.empty()) source = str(e.getReportingComponent());
  out["source"] = source;
  out["type"] = str(e.getType());
}

void eventValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  // legacyValidateEvent, as for a request in core/v1.
  auto e = as<core::Event>(object);
  std::string_view ns = sv(e.getMetadata().getNamespace());
  std::string_view ions = sv(e.getInvolvedObject().getNamespace());
  Path ionsPath = Path("involvedObject").child("namespace");
  if (e.getEventTime().size() == 0) {
    if (ions.empty()) {
      if (!ns.empty() && ns != "default")
        errors.push_back(invalidValue(ionsPath, goQuote(ions), "does not match event.namespace"));
    } else if (ns != ions) {
      errors.push_back(invalidValue(ionsPath, goQuote(ions), "does not match event.namespace"));
    }
  } else {
    if (ions.empty() && ns != "default" && ns != "kube-system")
      errors.push_back(invalidValue(ionsPath, goQuote(ions), "does not match event.namespace"));
    if (e.getReportingComponent().size() == 0) errors.push_back(required("reportingComponent"));
    checkQualifiedName(sv(e.getReportingComponent()), "reportingComponent", errors);
    if (e.getReportingInstance().size() == 0) errors.push_back(required("reportingInstance"));
    if (e.getReportingInstance().size() > 128)
      errors.push_back(invalidValue("reportingInstance", "\"\"", "can have at most 128 characters"));
    if (e.getAction().size() == 0) errors.push_back(required("action"));
    if (e.getAction().size() > 128) errors.push_back(invalidValue("action", "\"\"", "can have at most 128 characters"));
    if (e.getReason().size() == 0) errors.push_back(required("reason"));
    if (e.getReason().size() > 128) errors.push_back(invalidValue("reason", "\"\"", "can have at most 128 characters"));
    if (e.getMessage().size() > 1024)
      errors.push_back(invalidValue("message", "\"\"", "can have at most 1024 characters"));
  }
  for (auto& m : isDNS1123Subdomain(ns)) errors.push_back(invalidValue("namespace", goQuote(ns), m));
}

constexpr TableColumn kEventColumns[] = {
    {"Last Seen", "string", "", "The time at which the most recent occurrence of this event was recorded.", 0},
    {"Type", "string", "", "Type of this event (Normal, Warning), new types could be added in the future", 0},
    {"Reason", "string", "", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.", 0},
    {"Object", "string", "", "The object that this event is about.", 0},
    {"Subobject", "string", "", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.", 1},
    {"Source", "string", "", "The component reporting this event. Should be a short machine understandable string.", 1},
    {"Message", "string", "", "A human-readable description of the status of this operation.", 0},
    {"First Seen", "string", "", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1},
    {"Count", "string", "", "The number of times this event has occurred.", 1},
};

std::string trimSpace(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\n\r\v\f");
  if (b == std::string_view::npos) return "";
  std::size_t e = s.find_last_not_of(" \t\n\r\v\f");
  return std::string(s.substr(b, e - b + 1));
}

void eventRow(capnp::AnyStruct::Reader object, std::string_view, json::Writer& w) {
  auto e = as<core::Event>(object);
  std::string first = e.getFirstTimestamp().size() > 0 ? since(sv(e.getFirstTimestamp())) : since(sv(e.getEventTime()));
  std::string last = e.getLastTimestamp().size() > 0 ? since(sv(e.getLastTimestamp())) : first;
  std::int64_t count = e.getCount();
  if (e.hasSeries()) {
    last = since(sv(e.getSeries().getLastObservedTime()));
    count = e.getSeries().getCount();
  } else if (count == 0) {
    count = 1;
  }
  auto o = e.getInvolvedObject();
  std::string target = o.getName().size() > 0 ? lower(sv(o.getKind())) + "/" + str(o.getName()) : lower(sv(o.getKind()));
  std::string component = e.getSource().getComponent().size() > 0 ? str(e.getSource().getComponent())
                                                                    : str(e.getReportingComponent());
  std::string instance = e.getSource().getHost().size() > 0 ? str(e.getSource().getHost()) : str(e.getReportingInstance());
  std::string source = instance.empty() ? component : component + ", " + instance;
  w.string(last);
  w.string(sv(e.getType()));
  w.string(sv(e.getReason()));
  w.string(target);
  w.string(sv(o.getFieldPath()));
  w.string(source);
  w.string(trimSpace(sv(e.getMessage())));
  w.string(first);
  w.integer(count);
}

// =======================================================================================
// PersistentVolumeClaim / PersistentVolume

std::string accessModes(capnp::List<capnp::Text>::Reader modes) {
  auto has = [&](std::string_view m) {
    for (auto x : modes)
      if (sv(x) == m) return true;
    return false;
  };
  std::string out;
  auto add = [&](const char* s) {
    if (!out.empty()) out += ",";
    out += s;
  };
  if (has("ReadWriteOnce")) add("RWO");
  if (has("ReadOnlyMany")) add("ROX");
  if (has("ReadWriteMany")) add("RWX");
  if (has("ReadWriteOncePod")) add("RWOP");
  return out;
}

void pvcDefaults(capnp::AnyStruct::Builder object) {
  auto pvc = as<core::PersistentVolumeClaim>(object);
  defaultPvcSpec(pvc.getSpec());
  if (pvc.getStatus().getPhase().size() == 0) pvc.getStatus().setPhase("Pending");
}

void validatePvcSpec(core::PersistentVolumeClaimSpec::Reader spec, const Path& p, Errors& errors) {
  auto modes = spec.getAccessModes();
  if (modes.size() == 0) errors.push_back(required(p.child("accessModes"), "at least 1 access mode is required"));
  if (spec.hasSelector()) validateLabelSelector(spec.getSelector(), p.child("selector"), errors);
  bool rwop = false;
  for (auto m : modes) {
    std::string_view mode = sv(m);
    if (mode == "ReadWriteOncePod") rwop = true;
    else if (mode != "ReadWriteOnce" && mode != "ReadOnlyMany" && mode != "ReadWriteMany")
      errors.push_back(notSupported(p.child("accessModes"), goQuote(mode),
                                    {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"}));
  }
  if (rwop && modes.size() > 1)
    errors.push_back(forbiddenField(p.child("accessModes"), "may not use ReadWriteOncePod with other access modes"));
  Path storagePath = p.child("resources").key("storage");
  auto storage = lookupQuantity(spec.getResources().getRequests(), "storage");
  if (!storage) {
    errors.push_back(required(storagePath));
  } else {
    Quantity q = quantityOf(*storage);
    if (q.negative || quantityIsZero(q))
      errors.push_back(invalidValue(storagePath, goQuote(quantityString(q)), "must be greater than zero"));
  }
  if (spec.getStorageClassName().isValue() && spec.getStorageClassName().getValue().size() > 0)
    checkDNS1123Subdomain(sv(spec.getStorageClassName().getValue()), p.child("storageClassName"), errors);
  if (spec.hasVolumeMode() && sv(spec.getVolumeMode()) != "Block" && sv(spec.getVolumeMode()) != "Filesystem")
    errors.push_back(notSupported(p.child("volumeMode"), goQuote(sv(spec.getVolumeMode())), {"Block", "Filesystem"}));
}

void pvcPrepareCreate(capnp::AnyStruct::Builder object) {
  as<core::PersistentVolumeClaim>(object).initStatus().setPhase("Pending");
}

void pvcValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  validatePvcSpec(as<core::PersistentVolumeClaim>(object).getSpec(), Path("spec"), errors);
}

void pvcValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = as<core::PersistentVolumeClaim>(oldObject);
  auto n = as<core::PersistentVolumeClaim>(newObject);
  capnp::MallocMessageBuilder mo, mn;
  mo.setRoot(o.getSpec());
  mn.setRoot(n.getSpec());
  auto os = mo.getRoot<core::PersistentVolumeClaimSpec>();
  auto ns = mn.getRoot<core::PersistentVolumeClaimSpec>();
  if (o.getSpec().getVolumeName().size() == 0) os.setVolumeName(n.getSpec().getVolumeName());
  // storageClassName may be set once from nil.
  if (o.getSpec().getStorageClassName().isUnset() && n.getSpec().getStorageClassName().isValue())
    os.getStorageClassName().setValue(n.getSpec().getStorageClassName().getValue());
  // Requests (storage) may change on bound claims.
  if (sv(n.getStatus().getPhase()) == "Bound") {
    if (o.getSpec().getResources().hasRequests())
      ns.getResources().setRequests(o.getSpec().getResources().getRequests());
    else
      ns.getResources().disownRequests();
  }
  if (!same(os.asReader(), ns.asReader()))
    errors.push_back(forbiddenField("spec", "spec is immutable after creation except resources.requests and "
                                            "volumeAttributesClassName for bound claims"));
  auto oldSize = lookupQuantity(o.getSpec().getResources().getRequests(), "storage");
  auto newSize = lookupQuantity(n.getSpec().getResources().getRequests(), "storage");
  if (oldSize && newSize && compareQuantity(quantityOf(*newSize), quantityOf(*oldSize)) < 0)
    errors.push_back(forbiddenField("spec.resources.requests.storage", "field can not be less than previous value"));
}

constexpr TableColumn kPvcColumns[] = {
    {"Status", "string", "", "phase represents the current phase of PersistentVolumeClaim.", 0},
    {"Volume", "string", "", "volumeName is the binding reference to the PersistentVolume backing this claim.", 0},
    {"Capacity", "string", "", "capacity represents the actual resources of the underlying volume.", 0},
    {"Access Modes", "string", "", "accessModes contains the actual access modes the volume backing the PVC has.", 0},
    {"StorageClass", "string", "", "StorageClass of the pvc", 0},
    {"VolumeAttributesClass", "string", "", "VolumeAttributesClass of the pvc", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"VolumeMode", "string", "", "volumeMode defines what type of volume is required by the claim.", 1},
};

void pvcRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto pvc = as<core::PersistentVolumeClaim>(object);
  auto spec = pvc.getSpec();
  std::string phase = str(pvc.getStatus().getPhase());
  if (pvc.getMetadata().hasDeletionTimestamp()) phase = "Terminating";
  std::string capacity, modes;
  if (spec.getVolumeName().size() > 0) {
    modes = accessModes(pvc.getStatus().getAccessModes());
    auto q = lookupQuantity(pvc.getStatus().getCapacity(), "storage");
    capacity = q ? quantityString(quantityOf(*q)) : "0";
  }
  std::string cls;
  if (auto a = lookup(pvc.getMetadata().getAnnotations(), "volume.beta.kubernetes.io/storage-class"))
    cls = std::string(*a);
  else if (spec.getStorageClassName().isValue())
    cls = str(spec.getStorageClassName().getValue());
  w.string(phase);
  w.string(sv(spec.getVolumeName()));
  w.string(capacity);
  w.string(modes);
  w.string(cls);
  w.string("<unset>");
  w.string(age);
  w.string(spec.hasVolumeMode() ? str(spec.getVolumeMode()) : "<unset>");
}

void pvDefaults(capnp::AnyStruct::Builder object) {
  auto pv = as<core::PersistentVolume>(object);
  auto spec = pv.getSpec();
  if (spec.getPersistentVolumeReclaimPolicy().size() == 0) spec.setPersistentVolumeReclaimPolicy("Retain");
  if (!spec.hasVolumeMode()) spec.setVolumeMode("Filesystem");
  if (spec.hasHostPath() && !spec.getHostPath().hasType()) spec.getHostPath().setType("");
  if (pv.getStatus().getPhase().size() == 0) pv.getStatus().setPhase("Pending");
}

void pvPrepareCreate(capnp::AnyStruct::Builder object) {
  as<core::PersistentVolume>(object).initStatus().setPhase("Pending");
}

void pvValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = as<core::PersistentVolume>(object).getSpec();
  Path p("spec");
  if (spec.getAccessModes().size() == 0) errors.push_back(required(p.child("accessModes")));
  for (auto m : spec.getAccessModes()) {
    std::string_view mode = sv(m);
    if (mode != "ReadWriteOnce" && mode != "ReadOnlyMany" && mode != "ReadWriteMany" && mode != "ReadWriteOncePod")
      errors.push_back(notSupported(p.child("accessModes"), goQuote(mode),
                                    {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"}));
  }
  std::string_view policy = sv(spec.getPersistentVolumeReclaimPolicy());
  if (!policy.empty() && policy != "Delete" && policy != "Recycle" && policy != "Retain")
    errors.push_back(notSupported(p.child("persistentVolumeReclaimPolicy"), goQuote(policy), {"Delete", "Recycle", "Retain"}));
  if (spec.getCapacity().size() == 0) {
    errors.push_back(required(p.child("capacity")));
  } else if (!lookupQuantity(spec.getCapacity(), "storage") || spec.getCapacity().size() > 1) {
    errors.push_back(notSupported(p.child("capacity"), "core.ResourceList{...}", {"storage"}));
  }
  int sources = (spec.hasHostPath() ? 1 : 0) + (spec.hasNfs() ? 1 : 0) + (spec.hasLocal() ? 1 : 0) + (spec.hasCsi() ? 1 : 0);
  if (sources == 0) errors.push_back(required(p, "must specify a volume type"));
  if (spec.getStorageClassName().size() > 0)
    checkDNS1123Subdomain(sv(spec.getStorageClassName()), p.child("storageClassName"), errors);
  if (spec.hasVolumeMode() && sv(spec.getVolumeMode()) != "Block" && sv(spec.getVolumeMode()) != "Filesystem")
    errors.push_back(notSupported(p.child("volumeMode"), goQuote(sv(spec.getVolumeMode())), {"Block", "Filesystem"}));
}

constexpr TableColumn kPvColumns[] = {
    {"Capacity", "string", "", "capacity is the description of the persistent volume's resources and capacity.", 0},
    {"Access Modes", "string", "", "accessModes contains all ways the volume can be mounted.", 0},
    {"Reclaim Policy", "string", "", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.", 0},
    {"Status", "string", "", "phase indicates if a volume is available, bound to a claim, or released by a claim.", 0},
    {"Claim", "string", "", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.", 0},
    {"StorageClass", "string", "", "StorageClass of the pv", 0},
    {"VolumeAttributesClass", "string", "", "VolumeAttributesClass of the pv", 0},
    {"Reason", "string", "", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"VolumeMode", "string", "", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", 1},
};

void pvRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto pv = as<core::PersistentVolume>(object);
  auto spec = pv.getSpec();
  std::string claim;
  if (spec.hasClaimRef()) claim = str(spec.getClaimRef().getNamespace()) + "/" + str(spec.getClaimRef().getName());
  auto q = lookupQuantity(spec.getCapacity(), "storage");
  std::string phase = str(pv.getStatus().getPhase());
  if (pv.getMetadata().hasDeletionTimestamp()) phase = "Terminating";
  std::string cls;
  if (auto a = lookup(pv.getMetadata().getAnnotations(), "volume.beta.kubernetes.io/storage-class"))
    cls = std::string(*a);
  else
    cls = str(spec.getStorageClassName());
  w.string(q ? quantityString(quantityOf(*q)) : "0");
  w.string(accessModes(spec.getAccessModes()));
  w.string(sv(spec.getPersistentVolumeReclaimPolicy()));
  w.string(phase);
  w.string(claim);
  w.string(cls);
  w.string("<unset>");
  w.string(sv(pv.getStatus().getReason()));
  w.string(age);
  w.string(spec.hasVolumeMode() ? str(spec.getVolumeMode()) : "<unset>");
}

}  // namespace

const KindHooks kPodHooks{podDefaults, podValidate, podValidateUpdate, podPrepareCreate, podIndexes, kPodColumns, podRow};
const KindHooks kNodeHooks{nodeDefaults, nodeValidate, nodeValidateUpdate, nullptr, nodeIndexes, kNodeColumns, nodeRow};
const KindHooks kNamespaceHooks{namespaceDefaults, namespaceValidate, nullptr, namespacePrepareCreate,
                                namespaceIndexes,  kNamespaceColumns, namespaceRow};
const KindHooks kServiceHooks{serviceDefaults, serviceValidate, serviceValidateUpdate, servicePrepareCreate,
                              nullptr,         kServiceColumns, serviceRow};
const KindHooks kEndpointsHooks{endpointsDefaults, endpointsValidate, nullptr, nullptr, nullptr, kEndpointsColumns,
                                endpointsRow};
const KindHooks kConfigMapHooks{nullptr, configMapValidate, configMapValidateUpdate, nullptr,
                                nullptr, kConfigMapColumns, configMapRow};
const KindHooks kSecretHooks{secretDefaults, secretValidate, secretValidateUpdate, nullptr,
                             secretIndexes,  kSecretColumns, secretRow};
const KindHooks kServiceAccountHooks{nullptr, nullptr, nullptr, nullptr, nullptr, kServiceAccountColumns,
                                     serviceAccountRow};
const KindHooks kEventHooks{nullptr, eventValidate, nullptr, nullptr, eventIndexes, kEventColumns, eventRow};
const KindHooks kPersistentVolumeClaimHooks{pvcDefaults, pvcValidate, pvcValidateUpdate, pvcPrepareCreate,
                                            nullptr,     kPvcColumns, pvcRow};
const KindHooks kPersistentVolumeHooks{pvDefaults, pvValidate, nullptr, pvPrepareCreate, nullptr, kPvColumns, pvRow};

}  // namespace capstan::kube::kinds
