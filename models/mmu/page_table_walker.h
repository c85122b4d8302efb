#pragma once

#include <cstdint>
#include <systemc>

#include "models/cpu/data_path.h"
#include "models/mmu/translation.h"
#include "models/mmu/walk_cache.h"
#include "models/tlm/memory_port.h"
#include "sim/stats/statistics.h"

namespace zxvp {

// Walks the page tables of page_table_format.h. Every entry it reads is a load of its line
// through a level of the core's caches (attach_path), or an 8-byte TLM read through `port` (the
// bus), each issued when the one before has returned (the next table's address is in the entry),
// so a walk costs exactly the accesses it makes; the walk cache lets it skip the upper levels it
// has seen recently.
class PageTableWalker {
 public:
  struct Result {
    Fault fault = Fault::none;
    uint64_t page_entry = 0;  // the level-3 entry, when there is no fault
  };

  PageTableWalker(MemoryPort& port, WalkCache& walk_cache, StatisticsRegistry& statistics,
                  const std::string& name);

  void attach_path(DataPath* path, uint64_t line_bytes) {
    path_ = path;
    line_bytes_ = line_bytes;
  }

  // A walk from absolute time `now`, which moves on by its cost.
  Result walk(uint64_t root_table_physical, uint16_t asid, uint64_t virtual_address, Ticks& now);

 private:
  bool read_entry(uint64_t entry_address, uint64_t* little_endian_entry, Ticks& now);

  MemoryPort& port_;
  DataPath* path_ = nullptr;
  uint64_t line_bytes_ = 64;
  WalkCache& walk_cache_;
  Counter& walks_;
  Counter& entry_reads_;
  Counter& bus_errors_;
};

}  // namespace zxvp
