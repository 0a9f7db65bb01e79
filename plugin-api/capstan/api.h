#pragma once
// Kind "api": the Kubernetes API machinery for in-process plugins (the scheduler, later the
// controllers and node agents). The API plugin implements it; other processes reach the same
// operations through its bus capability. Every write goes through the one machinery
// (defaulting, validation, admission), never straight to the store.

#include <string>
#include <string_view>

#include "capstan/status.h"

namespace capstan {

class ApiService {
 public:
  static constexpr std::string_view kKind = "api";
  virtual ~ApiService() = default;
  // A JSON array of requests, each
  //   {"verb","group","version","resource","namespace","name","subresource","query":{..},
  //    "contentType","body": <object>|"text"}
  // answered with an array of {"code","body","warnings"} in the same order. Requests of one
  // batch are independent and run concurrently. Thread-safe; blocks until every write is
  // durable. Unavailable when the API is not serving.
  virtual Result<std::string> batch(const std::string& requestsJson) = 0;
};

}  // namespace capstan
