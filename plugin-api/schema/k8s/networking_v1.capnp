@0xd0e07e9b3e5a20ea;
# The networking.k8s.io API group, version v1: ingresses (HTTP routing into services) and
# ingress classes.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::networking::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.networking.v1");

using Meta = import "meta.capnp";
using Core = import "core_v1.capnp";

# ---------------------------------------------------------------------------------------------
# Ingress

struct Ingress $K.kind(group = "networking.k8s.io", version = "v1", kind = "Ingress",
                       resource = "ingresses", singular = "ingress", namespaced = true,
                       shortNames = ["ing"], subresources = ["status"]) {
  # Rules that route external HTTP(S) traffic to services, by host and path, carried out by
  # an ingress controller.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  spec @1 :IngressSpec;
  # The routing rules and TLS settings.

  status @2 :IngressStatus;
  # The observed state, such as the load balancer's address.
}

struct IngressSpec {
  # The desired routing of an ingress.

  ingressClassName @0 :Text;
  # Name of the IngressClass whose controller implements this ingress; the default class
  # when empty.

  defaultBackend @1 :IngressBackend;
  # Where requests go that match no rule.

  tls @2 :List(IngressTLS) $K.listType("atomic");
  # TLS settings: which hosts are served over TLS and with which certificate.

  rules @3 :List(IngressRule) $K.listType("atomic");
  # Host and path rules; requests matching none go to the default backend.
}

struct IngressTLS {
  # TLS for a set of hosts.

  hosts @0 :List(Text) $K.listType("atomic");
  # Host names in the certificate; they must match the rules' hosts.

  secretName @1 :Text;
  # Secret holding the certificate and key (tls.crt, tls.key).
}

struct IngressRule {
  # Routing for one host. The rule's value (currently only http) is inlined.

  host @0 :Text;
  # Host name to match, possibly with a leading wildcard label ("*.example.com"); all hosts
  # when empty.

  http @1 :HTTPIngressRuleValue;
  # HTTP path routing for the host.
}

struct HTTPIngressRuleValue {
  # Paths of a host and the backends they go to.

  paths @0 :List(HTTPIngressPath) $K.required $K.listType("atomic");
  # Paths, matched in order of specificity.
}

struct HTTPIngressPath {
  # A path and the backend its requests go to.

  path @0 :Text;
  # Path to match, starting with "/".

  pathType @1 :Text $K.required;
  # How path is matched: Exact, Prefix (by path elements) or ImplementationSpecific.

  backend @2 :IngressBackend $K.required;
  # Where matching requests go.
}

struct IngressBackend {
  # Where traffic goes: a service or another resource, exactly one of them.

  service @0 :IngressServiceBackend;
  # A service port.

  resource @1 :Core.TypedLocalObjectReference;
  # Another object in the ingress's namespace, such as a storage bucket.
}

struct IngressServiceBackend {
  # A service and port as a backend.

  name @0 :Text $K.required;
  # Name of the service, in the ingress's namespace.

  port @1 :ServiceBackendPort;
  # The service port.
}

struct ServiceBackendPort {
  # A service port, by name or number (one of them).

  name @0 :Text;
  # Name of the service port.

  number @1 :Int32;
  # Number of the service port.
}

struct IngressStatus {
  # The observed state of an ingress.

  loadBalancer @0 :IngressLoadBalancerStatus;
  # The load balancer serving the ingress.
}

struct IngressLoadBalancerStatus {
  # The state of an ingress's load balancer.

  ingress @0 :List(IngressLoadBalancerIngress) $K.listType("atomic");
  # Where traffic for the ingress enters.
}

struct IngressLoadBalancerIngress {
  # An entry point of an ingress's load balancer.

  ip @0 :Text;
  # IP address, for IP-based load balancers.

  hostname @1 :Text;
  # DNS name, for DNS-based load balancers.

  ports @2 :List(IngressPortStatus) $K.listType("atomic");
  # Status of the load balancer's ports.
}

struct IngressPortStatus {
  # The status of one port of an ingress load balancer.

  port @0 :Int32 $K.always $K.required;
  # The port number.

  protocol @1 :Text $K.required;
  # TCP, UDP or SCTP.

  error @2 :Text;
  # The problem with the port, as a CamelCase reason.
}

# ---------------------------------------------------------------------------------------------
# IngressClass

struct IngressClass $K.kind(group = "networking.k8s.io", version = "v1", kind = "IngressClass",
                            resource = "ingressclasses", singular = "ingressclass",
                            namespaced = false) {
  # A kind of ingress and the controller that implements it. The annotation
  # ingressclass.kubernetes.io/is-default-class marks the default class.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  spec @1 :IngressClassSpec;
  # The controller and its parameters.
}

struct IngressClassSpec {
  # What implements an ingress class.

  controller @0 :Text;
  # Name of the controller, such as "example.com/ingress-controller".

  parameters @1 :IngressClassParametersReference;
  # An object holding extra configuration for the controller.
}

struct IngressClassParametersReference {
  # Refers to the object that configures an ingress class's controller.

  apiGroup @0 :Text;
  # API group of the object; the core group when empty.

  kind @1 :Text $K.required;
  # Kind of the object.

  name @2 :Text $K.required;
  # Name of the object.

  scope @3 :Text;
  # Cluster (the default) or Namespace.

  namespace @4 :Text;
  # Namespace of the object, with scope Namespace.
}
