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
  binding.field(
      "walk_cache.entries", walk_cache_entries,
      UnsignedSpec{"entries", "upper-level table entries cached for walks (0: none)", 0, 4096});
}

Mmu::Mmu(const sc_core::sc_module_name& name, const MmuConfig& config, const Clock& cpu_clock,
         bool dmi, StatisticsRegistry& statistics)
    : sc_module(name),
      walker_port("walker_socket", dmi),
      cpu_clock_(cpu_clock),
      hit_latency_(cpu_clock.cycles(config.tlb_hit_latency_cycles)),
      tlb_(config.tlb_entries, config.tlb_ways, statistics, std::string(basename()) + ".tlb"),
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
                           sc_core::sc_time& delay) {
  delay += hit_latency_;
  if (!page_table::is_canonical(virtual_address)) return fault(Fault::address_size);
  const uint64_t virtual_page = virtual_address >> page_table::kPageShift;
  const Tlb::Entry* entry = tlb_.lookup(asid_, virtual_page);
  if (entry == nullptr) {
    const sc_core::sc_time before = delay;
    const PageTableWalker::Result walk = walker_.walk(root_table_, asid_, virtual_address, delay);
    walk_cycles_.record(cpu_clock_.cycles_covering(delay - before));
    if (walk.fault != Fault::none) return fault(walk.fault);
    entry = tlb_.insert(asid_, virtual_page,
                        page_table::entry_address(walk.page_entry) >> page_table::kPageShift,
                        page_table::entry_permissions(walk.page_entry),
                        page_table::entry_memory_type(walk.page_entry));
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
  walk_cache_.invalidate_address(asid, virtual_address);
}

void Mmu::invalidate_asid(uint16_t asid) {
  ++invalidation_generation_;
  tlb_.invalidate_asid(asid);
  walk_cache_.invalidate_asid(asid);
}

void Mmu::invalidate_all() {
  ++invalidation_generation_;
  tlb_.invalidate_all();
  walk_cache_.invalidate_all();
}

}  // namespace zxvp
