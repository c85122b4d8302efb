#pragma once

#include <cstdint>

namespace zxvp {

// A fixed pseudo-random order of the pages [0, page_count): a keyed bijection (a four-round
// Feistel network over the smallest power-of-four range that holds them, walking the cycle until
// it lands inside), computed on demand in both directions, so no table grows with memory.
// The physical memory manager hands pages out in this order when placement is scattered: the
// page colours a cache indexed by physical address then sees are those of pages drawn at random,
// as from a long-running kernel's free lists or a hypervisor's backing of guest memory.
class PageScatter {
 public:
  PageScatter(uint64_t page_count, uint64_t seed);

  // The page that comes `position`th in the order, and the position of `page` (both < page_count).
  uint64_t page_at(uint64_t position) const;
  uint64_t position_of(uint64_t page) const;

 private:
  static constexpr int kRounds = 4;

  uint64_t encrypt(uint64_t value) const;
  uint64_t decrypt(uint64_t value) const;
  uint64_t round(int index, uint64_t half) const;

  uint64_t page_count_;
  unsigned half_bits_ = 1;
  uint64_t half_mask_ = 1;
  uint64_t keys_[kRounds] = {};
};

}  // namespace zxvp
