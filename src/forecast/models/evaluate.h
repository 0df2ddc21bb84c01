// Honest evaluation of forecasts and of the rule that picks among them: nested rolling origins.
//
// Origins are placed at the end of a series, max(horizons) steps apart (so the scored windows do
// not overlap). At each origin the selection rule sees only the data before it: the candidates
// are backtested there exactly as the train stage does (forecast/backtest.h: `select_origins`
// windows of `select_horizon` steps, lowest RMSE wins), then every candidate is fitted on that
// data and forecast max(horizons) steps. The steps after the origin are scored at each asked
// horizon, for each candidate and for "selection" (whatever the rule chose there, the train
// stage's fallback included: the next best when the chosen one cannot be fitted). Skill is
// against persistence, the value at the origin (ErrorStats).
//
// Origins whose data is too short for the rule's backtest are skipped; candidates and the rule
// are scored on the same origins.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "forecast/models/error_stats.h"
#include "forecast/models/model.h"

namespace meteoflow::forecast {

struct EvaluateOptions {
  std::vector<int> horizons = {1, 6, 24};  // steps ahead scored, each >= 1
  int origins = 5;                         // outer origins
  int select_origins = 3;                  // the rule's backtest (config forecast.origins ...
  int select_horizon = 6;                  // ... and forecast.horizon)
  double persistence_margin = 1.0;         // the rule's (ChoiceOrder; forecast.persistence_margin)
};

inline constexpr const char* kSelectionName = "selection";

struct Evaluation {
  int origins = 0;                                      // origins scored
  std::map<std::string, int> chosen;                    // candidate -> origins where the rule chose it
  std::map<std::string, std::map<int, ErrorStats>> by;  // "selection" or a candidate -> horizon -> scores

  // Pools another series' evaluation into this one (the same candidates and horizons).
  void Merge(const Evaluation& other);
};

// `exog`: regressor columns beside y (the weather service's forecast, for nwp and nwp-arima).
Result<Evaluation> Evaluate(const std::vector<double>& y, const std::vector<ModelSpec>& candidates,
                            const EvaluateOptions& options, const Regressors& exog = {});

}  // namespace meteoflow::forecast
