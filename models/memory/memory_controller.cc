#include "models/memory/memory_controller.h"

#include <bit>

#include "models/memory/memory.h"
#include "sim/time/clock.h"

namespace zxvp {

MemoryController::MemoryController(const MemoryConfig& config, StatisticsRegistry& statistics,
                                   const std::string& name)
    : period_ticks_(to_ticks(Clock(config.clock_mhz).period())),
      bytes_per_cycle_(config.bytes_per_cycle),
      read_latency_ticks_(to_ticks(time_from_ns(config.read_latency_ns))),
      write_latency_ticks_(to_ticks(time_from_ns(config.write_latency_ns))),
      row_miss_ticks_(to_ticks(time_from_ns(config.row_miss_ns))),
      row_bytes_(config.row_bytes),
      row_shift_(static_cast<unsigned>(std::countr_zero(config.row_bytes))),
      open_rows_(config.banks, kNoRow),
      row_hits_(statistics.counter(name + ".row_hits", "accesses to the open row of their bank")),
      row_misses_(statistics.counter(name + ".row_misses",
                                     "accesses that opened their row (precharge and activate)")) {}

Span MemoryController::serve(tlm::tlm_command command, uint64_t address, uint64_t unit_bytes,
                             const Arrivals& arrivals) {
  if (arrivals.count == 0) return {};
  const uint64_t row = address >> row_shift_;
  uint64_t& open = open_rows_[row % open_rows_.size()];
  const bool row_hit = open == row;
  open = row;
  (row_hit ? row_hits_ : row_misses_).add();
  row_hits_.add(arrivals.count - 1);
  const Ticks latency =
      command == tlm::TLM_WRITE_COMMAND ? write_latency_ticks_ : read_latency_ticks_;
  const Ticks transfer = transfer_ticks(unit_bytes, bytes_per_cycle_, period_ticks_);
  const Arrivals ready{arrivals.first + latency, arrivals.step, arrivals.count};
  return bus_.serve(ready, transfer, row_hit ? 0 : row_miss_ticks_).span(transfer);
}

Span MemoryController::serve_range(tlm::tlm_command command, uint64_t address, uint64_t unit_bytes,
                                   uint64_t length_bytes, const Arrivals& arrivals) {
  Span done;
  // Whole units row by row, then a shorter last one on its own.
  const uint64_t whole = std::min(arrivals.count, length_bytes / unit_bytes);
  for (uint64_t index = 0; index < arrivals.count;) {
    const uint64_t at = address + index * unit_bytes;
    const uint64_t row_end = ((at >> row_shift_) + 1) << row_shift_;
    const uint64_t in_row =
        index < whole ? std::min(whole - index, (row_end - at + unit_bytes - 1) / unit_bytes) : 1;
    const uint64_t bytes = index < whole ? unit_bytes : length_bytes - index * unit_bytes;
    const Span piece = serve(command, at, bytes, {arrivals.at(index), arrivals.step, in_row});
    if (index == 0) done.first = piece.first;
    done.last = piece.last;
    index += in_row;
  }
  return done;
}

Ticks MemoryController::unloaded_latency(tlm::tlm_command command, uint64_t bytes) const {
  return (command == tlm::TLM_WRITE_COMMAND ? write_latency_ticks_ : read_latency_ticks_) +
         transfer_ticks(bytes, bytes_per_cycle_, period_ticks_);
}

void MemoryController::settle(Ticks time) {
  bus_.settle(time);
  std::fill(open_rows_.begin(), open_rows_.end(), kNoRow);
}

}  // namespace zxvp
