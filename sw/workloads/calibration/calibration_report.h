#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "sw/workloads/calibration/host_measurements.h"
#include "sw/workloads/calibration/platform_fit.h"
#include "sw/workloads/calibration/validation.h"

namespace zxvp {

// How far a validation workload's predictions are from its measurements, against the issue's
// targets for it (a median and a worst absolute error).
struct Accuracy {
  std::string workload;
  double median_error = 0;  // absolute, a fraction
  double worst_error = 0;
  uint64_t worst_bytes = 0;
  double target_median = 0;
  double target_worst = 0;
  std::vector<uint64_t> beyond;  // sizes whose error exceeds the worst target

  bool met() const { return median_error <= target_median && worst_error <= target_worst; }
};

std::vector<Accuracy> accuracy_of(const Validation& validation);

// What a report says about how it was made.
struct RunContext {
  std::string command;        // as typed
  std::string platform_file;  // where the fitted platform went
  bool quick = false;
};

// Writes report.md (the tables, what missed its target and why), results.csv (every
// comparison), measurements.json (every host figure with its spread) and the plots
// (validation.png/.svg and fitting.png/.svg, log-log, through gnuplot when it is installed)
// into `directory`. Returns a line for the user; throws std::runtime_error when it cannot write.
std::string write_report(const std::string& directory, const HostMeasurements& host,
                         const FittedPlatform& fit, const Validation& validation,
                         const RunContext& context);

// The fitted platform's key figures and the accuracy per workload, on one screen.
void print_summary(std::ostream& out, const HostMeasurements& host, const FittedPlatform& fit,
                   const Validation& validation, const RunContext& context);

}  // namespace zxvp
