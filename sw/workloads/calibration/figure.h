#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace zxvp {

// A figure measured several times: the median of its repetitions and their spread (the lowest and
// the highest). On a shared machine single runs mislead; the median and the range do not.
struct Figure {
  double median = 0;
  double low = 0;
  double high = 0;
  size_t repetitions = 0;

  static Figure of(std::vector<double> samples);
  // The range as a fraction of the median.
  double spread() const { return median > 0 ? (high - low) / median : 0.0; }
};

// A figure against a size (a working set, a call's bytes), sizes increasing.
struct CurvePoint {
  uint64_t bytes = 0;
  Figure value;
};
using Curve = std::vector<CurvePoint>;

// The median of `samples` (the mean of the middle two for an even count); 0 for none.
double median_of(std::vector<double> samples);

}  // namespace zxvp
