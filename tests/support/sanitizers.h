#pragma once

namespace zxvp::testing {

// Built with AddressSanitizer: bounds on host memory use relax, since ASan's shadow memory and
// quarantine count in the resident size.
#ifdef ZXVP_SANITIZED
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

}  // namespace zxvp::testing
