// The physical memory manager's placement: by address, or scattered over memory in a seeded
// order that is a permutation of the pages (every page once, each way computable).
#include "sw/kernel/physical_memory_manager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "sw/kernel/page_scatter.h"

namespace zxvp {
namespace {

constexpr uint64_t kPage = PhysicalMemoryManager::kPageSize;

TEST(PageScatter, IsAPermutationOfThePagesWithItsInverseForAnyCount) {
  for (const uint64_t count : {1ull, 2ull, 3ull, 5ull, 1000ull, 4096ull, 4097ull, 65536ull}) {
    const PageScatter scatter(count, 7);
    std::vector<bool> seen(count);
    for (uint64_t position = 0; position < count; ++position) {
      const uint64_t page = scatter.page_at(position);
      ASSERT_LT(page, count) << count;
      EXPECT_FALSE(seen[page]) << "page " << page << " twice in " << count;
      seen[page] = true;
      EXPECT_EQ(scatter.position_of(page), position) << count;
    }
  }
}

TEST(PageScatter, TheSeedChoosesTheOrder) {
  const PageScatter first(1 << 16, 1);
  const PageScatter again(1 << 16, 1);
  const PageScatter other(1 << 16, 2);
  uint64_t same_as_other = 0;
  for (uint64_t position = 0; position < 256; ++position) {
    EXPECT_EQ(first.page_at(position), again.page_at(position));
    if (first.page_at(position) == other.page_at(position)) ++same_as_other;
  }
  EXPECT_LT(same_as_other, 4u);
}

TEST(PhysicalMemoryManager, AscendingHandsOutPagesInAddressOrder) {
  StatisticsRegistry statistics;
  PhysicalMemoryManager pmm(0x10000, 64 * kPage, statistics);
  for (uint64_t i = 0; i < 8; ++i)
    EXPECT_EQ(pmm.allocate(), 0x10000 + i * kPage);
}

// A cache indexed by physical address sees a buffer's pages in colours drawn at random: 1024
// pages over 32 colours (a 2 MiB 16-way cache's) fill every colour, unevenly, where ascending
// pages give each colour exactly 32.
TEST(PhysicalMemoryManager, ScatteredPagesFallInRandomColours) {
  StatisticsRegistry statistics;
  PhysicalMemoryManager pmm(0, uint64_t{1} << 31, statistics,
                            PhysicalMemoryManager::Placement::scattered, 1);
  std::vector<uint64_t> colours(32);
  std::vector<uint64_t> pages;
  for (int i = 0; i < 1024; ++i) {
    const std::optional<uint64_t> page = pmm.allocate();
    ASSERT_TRUE(page);
    ASSERT_EQ(*page % kPage, 0u);
    ASSERT_LT(*page, uint64_t{1} << 31);
    pages.push_back(*page);
    ++colours[(*page / kPage) % colours.size()];
  }
  EXPECT_FALSE(std::is_sorted(pages.begin(), pages.end()));
  std::sort(pages.begin(), pages.end());
  EXPECT_EQ(std::adjacent_find(pages.begin(), pages.end()), pages.end()) << "a page twice";
  const auto [fewest, most] = std::minmax_element(colours.begin(), colours.end());
  EXPECT_GT(*fewest, 10u);
  EXPECT_LT(*most, 60u);
  EXPECT_GT(*most - *fewest, 5u) << "as even as ascending pages";
}

// Placement depends only on which pages are free: a page given back is the next one handed out,
// and the bookkeeping knows scattered pages as it knows ascending ones.
TEST(PhysicalMemoryManager, ScatteredPagesAreFreedAndReusedInTheSameOrder) {
  StatisticsRegistry statistics;
  PhysicalMemoryManager pmm(0x80000000, 1000 * kPage, statistics,
                            PhysicalMemoryManager::Placement::scattered, 3);
  std::vector<uint64_t> pages;
  for (int i = 0; i < 1000; ++i)
    pages.push_back(*pmm.allocate());
  EXPECT_FALSE(pmm.allocate());
  for (const uint64_t page : pages)
    EXPECT_TRUE(pmm.is_allocated(page));
  pmm.free(pages[10]);
  pmm.free(pages[500]);
  EXPECT_FALSE(pmm.is_allocated(pages[10]));
  EXPECT_EQ(pmm.allocate(), pages[10]);
  EXPECT_EQ(pmm.allocate(), pages[500]);
  EXPECT_THROW(pmm.free(0x80000000 + 1000 * kPage), std::logic_error);
  EXPECT_THROW(pmm.free(pages[3] + 8), std::logic_error);
  EXPECT_EQ(pmm.used_pages(), 1000u);
}

}  // namespace
}  // namespace zxvp
