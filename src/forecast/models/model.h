// One interface over every forecaster: a ModelSpec names what to fit (a baseline, a fixed ARIMA
// order, an order search, the boosted lag model); FitModel turns it into a FittedModel that can
// forecast the series it was fitted on or any later stretch of it without refitting (the predict
// stage uses a registry's fits that way). FittedModels round-trip through JSON for the registry.
//
// Spec names (config `forecast.candidates`, CLI): "naive", "snaive" (season s), "drift",
// "arima" = ARIMA(1,1,1) and "sarima" = SARIMA(1,1,1)(1,1,1,s) (the original pipeline's two, with
// statsmodels' approximate diffuse start, as the original fitted them),
// "auto" (d by KPSS tests, then a stepwise order search by AICc; non-seasonal: sarima covers
// the season),
// "xgb" (boosted lags),
// "nwp" (the weather service's own forecast, given as the one regressor: forecast = its value
// at each step, interval from its in-sample errors) and "nwp-arima" (regression on that forecast
// with ARIMA(1,0,0) errors and a constant -- SARIMAX with the forecast as the exogenous variable:
// the statistical post-processing of numerical weather prediction, which learns its bias and
// scale). Both need the regressor over the series and over the horizon; without it they fail.
// Over the series it may be missing (NaN) at the start -- before the service's forecasts were
// collected: they then fit and filter only the stretch after its last missing value.
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

enum class ModelKind { kBaseline, kArima, kAutoArima, kBoostedLags, kNwp, kNwpArima };

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
// The specs of every name, in order; the first unknown name is the error.
Result<std::vector<ModelSpec>> SpecsNamed(const std::vector<std::string>& names, int season);

// kNwp: how the weather service's forecast missed over the fitted series (actual - forecast).
struct NwpFit {
  double bias = 0;    // mean error
  double sigma2 = 0;  // mean squared error
  int nobs = 0;
};

struct FittedModel {
  ModelSpec spec;
  ArimaModel arima;  // kArima, kAutoArima, kNwpArima
  BaselineFit baseline;
  BoostedLagModel boosted;
  NwpFit nwp;
  // kAutoArima: the fit of every order the search tried, to start the next search from (not
  // stored in the registry).
  WarmFits searched;

  // What was fitted, e.g. "naive", "ARIMA(2,1,0)", "boosted lags(6)".
  std::string Describe() const;
  double sigma2() const;
};

// True for the kinds that need the weather service's forecast as their one regressor.
bool NeedsRegressor(ModelKind kind);

// `exog`: the regressor columns beside y (used by nwp and nwp-arima, ignored by the rest).
// `warm`: a fit of the same spec on an earlier stretch of y; the ARIMA kinds start from its
// estimates (arima.h, warm starts), the rest ignore it.
Result<FittedModel> FitModel(const ModelSpec& spec, const std::vector<double>& y, const Regressors& exog = {},
                             const FittedModel* warm = nullptr);
// Forecasts the `horizon` steps after the end of `y`; nwp and nwp-arima need the regressor beside
// y (`exog`) and over the horizon (`future`).
Result<ArimaForecast> ForecastModel(const FittedModel& model, const std::vector<double>& y, int horizon,
                                    double level = 0.95, const Regressors& exog = {}, const Regressors& future = {});

}  // namespace meteoflow::forecast
