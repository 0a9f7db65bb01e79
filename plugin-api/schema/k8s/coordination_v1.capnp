@0xfcb7ad3bf6bec5c0;
# The coordination.k8s.io API group, version v1: leases, used for leader election and node
# heartbeats.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::coordination::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.coordination.v1");

using Meta = import "meta.capnp";

struct Lease $K.kind(group = "coordination.k8s.io", version = "v1", kind = "Lease",
                     resource = "leases", singular = "lease", namespaced = true) {
  # A lease held by one holder at a time and renewed while it is alive.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  spec @1 :LeaseSpec;
  # The holder and timing of the lease.
}

struct LeaseSpec {
  # Who holds a lease and for how long.

  holderIdentity @0 :Text;
  # Identity of the current holder.

  leaseDurationSeconds :group { union { unset @1 :Void; value @2 :Int32; } }
  # Seconds the holder may go without renewing before others may take the lease, counted
  # from renewTime.

  acquireTime @3 :Text $K.format("date-time");
  # When the current holder acquired the lease (with microseconds).

  renewTime @4 :Text $K.format("date-time");
  # When the holder last renewed the lease (with microseconds).

  leaseTransitions :group { union { unset @5 :Void; value @6 :Int32; } }
  # How many times the lease changed holders.
}
