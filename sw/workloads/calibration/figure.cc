#include "sw/workloads/calibration/figure.h"

#include <algorithm>

namespace zxvp {

double median_of(std::vector<double> samples) {
  if (samples.empty()) return 0.0;
  std::sort(samples.begin(), samples.end());
  const size_t n = samples.size();
  return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
}

Figure Figure::of(std::vector<double> samples) {
  Figure figure;
  if (samples.empty()) return figure;
  const auto [low, high] = std::minmax_element(samples.begin(), samples.end());
  figure.low = *low;
  figure.high = *high;
  figure.repetitions = samples.size();
  figure.median = median_of(std::move(samples));
  return figure;
}

}  // namespace zxvp
