#include "allocator.h"

#include <arpa/inet.h>

#include <random>

#include "capstan/json.h"

namespace capstan::kube {

namespace {

bool parseIpv4(std::string_view text, std::uint32_t& out) {
  in_addr addr{};
  std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), &addr) != 1) return false;
  out = ntohl(addr.s_addr);
  return true;
}

std::string formatIpv4(std::uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." + std::to_string((ip >> 8) & 255) +
         "." + std::to_string(ip & 255);
}

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }
std::string str(capnp::Text::Builder t) { return std::string(t.cStr(), t.size()); }

}  // namespace

std::string ServiceRanges::cidr() const { return formatIpv4(clusterIpBase) + "/" + std::to_string(clusterIpPrefix); }

void addInUse(k8s::core::v1::Service::Reader service, AddressesInUse& used) {
  std::uint32_t ip;
  if (parseIpv4(str(service.getSpec().getClusterIP()), ip)) used.clusterIps.insert(ip);
  for (auto port : service.getSpec().getPorts())
    if (port.getNodePort() > 0) used.nodePorts.insert(port.getNodePort());
}

void allocate(k8s::core::v1::Service::Builder service, const ServiceRanges& ranges, AddressesInUse& used,
              std::vector<FieldError>& errors) {
  auto spec = service.getSpec();
  std::string type = str(spec.getType());
  if (type == "ExternalName") return;
  thread_local std::mt19937 rng(std::random_device{}());

  std::string requested = str(spec.getClusterIP());
  if (requested != "None") {
    const std::uint32_t size = 1u << (32 - ranges.clusterIpPrefix);
    std::uint32_t ip = 0;
    if (requested.empty()) {
      // First and last addresses of the range stay unused, as Kubernetes does.
      std::uint32_t start = 1 + rng() % (size - 2);
      for (std::uint32_t i = 0; i < size - 2; ++i) {
        std::uint32_t candidate = ranges.clusterIpBase + 1 + (start - 1 + i) % (size - 2);
        if (!used.clusterIps.count(candidate)) {
          ip = candidate;
          break;
        }
      }
      if (!ip) {
        errors.push_back({"FieldValueInvalid", "spec.clusterIPs",
                          "Internal error: failed to allocate a serviceIP: range is full"});
        return;
      }
    } else {
      std::string list = "[]string{" + json::quote(requested) + "}";
      if (!parseIpv4(requested, ip)) {
        errors.push_back(invalidValue("spec.clusterIPs[0]", json::quote(requested), "must be a valid IP address"));
        return;
      }
      if ((ip & ~(size - 1)) != ranges.clusterIpBase) {
        errors.push_back(invalidValue("spec.clusterIPs", list,
                                      "failed to allocate IP " + requested +
                                          ": the provided IP (" + requested +
                                          ") is not in the valid range. The range of valid IPs is " + ranges.cidr()));
        return;
      }
      if (used.clusterIps.count(ip)) {
        errors.push_back(invalidValue("spec.clusterIPs", list,
                                      "failed to allocate IP " + requested + ": provided IP is already allocated"));
        return;
      }
    }
    used.clusterIps.insert(ip);
    spec.setClusterIP(formatIpv4(ip));
    auto ips = spec.initClusterIPs(1);
    ips.set(0, formatIpv4(ip));
  }

  if (type == "NodePort" || type == "LoadBalancer") {
    auto ports = spec.getPorts();
    for (unsigned i = 0; i < ports.size(); ++i) {
      auto port = ports[i];
      int wanted = port.getNodePort();
      std::string path = "spec.ports[" + std::to_string(i) + "].nodePort";
      if (wanted != 0) {
        if (wanted < ranges.nodePortMin || wanted > ranges.nodePortMax) {
          errors.push_back(invalidValue(path, std::to_string(wanted),
                                        "provided port is not in the valid range. The range of valid ports is " +
                                            std::to_string(ranges.nodePortMin) + "-" +
                                            std::to_string(ranges.nodePortMax)));
        } else if (used.nodePorts.count(wanted)) {
          errors.push_back(invalidValue(path, std::to_string(wanted), "provided port is already allocated"));
        } else {
          used.nodePorts.insert(wanted);
        }
        continue;
      }
      int span = ranges.nodePortMax - ranges.nodePortMin + 1;
      int start = static_cast<int>(rng() % static_cast<unsigned>(span));
      int chosen = 0;
      for (int k = 0; k < span; ++k) {
        int candidate = ranges.nodePortMin + (start + k) % span;
        if (!used.nodePorts.count(candidate)) {
          chosen = candidate;
          break;
        }
      }
      if (!chosen) {
        errors.push_back({"FieldValueInvalid", path, "Internal error: failed to allocate a nodePort: range is full"});
        continue;
      }
      used.nodePorts.insert(chosen);
      port.setNodePort(chosen);
    }
  }
}

}  // namespace capstan::kube
