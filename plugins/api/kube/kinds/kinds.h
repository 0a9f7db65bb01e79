#pragma once
// Private to the per-kind hooks (hooks.cpp, kinds/*.cpp): Kubernetes' field paths, the
// apimachinery validators and their exact messages, Go-style value rendering for error
// details, label selectors, quantities, timestamps, and the hook tables of each kind.

#include <capnp/any.h>
#include <capnp/list.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "errors.h"
#include "hooks.h"
#include "schema/k8s/core_v1.capnp.h"
#include "schema/k8s/meta.capnp.h"

namespace capstan::kube::kinds {

using Errors = std::vector<FieldError>;
namespace meta = ::capstan::k8s::meta;
using Entries = capnp::List<meta::StringEntry>::Reader;
using KeyValues = std::vector<std::pair<std::string, std::string>>;

inline std::string_view sv(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }
inline std::string str(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }
inline std::string_view sv(capnp::Text::Builder t) { return {t.cStr(), t.size()}; }
inline std::string str(capnp::Text::Builder t) { return {t.cStr(), t.size()}; }

// ---------------------------------------------------------------------------------------
// Field paths, as k8s.io/apimachinery/pkg/util/validation/field.Path renders them.

class Path {
 public:
  Path() = default;
  Path(const char* s) : s_(s) {}
  Path(std::string s) : s_(std::move(s)) {}
  Path child(std::string_view name) const;
  Path index(std::size_t i) const;
  Path key(std::string_view k) const;
  const std::string& str() const { return s_; }
  operator std::string() const { return s_; }

