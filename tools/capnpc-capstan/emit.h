#pragma once
// What the generator writes: per schema file F, "F.codec.h" and "F.codec.cpp"; once per
// run, "registry.cpp" (kinds, lookups and the OpenAPI documents).

#include <string>

#include "model.h"

namespace capnpc_capstan {

std::string codecHeader(const Model& model, const File& file);
std::string codecSource(const Model& model, const File& file);
std::string registrySource(const Model& model, const std::string& dir);
// The OpenAPI v3 components.schemas object of one group-version (JSON text).
std::string openApiComponents(const Model& model, const std::string& groupVersion);

}  // namespace capnpc_capstan
