// One interface over every forecaster: a ModelSpec names what to fit (a baseline, a fixed ARIMA
// order, an order search, the boosted lag model); FitModel turns it into a FittedModel that can
// forecast the series it was fitted on or any later stretch of it without refitting (the predict
// stage uses a registry's fits that way). FittedModels round-trip through JSON for the registry.
//
// Spec names (config `forecast.candidates`, CLI): "naive", "snaive" (season s), "drift",
// "arima" = ARIMA(1,1,1) and "sarima" = SARIMA(1,1,1)(1,1,1,s) (the original pipeline's two),
// "auto" (d by KPSS tests, then a stepwise order search by AICc; non-seasonal: sarima covers
// the season),
// "xgb" (boosted lags).
//
// Errors: fitting errors of the underlying model; a JSON document that is not a fitted model
// gives InvalidArgument naming the field.
//
// Thread-safety: values and pure functions.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "forecast/models/arima.h"
#include "forecast/models/baselines.h"
#include "forecast/models/boosted_lags.h"

namespace meteoflow::forecast {

enum class ModelKind { kBaseline, kArima, kAutoArima, kBoostedLags };

struct ModelSpec {
  std::string name;  // as in the header comment
  ModelKind kind = ModelKind::kBaseline;
  BaselineKind baseline = BaselineKind::kNaive;
  ArimaOrder order;       // kArima: the order; kAutoArima: d, D, s to search at
  bool choose_d = false;  // kAutoArima: d by KPSS tests (forecast/unit_root.h) instead of order.d
  // kArima: a linear time trend as a regressor (t = 1, 2, ... from the series' first value; for
  // trends "t" and "ct" without differencing, as statsmodels' ARIMA builds them).
  bool linear_trend = false;
  int season = 0;  // snaive's period
  BoostedLagOptions boosted;
};

// The spec called `name` (see the header); `season` is s for snaive, sarima and auto.
Result<ModelSpec> SpecNamed(const std::string& name, int season);

struct FittedModel {
  ModelSpec spec;
  ArimaModel arima;  // kArima, kAutoArima
  BaselineFit baseline;
  BoostedLagModel boosted;

  // What was fitted, e.g. "naive", "ARIMA(2,1,0)", "boosted lags(6)".
  std::string Describe() const;
  double sigma2() const;
};

Result<FittedModel> FitModel(const ModelSpec& spec, const std::vector<double>& y);
// Forecasts the `horizon` steps after the end of `y`.
Result<ArimaForecast> ForecastModel(const FittedModel& model, const std::vector<double>& y, int horizon,
                                    double level = 0.95);

}  // namespace meteoflow::forecast
