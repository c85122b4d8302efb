#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace zxvp {

// A curve against working-set size that steps at each cache level: load-to-use latency rises,
// bandwidth falls, roughly flat in between. The fit splits the points (sizes increasing) into
// plateaus, one a level and one beyond the last, choosing the split that leaves the least
// squared error in the logarithm of the values (a step is a ratio, whatever the unit).
struct StepLevel {
  uint64_t size_bytes = 0;  // the largest working set on this level's plateau
  double value = 0;         // the plateau: the median of its points
};

struct Steps {
  std::vector<StepLevel> levels;  // nearest the core first
  double beyond = 0;              // the plateau past the last level (memory)
  double rms_log_error = 0;       // of the points against their plateaus
};

struct StepPoint {
  uint64_t bytes = 0;
  double value = 0;  // > 0
};

// Fits `levels` steps (levels + 1 plateaus) to `curve`; needs more points than levels.
Steps fit_steps(const std::vector<StepPoint>& curve, size_t levels);

// The fewest levels, from 1 to `max_levels`, whose fit leaves an rms log error of at most
// `tolerance` (0.1: about 10%), or `max_levels` when none does: how many caches a curve shows.
size_t count_steps(const std::vector<StepPoint>& curve, size_t max_levels, double tolerance);

}  // namespace zxvp
