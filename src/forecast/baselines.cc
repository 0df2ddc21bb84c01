#include "forecast/baselines.h"

#include <cmath>

namespace meteoflow::forecast {
namespace {

constexpr double kLog2Pi = 1.8378770664093453;

double NormalQuantile(double level) {
  double lo = 0, hi = 10;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(-mid / std::sqrt(2.0)) < (1 + level) / 2 ? lo : hi) = mid;
  }
  return lo;
}

}  // namespace

Result<BaselineFit> FitBaseline(const std::vector<double>& y, BaselineKind kind, int season, int horizon,
                                double level) {
  if (horizon < 1 || horizon > 10000) return Status::InvalidArgument("horizon must be in [1, 10000]");
  if (!(level > 0 && level < 1)) return Status::InvalidArgument("interval level must be in (0, 1)");
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) return Status::InvalidArgument("value " + std::to_string(i) + " is not finite");
  }
  const size_t lag = kind == BaselineKind::kSeasonalNaive ? static_cast<size_t>(season) : 1;
  if (kind == BaselineKind::kSeasonalNaive && season < 2) {
    return Status::InvalidArgument("seasonal naive needs a period s >= 2");
  }
  if (y.size() < lag + 2) {
    return Status::InvalidArgument(std::to_string(y.size()) + " observations are too few for this baseline");
  }
  BaselineFit fit;
  fit.kind = kind;
  fit.season = season;
  const size_t n = y.size();
  if (kind == BaselineKind::kDrift) fit.drift = (y[n - 1] - y[0]) / static_cast<double>(n - 1);
  double sum2 = 0;
  for (size_t t = lag; t < n; ++t) {
    const double e = y[t] - y[t - lag] - fit.drift;
    sum2 += e * e;
  }
  fit.nobs = static_cast<int>(n - lag);
  fit.sigma2 = sum2 / fit.nobs;
  fit.loglik = fit.sigma2 > 0 ? -0.5 * fit.nobs * (kLog2Pi + std::log(fit.sigma2) + 1) : INFINITY;
  const double z = NormalQuantile(level), sigma = std::sqrt(fit.sigma2);
  for (int h = 1; h <= horizon; ++h) {
    double mean, sd;
    if (kind == BaselineKind::kSeasonalNaive) {
      const size_t back = lag - (static_cast<size_t>(h - 1) % lag);
      mean = y[n - back];
      sd = sigma * std::sqrt(std::floor((h - 1.0) / static_cast<double>(lag)) + 1);
    } else {
      mean = y[n - 1] + fit.drift * h;
      sd = kind == BaselineKind::kDrift ? sigma * std::sqrt(h * (1 + h / static_cast<double>(n - 1)))
                                        : sigma * std::sqrt(static_cast<double>(h));
    }
    fit.forecast.mean.push_back(mean);
    fit.forecast.lower.push_back(mean - z * sd);
    fit.forecast.upper.push_back(mean + z * sd);
  }
  return fit;
}

}  // namespace meteoflow::forecast
