// The other API groups: coordination.k8s.io Lease, discovery.k8s.io EndpointSlice,
// networking.k8s.io Ingress/IngressClass, policy PodDisruptionBudget, scheduling.k8s.io
// PriorityClass, storage.k8s.io StorageClass, rbac.authorization.k8s.io, events.k8s.io Event.

#include <algorithm>
#include <set>

#include "kinds.h"
#include "schema/k8s/coordination_v1.capnp.h"
#include "schema/k8s/discovery_v1.capnp.h"
#include "schema/k8s/events_v1.capnp.h"
#include "schema/k8s/networking_v1.capnp.h"
#include "schema/k8s/policy_v1.capnp.h"
#include "schema/k8s/rbac_v1.capnp.h"
#include "schema/k8s/scheduling_v1.capnp.h"
#include "schema/k8s/storage_v1.capnp.h"

namespace capstan::kube::kinds {

namespace {

namespace coordination = ::capstan::k8s::coordination::v1;
namespace discovery = ::capstan::k8s::discovery::v1;
namespace events = ::capstan::k8s::events::v1;
namespace networking = ::capstan::k8s::networking::v1;
namespace policy = ::capstan::k8s::policy::v1;
namespace rbac = ::capstan::k8s::rbac::v1;
namespace scheduling = ::capstan::k8s::scheduling::v1;
namespace storage = ::capstan::k8s::storage::v1;

constexpr const char* kAgeDesc =
    "CreationTimestamp is a timestamp representing the server time when this object was created.";

std::string joinComma(const std::vector<std::string>& v, const char* sep = ",") {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) { out += i ? sep : ""; out += v[i]; }
  return out;
}

// =======================================================================================
// Lease

void leaseValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = object.as<coordination::Lease>().getSpec();
  auto d = spec.getLeaseDurationSeconds();
  if (d.isValue() && d.getValue() <= 0)
    errors.push_back(invalidValue("spec.leaseDurationSeconds", std::to_string(d.getValue()), "must be greater than 0"));
  auto t = spec.getLeaseTransitions();
  if (t.isValue() && t.getValue() < 0)
    errors.push_back(invalidValue("spec.leaseTransitions", std::to_string(t.getValue()),
                                  "must be greater than or equal to 0"));
}

constexpr TableColumn kLeaseColumns[] = {
    {"Holder", "string", "", "holderIdentity contains the identity of the holder of a current lease.", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void leaseRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  w.string(sv(object.as<coordination::Lease>().getSpec().getHolderIdentity()));
  w.string(age);
}

// =======================================================================================
// EndpointSlice

void endpointSliceDefaults(capnp::AnyStruct::Builder object) {
  for (auto p : object.as<discovery::EndpointSlice>().getPorts()) {
    if (!p.hasName()) p.setName("");
    if (!p.hasProtocol()) p.setProtocol("TCP");
  }
}

void endpointSliceValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto es = object.as<discovery::EndpointSlice>();
  std::string_view type = sv(es.getAddressType());
  if (type.empty())
    errors.push_back(required("addressType"));
  else if (type != "IPv4" && type != "IPv6" && type != "FQDN")
    errors.push_back(notSupported("addressType", goQuote(type), {"FQDN", "IPv4", "IPv6"}));
  auto eps = es.getEndpoints();
  for (unsigned i = 0; i < eps.size(); ++i) {
    auto ep = eps[i];
    Path ap = Path("endpoints").index(i).child("addresses");
    if (ep.getAddresses().size() == 0) errors.push_back(required(ap, "must contain at least 1 address"));
    auto addrs = ep.getAddresses();
    for (unsigned j = 0; j < addrs.size(); ++j) {
      std::string_view a = sv(addrs[j]);
      if (type == "IPv4" && !isValidIPv4(a))
        errors.push_back(invalidValue(ap.index(j), goQuote(a), "must be a valid IPv4 address"));
      else if (type == "IPv6" && !isValidIPv6(a))
        errors.push_back(invalidValue(ap.index(j), goQuote(a), "must be a valid IPv6 address"));
      else if (type == "FQDN")
        checkDNS1123Subdomain(a, ap.index(j), errors);
    }
    if (ep.hasNodeName())
      for (auto& m : isDNS1123Subdomain(sv(ep.getNodeName())))
        errors.push_back(invalidValue(Path("endpoints").index(i).child("nodeName"), goQuote(sv(ep.getNodeName())), m));
    if (ep.hasHostname()) checkDNS1123Label(sv(ep.getHostname()), Path("endpoints").index(i).child("hostname"), errors);
  }
  std::set<std::string, std::less<>> names;
  auto ports = es.getPorts();
  for (unsigned i = 0; i < ports.size(); ++i) {
    auto p = ports[i];
    Path pp = Path("ports").index(i);
    std::string_view name = sv(p.getName());
    if (!name.empty()) checkDNS1123Label(name, pp.child("name"), errors);
    if (names.count(name))
      errors.push_back(duplicate(pp.child("name"), goQuote(name)));
    else
      names.insert(std::string(name));
    if (!p.hasProtocol()) {
      errors.push_back(required(pp.child("protocol")));
    } else {
      std::string_view proto = sv(p.getProtocol());
      if (proto != "SCTP" && proto != "TCP" && proto != "UDP")
        errors.push_back(notSupported(pp.child("protocol"), goQuote(proto), {"SCTP", "TCP", "UDP"}));
    }
    if (p.hasAppProtocol()) checkQualifiedName(sv(p.getAppProtocol()), pp.child("appProtocol"), errors);
  }
}

