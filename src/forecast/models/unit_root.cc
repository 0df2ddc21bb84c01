#include "forecast/models/unit_root.h"

#include <cmath>
#include <numeric>

namespace meteoflow::forecast {

double KpssStatistic(const std::vector<double>& y, int lags) {
  const size_t n = y.size();
  if (n < 3) return NAN;
  if (lags < 0) lags = static_cast<int>(3 * std::sqrt(static_cast<double>(n)) / 13);
  lags = std::min(lags, static_cast<int>(n) - 1);
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  std::vector<double> e(n);
  for (size_t t = 0; t < n; ++t) e[t] = y[t] - mean;
  double partial = 0, eta = 0;
  for (double v : e) {
    partial += v;
    eta += partial * partial;
  }
  double s2 = 0;
  for (double v : e) s2 += v * v;
  for (int i = 1; i <= lags; ++i) {
    double cov = 0;
    for (size_t t = static_cast<size_t>(i); t < n; ++t) cov += e[t] * e[t - static_cast<size_t>(i)];
    s2 += 2 * (1 - i / (lags + 1.0)) * cov;
  }
  const double nn = static_cast<double>(n);
  s2 /= nn;
  if (!(s2 > 1e-300)) return NAN;
  return eta / (nn * nn) / s2;
}

DifferencingChoice ChooseDifferencing(const std::vector<double>& y, int max_d) {
  DifferencingChoice out;
  std::vector<double> w = y;
  for (out.d = 0; out.d < max_d; ++out.d) {
    const double stat = KpssStatistic(w);
    out.statistics.push_back(stat);
    if (!(stat > kKpssCritical5)) break;  // not rejected, or no variation left to test
    for (size_t t = 0; t + 1 < w.size(); ++t) w[t] = w[t + 1] - w[t];
    w.pop_back();
  }
  return out;
}

}  // namespace meteoflow::forecast
