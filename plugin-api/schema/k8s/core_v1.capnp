@0xe2f7295c47e08165;
# The core ("") API group, version v1: pods and their templates, nodes, namespaces, services,
# endpoints, config maps, secrets, events, service accounts and persistent volumes.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::core::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.core.v1");

using Meta = import "meta.capnp";

# ---------------------------------------------------------------------------------------------
# Pod

struct Pod $K.kind(group = "", version = "v1", kind = "Pod", resource = "pods",
                   singular = "pod", namespaced = true, shortNames = ["po"],
                   categories = ["all"],
                   subresources = ["status", "binding", "eviction", "log", "exec"]) {
  # A group of containers that are scheduled together onto one node and share its network
  # namespace and volumes: the smallest unit the cluster runs.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :PodSpec $K.protobuf(2);
  # What the pod should run and how it should be scheduled.

  status @2 :PodStatus $K.protobuf(3);
  # What is currently observed about the pod; written by the system.
}

struct PodTemplateSpec {
  # The metadata and spec a controller stamps out when it creates pods.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Labels, annotations and other metadata the created pods get.

  spec @1 :PodSpec $K.protobuf(2);
  # The spec the created pods get.
}

struct PodSpec {
  # The desired state of a pod: its containers, volumes, scheduling constraints and security
  # settings.

  volumes @0 :List(Volume) $K.patchStrategy("merge,retainKeys") $K.patchMergeKey("name")
      $K.listType("map") $K.listMapKeys(["name"]) $K.protobuf(1);
  # Volumes the pod's containers can mount.

  initContainers @1 :List(Container) $K.patchStrategy("merge") $K.patchMergeKey("name")
      $K.listType("map") $K.listMapKeys(["name"]) $K.protobuf(20);
  # Containers run one after another, each to completion, before the regular containers
  # start. Init containers with restartPolicy Always keep running alongside them (sidecars).

  containers @2 :List(Container) $K.required $K.patchStrategy("merge") $K.patchMergeKey("name")
      $K.listType("map") $K.listMapKeys(["name"]) $K.protobuf(2);
  # The pod's regular containers; at least one is required.

  restartPolicy @3 :Text $K.protobuf(3);
  # When containers are restarted after they exit: Always (the default), OnFailure or Never.

  terminationGracePeriodSeconds :group $K.protobuf(4) { union { unset @4 :Void; value @5 :Int64; } }
  # Seconds the containers get between the termination signal and being killed. Unset means
  # the default of 30; zero kills at once.

  activeDeadlineSeconds :group $K.protobuf(5) { union { unset @6 :Void; value @7 :Int64; } }
  # Seconds after its start time the pod may run before the system fails it and kills its
  # containers.

  dnsPolicy @8 :Text $K.protobuf(6);
  # How the pod's DNS is set up: ClusterFirst (the default), ClusterFirstWithHostNet, Default
  # or None.

  nodeSelector @9 :List(Meta.StringEntry) $K.map $K.protobuf(7);
  # Node labels that must all match for the pod to be placed on a node.

  serviceAccountName @10 :Text $K.protobuf(8);
  # Name of the ServiceAccount the pod runs as.

  serviceAccount @11 :Text $K.protobuf(9);
  # Deprecated alias of serviceAccountName.

  automountServiceAccountToken :group $K.protobuf(21) { union { unset @12 :Void; value @13 :Bool; } }
  # Whether an API token for the service account is mounted into the containers.

  nodeName @14 :Text $K.protobuf(10);
  # The node the pod is bound to. Setting it skips the scheduler.

  hostNetwork @15 :Bool $K.protobuf(11);
  # Run the pod in the node's network namespace.

  hostPID @16 :Bool $K.protobuf(12);
  # Run the pod in the node's process ID namespace.

  hostIPC @17 :Bool $K.protobuf(13);
  # Run the pod in the node's IPC namespace.

  shareProcessNamespace :group $K.protobuf(27) { union { unset @18 :Void; value @19 :Bool; } }
  # Put all containers of the pod in one process namespace, so they can see and signal each
  # other's processes.

  securityContext @20 :PodSecurityContext $K.protobuf(14);
  # Security settings for the whole pod, and defaults for its containers.

  imagePullSecrets @21 :List(LocalObjectReference) $K.patchStrategy("merge")
      $K.patchMergeKey("name") $K.listType("map") $K.listMapKeys(["name"]) $K.protobuf(15);
  # Secrets in the pod's namespace holding registry credentials for pulling the images.

  hostname @22 :Text $K.protobuf(16);
  # Host name of the pod; defaults to a name the system chooses.

  subdomain @23 :Text $K.protobuf(17);
  # When set, the pod's fully qualified name is <hostname>.<subdomain>.<namespace>.svc.<cluster
  # domain>.

  affinity @24 :Affinity $K.protobuf(18);
  # Node affinity and pod (anti-)affinity scheduling rules.

  schedulerName @25 :Text $K.protobuf(19);
  # The scheduler that places the pod; the default scheduler when empty.

  tolerations @26 :List(Toleration) $K.listType("atomic") $K.protobuf(22);
  # Taints the pod tolerates.

  hostAliases @27 :List(HostAlias) $K.patchStrategy("merge") $K.patchMergeKey("ip")
      $K.listType("map") $K.listMapKeys(["ip"]) $K.protobuf(23);
  # Extra entries for the pod's /etc/hosts file.

  priorityClassName @28 :Text $K.protobuf(24);
  # Name of the PriorityClass that gives the pod its priority.

  priority :group $K.protobuf(25) { union { unset @29 :Void; value @30 :Int32; } }
  # The pod's priority, filled in from priorityClassName on admission; higher runs first.

  dnsConfig @31 :PodDNSConfig $K.protobuf(26);
  # DNS settings merged into the ones the dnsPolicy produces.

  readinessGates @32 :List(PodReadinessGate) $K.listType("atomic") $K.protobuf(28);
  # Extra pod conditions that must be True for the pod to count as ready.

  runtimeClassName @33 :Text $K.protobuf(29);
  # Name of the RuntimeClass whose handler runs the pod.

  enableServiceLinks :group $K.protobuf(30) { union { unset @34 :Void; value @35 :Bool; } }
  # Whether the environment gets variables describing the services of the namespace (true by
  # default).

  preemptionPolicy @36 :Text $K.protobuf(31);
  # Whether the pod may preempt lower-priority pods: PreemptLowerPriority (the default) or
  # Never.

  overhead @37 :List(Meta.QuantityEntry) $K.map $K.protobuf(32);
  # Resources the pod's runtime uses on top of the containers' requests, set from its
  # RuntimeClass.

  topologySpreadConstraints @38 :List(TopologySpreadConstraint) $K.patchStrategy("merge")
      $K.patchMergeKey("topologyKey") $K.listType("map")
      $K.listMapKeys(["topologyKey", "whenUnsatisfiable"]) $K.protobuf(33);
  # How the pod's replicas should be spread over zones, nodes or other topology domains.

  setHostnameAsFQDN :group $K.protobuf(35) { union { unset @39 :Void; value @40 :Bool; } }
  # Set the pod's hostname to its fully qualified domain name instead of the short name.

  os @41 :PodOS $K.protobuf(36);
  # The operating system the containers need.

  hostUsers :group $K.protobuf(37) { union { unset @42 :Void; value @43 :Bool; } }
  # Whether the pod runs in the node's user namespace (true or unset) or in a new one (false).

  schedulingGates @44 :List(PodSchedulingGate) $K.patchStrategy("merge")
      $K.patchMergeKey("name") $K.listType("map") $K.listMapKeys(["name"]) $K.protobuf(38);
  # While any gate is listed the scheduler leaves the pod alone. Gates can only be removed
  # after creation.
}

struct PodStatus {
  # What is known about a pod right now. It may lag behind reality.

  phase @0 :Text $K.protobuf(1);
  # Coarse summary of the lifecycle: Pending, Running, Succeeded, Failed or Unknown.

  conditions @1 :List(PodCondition) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(2);
  # Current conditions of the pod, such as PodScheduled, Initialized and Ready.

  message @2 :Text $K.protobuf(3);
  # Human-readable explanation of the pod's state.

  reason @3 :Text $K.protobuf(4);
  # Short CamelCase reason for the pod's state, such as "Evicted".

  nominatedNodeName @4 :Text $K.protobuf(11);
  # Node the pod is expected to go to after it preempted pods there.

  hostIP @5 :Text $K.protobuf(5);
  # Primary IP address of the node the pod runs on.

  hostIPs @6 :List(HostIP) $K.patchStrategy("merge") $K.patchMergeKey("ip")
      $K.listType("atomic") $K.protobuf(16);
  # All IP addresses of the node; the first matches hostIP.

  podIP @7 :Text $K.protobuf(6);
  # Primary IP address allocated to the pod.

  podIPs @8 :List(PodIP) $K.patchStrategy("merge") $K.patchMergeKey("ip")
      $K.listType("map") $K.listMapKeys(["ip"]) $K.protobuf(12);
  # All IP addresses of the pod, at most one per IP family; the first matches podIP.

  startTime @9 :Text $K.format("date-time") $K.protobuf(7);
  # When the kubelet accepted the pod, before any image was pulled.

  initContainerStatuses @10 :List(ContainerStatus) $K.listType("atomic") $K.protobuf(10);
  # One status per init container, in spec order.

  containerStatuses @11 :List(ContainerStatus) $K.listType("atomic") $K.protobuf(8);
  # One status per regular container.

  qosClass @12 :Text $K.protobuf(9);
  # Quality of service class derived from the resource requests and limits: Guaranteed,
  # Burstable or BestEffort.

  ephemeralContainerStatuses @13 :List(ContainerStatus) $K.listType("atomic") $K.protobuf(13);
  # Statuses of ephemeral (debug) containers that ran in the pod.
}

struct PodCondition {
  # One aspect of a pod's state.

  type @0 :Text $K.required $K.protobuf(1);
  # Which condition this is, such as Ready or PodScheduled.

  status @1 :Text $K.required $K.protobuf(2);
  # "True", "False" or "Unknown".

  lastProbeTime @2 :Text $K.format("date-time") $K.protobuf(3);
  # When the condition was last checked.

