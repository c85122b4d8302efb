#pragma once

#include <span>

namespace zxvp {

// The slot of a fully scanned group of entries (a TLB set, the walk cache) that takes a new
// entry: the valid entry that `matches` (refreshed in place), else the first invalid one, else
// the least recently used (the first of equals). Entries have `valid` and `last_use`.
template <typename Entry, typename Matches>
Entry* lru_slot(std::span<Entry> entries, Matches&& matches) {
  Entry* victim = &entries.front();
  for (Entry& entry : entries) {
    if (entry.valid && matches(entry)) return &entry;
    if (!entry.valid) {
      if (victim->valid) victim = &entry;
    } else if (victim->valid && entry.last_use < victim->last_use) {
      victim = &entry;
    }
  }
  return victim;
}

}  // namespace zxvp
