#include "models/mmu/walk_cache.h"

#include <span>

#include "models/mmu/lru_slot.h"
#include "models/mmu/page_table_format.h"

namespace zxvp {

WalkCache::WalkCache(uint64_t entries, StatisticsRegistry& statistics, const std::string& name)
    : entries_(entries),
      hits_(statistics.counter(name + ".hits", "walks that started below the root")),
      misses_(statistics.counter(name + ".misses", "walks that started at the root")) {}

uint64_t WalkCache::prefix_of(unsigned level, uint64_t virtual_address) {
  // The table at `level` is chosen by the indices of the levels above it.
  return virtual_address >> page_table::index_shift(level - 1);
}

WalkCache::Start WalkCache::start(uint16_t asid, uint64_t virtual_address) {
  Entry* deepest = nullptr;
  for (Entry& entry : entries_) {
    if (entry.valid && entry.asid == asid &&
        entry.prefix == prefix_of(entry.level, virtual_address) &&
        (deepest == nullptr || entry.level > deepest->level)) {
      deepest = &entry;
    }
  }
  if (deepest == nullptr) {
    misses_.add();
    return {};
  }
  hits_.add();
  deepest->last_use = ++clock_;
  return {deepest->level, deepest->table_physical};
}

void WalkCache::insert(uint16_t asid, unsigned level, uint64_t virtual_address,
                       uint64_t table_physical) {
  if (entries_.empty()) return;
  const uint64_t prefix = prefix_of(level, virtual_address);
  Entry* victim = lru_slot(std::span<Entry>(entries_), [&](const Entry& entry) {
    return entry.level == level && entry.asid == asid && entry.prefix == prefix;
  });
  *victim = Entry{prefix, table_physical, ++clock_, asid, level, true};
}

void WalkCache::invalidate_address(uint16_t asid, uint64_t virtual_address) {
  for (Entry& entry : entries_) {
    if (entry.valid && entry.asid == asid &&
        entry.prefix == prefix_of(entry.level, virtual_address)) {
      entry.valid = false;
    }
  }
}

void WalkCache::invalidate_asid(uint16_t asid) {
  for (Entry& entry : entries_) {
    if (entry.asid == asid) entry.valid = false;
  }
}

void WalkCache::invalidate_all() {
  for (Entry& entry : entries_)
    entry.valid = false;
}

}  // namespace zxvp
