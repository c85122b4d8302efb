#pragma once

#include <bit>
#include <cstdint>

namespace zxvp {

// Whether `slots` (a cache's lines, a TLB's entries) in `ways` ways make a power-of-two number of
// sets, the only geometry a set index taken from address bits can address: the caches, the TLBs
// and the platform's check of its parameters ask the same question.
constexpr bool forms_power_of_two_sets(uint64_t slots, uint64_t ways) {
  return ways != 0 && slots >= ways && slots % ways == 0 && std::has_single_bit(slots / ways);
}

}  // namespace zxvp