  lastTransitionTime @3 :Text $K.format("date-time") $K.protobuf(4);
  # When the status last changed.

  reason @4 :Text $K.protobuf(5);
  # One-word CamelCase reason for the last transition.

  message @5 :Text $K.protobuf(6);
  # Human-readable details about the last transition.
}

struct PodIP {
  # One IP address allocated to a pod.

  ip @0 :Text $K.protobuf(1);
  # The address.
}

struct HostIP {
  # One IP address of the node a pod runs on.

  ip @0 :Text $K.protobuf(1);
  # The address.
}

struct PodOS {
  # The operating system a pod's containers need.

  name @0 :Text $K.required $K.protobuf(1);
  # "linux" or "windows".
}

struct PodSchedulingGate {
  # A named condition that holds a pod back from scheduling while it is listed.

  name @0 :Text $K.required $K.protobuf(1);
  # Name of the gate; unique within the pod.
}

struct PodReadinessGate {
  # A pod condition that must be True, in addition to the containers being ready, for the
  # pod to count as ready.

  conditionType @0 :Text $K.required $K.protobuf(1);
  # The type of the pod condition to check.
}

struct PodDNSConfig {
  # DNS settings for a pod, merged into what its dnsPolicy produces.

  nameservers @0 :List(Text) $K.listType("atomic") $K.protobuf(1);
  # Extra name server IP addresses.

  searches @1 :List(Text) $K.listType("atomic") $K.protobuf(2);
  # Extra DNS search domains.

  options @2 :List(PodDNSConfigOption) $K.listType("atomic") $K.protobuf(3);
  # Resolver options; these override options of the same name from the policy.
}

struct PodDNSConfigOption {
  # One resolver option (an entry of resolv.conf's options line).

  name @0 :Text $K.protobuf(1);
  # Option name, such as "ndots".

  value @1 :Text $K.protobuf(2);
  # Option value, if it takes one.
}

struct HostAlias {
  # An IP address and the host names that /etc/hosts maps to it.

  ip @0 :Text $K.protobuf(1);
  # The IP address.

  hostnames @1 :List(Text) $K.listType("atomic") $K.protobuf(2);
  # Host names for the address.
}

struct PodSecurityContext {
  # Security settings for a whole pod. Containers inherit them unless their own
  # securityContext sets the same field.

  seLinuxOptions @0 :SELinuxOptions $K.protobuf(1);
  # SELinux context for all containers.

  windowsOptions @1 :WindowsSecurityContextOptions $K.protobuf(8);
  # Windows-specific settings for all containers.

  runAsUser :group $K.protobuf(2) { union { unset @2 :Void; value @3 :Int64; } }
  # User ID the containers' processes run as; the image's user when unset.

  runAsGroup :group $K.protobuf(6) { union { unset @4 :Void; value @5 :Int64; } }
  # Primary group ID of the containers' processes; the runtime default when unset.

  runAsNonRoot :group $K.protobuf(3) { union { unset @6 :Void; value @7 :Bool; } }
  # When true, the kubelet refuses to start a container whose process would run as root.

  supplementalGroups @8 :List(Int64) $K.listType("atomic") $K.protobuf(4);
  # Extra group IDs given to the first process of every container.

  fsGroup :group $K.protobuf(5) { union { unset @9 :Void; value @10 :Int64; } }
  # Group that owns supporting volumes and files created in them; it is also added to the
  # containers' groups.

  sysctls @11 :List(Sysctl) $K.listType("atomic") $K.protobuf(7);
  # Namespaced kernel parameters set for the pod.

  fsGroupChangePolicy @12 :Text $K.protobuf(9);
  # When volume ownership is changed to fsGroup: OnRootMismatch or Always (the default).

  seccompProfile @13 :SeccompProfile $K.protobuf(10);
  # Seccomp profile for all containers.
}

struct Sysctl {
  # A kernel parameter and the value to set it to.

  name @0 :Text $K.required $K.protobuf(1);
  # Name of the parameter, such as "net.core.somaxconn".

  value @1 :Text $K.required $K.protobuf(2);
  # The value to set.
}

struct SeccompProfile {
  # Which seccomp profile a pod or container runs under.

  type @0 :Text $K.required $K.protobuf(1);
  # Kind of profile: RuntimeDefault, Unconfined or Localhost.

  localhostProfile @1 :Text $K.protobuf(2);
  # For Localhost: path of the profile file, relative to the kubelet's seccomp directory.
}

struct SELinuxOptions {
  # SELinux labels applied to a container.

  user @0 :Text $K.protobuf(1);
  # SELinux user label.

  role @1 :Text $K.protobuf(2);
  # SELinux role label.

  type @2 :Text $K.protobuf(3);
  # SELinux type label.

  level @3 :Text $K.protobuf(4);
  # SELinux level label.
}

struct WindowsSecurityContextOptions {
  # Windows-specific security settings.

  gmsaCredentialSpecName @0 :Text $K.protobuf(1);
  # Name of the GMSA credential spec to use.

  gmsaCredentialSpec @1 :Text $K.protobuf(2);
  # Contents of the GMSA credential spec, filled in by the GMSA admission webhook.

  runAsUserName @2 :Text $K.protobuf(3);
  # Windows user name the container's entrypoint runs as.

  hostProcess :group $K.protobuf(4) { union { unset @3 :Void; value @4 :Bool; } }
  # Run the container as a host process container (requires hostNetwork).
}

struct SecurityContext {
  # Security settings for one container; where a field is also in the pod's
  # securityContext, this one wins.

  capabilities @0 :Capabilities $K.protobuf(1);
  # POSIX capabilities to add or drop.

  privileged :group $K.protobuf(2) { union { unset @1 :Void; value @2 :Bool; } }
  # Run the container privileged, with nearly the powers of root on the node.

  seLinuxOptions @3 :SELinuxOptions $K.protobuf(3);
  # SELinux context of the container.

  windowsOptions @4 :WindowsSecurityContextOptions $K.protobuf(10);
  # Windows-specific settings of the container.

  runAsUser :group $K.protobuf(4) { union { unset @5 :Void; value @6 :Int64; } }
  # User ID the container's process runs as.

  runAsGroup :group $K.protobuf(8) { union { unset @7 :Void; value @8 :Int64; } }
  # Primary group ID of the container's process.

  runAsNonRoot :group $K.protobuf(5) { union { unset @9 :Void; value @10 :Bool; } }
  # When true, the container may not run as user ID 0.

  readOnlyRootFilesystem :group $K.protobuf(6) { union { unset @11 :Void; value @12 :Bool; } }
  # Mount the container's root filesystem read-only.

  allowPrivilegeEscalation :group $K.protobuf(7) { union { unset @13 :Void; value @14 :Bool; } }
  # Whether a process may gain more privileges than its parent (controls no_new_privs).

  procMount @15 :Text $K.protobuf(9);
  # How /proc is mounted: Default (with the runtime's masked paths) or Unmasked.

  seccompProfile @16 :SeccompProfile $K.protobuf(11);
  # Seccomp profile of the container, overriding the pod's.
}

struct Capabilities {
  # POSIX capabilities added to and removed from a container's default set.

  add @0 :List(Text) $K.listType("atomic") $K.protobuf(1);
  # Capabilities to add, such as "NET_ADMIN".

  drop @1 :List(Text) $K.listType("atomic") $K.protobuf(2);
  # Capabilities to remove, such as "ALL".
}

# ---------------------------------------------------------------------------------------------
# Containers

struct Container {
  # One container of a pod: the image to run, its command, environment, ports, volumes,
  # resources, probes and security settings.

  name @0 :Text $K.required $K.protobuf(1);
  # Name of the container (a DNS label), unique within the pod.

  image @1 :Text $K.protobuf(2);
  # Container image reference, such as "nginx:1.27".

  command @2 :List(Text) $K.listType("atomic") $K.protobuf(3);
  # Entrypoint, replacing the image's ENTRYPOINT. Not run in a shell; $(VAR) references are
  # expanded from the container's environment.

  args @3 :List(Text) $K.listType("atomic") $K.protobuf(4);
  # Arguments to the entrypoint, replacing the image's CMD; $(VAR) references are expanded.

  workingDir @4 :Text $K.protobuf(5);
  # Working directory of the process; the image's default when empty.

  ports @5 :List(ContainerPort) $K.patchStrategy("merge") $K.patchMergeKey("containerPort")
      $K.listType("map") $K.listMapKeys(["containerPort", "protocol"]) $K.protobuf(6);
  # Ports the container exposes. Informational: a port not listed here is still reachable.

  envFrom @6 :List(EnvFromSource) $K.listType("atomic") $K.protobuf(19);
  # Config maps and secrets whose keys all become environment variables. Variables in env
  # win over these.

  env @7 :List(EnvVar) $K.patchStrategy("merge") $K.patchMergeKey("name")
      $K.listType("map") $K.listMapKeys(["name"]) $K.protobuf(7);
  # Environment variables to set in the container.

  resources @8 :ResourceRequirements $K.protobuf(8);
  # Compute resources the container requests and may at most use.

  resizePolicy @9 :List(ContainerResizePolicy) $K.listType("atomic") $K.protobuf(23);
  # For each resource, whether changing it in place needs a container restart.

  restartPolicy @10 :Text $K.protobuf(24);
  # Only for init containers: "Always" makes it a sidecar that keeps running next to the
  # regular containers.

  volumeMounts @11 :List(VolumeMount) $K.patchStrategy("merge") $K.patchMergeKey("mountPath")
      $K.listType("map") $K.listMapKeys(["mountPath"]) $K.protobuf(9);
  # Pod volumes mounted into the container's filesystem.

  volumeDevices @12 :List(VolumeDevice) $K.patchStrategy("merge") $K.patchMergeKey("devicePath")
      $K.listType("map") $K.listMapKeys(["devicePath"]) $K.protobuf(21);
  # Raw block volumes exposed to the container as devices.

  livenessProbe @13 :Probe $K.protobuf(10);
  # Periodic check that the container is alive; it is restarted when the check fails.

  readinessProbe @14 :Probe $K.protobuf(11);
  # Periodic check that the container can serve; it is taken out of service endpoints while
  # the check fails.

