#include "sw/workloads/calibration/step_fit.h"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "sw/workloads/calibration/figure.h"

namespace zxvp {

namespace {

// Squared log error of points [first, last] around their mean log.
class SegmentCost {
 public:
  explicit SegmentCost(const std::vector<StepPoint>& curve) {
    sum_.push_back(0);
    squares_.push_back(0);
    for (const StepPoint& point : curve) {
      const double log = std::log(point.value);
      sum_.push_back(sum_.back() + log);
      squares_.push_back(squares_.back() + log * log);
    }
  }
  double operator()(size_t first, size_t last) const {
    const double n = static_cast<double>(last - first + 1);
    const double sum = sum_[last + 1] - sum_[first];
    return std::max(0.0, squares_[last + 1] - squares_[first] - sum * sum / n);
  }

 private:
  std::vector<double> sum_;
  std::vector<double> squares_;
};

}  // namespace

Steps fit_steps(const std::vector<StepPoint>& curve, size_t levels) {
  const size_t n = curve.size();
  const size_t segments = levels + 1;
  if (levels == 0 || n < segments) {
    throw std::invalid_argument("a fit of " + std::to_string(levels) + " steps needs at least " +
                                std::to_string(segments) + " points");
  }
  for (const StepPoint& point : curve) {
    if (!(point.value > 0)) throw std::invalid_argument("step fit: values must be positive");
  }
  const SegmentCost cost(curve);
  constexpr double kInfinite = std::numeric_limits<double>::infinity();
  // best[s][i]: the least cost of points [0, i) in s segments; from[s][i]: where the last begins.
  std::vector<std::vector<double>> best(segments + 1, std::vector<double>(n + 1, kInfinite));
  std::vector<std::vector<size_t>> from(segments + 1, std::vector<size_t>(n + 1, 0));
  best[0][0] = 0;
  for (size_t s = 1; s <= segments; ++s) {
    for (size_t end = s; end <= n; ++end) {
      for (size_t begin = s - 1; begin < end; ++begin) {
        if (best[s - 1][begin] == kInfinite) continue;
        const double total = best[s - 1][begin] + cost(begin, end - 1);
        if (total < best[s][end]) {
          best[s][end] = total;
          from[s][end] = begin;
        }
      }
    }
  }
  std::vector<size_t> starts(segments);
  for (size_t s = segments, end = n; s > 0; --s) {
    starts[s - 1] = from[s][end];
    end = starts[s - 1];
  }
  Steps steps;
  for (size_t s = 0; s < segments; ++s) {
    const size_t end = s + 1 < segments ? starts[s + 1] : n;
    std::vector<double> values;
    for (size_t i = starts[s]; i < end; ++i)
      values.push_back(curve[i].value);
    const double plateau = median_of(values);
    if (s < levels) {
      steps.levels.push_back({curve[end - 1].bytes, plateau});
    } else {
      steps.beyond = plateau;
    }
  }
  steps.rms_log_error = std::sqrt(best[segments][n] / static_cast<double>(n));
  return steps;
}

size_t count_steps(const std::vector<StepPoint>& curve, size_t max_levels, double tolerance) {
  for (size_t levels = 1; levels < max_levels && levels + 1 <= curve.size(); ++levels) {
    if (fit_steps(curve, levels).rms_log_error <= tolerance) return levels;
  }
  return max_levels;
}

}  // namespace zxvp
