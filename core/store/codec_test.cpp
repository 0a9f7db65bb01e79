#include "codec.h"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <catch2/catch.hpp>
#include <cstring>

using namespace capstan;
using namespace capstan::store;

namespace {

Object fullObject() {
  Object o;
  o.type = "apps/deployments";
  o.ns = "default";
  o.name = "web";
  o.uid = "0b4a5c1e-6f55-4d2f-9c3e-2a1d8f0e7b61";
  o.revision = 42;
  o.createRevision = 7;
  o.creationTime = 1700000000123456789;
  o.expireTime = 1700003600;
  o.labels = {{"app", "web"}, {"tier", "frontend"}, {"empty", ""}};
  o.ownerReferences = {{"apps/v1", "ReplicaSet", "web-1", "uid-1", true, false},
                       {"v1", "Node", "n1", "uid-2", false, true}};
  o.indexes = {{"spec.nodeName", "node-1"}};
  o.format = BodyFormat::kJson;
  o.body = std::string("{\"spec\":{}}\0binary\xff", 19);
  return o;
}

}  // namespace

TEST_CASE("codec: every field survives bytes round trip") {
  const Object o = fullObject();
  Result<Object> back = decode(encode(o));
  REQUIRE(back.ok());
  CHECK(*back == o);
}

TEST_CASE("codec: an empty object round-trips") {
  Object o;
  Result<Object> back = decode(encode(o));
  REQUIRE(back.ok());
  CHECK(*back == o);
}

TEST_CASE("codec: toCapnp and fromCapnp work inside another message (as the bus uses them)") {
  const Object o = fullObject();
  capnp::MallocMessageBuilder message;
  toCapnp(o, message.initRoot<schema::Object>());
  CHECK(fromCapnp(message.getRoot<schema::Object>().asReader()) == o);
}

TEST_CASE("codec: the encoding is a flat-array message whose size is whole words") {
  const Object o = fullObject();
  kj::Array<capnp::word> words = encodeWords(o);
  CHECK(words.size() > 0);
  CHECK(encode(o).size() == words.size() * sizeof(capnp::word));
  capnp::FlatArrayMessageReader reader(words);
  CHECK(fromCapnp(reader.getRoot<schema::Object>()) == o);
}

TEST_CASE("codec: decoding from unaligned memory copies into aligned memory first") {
  const Object o = fullObject();
  const std::string bytes = encode(o);
  // Offsets 1..7 are all misaligned for capnp; LMDB values are only 2-byte aligned.
  std::vector<capnp::word> storage(bytes.size() / sizeof(capnp::word) + 2);
  char* base = reinterpret_cast<char*>(storage.data());
  AlignedBuffer scratch;
  for (std::size_t offset = 0; offset < 8; ++offset) {
    char* p = base + offset;
    std::memcpy(p, bytes.data(), bytes.size());
    Object out;
    Status s = decodeInto(p, bytes.size(), scratch, out);
    REQUIRE(s.ok());
    CHECK(out == o);
  }
}

TEST_CASE("codec: decodeInto replaces previous contents") {
  AlignedBuffer scratch;
  Object out = fullObject();
  Object small;
  small.type = std::string("t");
  small.name = std::string("n");
  const std::string bytes = encode(small);
  REQUIRE(decodeInto(bytes.data(), bytes.size(), scratch, out).ok());
  CHECK(out == small);
}

TEST_CASE("codec: malformed input is InvalidArgument, not an exception") {
  SECTION("not whole words") {
    Result<Object> r = decode("abc");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::Contains("8-byte words"));
  }
  SECTION("empty") {
    Result<Object> r = decode("");
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
  SECTION("garbage segment table") {
    std::string junk(64, '\xff');
    Result<Object> r = decode(junk);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::Contains("malformed object message"));
  }
  SECTION("truncated message") {
    std::string bytes = encode(fullObject());
    bytes.resize(bytes.size() / 2 / 8 * 8);
    Result<Object> r = decode(bytes);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kInvalidArgument);
  }
}

TEST_CASE("codec: describeObject names namespaced and cluster-scoped objects") {
  CHECK(describeObject("pods", "default", "x") == "pods/default/x");
  CHECK(describeObject("nodes", "", "n1") == "nodes/n1");
}
