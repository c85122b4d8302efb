#pragma once

#include <algorithm>
#include <cstdint>
#include <systemc>

namespace zxvp {

// Absolute simulated time in SystemC ticks (picoseconds: see Clock). Timing models that overlap
// work (caches with misses outstanding, a memory channel serving several initiators) reason in
// absolute time, since a resource that is busy until some time is busy for everyone.
using Ticks = uint64_t;

inline Ticks to_ticks(const sc_core::sc_time& time) {
  return time.value();
}
// sc_time::from_value is out of line, and hot paths convert at every access: SystemC's inline
// multiplication by a double is exact below 2^52 ticks (over an hour of simulated time).
inline sc_core::sc_time to_time(Ticks ticks) {
  static const sc_core::sc_time one_tick = sc_core::sc_time::from_value(1);
  return ticks < (uint64_t{1} << 52) ? one_tick * static_cast<double>(ticks)
                                     : sc_core::sc_time::from_value(ticks);
}
// Ticks needed for `bytes` at `bytes_per_cycle` of a clock of `period_ticks`, in whole cycles.
inline Ticks transfer_ticks(uint64_t bytes, uint64_t bytes_per_cycle, Ticks period_ticks) {
  return (bytes + bytes_per_cycle - 1) / bytes_per_cycle * period_ticks;
}
// Ticks a port of `bytes_per_cycle` is busy with `bytes`, to the tick: a port whose width does
// not divide a line moves lines in fractions of a cycle, as a real one moving a line in parts
// does over several (a 48-byte port: three 64-byte lines in four cycles).
inline Ticks port_ticks(uint64_t bytes, uint64_t bytes_per_cycle, Ticks period_ticks) {
  return (bytes * period_ticks + bytes_per_cycle - 1) / bytes_per_cycle;
}

// When the items of a batch (the lines of a page asked of a cache, the bursts of a DMA
// transfer) arrive at a resource: item i at first + i * step, for i < count.
struct Arrivals {
  Ticks first = 0;
  Ticks step = 0;
  uint64_t count = 0;

  Ticks at(uint64_t index) const { return first + index * step; }
  Ticks last() const { return at(count == 0 ? 0 : count - 1); }
};

// When the first and the last item of a batch are done (served, delivered, accepted).
struct Span {
  Ticks first = 0;
  Ticks last = 0;

  // The items in between, evenly spaced (the spacing rounded down): how the batch arrives at the
  // next resource.
  Arrivals as_arrivals(uint64_t count) const {
    const Ticks step = count > 1 && last > first ? (last - first) / (count - 1) : 0;
    return {first, step, count};
  }
};

// A resource that serves items one at a time, in the order they reach it, each keeping it busy
// for `occupancy` (a cache's data port, a memory channel's data bus). Item i starts at
//     start(i) = max(ready(i), start(i - 1) + occupancy),   start(-1) + occupancy = busy_until
// which for items ready at a0 + i * s (the first possibly later by `first_delay`) is exactly
//     start(i) = max(a0 + i * s, S0 + i * occupancy),   S0 = max(a0 + first_delay, busy_until)
// so a whole batch is served in closed form, with the same times as serving its items one by
// one (tests/sim/batch_timing_test.cc checks both against each other).
class ServiceQueue {
 public:
  // The start times of a batch just served.
  struct Served {
    Ticks first_ready = 0;
    Ticks ready_step = 0;
    Ticks first_start = 0;
    Ticks occupancy = 0;
    uint64_t count = 0;

    Ticks start(uint64_t index) const {
      return std::max(first_ready + index * ready_step, first_start + index * occupancy);
    }
    Ticks last_start() const { return start(count == 0 ? 0 : count - 1); }
    // Start of the first and last item, plus `after`.
    Span span(Ticks after) const { return {first_start + after, last_start() + after}; }
    // The same for the items from `first` to `last` (indices in the batch).
    Span span(uint64_t first, uint64_t last, Ticks after) const {
      return {start(first) + after, start(last) + after};
    }
  };

  Served serve(const Arrivals& ready, Ticks occupancy, Ticks first_delay = 0) {
    Served served{ready.first, ready.step, std::max(ready.first + first_delay, busy_until_),
                  occupancy, ready.count};
    if (ready.count != 0) busy_until_ = served.last_start() + occupancy;
    return served;
  }

  Ticks busy_until() const { return busy_until_; }
  // Forgets the work queued before `time` (the platform settled: nothing is owed).
  void settle(Ticks time) { busy_until_ = time; }

 private:
  Ticks busy_until_ = 0;
};

}  // namespace zxvp
