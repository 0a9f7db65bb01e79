@0xc5025ebcd54b92ec;
# The bus: the `Kernel` bootstrap capability every Capstan process talks to.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::schema");

using Envelope = import "envelope.capnp";
using Object = Envelope.Object;
using KeyValue = Envelope.KeyValue;

struct Status {
  code @0 :UInt8;      # capstan::Code
  message @1 :Text;
}

struct Mutation {
  op @0 :UInt8;        # capstan::MutationOp
  object @1 :Object;
  expectRevision @2 :Int64;
  expectUid @3 :Text;
  ttlSeconds @4 :Int64;
}

struct WriteResult {
  status @0 :Status;
  object @1 :Object;
}

struct ObjectKey {
  type @0 :Text;
  ns @1 :Text;
  name @2 :Text;
}

struct GetResult {
  status @0 :Status;
  object @1 :Object;
}

struct ListOptions {
  type @0 :Text;
  ns @1 :Text;
  labelSelector @2 :Text;
  indexSelector @3 :List(KeyValue);
  revision @4 :Int64;
  limit @5 :Int64;
  continueToken @6 :Text;
}

struct WatchOptions {
  type @0 :Text;
  ns @1 :Text;
  name @2 :Text;
  labelSelector @3 :Text;
  indexSelector @4 :List(KeyValue);
  fromRevision @5 :Int64;
  bookmarkIntervalMs @6 :Int64;
}

struct WatchEvent {
  kind @0 :UInt8;      # capstan::WatchEvent::Kind
  revision @1 :Int64;
  object @2 :Object;
}

# Events flow to the watcher through a stream: the kernel sends the next batch only as
# the client's flow-control window allows. A watcher that falls too far behind is ended
# with a Status saying so.
interface WatchSink {
  events @0 (events :List(WatchEvent)) -> stream;
  end @1 (status :Status);
}

# Dropping the handle cancels the watch.
interface WatchHandle {}

interface Service {
  call @0 (method :Text, payload :Data) -> (status :Status, payload :Data);
}

struct PluginInfo {
  name @0 :Text;          # instance name from config
  type @1 :Text;          # descriptor name
  version @2 :Text;
  kinds @3 :List(Text);
  path @4 :Text;          # configured path
  loadedFrom @5 :Text;    # content-addressed copy actually dlopen()ed
  state @6 :Text;         # running, failed, ...
  error @7 :Text;
  swaps @8 :UInt32;
  loadedAt @9 :Int64;     # unix nanoseconds
}

struct TypeCount {
  type @0 :Text;
  count @1 :UInt64;
}

struct KernelStatus {
  version @0 :Text;
  revision @1 :Int64;
  compactedRevision @2 :Int64;
  storeBytes @3 :UInt64;       # bytes of the LMDB file in use
  mapBytes @4 :UInt64;         # the configured map size
  uptimeSeconds @5 :Float64;
  objects @6 :List(TypeCount);
  plugins @7 :List(PluginInfo);
  dataDir @8 :Text;
  pid @9 :Int64;
}

interface Kernel {
  # Store. Each mutation applies on its own with its own revision; the call returns once
  # all are durable.
  # With `brief`, results carry the stored metadata but no body (the writer has it).
  write @0 (mutations :List(Mutation), brief :Bool) -> (results :List(WriteResult));
  get @1 (keys :List(ObjectKey), revision :Int64) -> (results :List(GetResult));
  list @2 (options :ListOptions) -> (status :Status, items :List(Object), revision :Int64,
                                      continueToken :Text, remainingCount :Int64);
  watch @3 (options :WatchOptions, sink :WatchSink) -> (status :Status, handle :WatchHandle,
                                                         revision :Int64);
  compact @4 (revision :Int64) -> (status :Status, compactedRevision :Int64);
  backup @5 (path :Text) -> (status :Status, revision :Int64, bytes :UInt64);

  # Kernel and plugins.
  status @6 () -> (status :KernelStatus);
  plugins @7 () -> (plugins :List(PluginInfo));
  loadPlugin @8 (name :Text, path :Text, argsYaml :Text) -> (status :Status);
  unloadPlugin @9 (name :Text) -> (status :Status);
  swapPlugin @10 (name :Text, path :Text) -> (status :Status);
  reload @11 () -> (status :Status, summary :Text);

  # Service registry: a capability that routes each call to the current instance of the
  # named service plugin (swap-aware), or a service another process published.
  service @12 (name :Text) -> (status :Status, service :Service);
  publish @13 (name :Text, service :Service) -> (status :Status, registration :WatchHandle);
}