 private:
  std::string s_;
};

FieldError notFound(std::string field, std::string_view valueGo);

// ---------------------------------------------------------------------------------------
// Go value rendering, as field.Error prints bad values (%q for strings, %v for numbers,
// %#v for everything else).

std::string goQuote(std::string_view s);
std::string goStringMap(bool present, Entries entries);  // map[string]string{"a":"b"}
std::string goStringSlice(bool present, capnp::List<capnp::Text>::Reader items);
std::string goIntOrString(meta::IntOrString::Reader v);
std::string goLabelSelector(meta::LabelSelector::Reader s);
std::string goBool(bool b);

// ---------------------------------------------------------------------------------------
// k8s.io/apimachinery/pkg/util/validation (messages exactly as Kubernetes words them).

std::vector<std::string> isDNS1123Label(std::string_view v);
std::vector<std::string> isDNS1123Subdomain(std::string_view v);
std::vector<std::string> isDNS1035Label(std::string_view v);
std::vector<std::string> isQualifiedName(std::string_view v);
std::vector<std::string> isValidLabelValue(std::string_view v);
std::vector<std::string> isConfigMapKey(std::string_view v);
std::vector<std::string> isValidPortNum(std::int64_t port);
std::vector<std::string> isValidPortName(std::string_view v);
std::vector<std::string> isValidPercent(std::string_view v);
std::vector<std::string> isEnvVarName(std::string_view v);
std::vector<std::string> isValidIP(std::string_view v);  // "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
std::string inclusiveRangeError(std::int64_t lo, std::int64_t hi);
bool isValidIPv4(std::string_view v);
bool isValidIPv6(std::string_view v);

// Helpers that append field errors for a string against one of the validators above.
void checkDNS1123Label(std::string_view v, const Path& p, Errors& errors);
void checkDNS1123Subdomain(std::string_view v, const Path& p, Errors& errors);
void checkQualifiedName(std::string_view v, const Path& p, Errors& errors);
void checkNonNegative(std::int64_t v, const Path& p, Errors& errors);  // "must be greater than or equal to 0"
void checkImmutable(bool same, const Path& p, std::string_view newValueGo, Errors& errors);

// ---------------------------------------------------------------------------------------
// Maps (List(StringEntry)) and label selectors.

std::optional<std::string_view> lookup(Entries entries, std::string_view key);
std::optional<meta::Quantity::Reader> lookupQuantity(capnp::List<meta::QuantityEntry>::Reader entries,
                                                     std::string_view key);
KeyValues toKeyValues(Entries entries);
template <typename Init>
void writeEntries(const KeyValues& kv, Init init) {
  auto list = init(static_cast<unsigned>(kv.size()));
  for (unsigned i = 0; i < kv.size(); ++i) {
    list[i].setKey(kv[i].first);
    list[i].setValue(kv[i].second);
  }
}
bool sameEntries(Entries a, Entries b);  // as Go maps: order-free

void validateLabels(Entries labels, const Path& p, Errors& errors);
void validateLabelSelector(meta::LabelSelector::Reader s, const Path& p, Errors& errors);
bool selectorMatches(meta::LabelSelector::Reader s, Entries labels);  // a valid selector
bool selectorEmpty(meta::LabelSelector::Reader s);
bool sameSelector(bool hasA, meta::LabelSelector::Reader a, bool hasB, meta::LabelSelector::Reader b);
// labels.Selector.String() of LabelSelectorAsSelector (e.g. "app=web,tier in (a,b)").
std::string selectorString(meta::LabelSelector::Reader s);
// metav1.FormatLabelSelector: "<none>" when empty.
std::string formatLabelSelector(bool present, meta::LabelSelector::Reader s);
// labels.FormatLabels: "a=b,c=d" sorted, "<none>" when empty.
std::string formatLabels(Entries entries);

// ---------------------------------------------------------------------------------------
// Quantities (exact, from the text the user wrote; value/milli when there is none).

struct Quantity {
  bool valid = false;
  bool negative = false;
  // |amount| = mantissa * 10^exp10 * 2^exp2
  unsigned __int128 mantissa = 0;
  int exp10 = 0;
  int exp2 = 0;
  char format = 'd';  // 'd' decimal SI, 'b' binary SI, 'e' decimal exponent
};
Quantity parseQuantity(std::string_view text);
Quantity quantityOf(meta::Quantity::Reader q);
int compareQuantity(const Quantity& a, const Quantity& b);  // -1, 0, 1
bool quantityIsZero(const Quantity& q);
std::string quantityString(const Quantity& q);  // Go's Quantity.String() (canonical form)
std::optional<std::int64_t> quantityMilli(const Quantity& q);  // rounded up
// Copies a quantity (all three fields).
void copyQuantity(meta::Quantity::Reader from, meta::Quantity::Builder to);

// ---------------------------------------------------------------------------------------
// Time.

extern std::int64_t (*nowSeconds)();  // tests may replace it
std::optional<std::int64_t> parseTime(std::string_view rfc3339);  // seconds since the epoch
std::string humanDuration(std::int64_t seconds);                    // duration.HumanDuration
std::string since(std::string_view rfc3339);  // translateTimestampSince: "<unknown>" when empty

// robfig/cron ParseStandard: the error text, or nothing when the schedule parses.
std::optional<std::string> cronError(std::string_view spec);

// A random RFC 4122 version 4 UUID.
std::string randomUuid();

// ---------------------------------------------------------------------------------------
// Pod specs (kinds/podspec.cpp), shared by Pods and the workload templates.

namespace core = ::capstan::k8s::core::v1;

// SetDefaults_PodSpec and everything it holds (containers, probes, volumes, ...).
// jobTemplate: a Job's template, whose restartPolicy is left for validation to require.
void defaultPodSpec(core::PodSpec::Builder spec, bool jobTemplate = false);
// SetDefaults_Pod: what only a Pod gets (requests from limits, enableServiceLinks, host ports).
void defaultPodOnly(core::PodSpec::Builder spec);
void defaultPodTemplate(core::PodTemplateSpec::Builder t, bool jobTemplate = false);
// SetDefaults_PersistentVolumeClaimSpec.
void defaultPvcSpec(core::PersistentVolumeClaimSpec::Builder spec);

// ValidatePodSpec (isPod: the spec of a Pod rather than of a template).
void validatePodSpec(core::PodSpec::Reader spec, const Path& p, bool isPod, Errors& errors, bool jobTemplate = false);
// ValidatePodTemplateSpec: labels, annotations and the spec.
void validatePodTemplateSpec(core::PodTemplateSpec::Reader t, const Path& p, Errors& errors, bool jobTemplate = false);
// ValidatePodUpdate's spec checks.
void validatePodSpecUpdate(core::PodSpec::Reader oldSpec, core::PodSpec::Reader newSpec, Errors& errors);
// ValidateResourceRequirements.
void validateResources(core::ResourceRequirements::Reader r, const Path& p, Errors& errors);

// qos.ComputePodQOS: "Guaranteed", "Burstable" or "BestEffort".
std::string podQos(core::PodSpec::Reader spec);
// layoutContainerCells: names and images, comma-separated.
std::pair<std::string, std::string> containerCells(capnp::List<core::Container>::Reader containers);

// Whether two capnp structs hold the same data (canonical form).
bool sameStruct(capnp::AnyStruct::Reader a, capnp::AnyStruct::Reader b);
template <typename R>
bool same(R a, R b) {
  return sameStruct(capnp::toAny(a), capnp::toAny(b));
}

// ---------------------------------------------------------------------------------------
// The hooks of each kind (defined in kinds/*.cpp).

extern const KindHooks kPodHooks;
extern const KindHooks kNodeHooks;
extern const KindHooks kNamespaceHooks;
extern const KindHooks kServiceHooks;
extern const KindHooks kEndpointsHooks;
extern const KindHooks kConfigMapHooks;
extern const KindHooks kSecretHooks;
extern const KindHooks kServiceAccountHooks;
extern const KindHooks kEventHooks;
extern const KindHooks kPersistentVolumeHooks;
extern const KindHooks kPersistentVolumeClaimHooks;

extern const KindHooks kDeploymentHooks;
extern const KindHooks kReplicaSetHooks;
extern const KindHooks kStatefulSetHooks;
extern const KindHooks kDaemonSetHooks;
extern const KindHooks kControllerRevisionHooks;

extern const KindHooks kJobHooks;
extern const KindHooks kCronJobHooks;

extern const KindHooks kLeaseHooks;
extern const KindHooks kEndpointSliceHooks;
extern const KindHooks kIngressHooks;
extern const KindHooks kIngressClassHooks;
extern const KindHooks kPodDisruptionBudgetHooks;
extern const KindHooks kPriorityClassHooks;
extern const KindHooks kStorageClassHooks;
extern const KindHooks kRoleHooks;
extern const KindHooks kClusterRoleHooks;
extern const KindHooks kRoleBindingHooks;
extern const KindHooks kClusterRoleBindingHooks;
extern const KindHooks kEventsEventHooks;

}  // namespace capstan::kube::kinds
