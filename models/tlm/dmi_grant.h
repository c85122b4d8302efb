#pragma once

#include <array>
#include <cstddef>
#include <tlm>

#include "models/tlm/access_timing.h"
#include "models/tlm/traffic_counters.h"

namespace zxvp {

// Rides on the payload of a get_direct_mem_ptr request. tlm_dmi carries one latency per access;
// the target adds its bandwidth here, and every component on the path (the bus, the target)
// adds its latency and the counters its statistics keep, so that an initiator using DMI
// charges exactly what b_transport would and the statistics see the same traffic.
class DmiGrant : public tlm::tlm_extension<DmiGrant> {
 public:
  static constexpr size_t kMaxCounters = 4;

  AccessTiming timing;
  bool timing_valid = false;

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
