#include "image_locality.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <tuple>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

namespace {

constexpr std::int64_t kMb = 1024 * 1024;

// A node holding `images` (name, size in MB, number of nodes that have it).
NodeInfo imageNode(std::string name, std::vector<std::tuple<std::string, std::int64_t, std::int32_t>> images) {
  NodeInfo n;
  n.name = std::move(name);
  for (auto& [image, mb, numNodes] : images) n.images.push_back({image, ImageState{mb * kMb, numNodes}});
  std::sort(n.images.begin(), n.images.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return n;
}

PodInfo podWithImages(std::vector<std::string> images) {
  PodInfo pod;
  pod.ns = "default";
  pod.name = "p";
  pod.images = std::move(images);
  return pod;
}

}  // namespace

TEST_CASE("normalizeImageName gives Docker's fully qualified reference") {
  CHECK(normalizeImageName("nginx") == "docker.io/library/nginx:latest");
  CHECK(normalizeImageName("nginx:1.25") == "docker.io/library/nginx:1.25");
  CHECK(normalizeImageName("library/nginx") == "docker.io/library/nginx:latest");
  CHECK(normalizeImageName("docker.io/nginx") == "docker.io/library/nginx:latest");
  CHECK(normalizeImageName("index.docker.io/library/nginx:1") == "docker.io/library/nginx:1");
  CHECK(normalizeImageName("bitnami/redis") == "docker.io/bitnami/redis:latest");
  CHECK(normalizeImageName("gcr.io/pause:3.9") == "gcr.io/pause:3.9");
  CHECK(normalizeImageName("quay.io/org/app") == "quay.io/org/app:latest");
  CHECK(normalizeImageName("localhost/app") == "localhost/app:latest");
  // The registry's port is not a tag.
  CHECK(normalizeImageName("localhost:5000/app") == "localhost:5000/app:latest");
  CHECK(normalizeImageName("registry:5000/team/app:v2") == "registry:5000/team/app:v2");
  // A digest pins the image: no tag is added.
  CHECK(normalizeImageName("nginx@sha256:abcd") == "docker.io/library/nginx@sha256:abcd");
  CHECK(normalizeImageName("nginx:1.25@sha256:abcd") == "docker.io/library/nginx:1.25@sha256:abcd");
  CHECK(normalizeImageName("") == "");
}

TEST_CASE("imageNameMatches agrees with normalizeImageName") {
  for (std::string raw : {"nginx", "nginx:1.25", "library/nginx", "docker.io/library/nginx:latest", "gcr.io/pause:3.9",
                          "localhost:5000/app", "nginx@sha256:abcd", "index.docker.io/x/y"}) {
    INFO(raw);
    CHECK(imageNameMatches(raw, normalizeImageName(raw)));
    CHECK_FALSE(imageNameMatches(raw, normalizeImageName(raw) + "x"));
    CHECK_FALSE(imageNameMatches(raw, normalizeImageName(raw).substr(1)));
  }
  CHECK_FALSE(imageNameMatches("nginx", "docker.io/library/nginx:1.25"));
  CHECK_FALSE(imageNameMatches("quay.io/foo/bar", "docker.io/foo/bar:latest"));
}

TEST_CASE("ImageLocality calculatePriority clamps to [23MB, 1000MB x containers]") {
  CHECK(ImageLocality::calculatePriority(0, 1) == 0);
  CHECK(ImageLocality::calculatePriority(23 * kMb, 1) == 0);
  CHECK(ImageLocality::calculatePriority(1000 * kMb, 1) == 100);
  CHECK(ImageLocality::calculatePriority(5000 * kMb, 1) == 100);
  CHECK(ImageLocality::calculatePriority(1000 * kMb, 2) == 100 * (977) / (1977));
  // No containers: no division by zero, no score.
  CHECK(ImageLocality::calculatePriority(0, 0) == 0);
}

TEST_CASE("ImageLocality scores as Kubernetes' own examples") {
  ImageLocality plugin;
  StageTestContext t;
  // Every image here is on one of the two nodes: each counts half its size.
  NodeInfo node1 =
      imageNode("node1", {{"gcr.io/40:latest", 40, 1}, {"gcr.io/300:latest", 300, 1}, {"gcr.io/2000:latest", 2000, 1}});
  NodeInfo node2 = imageNode("node2", {{"gcr.io/250:latest", 250, 1}, {"gcr.io/10:latest", 10, 1}});
  std::vector<const NodeInfo*> nodes{&node1, &node2};
  t.setNodes(nodes);

  SECTION("two images spread on two nodes: the larger image wins") {
    // node1: 40M/2 < 23M -> 0; node2: 100 * (250M/2 - 23M) / (2 * 1000M - 23M) = 5.
    CHECK(t.score(plugin, podWithImages({"gcr.io/40", "gcr.io/250"}), nodes) == std::vector<std::int64_t>{0, 5});
  }
  SECTION("two images on one node") {
    // node1: 100 * (40M/2 + 300M/2 - 23M) / (2000M - 23M) = 7.
    CHECK(t.score(plugin, podWithImages({"gcr.io/40", "gcr.io/300"}), nodes) == std::vector<std::int64_t>{7, 0});
  }
  SECTION("above the limit the limit applies") {
    NodeInfo big = imageNode("big", {{"gcr.io/4000:latest", 4000, 1}});
    std::vector<const NodeInfo*> two{&big, &node2};
    t.setNodes(two);
    // big: 4000M/2 = 2000M, clamped to 1000M x 1 container = 100.
    CHECK(t.score(plugin, podWithImages({"gcr.io/4000"}), two) == std::vector<std::int64_t>{100, 0});
  }
}

TEST_CASE("ImageLocality scales by spread over every node of the snapshot") {
  ImageLocality plugin;
  StageTestContext t;
  NodeInfo a = imageNode("a", {{"docker.io/library/app:latest", 500, 2}});
  NodeInfo b = imageNode("b", {{"docker.io/library/app:latest", 500, 2}});
  NodeInfo c = imageNode("c", {});
  NodeInfo d = imageNode("d", {});
  t.setNodes({&a, &b, &c, &d});
  PodInfo pod = podWithImages({"app"});

  // 500M x 2/4 = 250M: 100 * (250M - 23M) / (1000M - 23M) = 23, even when only `a` is scored.
  CHECK(t.score(plugin, pod, {&a}) == std::vector<std::int64_t>{23});
  CHECK(t.score(plugin, pod, {&a, &c}) == std::vector<std::int64_t>{23, 0});

  SECTION("an image on the only node counts fully") {
    NodeInfo only = imageNode("only", {{"docker.io/library/app:latest", 500, 1}});
    t.setNodes({&only});
    // 100 * (500M - 23M) / (1000M - 23M) = 48.
    CHECK(t.score(plugin, pod, {&only}) == std::vector<std::int64_t>{48});
  }
}

TEST_CASE("ImageLocality matches image names in normalized form on both sides") {
  ImageLocality plugin;
  StageTestContext t;
  NodeInfo qualified = imageNode("qualified", {{"docker.io/library/nginx:latest", 800, 1}});
  NodeInfo shortName = imageNode("short", {{"nginx:latest", 800, 1}});
  NodeInfo otherTag = imageNode("other-tag", {{"docker.io/library/nginx:1.25", 800, 1}});
  NodeInfo otherRegistry = imageNode("other-registry", {{"quay.io/library/nginx:latest", 800, 1}});
  std::vector<const NodeInfo*> nodes{&qualified, &shortName, &otherTag, &otherRegistry};
  t.setNodes({&qualified});  // one node in the cluster: spread 1

  // 100 * (800M - 23M) / (1000M - 23M) = 79.
  for (std::string image : {"nginx", "nginx:latest", "library/nginx", "docker.io/library/nginx:latest"}) {
    INFO(image);
    CHECK(t.score(plugin, podWithImages({image}), nodes) == std::vector<std::int64_t>{79, 79, 0, 0});
  }
  SECTION("a pinned tag matches only that tag") {
    CHECK(t.score(plugin, podWithImages({"nginx:1.25"}), nodes) == std::vector<std::int64_t>{0, 0, 79, 0});
  }
}

TEST_CASE("ImageLocality counts an image once per container even when the node lists it under two names") {
  ImageLocality plugin;
  StageTestContext t;
  NodeInfo n = imageNode("n", {{"docker.io/library/app:latest", 400, 1}, {"app:latest", 400, 1}});
  t.setNodes({&n});
  // 100 * (400M - 23M) / (1000M - 23M) = 38; counted twice it would be 79.
  CHECK(t.score(plugin, podWithImages({"app"}), {&n}) == std::vector<std::int64_t>{38});

  SECTION("two containers of the same image count twice, over a doubled threshold") {
    // 100 * (800M - 23M) / (2000M - 23M) = 39.
    CHECK(t.score(plugin, podWithImages({"app", "app"}), {&n}) == std::vector<std::int64_t>{39});
  }
  SECTION("a missing init container image still raises the threshold") {
    // 100 * (400M - 23M) / (2000M - 23M) = 19.
    CHECK(t.score(plugin, podWithImages({"busybox", "app"}), {&n}) == std::vector<std::int64_t>{19});
  }
}

TEST_CASE("ImageLocality gives 0 to nodes without images and to pods without containers") {
  ImageLocality plugin;
  StageTestContext t;
  NodeInfo empty = imageNode("empty", {});
  NodeInfo full = imageNode("full", {{"docker.io/library/app:latest", 900, 1}});
  t.setNodes({&empty, &full});
  CHECK(t.score(plugin, podWithImages({"app"}), {&empty, &full}) == std::vector<std::int64_t>{0, 43});
  CHECK(t.score(plugin, podWithImages({}), {&empty, &full}) == std::vector<std::int64_t>{0, 0});
}

TEST_CASE("ImageLocality answers only the score kind and takes no args") {
  ImageLocality plugin;
  CHECK(plugin.queryInterface("scheduler.score") == static_cast<ScorePlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.preScore") == nullptr);
  CHECK(ImageLocality::checkArgs("").ok());
  auto status = ImageLocality::checkArgs("minThreshold: 10");
  CHECK(status.code() == capstan::Code::kInvalidArgument);
  CHECK(status.message() == "ImageLocality args: unknown field \"minThreshold\"");
}
