#pragma once

#include <cstddef>

namespace zxvp {

// The slot of a fully scanned group [first, first + count) (a TLB set, the walk cache) that takes
// an entry: the one that `matches` (refreshed in place), else the first empty one, else the least
// recently used (the first of equals). `matches`, `is_empty` and `last_use` take a slot;
// `matches` must be false for an empty one.
template <typename Matches, typename IsEmpty, typename LastUse>
size_t lru_slot(size_t first, size_t count, Matches&& matches, IsEmpty&& is_empty,
                LastUse&& last_use) {
  size_t victim = first;
  for (size_t slot = first; slot < first + count; ++slot) {
    if (matches(slot)) return slot;
    if (is_empty(victim)) continue;
    if (is_empty(slot) || last_use(slot) < last_use(victim)) victim = slot;
  }
  return victim;
}

}  // namespace zxvp
