// The predict stage: for every city with data, one prediction per forecast variable (humidity,
// pressure, sea_level, temp, visibility, wind_speed) at target_time = last observation + one step.
//
// With a model registry, each (city, variable) that has a registered model is forecast by it:
// the city's rows over the forecast window before its last observation become the same regular
// series the model was trained on (forecast/store_series.h), and the model's one-step forecast
// is stored under the model's description (e.g. "ARIMA(1,1,1)(1,1,1,12)"). Pairs without a
// registered model, or whose model cannot forecast the current series (say, a fresh gap left too
// few steps), fall back to the baseline "naive-last": the last observed value (persistence),
// which has no parameters and never fails.
//
// Each prediction carries its 80 % and 95 % intervals: a registered model's own (ForecastModel at
// those levels); for naive-last, value +- z * the root mean square of the series' recent steps
// (persistence's one-step error), absent when the window has fewer than two steps.
//
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

#include "core/config.h"
#include "forecast/registry.h"
#include "store/store.h"

namespace meteoflow {

struct PredictStats {
  int64_t cities = 0;
  int64_t predictions = 0;
  int64_t from_registry = 0;  // predictions made by a registered model
  int64_t fallbacks = 0;      // registered models that could not forecast: naive-last instead
  int64_t scored = 0;         // past predictions whose actual value has arrived, written to prediction_errors
};

class PredictStage {
 public:
  static constexpr const char* kBaselineName = "naive-last";
  static constexpr int64_t kMatchWindowMs = int64_t{5} * 60 * 1000;

  // `registry` may be null: then every prediction is the baseline.
  PredictStage(Store& store, forecast::ModelRegistry* registry, ForecastConfig config)
      : store_(store), registry_(registry), config_(std::move(config)) {}
  Result<PredictStats> Run(Timestamp logical_time);

 private:
  // prediction_errors rows for `city`'s predictions whose actual has arrived by `latest`.
  Result<std::vector<PredictionError>> Score(const std::string& city, Timestamp latest);
  // The registered model's next-step forecast of `variable`, or nullopt to fall back.
  Result<std::optional<Prediction>> FromRegistry(const WeatherRow& latest, const std::string& variable,
                                                 const std::vector<WeatherRow>& rows, PredictStats* stats);
  // The next-step prediction after `latest` (created_at and intervals left for the caller).
  Prediction Predicted(const WeatherRow& latest, const std::string& variable, double value,
                       const std::string& model) const;
  int64_t step_ms() const { return int64_t{config_.step_minutes} * 60'000; }

  Store& store_;
  forecast::ModelRegistry* registry_;
  ForecastConfig config_;
};

}  // namespace meteoflow
