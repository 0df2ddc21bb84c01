// The standard normal quantile for a two-sided interval, shared by the forecasters.
//
// Thread-safety: pure function.
#pragma once

#include <cmath>

namespace meteoflow::forecast {

// z with P(|Z| <= z) = level, by bisection on the normal CDF (level in (0, 1)).
inline double TwoSidedNormalQuantile(double level) {
  double lo = 0, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < (1 + level) / 2 ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace meteoflow::forecast
