#pragma once

#include <cstdint>
#include <vector>

#include "models/mmu/page_table_format.h"
#include "sim/stats/statistics.h"

namespace zxvp {

// A set-associative translation lookaside buffer of 4 KiB pages, tagged with the address-space
// id, with least-recently-used replacement inside a set. The set is chosen by the low bits of
// the virtual page number. Holds only successful translations.
class Tlb {
 public:
  struct Entry {
    uint64_t physical_page = 0;
    page_table::PagePermissions permissions;
    MemoryType memory_type = MemoryType::cached;
  };

  // `entries` must be a positive multiple of `ways` with a power-of-two quotient (the sets).
  Tlb(uint64_t entries, uint64_t ways, StatisticsRegistry& statistics, const std::string& name);

  // The entry for (asid, virtual page) or nullptr; a hit refreshes its LRU age.
  const Entry* lookup(uint16_t asid, uint64_t virtual_page);
  // Fills (or refreshes) the entry for (asid, virtual page), evicting the set's LRU entry.
  const Entry* insert(uint16_t asid, uint64_t virtual_page, uint64_t physical_page,
                      page_table::PagePermissions permissions, MemoryType memory_type);

  void invalidate_page(uint16_t asid, uint64_t virtual_page);
  void invalidate_asid(uint16_t asid);
  void invalidate_all();

  uint64_t entries() const { return entries_.size(); }
  uint64_t ways() const { return ways_; }
  uint64_t valid_entries() const;

 private:
  // What a lookup scans lives apart from the entries, so that a set's tags take one or two host
  // cache lines: the virtual page of each slot (kEmpty when it holds none) and its address space;
  // and apart again, the ages that only an insertion reads.
  static constexpr uint64_t kEmpty = UINT64_MAX;  // never a page number: pages have 52 bits
  size_t first_slot(uint64_t virtual_page) const { return (virtual_page & set_mask_) * ways_; }
  void invalidate_slot(size_t slot);

  std::vector<uint64_t> virtual_pages_;
  std::vector<uint16_t> asids_;
  std::vector<uint64_t> last_use_;
  std::vector<Entry> entries_;
  uint64_t ways_;
  uint64_t set_mask_;
  uint64_t clock_ = 0;
  Counter& hits_;
  Counter& misses_;
  Counter& evictions_;
  Counter& invalidations_;
};

}  // namespace zxvp
