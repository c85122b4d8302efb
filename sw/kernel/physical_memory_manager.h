#pragma once

#include <boost/dynamic_bitset.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/stats/statistics.h"
#include "sw/kernel/page_scatter.h"

namespace zxvp {

// Hands out the 4 KiB pages of physical memory [base, base + size) in a fixed order, the first
// free one in it first: where pages land depends only on which pages are free, not on the order
// they were freed in, so runs are repeatable and a measurement that frees what it took leaves
// the same placement to the next. The order is the pages' addresses (ascending: a buffer's pages
// follow each other), or a seeded pseudo-random order of them (scattered: a buffer's pages fall
// in the cache sets of pages drawn at random, as on a machine that has run for a while or under
// a hypervisor). Running out is an answer (nullopt), never a crash. Bookkeeping grows with the
// pages ever used, not with the size of memory, so a barely used 1 TiB memory costs little host
// memory.
class PhysicalMemoryManager {
 public:
  static constexpr uint64_t kPageSize = 4096;
  enum class Placement { ascending, scattered };

  PhysicalMemoryManager(uint64_t base, uint64_t size_bytes, StatisticsRegistry& statistics,
                        Placement placement = Placement::ascending, uint64_t seed = 1);

  std::optional<uint64_t> allocate();
  void free(uint64_t physical_address);

  uint64_t total_pages() const { return total_pages_; }
  uint64_t used_pages() const { return used_pages_; }
  uint64_t free_pages() const { return total_pages_ - used_pages_; }
  bool is_allocated(uint64_t physical_address) const;

 private:
  // A page's position in the order, and the other way round; the bookkeeping is by position.
  std::optional<uint64_t> position_of(uint64_t physical_address) const;
  uint64_t address_at(uint64_t position) const;
  // The position of a page handed out; throws on any other address.
  uint64_t handed_out_position(uint64_t physical_address) const;

  uint64_t base_;
  uint64_t total_pages_;
  std::optional<PageScatter> scatter_;  // the order when scattered
  uint64_t next_untouched_ = 0;         // pages at and above this position were never handed out
  uint64_t used_pages_ = 0;
  std::vector<uint64_t> freed_;  // positions, a min-heap
  boost::dynamic_bitset<> allocated_;
  Counter& allocations_;
  Counter& frees_;
  Counter& failures_;
};

}  // namespace zxvp
