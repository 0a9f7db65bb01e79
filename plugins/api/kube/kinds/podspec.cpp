// Pod specs: Kubernetes' defaulting (SetDefaults_PodSpec, SetDefaults_Container, ...) and
// validation (ValidatePodSpec and what it calls) of the PodSpec that Pods and every workload
// template hold, the Pod update rules, QoS classes and the container cells of tables.

#include <capnp/dynamic.h>
#include <capnp/message.h>
#include <capnp/pretty-print.h>

#include <algorithm>
#include <set>

#include "kinds.h"

namespace capstan::kube::kinds {

namespace {

constexpr std::int64_t kMaxInt32 = 2147483647;

// ---------------------------------------------------------------------------------------
// Defaulting

// parsers.ParseImageName's tag: "latest" when the reference has neither tag nor digest.
std::string imageTag(std::string_view image) {
  std::size_t at = image.find('@');
  std::string_view name = at == std::string_view::npos ? image : image.substr(0, at);
  std::size_t slash = name.rfind('/');
  std::size_t colon = name.rfind(':');
  std::string tag;
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    tag = std::string(name.substr(colon + 1));
  if (tag.empty() && at == std::string_view::npos) tag = "latest";
  return tag;
}

void defaultHttpGet(core::HTTPGetAction::Builder h) {
  if (h.getPath().size() == 0) h.setPath("/");
  if (h.getScheme().size() == 0) h.setScheme("HTTP");
}

void defaultHandler(core::LifecycleHandler::Builder h) {
  if (h.hasHttpGet()) defaultHttpGet(h.getHttpGet());
}

void defaultProbe(core::Probe::Builder p) {
  if (p.getTimeoutSeconds() == 0) p.setTimeoutSeconds(1);
  if (p.getPeriodSeconds() == 0) p.setPeriodSeconds(10);
  if (p.getSuccessThreshold() == 0) p.setSuccessThreshold(1);
  if (p.getFailureThreshold() == 0) p.setFailureThreshold(3);
  if (p.hasHttpGet()) defaultHttpGet(p.getHttpGet());
}

void defaultFieldRef(core::ObjectFieldSelector::Builder f) {
  if (f.getApiVersion().size() == 0) f.setApiVersion("v1");
}

void defaultContainer(core::Container::Builder c) {
  if (c.getImagePullPolicy().size() == 0) {
    c.setImagePullPolicy(imageTag(sv(c.getImage())) == "latest" ? "Always" : "IfNotPresent");
  }
  if (c.getTerminationMessagePath().size() == 0) c.setTerminationMessagePath("/dev/termination-log");
  if (c.getTerminationMessagePolicy().size() == 0) c.setTerminationMessagePolicy("File");
  for (auto port : c.getPorts())
    if (port.getProtocol().size() == 0) port.setProtocol("TCP");
  for (auto env : c.getEnv())
    if (env.hasValueFrom() && env.getValueFrom().hasFieldRef()) defaultFieldRef(env.getValueFrom().getFieldRef());
  if (c.hasLivenessProbe()) defaultProbe(c.getLivenessProbe());
  if (c.hasReadinessProbe()) defaultProbe(c.getReadinessProbe());
  if (c.hasStartupProbe()) defaultProbe(c.getStartupProbe());
  if (c.hasLifecycle()) {
    auto l = c.getLifecycle();
    if (l.hasPostStart()) defaultHandler(l.getPostStart());
    if (l.hasPreStop()) defaultHandler(l.getPreStop());
  }
}

void defaultDownwardItems(capnp::List<core::DownwardAPIVolumeFile>::Builder items) {
  for (auto item : items)
    if (item.hasFieldRef()) defaultFieldRef(item.getFieldRef());
}

void defaultVolume(core::Volume::Builder v) {
  bool any = v.hasHostPath() || v.hasEmptyDir() || v.hasSecret() || v.hasNfs() || v.hasPersistentVolumeClaim() ||
             v.hasDownwardAPI() || v.hasConfigMap() || v.hasProjected() || v.hasCsi() || v.hasEphemeral();
  if (!any) v.initEmptyDir();
  if (v.hasHostPath()) {
    auto h = v.getHostPath();
    if (!h.hasType()) h.setType("");
  }
  if (v.hasSecret()) {
    auto s = v.getSecret();
    if (s.getDefaultMode().isUnset()) s.getDefaultMode().setValue(0644);
  }
  if (v.hasConfigMap()) {
    auto s = v.getConfigMap();
    if (s.getDefaultMode().isUnset()) s.getDefaultMode().setValue(0644);
  }
  if (v.hasDownwardAPI()) {
    auto s = v.getDownwardAPI();
    if (s.getDefaultMode().isUnset()) s.getDefaultMode().setValue(0644);
    defaultDownwardItems(s.getItems());
  }
  if (v.hasProjected()) {
    auto s = v.getProjected();
    if (s.getDefaultMode().isUnset()) s.getDefaultMode().setValue(0644);
    for (auto src : s.getSources()) {
      if (src.hasDownwardAPI()) defaultDownwardItems(src.getDownwardAPI().getItems());
      if (src.hasServiceAccountToken()) {
        auto t = src.getServiceAccountToken();
        if (t.getExpirationSeconds().isUnset()) t.getExpirationSeconds().setValue(3600);
      }
    }
  }
  if (v.hasEphemeral()) {
    auto e = v.getEphemeral();
    if (e.hasVolumeClaimTemplate()) defaultPvcSpec(e.getVolumeClaimTemplate().getSpec());
  }
}

}  // namespace

void defaultPvcSpec(core::PersistentVolumeClaimSpec::Builder spec) {
  if (!spec.hasVolumeMode()) spec.setVolumeMode("Filesystem");
}

void defaultPodSpec(core::PodSpec::Builder spec, bool jobTemplate) {
  if (spec.getDnsPolicy().size() == 0) spec.setDnsPolicy("ClusterFirst");
  if (spec.getRestartPolicy().size() == 0 && !jobTemplate) spec.setRestartPolicy("Always");
  if (!spec.hasSecurityContext()) spec.initSecurityContext();
  if (spec.getTerminationGracePeriodSeconds().isUnset()) spec.getTerminationGracePeriodSeconds().setValue(30);
  if (spec.getSchedulerName().size() == 0) spec.setSchedulerName("default-scheduler");
  for (auto c : spec.getContainers()) defaultContainer(c);
  for (auto c : spec.getInitContainers()) defaultContainer(c);
  for (auto v : spec.getVolumes()) defaultVolume(v);
}

void defaultPodOnly(core::PodSpec::Builder spec) {
  auto requestsFromLimits = [](core::Container::Builder c) {
    if (!c.hasResources()) return;
    auto r = c.getResources();
    if (!r.hasLimits()) return;
    auto limits = r.getLimits();
    auto requests = r.getRequests();
    std::vector<unsigned> missing;
    for (unsigned i = 0; i < limits.size(); ++i)
      if (!lookupQuantity(requests.asReader(), sv(limits[i].getKey()))) missing.push_back(i);
    if (missing.empty() && r.hasRequests()) return;
    // Rebuild requests: the existing entries, then the limits that had none.
    struct E {
      std::string key;
      std::string s;
      std::int64_t value, milli;
    };
    std::vector<E> all;
    for (auto e : requests)
      all.push_back({str(e.getKey()), str(e.getValue().getString()), e.getValue().getValue(), e.getValue().getMilli()});
    for (unsigned i : missing) {
      auto q = limits[i].getValue();
      all.push_back({str(limits[i].getKey()), str(q.getString()), q.getValue(), q.getMilli()});
    }
    auto out = r.initRequests(static_cast<unsigned>(all.size()));
    for (unsigned i = 0; i < all.size(); ++i) {
      out[i].setKey(all[i].key);
      auto q = out[i].initValue();
      q.setString(all[i].s);
      q.setValue(all[i].value);
      q.setMilli(all[i].milli);
    }
  };
  for (auto c : spec.getContainers()) requestsFromLimits(c);
  for (auto c : spec.getInitContainers()) requestsFromLimits(c);
  if (spec.getEnableServiceLinks().isUnset()) spec.getEnableServiceLinks().setValue(true);
  if (spec.getHostNetwork()) {
    auto hostPorts = [](capnp::List<core::Container>::Builder cs) {
      for (auto c : cs)
        for (auto p : c.getPorts())
          if (p.getHostPort() == 0) p.setHostPort(p.getContainerPort());
    };
    hostPorts(spec.getContainers());
    hostPorts(spec.getInitContainers());
  }
  // Kubernetes treats a negative grace period as 1 second.
  auto grace = spec.getTerminationGracePeriodSeconds();
  if (grace.isValue() && grace.getValue() < 0) grace.setValue(1);
}

void defaultPodTemplate(core::PodTemplateSpec::Builder t, bool jobTemplate) { defaultPodSpec(t.getSpec(), jobTemplate); }

// ---------------------------------------------------------------------------------------
// Validation

namespace {

struct VolumeInfo {
  bool pvc = false;
};
using VolumeMap = std::map<std::string, VolumeInfo, std::less<>>;

void validateLocalDescendingPath(std::string_view target, const Path& p, Errors& errors) {
  if (!target.empty() && target.front() == '/')
    errors.push_back(invalidValue(p, goQuote(target), "must be a relative path"));
  std::size_t start = 0;
  while (true) {
    std::size_t slash = target.find('/', start);
    std::string_view part = target.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") {
      errors.push_back(invalidValue(p, goQuote(target), "must not contain '..'"));
      break;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
}

void validatePathNoBacksteps(std::string_view target, const Path& p, Errors& errors) {
  std::size_t start = 0;
  while (true) {
    std::size_t slash = target.find('/', start);
    std::string_view part = target.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") {
      errors.push_back(invalidValue(p, goQuote(target), "must not contain '..'"));
      return;
    }
    if (slash == std::string_view::npos) return;
    start = slash + 1;
  }
}

void validateLocalNonReservedPath(std::string_view target, const Path& p, Errors& errors) {
  validateLocalDescendingPath(target, p, errors);
  if (target.substr(0, 2) == ".." && target.substr(0, 3) != "../")
    errors.push_back(invalidValue(p, goQuote(target), "must not start with '..'"));
}

constexpr const char* kFileModeError = "must be a number between 0 and 0777 (octal), both inclusive";

template <typename G>
void checkMode(G mode, const Path& p, Errors& errors) {
  if (mode.isValue() && (mode.getValue() > 0777 || mode.getValue() < 0))
    errors.push_back(invalidValue(p, std::to_string(mode.getValue()), kFileModeError));
}

void validateKeyToPath(core::KeyToPath::Reader kp, const Path& p, Errors& errors) {
  if (kp.getKey().size() == 0) errors.push_back(required(p.child("key")));
  if (kp.getPath().size() == 0) errors.push_back(required(p.child("path")));
  validateLocalNonReservedPath(sv(kp.getPath()), p.child("path"), errors);
  checkMode(kp.getMode(), p.child("mode"), errors);
}

const std::set<std::string, std::less<>> kVolumeFieldPaths = {"metadata.annotations", "metadata.labels",
                                                              "metadata.name", "metadata.namespace", "metadata.uid"};
const std::set<std::string, std::less<>> kEnvFieldPaths = {
    "metadata.name",       "metadata.namespace", "metadata.uid",  "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP",       "status.hostIPs",     "status.podIP",  "status.podIPs"};
const std::set<std::string, std::less<>> kDownwardLabels = {
    "metadata.annotations", "metadata.labels",    "metadata.name",     "metadata.namespace",
    "metadata.uid",         "spec.nodeName",      "spec.restartPolicy", "spec.serviceAccountName",
    "spec.schedulerName",   "status.phase",       "status.hostIP",     "status.hostIPs",
    "status.podIP",         "status.podIPs"};
const std::vector<std::string> kResourceFieldPaths = {"limits.cpu",      "limits.ephemeral-storage", "limits.memory",
                                                      "requests.cpu",    "requests.ephemeral-storage",
                                                      "requests.memory"};

std::vector<std::string> listOf(const std::set<std::string, std::less<>>& s) { return {s.begin(), s.end()}; }

void validateObjectFieldSelector(core::ObjectFieldSelector::Reader fs, const std::set<std::string, std::less<>>& allowed,
                                 const Path& p, Errors& errors) {
  if (fs.getApiVersion().size() == 0) {
    errors.push_back(required(p.child("apiVersion")));
    return;
  }
  std::string_view fp = sv(fs.getFieldPath());
  if (fp.empty()) {
    errors.push_back(required(p.child("fieldPath")));
    return;
  }
  if (sv(fs.getApiVersion()) != "v1") {
    errors.push_back(invalidValue(p.child("fieldPath"), goQuote(fp),
                                  "error converting fieldPath: unsupported pod version: " + str(fs.getApiVersion())));
    return;
  }
  // A subscripted path: metadata.labels['key'] or metadata.annotations['key'].
  std::size_t bracket = fp.find("['");
  if (bracket != std::string_view::npos && fp.size() > bracket + 4 && fp.substr(fp.size() - 2) == "']") {
    std::string_view path = fp.substr(0, bracket);
    std::string subscript(fp.substr(bracket + 2, fp.size() - bracket - 4));
    if (path == "metadata.annotations") {
      std::string lower = subscript;
      for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      checkQualifiedName(lower, p, errors);
    } else if (path == "metadata.labels") {
      checkQualifiedName(subscript, p, errors);
    } else if (!kDownwardLabels.count(path)) {
      errors.push_back(invalidValue(p.child("fieldPath"), goQuote(fp),
                                    "error converting fieldPath: field label not supported: " + std::string(fp)));
    } else {
      errors.push_back(invalidValue(p, goQuote(path), "does not support subscript"));
    }
    return;
  }
  if (!kDownwardLabels.count(fp)) {
    errors.push_back(invalidValue(p.child("fieldPath"), goQuote(fp),
                                  "error converting fieldPath: field label not supported: " + std::string(fp)));
    return;
  }
  if (!allowed.count(fp)) errors.push_back(notSupported(p.child("fieldPath"), goQuote(fp), listOf(allowed)));
}

void validateResourceFieldSelector(core::ResourceFieldSelector::Reader fs, bool volume, const Path& p,
                                   Errors& errors) {
  std::string_view res = sv(fs.getResource());
  if (volume && fs.getContainerName().size() == 0) {
    errors.push_back(required(p.child("containerName")));
  } else if (res.empty()) {
    errors.push_back(required(p.child("resource")));
  } else if (std::find(kResourceFieldPaths.begin(), kResourceFieldPaths.end(), res) == kResourceFieldPaths.end() &&
             res.rfind("requests.hugepages-", 0) != 0 && res.rfind("limits.hugepages-", 0) != 0) {
    errors.push_back(notSupported(p.child("resource"), goQuote(res), kResourceFieldPaths));
  }
}

void validateDownwardFiles(capnp::List<core::DownwardAPIVolumeFile>::Reader items, const Path& p, Errors& errors) {
  for (auto f : items) {
    if (f.getPath().size() == 0) errors.push_back(required(p.child("path")));
    validateLocalNonReservedPath(sv(f.getPath()), p.child("path"), errors);
    if (f.hasFieldRef()) {
      validateObjectFieldSelector(f.getFieldRef(), kVolumeFieldPaths, p.child("fieldRef"), errors);
      if (f.hasResourceFieldRef())
        errors.push_back(invalidValue(p, goQuote("resource"),
                                      "fieldRef and resourceFieldRef can not be specified simultaneously"));
    } else if (f.hasResourceFieldRef()) {
      validateResourceFieldSelector(f.getResourceFieldRef(), true, p.child("resourceFieldRef"), errors);
    } else {
      errors.push_back(required(p, "one of fieldRef and resourceFieldRef is required"));
    }
    checkMode(f.getMode(), p.child("mode"), errors);
  }
}

void validateVolumeSource(core::Volume::Reader v, const Path& p, Errors& errors) {
  int n = 0;
  auto more = [&](std::string_view child) {
    if (n > 0) {
      errors.push_back(forbiddenField(p.child(child), "may not specify more than 1 volume type"));
      return false;
    }
    ++n;
    return true;
  };
  if (v.hasEmptyDir()) {
    ++n;
    auto e = v.getEmptyDir();
    if (e.hasSizeLimit() && quantityOf(e.getSizeLimit()).negative && !quantityIsZero(quantityOf(e.getSizeLimit())))
      errors.push_back(forbiddenField(p.child("emptyDir").child("sizeLimit"),
                                      "SizeLimit field must be a valid resource quantity"));
  }
  if (v.hasHostPath() && more("hostPath")) {
    auto h = v.getHostPath();
    Path hp = p.child("hostPath");
    if (h.getPath().size() == 0) {
      errors.push_back(required(hp.child("path")));
    } else {
      validatePathNoBacksteps(sv(h.getPath()), hp.child("path"), errors);
      static const std::vector<std::string> types = {"",     "BlockDevice",  "CharDevice", "Directory",
                                                     "DirectoryOrCreate", "File", "FileOrCreate", "Socket"};
      if (h.hasType() && std::find(types.begin(), types.end(), sv(h.getType())) == types.end())
        errors.push_back(notSupported(hp.child("type"), goQuote(sv(h.getType())), types));
    }
  }
  if (v.hasSecret() && more("secret")) {
    auto s = v.getSecret();
    Path sp = p.child("secret");
    if (s.getSecretName().size() == 0) errors.push_back(required(sp.child("secretName")));
    checkMode(s.getDefaultMode(), sp.child("defaultMode"), errors);
    for (unsigned i = 0; i < s.getItems().size(); ++i) validateKeyToPath(s.getItems()[i], sp.child("items").index(i), errors);
  }
  if (v.hasNfs() && more("nfs")) {
    auto s = v.getNfs();
    Path sp = p.child("nfs");
    if (s.getServer().size() == 0) errors.push_back(required(sp.child("server")));
    if (s.getPath().size() == 0) errors.push_back(required(sp.child("path")));
    if (s.getPath().size() == 0 || s.getPath()[0] != '/')
      errors.push_back(invalidValue(sp.child("path"), goQuote(sv(s.getPath())), "must be an absolute path"));
  }
  if (v.hasPersistentVolumeClaim() && more("persistentVolumeClaim")) {
    if (v.getPersistentVolumeClaim().getClaimName().size() == 0)
      errors.push_back(required(p.child("persistentVolumeClaim").child("claimName")));
  }
  if (v.hasDownwardAPI() && more("downwarAPI")) {  // sic: Kubernetes' path has this typo
    auto s = v.getDownwardAPI();
    checkMode(s.getDefaultMode(), p.child("downwardAPI").child("defaultMode"), errors);
    validateDownwardFiles(s.getItems(), p.child("downwardAPI"), errors);
  }
  if (v.hasConfigMap() && more("configMap")) {
    auto s = v.getConfigMap();
    Path sp = p.child("configMap");
    if (s.getName().size() == 0) errors.push_back(required(sp.child("name")));
    checkMode(s.getDefaultMode(), sp.child("defaultMode"), errors);
    for (unsigned i = 0; i < s.getItems().size(); ++i) validateKeyToPath(s.getItems()[i], sp.child("items").index(i), errors);
  }
  if (v.hasProjected() && more("projected")) {
    auto s = v.getProjected();
    Path sp = p.child("projected");
    auto sources = s.getSources();
    for (unsigned i = 0; i < sources.size(); ++i) {
      auto src = sources[i];
      Path srcPath = sp.child("sources").index(i);
      int count = 0;
      if (src.hasSecret()) {
        ++count;
        if (src.getSecret().getName().size() == 0) errors.push_back(required(srcPath.child("secret").child("name")));
        auto items = src.getSecret().getItems();
        for (unsigned j = 0; j < items.size(); ++j)
          validateKeyToPath(items[j], srcPath.child("secret").child("items").index(j), errors);
      }
      if (src.hasConfigMap()) {
        ++count;
        if (src.getConfigMap().getName().size() == 0)
          errors.push_back(required(srcPath.child("configMap").child("name")));
        auto items = src.getConfigMap().getItems();
        for (unsigned j = 0; j < items.size(); ++j)
          validateKeyToPath(items[j], srcPath.child("configMap").child("items").index(j), errors);
      }
      if (src.hasDownwardAPI()) {
        ++count;
        validateDownwardFiles(src.getDownwardAPI().getItems(), srcPath.child("downwardAPI"), errors);
      }
      if (src.hasServiceAccountToken()) {
        ++count;
        auto t = src.getServiceAccountToken();
        Path tp = srcPath.child("serviceAccountToken");
        if (t.getExpirationSeconds().isValue()) {
          std::int64_t e = t.getExpirationSeconds().getValue();
          if (e < 10 * 60)
            errors.push_back(invalidValue(tp.child("expirationSeconds"), std::to_string(e),
                                          "may not specify a duration less than 10 minutes"));
          else if (e > 4294967296LL)
            errors.push_back(invalidValue(tp.child("expirationSeconds"), std::to_string(e),
                                          "may not specify a duration larger than 2^32 seconds"));
        }
        if (t.getPath().size() == 0) errors.push_back(required(tp.child("path")));
      }
      if (count > 1)
        errors.push_back(forbiddenField(srcPath, "may not specify more than 1 volume type per source"));
    }
    checkMode(s.getDefaultMode(), sp.child("defaultMode"), errors);
  }
  if (v.hasCsi() && more("csi")) {
    if (v.getCsi().getDriver().size() == 0) errors.push_back(required(p.child("csi").child("driver")));
  }
  if (v.hasEphemeral() && more("ephemeral")) {
    auto e = v.getEphemeral();
    if (!e.hasVolumeClaimTemplate()) errors.push_back(required(p.child("ephemeral").child("volumeClaimTemplate")));
  }
  if (n == 0) errors.push_back(required(p, "must specify a volume type"));
}

VolumeMap validateVolumes(capnp::List<core::Volume>::Reader volumes, const Path& p, Errors& errors) {
  VolumeMap map;
  std::set<std::string, std::less<>> names;
  for (unsigned i = 0; i < volumes.size(); ++i) {
    auto v = volumes[i];
    Path ip = p.index(i);
    Errors el;
    validateVolumeSource(v, ip, el);
    std::string_view name = sv(v.getName());
    if (name.empty()) {
      el.push_back(required(ip.child("name")));
    } else {
      checkDNS1123Label(name, ip.child("name"), el);
    }
    if (names.count(name)) el.push_back(duplicate(ip.child("name"), goQuote(name)));
    if (el.empty()) {
      names.insert(std::string(name));
      map[std::string(name)] = {v.hasPersistentVolumeClaim() || v.hasEphemeral()};
    } else {
      errors.insert(errors.end(), el.begin(), el.end());
    }
  }
  return map;
}

const std::vector<std::string> kProtocols = {"SCTP", "TCP", "UDP"};

void validateContainerPorts(capnp::List<core::ContainerPort>::Reader ports, const Path& p, Errors& errors) {
  std::set<std::string, std::less<>> names;
  for (unsigned i = 0; i < ports.size(); ++i) {
    auto port = ports[i];
    Path ip = p.index(i);
    std::string_view name = sv(port.getName());
    if (!name.empty()) {
      auto msgs = isValidPortName(name);
      if (!msgs.empty()) {
        for (auto& m : msgs) errors.push_back(invalidValue(ip.child("name"), goQuote(name), m));
      } else if (names.count(name)) {
        errors.push_back(duplicate(ip.child("name"), goQuote(name)));
      } else {
        names.insert(std::string(name));
      }
    }
    if (port.getContainerPort() == 0) {
      errors.push_back(required(ip.child("containerPort")));
    } else {
      for (auto& m : isValidPortNum(port.getContainerPort()))
        errors.push_back(invalidValue(ip.child("containerPort"), std::to_string(port.getContainerPort()), m));
    }
    if (port.getHostPort() != 0)
      for (auto& m : isValidPortNum(port.getHostPort()))
        errors.push_back(invalidValue(ip.child("hostPort"), std::to_string(port.getHostPort()), m));
    std::string_view proto = sv(port.getProtocol());
    if (proto.empty()) {
      errors.push_back(required(ip.child("protocol")));
    } else if (std::find(kProtocols.begin(), kProtocols.end(), proto) == kProtocols.end()) {
      errors.push_back(notSupported(ip.child("protocol"), goQuote(proto), kProtocols));
    }
  }
}

void validateKeySelectorName(std::string_view name, const Path& p, Errors& errors) {
  for (auto& m : isDNS1123Subdomain(name)) errors.push_back(invalidValue(p, goQuote(name), m));
}

void validateEnv(capnp::List<core::EnvVar>::Reader vars, const Path& p, Errors& errors) {
  for (unsigned i = 0; i < vars.size(); ++i) {
    auto ev = vars[i];
    Path ip = p.index(i);
    std::string_view name = sv(ev.getName());
    if (name.empty()) {
      errors.push_back(required(ip.child("name")));
    } else {
      for (auto& m : isEnvVarName(name)) errors.push_back(invalidValue(ip.child("name"), goQuote(name), m));
    }
    if (!ev.hasValueFrom()) continue;
    auto from = ev.getValueFrom();
    Path fp = ip.child("valueFrom");
    int n = 0;
    if (from.hasFieldRef()) {
      ++n;
      validateObjectFieldSelector(from.getFieldRef(), kEnvFieldPaths, fp.child("fieldRef"), errors);
    }
    if (from.hasResourceFieldRef()) {
      ++n;
      validateResourceFieldSelector(from.getResourceFieldRef(), false, fp.child("resourceFieldRef"), errors);
    }
    if (from.hasConfigMapKeyRef()) {
      ++n;
      auto s = from.getConfigMapKeyRef();
      validateKeySelectorName(sv(s.getName()), fp.child("configMapKeyRef").child("name"), errors);
      if (s.getKey().size() == 0) {
        errors.push_back(required(fp.child("configMapKeyRef").child("key")));
      } else {
        for (auto& m : isConfigMapKey(sv(s.getKey())))
          errors.push_back(invalidValue(fp.child("configMapKeyRef").child("key"), goQuote(sv(s.getKey())), m));
      }
    }
    if (from.hasSecretKeyRef()) {
      ++n;
      auto s = from.getSecretKeyRef();
      validateKeySelectorName(sv(s.getName()), fp.child("secretKeyRef").child("name"), errors);
      if (s.getKey().size() == 0) {
        errors.push_back(required(fp.child("secretKeyRef").child("key")));
      } else {
        for (auto& m : isConfigMapKey(sv(s.getKey())))
          errors.push_back(invalidValue(fp.child("secretKeyRef").child("key"), goQuote(sv(s.getKey())), m));
      }
    }
    if (n == 0) {
      errors.push_back(invalidValue(fp, "\"\"",
                                    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
                                    "`secretKeyRef`"));
    } else if (ev.getValue().size() != 0) {
      errors.push_back(invalidValue(fp, "\"\"", "may not be specified when `value` is not empty"));
    } else if (n > 1) {
      errors.push_back(invalidValue(fp, "\"\"", "may not have more than one field specified at a time"));
    }
  }
}

void validateEnvFrom(capnp::List<core::EnvFromSource>::Reader vars, const Path& p, Errors& errors) {
  auto prefixName = [](std::string_view name, const Path& np, Errors& errs) {
    std::string masked(name);
    if (!masked.empty() && masked.back() == '-') masked.back() = 'a';
    for (auto& m : isDNS1123Subdomain(masked)) errs.push_back(invalidValue(np, goQuote(name), m));
  };
  for (unsigned i = 0; i < vars.size(); ++i) {
    auto ev = vars[i];
    Path ip = p.index(i);
    if (ev.getPrefix().size() > 0)
      for (auto& m : isEnvVarName(sv(ev.getPrefix())))
        errors.push_back(invalidValue(ip.child("prefix"), goQuote(sv(ev.getPrefix())), m));
    int n = 0;
    if (ev.hasConfigMapRef()) {
      ++n;
      auto name = sv(ev.getConfigMapRef().getName());
      if (name.empty())
        errors.push_back(required(ip.child("configMapRef").child("name")));
      else
        prefixName(name, ip.child("configMapRef").child("name"), errors);
    }
    if (ev.hasSecretRef()) {
      ++n;
      auto name = sv(ev.getSecretRef().getName());
      if (name.empty())
        errors.push_back(required(ip.child("secretRef").child("name")));
      else
        prefixName(name, ip.child("secretRef").child("name"), errors);
    }
    if (n == 0)
      errors.push_back(invalidValue(p, "\"\"", "must specify one of: `configMapRef` or `secretRef`"));
    else if (n > 1)
      errors.push_back(invalidValue(p, "\"\"", "may not have more than one field specified at a time"));
  }
}

void validateVolumeMounts(core::Container::Reader c, const VolumeMap& volumes, const Path& p, Errors& errors) {
  std::set<std::string, std::less<>> mountPoints;
  std::map<std::string, std::string, std::less<>> devices;
  for (auto d : c.getVolumeDevices()) devices[str(d.getName())] = str(d.getDevicePath());
  auto mounts = c.getVolumeMounts();
  for (unsigned i = 0; i < mounts.size(); ++i) {
    auto m = mounts[i];
    Path ip = p.index(i);
    std::string_view name = sv(m.getName()), path = sv(m.getMountPath());
    if (name.empty()) errors.push_back(required(ip.child("name")));
    if (!volumes.count(name)) errors.push_back(notFound(ip.child("name"), goQuote(name)));
    if (path.empty()) errors.push_back(required(ip.child("mountPath")));
    if (mountPoints.count(path)) errors.push_back(invalidValue(ip.child("mountPath"), goQuote(path), "must be unique"));
    mountPoints.insert(std::string(path));
    if (devices.count(name))
      errors.push_back(invalidValue(ip.child("name"), goQuote(name), "must not already exist in volumeDevices"));
    for (auto& [dn, dp] : devices)
      if (dp == path)
        errors.push_back(invalidValue(ip.child("mountPath"), goQuote(path),
                                      "must not already exist as a path in volumeDevices"));
    if (m.getSubPath().size() > 0) validateLocalDescendingPath(sv(m.getSubPath()), p.child("subPath"), errors);
    if (m.getSubPathExpr().size() > 0) {
      if (m.getSubPath().size() > 0)
        errors.push_back(invalidValue(ip.child("subPathExpr"), goQuote(sv(m.getSubPathExpr())),
                                      "subPathExpr and subPath are mutually exclusive"));
      validateLocalDescendingPath(sv(m.getSubPathExpr()), p.child("subPathExpr"), errors);
    }
    if (m.hasMountPropagation()) {
      std::string_view mp = sv(m.getMountPropagation());
      static const std::vector<std::string> modes = {"Bidirectional", "HostToContainer", "None"};
      if (std::find(modes.begin(), modes.end(), mp) == modes.end()) {
        errors.push_back(notSupported(p.child("mountPropagation"), goQuote(mp), modes));
      } else if (mp == "Bidirectional") {
        bool privileged = c.hasSecurityContext() && c.getSecurityContext().getPrivileged().isValue() &&
                          c.getSecurityContext().getPrivileged().getValue();
        if (!privileged)
          errors.push_back(forbiddenField(p.child("mountPropagation"),
                                          "Bidirectional mount propagation is available only to privileged containers"));
      }
    }
  }
}

void validateVolumeDevices(core::Container::Reader c, const VolumeMap& volumes, const Path& p, Errors& errors) {
  std::set<std::string, std::less<>> paths, names;
  std::map<std::string, std::string, std::less<>> mounts;
  for (auto m : c.getVolumeMounts()) mounts[str(m.getName())] = str(m.getMountPath());
  auto devs = c.getVolumeDevices();
  for (unsigned i = 0; i < devs.size(); ++i) {
    auto d = devs[i];
    Path ip = p.index(i);
    std::string_view name = sv(d.getName()), path = sv(d.getDevicePath());
    auto it = volumes.find(name);
    if (name.empty()) errors.push_back(required(ip.child("name")));
    if (names.count(name)) errors.push_back(invalidValue(ip.child("name"), goQuote(name), "must be unique"));
    if (it != volumes.end() && !it->second.pvc)
      errors.push_back(invalidValue(ip.child("name"), goQuote(name),
                                    "can only use volume source type of PersistentVolumeClaim or Ephemeral for block "
                                    "mode"));
    if (it == volumes.end()) errors.push_back(notFound(ip.child("name"), goQuote(name)));
    if (path.empty()) errors.push_back(required(ip.child("devicePath")));
    if (paths.count(path)) errors.push_back(invalidValue(ip.child("devicePath"), goQuote(path), "must be unique"));
    Errors back;
    validatePathNoBacksteps(path, p.child("devicePath"), back);
    if (!path.empty() && !back.empty())
      errors.push_back(invalidValue(ip.child("devicePath"), goQuote(path), "can not contain backsteps ('..')"));
    else
      paths.insert(std::string(path));
    if (mounts.count(name))
      errors.push_back(invalidValue(ip.child("name"), goQuote(name), "must not already exist in volumeMounts"));
    for (auto& [mn, mp] : mounts)
      if (mp == path)
        errors.push_back(invalidValue(ip.child("devicePath"), goQuote(path),
                                      "must not already exist as a path in volumeMounts"));
    if (!name.empty()) names.insert(std::string(name));
  }
}

void validatePullPolicy(std::string_view policy, const Path& p, Errors& errors) {
  static const std::vector<std::string> values = {"Always", "IfNotPresent", "Never"};
  if (policy.empty())
    errors.push_back(required(p));
  else if (std::find(values.begin(), values.end(), policy) == values.end())
    errors.push_back(notSupported(p, goQuote(policy), values));
}

void validatePortNumOrName(meta::IntOrString::Reader port, const Path& p, Errors& errors) {
  if (port.isStrVal()) {
    for (auto& m : isValidPortName(sv(port.getStrVal())))
      errors.push_back(invalidValue(p, goQuote(sv(port.getStrVal())), m));
  } else {
    for (auto& m : isValidPortNum(port.getIntVal()))
      errors.push_back(invalidValue(p, std::to_string(port.getIntVal()), m));
  }
}

void validateHttpGet(core::HTTPGetAction::Reader h, const Path& p, Errors& errors) {
  if (h.getPath().size() == 0) errors.push_back(required(p.child("path")));
  validatePortNumOrName(h.getPort(), p.child("port"), errors);
  static const std::vector<std::string> schemes = {"HTTP", "HTTPS"};
  if (std::find(schemes.begin(), schemes.end(), sv(h.getScheme())) == schemes.end())
    errors.push_back(notSupported(p.child("scheme"), goQuote(sv(h.getScheme())), schemes));
  for (auto header : h.getHttpHeaders()) {
    std::string_view name = sv(header.getName());
    bool ok = !name.empty();
    for (char c : name)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') ok = false;
    if (!ok)
      errors.push_back(invalidValue(p.child("httpHeaders"), goQuote(name),
                                    "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. "
                                    "'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
  }
}

struct Handler {
  bool exec = false, httpGet = false, tcpSocket = false, grpc = false, sleep = false;
};

void validateProbe(core::Probe::Reader probe, const Path& p, Errors& errors) {
  int n = 0;
  auto one = [&](bool has, std::string_view child) {
    if (!has) return false;
    if (n > 0) {
      errors.push_back(forbiddenField(p.child(child), "may not specify more than 1 handler type"));
      return false;
    }
    ++n;
    return true;
  };
  if (one(probe.hasExec(), "exec") && probe.getExec().getCommand().size() == 0)
    errors.push_back(required(p.child("exec").child("command")));
  if (one(probe.hasHttpGet(), "httpGet")) validateHttpGet(probe.getHttpGet(), p.child("httpGet"), errors);
  if (one(probe.hasTcpSocket(), "tcpSocket"))
    validatePortNumOrName(probe.getTcpSocket().getPort(), p.child("tcpSocket").child("port"), errors);
  if (one(probe.hasGrpc(), "grpc")) {
    for (auto& m : isValidPortNum(probe.getGrpc().getPort()))
      errors.push_back(invalidValue(p.child("grpc").child("port"), std::to_string(probe.getGrpc().getPort()), m));
  }
  if (n == 0) errors.push_back(required(p, "must specify a handler type"));
  checkNonNegative(probe.getInitialDelaySeconds(), p.child("initialDelaySeconds"), errors);
  checkNonNegative(probe.getTimeoutSeconds(), p.child("timeoutSeconds"), errors);
  checkNonNegative(probe.getPeriodSeconds(), p.child("periodSeconds"), errors);
  checkNonNegative(probe.getSuccessThreshold(), p.child("successThreshold"), errors);
  checkNonNegative(probe.getFailureThreshold(), p.child("failureThreshold"), errors);
  auto grace = probe.getTerminationGracePeriodSeconds();
  if (grace.isValue() && grace.getValue() <= 0)
    errors.push_back(invalidValue(p.child("terminationGracePeriodSeconds"), std::to_string(grace.getValue()),
                                  "must be greater than 0"));
}

void validateLifecycleHandler(core::LifecycleHandler::Reader h, std::optional<std::int64_t> grace, const Path& p,
                              Errors& errors) {
  int n = 0;
  auto one = [&](bool has, std::string_view child) {
    if (!has) return false;
    if (n > 0) {
      errors.push_back(forbiddenField(p.child(child), "may not specify more than 1 handler type"));
      return false;
    }
    ++n;
    return true;
  };
  if (one(h.hasExec(), "exec") && h.getExec().getCommand().size() == 0)
    errors.push_back(required(p.child("exec").child("command")));
  if (one(h.hasHttpGet(), "httpGet")) validateHttpGet(h.getHttpGet(), p.child("httpGet"), errors);
  if (one(h.hasTcpSocket(), "tcpSocket"))
    validatePortNumOrName(h.getTcpSocket().getPort(), p.child("tcpSocket").child("port"), errors);
  if (one(h.hasSleep(), "sleep")) {
    std::int64_t s = h.getSleep().getSeconds();
    std::int64_t g = grace.value_or(30);
    if (s <= 0 || s > g)
      errors.push_back(invalidValue(p.child("sleep"), std::to_string(s),
                                    "must be greater than 0 and less than terminationGracePeriodSeconds (" +
                                        std::to_string(g) + ")"));
  }
  if (n == 0) errors.push_back(required(p, "must specify a handler type"));
}

void validateLifecycle(core::Lifecycle::Reader l, std::optional<std::int64_t> grace, const Path& p, Errors& errors) {
  if (l.hasPostStart()) validateLifecycleHandler(l.getPostStart(), grace, p.child("postStart"), errors);
  if (l.hasPreStop()) validateLifecycleHandler(l.getPreStop(), grace, p.child("preStop"), errors);
}

void validateContainerSecurityContext(core::SecurityContext::Reader sc, const Path& p, Errors& errors) {
  auto id = [&](auto g, std::string_view child) {
    if (g.isValue() && (g.getValue() < 0 || g.getValue() > kMaxInt32))
      errors.push_back(invalidValue(p.child(child), std::to_string(g.getValue()), inclusiveRangeError(0, kMaxInt32)));
  };
  id(sc.getRunAsUser(), "runAsUser");
  id(sc.getRunAsGroup(), "runAsGroup");
  if (sc.hasProcMount()) {
    static const std::vector<std::string> values = {"Default", "Unmasked"};
    if (std::find(values.begin(), values.end(), sv(sc.getProcMount())) == values.end())
      errors.push_back(notSupported(p.child("procMount"), goQuote(sv(sc.getProcMount())), values));
  }
  if (sc.hasSeccompProfile()) {
    auto sp = sc.getSeccompProfile();
    std::string_view t = sv(sp.getType());
    static const std::vector<std::string> types = {"Localhost", "RuntimeDefault", "Unconfined"};
    if (t.empty())
      errors.push_back(required(p.child("seccompProfile").child("type"), "type is required when seccompProfile is set"));
    else if (std::find(types.begin(), types.end(), t) == types.end())
      errors.push_back(notSupported(p.child("seccompProfile").child("type"), goQuote(t), types));
  }
}

void validateContainerCommon(core::Container::Reader c, const VolumeMap& volumes, const Path& p, Errors& errors) {
  std::string_view name = sv(c.getName());
  if (name.empty())
    errors.push_back(required(p.child("name")));
  else
    checkDNS1123Label(name, p.child("name"), errors);
  if (c.getImage().size() == 0) errors.push_back(required(p.child("image")));
  std::string_view tmp = sv(c.getTerminationMessagePolicy());
  if (tmp.empty()) {
    errors.push_back(required(p.child("terminationMessagePolicy")));
  } else if (tmp != "File" && tmp != "FallbackToLogsOnError") {
    errors.push_back(notSupported(p.child("terminationMessagePolicy"), goQuote(tmp), {"File", "FallbackToLogsOnError"}));
  }
  validateContainerPorts(c.getPorts(), p.child("ports"), errors);
  validateEnv(c.getEnv(), p.child("env"), errors);
  validateEnvFrom(c.getEnvFrom(), p.child("envFrom"), errors);
  validateVolumeMounts(c, volumes, p.child("volumeMounts"), errors);
  validateVolumeDevices(c, volumes, p.child("volumeDevices"), errors);
  validatePullPolicy(sv(c.getImagePullPolicy()), p.child("imagePullPolicy"), errors);
  validateResources(c.getResources(), p.child("resources"), errors);
  if (c.hasSecurityContext()) validateContainerSecurityContext(c.getSecurityContext(), p.child("securityContext"), errors);
}

void checkHostPortConflicts(capnp::List<core::Container>::Reader containers, const Path& p,
                            std::set<std::string>& seen, Errors& errors, int onlyIndex = -1) {
  for (unsigned ci = 0; ci < containers.size(); ++ci) {
    if (onlyIndex >= 0 && static_cast<int>(ci) != onlyIndex) continue;
    auto c = containers[ci];
    Path pp = p.index(ci).child("ports");
    auto ports = c.getPorts();
    for (unsigned pi = 0; pi < ports.size(); ++pi) {
      auto port = ports[pi];
      if (port.getHostPort() == 0) continue;
      std::string key = str(port.getProtocol()) + "/" + str(port.getHostIP()) + "/" + std::to_string(port.getHostPort());
      if (seen.count(key))
        errors.push_back(duplicate(pp.index(pi).child("hostPort"), goQuote(key)));
      else
        seen.insert(key);
    }
  }
}

void validateTaintEffect(std::string_view effect, bool allowEmpty, const Path& p, Errors& errors) {
  if (!allowEmpty && effect.empty()) {
    errors.push_back(required(p));
    return;
  }
  if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute")
    errors.push_back(notSupported(p, goQuote(effect), {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
}

std::string goToleration(core::Toleration::Reader t) {
  std::string secs = t.getTolerationSeconds().isValue() ? "(*int64)(0x1)" : "(*int64)(nil)";
  return "core.Toleration{Key:" + goQuote(sv(t.getKey())) + ", Operator:" + goQuote(sv(t.getOperator())) +
         ", Value:" + goQuote(sv(t.getValue())) + ", Effect:" + goQuote(sv(t.getEffect())) +
         ", TolerationSeconds:" + secs + "}";
}

void validateTolerations(capnp::List<core::Toleration>::Reader tolerations, const Path& p, Errors& errors) {
  for (unsigned i = 0; i < tolerations.size(); ++i) {
    auto t = tolerations[i];
    Path ip = p.index(i);
    std::string_view key = sv(t.getKey()), op = sv(t.getOperator()), value = sv(t.getValue()),
                     effect = sv(t.getEffect());
    if (!key.empty()) checkQualifiedName(key, ip.child("key"), errors);
    if (key.empty() && op != "Exists")
      errors.push_back(invalidValue(ip.child("operator"), goQuote(op),
                                    "operator must be Exists when `key` is empty, which means \"match all values and "
                                    "all keys\""));
    if (t.getTolerationSeconds().isValue() && effect != "NoExecute")
      errors.push_back(invalidValue(ip.child("effect"), goQuote(effect),
                                    "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op == "Equal" || op.empty()) {
      auto msgs = isValidLabelValue(value);
      if (!msgs.empty()) {
        std::string joined;
        for (std::size_t k = 0; k < msgs.size(); ++k) { joined += k ? ";" : ""; joined += msgs[k]; }
        errors.push_back(invalidValue(ip.child("operator"), goQuote(value), joined));
      }
    } else if (op == "Exists") {
      if (!value.empty())
        errors.push_back(invalidValue(ip.child("operator"), goToleration(t),
                                      "value must be empty when `operator` is 'Exists'"));
    } else {
      errors.push_back(notSupported(ip.child("operator"), goQuote(op), {"Equal", "Exists"}));
    }
    if (!effect.empty()) validateTaintEffect(effect, true, ip.child("effect"), errors);
  }
}

void validateNodeSelectorTerm(core::NodeSelectorTerm::Reader term, const Path& p, Errors& errors) {
  auto exprs = term.getMatchExpressions();
  for (unsigned j = 0; j < exprs.size(); ++j) {
    auto rq = exprs[j];
    Path rp = p.child("matchExpressions").index(j);
    std::string_view op = sv(rq.getOperator());
    unsigned n = rq.getValues().size();
    if (op == "In" || op == "NotIn") {
      if (n == 0) errors.push_back(required(rp.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (n > 0)
        errors.push_back(forbiddenField(rp.child("values"),
                                        "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else if (op == "Gt" || op == "Lt") {
      if (n != 1)
        errors.push_back(required(rp.child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    } else {
      errors.push_back(invalidValue(rp.child("operator"), goQuote(op), "not a valid selector operator"));
    }
    checkQualifiedName(sv(rq.getKey()), rp.child("key"), errors);
  }
  auto fields = term.getMatchFields();
  for (unsigned j = 0; j < fields.size(); ++j) {
    auto rq = fields[j];
    Path rp = p.child("matchFields").index(j);
    std::string_view op = sv(rq.getOperator());
    if (op == "In" || op == "NotIn") {
      if (rq.getValues().size() != 1)
        errors.push_back(required(rp.child("values"),
                                  "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    } else {
      errors.push_back(invalidValue(rp.child("operator"), goQuote(op), "not a valid selector operator"));
    }
    if (sv(rq.getKey()) != "metadata.name") {
      errors.push_back(invalidValue(rp.child("key"), goQuote(sv(rq.getKey())), "not a valid field selector key"));
    } else {
      auto values = rq.getValues();
      for (unsigned k = 0; k < values.size(); ++k)
        for (auto& m : isDNS1123Subdomain(sv(values[k])))
          errors.push_back(invalidValue(rp.child("values").index(k), goQuote(sv(values[k])), m));
    }
  }
}

void validatePodAffinityTerm(core::PodAffinityTerm::Reader t, const Path& p, Errors& errors) {
  if (t.hasLabelSelector()) validateLabelSelector(t.getLabelSelector(), p.child("labelSelector"), errors);
  if (t.hasNamespaceSelector()) validateLabelSelector(t.getNamespaceSelector(), p.child("namespaceSelector"), errors);
  for (auto ns : t.getNamespaces())
    for (auto& m : isDNS1123Label(sv(ns))) errors.push_back(invalidValue(p.child("namespace"), goQuote(sv(ns)), m));
  if (t.getTopologyKey().size() == 0) errors.push_back(required(p.child("topologyKey"), "can not be empty"));
  checkQualifiedName(sv(t.getTopologyKey()), p.child("topologyKey"), errors);
}

void validateAffinity(core::Affinity::Reader a, const Path& p, Errors& errors) {
  if (a.hasNodeAffinity()) {
    auto na = a.getNodeAffinity();
    Path np = p.child("nodeAffinity");
    if (na.hasRequiredDuringSchedulingIgnoredDuringExecution()) {
      auto ns = na.getRequiredDuringSchedulingIgnoredDuringExecution();
      Path tp = np.child("requiredDuringSchedulingIgnoredDuringExecution").child("nodeSelectorTerms");
      if (ns.getNodeSelectorTerms().size() == 0)
        errors.push_back(required(tp, "must have at least one node selector term"));
      for (unsigned i = 0; i < ns.getNodeSelectorTerms().size(); ++i)
        validateNodeSelectorTerm(ns.getNodeSelectorTerms()[i], tp.index(i), errors);
    }
    auto pref = na.getPreferredDuringSchedulingIgnoredDuringExecution();
    for (unsigned i = 0; i < pref.size(); ++i) {
      Path ip = np.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
      if (pref[i].getWeight() <= 0 || pref[i].getWeight() > 100)
        errors.push_back(invalidValue(ip.child("weight"), std::to_string(pref[i].getWeight()), "must be in the range 1-100"));
      validateNodeSelectorTerm(pref[i].getPreference(), ip.child("preference"), errors);
    }
  }
  auto podTerms = [&](auto aff, const Path& ap) {
    auto req = aff.getRequiredDuringSchedulingIgnoredDuringExecution();
    for (unsigned i = 0; i < req.size(); ++i)
      validatePodAffinityTerm(req[i], ap.child("requiredDuringSchedulingIgnoredDuringExecution").index(i), errors);
    auto pref = aff.getPreferredDuringSchedulingIgnoredDuringExecution();
    for (unsigned i = 0; i < pref.size(); ++i) {
      Path ip = ap.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
      if (pref[i].getWeight() <= 0 || pref[i].getWeight() > 100)
        errors.push_back(invalidValue(ip.child("weight"), std::to_string(pref[i].getWeight()), "must be in the range 1-100"));
      validatePodAffinityTerm(pref[i].getPodAffinityTerm(), ip.child("podAffinityTerm"), errors);
    }
  };
  if (a.hasPodAffinity()) podTerms(a.getPodAffinity(), p.child("podAffinity"));
  if (a.hasPodAntiAffinity()) podTerms(a.getPodAntiAffinity(), p.child("podAntiAffinity"));
}

void validateSubdomainName(std::string_view v, const Path& p, Errors& errors) {
  for (auto& m : isDNS1123Subdomain(v)) errors.push_back(invalidValue(p, goQuote(v), m));
}

}  // namespace

void validateResources(core::ResourceRequirements::Reader r, const Path& p, Errors& errors) {
  Path limPath = p.child("limits"), reqPath = p.child("requests");
  auto isNative = [](std::string_view n) {
    return n.find('/') == std::string_view::npos || n.find("kubernetes.io/") != std::string_view::npos;
  };
  auto isHugePages = [](std::string_view n) { return n.rfind("hugepages-", 0) == 0; };
  auto overcommit = [&](std::string_view n) { return isNative(n) && !isHugePages(n); };
  auto checkName = [&](std::string_view n, const Path& fp) {
    Errors local;
    for (auto& m : isQualifiedName(n)) local.push_back(invalidValue(fp, goQuote(n), m));
    bool noSlash = n.find('/') == std::string_view::npos;
    static const std::set<std::string, std::less<>> standard = {
        "cpu", "memory", "ephemeral-storage", "storage", "pods", "services", "replicationcontrollers",
        "resourcequotas", "secrets", "configmaps", "persistentvolumeclaims", "services.nodeports",
        "services.loadbalancers", "requests.cpu", "requests.memory", "requests.storage", "requests.ephemeral-storage",
        "limits.cpu", "limits.memory", "limits.ephemeral-storage"};
    if (local.empty() && noSlash && !standard.count(n) && !isHugePages(n))
      local.push_back(invalidValue(fp, goQuote(n), "must be a standard resource type or fully qualified"));
    if (noSlash) {
      if (n != "cpu" && n != "memory" && n != "ephemeral-storage" && !isHugePages(n))
        local.push_back(invalidValue(fp, goQuote(n), "must be a standard resource for containers"));
    } else if (!isNative(n) && n.rfind("requests.", 0) == 0) {
      local.push_back(invalidValue(fp, goQuote(n), "doesn't follow extended resource name standard"));
    }
    errors.insert(errors.end(), local.begin(), local.end());
  };
  auto checkValue = [&](std::string_view n, const Quantity& q, const Path& fp) {
    if (q.negative && !quantityIsZero(q))
      errors.push_back(invalidValue(fp, goQuote(quantityString(q)), "must be greater than or equal to 0"));
    if (!isNative(n)) {
      auto milli = quantityMilli(q);
      if (milli && *milli % 1000 != 0) errors.push_back(invalidValue(fp, goQuote(quantityString(q)), "must be an integer"));
    }
  };
  bool limCpuMem = false, reqCpuMem = false, limHuge = false, reqHuge = false;
  for (auto e : r.getLimits()) {
    std::string_view n = sv(e.getKey());
    Path fp = limPath.key(n);
    checkName(n, fp);
    checkValue(n, quantityOf(e.getValue()), fp);
    if (isHugePages(n)) limHuge = true;
    if (n == "cpu" || n == "memory") limCpuMem = true;
  }
  for (auto e : r.getRequests()) {
    std::string_view n = sv(e.getKey());
    Path fp = reqPath.key(n);
    checkName(n, fp);
    Quantity q = quantityOf(e.getValue());
    checkValue(n, q, fp);
    auto limit = lookupQuantity(r.getLimits(), n);
    if (limit) {
      Quantity l = quantityOf(*limit);
      int cmp = compareQuantity(q, l);
      if (cmp != 0 && !overcommit(n)) {
        errors.push_back(invalidValue(reqPath, goQuote(quantityString(q)),
                                      "must be equal to " + std::string(n) + " limit of " + quantityString(l)));
      } else if (cmp > 0) {
        errors.push_back(invalidValue(reqPath, goQuote(quantityString(q)),
                                      "must be less than or equal to " + std::string(n) + " limit of " +
                                          quantityString(l)));
      }
    } else if (!overcommit(n)) {
      errors.push_back(required(limPath, "Limit must be set for non overcommitable resources"));
    }
    if (isHugePages(n)) reqHuge = true;
    if (n == "cpu" || n == "memory") reqCpuMem = true;
  }
  if (!limCpuMem && !reqCpuMem && (limHuge || reqHuge)) errors.push_back(forbiddenField(p, "HugePages require cpu or memory"));
  std::set<std::string, std::less<>> claims;
  auto cl = r.getClaims();
  for (unsigned i = 0; i < cl.size(); ++i) {
    std::string_view name = sv(cl[i].getName());
    if (name.empty()) {
      errors.push_back(required(p.child("claims").index(i)));
      continue;
    }
    if (claims.count(name)) errors.push_back(duplicate(p.child("claims").index(i), goQuote(name)));
    claims.insert(std::string(name));
    FieldError e = notFound(p.child("claims").index(i), goQuote(name));
    e.detail += ": must be one of the names in pod.spec.resourceClaims which is empty";
    errors.push_back(e);
  }
}

void validatePodSpec(core::PodSpec::Reader spec, const Path& p, bool isPod, Errors& errors, bool jobTemplate) {
  std::optional<std::int64_t> grace;
  if (spec.getTerminationGracePeriodSeconds().isUnset())
    errors.push_back(required(p.child("terminationGracePeriodSeconds")));
  else
    grace = spec.getTerminationGracePeriodSeconds().getValue();

  VolumeMap volumes = validateVolumes(spec.getVolumes(), p.child("volumes"), errors);

  // Regular containers.
  auto containers = spec.getContainers();
  Path cp = p.child("containers");
  if (containers.size() == 0) {
    errors.push_back(required(cp));
  } else {
    std::set<std::string, std::less<>> names;
    for (unsigned i = 0; i < containers.size(); ++i) {
      auto c = containers[i];
      Path ip = cp.index(i);
      validateContainerCommon(c, volumes, ip, errors);
      std::string_view name = sv(c.getName());
      if (names.count(name))
        errors.push_back(duplicate(ip.child("name"), goQuote(name)));
      else
        names.insert(std::string(name));
      if (c.hasLifecycle()) validateLifecycle(c.getLifecycle(), grace, ip.child("lifecycle"), errors);
      if (c.hasLivenessProbe()) {
        validateProbe(c.getLivenessProbe(), ip.child("livenessProbe"), errors);
        if (c.getLivenessProbe().getSuccessThreshold() != 1)
          errors.push_back(invalidValue(ip.child("livenessProbe").child("successThreshold"),
                                        std::to_string(c.getLivenessProbe().getSuccessThreshold()), "must be 1"));
      }
      if (c.hasReadinessProbe()) {
        validateProbe(c.getReadinessProbe(), ip.child("readinessProbe"), errors);
        auto g = c.getReadinessProbe().getTerminationGracePeriodSeconds();
        if (g.isValue())
          errors.push_back(invalidValue(ip.child("readinessProbe").child("terminationGracePeriodSeconds"),
                                        std::to_string(g.getValue()), "must not be set for readinessProbes"));
      }
      if (c.hasStartupProbe()) {
        validateProbe(c.getStartupProbe(), ip.child("startupProbe"), errors);
        if (c.getStartupProbe().getSuccessThreshold() != 1)
          errors.push_back(invalidValue(ip.child("startupProbe").child("successThreshold"),
                                        std::to_string(c.getStartupProbe().getSuccessThreshold()), "must be 1"));
      }
      if (c.hasRestartPolicy())
        errors.push_back(forbiddenField(ip.child("restartPolicy"), "may not be set for non-init containers"));
    }
    std::set<std::string> seen;
    checkHostPortConflicts(containers, cp, seen, errors);
  }

  // Init containers.
  {
    std::set<std::string, std::less<>> names;
    for (auto c : containers) names.insert(str(c.getName()));
    auto inits = spec.getInitContainers();
    Path ip0 = p.child("initContainers");
    for (unsigned i = 0; i < inits.size(); ++i) {
      auto c = inits[i];
      Path ip = ip0.index(i);
      validateContainerCommon(c, volumes, ip, errors);
      bool restartAlways = false;
      if (c.hasRestartPolicy()) {
        if (sv(c.getRestartPolicy()) != "Always")
          errors.push_back(notSupported(ip.child("restartPolicy"), goQuote(sv(c.getRestartPolicy())), {"Always"}));
        restartAlways = sv(c.getRestartPolicy()) == "Always";
      }
      std::string_view name = sv(c.getName());
      if (names.count(name))
        errors.push_back(duplicate(ip.child("name"), goQuote(name)));
      else if (!name.empty())
        names.insert(std::string(name));
      std::set<std::string> seen;
      checkHostPortConflicts(inits, ip0, seen, errors, static_cast<int>(i));
      if (restartAlways) {
        if (c.hasLifecycle()) validateLifecycle(c.getLifecycle(), grace, ip.child("lifecycle"), errors);
        if (c.hasLivenessProbe()) validateProbe(c.getLivenessProbe(), ip.child("livenessProbe"), errors);
        if (c.hasReadinessProbe()) validateProbe(c.getReadinessProbe(), ip.child("readinessProbe"), errors);
        if (c.hasStartupProbe()) validateProbe(c.getStartupProbe(), ip.child("startupProbe"), errors);
      } else {
        const char* why = "may not be set for init containers without restartPolicy=Always";
        if (c.hasLifecycle()) errors.push_back(forbiddenField(ip.child("lifecycle"), why));
        if (c.hasLivenessProbe()) errors.push_back(forbiddenField(ip.child("livenessProbe"), why));
        if (c.hasReadinessProbe()) errors.push_back(forbiddenField(ip.child("readinessProbe"), why));
        if (c.hasStartupProbe()) errors.push_back(forbiddenField(ip.child("startupProbe"), why));
      }
      if (c.getResizePolicy().size() > 0)
        errors.push_back(invalidValue(ip.child("resizePolicy"), "[]core.ContainerResizePolicy{...}",
                                      "must not be set for init containers"));
    }
  }

  // Host network: host ports must match container ports.
  if (spec.getHostNetwork()) {
    for (unsigned i = 0; i < containers.size(); ++i) {
      auto ports = containers[i].getPorts();
      for (unsigned j = 0; j < ports.size(); ++j) {
        std::int32_t hp = ports[j].getHostPort(), cpn = ports[j].getContainerPort();
        if ((isPod || hp != 0) && hp != cpn)
          errors.push_back(invalidValue(cp.index(i).child("ports").index(j).child("hostPort"), std::to_string(hp),
                                        "must match `containerPort` when `hostNetwork` is true"));
      }
    }
  }

  // restartPolicy, dnsPolicy.
  std::string_view rp = sv(spec.getRestartPolicy());
  if (rp.empty()) {
    // A Job's template: the Job validation requires it, with its own message.
    if (!jobTemplate) errors.push_back(required(p.child("restartPolicy")));
  } else if (rp != "Always" && rp != "OnFailure" && rp != "Never")
    errors.push_back(notSupported(p.child("restartPolicy"), goQuote(rp), {"Always", "OnFailure", "Never"}));
  std::string_view dns = sv(spec.getDnsPolicy());
  if (dns.empty())
    errors.push_back(required(p.child("dnsPolicy")));
  else if (dns != "ClusterFirstWithHostNet" && dns != "ClusterFirst" && dns != "Default" && dns != "None")
    errors.push_back(notSupported(p.child("dnsPolicy"), goQuote(dns),
                                  {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));

  validateLabels(spec.getNodeSelector(), p.child("nodeSelector"), errors);

  if (spec.hasSecurityContext()) {
    auto sc = spec.getSecurityContext();
    Path sp = p.child("securityContext");
    auto id = [&](auto g, std::string_view child) {
      if (g.isValue() && (g.getValue() < 0 || g.getValue() > kMaxInt32))
        errors.push_back(invalidValue(sp.child(child), std::to_string(g.getValue()), inclusiveRangeError(0, kMaxInt32)));
    };
    id(sc.getFsGroup(), "fsGroup");
    id(sc.getRunAsUser(), "runAsUser");
    id(sc.getRunAsGroup(), "runAsGroup");
    auto groups = sc.getSupplementalGroups();
    for (unsigned i = 0; i < groups.size(); ++i)
      if (groups[i] < 0 || groups[i] > kMaxInt32)
        errors.push_back(invalidValue(sp.child("supplementalGroups").index(i), std::to_string(groups[i]),
                                      inclusiveRangeError(0, kMaxInt32)));
    if (sc.hasFsGroupChangePolicy()) {
      std::string_view v = sv(sc.getFsGroupChangePolicy());
      if (v != "OnRootMismatch" && v != "Always")
        errors.push_back(notSupported(sp.child("fsGroupChangePolicy"), goQuote(v), {"Always", "OnRootMismatch"}));
    }
    if (sc.hasSeccompProfile()) {
      std::string_view t = sv(sc.getSeccompProfile().getType());
      static const std::vector<std::string> types = {"Localhost", "RuntimeDefault", "Unconfined"};
      if (t.empty())
        errors.push_back(required(sp.child("seccompProfile").child("type"), "type is required when seccompProfile is set"));
      else if (std::find(types.begin(), types.end(), t) == types.end())
        errors.push_back(notSupported(sp.child("seccompProfile").child("type"), goQuote(t), types));
    }
    auto sysctls = sc.getSysctls();
    std::set<std::string, std::less<>> seen;
    for (unsigned i = 0; i < sysctls.size(); ++i) {
      std::string_view n = sv(sysctls[i].getName());
      if (n.empty())
        errors.push_back(required(sp.child("sysctls").index(i).child("name")));
      else if (seen.count(n))
        errors.push_back(duplicate(sp.child("sysctls").index(i).child("name"), goQuote(n)));
      seen.insert(std::string(n));
    }
  }

  if (spec.hasAffinity()) validateAffinity(spec.getAffinity(), p.child("affinity"), errors);

  // DNS config.
  {
    Path dp = p.child("dnsConfig");
    bool dnsNone = dns == "None";
    bool stop = false;
    if (dnsNone && !spec.hasDnsConfig()) {
      errors.push_back(required(dp, "must provide `dnsConfig` when `dnsPolicy` is None"));
      stop = true;
    } else if (dnsNone && spec.getDnsConfig().getNameservers().size() == 0) {
      errors.push_back(required(dp.child("nameservers"),
                                "must provide at least one DNS nameserver when `dnsPolicy` is None"));
      stop = true;
    }
    if (!stop && spec.hasDnsConfig()) {
      auto dc = spec.getDnsConfig();
      auto ns = dc.getNameservers();
      if (ns.size() > 3)
        errors.push_back(invalidValue(dp.child("nameservers"), goStringSlice(true, ns), "must not have more than 3 nameservers"));
      for (unsigned i = 0; i < ns.size(); ++i)
        for (auto& m : isValidIP(sv(ns[i])))
          errors.push_back(invalidValue(dp.child("nameservers").index(i), goQuote(sv(ns[i])), m));
      auto searches = dc.getSearches();
      if (searches.size() > 32)
        errors.push_back(invalidValue(dp.child("searches"), goStringSlice(true, searches),
                                      "must not have more than 32 search paths"));
      for (unsigned i = 0; i < searches.size(); ++i) {
        std::string s = str(searches[i]);
        if (!s.empty() && s.back() == '.') s.pop_back();
        checkDNS1123Subdomain(s, dp.child("searches").index(i), errors);
      }
      auto options = dc.getOptions();
      for (unsigned i = 0; i < options.size(); ++i)
        if (options[i].getName().size() == 0)
          errors.push_back(required(dp.child("options").index(i), "must not be empty"));
    }
  }

  auto gates = spec.getReadinessGates();
  for (unsigned i = 0; i < gates.size(); ++i)
    checkQualifiedName(sv(gates[i].getConditionType()), p.child("readinessGates").index(i).child("conditionType"), errors);
  {
    auto sg = spec.getSchedulingGates();
    std::set<std::string, std::less<>> seen;
    for (unsigned i = 0; i < sg.size(); ++i) {
      std::string_view n = sv(sg[i].getName());
      checkQualifiedName(n, p.child("schedulingGates").index(i), errors);
      if (seen.count(n)) errors.push_back(duplicate(p.child("schedulingGates").index(i), goQuote(n)));
      seen.insert(std::string(n));
    }
  }
  {
    auto tsc = spec.getTopologySpreadConstraints();
    for (unsigned i = 0; i < tsc.size(); ++i) {
      auto c = tsc[i];
      Path ip = p.child("topologySpreadConstraints").index(i);
      if (c.getMaxSkew() <= 0)
        errors.push_back(invalidValue(ip.child("maxSkew"), std::to_string(c.getMaxSkew()), "must be greater than zero"));
      if (c.getTopologyKey().size() == 0)
        errors.push_back(required(ip.child("topologyKey"), "can not be empty"));
      else
        checkQualifiedName(sv(c.getTopologyKey()), ip.child("topologyKey"), errors);
      std::string_view wu = sv(c.getWhenUnsatisfiable());
      if (wu != "DoNotSchedule" && wu != "ScheduleAnyway")
        errors.push_back(notSupported(ip.child("whenUnsatisfiable"), goQuote(wu), {"DoNotSchedule", "ScheduleAnyway"}));
      for (unsigned j = i + 1; j < tsc.size(); ++j)
        if (sv(tsc[j].getTopologyKey()) == sv(c.getTopologyKey()) && sv(tsc[j].getWhenUnsatisfiable()) == wu) {
          errors.push_back(duplicate(ip.child("{topologyKey, whenUnsatisfiable}"),
                                     "\"" + str(c.getTopologyKey()) + ", " + std::string(wu) + "\""));
          break;
        }
      if (c.getMinDomains().isValue()) {
        std::int32_t md = c.getMinDomains().getValue();
        if (md <= 0)
          errors.push_back(invalidValue(ip.child("minDomains"), std::to_string(md), "must be greater than zero"));
        else if (wu != "DoNotSchedule")
          errors.push_back(invalidValue(ip.child("minDomains"), std::to_string(md),
                                        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not " +
                                            std::string(wu)));
      }
      if (c.hasLabelSelector()) validateLabelSelector(c.getLabelSelector(), ip.child("labelSelector"), errors);
    }
  }

  if (spec.getServiceAccountName().size() > 0)
    validateSubdomainName(sv(spec.getServiceAccountName()), p.child("serviceAccountName"), errors);
  if (spec.getNodeName().size() > 0) validateSubdomainName(sv(spec.getNodeName()), p.child("nodeName"), errors);
  if (spec.getActiveDeadlineSeconds().isValue()) {
    std::int64_t v = spec.getActiveDeadlineSeconds().getValue();
    if (v < 1 || v > kMaxInt32)
      errors.push_back(invalidValue(p.child("activeDeadlineSeconds"), std::to_string(v), inclusiveRangeError(1, kMaxInt32)));
  }
  if (spec.getHostname().size() > 0) checkDNS1123Label(sv(spec.getHostname()), p.child("hostname"), errors);
  if (spec.getSubdomain().size() > 0) checkDNS1123Label(sv(spec.getSubdomain()), p.child("subdomain"), errors);
  validateTolerations(spec.getTolerations(), p.child("tolerations"), errors);
  {
    auto aliases = spec.getHostAliases();
    for (unsigned i = 0; i < aliases.size(); ++i) {
      Path ap = p.child("hostAliases").index(i);
      for (auto& m : isValidIP(sv(aliases[i].getIp())))
        errors.push_back(invalidValue(ap.child("ip"), goQuote(sv(aliases[i].getIp())), m));
      auto hosts = aliases[i].getHostnames();
      for (unsigned j = 0; j < hosts.size(); ++j)
        checkDNS1123Subdomain(sv(hosts[j]), ap.child("hostnames").index(j), errors);
    }
  }
  if (spec.getPriorityClassName().size() > 0)
    validateSubdomainName(sv(spec.getPriorityClassName()), p.child("priorityClassName"), errors);
  if (spec.hasRuntimeClassName()) validateSubdomainName(sv(spec.getRuntimeClassName()), p.child("runtimeClassName"), errors);
  if (spec.hasPreemptionPolicy()) {
    std::string_view v = sv(spec.getPreemptionPolicy());
    if (v.empty())
      errors.push_back(required(p.child("preemptionPolicy")));
    else if (v != "PreemptLowerPriority" && v != "Never")
      errors.push_back(notSupported(p.child("preemptionPolicy"), goQuote(v), {"PreemptLowerPriority", "Never"}));
  }
  if (spec.hasOs()) {
    std::string_view os = sv(spec.getOs().getName());
    if (os != "linux" && os != "windows")
      errors.push_back(notSupported(p.child("os").child("name"), goQuote(os), {"linux", "windows"}));
  }

  if (isPod) {
    // Pod-only checks (validatePodMetadataAndSpec, ValidatePodCreate).
    auto ws = [&](capnp::List<core::Container>::Reader cs, const Path& base) {
      for (unsigned i = 0; i < cs.size(); ++i) {
        std::string_view image = sv(cs[i].getImage());
        std::size_t b = image.find_first_not_of(" \t\n\r\v\f");
        std::size_t e = image.find_last_not_of(" \t\n\r\v\f");
        bool trimmedSame = !image.empty() && b == 0 && e == image.size() - 1;
        if (!image.empty() && !trimmedSame)
          errors.push_back(invalidValue(base.index(i).child("image"), goQuote(image),
                                        "must not have leading or trailing whitespace"));
      }
    };
    if (spec.getServiceAccountName().size() == 0) {
      auto vols = spec.getVolumes();
      for (unsigned vi = 0; vi < vols.size(); ++vi) {
        if (!vols[vi].hasProjected()) continue;
        auto srcs = vols[vi].getProjected().getSources();
        for (unsigned si = 0; si < srcs.size(); ++si)
          if (srcs[si].hasServiceAccountToken())
            errors.push_back(forbiddenField(p.child("volumes").index(vi).child("projected").child("sources").index(si)
                                                .child("serviceAccountToken"),
                                            "must not be specified when serviceAccountName is not set"));
      }
    }
    ws(containers, cp);
    ws(spec.getInitContainers(), p.child("initContainers"));
  }
}

void validatePodTemplateSpec(core::PodTemplateSpec::Reader t, const Path& p, Errors& errors, bool jobTemplate) {
  validateLabels(t.getMetadata().getLabels(), p.child("labels"), errors);
  validatePodSpec(t.getSpec(), p.child("spec"), false, errors, jobTemplate);
}

// ---------------------------------------------------------------------------------------
// Pod updates

namespace {

bool sameToleration(core::Toleration::Reader a, core::Toleration::Reader b) {
  return sv(a.getKey()) == sv(b.getKey()) && sv(a.getOperator()) == sv(b.getOperator()) &&
         sv(a.getValue()) == sv(b.getValue()) && sv(a.getEffect()) == sv(b.getEffect());
}

// The PodSpec fields that differ, in the spirit of the cmp.Diff Kubernetes appends.
std::string specDiff(core::PodSpec::Reader a, core::PodSpec::Reader b) {
  capnp::DynamicStruct::Reader da = a, db = b;
  std::string out = "  core.PodSpec{\n";
  for (auto f : da.getSchema().getFields()) {
    bool hasA = da.has(f), hasB = db.has(f);
    std::string va = hasA ? std::string(kj::str(da.get(f)).cStr()) : "nil";
    std::string vb = hasB ? std::string(kj::str(db.get(f)).cStr()) : "nil";
    if (va == vb) continue;
    std::string name = f.getProto().getName();
    if (!name.empty()) name[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(name[0])));
    out += "- \t" + name + ": " + va + ",\n";
    out += "+ \t" + name + ": " + vb + ",\n";
  }
  return out + "  }\n";
}

}  // namespace

void validatePodSpecUpdate(core::PodSpec::Reader oldSpec, core::PodSpec::Reader newSpec, Errors& errors) {
  Path specPath("spec");
  auto containerUpdates = [&](capnp::List<core::Container>::Reader n, capnp::List<core::Container>::Reader o,
                              const Path& p) {
    if (n.size() != o.size()) {
      errors.push_back(forbiddenField(p, "pod updates may not add or remove containers"));
      return true;
    }
    for (unsigned i = 0; i < n.size(); ++i) {
      std::string_view image = sv(n[i].getImage());
      if (image.empty()) errors.push_back(required(p.index(i).child("image")));
      std::size_t b = image.find_first_not_of(" \t\n\r\v\f"), e = image.find_last_not_of(" \t\n\r\v\f");
      if (!image.empty() && !(b == 0 && e == image.size() - 1))
        errors.push_back(invalidValue(p.index(i).child("image"), goQuote(image),
                                      "must not have leading or trailing whitespace"));
    }
    return false;
  };
  if (containerUpdates(newSpec.getContainers(), oldSpec.getContainers(), specPath.child("containers"))) return;
  if (containerUpdates(newSpec.getInitContainers(), oldSpec.getInitContainers(), specPath.child("initContainers")))
    return;

  auto nad = newSpec.getActiveDeadlineSeconds(), oad = oldSpec.getActiveDeadlineSeconds();
  if (nad.isValue()) {
    std::int64_t v = nad.getValue();
    if (v < 0 || v > kMaxInt32) {
      errors.push_back(invalidValue(specPath.child("activeDeadlineSeconds"), std::to_string(v),
                                    inclusiveRangeError(0, kMaxInt32)));
      return;
    }
    if (oad.isValue() && oad.getValue() < v) {
      errors.push_back(invalidValue(specPath.child("activeDeadlineSeconds"), std::to_string(v),
                                    "must be less than or equal to previous value"));
      return;
    }
  } else if (oad.isValue()) {
    errors.push_back(invalidValue(specPath.child("activeDeadlineSeconds"), "null",
                                  "must not update from a positive integer to nil value"));
  }

  // Tolerations: only additions (and tolerationSeconds changes).
  for (auto old : oldSpec.getTolerations()) {
    bool found = false;
    for (auto n : newSpec.getTolerations())
      if (sameToleration(old, n)) found = true;
    if (!found) {
      errors.push_back(forbiddenField(specPath.child("tolerations"),
                                      "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
  }
  {
    auto ng = newSpec.getSchedulingGates();
    std::set<std::string, std::less<>> oldGates;
    for (auto g : oldSpec.getSchedulingGates()) oldGates.insert(str(g.getName()));
    for (unsigned i = 0; i < ng.size(); ++i)
      if (!oldGates.count(sv(ng[i].getName())))
        errors.push_back(forbiddenField(specPath.child("schedulingGates").index(i).child("name"),
                                        "only deletion is allowed, but found new scheduling gate '" +
                                            str(ng[i].getName()) + "'"));
  }

  if (same(oldSpec, newSpec)) return;

  // Munge the updatable fields of the new spec to the old values and compare the rest.
  capnp::MallocMessageBuilder message;
  message.setRoot(newSpec);
  auto munged = message.getRoot<core::PodSpec>();
  auto mc = munged.getContainers();
  for (unsigned i = 0; i < mc.size(); ++i) mc[i].setImage(oldSpec.getContainers()[i].getImage());
  auto mi = munged.getInitContainers();
  for (unsigned i = 0; i < mi.size(); ++i) mi[i].setImage(oldSpec.getInitContainers()[i].getImage());
  if (oad.isValue())
    munged.getActiveDeadlineSeconds().setValue(oad.getValue());
  else
    munged.getActiveDeadlineSeconds().setUnset();
  if (oldSpec.hasSchedulingGates())
    munged.setSchedulingGates(oldSpec.getSchedulingGates());
  else
    munged.disownSchedulingGates();
  if (oldSpec.hasTolerations())
    munged.setTolerations(oldSpec.getTolerations());
  else
    munged.disownTolerations();
  auto og = oldSpec.getTerminationGracePeriodSeconds();
  if (og.isValue() && og.getValue() < 0 && munged.getTerminationGracePeriodSeconds().isValue() &&
      munged.getTerminationGracePeriodSeconds().getValue() == 1)
    munged.getTerminationGracePeriodSeconds().setValue(og.getValue());
  // A gated pod may gain nodeSelector entries.
  if (oldSpec.getSchedulingGates().size() > 0 && !sameEntries(munged.getNodeSelector(), oldSpec.getNodeSelector())) {
    for (auto e : oldSpec.getNodeSelector()) {
      auto v = lookup(munged.asReader().getNodeSelector(), sv(e.getKey()));
      if (!v || *v != sv(e.getValue()))
        errors.push_back(invalidValue(specPath.child("nodeSelector").key(sv(e.getKey())), v ? goQuote(*v) : "null",
                                      "field is immutable"));
    }
    if (oldSpec.hasNodeSelector())
      munged.setNodeSelector(oldSpec.getNodeSelector());
    else
      munged.disownNodeSelector();
  }
  if (!same(munged.asReader(), oldSpec)) {
    errors.push_back(forbiddenField(
        specPath, "pod updates may not change fields other than `spec.containers[*].image`,"
                  "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
                  "to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
                  "previously negative)\n" +
                      specDiff(oldSpec, munged.asReader())));
  }
}

// ---------------------------------------------------------------------------------------
// QoS and table cells

std::string podQos(core::PodSpec::Reader spec) {
  std::map<std::string, Quantity> requests, limits;
  bool guaranteed = true;
  auto add = [](std::map<std::string, Quantity>& m, const std::string& k, const Quantity& q) {
    auto it = m.find(k);
    if (it == m.end()) {
      m[k] = q;
      return;
    }
    // Sum exactly when both are plain decimals at a common exponent.
    Quantity a = it->second;
    int e = std::min(a.exp10, q.exp10);
    unsigned __int128 ma = a.mantissa, mb = q.mantissa;
    for (int i = a.exp10; i > e; --i) ma *= 10;
    for (int i = q.exp10; i > e; --i) mb *= 10;
    if (a.exp2 == q.exp2) {
      a.mantissa = ma + mb;
      a.exp10 = e;
      it->second = a;
    }
  };
  auto visit = [&](capnp::List<core::Container>::Reader cs) {
    for (auto c : cs) {
      auto r = c.getResources();
      for (auto e : r.getRequests()) {
        std::string k = str(e.getKey());
        if (k != "cpu" && k != "memory") continue;
        Quantity q = quantityOf(e.getValue());
        if (!q.negative && !quantityIsZero(q)) add(requests, k, q);
      }
      std::set<std::string> found;
      for (auto e : r.getLimits()) {
        std::string k = str(e.getKey());
        if (k != "cpu" && k != "memory") continue;
        Quantity q = quantityOf(e.getValue());
        if (!q.negative && !quantityIsZero(q)) {
          found.insert(k);
          add(limits, k, q);
        }
      }
      if (!found.count("cpu") || !found.count("memory")) guaranteed = false;
    }
  };
  visit(spec.getContainers());
  visit(spec.getInitContainers());
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    for (auto& [name, req] : requests) {
      auto it = limits.find(name);
      if (it == limits.end() || compareQuantity(it->second, req) != 0) {
        guaranteed = false;
        break;
      }
    }
  }
  if (guaranteed && requests.size() == limits.size()) return "Guaranteed";
  return "Burstable";
}

std::pair<std::string, std::string> containerCells(capnp::List<core::Container>::Reader containers) {
  std::string names, images;
  for (unsigned i = 0; i < containers.size(); ++i) {
    if (i) {
      names += ",";
      images += ",";
    }
    names += str(containers[i].getName());
    images += str(containers[i].getImage());
  }
  return {names, images};
}

bool sameStruct(capnp::AnyStruct::Reader a, capnp::AnyStruct::Reader b) { return a == b; }

}  // namespace capstan::kube::kinds
