#include "priority_sort.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "capstan/scheduler_testing.h"

using namespace capstan::sched;

namespace {

QueuedPodInfo queued(std::string name, std::int32_t priority, std::int64_t timestamp) {
  auto pod = std::make_shared<PodInfo>();
  pod->ns = "default";
  pod->name = std::move(name);
  pod->priority = priority;
  QueuedPodInfo q;
  q.pod = pod;
  q.timestamp = timestamp;
  return q;
}

}  // namespace

TEST_CASE("PrioritySort puts higher priority first") {
  PrioritySort plugin;
  auto high = queued("high", 1000, 200);
  auto low = queued("low", 10, 100);
  CHECK(plugin.less(high, low));
  CHECK_FALSE(plugin.less(low, high));

  SECTION("negative priorities sort below the default 0") {
    auto negative = queued("negative", -5, 1);
    auto unset = queued("unset", 0, 2);
    CHECK(plugin.less(unset, negative));
    CHECK_FALSE(plugin.less(negative, unset));
  }
}

TEST_CASE("PrioritySort breaks priority ties by the earlier queue timestamp") {
  PrioritySort plugin;
  auto early = queued("early", 5, 100);
  auto late = queued("late", 5, 300);
  CHECK(plugin.less(early, late));
  CHECK_FALSE(plugin.less(late, early));

  SECTION("equal priority and timestamp: neither goes first (a strict weak order)") {
    auto twin = queued("twin", 5, 100);
    CHECK_FALSE(plugin.less(early, twin));
    CHECK_FALSE(plugin.less(twin, early));
    CHECK_FALSE(plugin.less(early, early));
  }
  SECTION("the timestamp is the queue time, not the pod's creation time") {
    auto created = queued("created-first", 5, 400);
    std::const_pointer_cast<PodInfo>(created.pod)->creationTime = 1;
    CHECK(plugin.less(early, created));
  }
}

TEST_CASE("PrioritySort orders a whole queue") {
  PrioritySort plugin;
  std::vector<QueuedPodInfo> queue{queued("c", 0, 30), queued("a", 100, 50), queued("d", 0, 40), queued("b", 100, 60),
                                   queued("e", -1, 10)};
  std::sort(queue.begin(), queue.end(), [&](const auto& x, const auto& y) { return plugin.less(x, y); });
  std::vector<std::string> order;
  for (const auto& q : queue) order.push_back(q.pod->name);
  CHECK(order == std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("PrioritySort answers only the queueSort kind and takes no args") {
  PrioritySort plugin;
  CHECK(plugin.queryInterface("scheduler.queueSort") == static_cast<QueueSortPlugin*>(&plugin));
  CHECK(plugin.queryInterface("scheduler.filter") == nullptr);

  CHECK(PrioritySort::checkArgs("").ok());
  CHECK(PrioritySort::checkArgs("null").ok());
  CHECK(PrioritySort::checkArgs("{}").ok());
  auto unknown = PrioritySort::checkArgs("foo: 1");
  CHECK(unknown.code() == capstan::Code::kInvalidArgument);
  CHECK(unknown.message() == "PrioritySort args: unknown field \"foo\"");
  CHECK_FALSE(PrioritySort::checkArgs("[1, 2]").ok());
  CHECK_FALSE(PrioritySort::checkArgs("{unclosed").ok());
}
