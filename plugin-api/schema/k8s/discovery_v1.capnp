@0xfd5971ddaa0681ec;
# The discovery.k8s.io API group, version v1: endpoint slices, the scalable successor of
# Endpoints.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::discovery::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.discovery.v1");

using Meta = import "meta.capnp";
using Core = import "core_v1.capnp";

struct EndpointSlice $K.kind(group = "discovery.k8s.io", version = "v1", kind = "EndpointSlice",
                             resource = "endpointslices", singular = "endpointslice",
                             namespaced = true) {
  # A subset of the endpoints of a service. The service's slices together hold all of them;
  # the kubernetes.io/service-name label names the service.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  addressType @1 :Text $K.required;
  # Type of the addresses: IPv4, IPv6 or FQDN. Cannot be changed.

  endpoints @2 :List(Endpoint) $K.required $K.listType("atomic");
  # The endpoints; at most 1000.

  ports @3 :List(EndpointPort) $K.listType("atomic");
  # Ports every endpoint of the slice serves; at most 100. Empty means no ports are known;
  # a port with an empty name means all ports.
}

struct Endpoint {
  # One endpoint of a service, usually a pod.

  addresses @0 :List(Text) $K.required $K.listType("set");
  # Addresses of the endpoint, of the slice's addressType; consumers use the first.

  conditions @1 :EndpointConditions;
  # Readiness of the endpoint.

  hostname @2 :Text;
  # Host name of the endpoint, for DNS.

  targetRef @3 :Core.ObjectReference;
  # The object (usually a pod) behind the endpoint.

  deprecatedTopology @4 :List(Meta.StringEntry) $K.map;
  # Deprecated topology labels; use nodeName and zone.

  nodeName @5 :Text;
  # Node the endpoint runs on.

  zone @6 :Text;
  # Zone the endpoint is in.

  hints @7 :EndpointHints;
  # Information for topology-aware routing.
}

struct EndpointConditions {
  # The readiness of an endpoint. Unset values should be read as "true" (ready, serving) or
  # "false" (terminating).

  ready :group { union { unset @0 :Void; value @1 :Bool; } }
  # The endpoint is ready for traffic (serving and not terminating).

  serving :group { union { unset @2 :Void; value @3 :Bool; } }
  # The endpoint passes its readiness checks, even while terminating.

  terminating :group { union { unset @4 :Void; value @5 :Bool; } }
  # The endpoint is shutting down.
}

struct EndpointHints {
  # Routing hints for an endpoint.

  forZones @0 :List(ForZone) $K.listType("atomic");
  # Zones whose traffic this endpoint should serve.
}

struct ForZone {
  # A zone an endpoint should serve.

  name @0 :Text $K.required;
  # Name of the zone.
}

struct EndpointPort {
  # A port served by the endpoints of a slice.

  name @0 :Text;
  # Name of the port; matches the service port's name. Empty when the service has one
  # unnamed port.

  protocol @1 :Text;
  # TCP (the default), UDP or SCTP.

  port :group { union { unset @2 :Void; value @3 :Int32; } }
  # Port number; unset means all ports.

  appProtocol @4 :Text;
  # Application protocol of the port, such as "http".
}
