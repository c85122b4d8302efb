#include "models/mmu/tlb.h"

#include <bit>
#include <span>

#include "models/mmu/lru_slot.h"
#include "sim/params/config_error.h"

namespace zxvp {

Tlb::Tlb(uint64_t entries, uint64_t ways, StatisticsRegistry& statistics, const std::string& name)
    : ways_(ways),
      set_mask_(0),
      hits_(statistics.counter(name + ".hits", "translations found in the TLB")),
      misses_(statistics.counter(name + ".misses", "translations not in the TLB")),
      evictions_(statistics.counter(name + ".evictions", "valid entries replaced")),
      invalidations_(statistics.counter(name + ".invalidations", "entries invalidated")) {
  if (ways == 0 || entries == 0 || entries % ways != 0 || !std::has_single_bit(entries / ways)) {
    throw ConfigError(name + ": " + std::to_string(entries) + " entries in " +
                      std::to_string(ways) +
                      " ways is not a power-of-two number of sets; make entries = ways x 2^n");
  }
  entries_.resize(entries);
  set_mask_ = entries / ways - 1;
}

const Tlb::Entry* Tlb::lookup(uint16_t asid, uint64_t virtual_page) {
  Entry* set = set_of(virtual_page);
  for (uint64_t way = 0; way < ways_; ++way) {
    Entry& entry = set[way];
    if (entry.valid && entry.virtual_page == virtual_page && entry.asid == asid) {
      entry.last_use = ++clock_;
      hits_.add();
      return &entry;
    }
  }
  misses_.add();
  return nullptr;
}

const Tlb::Entry* Tlb::insert(uint16_t asid, uint64_t virtual_page, uint64_t physical_page,
                              page_table::PagePermissions permissions, MemoryType memory_type) {
  Entry* victim = lru_slot(std::span<Entry>(set_of(virtual_page), ways_), [&](const Entry& entry) {
    return entry.virtual_page == virtual_page && entry.asid == asid;
  });
  if (victim->valid && !(victim->virtual_page == virtual_page && victim->asid == asid)) {
    evictions_.add();
  }
  *victim = Entry{virtual_page, physical_page, ++clock_, asid, permissions, memory_type, true};
  return victim;
}

void Tlb::invalidate_page(uint16_t asid, uint64_t virtual_page) {
  Entry* set = set_of(virtual_page);
  for (uint64_t way = 0; way < ways_; ++way) {
    Entry& entry = set[way];
    if (entry.valid && entry.virtual_page == virtual_page && entry.asid == asid) {
      entry.valid = false;
      invalidations_.add();
    }
  }
}

void Tlb::invalidate_asid(uint16_t asid) {
  for (Entry& entry : entries_) {
    if (entry.valid && entry.asid == asid) {
      entry.valid = false;
      invalidations_.add();
    }
  }
}

void Tlb::invalidate_all() {
  for (Entry& entry : entries_) {
    if (entry.valid) {
      entry.valid = false;
      invalidations_.add();
    }
  }
}

uint64_t Tlb::valid_entries() const {
  uint64_t count = 0;
  for (const Entry& entry : entries_)
    count += entry.valid ? 1 : 0;
  return count;
}

}  // namespace zxvp
