#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "sim/params/parameter_set.h"
#include "sw/kernel/cycle_account.h"
#include "sw/workloads/system.h"

namespace zxvp {

// What `zxvp` runs by default: zx_vmo_write on the chosen platform, the core's copy side by side
// with the DMA engine's (two systems, identical but for kernel.copy_engine), from 64 B to 4 MiB,
// each into a fresh VMO (cold) and again (warm); a snapshot child's fork-on-write; and an
// uncached VMO's rejection.
class BuiltinStudy {
 public:
  static constexpr size_t kEngines = 2;  // cpu, dma

  explicit BuiltinStudy(const ParameterSet& parameters);

  void start();  // before sc_start()
  bool finished() const;
  void print(std::ostream& out) const;
  boost::json::value statistics_json() const;

 private:
  struct Measurement {
    uint64_t size = 0;
    CallRecord cold;
    CallRecord warm;
  };
  struct Results {
    std::vector<Measurement> writes;
    CallRecord fork;
    CallRecord after_fork;
    CallRecord uncached;
    zx_status_t uncached_status = ZX_OK;
    bool finished = false;
  };

  void run(System& system, Results& results);

  const ParameterSet& parameters_;
  std::vector<std::unique_ptr<System>> systems_;
  Results results_[kEngines];
};

}  // namespace zxvp
