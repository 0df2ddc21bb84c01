// Rolling-origin backtests: each candidate model is refitted at several origins near the end of a
// series and scored on the `horizon` values after each origin (origins `horizon` apart, so the
// scored windows do not overlap). Metrics pool every (origin, step): RMSE, MAE, MAPE (over
// non-zero actuals) and the share of actuals inside the 95 % interval. A candidate that cannot be
// fitted at an origin (too short, no variation) counts a failure there and is scored on the rest.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "forecast/models/model.h"

namespace meteoflow::forecast {

struct BacktestScore {
  std::string name;  // the candidate's spec name
  int scored = 0;    // (origin, step) pairs
  int failures = 0;  // origins where the candidate could not forecast
  double rmse = 0, mae = 0, mape = 0, coverage = 0;
};

// naive, drift, arima, auto, xgb, and with a season s >= 2 also snaive and sarima: the original
// pipeline's two models, the baselines, the order search and the boosted lag model; with the
// weather service's forecast at hand also nwp and nwp-arima.
std::vector<ModelSpec> DefaultCandidates(int season, bool with_forecast = false);

// Scores, best (lowest RMSE among candidates that scored anything) first. `exog`: regressor
// columns beside y (the weather service's forecast for nwp and nwp-arima), cut at each origin
// into what the fit sees and what the forecast gets over the horizon. Origins are fitted earliest
// first, each fit warm-started from the one before (model.h). With `last_fits`, it receives each
// candidate's fit at the last origin, by candidate name, to warm-start a fit on the whole series.
Result<std::vector<BacktestScore>> Backtest(const std::vector<double>& y, const std::vector<ModelSpec>& candidates,
                                            int origins, int horizon, const Regressors& exog = {},
                                            std::map<std::string, FittedModel>* last_fits = nullptr);

// The selection rule: the names of the scored candidates in the order the rule tries them -- by
// backtest RMSE, except that "naive" (persistence) goes first unless the best candidate's RMSE is
// at most `persistence_margin` times naive's. A margin of 1 is plain lowest-RMSE; below 1 a model
// must beat "no change" clearly to be chosen (short, noisy backtests otherwise pick models that
// forecast worse than it: docs/FORECASTING.md).
std::vector<std::string> ChoiceOrder(const std::vector<BacktestScore>& scores, double persistence_margin = 1.0);

// Rows [from, to) of every column.
Regressors SliceRegressors(const Regressors& x, size_t from, size_t to);

}  // namespace meteoflow::forecast
