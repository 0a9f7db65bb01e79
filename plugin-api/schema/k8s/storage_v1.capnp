@0xf5a0454ae1803ef9;
# The storage.k8s.io API group, version v1: storage classes.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::storage::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.storage.v1");

using Meta = import "meta.capnp";
using Core = import "core_v1.capnp";

struct StorageClass $K.kind(group = "storage.k8s.io", version = "v1", kind = "StorageClass",
                            resource = "storageclasses", singular = "storageclass",
                            namespaced = false, shortNames = ["sc"]) {
  # A class of storage: the provisioner that creates volumes for claims of this class, and
  # its parameters. Cannot be updated after creation.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  provisioner @1 :Text $K.required;
  # Name of the volume provisioner, such as a CSI driver name.

  parameters @2 :List(Meta.StringEntry) $K.map;
  # Provisioner-specific parameters for new volumes.

  reclaimPolicy @3 :Text;
  # Reclaim policy of the volumes created: Delete (the default) or Retain.

  mountOptions @4 :List(Text) $K.listType("atomic");
  # Mount options of the volumes created, such as ["ro", "soft"]; not validated.

  allowVolumeExpansion :group { union { unset @5 :Void; value @6 :Bool; } }
  # Whether claims of this class may be resized.

  volumeBindingMode @7 :Text;
  # When claims are bound and provisioned: Immediate (the default) or WaitForFirstConsumer.

  allowedTopologies @8 :List(Core.TopologySelectorTerm) $K.listType("atomic");
  # Topologies where volumes may be provisioned; anywhere when empty.
}