constexpr TableColumn kEndpointSliceColumns[] = {
    {"AddressType", "string", "", "addressType specifies the type of address carried by this EndpointSlice.", 0},
    {"Ports", "string", "", "ports specifies the list of network ports exposed by each endpoint in this slice.", 0},
    {"Endpoints", "string", "", "endpoints is a list of unique endpoints in this slice.", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

std::string listWithMore(const std::vector<std::string>& list, bool more, std::size_t count, std::size_t max) {
  std::string out = joinComma(list);
  if (more) return out + " + " + std::to_string(count - max) + " more...";
  return out.empty() ? "<unset>" : out;
}

void endpointSliceRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto es = object.as<discovery::EndpointSlice>();
  const std::size_t max = 3;
  std::vector<std::string> ports;
  bool more = false;
  std::size_t count = 0;
  for (auto p : es.getPorts()) {
    if (ports.size() < max) {
      std::string n = "*";
      if (p.getPort().isValue())
        n = std::to_string(p.getPort().getValue());
      else if (p.hasName())
        n = str(p.getName());
      ports.push_back(n);
    } else if (ports.size() == max) {
      more = true;
    }
    ++count;
  }
  std::string portsCell = listWithMore(ports, more, count, max);
  std::vector<std::string> addrs;
  more = false;
  count = 0;
  for (auto ep : es.getEndpoints())
    for (auto a : ep.getAddresses()) {
      if (addrs.size() < max)
        addrs.push_back(str(a));
      else if (addrs.size() == max)
        more = true;
      ++count;
    }
  w.string(sv(es.getAddressType()));
  w.string(portsCell);
  w.string(listWithMore(addrs, more, count, max));
  w.string(age);
}

// =======================================================================================
// Ingress

void validateIngressBackend(networking::IngressBackend::Reader b, const Path& p, Errors& errors) {
  bool hasService = b.hasService(), hasResource = b.hasResource();
  if (hasService && hasResource) {
    errors.push_back(invalidValue(p, "\"\"", "cannot set both resource and service backends"));
  } else if (hasService) {
    auto s = b.getService();
    Path sp = p.child("service");
    if (s.getName().size() == 0) {
      errors.push_back(required(sp.child("name")));
    } else {
      for (auto& m : isDNS1035Label(sv(s.getName())))
        errors.push_back(invalidValue(sp.child("name"), goQuote(sv(s.getName())), m));
    }
    bool hasName = s.hasPort() && s.getPort().getName().size() > 0;
    bool hasNumber = s.hasPort() && s.getPort().getNumber() != 0;
    Path pp = sp.child("port");
    if (hasName && hasNumber) {
      errors.push_back(invalidValue(pp, "\"\"", "cannot set both port name & port number"));
    } else if (hasName) {
      for (auto& m : isValidPortName(sv(s.getPort().getName())))
        errors.push_back(invalidValue(pp.child("name"), goQuote(sv(s.getPort().getName())), m));
    } else if (hasNumber) {
      for (auto& m : isValidPortNum(s.getPort().getNumber()))
        errors.push_back(invalidValue(pp.child("number"), std::to_string(s.getPort().getNumber()), m));
    } else {
      errors.push_back(required(pp, "port name or number is required"));
    }
  } else if (hasResource) {
    auto r = b.getResource();
    if (r.getKind().size() == 0) errors.push_back(required(p.child("resource").child("kind")));
    if (r.getName().size() == 0) errors.push_back(required(p.child("resource").child("name")));
  } else {
    errors.push_back(invalidValue(p, "\"\"", "resource or service backend is required"));
  }
}

void ingressValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = object.as<networking::Ingress>().getSpec();
  Path p("spec");
  auto rules = spec.getRules();
  if (rules.size() == 0 && !spec.hasDefaultBackend())
    errors.push_back(invalidValue(p, "[]networking.IngressRule(nil)", "either `defaultBackend` or `rules` must be specified"));
  if (spec.hasDefaultBackend()) validateIngressBackend(spec.getDefaultBackend(), p.child("defaultBackend"), errors);
  for (unsigned i = 0; i < rules.size(); ++i) {
    auto r = rules[i];
    Path rp = p.child("rules").index(i);
    std::string host = str(r.getHost());
    if (!host.empty()) {
      if (isValidIPv4(host) || isValidIPv6(host)) {
        errors.push_back(invalidValue(rp.child("host"), goQuote(host), "must be a DNS name, not an IP address"));
      } else if (host.rfind("*.", 0) == 0) {
        for (auto& m : isDNS1123Subdomain(host.substr(2)))
          errors.push_back(invalidValue(rp.child("host"), goQuote(host), m));
      } else {
        checkDNS1123Subdomain(host, rp.child("host"), errors);
      }
    }
    if (!r.hasHttp()) continue;
    auto paths = r.getHttp().getPaths();
    Path hp = rp.child("http").child("paths");
    if (paths.size() == 0) errors.push_back(required(hp));
    for (unsigned j = 0; j < paths.size(); ++j) {
      auto path = paths[j];
      Path pp = hp.index(j);
      if (!path.hasPathType()) {
        errors.push_back(required(pp.child("pathType"), "pathType must be specified"));
        continue;
      }
      std::string_view type = sv(path.getPathType());
      std::string_view value = sv(path.getPath());
      if (type == "Exact" || type == "Prefix") {
        if (value.empty() || value.front() != '/')
          errors.push_back(invalidValue(pp.child("path"), goQuote(value), "must be an absolute path"));
        if (!value.empty()) {
          for (std::string_view seq : {"//", "/./", "/../", "%2f", "%2F"})
            if (value.find(seq) != std::string_view::npos)
              errors.push_back(invalidValue(pp.child("path"), goQuote(value), "must not contain '" + std::string(seq) + "'"));
          for (std::string_view suffix : {"/..", "/."})
            if (value.size() >= suffix.size() && value.substr(value.size() - suffix.size()) == suffix)
              errors.push_back(invalidValue(pp.child("path"), goQuote(value), "cannot end with '" + std::string(suffix) + "'"));
        }
      } else if (type == "ImplementationSpecific") {
        if (!value.empty() && value.front() != '/')
          errors.push_back(invalidValue(pp.child("path"), goQuote(value), "must be an absolute path"));
      } else {
        errors.push_back(notSupported(pp.child("pathType"), goQuote(type), {"Exact", "ImplementationSpecific", "Prefix"}));
      }
      validateIngressBackend(path.getBackend(), pp.child("backend"), errors);
    }
  }
  if (spec.hasIngressClassName()) checkDNS1123Subdomain(sv(spec.getIngressClassName()), p.child("ingressClassName"), errors);
}

