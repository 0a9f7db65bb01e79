#pragma once
// Standard base64 (RFC 4648, with padding), as Go's encoding/json uses for []byte.

#include <cstddef>
#include <string>
#include <string_view>

namespace capstan::k8s {

std::string encodeBase64(std::string_view bytes);
void encodeBase64(std::string_view bytes, std::string& out);  // appends

// Decodes into `out`; on malformed input returns false with `badOffset` the offset of the
// first offending input byte (Go's "illegal base64 data at input byte N"). CR and LF are
// skipped, as Go does.
bool decodeBase64(std::string_view text, std::string& out, std::size_t& badOffset);

}  // namespace capstan::k8s
