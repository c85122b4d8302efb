#include "models/mmu/walk_cache.h"

#include <array>

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
  // Walks in a row mostly start at the same last-level table, and no entry starts deeper.
  constexpr unsigned kDeepest = page_table::kLevels - 1;
  if (last_start_ < entries_.size()) {
    Entry& last = entries_[last_start_];
    if (last.valid && last.level == kDeepest && last.asid == asid &&
        last.prefix == prefix_of(kDeepest, virtual_address)) {
      hits_.add();
      last.last_use = ++clock_;
      return {last.level, last.table_physical};
    }
  }
  std::array<uint64_t, page_table::kLevels> prefixes{};
  for (unsigned level = 1; level < page_table::kLevels; ++level)
    prefixes[level] = prefix_of(level, virtual_address);
  Entry* deepest = nullptr;
  for (Entry& entry : entries_) {
    if (entry.valid && entry.asid == asid && entry.prefix == prefixes[entry.level] &&
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
  last_start_ = static_cast<size_t>(deepest - entries_.data());
  return {deepest->level, deepest->table_physical};
}

void WalkCache::insert(uint16_t asid, unsigned level, uint64_t virtual_address,
                       uint64_t table_physical) {
  if (entries_.empty()) return;
  const uint64_t prefix = prefix_of(level, virtual_address);
  const size_t slot = lru_slot(
      0, entries_.size(),
      [&](size_t at) {
        const Entry& entry = entries_[at];
        return entry.valid && entry.level == level && entry.asid == asid && entry.prefix == prefix;
      },
      [this](size_t at) { return !entries_[at].valid; },
      [this](size_t at) { return entries_[at].last_use; });
  entries_[slot] = Entry{prefix, table_physical, ++clock_, asid, level, true};
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
