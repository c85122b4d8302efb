#pragma once

#include <cstdint>
#include <systemc>

namespace zxvp {

// `count` times `unit`, exactly. sc_time::from_value is out of line and showed up in profiles of
// the hot paths that scale a latency by a count; SystemC's inline multiplication goes through a
// double and adds 0.5 before truncating, exact while the product stays below 2^52 (guaranteed by
// the bounds checked here).
inline sc_core::sc_time scaled(const sc_core::sc_time& unit, uint64_t count) {
  if (unit.value() < (uint64_t{1} << 31) && count < (uint64_t{1} << 21)) {
    return unit * static_cast<double>(count);
  }
  return sc_core::sc_time::from_value(unit.value() * count);
}

// Converts between cycles of one clock domain and SystemC time. The period is held as an integer
// number of picoseconds so that cycle arithmetic is exact and runs are bit-for-bit repeatable;
// a frequency whose period is not a whole number of picoseconds is rounded to the nearest one.
class Clock {
 public:
  explicit Clock(uint64_t frequency_mhz);

  uint64_t frequency_mhz() const { return frequency_mhz_; }
  uint64_t period_ps() const { return period_ps_; }
  sc_core::sc_time period() const { return period_; }

  sc_core::sc_time cycles(uint64_t count) const { return scaled(period_, count); }
  // Whole cycles that fit in `time` (rounds down). Asked at every phase change of every call:
  // a multiplication by a fixed-point reciprocal of the period costs less than a division, and
  // gives the exact quotient while ticks x period stays below 2^64.
  uint64_t cycles_in(const sc_core::sc_time& time) const { return cycles_in_ticks(time.value()); }
  // The same for a time given in SystemC's ticks (picoseconds).
  uint64_t cycles_in_ticks(uint64_t ticks) const {
    if (ticks > exact_below_) return ticks / (period_ps_ * ticks_per_ps());
    return static_cast<uint64_t>((static_cast<unsigned __int128>(ticks) * reciprocal_) >> 64);
  }
  // Cycles needed to cover `time` (rounds up).
  uint64_t cycles_covering(const sc_core::sc_time& time) const {
    const uint64_t ticks = period_ps_ * ticks_per_ps();
    return (time.value() + ticks - 1) / ticks;
  }

 private:
  // SystemC's time resolution must stay at its default of 1 ps; checked in the constructor.
  static constexpr uint64_t ticks_per_ps() { return 1; }

  uint64_t frequency_mhz_;
  uint64_t period_ps_;
  sc_core::sc_time period_;
  // ceil(2^64 / period in ticks), and the largest tick count for which a product with it gives
  // the exact quotient (period x ticks <= 2^64 - 1); 0 for a 1-tick period, which always divides.
  uint64_t reciprocal_ = 0;
  uint64_t exact_below_ = 0;
};

// Time from a parameter given in (possibly fractional) nanoseconds, rounded to the picosecond.
sc_core::sc_time time_from_ns(double nanoseconds);

}  // namespace zxvp
