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
// with the DMA engine's, not coherent and coherent (three systems, identical but for
// kernel.copy_engine and dma.coherent), from 64 B to 4 MiB. Every row starts from a settled
// machine (caches and TLBs empty, memory idle, nothing owed, the same free pages), so that no
// row depends on another: a fresh VMO (cold), then the same call again (warm). Then a snapshot
// child's fork-on-write and an uncached VMO's rejection.
class BuiltinStudy {
 public:
  static constexpr size_t kEngines = 3;  // cpu, dma not coherent, dma coherent

  // The write sizes, in the order they run (the standard list unless a test asks otherwise).
  static std::vector<uint64_t> standard_sizes();

  // `name` prefixes the systems' module names (two studies can share a simulation).
  explicit BuiltinStudy(const ParameterSet& parameters,
                        std::vector<uint64_t> sizes = standard_sizes(),
                        const std::string& name = "study");

  void start();  // before sc_start()
  bool finished() const;
  void print(std::ostream& out) const;
  boost::json::value statistics_json() const;

  struct Measurement {
    uint64_t size = 0;
    CallRecord cold;
    CallRecord warm;
  };
  // The rows of an engine (0 cpu, 1 dma not coherent, 2 dma coherent), in the order they ran.
  const std::vector<Measurement>& writes(size_t engine) const { return results_[engine].writes; }

 private:
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
  std::vector<uint64_t> sizes_;
  std::string name_;
  std::vector<std::unique_ptr<System>> systems_;
  Results results_[kEngines];
};

}  // namespace zxvp
