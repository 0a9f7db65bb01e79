#pragma once
// Conversions between the plugin-api value types and their bus (Cap'n Proto) forms.

#include <vector>

#include "capstan/store.h"
#include "schema/kernel.capnp.h"

namespace capstan::bus {

void toCapnp(const Status& status, schema::Status::Builder out);
Status fromCapnp(schema::Status::Reader in);

void toCapnp(const Mutation& m, schema::Mutation::Builder out);
Mutation fromCapnp(schema::Mutation::Reader in);

// With `brief`, the body is left out (the writer already has it).
void toCapnp(const WriteResult& r, schema::WriteResult::Builder out, bool brief);
WriteResult fromCapnp(schema::WriteResult::Reader in);

void toCapnp(const ListOptions& o, schema::ListOptions::Builder out);
ListOptions fromCapnp(schema::ListOptions::Reader in);

void toCapnp(const WatchOptions& o, schema::WatchOptions::Builder out);
WatchOptions fromCapnp(schema::WatchOptions::Reader in);

void toCapnp(const WatchEvent& e, schema::WatchEvent::Builder out);
WatchEvent fromCapnp(schema::WatchEvent::Reader in);

}  // namespace capstan::bus
