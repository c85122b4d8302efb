#include "sim/stats/statistics.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace zxvp {
namespace {

TEST(Statistics, CountersAreNestedByDotsInJson) {
  StatisticsRegistry registry;
  Counter& reads = registry.counter("memory.reads", "reads");
  Counter& hits = registry.counter("mmu.tlb.hits", "hits");
  reads.add();
  reads.add(2);
  hits.add(7);
  const boost::json::value json = registry.to_json();
  EXPECT_EQ(json.at("memory").at("reads").as_uint64(), 3u);
  EXPECT_EQ(json.at("mmu").at("tlb").at("hits").as_uint64(), 7u);
  EXPECT_EQ(registry.find_counter("memory.reads"), &reads);
  EXPECT_EQ(registry.find_counter("memory.nothing"), nullptr);
}

TEST(Statistics, HistogramKeepsCountSumExtremesAndPowerOfTwoBuckets) {
  StatisticsRegistry registry;
  Histogram& cycles = registry.histogram("kernel.vmo_write.cycles", "cycles per call");
  for (uint64_t sample : {0u, 1u, 3u, 4u, 1000u})
    cycles.record(sample);
  EXPECT_EQ(cycles.count(), 5u);
  EXPECT_EQ(cycles.sum(), 1008u);
  EXPECT_EQ(cycles.min(), 0u);
  EXPECT_EQ(cycles.max(), 1000u);
  EXPECT_EQ(cycles.bucket(0), 1u);   // 0
  EXPECT_EQ(cycles.bucket(1), 1u);   // [1, 2)
  EXPECT_EQ(cycles.bucket(2), 1u);   // [2, 4)
  EXPECT_EQ(cycles.bucket(3), 1u);   // [4, 8)
  EXPECT_EQ(cycles.bucket(10), 1u);  // [512, 1024)
  const auto json = registry.to_json().at("kernel").at("vmo_write").at("cycles");
  EXPECT_EQ(json.at("count").as_uint64(), 5u);
  EXPECT_EQ(json.at("buckets").as_array().size(), 5u);
  EXPECT_EQ(json.at("buckets").as_array()[4].at("low").as_uint64(), 512u);
}

TEST(Statistics, RefusesDuplicateAndClashingNames) {
  StatisticsRegistry registry;
  registry.counter("bus.errors", "");
  EXPECT_THROW(registry.counter("bus.errors", ""), std::logic_error);
  EXPECT_THROW(registry.counter("bus.errors.more", ""), std::logic_error);
  EXPECT_THROW(registry.histogram("bus", ""), std::logic_error);
  EXPECT_THROW(registry.counter("", ""), std::logic_error);
}

}  // namespace
}  // namespace zxvp
