// A gradient-boosted lag-feature forecaster on the XGBoost C API (Debian's libxgboost).
//
// The model predicts the next step's change d_t = y_t - y_{t-1} from the previous `lags` changes
// (working on changes lets trees, which cannot extrapolate, follow a level they never saw).
// Forecasts are recursive: each predicted change feeds the next step's features. Intervals take
// sigma2, the variance of the in-sample one-step errors, as a random walk's: +-z sigma sqrt(h).
// Training is deterministic (fixed seed, one thread), so a refit on the same data gives the same
// model. A fit keeps the trained booster in memory (forecasts from it need no parsing: backtests
// fit and forecast thousands of times); BoosterText gives XGBoost's own JSON model text, which the
// registry stores and a model decoded from it forecasts with.
//
// Errors: non-finite values or too few observations (fewer than 2 * lags + 3) are
// InvalidArgument; a failure inside XGBoost is Internal with XGBoost's message.
//
// Thread-safety: pure functions; copies of one fit share its booster, so forecast from one thread
// at a time per fit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "forecast/models/arima.h"

namespace meteoflow::forecast {

struct BoostedLagOptions {
  int lags = 6;
  int rounds = 50;
  int max_depth = 3;
  double learning_rate = 0.1;
};

struct BoostedLagModel {
  BoostedLagOptions options;
  std::string booster;            // XGBoost's JSON model when decoded from it; empty after a fit
  std::shared_ptr<void> trained;  // the booster a fit trained in this process, else null
  double sigma2 = 0;              // of the in-sample one-step errors
  int nobs = 0;                   // training rows
};

// The booster as XGBoost's JSON model text (`booster`, or the trained one serialised; empty
// when there is neither or XGBoost fails to write it).
std::string BoosterText(const BoostedLagModel& model);

Result<BoostedLagModel> FitBoostedLags(const std::vector<double>& y, const BoostedLagOptions& options = {});
// Forecasts the `horizon` steps after the end of `y` (the fitted series or a later one).
Result<ArimaForecast> ForecastBoostedLags(const BoostedLagModel& model, const std::vector<double>& y, int horizon,
                                          double level = 0.95);

}  // namespace meteoflow::forecast
