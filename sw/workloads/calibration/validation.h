#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sw/workloads/calibration/host_measurements.h"
#include "sw/workloads/calibration/platform_fit.h"

namespace zxvp {

// A measured figure against the fitted platform's prediction of it.
struct Comparison {
  uint64_t bytes = 0;
  Figure measured;
  double predicted = 0;

  // (predicted - measured) / measured.
  double error() const { return (predicted - measured.median) / measured.median; }
};

// A curve measured on the host and the same workload on the fitted platform.
struct Series {
  std::string name;   // "memcpy warm"
  std::string unit;   // "ns"
  std::string model;  // what the simulated machine ran
  std::vector<Comparison> points;
};

struct Validation {
  // Workloads the fit never saw: memcpy and pwrite against zx_vmo_write, in ns per call.
  std::vector<Series> validation;
  // The fit's own measurements (the chase and the copy loop) on the fitted platform: how well
  // the fit reproduces what it was given.
  std::vector<Series> fitting;
  // The kernel's costs a page on the fitted platform, at one page: the zero-page fault and the
  // commit were fitted to; the first touch (a fault that allocates and zero-fills) was not.
  std::vector<Series> page_costs;
};

// Runs the validation workloads and the fitting workloads on the platform file `platform_file`
// (as written: the file is what is checked) through `simulate`, and pairs them with `host`.
Validation validate(const HostMeasurements& host, const std::string& platform_file,
                    const Simulate& simulate);

}  // namespace zxvp
