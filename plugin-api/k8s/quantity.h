#pragma once
// Kubernetes resource quantities ("500m", "2Gi", "1e3", "1.5"): parsing into integer units
// and thousandths, as Quantity.Value() and MilliValue() compute them, and a canonical form.

#include <cstdint>
#include <string>
#include <string_view>

#include "capstan/status.h"

namespace capstan::k8s {

struct ParsedQuantity {
  std::int64_t value = 0;  // rounded up (away from zero) to an integer; saturates at int64 limits
  std::int64_t milli = 0;  // value * 1000, rounded up likewise
};

// Kubernetes' message for text that is not a quantity.
inline constexpr std::string_view kQuantityFormatError =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

// <sign><digits>[.<digits>]<suffix>: suffix is one of n u m "" k M G T P E (decimal SI),
// Ki Mi Gi Ti Pi Ei (binary), or e/E<signed integer> (decimal exponent).
// Fails with InvalidArgument(kQuantityFormatError).
Result<ParsedQuantity> parseQuantity(std::string_view text);

// A canonical text for a quantity given in thousandths: "100m", "2", "-1500m".
std::string formatMilli(std::int64_t milli);

}  // namespace capstan::k8s
