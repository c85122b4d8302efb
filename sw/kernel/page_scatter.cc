#include "sw/kernel/page_scatter.h"

#include <bit>
#include <utility>

namespace zxvp {

namespace {

// SplitMix64's finaliser: every input bit moves about half of the output bits.
uint64_t mix(uint64_t value) {
  value = (value ^ (value >> 30)) * 0xBF58'476D'1CE4'E5B9;
  value = (value ^ (value >> 27)) * 0x94D0'49BB'1331'11EB;
  return value ^ (value >> 31);
}

}  // namespace

PageScatter::PageScatter(uint64_t page_count, uint64_t seed) : page_count_(page_count) {
  const unsigned bits = page_count <= 1 ? 2 : static_cast<unsigned>(std::bit_width(page_count - 1));
  half_bits_ = (bits + 1) / 2;
  half_mask_ = (uint64_t{1} << half_bits_) - 1;
  uint64_t state = seed;
  for (uint64_t& key : keys_) {
    state += 0x9E37'79B9'7F4A'7C15;
    key = mix(state);
  }
}

uint64_t PageScatter::round(int index, uint64_t half) const {
  return mix(half ^ keys_[index]) & half_mask_;
}

uint64_t PageScatter::encrypt(uint64_t value) const {
  uint64_t left = value >> half_bits_;
  uint64_t right = value & half_mask_;
  for (int r = 0; r < kRounds; ++r) {
    left ^= round(r, right);
    std::swap(left, right);
  }
  return (left << half_bits_) | right;
}

uint64_t PageScatter::decrypt(uint64_t value) const {
  uint64_t left = value >> half_bits_;
  uint64_t right = value & half_mask_;
  for (int r = kRounds - 1; r >= 0; --r) {
    std::swap(left, right);
    left ^= round(r, right);
  }
  return (left << half_bits_) | right;
}

// Cycle walking: the network permutes the whole power-of-four range; following the cycle of a
// value in range until it comes back in range permutes the pages alone. The range is less than
// four times page_count, so the walk takes four steps on average.
uint64_t PageScatter::page_at(uint64_t position) const {
  uint64_t page = encrypt(position);
  while (page >= page_count_)
    page = encrypt(page);
  return page;
}

uint64_t PageScatter::position_of(uint64_t page) const {
  uint64_t position = decrypt(page);
  while (position >= page_count_)
    position = decrypt(position);
  return position;
}

}  // namespace zxvp
