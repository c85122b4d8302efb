#pragma once

#include <array>
#include <cstdint>
#include <systemc>

#include "models/mmu/page_table_walker.h"
#include "models/mmu/tlb.h"
#include "models/mmu/translation.h"
#include "models/mmu/walk_cache.h"
#include "models/tlm/memory_port.h"
#include "sim/params/parameter_set.h"
#include "sim/stats/statistics.h"
#include "sim/time/clock.h"

namespace zxvp {

struct MmuConfig {
  uint64_t tlb_entries = 64;
  uint64_t tlb_ways = 4;
  uint64_t tlb_hit_latency_cycles = 1;
  uint64_t walk_cache_entries = 16;

  void bind(ParameterBinding& binding);
};

// The memory management unit of one core: the active address space (root table and ASID), the
// TLB, the walk cache and the page-table walker, whose entry reads go out on `walker_port`.
// Every translation costs the TLB's hit latency (CPU cycles); a miss adds the walk's memory
// accesses, then fills the TLB. Faults are answered, not cached.
class Mmu : public sc_core::sc_module {
 public:
  MemoryPort walker_port;

  Mmu(const sc_core::sc_module_name& name, const MmuConfig& config, const Clock& cpu_clock,
      bool dmi, StatisticsRegistry& statistics);

  void set_address_space(uint64_t root_table_physical, uint16_t asid);
  uint64_t root_table() const { return root_table_; }
  uint16_t asid() const { return asid_; }

  Translation translate(uint64_t virtual_address, AccessType access, Privilege privilege,
                        sc_core::sc_time& delay);

  void invalidate_page(uint16_t asid, uint64_t virtual_address);
  void invalidate_asid(uint16_t asid);
  void invalidate_all();

  const Tlb& tlb() const { return tlb_; }
  // Bumped by every invalidation: structures that keep translations the MMU gave (a hart's own
  // TLBs) drop them when it changed.
  uint64_t invalidation_generation() const { return invalidation_generation_; }
  sc_core::sc_time hit_latency() const { return hit_latency_; }

 private:
  Translation fault(Fault fault);

  const Clock cpu_clock_;
  sc_core::sc_time hit_latency_;
  uint64_t root_table_ = 0;
  uint16_t asid_ = 0;
  uint64_t invalidation_generation_ = 0;
  Tlb tlb_;
  WalkCache walk_cache_;
  PageTableWalker walker_;
  Histogram& walk_cycles_;
  std::array<Counter*, 7> faults_{};
};

}  // namespace zxvp
