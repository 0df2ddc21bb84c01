// Baseline forecasters, the floor every fitted model must beat: naive (the last value), seasonal
// naive (the value one season back) and drift (the line through the first and last values).
// Interval widths follow the usual formulas for these methods, from the variance of their one-step
// residuals: naive sigma*sqrt(h); seasonal naive sigma*sqrt(floor((h-1)/s)+1); drift
// sigma*sqrt(h*(1+h/(n-1))), n being the length of the series the drift was fitted on.
//
// A fit keeps its parameters (drift, sigma2), so it can forecast later data of the same series
// without refitting, as the model registry does.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "forecast/models/arima.h"

namespace meteoflow::forecast {

enum class BaselineKind { kNaive, kSeasonalNaive, kDrift };

struct BaselineFit {
  BaselineKind kind = BaselineKind::kNaive;
  int season = 0;     // seasonal naive only
  double drift = 0;   // drift only: slope per step
  double sigma2 = 0;  // of the one-step residuals
  double loglik = 0;  // Gaussian, of those residuals
  int nobs = 0;       // residuals
};

Result<BaselineFit> FitBaseline(const std::vector<double>& y, BaselineKind kind, int season);
// Forecasts the `horizon` steps after the end of `y` (the fitted series or a later one).
Result<ArimaForecast> ForecastBaseline(const BaselineFit& fit, const std::vector<double>& y, int horizon,
                                       double level = 0.95);

}  // namespace meteoflow::forecast
