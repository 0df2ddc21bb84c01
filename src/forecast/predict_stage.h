// The predict stage: for every city with data, a forecast of each forecast variable (humidity,
// pressure, sea_level, temp, visibility, wind_speed) for steps 1..predict_steps after the last
// observation (config `forecast.predict_steps`, default 24 steps = 4 hours at 10 minutes). Each
// prediction is stored with its horizon h, its issue time (the last observation's time) and
// target_time = issue time + h steps, plus the value at the issue time (persistence, so its
// skill can be scored).
//
// With a model registry, each (city, variable) that has a registered model is forecast by it:
// the city's rows over the forecast window before its last observation become the same regular
// series the model was trained on (forecast/store_series.h), and one multi-step forecast of the
// model gives every horizon, stored under the model's description (e.g. "ARIMA(1,1,1)(1,1,1,12)").
// Pairs without a registered model, or whose model cannot forecast the current series (say, a
// fresh gap left too few steps), fall back to the baseline "naive-last": the last observed value
// (persistence), which has no parameters and never fails.
//
// Each prediction carries its 80 % and 95 % intervals: a registered model's own (its forecast
// standard error at each step, both intervals from the one forecast); for naive-last,
// value +- z * sigma * sqrt(h), sigma the root mean square of the series' recent steps (a random
// walk's h-step error), absent when the window has fewer than two steps.
//
// created_at is the run's logical time (the end of its data interval), not the wall clock, so
// re-running a run writes identical rows.
//
// Before predicting it scores the city's past predictions, every horizon: each whose target time
// has an observation within 5 minutes (the nearest one) goes to prediction_errors with the actual
// value. A run looks at targets from an hour before the previous run's newest observation
// (checkpoint `predict/scored/<city>`; late observations within that hour re-score) and writes
// only errors that are new or changed, so re-running is idempotent and a run's cost does not
// grow with history.
//
// Thread-safety: one Run at a time per stage object.
#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "forecast/models/series.h"
#include "forecast/registry.h"
#include "store/store.h"

namespace meteoflow {

struct PredictStats {
  int64_t cities = 0;
  int64_t predictions = 0;    // rows written: one per (city, variable, horizon)
  int64_t from_registry = 0;  // (city, variable) pairs forecast by a registered model
  int64_t fallbacks = 0;      // registered models that could not forecast: naive-last instead
  int64_t scored = 0;         // prediction_errors rows written (new, or re-scored with another actual)
};

class PredictStage {
 public:
  static constexpr const char* kBaselineName = "naive-last";
  static constexpr int64_t kMatchWindowMs = int64_t{5} * 60 * 1000;
  static constexpr int64_t kRescoreMs = int64_t{60} * 60 * 1000;

  // `registry` may be null: then every prediction is the baseline.
  PredictStage(Store& store, forecast::ModelRegistry* registry, ForecastConfig config)
      : store_(store), registry_(registry), config_(std::move(config)) {}
  Result<PredictStats> Run(Timestamp logical_time);

 private:
  // A forecast of one variable over steps 1..predict_steps: means and standard errors (NaN when
  // unknown).
  struct Trajectory {
    std::string model;
    std::vector<double> mean, sigma;
  };

  // prediction_errors rows for `city`'s predictions with targets in [since, latest + window],
  // only those not already stored as they are.
  Result<std::vector<PredictionError>> Score(const std::string& city, Timestamp since, Timestamp latest);
  // The registered model's forecast of `variable`, or nullopt to fall back.
  // `service` gives the city's rows of the weather service's forecast, read only when a registered
  // model needs them (the nwp models).
  using ServiceRows = std::function<Result<const std::vector<ServiceForecast>*>()>;
  Result<std::optional<Trajectory>> FromRegistry(const std::string& city, const std::string& variable,
                                                 const forecast::RegularSeries& series, const ServiceRows& service,
                                                 PredictStats* stats);
  Trajectory Persistence(double last, const forecast::RegularSeries& series) const;
  // One prediction per step of `t`, issued from `latest`.
  void AppendPredictions(const WeatherRow& latest, const std::string& variable, double last, const Trajectory& t,
                         Timestamp logical_time, std::vector<Prediction>* out) const;
  int64_t step_ms() const { return int64_t{config_.step_minutes} * 60'000; }

  Store& store_;
  forecast::ModelRegistry* registry_;
  ForecastConfig config_;
};

}  // namespace meteoflow