  startupProbe @15 :Probe $K.protobuf(22);
  # Check that the container has started; the other probes wait until it succeeds, and the
  # container is restarted if it fails.

  lifecycle @16 :Lifecycle $K.protobuf(12);
  # Hooks run right after the container starts and right before it is stopped.

  terminationMessagePath @17 :Text $K.protobuf(13);
  # File in the container whose contents become the termination message; defaults to
  # /dev/termination-log.

  terminationMessagePolicy @18 :Text $K.protobuf(20);
  # Where the termination message comes from: File (the default), or FallbackToLogsOnError to
  # use the end of the log when the file is empty and the container failed.

  imagePullPolicy @19 :Text $K.protobuf(14);
  # When the image is pulled: Always, Never or IfNotPresent. Defaults to Always for the
  # :latest tag and IfNotPresent otherwise.

  securityContext @20 :SecurityContext $K.protobuf(15);
  # Security settings of this container.

  stdin @21 :Bool $K.protobuf(16);
  # Give the container a stdin stream; without it, reads from stdin get end-of-file.

  stdinOnce @22 :Bool $K.protobuf(17);
  # Close stdin after the first client attached to it disconnects.

  tty @23 :Bool $K.protobuf(18);
  # Give the container a terminal (needs stdin).
}

struct ContainerPort {
  # A network port a container listens on.

  name @0 :Text $K.protobuf(1);
  # Name of the port (an IANA service name), which services can refer to; unique in the pod.

  hostPort @1 :Int32 $K.protobuf(2);
  # Port on the node's IP to forward to this port; rarely needed.

  containerPort @2 :Int32 $K.always $K.required $K.protobuf(3);
  # Port number on the pod's IP address (1-65535).

  protocol @3 :Text $K.protobuf(4);
  # TCP (the default), UDP or SCTP.

  hostIP @4 :Text $K.protobuf(5);
  # Node IP address to bind hostPort on.
}

struct EnvVar {
  # An environment variable: a literal value or a value read from elsewhere.

  name @0 :Text $K.required $K.protobuf(1);
  # Name of the variable.

  value @1 :Text $K.protobuf(2);
  # Literal value; $(VAR) references to variables defined earlier are expanded, "$$" escapes
  # a "$".

  valueFrom @2 :EnvVarSource $K.protobuf(3);
  # Where to read the value from, when value is empty.
}

struct EnvVarSource {
  # The source of an environment variable's value; exactly one is set.

  fieldRef @0 :ObjectFieldSelector $K.protobuf(1);
  # A field of the pod, such as metadata.name, status.podIP or a label.

  resourceFieldRef @1 :ResourceFieldSelector $K.protobuf(2);
  # A resource limit or request of the container, such as limits.memory.

  configMapKeyRef @2 :ConfigMapKeySelector $K.protobuf(3);
  # A key of a config map.

  secretKeyRef @3 :SecretKeySelector $K.protobuf(4);
  # A key of a secret in the pod's namespace.
}

struct ObjectFieldSelector {
  # Selects one field of an object by its path.

  apiVersion @0 :Text $K.protobuf(1);
  # API version the path is written against; "v1" by default.

  fieldPath @1 :Text $K.required $K.protobuf(2);
  # Path of the field, such as "metadata.namespace".
}

struct ResourceFieldSelector {
  # Selects a resource limit or request of a container, and the unit it is shown in.

  containerName @0 :Text $K.protobuf(1);
  # The container to read from; required in volumes, optional for environment variables.

  resource @1 :Text $K.required $K.protobuf(2);
  # The resource, such as "limits.cpu" or "requests.memory".

  divisor @2 :Meta.Quantity $K.protobuf(3);
  # Unit the value is divided by before it is written out; "1" by default.
}

struct ConfigMapKeySelector {
  # Selects one key of a config map.

  name @0 :Text;
  # Name of the config map.

  key @1 :Text $K.required $K.protobuf(2);
  # The key to read.

  optional :group $K.protobuf(3) { union { unset @2 :Void; value @3 :Bool; } }
  # When true, a missing config map or key is not an error.
}

struct SecretKeySelector {
  # Selects one key of a secret.

  name @0 :Text;
  # Name of the secret, in the pod's namespace.

  key @1 :Text $K.required $K.protobuf(2);
  # The key to read.

  optional :group $K.protobuf(3) { union { unset @2 :Void; value @3 :Bool; } }
  # When true, a missing secret or key is not an error.
}

struct EnvFromSource {
  # A config map or secret whose keys all become environment variables.

  prefix @0 :Text $K.protobuf(1);
  # Prefix put before every variable name.

  configMapRef @1 :ConfigMapEnvSource $K.protobuf(2);
  # The config map to read.

  secretRef @2 :SecretEnvSource $K.protobuf(3);
  # The secret to read.
}

struct ConfigMapEnvSource {
  # A config map whose data becomes environment variables.

  name @0 :Text;
  # Name of the config map.

  optional :group $K.protobuf(2) { union { unset @1 :Void; value @2 :Bool; } }
  # When true, a missing config map is not an error.
}

struct SecretEnvSource {
  # A secret whose data becomes environment variables.

  name @0 :Text;
  # Name of the secret.

  optional :group $K.protobuf(2) { union { unset @1 :Void; value @2 :Bool; } }
  # When true, a missing secret is not an error.
}

struct ResourceRequirements {
  # Compute resources a container requests (for scheduling) and may at most use.

  limits @0 :List(Meta.QuantityEntry) $K.map $K.protobuf(1);
  # Most of each resource the container may use.

  requests @1 :List(Meta.QuantityEntry) $K.map $K.protobuf(2);
  # Amount of each resource reserved for the container. Defaults to the limit when only that
  # is given; may not exceed it.

  claims @2 :List(ResourceClaim) $K.listType("map") $K.listMapKeys(["name"]) $K.protobuf(3);
  # Entries of the pod's resourceClaims this container uses (dynamic resource allocation).
}

struct ResourceClaim {
  # Names one of the pod's resource claims that a container uses.

  name @0 :Text $K.required $K.protobuf(1);
  # Name of an entry in the pod's spec.resourceClaims.
}

struct ContainerResizePolicy {
  # Whether changing one resource of a running container needs a restart.

  resourceName @0 :Text $K.required $K.protobuf(1);
  # The resource: cpu or memory.

  restartPolicy @1 :Text $K.required $K.protobuf(2);
  # NotRequired (the default) or RestartContainer.
}

struct VolumeMount {
  # A pod volume mounted into a container.

  name @0 :Text $K.required $K.protobuf(1);
  # Name of the pod volume.

  readOnly @1 :Bool $K.protobuf(2);
  # Mount read-only.

  mountPath @2 :Text $K.required $K.protobuf(3);
  # Path in the container to mount at; may not contain ':'.

  subPath @3 :Text $K.protobuf(4);
  # Path inside the volume to mount instead of its root.

  mountPropagation @4 :Text $K.protobuf(5);
  # How mounts propagate between host and container: None (the default), HostToContainer or
  # Bidirectional.

  subPathExpr @5 :Text $K.protobuf(6);
  # Like subPath, with $(VAR) references expanded from the container's environment.
}

struct VolumeDevice {
  # A raw block volume exposed inside a container as a device.

  name @0 :Text $K.required $K.protobuf(1);
  # Name of a persistentVolumeClaim volume of the pod.

  devicePath @1 :Text $K.required $K.protobuf(2);
  # Path in the container the device appears at.
}

struct Probe {
  # A health check run periodically against a container, and how its results are counted.
  # Exactly one of exec, httpGet, tcpSocket and grpc is set.

  exec @0 :ExecAction;
  # Run a command in the container; exit status 0 is success.

  httpGet @1 :HTTPGetAction;
  # Send an HTTP GET; a status from 200 to 399 is success.

  tcpSocket @2 :TCPSocketAction;
  # Open a TCP connection; success if it connects.

  grpc @3 :GRPCAction;
  # Call the gRPC health checking service.

  initialDelaySeconds @4 :Int32 $K.protobuf(2);
  # Seconds after the container started before the first check.

  timeoutSeconds @5 :Int32 $K.protobuf(3);
  # Seconds after which a check times out; 1 by default.

  periodSeconds @6 :Int32 $K.protobuf(4);
  # Seconds between checks; 10 by default.

  successThreshold @7 :Int32 $K.protobuf(5);
  # Consecutive successes needed after a failure; 1 by default, and 1 for liveness and
  # startup probes.

  failureThreshold @8 :Int32 $K.protobuf(6);
  # Consecutive failures after which the probe counts as failed; 3 by default.

  terminationGracePeriodSeconds :group $K.protobuf(7) { union { unset @9 :Void; value @10 :Int64; } }
  # Grace period used when this probe's failure kills the container, overriding the pod's.
}

struct ExecAction {
  # A command run inside the container.

  command @0 :List(Text) $K.listType("atomic") $K.protobuf(1);
  # Command line, run directly (not in a shell) from the container's root directory.
}

struct HTTPGetAction {
  # An HTTP GET request.

  path @0 :Text $K.protobuf(1);
  # Path to request.

  port @1 :Meta.IntOrString $K.required $K.protobuf(2);
  # Port number, or the name of a container port.

  host @2 :Text $K.protobuf(3);
  # Host to connect to; the pod IP by default. Usually a Host header is what you want.

  scheme @3 :Text $K.protobuf(4);
  # HTTP (the default) or HTTPS.

  httpHeaders @4 :List(HTTPHeader) $K.listType("atomic") $K.protobuf(5);
  # Extra request headers.
}

struct HTTPHeader {
  # One HTTP header.

  name @0 :Text $K.required $K.protobuf(1);
  # Header name.

  value @1 :Text $K.required $K.protobuf(2);
  # Header value.
}

struct TCPSocketAction {
  # A TCP connection attempt.

  port @0 :Meta.IntOrString $K.required $K.protobuf(1);
  # Port number, or the name of a container port.

  host @1 :Text $K.protobuf(2);
  # Host to connect to; the pod IP by default.
}

struct GRPCAction {
  # A call to the standard gRPC health checking service.

  port @0 :Int32 $K.always $K.required $K.protobuf(1);
  # Port of the gRPC server.

