#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "sw/workloads/calibration/host_measurements.h"
#include "sw/workloads/calibration/model_workloads.h"

namespace zxvp {

// One parameter the calibration set, and the measurement it came from.
struct FittedValue {
  std::string key;
  std::string value;
  std::string source;  // the measurement and how the value follows from it
};

// A platform fitted to a host: the default assembly with `values` over the default platform.
struct FittedPlatform {
  std::vector<FittedValue> values;  // in the order they were fitted
  std::vector<std::string> notes;   // what the fit could not take as measured, and what it did

  // The value of `key`, or empty when the fit did not set it.
  std::string value(const std::string& key) const;
  void set(const std::string& key, const std::string& value, const std::string& source);
  std::vector<std::pair<std::string, std::string>> params() const;
};

// The caches the fit starts from: sysfs's when the host described them (note empty); otherwise
// measured from the latency curve: as many levels as it has steps (at most four), each as large
// as the largest working set on its step, the last taken as shared, ways the default
// platform's, and `note` says so. Throws std::runtime_error when there is nothing to go on.
CacheGeometry cache_geometry_for(const HostMeasurements& host);

// Runs simulated machines (in a child process in zxvp: each step of the fit elaborates anew).
using Simulate =
    std::function<std::vector<std::vector<ModelResult>>(const std::vector<ModelMachine>&)>;

// Fits the default assembly to the fitting measurements of `host` (never the validation ones):
// - the clock from the add chain; cache levels, sizes, ways and line from sysfs (or
//   cache_geometry_for's measured fallback);
// - load-to-use latencies per level and the memory's from the chase, by simulating the chase
//   on the machine and correcting each level by what it is off (the levels add up);
// - stores that read their lines first, as the copy loop's ordinary stores do;
// - misses in flight by Little's law on the most a loop reads from each level, and the
//   prefetchers' distance from the memory's latency at the copy's rate;
// - each level's port bandwidth and the memory's bus, by simulating the copy loop on candidates
//   and taking the one that matches the measured copy bandwidth on that level; then each
//   level's effective size (the described one or a power-of-two fraction of it) by how well the
//   simulated copy loop follows the measured one around it;
// - trap costs from the null system call; fault and page-allocation costs from the zero-page
//   fault and the first touch, less what the simulated machine already spends on them;
// - the write path's cost per page (kernel.page_lookup_cycles) and per call
//   (kernel.handle_lookup_cycles) from pwrites of 1 byte and of 2 bytes across two pages,
//   likewise.
// `simulate` runs the candidate machines; progress goes to `progress`.
FittedPlatform fit_platform(const HostMeasurements& host, const Simulate& simulate,
                            std::ostream& progress);

}  // namespace zxvp
