#include "models/memory/streaming_copy.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace zxvp {

void copy_streaming(uint8_t* destination, const uint8_t* source, size_t length_bytes) {
#if defined(__SSE2__)
  constexpr size_t kVector = sizeof(__m128i);
  constexpr size_t kBlock = 4 * kVector;
  // Non-temporal stores need an aligned destination: the head goes by memcpy.
  const size_t head = std::min(
      length_bytes, (kVector - reinterpret_cast<uintptr_t>(destination) % kVector) % kVector);
  std::memcpy(destination, source, head);
  size_t done = head;
  for (; done + kBlock <= length_bytes; done += kBlock) {
    const auto* from = reinterpret_cast<const __m128i*>(source + done);
    auto* to = reinterpret_cast<__m128i*>(destination + done);
    const __m128i v0 = _mm_loadu_si128(from);
    const __m128i v1 = _mm_loadu_si128(from + 1);
    const __m128i v2 = _mm_loadu_si128(from + 2);
    const __m128i v3 = _mm_loadu_si128(from + 3);
    _mm_stream_si128(to, v0);
    _mm_stream_si128(to + 1, v1);
    _mm_stream_si128(to + 2, v2);
    _mm_stream_si128(to + 3, v3);
  }
  // Streaming stores are weakly ordered: fence them before anyone reads the bytes.
  _mm_sfence();
  std::memcpy(destination + done, source + done, length_bytes - done);
#else
  std::memcpy(destination, source, length_bytes);
#endif
}

}  // namespace zxvp
