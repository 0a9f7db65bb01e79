#include "bus/convert.h"

#include "store/codec.h"

namespace capstan::bus {
namespace {

std::string str(capnp::Text::Reader t) { return std::string(t.cStr(), t.size()); }

void pairsToCapnp(const std::vector<std::pair<std::string, std::string>>& in,
                  capnp::List<schema::KeyValue>::Builder out) {
  for (size_t i = 0; i < in.size(); ++i) {
    out[i].setKey(in[i].first);
    out[i].setValue(in[i].second);
  }
}

std::vector<std::pair<std::string, std::string>> pairsFromCapnp(capnp::List<schema::KeyValue>::Reader in) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(in.size());
  for (auto kv : in) out.emplace_back(str(kv.getKey()), str(kv.getValue()));
  return out;
}

}  // namespace

void toCapnp(const Status& status, schema::Status::Builder out) {
  out.setCode(static_cast<uint8_t>(status.code()));
  if (!status.ok()) out.setMessage(status.message());
}

Status fromCapnp(schema::Status::Reader in) {
  if (in.getCode() == 0) return {};
  return Status(static_cast<Code>(in.getCode()), str(in.getMessage()));
}

void toCapnp(const Mutation& m, schema::Mutation::Builder out) {
  out.setOp(static_cast<uint8_t>(m.op));
  store::toCapnp(m.object, out.initObject());
  out.setExpectRevision(m.expectRevision);
  if (!m.expectUid.empty()) out.setExpectUid(m.expectUid);
  out.setTtlSeconds(m.ttlSeconds);
}

Mutation fromCapnp(schema::Mutation::Reader in) {
  Mutation m;
  m.op = static_cast<MutationOp>(in.getOp());
  m.object = store::fromCapnp(in.getObject());
  m.expectRevision = in.getExpectRevision();
  m.expectUid = str(in.getExpectUid());
  m.ttlSeconds = in.getTtlSeconds();
  return m;
}

void toCapnp(const WriteResult& r, schema::WriteResult::Builder out, bool brief) {
  toCapnp(r.status, out.initStatus());
  if (brief) {
    auto o = out.initObject();
    o.setType(r.object.type);
    o.setNs(r.object.ns);
    o.setName(r.object.name);
    o.setUid(r.object.uid);
    o.setRevision(r.object.revision);
    o.setCreateRevision(r.object.createRevision);
    o.setCreationTime(r.object.creationTime);
    o.setExpireTime(r.object.expireTime);
  } else {
    store::toCapnp(r.object, out.initObject());
  }
}

WriteResult fromCapnp(schema::WriteResult::Reader in) {
  return WriteResult{fromCapnp(in.getStatus()), store::fromCapnp(in.getObject())};
}

void toCapnp(const ListOptions& o, schema::ListOptions::Builder out) {
  out.setType(o.type);
  out.setNs(o.ns);
  out.setLabelSelector(o.labelSelector);
  pairsToCapnp(o.indexSelector, out.initIndexSelector(o.indexSelector.size()));
  out.setRevision(o.revision);
  out.setLimit(o.limit);
  out.setContinueToken(o.continueToken);
}

ListOptions fromCapnp(schema::ListOptions::Reader in) {
  ListOptions o;
  o.type = str(in.getType());
  o.ns = str(in.getNs());
  o.labelSelector = str(in.getLabelSelector());
  o.indexSelector = pairsFromCapnp(in.getIndexSelector());
  o.revision = in.getRevision();
  o.limit = in.getLimit();
  o.continueToken = str(in.getContinueToken());
  return o;
}

void toCapnp(const WatchOptions& o, schema::WatchOptions::Builder out) {
  out.setType(o.type);
  out.setNs(o.ns);
  out.setName(o.name);
  out.setLabelSelector(o.labelSelector);
  pairsToCapnp(o.indexSelector, out.initIndexSelector(o.indexSelector.size()));
  out.setFromRevision(o.fromRevision);
  out.setBookmarkIntervalMs(o.bookmarkIntervalMs);
}

WatchOptions fromCapnp(schema::WatchOptions::Reader in) {
  WatchOptions o;
  o.type = str(in.getType());
  o.ns = str(in.getNs());
  o.name = str(in.getName());
  o.labelSelector = str(in.getLabelSelector());
  o.indexSelector = pairsFromCapnp(in.getIndexSelector());
  o.fromRevision = in.getFromRevision();
  o.bookmarkIntervalMs = in.getBookmarkIntervalMs();
  return o;
}

void toCapnp(const WatchEvent& e, schema::WatchEvent::Builder out) {
  out.setKind(static_cast<uint8_t>(e.kind));
  out.setRevision(e.revision);
  if (e.object) store::toCapnp(*e.object, out.initObject());
}

WatchEvent fromCapnp(schema::WatchEvent::Reader in) {
  WatchEvent e;
  e.kind = static_cast<WatchEvent::Kind>(in.getKind());
  e.revision = in.getRevision();
  if (in.hasObject()) e.object = std::make_shared<const Object>(store::fromCapnp(in.getObject()));
  return e;
}

}  // namespace capstan::bus
