#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <systemc>

#include "models/cpu/data_path.h"
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
  uint64_t l2_tlb_entries = 1536;
  uint64_t l2_tlb_ways = 12;
  uint64_t l2_tlb_hit_latency_cycles = 9;
  uint64_t walk_cache_entries = 16;
  uint64_t walker_level = 3;

  void bind(ParameterBinding& binding);
};

// The memory management unit of one core: the active address space (root table and ASID), the
// TLB and a second-level TLB, the walk cache and the page-table walker, whose entry reads go
// through the core's caches from the level `walker_level` names (attach_walk_path), or straight
// to memory on `walker_port`. Every translation costs the TLB's hit latency (CPU cycles); a miss
// adds the second-level TLB's, and a miss there the walk's reads (each waiting for the one
// before), then fills both TLBs. Faults are answered, not cached.
class Mmu : public sc_core::sc_module {
 public:
  MemoryPort walker_port;

  Mmu(const sc_core::sc_module_name& name, const MmuConfig& config, const Clock& cpu_clock,
      bool dmi, StatisticsRegistry& statistics);

  void set_address_space(uint64_t root_table_physical, uint16_t asid);
  uint64_t root_table() const { return root_table_; }
  uint16_t asid() const { return asid_; }

  // Elaboration: walks read through `path` (a cache level) instead of `walker_port`.
  void attach_walk_path(DataPath* path, uint64_t line_bytes) {
    walker_.attach_path(path, line_bytes);
  }
  uint64_t walker_level() const { return walker_level_; }

  // A translation at absolute time `now`, which moves on by its cost.
  Translation translate(uint64_t virtual_address, AccessType access, Privilege privilege,
                        Ticks& now);

  void invalidate_page(uint16_t asid, uint64_t virtual_address);
  void invalidate_asid(uint16_t asid);
  void invalidate_all();

  const Tlb& tlb() const { return tlb_; }
  // Bumped by every invalidation: structures that keep translations the MMU gave (a hart's own
  // TLBs) drop them when it changed.
  uint64_t invalidation_generation() const { return invalidation_generation_; }
  const Tlb* l2_tlb() const { return l2_tlb_.get(); }
  Ticks hit_latency() const { return hit_latency_; }

 private:
  Translation fault(Fault fault);

  const Clock cpu_clock_;
  Ticks hit_latency_;
  Ticks l2_hit_latency_;
  uint64_t walker_level_;
  uint64_t root_table_ = 0;
  uint16_t asid_ = 0;
  uint64_t invalidation_generation_ = 0;
  Tlb tlb_;
  std::unique_ptr<Tlb> l2_tlb_;
  WalkCache walk_cache_;
  PageTableWalker walker_;
  Histogram& walk_cycles_;
  std::array<Counter*, 7> faults_{};
};

}  // namespace zxvp
