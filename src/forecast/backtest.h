// Rolling-origin backtests: each candidate forecaster is refitted at several origins near the end
// of a series and scored on the `horizon` values after each origin (origins `horizon` apart, so
// the scored windows do not overlap). Metrics pool every (origin, step): RMSE, MAE, MAPE (over
// non-zero actuals) and the share of actuals inside the 95 % interval. A candidate that cannot be
// fitted at an origin (too short, no variation) counts a failure there and is scored on the rest.
//
// Thread-safety: pure functions; candidates must be callable from the calling thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "forecast/arima.h"

namespace meteoflow::forecast {

struct Candidate {
  std::string name;
  std::function<Result<ArimaForecast>(const std::vector<double>& train, int horizon)> forecast;
};

struct BacktestScore {
  std::string name;
  int scored = 0;    // (origin, step) pairs
  int failures = 0;  // origins where the candidate could not forecast
  double rmse = 0, mae = 0, mape = 0, coverage = 0;
};

// The original pipeline's models and the baselines: naive, drift, ARIMA(1,1,1), AutoARIMA at
// d = 1, and with a season s >= 2 also seasonal naive and SARIMA(1,1,1)(1,1,1,s).
std::vector<Candidate> DefaultCandidates(int season);

// Scores, best (lowest RMSE among candidates that scored anything) first.
Result<std::vector<BacktestScore>> Backtest(const std::vector<double>& y, const std::vector<Candidate>& candidates,
                                            int origins, int horizon);

}  // namespace meteoflow::forecast
