#include "forecast/models/baselines.h"

#include <cmath>

#include "forecast/models/normal.h"

namespace meteoflow::forecast {
namespace {

constexpr double kLog2Pi = 1.8378770664093453;

Status CheckValues(const std::vector<double>& y) {
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) return Status::InvalidArgument("value " + std::to_string(i) + " is not finite");
  }
  return Status::OK();
}

size_t LagOf(const BaselineFit& fit) {
  return fit.kind == BaselineKind::kSeasonalNaive ? static_cast<size_t>(fit.season) : 1;
}

}  // namespace

Result<BaselineFit> FitBaseline(const std::vector<double>& y, BaselineKind kind, int season) {
  MF_RETURN_IF_ERROR(CheckValues(y));
  if (kind == BaselineKind::kSeasonalNaive && season < 2) {
    return Status::InvalidArgument("seasonal naive needs a period s >= 2");
  }
  BaselineFit fit;
  fit.kind = kind;
  fit.season = kind == BaselineKind::kSeasonalNaive ? season : 0;
  const size_t lag = LagOf(fit), n = y.size();
  if (n < lag + 2) {
    return Status::InvalidArgument(std::to_string(n) + " observations are too few for this baseline");
  }
  if (kind == BaselineKind::kDrift) fit.drift = (y[n - 1] - y[0]) / static_cast<double>(n - 1);
  double sum2 = 0;
  for (size_t t = lag; t < n; ++t) {
    const double e = y[t] - y[t - lag] - fit.drift;
    sum2 += e * e;
  }
  fit.nobs = static_cast<int>(n - lag);
  fit.sigma2 = sum2 / fit.nobs;
  fit.loglik = fit.sigma2 > 0 ? -0.5 * fit.nobs * (kLog2Pi + std::log(fit.sigma2) + 1) : INFINITY;
  return fit;
}

Result<ArimaForecast> ForecastBaseline(const BaselineFit& fit, const std::vector<double>& y, int horizon,
                                       double level) {
  if (horizon < 1 || horizon > 10000) return Status::InvalidArgument("horizon must be in [1, 10000]");
  if (!(level > 0 && level < 1)) return Status::InvalidArgument("interval level must be in (0, 1)");
  MF_RETURN_IF_ERROR(CheckValues(y));
  const size_t lag = LagOf(fit), n = y.size();
  if (n < lag) return Status::InvalidArgument(std::to_string(n) + " observations are too few for this baseline");
  const double z = TwoSidedNormalQuantile(level), sigma = std::sqrt(fit.sigma2);
  const double fitted_span = std::max(1, fit.nobs);  // n - 1 of the fitted series, for the drift's variance
  ArimaForecast out;
  for (int h = 1; h <= horizon; ++h) {
    double mean, sd;
    if (fit.kind == BaselineKind::kSeasonalNaive) {
      const size_t back = lag - (static_cast<size_t>(h - 1) % lag);
      mean = y[n - back];
      sd = sigma * std::sqrt(std::floor((h - 1.0) / static_cast<double>(lag)) + 1);
    } else {
      mean = y[n - 1] + fit.drift * h;
      sd = fit.kind == BaselineKind::kDrift ? sigma * std::sqrt(h * (1 + h / fitted_span))
                                            : sigma * std::sqrt(static_cast<double>(h));
    }
    out.mean.push_back(mean);
    out.lower.push_back(mean - z * sd);
    out.upper.push_back(mean + z * sd);
  }
  return out;
}

}  // namespace meteoflow::forecast
