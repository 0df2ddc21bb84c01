// The predict stage with its baseline forecaster, "naive-last": the next 10-minute value of a
// variable is its last observed value (persistence). It is the honest floor that the ARIMA
// and SARIMAX models must beat; it has no parameters and never fails on short series.
//
// For every city with data it writes one prediction per variable (humidity, pressure,
// sea_level, temp, visibility, wind_speed) at target_time = last observation + 10 minutes.
// created_at is the run's logical time (the end of its data interval), not the wall clock, so
// re-running a run writes identical rows.
//
// Before predicting it scores the city's past predictions: each whose target time has an
// observation within 5 minutes (the nearest one) goes to prediction_errors with the actual value.
// Scoring is idempotent, so every run may re-score what it sees.
//
// Thread-safety: one Run at a time per stage object.
#pragma once

#include <string>

#include "store/store.h"

namespace meteoflow {

struct PredictStats {
  int64_t cities = 0;
  int64_t predictions = 0;
  int64_t scored = 0;  // past predictions whose actual value has arrived, written to prediction_errors
};

class PredictStage {
 public:
  static constexpr const char* kModelName = "naive-last";
  static constexpr int64_t kStepMs = 10 * 60 * 1000;
  static constexpr int64_t kMatchWindowMs = 5 * 60 * 1000;

  explicit PredictStage(Store& store) : store_(store) {}
  Result<PredictStats> Run(Timestamp logical_time);

 private:
  // prediction_errors rows for `city`'s predictions whose actual has arrived by `latest`.
  Result<std::vector<PredictionError>> Score(const std::string& city, Timestamp latest);

  Store& store_;
};

}  // namespace meteoflow