void ingressPrepareCreate(capnp::AnyStruct::Builder object) { object.as<networking::Ingress>().initStatus(); }

constexpr TableColumn kIngressColumns[] = {
    {"Class", "string", "", "The name of the IngressClass resource that should be used for additional configuration", 0},
    {"Hosts", "string", "", "Hosts that incoming requests are matched against before the ingress rule", 0},
    {"Address", "string", "", "Address is a list containing ingress points for the load-balancer", 0},
    {"Ports", "string", "", "Ports of TLS configurations that open", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void ingressRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto ing = object.as<networking::Ingress>();
  auto spec = ing.getSpec();
  std::vector<std::string> hosts;
  const std::size_t max = 3;
  bool more = false;
  for (auto r : spec.getRules()) {
    if (hosts.size() == max) more = true;
    if (!more && r.getHost().size() > 0) hosts.push_back(str(r.getHost()));
  }
  std::string hostsCell;
  if (hosts.empty())
    hostsCell = "*";
  else if (more)
    hostsCell = joinComma(hosts) + " + " + std::to_string(spec.getRules().size() - max) + " more...";
  else
    hostsCell = joinComma(hosts);
  std::set<std::string> lb;
  for (auto in : ing.getStatus().getLoadBalancer().getIngress()) {
    if (in.getIp().size() > 0)
      lb.insert(str(in.getIp()));
    else if (in.getHostname().size() > 0)
      lb.insert(str(in.getHostname()));
  }
  w.string(spec.hasIngressClassName() ? str(spec.getIngressClassName()) : "<none>");
  w.string(hostsCell);
  w.string(joinComma({lb.begin(), lb.end()}));
  w.string(spec.getTls().size() != 0 ? "80, 443" : "80");
  w.string(age);
}

// =======================================================================================
// IngressClass

void ingressClassValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = object.as<networking::IngressClass>().getSpec();
  std::string_view controller = sv(spec.getController());
  if (controller.empty())
    errors.push_back(required("spec.controller"));
  else if (controller.size() > 250)
    errors.push_back(tooLong("spec.controller", goQuote(controller), 250));
  else
    checkQualifiedName(controller, "spec.controller", errors);
  if (spec.hasParameters()) {
    auto prm = spec.getParameters();
    Path pp("spec.parameters");
    if (prm.getKind().size() == 0) errors.push_back(required(pp.child("kind"), "kind is required"));
    if (prm.getName().size() == 0) errors.push_back(required(pp.child("name"), "name is required"));
    if (prm.hasScope()) {
      std::string_view scope = sv(prm.getScope());
      if (scope != "Cluster" && scope != "Namespace")
        errors.push_back(notSupported(pp.child("scope"), goQuote(scope), {"Cluster", "Namespace"}));
      if (scope == "Namespace" && !prm.hasNamespace())
        errors.push_back(required(pp.child("namespace"), "`parameters.scope` is set to 'Namespace'"));
      if (scope == "Cluster" && prm.hasNamespace())
        errors.push_back(forbiddenField(pp.child("namespace"), "`parameters.scope` is set to 'Cluster'"));
    }
  }
}

void ingressClassValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = oldObject.as<networking::IngressClass>().getSpec();
  auto n = newObject.as<networking::IngressClass>().getSpec();
  if (sv(o.getController()) != sv(n.getController()))
    errors.push_back(invalidValue("spec.controller", goQuote(sv(n.getController())), "field is immutable"));
}

