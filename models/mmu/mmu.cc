#include "models/mmu/mmu.h"

#include <string>

namespace zxvp {

void MmuConfig::bind(ParameterBinding& binding) {
  binding.field("tlb.entries", tlb_entries,
                UnsignedSpec{"entries", "TLB entries (ways x a power of two)", 1, 1 << 20});
  binding.field(
      "tlb.ways", tlb_ways,
      UnsignedSpec{"ways", "TLB associativity (entries for fully associative)", 1, 1 << 20});
  binding.field("tlb.hit_latency_cycles", tlb_hit_latency_cycles,
                UnsignedSpec{"cycles", "CPU cycles of every translation (a TLB hit)", 0, 1000});
  binding.field("l2_tlb.entries", l2_tlb_entries,
                UnsignedSpec{"entries", "second-level TLB entries (ways x a power of two; 0: none)",
                             0, 1 << 20});
  binding.field("l2_tlb.ways", l2_tlb_ways,
                UnsignedSpec{"ways", "second-level TLB associativity", 1, 1 << 20});
  binding.field(
      "l2_tlb.hit_latency_cycles", l2_tlb_hit_latency_cycles,
      UnsignedSpec{"cycles", "CPU cycles added by a lookup in the second-level TLB", 0, 1000});
  binding.field(
      "walk_cache.entries", walk_cache_entries,
      UnsignedSpec{"entries", "upper-level table entries cached for walks (0: none)", 0, 4096});
  binding.field("walker_level", walker_level,
                UnsignedSpec{"level",
                             "where the walker's reads enter the memory hierarchy: 1 the L1, 2 "
                             "the L2, ...; 0 straight to memory, past the caches (as when "
                             "cache.enabled is false)",
                             0, 8});
}

Mmu::Mmu(const sc_core::sc_module_name& name, const MmuConfig& config, const Clock& cpu_clock,
         bool dmi, StatisticsRegistry& statistics)
    : sc_module(name),
      walker_port("walker_socket", dmi),
      cpu_clock_(cpu_clock),
      hit_latency_(to_ticks(cpu_clock.cycles(config.tlb_hit_latency_cycles))),
      l2_hit_latency_(to_ticks(cpu_clock.cycles(config.l2_tlb_hit_latency_cycles))),
      walker_level_(config.walker_level),
      tlb_(config.tlb_entries, config.tlb_ways, statistics, std::string(basename()) + ".tlb"),
      l2_tlb_(config.l2_tlb_entries == 0
                  ? nullptr
                  : std::make_unique<Tlb>(config.l2_tlb_entries, config.l2_tlb_ways, statistics,
                                          std::string(basename()) + ".l2_tlb")),
      walk_cache_(config.walk_cache_entries, statistics, std::string(basename()) + ".walk_cache"),
      walker_(walker_port, walk_cache_, statistics, std::string(basename()) + ".walker"),
      walk_cycles_(
          statistics.histogram(std::string(basename()) + ".walker.cycles", "CPU cycles per walk")) {
  for (Fault kind : {Fault::not_mapped, Fault::address_size, Fault::permission_read,
                     Fault::permission_write, Fault::permission_execute, Fault::permission_user}) {
    faults_[static_cast<size_t>(kind)] =
        &statistics.counter(std::string(basename()) + ".faults." + std::string(fault_id(kind)),
                            "translations that faulted: " + std::string(fault_name(kind)));
  }
}

void Mmu::set_address_space(uint64_t root_table_physical, uint16_t asid) {
  root_table_ = root_table_physical;
  asid_ = asid;
}

Translation Mmu::fault(Fault kind) {
  faults_[static_cast<size_t>(kind)]->add();
  return Translation{kind, 0, MemoryType::cached};
}

Translation Mmu::translate(uint64_t virtual_address, AccessType access, Privilege privilege,
                           Ticks& now) {
  now += hit_latency_;
  if (!page_table::is_canonical(virtual_address)) return fault(Fault::address_size);
  const uint64_t virtual_page = virtual_address >> page_table::kPageShift;
  const Tlb::Entry* entry = tlb_.lookup(asid_, virtual_page);
  if (entry == nullptr && l2_tlb_ != nullptr) {
    now += l2_hit_latency_;
    if (const Tlb::Entry* second = l2_tlb_->lookup(asid_, virtual_page)) {
      entry = tlb_.insert(asid_, virtual_page, second->physical_page, second->permissions,
                          second->memory_type);
    }
  }
  if (entry == nullptr) {
    const Ticks before = now;
    const PageTableWalker::Result walk = walker_.walk(root_table_, asid_, virtual_address, now);
    walk_cycles_.record(cpu_clock_.cycles_covering(to_time(now - before)));
    if (walk.fault != Fault::none) return fault(walk.fault);
    const uint64_t physical_page =
        page_table::entry_address(walk.page_entry) >> page_table::kPageShift;
    const auto permissions = page_table::entry_permissions(walk.page_entry);
    const MemoryType memory_type = page_table::entry_memory_type(walk.page_entry);
    if (l2_tlb_ != nullptr) {
      l2_tlb_->insert(asid_, virtual_page, physical_page, permissions, memory_type);
    }
    entry = tlb_.insert(asid_, virtual_page, physical_page, permissions, memory_type);
  }
  const Fault denied = page_table::check_access(entry->permissions, access, privilege);
  if (denied != Fault::none) return fault(denied);
  return Translation{Fault::none,
                     (entry->physical_page << page_table::kPageShift) |
                         (virtual_address & (page_table::kPageSize - 1)),
                     entry->memory_type};
}

void Mmu::invalidate_page(uint16_t asid, uint64_t virtual_address) {
  ++invalidation_generation_;
  tlb_.invalidate_page(asid, virtual_address >> page_table::kPageShift);
  if (l2_tlb_ != nullptr) l2_tlb_->invalidate_page(asid, virtual_address >> page_table::kPageShift);
  walk_cache_.invalidate_address(asid, virtual_address);
}

void Mmu::invalidate_asid(uint16_t asid) {
  ++invalidation_generation_;
  tlb_.invalidate_asid(asid);
  if (l2_tlb_ != nullptr) l2_tlb_->invalidate_asid(asid);
  walk_cache_.invalidate_asid(asid);
}

void Mmu::invalidate_all() {
  ++invalidation_generation_;
  tlb_.invalidate_all();
  if (l2_tlb_ != nullptr) l2_tlb_->invalidate_all();
  walk_cache_.invalidate_all();
}

}  // namespace zxvp
