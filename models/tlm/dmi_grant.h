#pragma once

#include <array>
#include <cstddef>
#include <tlm>

#include "models/memory/memory_controller.h"
#include "models/tlm/traffic_counters.h"
#include "sim/time/batch_timing.h"

namespace zxvp {

// Rides on the payload of a get_direct_mem_ptr request. tlm_dmi carries one latency per access;
// the target adds the timing model that b_transport would consult (its MemoryController, which
// keeps the memory's bus and rows busy for every initiator), every component on the path adds
// its latency (`hop_ticks`) and address offset, and each adds the counters its statistics keep,
// so that an initiator using DMI is timed exactly as b_transport would time it and the
// statistics see the same traffic.
class DmiGrant : public tlm::tlm_extension<DmiGrant> {
 public:
  static constexpr size_t kMaxCounters = 4;

  // Null when the target gives no timing model (its accesses then cost the tlm_dmi latencies).
  MemoryController* controller = nullptr;
  // Initiator address minus the controller's local address.
  uint64_t address_offset = 0;
  // Latency on the way to the target (the bus's hops).
  Ticks hop_ticks = 0;

  void add_counters(TrafficCounters* counters) {
    if (counter_count_ < kMaxCounters) counters_[counter_count_++] = counters;
  }
  void record(tlm::tlm_command command, uint64_t length_bytes, uint64_t transactions = 1) const {
    for (size_t i = 0; i < counter_count_; ++i)
      counters_[i]->record(command, length_bytes, transactions);
  }

  tlm::tlm_extension_base* clone() const override { return new DmiGrant(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const DmiGrant&>(other);
  }

 private:
  std::array<TrafficCounters*, kMaxCounters> counters_{};
  size_t counter_count_ = 0;
};

}  // namespace zxvp