constexpr TableColumn kIngressClassColumns[] = {
    {"Controller", "string", "", "Controller that is responsible for handling this class", 0},
    {"Parameters", "string", "", "A reference to a resource with additional parameters", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void ingressClassRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto spec = object.as<networking::IngressClass>().getSpec();
  std::string parameters = "<none>";
  if (spec.hasParameters()) {
    auto p = spec.getParameters();
    parameters = str(p.getKind());
    if (p.hasApiGroup()) parameters += "." + str(p.getApiGroup());
    parameters += "/" + str(p.getName());
  }
  w.string(sv(spec.getController()));
  w.string(parameters);
  w.string(age);
}

// =======================================================================================
// PodDisruptionBudget

std::string intOrStringText(meta::IntOrString::Reader v) {
  return v.isStrVal() ? str(v.getStrVal()) : std::to_string(v.getIntVal());
}

void pdbValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto spec = object.as<policy::PodDisruptionBudget>().getSpec();
  Path p("spec");
  if (spec.hasMinAvailable() && spec.hasMaxUnavailable())
    errors.push_back(invalidValue(p, "policy.PodDisruptionBudgetSpec{...}", "minAvailable and maxUnavailable cannot be both set"));
  auto check = [&](meta::IntOrString::Reader v, const Path& fp) {
    if (v.isStrVal()) {
      for (auto& m : isValidPercent(sv(v.getStrVal()))) errors.push_back(invalidValue(fp, goIntOrString(v), m));
      if (isValidPercent(sv(v.getStrVal())).empty()) {
        std::string s = str(v.getStrVal());
        if (std::stoi(s.substr(0, s.size() - 1)) > 100)
          errors.push_back(invalidValue(fp, goIntOrString(v), "must not be greater than 100%"));
      }
    } else {
      checkNonNegative(v.getIntVal(), fp, errors);
    }
  };
  if (spec.hasMinAvailable()) check(spec.getMinAvailable(), p.child("minAvailable"));
  if (spec.hasMaxUnavailable()) check(spec.getMaxUnavailable(), p.child("maxUnavailable"));
  if (spec.hasSelector()) validateLabelSelector(spec.getSelector(), p.child("selector"), errors);
  if (spec.hasUnhealthyPodEvictionPolicy()) {
    std::string_view v = sv(spec.getUnhealthyPodEvictionPolicy());
    if (v != "AlwaysAllow" && v != "IfHealthyBudget")
      errors.push_back(notSupported(p.child("unhealthyPodEvictionPolicy"), goQuote(v), {"AlwaysAllow", "IfHealthyBudget"}));
  }
}

void pdbPrepareCreate(capnp::AnyStruct::Builder object) { object.as<policy::PodDisruptionBudget>().initStatus(); }

constexpr TableColumn kPdbColumns[] = {
    {"Min Available", "string", "", "The minimum number of pods that must be available.", 0},
    {"Max Unavailable", "string", "", "The maximum number of pods that may be unavailable.", 0},
    {"Allowed Disruptions", "integer", "", "Calculated number of pods that may be disrupted at this time.", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void pdbRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto pdb = object.as<policy::PodDisruptionBudget>();
  auto spec = pdb.getSpec();
  w.string(spec.hasMinAvailable() ? intOrStringText(spec.getMinAvailable()) : "N/A");
  w.string(spec.hasMaxUnavailable() ? intOrStringText(spec.getMaxUnavailable()) : "N/A");
  w.integer(pdb.getStatus().getDisruptionsAllowed());
  w.string(age);
}

// =======================================================================================
// PriorityClass

void priorityClassDefaults(capnp::AnyStruct::Builder object) {
  auto pc = object.as<scheduling::PriorityClass>();
  if (!pc.hasPreemptionPolicy()) pc.setPreemptionPolicy("PreemptLowerPriority");
}

void priorityClassValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto pc = object.as<scheduling::PriorityClass>();
  std::string_view name = sv(pc.getMetadata().getName());
  if (name.rfind("system-", 0) == 0) {
    std::string err;
    if (name == "system-node-critical" || name == "system-cluster-critical") {
      std::int32_t want = name == "system-node-critical" ? 2000001000 : 2000000000;
      if (pc.getValue() != want)
        err = "value of " + std::string(name) + " PriorityClass must be " + std::to_string(want);
      else if (pc.getGlobalDefault())
        err = "globalDefault of " + std::string(name) + " PriorityClass must be false";
    } else {
      err = std::string(name) + " is not a known system priority class";
    }
    if (!err.empty())
      errors.push_back(forbiddenField("metadata.name",
                                      "priority class names with 'system-' prefix are reserved for system use only. "
                                      "error: " + err));
  } else if (pc.getValue() > 1000000000) {
    errors.push_back(forbiddenField("value", "maximum allowed value of a user defined priority is 1000000000"));
  }
  if (pc.hasPreemptionPolicy()) {
    std::string_view v = sv(pc.getPreemptionPolicy());
    if (v.empty())
      errors.push_back(required("preemptionPolicy"));
    else if (v != "PreemptLowerPriority" && v != "Never")
      errors.push_back(notSupported("preemptionPolicy", goQuote(v), {"PreemptLowerPriority", "Never"}));
  }
}

void priorityClassValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = oldObject.as<scheduling::PriorityClass>();
  auto n = newObject.as<scheduling::PriorityClass>();
  if (o.getValue() != n.getValue()) errors.push_back(forbiddenField("value", "may not be changed in an update."));
  if (o.hasPreemptionPolicy() != n.hasPreemptionPolicy() || sv(o.getPreemptionPolicy()) != sv(n.getPreemptionPolicy()))
    errors.push_back(invalidValue("preemptionPolicy", n.hasPreemptionPolicy() ? goQuote(sv(n.getPreemptionPolicy())) : "null",
                                  "field is immutable"));
}

constexpr TableColumn kPriorityClassColumns[] = {
    {"Value", "integer", "", "value represents the integer value of this priority class.", 0},
    {"Global-Default", "boolean", "", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"PreemptionPolicy", "string", "", "preemptionPolicy is the Policy for preempting pods with lower priority.", 0},
};

void priorityClassRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto pc = object.as<scheduling::PriorityClass>();
  w.integer(pc.getValue());
  w.boolean(pc.getGlobalDefault());
  w.string(age);
  w.string(sv(pc.getPreemptionPolicy()));
}

// =======================================================================================
// StorageClass

void storageClassDefaults(capnp::AnyStruct::Builder object) {
  auto sc = object.as<storage::StorageClass>();
  if (!sc.hasReclaimPolicy()) sc.setReclaimPolicy("Delete");
  if (!sc.hasVolumeBindingMode()) sc.setVolumeBindingMode("Immediate");
}

void storageClassValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto sc = object.as<storage::StorageClass>();
  std::string_view prov = sv(sc.getProvisioner());
  if (prov.empty())
    errors.push_back(required("provisioner"));
  else if (prov.size() > 63)
    errors.push_back(tooLong("provisioner", goQuote(prov), 63));
  else
    checkQualifiedName(prov, "provisioner", errors);
  std::size_t total = 0;
  for (auto e : sc.getParameters()) {
    if (e.getKey().size() == 0) errors.push_back(invalidValue("parameters", "\"\"", "field can not be empty."));
    total += e.getKey().size() + e.getValue().size();
  }
  if (sc.getParameters().size() > 512)
    errors.push_back(invalidValue("parameters", "map[string]string{...}", "can't have more than 512 parameters"));
  if (total > 256 * 1024)
    errors.push_back(tooLong("parameters", "\"\"", 256 * 1024));
  if (sc.hasReclaimPolicy()) {
    std::string_view v = sv(sc.getReclaimPolicy());
    if (v != "Delete" && v != "Retain")
      errors.push_back(notSupported("reclaimPolicy", goQuote(v), {"Delete", "Retain"}));
  }
  if (!sc.hasVolumeBindingMode()) {
    errors.push_back(required("volumeBindingMode"));
  } else {
    std::string_view v = sv(sc.getVolumeBindingMode());
    if (v != "Immediate" && v != "WaitForFirstConsumer")
      errors.push_back(notSupported("volumeBindingMode", goQuote(v), {"Immediate", "WaitForFirstConsumer"}));
  }
}

void storageClassValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = oldObject.as<storage::StorageClass>();
  auto n = newObject.as<storage::StorageClass>();
  if (!sameEntries(o.getParameters(), n.getParameters()))
    errors.push_back(forbiddenField("parameters", "updates to parameters are forbidden."));
  if (sv(o.getProvisioner()) != sv(n.getProvisioner()))
    errors.push_back(forbiddenField("provisioner", "updates to provisioner are forbidden."));
  if (sv(o.getReclaimPolicy()) != sv(n.getReclaimPolicy()))
    errors.push_back(forbiddenField("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
  if (sv(o.getVolumeBindingMode()) != sv(n.getVolumeBindingMode()))
    errors.push_back(invalidValue("volumeBindingMode", goQuote(sv(n.getVolumeBindingMode())), "field is immutable"));
}

constexpr TableColumn kStorageClassColumns[] = {
    {"Provisioner", "string", "", "provisioner indicates the type of the provisioner.", 0},
    {"ReclaimPolicy", "string", "", "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.", 0},
    {"VolumeBindingMode", "string", "", "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.", 0},
    {"AllowVolumeExpansion", "string", "", "allowVolumeExpansion shows whether the storage class allow volume expand.", 0},
    {"Age", "string", "", kAgeDesc, 0},
};

void storageClassRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto sc = object.as<storage::StorageClass>();
  w.string(sv(sc.getProvisioner()));
  w.string(sc.hasReclaimPolicy() ? str(sc.getReclaimPolicy()) : "Delete");
  w.string(sc.hasVolumeBindingMode() ? str(sc.getVolumeBindingMode()) : "Immediate");
  w.boolean(sc.getAllowVolumeExpansion().isValue() && sc.getAllowVolumeExpansion().getValue());
  w.string(age);
}

// =======================================================================================
// RBAC

std::vector<std::string> rbacNameErrors(std::string_view name) {
  std::vector<std::string> msgs;
  if (name == "." || name == "..") {
    msgs.push_back("may not be '" + std::string(name) + "'");
    return msgs;
  }
  for (std::string_view bad : {"/", "%"})
    if (name.find(bad) != std::string_view::npos) msgs.push_back("may not contain '" + std::string(bad) + "'");
  return msgs;
}

void validateRules(capnp::List<rbac::PolicyRule>::Reader rules, bool namespaced, Errors& errors) {
  for (unsigned i = 0; i < rules.size(); ++i) {
    auto r = rules[i];
    Path p = Path("rules").index(i);
    if (r.getVerbs().size() == 0) errors.push_back(required(p.child("verbs"), "verbs must contain at least one value"));
    if (r.getNonResourceURLs().size() > 0) {
      std::string urls = goStringSlice(true, r.getNonResourceURLs());
      if (namespaced)
        errors.push_back(invalidValue(p.child("nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs"));
      if (r.getApiGroups().size() > 0 || r.getResources().size() > 0 || r.getResourceNames().size() > 0)
        errors.push_back(invalidValue(p.child("nonResourceURLs"), urls,
                                      "rules cannot apply to both regular resources and non-resource URLs"));
      continue;
    }
    if (r.getApiGroups().size() == 0)
      errors.push_back(required(p.child("apiGroups"), "resource rules must supply at least one api group"));
    if (r.getResources().size() == 0)
      errors.push_back(required(p.child("resources"), "resource rules must supply at least one resource"));
  }
}

void roleValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  validateRules(object.as<rbac::Role>().getRules(), true, errors);
}

void clusterRoleValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto cr = object.as<rbac::ClusterRole>();
  validateRules(cr.getRules(), false, errors);
  if (cr.hasAggregationRule()) {
    auto sels = cr.getAggregationRule().getClusterRoleSelectors();
    Path p = Path("aggregationRule").child("clusterRoleSelectors");
    if (sels.size() == 0) errors.push_back(required(p, "at least one clusterRoleSelector required if aggregationRule is non-nil"));
    for (unsigned i = 0; i < sels.size(); ++i) validateLabelSelector(sels[i], p.index(i), errors);
  }
}

void defaultSubjects(capnp::List<rbac::Subject>::Builder subjects) {
  for (auto s : subjects) {
    if (s.getApiGroup().size() > 0) continue;
    std::string_view kind = sv(s.getKind());
    if (kind == "ServiceAccount")
      s.setApiGroup("");
    else if (kind == "User" || kind == "Group")
      s.setApiGroup("rbac.authorization.k8s.io");
  }
}

void roleBindingDefaults(capnp::AnyStruct::Builder object) {
  auto rb = object.as<rbac::RoleBinding>();
  if (rb.getRoleRef().getApiGroup().size() == 0) rb.getRoleRef().setApiGroup("rbac.authorization.k8s.io");
  defaultSubjects(rb.getSubjects());
}

void clusterRoleBindingDefaults(capnp::AnyStruct::Builder object) {
  auto rb = object.as<rbac::ClusterRoleBinding>();
  if (rb.getRoleRef().getApiGroup().size() == 0) rb.getRoleRef().setApiGroup("rbac.authorization.k8s.io");
  defaultSubjects(rb.getSubjects());
}

void validateBinding(rbac::RoleRef::Reader ref, capnp::List<rbac::Subject>::Reader subjects, bool namespaced,
                     Errors& errors) {
  Path rp("roleRef");
  if (sv(ref.getApiGroup()) != "rbac.authorization.k8s.io")
    errors.push_back(notSupported(rp.child("apiGroup"), goQuote(sv(ref.getApiGroup())), {"rbac.authorization.k8s.io"}));
  std::string_view kind = sv(ref.getKind());
  if (namespaced) {
    if (kind != "Role" && kind != "ClusterRole")
      errors.push_back(notSupported(rp.child("kind"), goQuote(kind), {"Role", "ClusterRole"}));
  } else if (kind != "ClusterRole") {
    errors.push_back(notSupported(rp.child("kind"), goQuote(kind), {"ClusterRole"}));
  }
  if (ref.getName().size() == 0) {
    errors.push_back(required(rp.child("name")));
  } else {
    for (auto& m : rbacNameErrors(sv(ref.getName())))
      errors.push_back(invalidValue(rp.child("name"), goQuote(sv(ref.getName())), m));
  }
  for (unsigned i = 0; i < subjects.size(); ++i) {
    auto s = subjects[i];
    Path sp = Path("subjects").index(i);
    if (s.getName().size() == 0) errors.push_back(required(sp.child("name")));
    std::string_view sk = sv(s.getKind());
    if (sk == "ServiceAccount") {
      if (s.getName().size() > 0)
        for (auto& m : isDNS1123Subdomain(sv(s.getName())))
          errors.push_back(invalidValue(sp.child("name"), goQuote(sv(s.getName())), m));
      if (s.getApiGroup().size() > 0) errors.push_back(notSupported(sp.child("apiGroup"), goQuote(sv(s.getApiGroup())), {""}));
      if (!namespaced && s.getNamespace().size() == 0) errors.push_back(required(sp.child("namespace")));
    } else if (sk == "User" || sk == "Group") {
      if (sv(s.getApiGroup()) != "rbac.authorization.k8s.io")
        errors.push_back(notSupported(sp.child("apiGroup"), goQuote(sv(s.getApiGroup())), {"rbac.authorization.k8s.io"}));
    } else {
      errors.push_back(notSupported(sp.child("kind"), goQuote(sk), {"ServiceAccount", "User", "Group"}));
    }
  }
}

void roleBindingValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto rb = object.as<rbac::RoleBinding>();
  validateBinding(rb.getRoleRef(), rb.getSubjects(), true, errors);
}

void clusterRoleBindingValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto rb = object.as<rbac::ClusterRoleBinding>();
  validateBinding(rb.getRoleRef(), rb.getSubjects(), false, errors);
}

std::string goRoleRef(rbac::RoleRef::Reader r) {
  return "rbac.RoleRef{APIGroup:" + goQuote(sv(r.getApiGroup())) + ", Kind:" + goQuote(sv(r.getKind())) +
         ", Name:" + goQuote(sv(r.getName())) + "}";
}

template <typename T>
void bindingValidateUpdate(capnp::AnyStruct::Reader oldObject, capnp::AnyStruct::Reader newObject, Errors& errors) {
  auto o = oldObject.as<T>().getRoleRef();
  auto n = newObject.as<T>().getRoleRef();
  if (sv(o.getApiGroup()) != sv(n.getApiGroup()) || sv(o.getKind()) != sv(n.getKind()) || sv(o.getName()) != sv(n.getName()))
    errors.push_back(invalidValue("roleRef", goRoleRef(n), "cannot change roleRef"));
}

