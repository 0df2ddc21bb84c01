// The train stage: chooses and fits one model per (city, variable) and records it in the model
// registry, from which the predict stage forecasts.
//
// For a run with logical date D, each city's rows in [D - window_days, D) give one regular
// series per forecast variable (forecast/store_series.h). Series shorter than min_observations
// are left untrained (counted). The others are backtested over the configured candidates
// (rolling origins, forecast/backtest.h); the candidate with the lowest RMSE is refitted on the
// whole series and registered with every candidate's metrics, the window and a fingerprint of
// the data. A chosen candidate that cannot be fitted on the whole series gives way to the next
// best. Series are trained in parallel (one per core); registration is one transaction, and
// re-running a run over unchanged data adds no versions.
//
// Thread-safety: one Run at a time per stage object.
#pragma once

#include <map>
#include <string>

#include "core/config.h"
#include "forecast/registry.h"
#include "store/store.h"

namespace meteoflow {

struct TrainStats {
  int64_t series = 0;                     // (city, variable) pairs with any data in the window
  int64_t trained = 0;                    // registered (new or unchanged)
  int64_t new_versions = 0;               // of those, new registry versions
  int64_t too_short = 0;                  // fewer than min_observations steps
  int64_t failed = 0;                     // no candidate could be fitted
  std::map<std::string, int64_t> chosen;  // candidate name -> series that chose it
};

class TrainStage {
 public:
  TrainStage(Store& store, forecast::ModelRegistry& registry, ForecastConfig config)
      : store_(store), registry_(registry), config_(std::move(config)) {}
  Result<TrainStats> Run(Timestamp logical_time);

 private:
  Store& store_;
  forecast::ModelRegistry& registry_;
  ForecastConfig config_;
};

}  // namespace meteoflow
