#include "keys.h"

namespace capstan::store::keys {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t kTokenVersion = 1;

int decodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string base64url(std::string_view in) {
  std::string out;
  out.reserve((in.size() * 4 + 2) / 3);
  std::size_t i = 0;
  auto byte = [&in](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (in.size() - i == 1) {
    const std::uint32_t v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (in.size() - i == 2) {
    const std::uint32_t v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> unbase64url(std::string_view in) {
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int d = decodeChar(c);
    if (d < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace

std::string encodeContinueToken(std::int64_t revision, std::uint64_t returned,
                                std::string_view keySuffix) {
  std::string raw;
  raw.reserve(1 + 2 * kRevisionBytes + keySuffix.size());
  raw.push_back(static_cast<char>(kTokenVersion));
  appendU64(raw, static_cast<std::uint64_t>(revision));
  appendU64(raw, returned);
  raw.append(keySuffix);
  return base64url(raw);
}

Result<ContinuePosition> decodeContinueToken(std::string_view token) {
  constexpr std::size_t kHeader = 1 + 2 * kRevisionBytes;
  std::optional<std::string> raw = unbase64url(token);
  if (!raw || raw->size() < kHeader + 1 || static_cast<std::uint8_t>((*raw)[0]) != kTokenVersion ||
      raw->find('\0', kHeader) == std::string::npos) {
    return Status::invalidArgument(
        "invalid continue token: not a token this store issued (pass the token of the previous "
        "list response unchanged)");
  }
  ContinuePosition p;
  p.revision = static_cast<std::int64_t>(readU64(raw->data() + 1));
  p.returned = readU64(raw->data() + 1 + kRevisionBytes);
  p.keySuffix = raw->substr(kHeader);
  if (p.revision <= 0) return Status::invalidArgument("invalid continue token: bad revision");
  return p;
}

}  // namespace capstan::store::keys
