#pragma once
// ImageLocality (Kubernetes' plugin of the same name): favours nodes that already hold the
// pod's container images. Each image present on a node adds its size scaled by how widely
// it has spread (nodes having it / all nodes, so an image everywhere does not pull every
// pod to the same place); the sum is clamped to [23MB, 1000MB x containers] and mapped
// linearly onto [0, 100].
//
// Image names are compared in their normalized Docker form on both sides ("nginx" and
// "docker.io/library/nginx:latest" are one image), where Kubernetes only appends a missing
// ":latest" to the pod's name.

#include <string>
#include <string_view>

#include "capstan/plugin.h"
#include "capstan/scheduler.h"

namespace capstan::sched {

// The fully qualified reference of an image name, as Docker's ParseNormalizedNamed +
// TagNameOnly: "nginx" -> "docker.io/library/nginx:latest", "quay.io/a/b" ->
// "quay.io/a/b:latest", "index.docker.io/x/y:1" -> "docker.io/x/y:1"; a digest gets no tag.
std::string normalizeImageName(std::string_view name);
// normalizeImageName(raw) == normalized, without building the string.
bool imageNameMatches(std::string_view raw, std::string_view normalized);

class ImageLocality final : public Plugin, public ScorePlugin {
 public:
  static constexpr std::int64_t kMb = 1024 * 1024;
  static constexpr std::int64_t kMinThreshold = 23 * kMb;
  static constexpr std::int64_t kMaxContainerThreshold = 1000 * kMb;

  // ImageLocality takes no args: empty, null or {} pass, anything else is refused.
  static Status checkArgs(const std::string& argsYaml);

  // Kubernetes' calculatePriority: a node's summed image score onto [0, kMaxNodeScore].
  static std::int64_t calculatePriority(std::int64_t sumScores, std::size_t numContainers);
  // Kubernetes' scaledImageScore: the image size times numNodes / totalNumNodes.
  static std::int64_t scaledImageScore(const ImageState& image, std::size_t totalNumNodes);

  Status init(Host& host, const PluginConfig& config) override;
  void* queryInterface(std::string_view kind) override;

  StageStatus score(CycleContext& ctx, const PodInfo& pod, std::span<const NodeInfo* const> nodes,
                    std::span<std::int64_t> scores) override;
};

}  // namespace capstan::sched
