#pragma once
// Typed objects: the stored envelope + Cap'n Proto body <-> JSON, and generic access to
// the metadata every kind has as its first field.

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <memory>
#include <optional>
#include <string>

#include "capstan/json.h"
#include "capstan/k8s/codec.h"
#include "capstan/object.h"
#include "resources.h"
#include "schema/k8s/meta.capnp.h"

namespace capstan::kube {

// A read-only view of a stored body (copied to aligned words only when it is not aligned).
class BodyReader {
 public:
  explicit BodyReader(const std::string& body);
  capnp::MessageReader& message() { return *reader_; }

 private:
  kj::Array<capnp::word> copy_;
  std::optional<capnp::FlatArrayMessageReader> reader_;
};

// Every kind's `metadata` is its first pointer field (checked at startup by ResourceTable users).
k8s::meta::ObjectMeta::Builder metaOf(capnp::MessageBuilder& message);
k8s::meta::ObjectMeta::Reader metaOf(capnp::MessageReader& message);

// RFC 3339 UTC with seconds ("2026-11-25T12:00:00Z") from unix nanoseconds.
std::string rfc3339(std::int64_t unixNanos);
// Kubernetes' HumanDuration of now - t ("26s", "5m2s", "3h", "12d").
std::string humanAge(std::int64_t unixNanos, std::int64_t nowNanos);

// Writes the object's metadata alone (for Table rows' PartialObjectMetadata).
void writeObjectMeta(const Object& stored, json::Writer& out);

// Writes a stored object as its Kubernetes JSON (store-stamped metadata overlaid).
void writeObject(const Resource& resource, const Object& stored, json::Writer& out);
std::string objectJson(const Resource& resource, const Object& stored);
// The same as a tree (for patches, field selectors, subresources).
Result<json::Value> objectValue(const Resource& resource, const Object& stored);

// A decoded object ready to be stored.
struct Typed {
  const Resource* resource = nullptr;
  std::unique_ptr<capnp::MallocMessageBuilder> message;
  std::vector<std::string> unknownFields;
  k8s::meta::ObjectMeta::Builder meta() { return metaOf(*message); }
};

// Decodes JSON into a typed object of `resource`'s kind. With `strict`, an unknown field
// fails the decode (fieldValidation=Strict); otherwise unknown fields are collected.
Result<Typed> decodeTyped(const Resource& resource, const json::Value& value, bool strict);

// Reads YAML (or JSON, which is YAML) text into a JSON tree.
Result<json::Value> parseYaml(std::string_view text);
// JSON text, or YAML when the content type says so.
Result<json::Value> parseBody(std::string_view contentType, std::string_view body);

}  // namespace capstan::kube
