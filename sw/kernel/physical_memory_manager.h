#pragma once

#include <boost/dynamic_bitset.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/stats/statistics.h"

namespace zxvp {

// Hands out the 4 KiB pages of physical memory [base, base + size). Pages are given lowest
// address first, and a freed page is the next one given again, so runs are repeatable. Running
// out is an answer (nullopt), never a crash. Bookkeeping grows with the pages ever used, not
// with the size of memory, so a barely used 1 TiB memory costs little host memory.
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
  std::vector<uint64_t> freed_;  // indices, most recently freed last
  boost::dynamic_bitset<> allocated_;
  Counter& allocations_;
  Counter& frees_;
  Counter& failures_;
};

}  // namespace zxvp
