@0xd67d254f24f1126b;
# The events.k8s.io API group, version v1: events, the structured successor of core/v1
# events (both are views of the same stored objects).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("capstan::k8s::events::v1");

using K = import "annotations.capnp";
$K.openapiPackage("io.k8s.api.events.v1");

using Meta = import "meta.capnp";
using Core = import "core_v1.capnp";

struct Event $K.kind(group = "events.k8s.io", version = "v1", kind = "Event", resource = "events",
                     singular = "event", namespaced = true, shortNames = ["ev"]) {
  # A report of something that happened to an object. Events are kept for a limited time and
  # are informative only.

  metadata @0 :Meta.ObjectMeta;
  # Standard object metadata.

  eventTime @1 :Text $K.required $K.format("date-time");
  # When the event was first observed (with microseconds).

  series @2 :EventSeries;
  # Data about the series of repeats of this event; unset for a single event.

  reportingController @3 :Text;
  # Name of the controller that emitted the event, such as "kubernetes.io/kubelet".

  reportingInstance @4 :Text;
  # ID of the controller instance, such as "kubelet-node1".

  action @5 :Text;
  # What was done, or failed, about the object, such as "Binding" or "Pulling".

  reason @6 :Text;
  # Why the action was taken, in CamelCase.

  regarding @7 :Core.ObjectReference;
  # The object the event is about.

  related @8 :Core.ObjectReference;
  # A second object involved, for more complex actions.

  note @9 :Text;
  # Human-readable description; at most 1 kB.

  type @10 :Text;
  # Normal or Warning.

  deprecatedSource @11 :Core.EventSource;
  # The source field of a core/v1 event.

  deprecatedFirstTimestamp @12 :Text $K.format("date-time");
  # The firstTimestamp field of a core/v1 event.

  deprecatedLastTimestamp @13 :Text $K.format("date-time");
  # The lastTimestamp field of a core/v1 event.

  deprecatedCount @14 :Int32;
  # The count field of a core/v1 event.
}

struct EventSeries {
  # Repeats of an event, reported in a heartbeat rather than as new events.

  count @0 :Int32 $K.always $K.required;
  # Occurrences observed up to lastObservedTime.

  lastObservedTime @1 :Text $K.required $K.format("date-time");
  # When the last occurrence was observed (with microseconds).
}
