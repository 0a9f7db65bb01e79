#pragma once
// Object <-> Cap'n Proto (schema::Object) and Object <-> bytes (a flat-array message).
//
// The store keeps every object version as one flat-array message; the bus ships the same
// struct inside its own messages, which is why toCapnp()/fromCapnp() are public.
//
// Alignment: Debian's libcapnp 0.9.2 throws on a segment that is not 8-byte aligned and
// LMDB aligns values to 2 bytes only, so every decode from foreign memory first copies the
// bytes into word-aligned memory (AlignedBuffer), which a hot loop can reuse.

#include <capnp/common.h>
#include <kj/array.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "capstan/object.h"
#include "capstan/status.h"
#include "schema/envelope.capnp.h"

namespace capstan::store {

// Fills `builder` from `object` (every field; an empty list stays empty).
void toCapnp(const Object& object, schema::Object::Builder builder);

// Copies every field out of `reader`. Throws kj::Exception when the message is malformed
// (as every capnp accessor does); decode() below turns that into a Status.
Object fromCapnp(schema::Object::Reader reader);

// The object as a flat-array message (segment table + segments), the stored form.
kj::Array<capnp::word> encodeWords(const Object& object);
// The same bytes in a std::string, for callers that want plain bytes.
std::string encode(const Object& object);

// Word-aligned scratch memory for decoding, reusable across calls to avoid allocations.
class AlignedBuffer final {
 public:
  // Copies `size` bytes into aligned memory and returns them as words. `size` must be a
  // multiple of 8 (a flat-array message always is); otherwise the result is empty.
  kj::ArrayPtr<const capnp::word> assign(const void* data, std::size_t size);

 private:
  std::vector<capnp::word> words_;
};

// Decodes a flat-array message. Malformed input is InvalidArgument naming the problem.
Result<Object> decode(std::string_view bytes);
// The same, reusing `scratch` and writing into `out` (its previous contents are replaced).
Status decodeInto(const void* data, std::size_t size, AlignedBuffer& scratch, Object& out);
// Decodes already word-aligned memory.
Status decodeWords(kj::ArrayPtr<const capnp::word> words, Object& out);

// "pods/default/x" for namespaced objects, "nodes/x" for cluster-scoped ones: how every
// store message names an object.
std::string describeObject(std::string_view type, std::string_view ns, std::string_view name);

}  // namespace capstan::store