constexpr TableColumn kRoleColumns[] = {
    {"Created At", "date", "", kAgeDesc, 0},
};

template <typename T>
void roleRow(capnp::AnyStruct::Reader object, std::string_view, json::Writer& w) {
  // The default table convertor: the creation time in RFC 3339 (UTC).
  std::string_view created = sv(object.as<T>().getMetadata().getCreationTimestamp());
  auto t = parseTime(created);
  if (!t) {
    w.string(created);
    return;
  }
  std::int64_t s = *t;
  std::int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
  std::int64_t rem = s - days * 86400;
  // civil_from_days
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned d = doy - (153 * mp + 2) / 5 + 1;
  unsigned m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  w.string(buf);
}

constexpr TableColumn kRoleBindingColumns[] = {
    {"Role", "string", "", "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Users", "string", "", "Users in the roleBinding", 1},
    {"Groups", "string", "", "Groups in the roleBinding", 1},
    {"ServiceAccounts", "string", "", "ServiceAccounts in the roleBinding", 1},
};

constexpr TableColumn kClusterRoleBindingColumns[] = {
    {"Role", "string", "", "RoleRef can only reference a ClusterRole in the global namespace.", 0},
    {"Age", "string", "", kAgeDesc, 0},
    {"Users", "string", "", "Users in the clusterRoleBinding", 1},
    {"Groups", "string", "", "Groups in the clusterRoleBinding", 1},
    {"ServiceAccounts", "string", "", "ServiceAccounts in the clusterRoleBinding", 1},
};

template <typename T>
void bindingRow(capnp::AnyStruct::Reader object, std::string_view age, json::Writer& w) {
  auto rb = object.as<T>();
  std::vector<std::string> users, groups, sas;
  for (auto s : rb.getSubjects()) {
    std::string_view kind = sv(s.getKind());
    if (kind == "ServiceAccount")
      sas.push_back(str(s.getNamespace()) + "/" + str(s.getName()));
    else if (kind == "User")
      users.push_back(str(s.getName()));
    else if (kind == "Group")
      groups.push_back(str(s.getName()));
  }
  w.string(str(rb.getRoleRef().getKind()) + "/" + str(rb.getRoleRef().getName()));
  w.string(age);
  w.string(joinComma(users, ", "));
  w.string(joinComma(groups, ", "));
  w.string(joinComma(sas, ", "));
}

// =======================================================================================
// events.k8s.io Event

void eventsEventIndexes(capnp::AnyStruct::Reader object, std::map<std::string, std::string>& out) {
  auto e = object.as<events::Event>();
  auto r = e.getRegarding();
  out["regarding.kind"] = str(r.getKind());
  out["regarding.namespace"] = str(r.getNamespace());
  out["regarding.name"] = str(r.getName());
  out["regarding.uid"] = str(r.getUid());
  out["regarding.apiVersion"] = str(r.getApiVersion());
  out["regarding.resourceVersion"] = str(r.getResourceVersion());
  out["regarding.fieldPath"] = str(r.getFieldPath());
  out["reason"] = str(e.getReason());
  out["reportingController"] = str(e.getReportingController());
  out["type"] = str(e.getType());
}

void eventsEventValidate(capnp::AnyStruct::Reader object, Errors& errors) {
  auto e = object.as<events::Event>();
  std::string_view ns = sv(e.getMetadata().getNamespace());
  std::string_view ions = sv(e.getRegarding().getNamespace());
  Path ionsPath = Path("involvedObject").child("namespace");
  bool hasTime = e.getEventTime().size() > 0;
  if (!hasTime) {
    if (ions.empty()) {
      if (!ns.empty() && ns != "default")
        errors.push_back(invalidValue(ionsPath, goQuote(ions), "does not match event.namespace"));
    } else if (ns != ions) {
      errors.push_back(invalidValue(ionsPath, goQuote(ions), "does not match event.namespace"));
    }
  } else {
    if (ions.empty() && ns != "default" && ns != "kube-system")
      errors.push_back(invalidValue(ionsPath, goQuote(ions), "does not match event.namespace"));
    if (e.getReportingController().size() == 0) errors.push_back(required("reportingController"));
    checkQualifiedName(sv(e.getReportingController()), "reportingController", errors);
    if (e.getReportingInstance().size() == 0) errors.push_back(required("reportingInstance"));
    if (e.getReportingInstance().size() > 128)
      errors.push_back(invalidValue("reportingInstance", "\"\"", "can have at most 128 characters"));
    if (e.getAction().size() == 0) errors.push_back(required("action"));
    if (e.getAction().size() > 128) errors.push_back(invalidValue("action", "\"\"", "can have at most 128 characters"));
    if (e.getReason().size() == 0) errors.push_back(required("reason"));
    if (e.getReason().size() > 128) errors.push_back(invalidValue("reason", "\"\"", "can have at most 128 characters"));
    if (e.getNote().size() > 1024) errors.push_back(invalidValue("message", "\"\"", "can have at most 1024 characters"));
  }
  for (auto& m : isDNS1123Subdomain(ns)) errors.push_back(invalidValue("namespace", goQuote(ns), m));
  // Strict checks of events.k8s.io/v1.
  if (e.hasSeries()) {
    if (e.getSeries().getCount() < 2)
      errors.push_back(invalidValue(Path("series").child("count"), "\"\"", "should be at least 2"));
    if (e.getSeries().getLastObservedTime().size() == 0)
      errors.push_back(required(Path("series").child("lastObservedTime")));
  }
  if (!hasTime) errors.push_back(required("eventTime"));
  std::string_view type = sv(e.getType());
  if (type != "Normal" && type != "Warning")
    errors.push_back(invalidValue("type", "\"\"", "has invalid value: " + std::string(type)));
  if (e.getDeprecatedFirstTimestamp().size() > 0) errors.push_back(invalidValue("firstTimestamp", "\"\"", "needs to be unset"));
  if (e.getDeprecatedLastTimestamp().size() > 0) errors.push_back(invalidValue("lastTimestamp", "\"\"", "needs to be unset"));
  if (e.getDeprecatedCount() != 0) errors.push_back(invalidValue("count", "\"\"", "needs to be unset"));
  if (e.hasDeprecatedSource() &&
      (e.getDeprecatedSource().getComponent().size() > 0 || e.getDeprecatedSource().getHost().size() > 0))
    errors.push_back(invalidValue("source", "\"\"", "needs to be unset"));
}

