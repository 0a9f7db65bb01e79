#pragma once
// The store's on-disk key and value layouts (internal to capstan-store).
//
// LMDB compares keys as bytes, so every integer is big-endian and every variable-length
// part that another part follows is NUL-terminated (names, namespaces and type strings
// never contain NUL; the store rejects them).
//
//   DB        key                                              value
//   meta      "format" | "revision" | "compacted" | "nextTypeId"  big-endian integer
//   types     type string                                      u32 type id
//             '\0' u32 type id                                 type string (reverse map)
//   current   objectKey = u32 typeId, ns, '\0', name           flat-array Object message
//   history   objectKey, '\0', u64 revision                    VersionHeader (8 bytes), message
//   revlog    u64 revision                                     u8 WatchEvent::Kind, objectKey
//   index     u32 typeId, index name, '\0', index value        (DUPSORT) ns, '\0', name
//   expiry    u64 expireTime (unix s), objectKey               empty
//   counts    u32 typeId                                       i64 live objects of that type
//
// objectKey is at most 4 + 63 + 1 + 253 = 321 bytes and a history key 330, far below
// LMDB's 511-byte limit; interning the type string into a u32 is what makes that hold.

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "capstan/status.h"

namespace capstan::store::keys {

inline constexpr std::size_t kMaxLmdbKeyBytes = 511;
inline constexpr std::size_t kTypeIdBytes = 4;
inline constexpr std::size_t kRevisionBytes = 8;
// '\0' + revision after an objectKey in the history DB.
inline constexpr std::size_t kHistorySuffixBytes = 1 + kRevisionBytes;

inline constexpr std::string_view kMetaFormat = "format";
inline constexpr std::string_view kMetaRevision = "revision";
inline constexpr std::string_view kMetaCompacted = "compacted";
inline constexpr std::string_view kMetaNextTypeId = "nextTypeId";
inline constexpr std::uint32_t kFormatVersion = 1;

// First byte of a history value; the remaining 7 header bytes are zero so the message
// keeps the value's alignment (large values live on overflow pages, which LMDB aligns).
enum class VersionKind : std::uint8_t { kPut = 1, kTombstone = 2 };
inline constexpr std::size_t kVersionHeaderBytes = 8;

inline void appendU32(std::string& out, std::uint32_t v) {
  const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}

inline void appendU64(std::string& out, std::uint64_t v) {
  char b[8];
  for (int i = 7; i >= 0; --i) {
    b[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  out.append(b, 8);
}

inline std::uint32_t readU32(const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

inline std::uint64_t readU64(const void* p) {
  const auto* b = static_cast<const unsigned char*>(p);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | b[i];
  return v;
}

inline std::string u32Bytes(std::uint32_t v) {
  std::string s;
  appendU32(s, v);
  return s;
}

inline std::string u64Bytes(std::uint64_t v) {
  std::string s;
  appendU64(s, v);
  return s;
}

// typeId, ns, '\0', name
inline void objectKey(std::string& out, std::uint32_t typeId, std::string_view ns,
                      std::string_view name) {
  out.clear();
  appendU32(out, typeId);
  out.append(ns);
  out.push_back('\0');
  out.append(name);
}

// The namespace part of the key space: every object of `typeId` in `ns`.
inline void namespacePrefix(std::string& out, std::uint32_t typeId, std::string_view ns) {
  out.clear();
  appendU32(out, typeId);
  out.append(ns);
  out.push_back('\0');
}

inline void historyKey(std::string& out, std::string_view objectKey, std::int64_t revision) {
  out.assign(objectKey);
  out.push_back('\0');
  appendU64(out, static_cast<std::uint64_t>(revision));
}

// The part of an objectKey after the type id: ns, '\0', name. Continue tokens carry it.
struct ObjectKeyParts {
  std::uint32_t typeId = 0;
  std::string_view ns;
  std::string_view name;
  std::string_view suffix;  // ns '\0' name
};

inline std::optional<ObjectKeyParts> parseObjectKey(std::string_view key) {
  if (key.size() < kTypeIdBytes + 1) return std::nullopt;
  ObjectKeyParts p;
  p.typeId = readU32(key.data());
  p.suffix = key.substr(kTypeIdBytes);
  const std::size_t nul = p.suffix.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  p.ns = p.suffix.substr(0, nul);
  p.name = p.suffix.substr(nul + 1);
  return p;
}

// A history key split into its objectKey and revision.
struct HistoryKeyParts {
  std::string_view objectKey;
  std::int64_t revision = 0;
};

inline std::optional<HistoryKeyParts> parseHistoryKey(std::string_view key) {
  if (key.size() < kTypeIdBytes + 1 + kHistorySuffixBytes) return std::nullopt;
  const std::size_t objectKeySize = key.size() - kHistorySuffixBytes;
  if (key[objectKeySize] != '\0') return std::nullopt;
  return HistoryKeyParts{key.substr(0, objectKeySize),
                         static_cast<std::int64_t>(readU64(key.data() + objectKeySize + 1))};
}

// index DB key: typeId, index name, '\0', index value.
inline void indexKey(std::string& out, std::uint32_t typeId, std::string_view indexName,
                     std::string_view value) {
  out.clear();
  appendU32(out, typeId);
  out.append(indexName);
  out.push_back('\0');
  out.append(value);
}

// Continue tokens: base64url (no padding) of: u8 version (1), u64 revision, u64 items
// returned so far, key suffix. Opaque to clients; the revision makes every page of a list
// consistent at one revision.
std::string encodeContinueToken(std::int64_t revision, std::uint64_t returned,
                                std::string_view keySuffix);

struct ContinuePosition {
  std::int64_t revision = 0;
  std::uint64_t returned = 0;  // items on the pages before
  std::string keySuffix;       // the last returned object's ns '\0' name
};
Result<ContinuePosition> decodeContinueToken(std::string_view token);

}  // namespace capstan::store::keys
