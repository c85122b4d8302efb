#pragma once

#include <cstdint>
#include <systemc>

#include "models/mmu/translation.h"
#include "models/mmu/walk_cache.h"
#include "models/tlm/memory_port.h"
#include "sim/stats/statistics.h"

namespace zxvp {

// Walks the page tables of page_table_format.h. Every entry it reads is an 8-byte TLM read
// through `port` (the bus), so a walk costs exactly the memory accesses it makes; the walk
// cache lets it skip the upper levels it has seen recently.
class PageTableWalker {
 public:
  struct Result {
    Fault fault = Fault::none;
    uint64_t page_entry = 0;  // the level-3 entry, when there is no fault
  };

  PageTableWalker(MemoryPort& port, WalkCache& walk_cache, StatisticsRegistry& statistics,
                  const std::string& name);

  Result walk(uint64_t root_table_physical, uint16_t asid, uint64_t virtual_address,
              sc_core::sc_time& delay);

 private:
  MemoryPort& port_;
  WalkCache& walk_cache_;
  Counter& walks_;
  Counter& entry_reads_;
  Counter& bus_errors_;
};

}  // namespace zxvp
