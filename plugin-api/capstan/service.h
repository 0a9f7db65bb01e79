#pragma once
// Kind "service": a plugin that answers named calls. The kernel publishes each service
// plugin on the bus under its instance name (Kernel.service(name)); every call is routed
// through a swap-aware handle, so a client keeps its capability across hot swaps.

#include <string>
#include <string_view>

#include <kj/async.h>

#include "capstan/status.h"

namespace capstan {

class Service {
 public:
  static constexpr std::string_view kKind = "service";
  virtual ~Service() = default;
  // Runs on the kernel's event loop thread: return quickly or return a pending promise.
  virtual kj::Promise<Result<std::string>> call(std::string_view method, std::string payload) = 0;
};

}  // namespace capstan
