#include "sim/time/batch_timing.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace zxvp {
namespace {

// The recurrence the closed form solves, item by item.
struct ItemByItem {
  Ticks busy_until = 0;
  Ticks serve(Ticks ready, Ticks occupancy) {
    const Ticks start = std::max(ready, busy_until);
    busy_until = start + occupancy;
    return start;
  }
};

TEST(ServiceQueue, ABatchStartsEachItemWhenServingThemOneByOneWould) {
  std::mt19937_64 random(7);
  ServiceQueue batch;
  ItemByItem items;
  for (int round = 0; round < 2000; ++round) {
    // Batches that arrive before, at and after the queue is free, faster and slower than served.
    const Ticks occupancy = random() % 50;
    const Arrivals arrivals{
        items.busy_until + random() % 400 - std::min<Ticks>(items.busy_until, 200), random() % 80,
        1 + random() % 64};
    const Ticks first_delay = random() % 3 == 0 ? random() % 100 : 0;
    const ServiceQueue::Served served = batch.serve(arrivals, occupancy, first_delay);
    for (uint64_t i = 0; i < arrivals.count; ++i) {
      const Ticks expected = items.serve(arrivals.at(i) + (i == 0 ? first_delay : 0), occupancy);
      ASSERT_EQ(served.start(i), expected) << "round " << round << " item " << i;
    }
    ASSERT_EQ(batch.busy_until(), items.busy_until) << "round " << round;
  }
}

TEST(ServiceQueue, AStreamIsBoundByTheSlowerOfArrivalsAndService) {
  ServiceQueue queue;
  // Arriving every 2 ticks, served in 5: the service sets the pace.
  EXPECT_EQ(queue.serve({100, 2, 10}, 5).last_start(), 100u + 9 * 5);
  // Arriving every 9 ticks after the queue is free: the arrivals do.
  queue.settle(0);
  EXPECT_EQ(queue.serve({1000, 9, 10}, 5).last_start(), 1000u + 9 * 9);
  // Arriving while it is busy: the batch queues behind.
  EXPECT_EQ(queue.serve({1000, 0, 1}, 5).first_start, 1000u + 9 * 9 + 5);
}

TEST(Span, AsArrivalsSpreadsItemsEvenlyBetweenItsEnds) {
  const Arrivals arrivals = Span{100, 190}.as_arrivals(10);
  EXPECT_EQ(arrivals.first, 100u);
  EXPECT_EQ(arrivals.step, 10u);
  EXPECT_EQ(arrivals.last(), 190u);
  EXPECT_EQ((Span{100, 100}.as_arrivals(1).step), 0u);
}

TEST(BatchTiming, TicksConvertToSystemCTimeBothWays) {
  const std::vector<Ticks> samples = {
      0, 1, 416, 123456789012345, (Ticks{1} << 52) - 1, Ticks{1} << 53};
  for (const Ticks ticks : samples) {
    EXPECT_EQ(to_ticks(to_time(ticks)), ticks);
  }
  EXPECT_EQ(transfer_ticks(64, 16, 938), Ticks(4 * 938));
  EXPECT_EQ(transfer_ticks(65, 16, 938), Ticks(5 * 938));
}

}  // namespace
}  // namespace zxvp
