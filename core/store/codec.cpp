#include "codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <cstdint>
#include <cstring>

namespace capstan::store {
namespace {

capnp::Text::Reader text(const std::string& s) { return {s.data(), s.size()}; }

std::string toString(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

void assignText(std::string& out, capnp::Text::Reader t) { out.assign(t.cStr(), t.size()); }

void setKeyValues(capnp::List<schema::KeyValue>::Builder list,
                  const std::map<std::string, std::string>& entries) {
  unsigned i = 0;
  for (const auto& [key, value] : entries) {
    auto kv = list[i++];
    kv.setKey(text(key));
    kv.setValue(text(value));
  }
}

void readKeyValues(capnp::List<schema::KeyValue>::Reader list,
                   std::map<std::string, std::string>& out) {
  out.clear();
  for (auto kv : list) {
    // Sorted input (as encoded from a std::map) makes every insert an O(1) append.
    out.emplace_hint(out.end(), toString(kv.getKey()), toString(kv.getValue()));
  }
}

// A first segment large enough for the whole object keeps the message in one segment,
// which is both smaller and faster to read back.
std::size_t estimateWords(const Object& o) {
  std::size_t bytes = 256 + o.type.size() + o.ns.size() + o.name.size() + o.uid.size() +
                      o.body.size();
  for (const auto& [k, v] : o.labels) bytes += k.size() + v.size() + 40;
  for (const auto& [k, v] : o.indexes) bytes += k.size() + v.size() + 40;
  for (const auto& r : o.ownerReferences) {
    bytes += r.apiVersion.size() + r.kind.size() + r.name.size() + r.uid.size() + 80;
  }
  return bytes / sizeof(capnp::word) + 1;
}

void fromCapnpInto(schema::Object::Reader r, Object& o) {
  assignText(o.type, r.getType());
  assignText(o.ns, r.getNs());
  assignText(o.name, r.getName());
  assignText(o.uid, r.getUid());
  o.revision = r.getRevision();
  o.createRevision = r.getCreateRevision();
  o.creationTime = r.getCreationTime();
  o.expireTime = r.getExpireTime();
  readKeyValues(r.getLabels(), o.labels);
  o.ownerReferences.clear();
  auto refs = r.getOwnerReferences();
  o.ownerReferences.reserve(refs.size());
  for (auto ref : refs) {
    OwnerReference& out = o.ownerReferences.emplace_back();
    assignText(out.apiVersion, ref.getApiVersion());
    assignText(out.kind, ref.getKind());
    assignText(out.name, ref.getName());
    assignText(out.uid, ref.getUid());
    out.controller = ref.getController();
    out.blockOwnerDeletion = ref.getBlockOwnerDeletion();
  }
  readKeyValues(r.getIndexes(), o.indexes);
  o.format = static_cast<BodyFormat>(r.getFormat());
  auto body = r.getBody();
  o.body.assign(reinterpret_cast<const char*>(body.begin()), body.size());
}

}  // namespace

void toCapnp(const Object& o, schema::Object::Builder b) {
  b.setType(text(o.type));
  b.setNs(text(o.ns));
  b.setName(text(o.name));
  b.setUid(text(o.uid));
  b.setRevision(o.revision);
  b.setCreateRevision(o.createRevision);
  b.setCreationTime(o.creationTime);
  b.setExpireTime(o.expireTime);
  if (!o.labels.empty()) {
    setKeyValues(b.initLabels(static_cast<unsigned>(o.labels.size())), o.labels);
  }
  if (!o.ownerReferences.empty()) {
    auto refs = b.initOwnerReferences(static_cast<unsigned>(o.ownerReferences.size()));
    for (unsigned i = 0; i < o.ownerReferences.size(); ++i) {
      const OwnerReference& in = o.ownerReferences[i];
      auto out = refs[i];
      out.setApiVersion(text(in.apiVersion));
      out.setKind(text(in.kind));
      out.setName(text(in.name));
      out.setUid(text(in.uid));
      out.setController(in.controller);
      out.setBlockOwnerDeletion(in.blockOwnerDeletion);
    }
  }
  if (!o.indexes.empty()) {
    setKeyValues(b.initIndexes(static_cast<unsigned>(o.indexes.size())), o.indexes);
  }
  b.setFormat(static_cast<std::uint8_t>(o.format));
  if (!o.body.empty()) {
    b.setBody(capnp::Data::Reader(reinterpret_cast<const kj::byte*>(o.body.data()),
                                  o.body.size()));
  }
}

Object fromCapnp(schema::Object::Reader reader) {
  Object o;
  fromCapnpInto(reader, o);
  return o;
}

kj::Array<capnp::word> encodeWords(const Object& object) {
  capnp::MallocMessageBuilder message(static_cast<unsigned>(estimateWords(object)));
  toCapnp(object, message.initRoot<schema::Object>());
  return capnp::messageToFlatArray(message);
}

std::string encode(const Object& object) {
  auto words = encodeWords(object);
  auto bytes = words.asBytes();
  return {reinterpret_cast<const char*>(bytes.begin()), bytes.size()};
}

kj::ArrayPtr<const capnp::word> AlignedBuffer::assign(const void* data, std::size_t size) {
  if (size % sizeof(capnp::word) != 0) return nullptr;
  const std::size_t n = size / sizeof(capnp::word);
  if (words_.size() < n) words_.resize(n);
  std::memcpy(words_.data(), data, size);
  return {words_.data(), n};
}

Status decodeWords(kj::ArrayPtr<const capnp::word> words, Object& out) {
  if (words.size() == 0) {
    return Status::invalidArgument("malformed object message: empty or not a multiple of 8 bytes");
  }
  try {
    capnp::FlatArrayMessageReader message(words);
    fromCapnpInto(message.getRoot<schema::Object>(), out);
    return {};
  } catch (const kj::Exception& e) {
    return Status::invalidArgument(std::string("malformed object message: ") +
                                   e.getDescription().cStr());
  }
}

Status decodeInto(const void* data, std::size_t size, AlignedBuffer& scratch, Object& out) {
  if (size % sizeof(capnp::word) != 0) {
    return Status::invalidArgument("malformed object message: " + std::to_string(size) +
                                   " bytes is not a whole number of 8-byte words");
  }
  // Aligned memory can be read in place; anything else is copied first (capnp 0.9.2
  // rejects unaligned segments).
  if (reinterpret_cast<std::uintptr_t>(data) % alignof(capnp::word) == 0) {
    return decodeWords({static_cast<const capnp::word*>(data), size / sizeof(capnp::word)}, out);
  }
  return decodeWords(scratch.assign(data, size), out);
}

Result<Object> decode(std::string_view bytes) {
  AlignedBuffer scratch;
  Object out;
  Status s = decodeInto(bytes.data(), bytes.size(), scratch, out);
  if (!s.ok()) return s;
  return out;
}

std::string describeObject(std::string_view type, std::string_view ns, std::string_view name) {
  std::string s;
  s.reserve(type.size() + ns.size() + name.size() + 2);
  s.append(type);
  s += '/';
  if (!ns.empty()) {
    s.append(ns);
    s += '/';
  }
  s.append(name);
  return s;
}

}  // namespace capstan::store
