#pragma once

#include <boost/dynamic_bitset.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/stats/statistics.h"

namespace zxvp {

// Hands out the 4 KiB pages of physical memory [base, base + size), the lowest free address
// first: where pages land depends only on which pages are free, not on the order they were
// freed in, so runs are repeatable and a measurement that frees what it took leaves the same
// placement to the next. Running out is an answer (nullopt), never a crash. Bookkeeping grows
// with the pages ever used, not with the size of memory, so a barely used 1 TiB memory costs
// little host memory.
class PhysicalMemoryManager {
 public:
  static constexpr uint64_t kPageSize = 4096;

  PhysicalMemoryManager(uint64_t base, uint64_t size_bytes, StatisticsRegistry& statistics);

  std::optional<uint64_t> allocate();
  void free(uint64_t physical_address);

  uint64_t total_pages() const { return total_pages_; }
  uint64_t used_pages() const { return used_pages_; }
  uint64_t free_pages() const { return total_pages_ - used_pages_; }
  bool is_allocated(uint64_t physical_address) const;

 private:
  uint64_t index_of(uint64_t physical_address) const;

  uint64_t base_;
  uint64_t total_pages_;
  uint64_t next_untouched_ = 0;  // pages at and above this index were never handed out
  uint64_t used_pages_ = 0;
  std::vector<uint64_t> freed_;  // indices, a min-heap
  boost::dynamic_bitset<> allocated_;
  Counter& allocations_;
  Counter& frees_;
  Counter& failures_;
};

}  // namespace zxvp
