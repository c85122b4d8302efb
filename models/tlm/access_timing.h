#pragma once

#include <cstdint>
#include <systemc>

#include "sim/time/clock.h"

namespace zxvp {

// The cost of one access to a target: a fixed latency, then the data moves in beats of
// `bytes_per_beat` bytes, one per `beat_period`. An access of N bytes costs
// latency + ceil(N / bytes_per_beat) * beat_period, so one 4 KiB burst costs what 64 line
// accesses cost minus the 63 latencies the burst overlaps.
struct AccessTiming {
  sc_core::sc_time read_latency = sc_core::SC_ZERO_TIME;
  sc_core::sc_time write_latency = sc_core::SC_ZERO_TIME;
  sc_core::sc_time beat_period = sc_core::SC_ZERO_TIME;
  uint64_t bytes_per_beat = 1;

  uint64_t beats(uint64_t length_bytes) const {
    return (length_bytes + bytes_per_beat - 1) / bytes_per_beat;
  }
  sc_core::sc_time transfer_time(uint64_t length_bytes) const {
    return scaled(beat_period, beats(length_bytes));
  }
  sc_core::sc_time read_time(uint64_t length_bytes) const {
    return read_latency + transfer_time(length_bytes);
  }
  sc_core::sc_time write_time(uint64_t length_bytes) const {
    return write_latency + transfer_time(length_bytes);
  }
};

}  // namespace zxvp
