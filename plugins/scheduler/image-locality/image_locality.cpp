#include "image_locality.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <vector>

namespace capstan::sched {

namespace {

constexpr std::string_view kDefaultDomain = "docker.io";
constexpr std::string_view kLegacyDefaultDomain = "index.docker.io";
constexpr std::string_view kOfficialRepoPrefix = "library/";
constexpr std::string_view kDefaultTag = ":latest";

// An image name cut into the pieces its normalized form is made of:
// domain + "/" + (officialRepo ? "library/" : "") + remainder + (addTag ? ":latest" : "").
struct ImageNameParts {
  std::string_view domain;
  bool officialRepo = false;
  std::string_view remainder;
  bool addTag = false;
};

ImageNameParts splitImageName(std::string_view name) {
  ImageNameParts parts;
  const std::size_t slash = name.find('/');
  const std::string_view first = slash == std::string_view::npos ? std::string_view() : name.substr(0, slash);
  // Docker's rule: the first component is a registry when it looks like a host (has a dot
  // or a port, is localhost) or is not lowercase (repository paths must be).
  const bool hasDomain = slash != std::string_view::npos &&
                         (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
                          std::any_of(first.begin(), first.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
  parts.domain = hasDomain ? first : kDefaultDomain;
  parts.remainder = hasDomain ? name.substr(slash + 1) : name;
  if (parts.domain == kLegacyDefaultDomain) parts.domain = kDefaultDomain;
  parts.officialRepo = parts.domain == kDefaultDomain && parts.remainder.find('/') == std::string_view::npos;

  const std::size_t at = parts.remainder.find('@');
  const std::string_view path = parts.remainder.substr(0, at);
  const std::size_t colon = path.rfind(':');
  const std::size_t lastSlash = path.rfind('/');
  const bool tagged = colon != std::string_view::npos && (lastSlash == std::string_view::npos || colon > lastSlash);
  parts.addTag = !tagged && at == std::string_view::npos;
  return parts;
}

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

}  // namespace

std::string normalizeImageName(std::string_view name) {
  if (name.empty()) return {};
  const ImageNameParts p = splitImageName(name);
  std::string out;
  out.reserve(p.domain.size() + 1 + kOfficialRepoPrefix.size() + p.remainder.size() + kDefaultTag.size());
  out += p.domain;
  out += '/';
  if (p.officialRepo) out += kOfficialRepoPrefix;
  out += p.remainder;
  if (p.addTag) out += kDefaultTag;
  return out;
}

bool imageNameMatches(std::string_view raw, std::string_view normalized) {
  if (raw.empty()) return normalized.empty();
  const ImageNameParts p = splitImageName(raw);
  std::string_view rest = normalized;
  return consume(rest, p.domain) && consume(rest, "/") && (!p.officialRepo || consume(rest, kOfficialRepoPrefix)) &&
         consume(rest, p.remainder) && (!p.addTag || consume(rest, kDefaultTag)) && rest.empty();
}

Status ImageLocality::checkArgs(const std::string& argsYaml) {
  YAML::Node args;
  try {
    args = YAML::Load(argsYaml);
  } catch (const YAML::Exception& e) {
    return Status::invalidArgument(std::string("ImageLocality args: ") + e.what());
  }
  if (!args || args.IsNull() || (args.IsMap() && args.size() == 0)) return {};
  if (!args.IsMap()) return Status::invalidArgument("ImageLocality args: expected a mapping");
  return Status::invalidArgument("ImageLocality args: unknown field \"" + args.begin()->first.Scalar() + "\"");
}

std::int64_t ImageLocality::calculatePriority(std::int64_t sumScores, std::size_t numContainers) {
  const std::int64_t maxThreshold = kMaxContainerThreshold * static_cast<std::int64_t>(numContainers);
  if (sumScores < kMinThreshold)
    sumScores = kMinThreshold;
  else if (sumScores > maxThreshold)
    sumScores = maxThreshold;
  return kMaxNodeScore * (sumScores - kMinThreshold) / (maxThreshold - kMinThreshold);
}

std::int64_t ImageLocality::scaledImageScore(const ImageState& image, std::size_t totalNumNodes) {
  const double spread = static_cast<double>(image.numNodes) / static_cast<double>(totalNumNodes);
  return static_cast<std::int64_t>(static_cast<double>(image.sizeBytes) * spread);
}

Status ImageLocality::init(Host&, const PluginConfig& config) { return checkArgs(config.argsYaml); }

void* ImageLocality::queryInterface(std::string_view kind) {
  return kind == ScorePlugin::kKind ? static_cast<ScorePlugin*>(this) : nullptr;
}

StageStatus ImageLocality::score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                                 std::span<std::int64_t> scores) {
  // Every node of the cluster counts, not only the candidates. A snapshot without nodes
  // (never the case in a real cycle) falls back to the candidates, so spread stays finite.
  const std::size_t totalNumNodes = ctx.snapshot.nodes.empty() ? nodes.size() : ctx.snapshot.nodes.size();
  std::vector<std::string> wanted;
  wanted.reserve(pod.images.size());
  for (const auto& image : pod.images) wanted.push_back(normalizeImageName(image));

  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeInfo& node = *nodes[i];
    std::int64_t sum = 0;
    if (!node.images.empty()) {
      for (const auto& name : wanted) {
        // Nodes usually report the normalized name: try it first, then compare each of the
        // node's names in normalized form.
        const ImageState* state = node.image(name);
        for (auto it = node.images.begin(); !state && it != node.images.end(); ++it)
          if (imageNameMatches(it->first, name)) state = &it->second;
        if (state) sum += scaledImageScore(*state, totalNumNodes);
      }
    }
    scores[i] = calculatePriority(sum, pod.images.size());
  }
  return StageStatus::success();
}

}  // namespace capstan::sched
