#pragma once

#include <cstdint>
#include <string>
#include <tlm>
#include <vector>

#include "sim/stats/statistics.h"
#include "sim/time/batch_timing.h"

namespace zxvp {

struct MemoryConfig;

// The timing of a memory channel, shared by everything that reaches the memory (the core's
// caches, the page-table walker, the DMA engine, test traffic), through b_transport or DMI alike:
// one data bus that moves `bytes_per_cycle` per memory clock, used by one access at a time, and
// banks that keep one row open each.
//
// An access to local address A belongs to row A / row_bytes, which sits in bank
// (A / row_bytes) mod banks. Its data is ready `latency` after it arrives (read or write
// latency), plus `row_miss` when its bank has another row open (precharge and activate); the bus
// then moves it as soon as it is free (ServiceQueue), and it completes when its last byte has
// moved. Accesses queue in the order they are issued: an initiator that runs ahead of SystemC
// time (temporal decoupling) takes its place at the time it gives, and others that come later in
// host order but earlier in simulated time wait behind it, an error the quantum bounds.
class MemoryController {
 public:
  MemoryController(const MemoryConfig& config, StatisticsRegistry& statistics,
                   const std::string& name);

  // `arrivals.count` accesses of `unit_bytes` each, the first at local `address` and the others
  // after it in the same row (lines of one page, bursts of a transfer), access i arriving at
  // arrivals.at(i). Returns when the first and the last complete.
  Span serve(tlm::tlm_command command, uint64_t address, uint64_t unit_bytes,
             const Arrivals& arrivals);
  // The same for `length_bytes` in consecutive units from `address` (the last unit shorter
  // when the length is not a multiple), which may cross rows: split at row boundaries (a unit
  // belongs to the row of its first byte).
  Span serve_range(tlm::tlm_command command, uint64_t address, uint64_t unit_bytes,
                   uint64_t length_bytes, const Arrivals& arrivals);

  // From arrival to completion of one access of `bytes` with its row open and the bus free.
  Ticks unloaded_latency(tlm::tlm_command command, uint64_t bytes) const;
  uint64_t row_bytes() const { return row_bytes_; }
  uint64_t banks() const { return open_rows_.size(); }
  Ticks row_miss() const { return row_miss_ticks_; }
  Ticks busy_until() const { return bus_.busy_until(); }
  // Nothing is owed at `time`: the bus is free, every row closed.
  void settle(Ticks time);

 private:
  static constexpr uint64_t kNoRow = ~uint64_t{0};

  Ticks period_ticks_;
  uint64_t bytes_per_cycle_;
  Ticks read_latency_ticks_;
  Ticks write_latency_ticks_;
  Ticks row_miss_ticks_;
  uint64_t row_bytes_;
  unsigned row_shift_;
  std::vector<uint64_t> open_rows_;
  ServiceQueue bus_;
  Counter& row_hits_;
  Counter& row_misses_;
};

}  // namespace zxvp
