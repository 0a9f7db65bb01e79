#pragma once
// JSON for capctl: objects out (envelope + body) and objects in (JSON or YAML text).

#include <string>

#include <yaml-cpp/yaml.h>

#include "capstan/object.h"
#include "capstan/status.h"

namespace capstan::capctl {

std::string jsonQuote(std::string_view s);
// The envelope as one JSON object; a JSON body is embedded as is, a Cap'n Proto body as
// base64 in "bodyBase64".
std::string objectToJson(const Object& object, bool pretty);
// Any YAML node as JSON (scalars typed as YAML 1.2 core schema would: null, bool, numbers).
std::string yamlToJson(const YAML::Node& node);
// Parses `{"type": ..., "namespace": ..., "name": ..., "labels": {...}, "indexes": {...},
// "body": {...}}` (JSON or YAML); unknown fields are refused.
Result<Object> objectFromText(const std::string& text, const std::string& source);

}  // namespace capstan::capctl
