#pragma once
// Kubernetes' protobuf request bodies (kubectl >= 1.32 sends them for `create namespace`,
// `create configmap|secret|deployment|service`), decoded into the JSON tree the rest of
// the machinery reads. Driven by the schema tables: each field's `protobuf` number.

#include <string_view>

#include "capstan/json.h"
#include "capstan/k8s/codec.h"
#include "capstan/status.h"

namespace capstan::kube {

// The envelope: "k8s\0" + runtime.Unknown{typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}.
struct ProtobufEnvelope {
  std::string apiVersion;
  std::string kind;
  std::string_view raw;  // the object's message (points into the input)
};
Result<ProtobufEnvelope> parseProtobufEnvelope(std::string_view body);

// One message of `info`'s struct as JSON (fields without a protobuf number are not read).
Result<json::Value> protobufToJson(std::string_view message, const k8s::StructInfo& info);

}  // namespace capstan::kube
