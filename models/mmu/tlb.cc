#include "models/mmu/tlb.h"

#include <algorithm>

#include "models/cache/set_geometry.h"
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
  if (!forms_power_of_two_sets(entries, ways)) {
    throw ConfigError(name + ": " + std::to_string(entries) + " entries in " +
                      std::to_string(ways) +
                      " ways is not a power-of-two number of sets; make entries = ways x 2^n");
  }
  virtual_pages_.assign(entries, kEmpty);
  asids_.assign(entries, 0);
  last_use_.assign(entries, 0);
  entries_.resize(entries);
  set_mask_ = entries / ways - 1;
}

const Tlb::Entry* Tlb::lookup(uint16_t asid, uint64_t virtual_page) {
  const size_t first = first_slot(virtual_page);
  for (size_t slot = first; slot < first + ways_; ++slot) {
    if (virtual_pages_[slot] == virtual_page && asids_[slot] == asid) {
      last_use_[slot] = ++clock_;
      hits_.add();
      return &entries_[slot];
    }
  }
  misses_.add();
  return nullptr;
}

const Tlb::Entry* Tlb::insert(uint16_t asid, uint64_t virtual_page, uint64_t physical_page,
                              page_table::PagePermissions permissions, MemoryType memory_type) {
  auto is_empty = [this](size_t slot) { return virtual_pages_[slot] == kEmpty; };
  auto holds_page = [this, virtual_page, asid](size_t slot) {
    return virtual_pages_[slot] == virtual_page && asids_[slot] == asid;
  };
  const size_t slot = lru_slot(first_slot(virtual_page), ways_, holds_page, is_empty,
                               [this](size_t at) { return last_use_[at]; });
  if (!is_empty(slot) && !holds_page(slot)) evictions_.add();
  virtual_pages_[slot] = virtual_page;
  asids_[slot] = asid;
  last_use_[slot] = ++clock_;
  entries_[slot] = Entry{physical_page, permissions, memory_type};
  return &entries_[slot];
}

void Tlb::invalidate_slot(size_t slot) {
  virtual_pages_[slot] = kEmpty;
  invalidations_.add();
}

void Tlb::invalidate_page(uint16_t asid, uint64_t virtual_page) {
  const size_t first = first_slot(virtual_page);
  for (size_t slot = first; slot < first + ways_; ++slot) {
    if (virtual_pages_[slot] == virtual_page && asids_[slot] == asid) invalidate_slot(slot);
  }
}

void Tlb::invalidate_asid(uint16_t asid) {
  for (size_t slot = 0; slot < virtual_pages_.size(); ++slot) {
    if (virtual_pages_[slot] != kEmpty && asids_[slot] == asid) invalidate_slot(slot);
  }
}

void Tlb::invalidate_all() {
  for (size_t slot = 0; slot < virtual_pages_.size(); ++slot) {
    if (virtual_pages_[slot] != kEmpty) invalidate_slot(slot);
  }
}

uint64_t Tlb::valid_entries() const {
  return static_cast<uint64_t>(std::count_if(virtual_pages_.begin(), virtual_pages_.end(),
                                             [](uint64_t page) { return page != kEmpty; }));
}

}  // namespace zxvp
