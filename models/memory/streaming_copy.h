#pragma once

#include <cstddef>
#include <cstdint>

namespace zxvp {

// Copies `length_bytes` from `source` to `destination` (which must not overlap) with the host's
// non-temporal stores where it has them (SSE2 on x86-64; elsewhere a memcpy): each destination
// line is written without being read first and without taking a place in the host's caches.
// For a simulated copy longer than the host's private caches that halves the host memory
// traffic of the destination; for a short one, whose bytes the host reads back soon, memcpy is
// the better choice.
void copy_streaming(uint8_t* destination, const uint8_t* source, size_t length_bytes);

}  // namespace zxvp