  service @1 :Text $K.protobuf(2);
  # Service name to put in the health check request.
}

struct Lifecycle {
  # Actions run at points of a container's life; the container waits for them.

  postStart @0 :LifecycleHandler $K.protobuf(1);
  # Run right after the container is created; if it fails, the container is restarted.

  preStop @1 :LifecycleHandler $K.protobuf(2);
  # Run right before the container is stopped by the API or a failed probe; the grace period
  # keeps counting while it runs.
}

struct LifecycleHandler {
  # The action of a lifecycle hook; exactly one is set.

  exec @0 :ExecAction $K.protobuf(1);
  # Run a command in the container.

  httpGet @1 :HTTPGetAction $K.protobuf(2);
  # Send an HTTP GET request.

  tcpSocket @2 :TCPSocketAction $K.protobuf(3);
  # Deprecated and not supported as a hook; kept for compatibility.

  sleep @3 :SleepAction $K.protobuf(4);
  # Wait for a number of seconds.
}

struct SleepAction {
  # A pause.

  seconds @0 :Int64 $K.always $K.required $K.protobuf(1);
  # Number of seconds to sleep.
}

struct ContainerStatus {
  # What is known about one container of a pod.

  name @0 :Text $K.required $K.protobuf(1);
  # Name of the container.

  state @1 :ContainerState $K.protobuf(2);
  # The container's current state.

  lastState @2 :ContainerState $K.protobuf(3);
  # How the container's previous run ended, to help debug restarts.

  ready @3 :Bool $K.always $K.required $K.protobuf(4);
  # Whether the container passes its readiness probe (true once started when it has none).

  restartCount @4 :Int32 $K.always $K.required $K.protobuf(5);
  # How many times the container has been restarted.

  image @5 :Text $K.required $K.protobuf(6);
  # Image the container runs, as resolved by the runtime.

  imageID @6 :Text $K.required $K.protobuf(7);
  # ID (digest) of the image the container runs.

  containerID @7 :Text $K.protobuf(8);
  # ID of the container as "<runtime>://<id>".

  started :group $K.protobuf(9) { union { unset @8 :Void; value @9 :Bool; } }
  # Whether the container has passed its postStart hook and startup probe.
}

struct ContainerState {
  # The state of a container: at most one member is set; none means waiting.

  waiting @0 :ContainerStateWaiting $K.protobuf(1);
  # The container is not running yet.

  running @1 :ContainerStateRunning $K.protobuf(2);
  # The container is running.

  terminated @2 :ContainerStateTerminated $K.protobuf(3);
  # The container has exited.
}

struct ContainerStateWaiting {
  # A container that is not running yet.

  reason @0 :Text $K.protobuf(1);
  # Why it is not running, such as "ContainerCreating" or "ImagePullBackOff".

  message @1 :Text $K.protobuf(2);
  # Details about why it is not running.
}

struct ContainerStateRunning {
  # A running container.

  startedAt @0 :Text $K.format("date-time") $K.protobuf(1);
  # When the container was last (re)started.
}

struct ContainerStateTerminated {
  # A container that has exited.

  exitCode @0 :Int32 $K.always $K.required $K.protobuf(1);
  # Exit status of the process.

  signal @1 :Int32 $K.protobuf(2);
  # Signal that ended the process, if any.

  reason @2 :Text $K.protobuf(3);
  # Short reason, such as "Completed", "Error" or "OOMKilled".

  message @3 :Text $K.protobuf(4);
  # Details about the termination.

  startedAt @4 :Text $K.format("date-time") $K.protobuf(5);
  # When this run of the container started.

  finishedAt @5 :Text $K.format("date-time") $K.protobuf(6);
  # When it exited.

  containerID @6 :Text $K.protobuf(7);
  # ID of the container as "<runtime>://<id>".
}

# ---------------------------------------------------------------------------------------------
# Volumes

struct Volume {
  # A named volume of a pod that its containers can mount. Exactly one source is set; a
  # volume without a source is an emptyDir.

  name @0 :Text $K.required $K.protobuf(1);
  # Name of the volume (a DNS label), unique within the pod.

  hostPath @1 :HostPathVolumeSource;
  # A file or directory of the node, mounted as is. For system agents; most pods should not
  # use it.

  emptyDir @2 :EmptyDirVolumeSource;
  # A scratch directory that lives as long as the pod.

  secret @3 :SecretVolumeSource;
  # The keys of a secret, as files.

  nfs @4 :NFSVolumeSource;
  # An NFS export.

  persistentVolumeClaim @5 :PersistentVolumeClaimVolumeSource;
  # The volume bound to a PersistentVolumeClaim in the pod's namespace.

  downwardAPI @6 :DownwardAPIVolumeSource;
  # Fields of the pod and resources of its containers, as files.

  configMap @7 :ConfigMapVolumeSource;
  # The keys of a config map, as files.

  projected @8 :ProjectedVolumeSource;
  # Secrets, config maps, downward API files and service account tokens combined in one
  # directory.

  csi @9 :CSIVolumeSource;
  # An ephemeral volume provided by a CSI driver.

  ephemeral @10 :EphemeralVolumeSource;
  # A volume provisioned through a PersistentVolumeClaim created for, and deleted with, the
  # pod.
}

struct HostPathVolumeSource {
  # A path on the node.

  path @0 :Text $K.required $K.protobuf(1);
  # Path of the file or directory on the node; symbolic links are followed.

  type @1 :Text $K.protobuf(2);
  # What must exist at the path: "" (no check), DirectoryOrCreate, Directory, FileOrCreate,
  # File, Socket, CharDevice or BlockDevice.
}

struct EmptyDirVolumeSource {
  # An empty directory created for the pod and removed with it.

  medium @0 :Text $K.protobuf(1);
  # Storage medium: "" for the node's default, or "Memory" for a tmpfs.

  sizeLimit @1 :Meta.Quantity $K.protobuf(2);
  # Most local storage the directory may use.
}

struct SecretVolumeSource {
  # A secret presented as files, one per key.

  secretName @0 :Text $K.protobuf(1);
  # Name of the secret in the pod's namespace.

  items @1 :List(KeyToPath) $K.listType("atomic") $K.protobuf(2);
  # Keys to project and the paths to put them at; when empty, every key becomes a file
  # named after it.

  defaultMode :group $K.protobuf(3) { union { unset @2 :Void; value @3 :Int32; } }
  # Permission bits of the created files (decimal in JSON); 0644 by default.

  optional :group $K.protobuf(4) { union { unset @4 :Void; value @5 :Bool; } }
  # When true, a missing secret or key is not an error.
}

struct NFSVolumeSource {
  # An NFS export mounted for the lifetime of the pod.

  server @0 :Text $K.required $K.protobuf(1);
  # Host name or IP address of the NFS server.

  path @1 :Text $K.required $K.protobuf(2);
  # Path the server exports.

  readOnly @2 :Bool $K.protobuf(3);
  # Mount the export read-only.
}

struct PersistentVolumeClaimVolumeSource {
  # A reference to a PersistentVolumeClaim in the pod's namespace.

  claimName @0 :Text $K.required $K.protobuf(1);
  # Name of the claim.

  readOnly @1 :Bool $K.protobuf(2);
  # Force read-only mounts of the volume.
}

struct DownwardAPIVolumeSource {
  # Files holding fields of the pod and resources of its containers.

  items @0 :List(DownwardAPIVolumeFile) $K.listType("atomic") $K.protobuf(1);
  # The files to create.

  defaultMode :group $K.protobuf(2) { union { unset @1 :Void; value @2 :Int32; } }
  # Permission bits of the created files; 0644 by default.
}

struct DownwardAPIVolumeFile {
  # One file of a downward API volume.

  path @0 :Text $K.required $K.protobuf(1);
  # Relative path of the file; may not be absolute or contain "..".

  fieldRef @1 :ObjectFieldSelector $K.protobuf(2);
  # The pod field to write: labels, annotations, name, namespace and a few more.

  resourceFieldRef @2 :ResourceFieldSelector $K.protobuf(3);
  # The container resource limit or request to write.

  mode :group $K.protobuf(4) { union { unset @3 :Void; value @4 :Int32; } }
  # Permission bits of the file; the volume's defaultMode when unset.
}

struct ConfigMapVolumeSource {
  # A config map presented as files, one per key.

  name @0 :Text;
  # Name of the config map.

  items @1 :List(KeyToPath) $K.listType("atomic") $K.protobuf(2);
  # Keys to project and the paths to put them at; when empty, every key becomes a file
  # named after it.

  defaultMode :group $K.protobuf(3) { union { unset @2 :Void; value @3 :Int32; } }
  # Permission bits of the created files; 0644 by default.

  optional :group $K.protobuf(4) { union { unset @4 :Void; value @5 :Bool; } }
  # When true, a missing config map or key is not an error.
}

struct KeyToPath {
  # Puts one key of a config map or secret at a given path of a volume.

  key @0 :Text $K.required $K.protobuf(1);
  # The key to project.

  path @1 :Text $K.required $K.protobuf(2);
  # Relative path to write it to; may not be absolute or contain "..".

  mode :group $K.protobuf(3) { union { unset @2 :Void; value @3 :Int32; } }
  # Permission bits of the file; the volume's defaultMode when unset.
}

struct ProjectedVolumeSource {
  # Several sources projected into one directory.

  sources @0 :List(VolumeProjection) $K.listType("atomic") $K.protobuf(1);
  # The sources to combine.

  defaultMode :group $K.protobuf(2) { union { unset @1 :Void; value @2 :Int32; } }
  # Permission bits of the created files; 0644 by default.
}

struct VolumeProjection {
  # One source of a projected volume; exactly one member is set.

  secret @0 :SecretProjection $K.protobuf(1);
  # Keys of a secret.

  downwardAPI @1 :DownwardAPIProjection $K.protobuf(2);
  # Downward API files.

  configMap @2 :ConfigMapProjection $K.protobuf(3);
  # Keys of a config map.

  serviceAccountToken @3 :ServiceAccountTokenProjection $K.protobuf(4);
  # A token of the pod's service account, renewed before it expires.
}

struct SecretProjection {
  # A secret projected into a projected volume.

  name @0 :Text;
  # Name of the secret.

