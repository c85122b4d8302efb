#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "platforms/default_platform.h"

namespace zxvp {

// The platform's self-check: the traffic initiator writes a pseudo-random pattern over a window
// of memory in line-sized and page-sized accesses, reads it back both ways, and compares the
// simulated time of each pass with the closed form of the parameters: each access waits for the
// one before, so it costs bus hop + memory latency + ceil(size / bytes_per_cycle) memory cycles,
// plus the row miss when it opens a row (its bank had another row open).
class MemoryProbe {
 public:
  struct Pass {
    std::string name;
    bool write = false;
    uint64_t access_bytes = 0;
    uint64_t accesses = 0;
    sc_core::sc_time simulated;
    sc_core::sc_time expected;
  };

  MemoryProbe(DefaultPlatform& platform, uint64_t window_bytes);

  // Spawns the probe's thread; call before sc_start().
  void spawn();

  bool finished() const { return finished_; }
  bool data_ok() const { return mismatched_bytes_ == 0 && failed_accesses_ == 0; }
  bool timing_ok() const;
  const std::vector<Pass>& passes() const { return passes_; }
  void print(std::ostream& out) const;

 private:
  void run();

  DefaultPlatform& platform_;
  uint64_t window_bytes_;
  std::vector<Pass> passes_;
  uint64_t mismatched_bytes_ = 0;
  uint64_t failed_accesses_ = 0;
  bool finished_ = false;
};

}  // namespace zxvp
