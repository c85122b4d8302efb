#pragma once

#include <tlm>

#include "sim/time/batch_timing.h"

namespace zxvp {

// Rides on a transaction to ask how long it would take with nothing in its way: the target adds
// its own latency and transfer time, every component on the path its hop. Initiators that keep
// several accesses in flight (caches with MSHRs, a DMA engine) use it with Little's law: n in
// flight cannot complete faster than n per unloaded latency. Targets that do not know it leave
// it untouched.
class UnloadedLatency : public tlm::tlm_extension<UnloadedLatency> {
 public:
  Ticks ticks = 0;

  tlm::tlm_extension_base* clone() const override { return new UnloadedLatency(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    ticks = static_cast<const UnloadedLatency&>(other).ticks;
  }
};

}  // namespace zxvp