  items @1 :List(KeyToPath) $K.listType("atomic") $K.protobuf(2);
  # Keys to project; all keys when empty.

  optional :group $K.protobuf(4) { union { unset @2 :Void; value @3 :Bool; } }
  # When true, a missing secret or key is not an error.
}

struct ConfigMapProjection {
  # A config map projected into a projected volume.

  name @0 :Text;
  # Name of the config map.

  items @1 :List(KeyToPath) $K.listType("atomic") $K.protobuf(2);
  # Keys to project; all keys when empty.

  optional :group $K.protobuf(4) { union { unset @2 :Void; value @3 :Bool; } }
  # When true, a missing config map or key is not an error.
}

struct DownwardAPIProjection {
  # Downward API files in a projected volume.

  items @0 :List(DownwardAPIVolumeFile) $K.listType("atomic") $K.protobuf(1);
  # The files to create.
}

struct ServiceAccountTokenProjection {
  # A service account token written to a file and renewed by the kubelet.

  audience @0 :Text $K.protobuf(1);
  # Intended audience of the token; the API server by default.

  expirationSeconds :group $K.protobuf(2) { union { unset @1 :Void; value @2 :Int64; } }
  # Requested validity of the token in seconds; one hour by default, at least ten minutes.

  path @3 :Text $K.required $K.protobuf(3);
  # Relative path of the token file.
}

struct CSIVolumeSource {
  # An ephemeral volume provided by a CSI driver.

  driver @0 :Text $K.required $K.protobuf(1);
  # Name of the CSI driver.

  readOnly :group $K.protobuf(2) { union { unset @1 :Void; value @2 :Bool; } }
  # Mount the volume read-only.

  fsType @3 :Text $K.protobuf(3);
  # Filesystem type to mount, such as "ext4"; the driver decides when empty.

  volumeAttributes @4 :List(Meta.StringEntry) $K.map $K.protobuf(4);
  # Driver-specific properties.

  nodePublishSecretRef @5 :LocalObjectReference $K.protobuf(5);
  # Secret with sensitive data the driver needs to publish the volume.
}

struct EphemeralVolumeSource {
  # A volume backed by a PersistentVolumeClaim that is created with the pod and deleted
  # with it.

  volumeClaimTemplate @0 :PersistentVolumeClaimTemplate $K.protobuf(1);
  # The claim to create, named <pod name>-<volume name>.
}

struct PersistentVolumeClaimTemplate {
  # A template for a PersistentVolumeClaim.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Labels and annotations copied to the claim.

  spec @1 :PersistentVolumeClaimSpec $K.required $K.protobuf(2);
  # The claim's spec, copied unchanged.
}

# ---------------------------------------------------------------------------------------------
# Scheduling

struct Affinity {
  # Scheduling rules that attract a pod to nodes, or to or away from other pods.

  nodeAffinity @0 :NodeAffinity $K.protobuf(1);
  # Rules about the labels of the node.

  podAffinity @1 :PodAffinity $K.protobuf(2);
  # Rules to place the pod near pods matching a selector.

  podAntiAffinity @2 :PodAntiAffinity $K.protobuf(3);
  # Rules to keep the pod away from pods matching a selector.
}

struct NodeAffinity {
  # Node selection rules for a pod.

  requiredDuringSchedulingIgnoredDuringExecution @0 :NodeSelector $K.protobuf(1);
  # Hard rule: the pod is only scheduled onto nodes matching it. Later label changes do not
  # evict the pod.

  preferredDuringSchedulingIgnoredDuringExecution @1 :List(PreferredSchedulingTerm)
      $K.listType("atomic") $K.protobuf(2);
  # Soft rules: nodes matching more weight are preferred.
}

struct NodeSelector {
  # A node query: the node matches when any of the terms matches.

  nodeSelectorTerms @0 :List(NodeSelectorTerm) $K.required $K.listType("atomic") $K.protobuf(1);
  # The terms, ORed.
}

struct NodeSelectorTerm {
  # Requirements that must all hold for a node to match. An empty term matches nothing.

  matchExpressions @0 :List(NodeSelectorRequirement) $K.listType("atomic") $K.protobuf(1);
  # Requirements on node labels.

  matchFields @1 :List(NodeSelectorRequirement) $K.listType("atomic") $K.protobuf(2);
  # Requirements on node fields (metadata.name).
}

struct NodeSelectorRequirement {
  # A requirement on one node label or field.

  key @0 :Text $K.required $K.protobuf(1);
  # The label key or field name.

  operator @1 :Text $K.required $K.protobuf(2);
  # In, NotIn, Exists, DoesNotExist, Gt or Lt.

  values @2 :List(Text) $K.listType("atomic") $K.protobuf(3);
  # Values to compare with: non-empty for In and NotIn, empty for Exists and DoesNotExist,
  # one integer for Gt and Lt.
}

struct TopologySelectorTerm {
  # A query over topology labels: requirements that must all hold. An empty term matches
  # nothing.

  matchLabelExpressions @0 :List(TopologySelectorLabelRequirement) $K.listType("atomic")
      $K.protobuf(1);
  # Requirements on topology labels.
}

struct TopologySelectorLabelRequirement {
  # Requires a topology label to have one of some values.

  key @0 :Text $K.required $K.protobuf(1);
  # The label key.

  values @1 :List(Text) $K.required $K.listType("atomic") $K.protobuf(2);
  # Values of which the label must have one.
}

struct PreferredSchedulingTerm {
  # A weighted node preference.

  weight @0 :Int32 $K.always $K.required $K.protobuf(1);
  # Weight added for nodes matching the preference, 1-100.

  preference @1 :NodeSelectorTerm $K.required $K.protobuf(2);
  # The node query.
}

struct PodAffinity {
  # Rules to place a pod in the same topology domain as other pods.

  requiredDuringSchedulingIgnoredDuringExecution @0 :List(PodAffinityTerm)
      $K.listType("atomic") $K.protobuf(1);
  # Hard rules: all must be met at scheduling time.

  preferredDuringSchedulingIgnoredDuringExecution @1 :List(WeightedPodAffinityTerm)
      $K.listType("atomic") $K.protobuf(2);
  # Soft rules: nodes meeting more weight are preferred.
}

struct PodAntiAffinity {
  # Rules to keep a pod out of the topology domains of other pods.

  requiredDuringSchedulingIgnoredDuringExecution @0 :List(PodAffinityTerm)
      $K.listType("atomic") $K.protobuf(1);
  # Hard rules: all must be met at scheduling time.

  preferredDuringSchedulingIgnoredDuringExecution @1 :List(WeightedPodAffinityTerm)
      $K.listType("atomic") $K.protobuf(2);
  # Soft rules: nodes meeting more weight are preferred.
}

struct WeightedPodAffinityTerm {
  # A pod affinity term with a weight.

  weight @0 :Int32 $K.always $K.required $K.protobuf(1);
  # Weight added for nodes meeting the term, 1-100.

  podAffinityTerm @1 :PodAffinityTerm $K.required $K.protobuf(2);
  # The term.
}

struct PodAffinityTerm {
  # A set of pods, and the topology key that defines what "together" means for them.

  labelSelector @0 :Meta.LabelSelector $K.protobuf(1);
  # Selects the pods; none when unset.

  namespaces @1 :List(Text) $K.listType("atomic") $K.protobuf(2);
  # Namespaces to look in, added to those namespaceSelector selects; the pod's own namespace
  # when both are empty.

  topologyKey @2 :Text $K.required $K.protobuf(3);
  # Node label whose value defines a domain, such as "kubernetes.io/hostname" or
  # "topology.kubernetes.io/zone".

  namespaceSelector @3 :Meta.LabelSelector $K.protobuf(4);
  # Selects namespaces to look in; an empty selector selects all.

  matchLabelKeys @4 :List(Text) $K.listType("atomic") $K.protobuf(5);
  # Label keys whose values, taken from the incoming pod, are added to labelSelector as
  # "key in (value)".

  mismatchLabelKeys @5 :List(Text) $K.listType("atomic") $K.protobuf(6);
  # Label keys whose values, taken from the incoming pod, are added to labelSelector as
  # "key notin (value)".
}

struct Toleration {
  # Lets a pod be scheduled onto (or stay on) nodes with a matching taint.

  key @0 :Text $K.protobuf(1);
  # Taint key to match; empty with operator Exists matches every taint.

  operator @1 :Text $K.protobuf(2);
  # Equal (the default) or Exists.

  value @2 :Text $K.protobuf(3);
  # Taint value to match with Equal.

  effect @3 :Text $K.protobuf(4);
  # Taint effect to match: NoSchedule, PreferNoSchedule or NoExecute; all when empty.

  tolerationSeconds :group $K.protobuf(5) { union { unset @4 :Void; value @5 :Int64; } }
  # For NoExecute: how long the pod stays after the taint appears; forever when unset.
}

struct TopologySpreadConstraint {
  # How evenly matching pods must be spread over the domains of a topology key.

  maxSkew @0 :Int32 $K.always $K.required $K.protobuf(1);
  # Largest allowed difference in matching pods between two domains; at least 1.

  topologyKey @1 :Text $K.required $K.protobuf(2);
  # Node label whose values define the domains.

  whenUnsatisfiable @2 :Text $K.required $K.protobuf(3);
  # DoNotSchedule (hard) or ScheduleAnyway (soft).

  labelSelector @3 :Meta.LabelSelector $K.protobuf(4);
  # Selects the pods that are counted.

  minDomains :group $K.protobuf(5) { union { unset @4 :Void; value @5 :Int32; } }
  # Minimum number of eligible domains; with fewer, the global minimum counts as zero.

  nodeAffinityPolicy @6 :Text $K.protobuf(6);
  # Whether the pod's node affinity limits the counted nodes: Honor (the default) or Ignore.

  nodeTaintsPolicy @7 :Text $K.protobuf(7);
  # Whether tainted nodes the pod does not tolerate are left out: Honor or Ignore (the
  # default).

  matchLabelKeys @8 :List(Text) $K.listType("atomic") $K.protobuf(8);
  # Label keys whose values, taken from the incoming pod, are added to labelSelector.
}

struct LocalObjectReference {
  # Refers to an object by name in the same namespace.

