#include "k8s/base64.h"

#include <array>
#include <cstdint>

namespace capstan::k8s {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> makeDecodeTable() {
  std::array<std::int8_t, 256> t{};
  for (auto& x : t) x = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
  return t;
}
constexpr auto kDecode = makeDecodeTable();

}  // namespace

void encodeBase64(std::string_view bytes, std::string& out) {
  out.reserve(out.size() + (bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += kAlphabet[n >> 6 & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    std::uint32_t n = byte(i) << 16;
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += "==";
  } else if (rest == 2) {
    std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8;
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += kAlphabet[n >> 6 & 63];
    out += '=';
  }
}

std::string encodeBase64(std::string_view bytes) {
  std::string out;
  encodeBase64(bytes, out);
  return out;
}

bool decodeBase64(std::string_view text, std::string& out, std::size_t& badOffset) {
  out.clear();
  out.reserve(text.size() / 4 * 3);
  std::uint32_t quad[4];
  size_t have = 0;      // sextets in the current quantum
  size_t padding = 0;   // '=' seen in the current quantum
  size_t quantumStart = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n') continue;
    if (have == 0) quantumStart = i;
    if (c == '=') {
      // Padding only in the last two positions of a quantum, after at least two sextets.
      if (have < 2) {
        badOffset = i;
        return false;
      }
      padding += 1;
      quad[have++] = 0;
    } else {
      if (padding || kDecode[c] < 0) {
        badOffset = i;
        return false;
      }
      quad[have++] = static_cast<std::uint32_t>(kDecode[c]);
    }
    if (have == 4) {
      std::uint32_t n = quad[0] << 18 | quad[1] << 12 | quad[2] << 6 | quad[3];
      out += static_cast<char>(n >> 16 & 0xff);
      if (padding < 2) out += static_cast<char>(n >> 8 & 0xff);
      if (padding < 1) out += static_cast<char>(n & 0xff);
      have = 0;
      if (padding) {
        // Nothing but line breaks may follow the padding.
        for (size_t j = i + 1; j < text.size(); ++j) {
          if (text[j] != '\r' && text[j] != '\n') {
            badOffset = j;
            return false;
          }
        }
        return true;
      }
    }
  }
  if (have != 0) {
    badOffset = have == 1 ? quantumStart : text.size();
    return false;
  }
  return true;
}

}  // namespace capstan::k8s