constexpr TableColumn kEventsEventColumns[] = {
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

void eventsEventRow(capnp::AnyStruct::Reader object, std::string_view, json::Writer& w) {
  auto e = object.as<events::Event>();
  std::string first = e.getDeprecatedFirstTimestamp().size() > 0 ? since(sv(e.getDeprecatedFirstTimestamp()))
                                                                  : since(sv(e.getEventTime()));
  std::string last = e.getDeprecatedLastTimestamp().size() > 0 ? since(sv(e.getDeprecatedLastTimestamp())) : first;
  std::int64_t count = e.getDeprecatedCount();
  if (e.hasSeries()) {
    last = since(sv(e.getSeries().getLastObservedTime()));
    count = e.getSeries().getCount();
  } else if (count == 0) {
    count = 1;
  }
  auto r = e.getRegarding();
  std::string kind(sv(r.getKind()));
  for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string target = r.getName().size() > 0 ? kind + "/" + str(r.getName()) : kind;
  std::string component = e.getDeprecatedSource().getComponent().size() > 0 ? str(e.getDeprecatedSource().getComponent())
                                                                             : str(e.getReportingController());
  std::string instance = e.getDeprecatedSource().getHost().size() > 0 ? str(e.getDeprecatedSource().getHost())
                                                                       : str(e.getReportingInstance());
  std::string note(sv(e.getNote()));
  std::size_t b = note.find_first_not_of(" \t\n\r\v\f"), en = note.find_last_not_of(" \t\n\r\v\f");
  note = b == std::string::npos ? "" : note.substr(b, en - b + 1);
  w.string(last);
  w.string(sv(e.getType()));
  w.string(sv(e.getReason()));
  w.string(target);
  w.string(sv(r.getFieldPath()));
  w.string(instance.empty() ? component : component + ", " + instance);
  w.string(note);
  w.string(first);
  w.integer(count);
}

}  // namespace

const KindHooks kLeaseHooks{nullptr, leaseValidate, nullptr, nullptr, nullptr, kLeaseColumns, leaseRow};
const KindHooks kEndpointSliceHooks{endpointSliceDefaults, endpointSliceValidate, nullptr, nullptr, nullptr,
                                    kEndpointSliceColumns, endpointSliceRow};
const KindHooks kIngressHooks{nullptr, ingressValidate, nullptr, ingressPrepareCreate, nullptr, kIngressColumns, ingressRow};
const KindHooks kIngressClassHooks{nullptr, ingressClassValidate, ingressClassValidateUpdate, nullptr, nullptr,
                                   kIngressClassColumns, ingressClassRow};
const KindHooks kPodDisruptionBudgetHooks{nullptr, pdbValidate, nullptr, pdbPrepareCreate, nullptr, kPdbColumns, pdbRow};
const KindHooks kPriorityClassHooks{priorityClassDefaults, priorityClassValidate, priorityClassValidateUpdate, nullptr,
                                    nullptr,               kPriorityClassColumns, priorityClassRow};
const KindHooks kStorageClassHooks{storageClassDefaults, storageClassValidate, storageClassValidateUpdate, nullptr,
                                   nullptr,              kStorageClassColumns, storageClassRow};
const KindHooks kRoleHooks{nullptr, roleValidate, nullptr, nullptr, nullptr, kRoleColumns, roleRow<rbac::Role>};
const KindHooks kClusterRoleHooks{nullptr, clusterRoleValidate, nullptr, nullptr, nullptr, kRoleColumns,
                                  roleRow<rbac::ClusterRole>};
const KindHooks kRoleBindingHooks{roleBindingDefaults, roleBindingValidate, bindingValidateUpdate<rbac::RoleBinding>,
                                  nullptr, nullptr, kRoleBindingColumns, bindingRow<rbac::RoleBinding>};
const KindHooks kClusterRoleBindingHooks{clusterRoleBindingDefaults, clusterRoleBindingValidate,
                                         bindingValidateUpdate<rbac::ClusterRoleBinding>, nullptr, nullptr,
                                         kClusterRoleBindingColumns, bindingRow<rbac::ClusterRoleBinding>};
const KindHooks kEventsEventHooks{nullptr, eventsEventValidate, nullptr, nullptr, eventsEventIndexes, kEventsEventColumns,
                                  eventsEventRow};

}  // namespace capstan::kube::kinds
