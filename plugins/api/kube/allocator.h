#pragma once
// Service address allocation, as kube-apiserver's service registry does it: a ClusterIP
// from the service range (loopback by default, so the data path works unprivileged, see
// DESIGN.md "Networking defaults") and NodePorts from 30000-32767. A user's explicit
// choice is checked against the range and what is in use.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "errors.h"
#include "schema/k8s/core_v1.capnp.h"

namespace capstan::kube {

struct ServiceRanges {
  std::uint32_t clusterIpBase = (127u << 24) | (32u << 16);  // 127.32.0.0
  int clusterIpPrefix = 16;
  int nodePortMin = 30000;
  int nodePortMax = 32767;
  std::string cidr() const;
};

struct AddressesInUse {
  std::set<std::uint32_t> clusterIps;
  std::set<int> nodePorts;
};

// Records the addresses a stored Service holds.
void addInUse(k8s::core::v1::Service::Reader service, AddressesInUse& used);

// Assigns what `service` lacks (spec.clusterIP/clusterIPs unless "None" or ExternalName;
// nodePorts for NodePort and LoadBalancer services) and checks what it asks for.
void allocate(k8s::core::v1::Service::Builder service, const ServiceRanges& ranges, AddressesInUse& used,
              std::vector<FieldError>& errors);

}  // namespace capstan::kube