  name @0 :Text $K.protobuf(1);
  # Name of the object.
}

struct ObjectReference {
  # Enough information to find and inspect another object.

  kind @0 :Text $K.protobuf(1);
  # Kind of the object.

  namespace @1 :Text $K.protobuf(2);
  # Namespace of the object.

  name @2 :Text $K.protobuf(3);
  # Name of the object.

  uid @3 :Text $K.protobuf(4);
  # UID of the object.

  apiVersion @4 :Text $K.protobuf(5);
  # API version of the object.

  resourceVersion @5 :Text $K.protobuf(6);
  # The resourceVersion the reference was made against, if any.

  fieldPath @6 :Text $K.protobuf(7);
  # Path of a part of the object, such as "spec.containers{web}".
}

struct TypedLocalObjectReference {
  # Refers to an object of a given kind by name in the same namespace.

  apiGroup @0 :Text $K.protobuf(1);
  # API group of the object; the core group when empty.

  kind @1 :Text $K.required $K.protobuf(2);
  # Kind of the object.

  name @2 :Text $K.required $K.protobuf(3);
  # Name of the object.
}

struct TypedObjectReference {
  # Refers to an object of a given kind by name, possibly in another namespace.

  apiGroup @0 :Text $K.protobuf(1);
  # API group of the object; the core group when empty.

  kind @1 :Text $K.required $K.protobuf(2);
  # Kind of the object.

  name @2 :Text $K.required $K.protobuf(3);
  # Name of the object.

  namespace @3 :Text $K.protobuf(4);
  # Namespace of the object, when it differs from the referrer's.
}

struct SecretReference {
  # Refers to a secret by name and namespace.

  name @0 :Text $K.protobuf(1);
  # Name of the secret.

  namespace @1 :Text $K.protobuf(2);
  # Namespace of the secret.
}

# ---------------------------------------------------------------------------------------------
# Node

struct Node $K.kind(group = "", version = "v1", kind = "Node", resource = "nodes",
                    singular = "node", namespaced = false, shortNames = ["no"],
                    subresources = ["status"]) {
  # A machine (physical or virtual) that runs pods, registered by its kubelet.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :NodeSpec $K.protobuf(2);
  # How the node is configured for scheduling.

  status @2 :NodeStatus $K.protobuf(3);
  # What the kubelet last reported about the node.
}

struct NodeSpec {
  # The configured properties of a node.

  podCIDR @0 :Text $K.protobuf(1);
  # Pod IP range assigned to the node.

  podCIDRs @1 :List(Text) $K.patchStrategy("merge") $K.listType("set") $K.protobuf(7);
  # Pod IP ranges assigned to the node, at most one per IP family; the first matches podCIDR.

  providerID @2 :Text $K.protobuf(3);
  # ID of the node at its cloud provider, as "<provider>://<id>".

  unschedulable @3 :Bool $K.protobuf(4);
  # When true (cordoned), no new pods are scheduled onto the node.

  taints @4 :List(Taint) $K.listType("atomic") $K.protobuf(5);
  # Taints that repel pods which do not tolerate them.
}

struct Taint {
  # A mark on a node that keeps away pods that do not tolerate it.

  key @0 :Text $K.required $K.protobuf(1);
  # Taint key.

  value @1 :Text $K.protobuf(2);
  # Taint value.

  effect @2 :Text $K.required $K.protobuf(3);
  # What happens to pods that do not tolerate it: NoSchedule, PreferNoSchedule or NoExecute.

  timeAdded @3 :Text $K.format("date-time") $K.protobuf(4);
  # When the taint was added (NoExecute taints only).
}

struct NodeStatus {
  # The last reported state of a node.

  capacity @0 :List(Meta.QuantityEntry) $K.map $K.protobuf(1);
  # Total resources of the node.

  allocatable @1 :List(Meta.QuantityEntry) $K.map $K.protobuf(2);
  # Resources available to pods; capacity by default.

  phase @2 :Text $K.protobuf(3);
  # Deprecated lifecycle phase; never set.

  conditions @3 :List(NodeCondition) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(4);
  # Current conditions, such as Ready, MemoryPressure and DiskPressure.

  addresses @4 :List(NodeAddress) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(5);
  # Addresses the node is reachable at.

  daemonEndpoints @5 :NodeDaemonEndpoints $K.protobuf(6);
  # Ports of the daemons running on the node.

  nodeInfo @6 :NodeSystemInfo $K.protobuf(7);
  # Identifiers and software versions of the node.

  images @7 :List(ContainerImage) $K.listType("atomic") $K.protobuf(8);
  # Container images present on the node.

  volumesInUse @8 :List(Text) $K.listType("atomic") $K.protobuf(9);
  # Attachable volumes mounted on the node.

  volumesAttached @9 :List(AttachedVolume) $K.listType("atomic") $K.protobuf(10);
  # Volumes attached to the node.
}

struct NodeCondition {
  # One aspect of a node's state.

  type @0 :Text $K.required $K.protobuf(1);
  # Which condition this is, such as Ready.

  status @1 :Text $K.required $K.protobuf(2);
  # "True", "False" or "Unknown".

  lastHeartbeatTime @2 :Text $K.format("date-time") $K.protobuf(3);
  # When the kubelet last reported this condition.

  lastTransitionTime @3 :Text $K.format("date-time") $K.protobuf(4);
  # When the status last changed.

  reason @4 :Text $K.protobuf(5);
  # Short reason for the last transition.

  message @5 :Text $K.protobuf(6);
  # Human-readable details about the last transition.
}

struct NodeAddress {
  # An address of a node.

  type @0 :Text $K.required $K.protobuf(1);
  # Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.

  address @1 :Text $K.required $K.protobuf(2);
  # The address.
}

struct NodeDaemonEndpoints {
  # Ports opened by daemons on the node.

  kubeletEndpoint @0 :DaemonEndpoint $K.protobuf(1);
  # Where the kubelet listens.
}

struct DaemonEndpoint {
  # A port a daemon listens on.

  port @0 :Int32 $K.json("Port") $K.always $K.required $K.protobuf(1);
  # The port number. Its JSON name is capitalized ("Port") for historical reasons.
}

struct NodeSystemInfo {
  # Identifiers and versions a node reports about itself.

  machineID @0 :Text $K.required $K.protobuf(1);
  # The machine-id of the node (preferred for identifying the machine).

  systemUUID @1 :Text $K.required $K.protobuf(2);
  # The SMBIOS system UUID of the node.

  bootID @2 :Text $K.required $K.protobuf(3);
  # ID of the current boot.

  kernelVersion @3 :Text $K.required $K.protobuf(4);
  # Kernel version, as from uname -r.

  osImage @4 :Text $K.required $K.protobuf(5);
  # Operating system image, as from /etc/os-release.

  containerRuntimeVersion @5 :Text $K.required $K.protobuf(6);
  # Container runtime and version, such as "containerd://1.7.0".

  kubeletVersion @6 :Text $K.required $K.protobuf(7);
  # Version of the kubelet.

  kubeProxyVersion @7 :Text $K.required $K.protobuf(8);
  # Version of kube-proxy (deprecated, may be empty).

  operatingSystem @8 :Text $K.required $K.protobuf(9);
  # Operating system, such as "linux".

  architecture @9 :Text $K.required $K.protobuf(10);
  # CPU architecture, such as "amd64".
}

struct ContainerImage {
  # A container image present on a node.

  names @0 :List(Text) $K.listType("atomic") $K.protobuf(1);
  # Names and digests the image is known by.

  sizeBytes @1 :Int64 $K.protobuf(2);
  # Size of the image in bytes.
}

struct AttachedVolume {
  # A volume attached to a node.

  name @0 :Text $K.required $K.protobuf(1);
  # Unique name of the volume.

  devicePath @1 :Text $K.required $K.protobuf(2);
  # Device path the volume is available at.
}

# ---------------------------------------------------------------------------------------------
# Namespace

struct Namespace $K.kind(group = "", version = "v1", kind = "Namespace", resource = "namespaces",
                         singular = "namespace", namespaced = false, shortNames = ["ns"],
                         subresources = ["status", "finalize"]) {
  # A scope for names: namespaced objects are unique by name within their namespace.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :NamespaceSpec $K.protobuf(2);
  # The namespace's finalizers.

  status @2 :NamespaceStatus $K.protobuf(3);
  # The namespace's lifecycle phase and conditions.
}

struct NamespaceSpec {
  # The desired state of a namespace.

  finalizers @0 :List(Text) $K.listType("atomic") $K.protobuf(1);
  # Values that must all be removed (through the finalize subresource) before the namespace
  # is deleted for good.
}

struct NamespaceStatus {
  # The current state of a namespace.

  phase @0 :Text $K.protobuf(1);
  # Active or Terminating.

  conditions @1 :List(NamespaceCondition) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(2);
  # Observations about the namespace, mostly about its deletion.
}

struct NamespaceCondition {
  # One aspect of a namespace's state.

  type @0 :Text $K.required $K.protobuf(1);
  # Which condition this is, such as NamespaceContentRemaining.

  status @1 :Text $K.required $K.protobuf(2);
  # "True", "False" or "Unknown".

  lastTransitionTime @2 :Text $K.format("date-time") $K.protobuf(4);
  # When the status last changed.

  reason @3 :Text $K.protobuf(5);
  # Short reason for the last transition.

  message @4 :Text $K.protobuf(6);
  # Human-readable details.
}

# ---------------------------------------------------------------------------------------------
# Service and Endpoints

struct Service $K.kind(group = "", version = "v1", kind = "Service", resource = "services",
                       singular = "service", namespaced = true, shortNames = ["svc"],
                       categories = ["all"], subresources = ["status"]) {
  # A stable name and virtual address for a set of pods chosen by a label selector (or for
  # an external name), and the ports it forwards.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :ServiceSpec $K.protobuf(2);
  # How the service is exposed and which pods it sends traffic to.

  status @2 :ServiceStatus $K.protobuf(3);
  # The observed state of the service, such as its load balancer.
}

struct ServiceSpec {
  # The desired behaviour of a service.

  ports @0 :List(ServicePort) $K.patchStrategy("merge") $K.patchMergeKey("port")
      $K.listType("map") $K.listMapKeys(["port", "protocol"]) $K.protobuf(1);
  # The ports the service exposes.

