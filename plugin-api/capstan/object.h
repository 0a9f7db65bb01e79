#pragma once
// The object envelope: everything the kernel knows about a stored object.
// Nothing here is Kubernetes-specific; the API layer maps Kubernetes metadata onto it.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace capstan {

// Size limit of one stored object (envelope + body), as etcd's default request limit.
inline constexpr std::size_t kMaxObjectBytes = 1536 * 1024;
// Key limits keep (type id, namespace, name, revision) under LMDB's 511-byte key limit.
inline constexpr std::size_t kMaxNameBytes = 253;
inline constexpr std::size_t kMaxNamespaceBytes = 63;
inline constexpr std::size_t kMaxTypeBytes = 200;

struct OwnerReference {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;
  bool blockOwnerDeletion = false;
  bool operator==(const OwnerReference&) const = default;
};

enum class BodyFormat : std::uint8_t {
  kNone = 0,   // no body
  kCapnp = 1,  // a Cap'n Proto message (flat array) of a schema type the writer knows
  kJson = 2,   // JSON text (custom resources, unstructured data, tests)
};

struct Object {
  // Identity. `type` is an opaque resource type string ("pods", "apps/deployments");
  // the store interns it into a short id. `ns` is empty for cluster-scoped objects.
  std::string type;
  std::string ns;
  std::string name;

  // Stamped by the store; a writer's values are ignored (uid and creationTime are
  // kept from the stored object on update).
  std::string uid;
  std::int64_t revision = 0;        // resourceVersion: the revision of the write that made this version
  std::int64_t createRevision = 0;  // the revision that created the object
  std::int64_t creationTime = 0;    // unix time in nanoseconds
  std::int64_t expireTime = 0;      // unix seconds when the store deletes it (0: never)

  std::map<std::string, std::string> labels;
  std::vector<OwnerReference> ownerReferences;
  // Index keys the writer supplies, e.g. {"spec.nodeName": "node-1"}: lists and watches
  // can select on them without understanding the body.
  std::map<std::string, std::string> indexes;

  BodyFormat format = BodyFormat::kNone;
  std::string body;

  bool operator==(const Object&) const = default;
};

using ObjectPtr = std::shared_ptr<const Object>;

}  // namespace capstan
