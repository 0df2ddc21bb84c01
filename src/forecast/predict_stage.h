// The predict stage with its baseline forecaster, "naive-last": the next 10-minute value of a
// variable is its last observed value (persistence). It is the honest floor that the ARIMA
// and SARIMAX models must beat; it has no parameters and never fails on short series.
//
// For every city with data it writes one prediction per variable (humidity, pressure,
// sea_level, temp, visibility, wind_speed) at target_time = last observation + 10 minutes.
// created_at is the run's logical time (the end of its data interval), not the wall clock, so
// re-running a run writes identical rows.
//
// Thread-safety: one Run at a time per stage object.
#pragma once

#include <string>

#include "store/store.h"

namespace meteoflow {

struct PredictStats {
  int64_t cities = 0;
  int64_t predictions = 0;
};

class PredictStage {
 public:
  static constexpr const char* kModelName = "naive-last";
  static constexpr int64_t kStepMs = 10 * 60 * 1000;

  explicit PredictStage(Store& store) : store_(store) {}
  Result<PredictStats> Run(Timestamp logical_time);

 private:
  Store& store_;
};

}  // namespace meteoflow
