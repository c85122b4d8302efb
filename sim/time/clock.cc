#include "sim/time/clock.h"

#include <cmath>
#include <stdexcept>

namespace zxvp {

Clock::Clock(uint64_t frequency_mhz) : frequency_mhz_(frequency_mhz), period_ps_(0) {
  if (frequency_mhz == 0) throw std::invalid_argument("a clock frequency must be above 0 MHz");
  if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS)) {
    throw std::logic_error("zxvp needs SystemC's default time resolution of 1 ps");
  }
  period_ps_ = (1'000'000 + frequency_mhz / 2) / frequency_mhz;
  if (period_ps_ == 0) throw std::invalid_argument("a clock faster than 2 THz has no period in ps");
  period_ = sc_core::sc_time::from_value(period_ps_ * ticks_per_ps());
  const uint64_t period_ticks = period_ps_ * ticks_per_ps();
  if (period_ticks > 1) {
    reciprocal_ = UINT64_MAX / period_ticks + 1;
    exact_below_ = UINT64_MAX / period_ticks;
  }
}

sc_core::sc_time time_from_ns(double nanoseconds) {
  if (!(nanoseconds >= 0.0)) throw std::invalid_argument("a time cannot be negative");
  return sc_core::sc_time::from_value(static_cast<uint64_t>(std::llround(nanoseconds * 1000.0)));
}

}  // namespace zxvp
