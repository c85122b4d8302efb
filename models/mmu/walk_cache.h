#pragma once

#include <cstdint>
#include <vector>

#include "sim/stats/statistics.h"

namespace zxvp {

// Caches the upper levels of recent walks: for an (address space, virtual address) the physical
// address of the level-1, level-2 or level-3 table, so that a walk can start below the root.
// Fully associative, least recently used. With 0 entries it holds nothing.
class WalkCache {
 public:
  WalkCache(uint64_t entries, StatisticsRegistry& statistics, const std::string& name);

  struct Start {
    unsigned level = 0;           // 0: start at the root
    uint64_t table_physical = 0;  // the table at `level` (unused for the root)
  };
  // Where the walk of `virtual_address` can start: the deepest cached table on its path.
  Start start(uint16_t asid, uint64_t virtual_address);
  void insert(uint16_t asid, unsigned level, uint64_t virtual_address, uint64_t table_physical);

  // Drops every entry on the walk path of `virtual_address`.
  void invalidate_address(uint16_t asid, uint64_t virtual_address);
  void invalidate_asid(uint16_t asid);
  void invalidate_all();

 private:
  struct Entry {
    uint64_t prefix = 0;
    uint64_t table_physical = 0;
    uint64_t last_use = 0;
    uint16_t asid = 0;
    unsigned level = 0;
    bool valid = false;
  };
  static uint64_t prefix_of(unsigned level, uint64_t virtual_address);

  std::vector<Entry> entries_;
  size_t last_start_ = 0;  // the entry the last walk started from
  uint64_t clock_ = 0;
  Counter& hits_;
  Counter& misses_;
};

}  // namespace zxvp