  selector @1 :List(Meta.StringEntry) $K.map $K.protobuf(2);
  # Labels of the pods that receive the traffic. Without a selector the endpoints are managed
  # by someone else.

  clusterIP @2 :Text $K.protobuf(3);
  # Virtual IP address of the service, usually allocated by the system. "None" makes a
  # headless service.

  clusterIPs @3 :List(Text) $K.listType("atomic") $K.protobuf(18);
  # Virtual IP addresses of the service, at most one per IP family; the first matches
  # clusterIP.

  type @4 :Text $K.protobuf(4);
  # How the service is exposed: ClusterIP (the default), NodePort, LoadBalancer or
  # ExternalName.

  externalIPs @5 :List(Text) $K.listType("atomic") $K.protobuf(5);
  # Extra IP addresses, not managed by the cluster, on which nodes accept the service's
  # traffic.

  sessionAffinity @6 :Text $K.protobuf(7);
  # None (the default) or ClientIP to send a client's connections to the same pod.

  loadBalancerIP @7 :Text $K.protobuf(8);
  # Deprecated: IP address requested for the load balancer.

  loadBalancerSourceRanges @8 :List(Text) $K.listType("atomic") $K.protobuf(9);
  # Client IP ranges the load balancer accepts, where supported.

  externalName @9 :Text $K.protobuf(10);
  # DNS name the service is an alias (CNAME) for, with type ExternalName.

  externalTrafficPolicy @10 :Text $K.protobuf(11);
  # Cluster (the default) spreads external traffic over all endpoints; Local keeps it on the
  # receiving node and preserves the client IP.

  healthCheckNodePort @11 :Int32 $K.protobuf(12);
  # Node port for load balancer health checks, with type LoadBalancer and
  # externalTrafficPolicy Local.

  publishNotReadyAddresses @12 :Bool $K.protobuf(13);
  # Publish the addresses of pods that are not ready too.

  sessionAffinityConfig @13 :SessionAffinityConfig $K.protobuf(14);
  # Settings of session affinity.

  ipFamilies @14 :List(Text) $K.listType("atomic") $K.protobuf(19);
  # IP families (IPv4, IPv6) of the service, in clusterIPs order.

  ipFamilyPolicy @15 :Text $K.protobuf(17);
  # SingleStack, PreferDualStack or RequireDualStack.

  allocateLoadBalancerNodePorts :group $K.protobuf(20) { union { unset @16 :Void; value @17 :Bool; } }
  # Whether node ports are allocated for a LoadBalancer service (true by default).

  loadBalancerClass @18 :Text $K.protobuf(21);
  # Which load balancer implementation handles the service.

  internalTrafficPolicy @19 :Text $K.protobuf(22);
  # Cluster (the default) or Local: whether cluster-internal traffic may go to endpoints on
  # other nodes.
}

struct ServicePort {
  # One port of a service.

  name @0 :Text $K.protobuf(1);
  # Name of the port (a DNS label); required when there is more than one.

  protocol @1 :Text $K.protobuf(2);
  # TCP (the default), UDP or SCTP.

  appProtocol @2 :Text $K.protobuf(6);
  # Application protocol, as a hint to implementations, such as "http" or "kubernetes.io/h2c".

  port @3 :Int32 $K.always $K.required $K.protobuf(3);
  # The port the service exposes.

  targetPort @4 :Meta.IntOrString $K.protobuf(4);
  # Port number or container port name on the pods; the same as port by default.

  nodePort @5 :Int32 $K.protobuf(5);
  # Port on every node for NodePort and LoadBalancer services, usually allocated by the
  # system.
}

struct SessionAffinityConfig {
  # Settings of a service's session affinity.

  clientIP @0 :ClientIPConfig $K.protobuf(1);
  # Settings of ClientIP affinity.
}

struct ClientIPConfig {
  # Settings of ClientIP session affinity.

  timeoutSeconds :group $K.protobuf(1) { union { unset @0 :Void; value @1 :Int32; } }
  # How long a client sticks to a pod, in seconds; 10800 by default.
}

struct ServiceStatus {
  # The observed state of a service.

  loadBalancer @0 :LoadBalancerStatus $K.protobuf(1);
  # The load balancer, if there is one.

  conditions @1 :List(Meta.Condition) $K.patchStrategy("merge") $K.patchMergeKey("type")
      $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(2);
  # Current conditions of the service.
}

struct LoadBalancerStatus {
  # The state of a load balancer.

  ingress @0 :List(LoadBalancerIngress) $K.listType("atomic") $K.protobuf(1);
  # Points where traffic for the service enters.
}

struct LoadBalancerIngress {
  # An entry point of a load balancer.

  ip @0 :Text $K.protobuf(1);
  # IP address, for IP-based load balancers.

  hostname @1 :Text $K.protobuf(2);
  # DNS name, for DNS-based load balancers.

  ipMode @2 :Text $K.protobuf(3);
  # VIP or Proxy: how traffic to ip reaches the nodes.

  ports @3 :List(PortStatus) $K.listType("atomic") $K.protobuf(4);
  # Status of each service port on the load balancer.
}

struct PortStatus {
  # The status of one service port on a load balancer.

  port @0 :Int32 $K.always $K.required $K.protobuf(1);
  # The service port.

  protocol @1 :Text $K.required $K.protobuf(2);
  # Its protocol.

  error @2 :Text $K.protobuf(3);
  # The problem with the port, as a CamelCase reason.
}

struct Endpoints $K.kind(group = "", version = "v1", kind = "Endpoints", resource = "endpoints",
                         singular = "endpoints", namespaced = true, shortNames = ["ep"]) {
  # The addresses and ports that implement a service.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  subsets @1 :List(EndpointSubset) $K.listType("atomic") $K.protobuf(2);
  # Groups of addresses with the same ports; all endpoints are the union of the subsets.
}

struct EndpointSubset {
  # Addresses sharing a set of ports; each address serves each port.

  addresses @0 :List(EndpointAddress) $K.listType("atomic") $K.protobuf(1);
  # Addresses that are ready.

  notReadyAddresses @1 :List(EndpointAddress) $K.listType("atomic") $K.protobuf(2);
  # Addresses that are not ready yet or are failing their readiness checks.

  ports @2 :List(EndpointPort) $K.listType("atomic") $K.protobuf(3);
  # The ports.
}

struct EndpointAddress {
  # One endpoint address.

  ip @0 :Text $K.required $K.protobuf(1);
  # The IP address.

  hostname @1 :Text $K.protobuf(3);
  # Host name of the endpoint.

  nodeName @2 :Text $K.protobuf(4);
  # Node the endpoint runs on.

  targetRef @3 :ObjectReference $K.protobuf(2);
  # The object (usually a pod) behind the endpoint.
}

struct EndpointPort {
  # One endpoint port.

  name @0 :Text $K.protobuf(1);
  # Name of the port; matches the service port's name.

  port @1 :Int32 $K.always $K.required $K.protobuf(2);
  # The port number.

  protocol @2 :Text $K.protobuf(3);
  # TCP (the default), UDP or SCTP.

  appProtocol @3 :Text $K.protobuf(4);
  # Application protocol of the port.
}

# ---------------------------------------------------------------------------------------------
# ConfigMap and Secret

struct ConfigMap $K.kind(group = "", version = "v1", kind = "ConfigMap", resource = "configmaps",
                         singular = "configmap", namespaced = true, shortNames = ["cm"]) {
  # Non-confidential configuration as key/value pairs, for pods to read as files or
  # environment variables.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  immutable :group $K.protobuf(4) { union { unset @1 :Void; value @2 :Bool; } }
  # When true, data and binaryData can no longer be changed; only metadata can.

  data @3 :List(Meta.StringEntry) $K.map $K.protobuf(2);
  # UTF-8 configuration values by key.

  binaryData @4 :List(Meta.BytesEntry) $K.map $K.protobuf(3);
  # Binary configuration values by key (base64 in JSON); keys may not also be in data.
}

struct Secret $K.kind(group = "", version = "v1", kind = "Secret", resource = "secrets",
                      singular = "secret", namespaced = true) {
  # Confidential data, such as passwords, tokens or keys, as key/value pairs.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  immutable :group $K.protobuf(5) { union { unset @1 :Void; value @2 :Bool; } }
  # When true, the data can no longer be changed; only metadata can.

  data @3 :List(Meta.BytesEntry) $K.map $K.protobuf(2);
  # The secret values by key (base64 in JSON).

  stringData @4 :List(Meta.StringEntry) $K.map $K.protobuf(4);
  # Write-only convenience: plain-text values merged into data on write; never returned.

  type @5 :Text $K.protobuf(3);
  # Type of the secret, which decides the keys it must hold, such as "Opaque" or
  # "kubernetes.io/tls".
}

# ---------------------------------------------------------------------------------------------
# Event (core/v1)

struct Event $K.kind(group = "", version = "v1", kind = "Event", resource = "events",
                     singular = "event", namespaced = true, shortNames = ["ev"]) {
  # A report of something that happened to an object. Events are kept for a limited time and
  # are informative only.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  involvedObject @1 :ObjectReference $K.required $K.protobuf(2);
  # The object the event is about.

  reason @2 :Text $K.protobuf(3);
  # Short CamelCase reason for the event.

  message @3 :Text $K.protobuf(4);
  # Human-readable description.

  source @4 :EventSource $K.protobuf(5);
  # The component that reported the event.

  firstTimestamp @5 :Text $K.format("date-time") $K.protobuf(6);
  # When the event was first recorded.

  lastTimestamp @6 :Text $K.format("date-time") $K.protobuf(7);
  # When the event was last recorded.

  count @7 :Int32 $K.protobuf(8);
  # How many times the event has occurred.

  type @8 :Text $K.protobuf(9);
  # Normal or Warning.

  eventTime @9 :Text $K.format("date-time") $K.protobuf(10);
  # When the event was first observed, with microseconds.

  series @10 :EventSeries $K.protobuf(11);
  # Data about the series the event belongs to; unset for a single event.

  action @11 :Text $K.protobuf(12);
  # What was done, or failed, about the object.

  related @12 :ObjectReference $K.protobuf(13);
  # A second object involved, for more complex actions.

  reportingComponent @13 :Text $K.protobuf(14);
  # Name of the controller that emitted the event, such as "kubernetes.io/kubelet".

  reportingInstance @14 :Text $K.protobuf(15);
  # ID of the controller instance, such as "kubelet-node1".
}

struct EventSource {
  # Where an event came from.

  component @0 :Text $K.protobuf(1);
  # The component that generated the event.

  host @1 :Text $K.protobuf(2);
  # The node the event was generated on.
}

struct EventSeries {
  # A series of occurrences of the same event.

  count @0 :Int32 $K.protobuf(1);
  # Occurrences up to lastObservedTime.

  lastObservedTime @1 :Text $K.format("date-time") $K.protobuf(2);
  # When the last occurrence was observed.
}

# ---------------------------------------------------------------------------------------------
# ServiceAccount

struct ServiceAccount $K.kind(group = "", version = "v1", kind = "ServiceAccount",
                              resource = "serviceaccounts", singular = "serviceaccount",
                              namespaced = true, shortNames = ["sa"]) {
  # An identity for processes in pods, with the secrets they may use.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  secrets @1 :List(ObjectReference) $K.patchStrategy("merge") $K.patchMergeKey("name")
      $K.listType("map") $K.listMapKeys(["name"]) $K.protobuf(2);
  # Secrets in the namespace that pods running as this account may use.

  imagePullSecrets @2 :List(LocalObjectReference) $K.listType("atomic") $K.protobuf(3);
  # Registry credentials added to pods that run as this account.

  automountServiceAccountToken :group $K.protobuf(4) { union { unset @3 :Void; value @4 :Bool; } }
  # Whether pods running as this account get an API token mounted; pods can override it.
}

# ---------------------------------------------------------------------------------------------
# PersistentVolumeClaim and PersistentVolume

struct PersistentVolumeClaim $K.kind(group = "", version = "v1", kind = "PersistentVolumeClaim",
                                     resource = "persistentvolumeclaims",
                                     singular = "persistentvolumeclaim", namespaced = true,
                                     shortNames = ["pvc"], subresources = ["status"]) {
  # A user's request for storage, bound to a PersistentVolume that satisfies it.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :PersistentVolumeClaimSpec $K.protobuf(2);
  # The storage requested.

  status @2 :PersistentVolumeClaimStatus $K.protobuf(3);
  # The state of the claim.
}

struct PersistentVolumeClaimSpec {
  # The storage a claim asks for.

  accessModes @0 :List(Text) $K.listType("atomic") $K.protobuf(1);
  # How the volume must be mountable: ReadWriteOnce, ReadOnlyMany, ReadWriteMany or
  # ReadWriteOncePod.

  selector @1 :Meta.LabelSelector $K.protobuf(4);
  # Labels of the volumes the claim may bind to.

  resources @2 :VolumeResourceRequirements $K.protobuf(2);
  # Minimum (and maximum) storage the volume must have.

  volumeName @3 :Text $K.protobuf(3);
  # Name of the PersistentVolume the claim is bound to.

  storageClassName :group $K.protobuf(5) { union { unset @4 :Void; value @5 :Text; } }
  # Storage class the claim needs. Unset picks the default class; an empty string asks for a
  # volume without a class.

  volumeMode @6 :Text $K.protobuf(6);
  # Filesystem (the default) or Block.

  dataSource @7 :TypedLocalObjectReference $K.protobuf(7);
  # An existing snapshot or claim to fill the new volume from.

  dataSourceRef @8 :TypedObjectReference $K.protobuf(8);
  # Any populator object to fill the new volume from; supersedes dataSource.
}

struct VolumeResourceRequirements {
  # Storage resource requirements of a volume.

  limits @0 :List(Meta.QuantityEntry) $K.map $K.protobuf(1);
  # Most storage allowed.

  requests @1 :List(Meta.QuantityEntry) $K.map $K.protobuf(2);
  # Least storage required, such as {"storage": "10Gi"}.
}

struct PersistentVolumeClaimStatus {
  # The current state of a claim.

  phase @0 :Text $K.protobuf(1);
  # Pending, Bound or Lost.

  accessModes @1 :List(Text) $K.listType("atomic") $K.protobuf(2);
  # Access modes of the bound volume.

  capacity @2 :List(Meta.QuantityEntry) $K.map $K.protobuf(3);
  # Actual resources of the bound volume.

  conditions @3 :List(PersistentVolumeClaimCondition) $K.patchStrategy("merge")
      $K.patchMergeKey("type") $K.listType("map") $K.listMapKeys(["type"]) $K.protobuf(4);
  # Current conditions, such as Resizing.
}

struct PersistentVolumeClaimCondition {
  # One aspect of a claim's state.

  type @0 :Text $K.required $K.protobuf(1);
  # Which condition this is, such as Resizing or FileSystemResizePending.

  status @1 :Text $K.required $K.protobuf(2);
  # "True", "False" or "Unknown".

  lastProbeTime @2 :Text $K.format("date-time") $K.protobuf(3);
  # When the condition was last checked.

  lastTransitionTime @3 :Text $K.format("date-time") $K.protobuf(4);
  # When the status last changed.

  reason @4 :Text $K.protobuf(5);
  # Short reason for the last transition.

  message @5 :Text $K.protobuf(6);
  # Human-readable details.
}

struct PersistentVolume $K.kind(group = "", version = "v1", kind = "PersistentVolume",
                                resource = "persistentvolumes", singular = "persistentvolume",
                                namespaced = false, shortNames = ["pv"],
                                subresources = ["status"]) {
  # A piece of storage in the cluster, provisioned by an administrator or dynamically by a
  # storage class.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata.

  spec @1 :PersistentVolumeSpec $K.protobuf(2);
  # The storage the volume provides.

  status @2 :PersistentVolumeStatus $K.protobuf(3);
  # The state of the volume.
}

struct PersistentVolumeSpec {
  # What a persistent volume is and how it may be used. Exactly one source (hostPath, nfs,
  # local, csi, ...) is set.

  capacity @0 :List(Meta.QuantityEntry) $K.map $K.protobuf(1);
  # Size of the volume, such as {"storage": "10Gi"}.

  hostPath @1 :HostPathVolumeSource;
  # A directory on the host; for single-node testing only.

  nfs @2 :NFSVolumeSource;
  # An NFS export.

  local @3 :LocalVolumeSource;
  # Storage attached directly to one node; needs nodeAffinity.

  csi @4 :CSIPersistentVolumeSource;
  # A volume managed by a CSI driver.

  accessModes @5 :List(Text) $K.listType("atomic") $K.protobuf(3);
  # Ways the volume can be mounted.

  claimRef @6 :ObjectReference $K.protobuf(4);
  # The claim the volume is bound to.

  persistentVolumeReclaimPolicy @7 :Text $K.protobuf(5);
  # What happens when the claim is released: Retain, Delete or Recycle (deprecated).

  storageClassName @8 :Text $K.protobuf(6);
  # Storage class the volume belongs to; none when empty.

  mountOptions @9 :List(Text) $K.listType("atomic") $K.protobuf(7);
  # Mount options, such as ["ro", "soft"]; not validated.

  volumeMode @10 :Text $K.protobuf(8);
  # Filesystem (the default) or Block.

  nodeAffinity @11 :VolumeNodeAffinity $K.protobuf(9);
  # Nodes the volume can be used from.
}

struct LocalVolumeSource {
  # Storage directly attached to a node.

  path @0 :Text $K.required $K.protobuf(1);
  # Full path of the directory or block device on the node.

  fsType @1 :Text $K.protobuf(2);
  # Filesystem to mount a block device with; chosen automatically when empty.
}

struct CSIPersistentVolumeSource {
  # A persistent volume managed by a CSI driver.

  driver @0 :Text $K.required $K.protobuf(1);
  # Name of the CSI driver.

  volumeHandle @1 :Text $K.required $K.protobuf(2);
  # The driver's ID of the volume.

  readOnly @2 :Bool $K.protobuf(3);
  # Publish the volume read-only.

  fsType @3 :Text $K.protobuf(4);
  # Filesystem type to mount, such as "ext4".

  volumeAttributes @4 :List(Meta.StringEntry) $K.map $K.protobuf(5);
  # Driver-specific attributes of the volume.

  controllerPublishSecretRef @5 :SecretReference $K.protobuf(6);
  # Secret for the driver's ControllerPublish and ControllerUnpublish calls.

  nodeStageSecretRef @6 :SecretReference $K.protobuf(7);
  # Secret for the driver's NodeStage and NodeUnstage calls.

  nodePublishSecretRef @7 :SecretReference $K.protobuf(8);
  # Secret for the driver's NodePublish and NodeUnpublish calls.

  controllerExpandSecretRef @8 :SecretReference $K.protobuf(9);
  # Secret for the driver's ControllerExpand call.

  nodeExpandSecretRef @9 :SecretReference $K.protobuf(10);
  # Secret for the driver's NodeExpand call.
}

struct VolumeNodeAffinity {
  # Nodes a volume can be accessed from.

  required @0 :NodeSelector $K.protobuf(1);
  # Nodes must match this selector.
}

struct PersistentVolumeStatus {
  # The current state of a persistent volume.

  phase @0 :Text $K.protobuf(1);
  # Pending, Available, Bound, Released or Failed.

  message @1 :Text $K.protobuf(2);
  # Human-readable explanation of the state.

  reason @2 :Text $K.protobuf(3);
  # Short CamelCase reason for a failure.

  lastPhaseTransitionTime @3 :Text $K.format("date-time") $K.protobuf(4);
  # When the phase last changed.
}

# ---------------------------------------------------------------------------------------------
# Binding

struct Binding $K.kind(group = "", version = "v1", kind = "Binding", resource = "bindings",
                       singular = "binding", namespaced = true, verbs = ["create"]) {
  # Binds an object to another, such as a pod to the node the scheduler chose. It is the
  # body of the pods/binding subresource.

  metadata @0 :Meta.ObjectMeta $K.protobuf(1);
  # Standard object metadata; the name is that of the object being bound.

  target @1 :ObjectReference $K.required $K.protobuf(2);
  # The object to bind to, such as a Node.
}
