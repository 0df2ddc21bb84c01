#include "forecast/predict_stage.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <tuple>

#include "forecast/model_json.h"
#include "forecast/models/model.h"
#include "forecast/service_regressor.h"
#include "forecast/store_series.h"

namespace meteoflow {
namespace {

constexpr double kZ80 = 1.2815515655446004;  // standard normal quantiles of 0.90 and 0.975
constexpr double kZ95 = 1.959963984540054;
constexpr const char* kScoredCheckpoint = "predict/scored/";

void SetInterval(Prediction* p, double sigma) {
  if (!std::isfinite(sigma) || sigma < 0) return;
  p->lower80 = p->value - kZ80 * sigma;
  p->upper80 = p->value + kZ80 * sigma;
  p->lower95 = p->value - kZ95 * sigma;
  p->upper95 = p->value + kZ95 * sigma;
}

// The persistence forecast's one-step error scale: the root mean square of the series' steps
// (each step is what "last value" would have missed by). NaN with fewer than two steps.
double PersistenceSigma(const forecast::RegularSeries& series) {
  double sum = 0;
  int n = 0;
  for (size_t i = 1; i < series.values.size(); ++i) {
    const double step = series.values[i] - series.values[i - 1];
    if (!std::isfinite(step)) continue;
    sum += step * step;
    ++n;
  }
  return n < 2 ? std::nan("") : std::sqrt(sum / n);
}

// The error a prediction would be scored with: the observation of its variable nearest to its
// target time within the match window (the earlier one on a tie), from time-ordered `rows`.
const WeatherRow* NearestObservation(const std::vector<WeatherRow>& rows, WeatherField field, Timestamp target,
                                     int64_t window_ms) {
  auto it = std::lower_bound(rows.begin(), rows.end(), target.PlusMillis(-window_ms),
                             [](const WeatherRow& r, Timestamp t) { return r.time < t; });
  const WeatherRow* nearest = nullptr;
  int64_t best = window_ms + 1;
  for (; it != rows.end() && !(target.PlusMillis(window_ms) < it->time); ++it) {
    const int64_t gap = std::llabs(it->time.millis() - target.millis());
    if (gap < best && it->at(field)) {
      best = gap;
      nearest = &*it;
    }
  }
  return nearest;
}

using ErrorKey = std::tuple<int64_t, std::string, int, std::string>;  // target, variable, horizon, model

ErrorKey KeyOf(const PredictionError& e) { return {e.target_time.millis(), e.variable, e.horizon, e.model}; }

}  // namespace

Result<std::vector<PredictionError>> PredictStage::Score(const std::string& city, Timestamp since, Timestamp latest) {
  const Timestamp until = latest.PlusMillis(kMatchWindowMs + 1);
  MF_ASSIGN_OR_RETURN(const std::vector<Prediction> predictions, store_.QueryPredictions(city, since, until, 0));
  std::vector<PredictionError> out;
  if (predictions.empty()) return out;
  MF_ASSIGN_OR_RETURN(const std::vector<PredictionError> stored, store_.QueryPredictionErrors(city, since, until, 0));
  std::map<ErrorKey, const PredictionError*> already;
  for (const PredictionError& e : stored) already[KeyOf(e)] = &e;
  MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> rows,
                      store_.QueryWeather(city, since.PlusMillis(-kMatchWindowMs), until));
  for (const Prediction& p : predictions) {
    const std::optional<WeatherField> field = forecast::ForecastField(p.variable);
    if (!field) continue;
    const WeatherRow* nearest = NearestObservation(rows, *field, p.target_time, kMatchWindowMs);
    if (!nearest) continue;
    PredictionError e{city,          p.variable, p.target_time, p.model,      p.value, *nearest->at(*field),
                      nearest->time, p.horizon,  p.issued_at,   p.persistence};
    const auto seen = already.find(KeyOf(e));
    if (seen != already.end() && seen->second->predicted == e.predicted && seen->second->actual == e.actual &&
        seen->second->observed_at == e.observed_at && seen->second->persistence == e.persistence) {
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::optional<PredictStage::Trajectory>> PredictStage::FromRegistry(const std::string& city,
                                                                           const std::string& variable,
                                                                           const forecast::RegularSeries& series,
                                                                           const ServiceRows& service,
                                                                           PredictStats* stats) {
  MF_ASSIGN_OR_RETURN(const std::optional<forecast::RegistryEntry> entry, registry_->Latest(city, variable));
  if (!entry) return std::optional<Trajectory>();
  Result<forecast::FittedModel> model = forecast::FittedModelFromJson(entry->fitted);
  forecast::ServiceColumns columns;
  if (model.ok() && forecast::NeedsRegressor(model->spec.kind)) {
    MF_ASSIGN_OR_RETURN(const std::vector<ServiceForecast>* rows, service());
    columns = forecast::ServiceColumnsFor(forecast::ServiceRegressor(*rows, variable), series.times, step_ms(),
                                          config_.predict_steps);
  }
  Result<forecast::ArimaForecast> fc = model.ok()
                                           ? forecast::ForecastModel(*model, series.values, config_.predict_steps, 0.95,
                                                                     columns.over_series, columns.ahead)
                                           : Result<forecast::ArimaForecast>(model.status());
  const bool usable = fc.ok() && fc->mean.size() == static_cast<size_t>(config_.predict_steps) &&
                      std::all_of(fc->mean.begin(), fc->mean.end(), [](double v) { return std::isfinite(v); });
  if (!usable) {
    ++stats->fallbacks;
    return std::optional<Trajectory>();
  }
  ++stats->from_registry;
  Trajectory t{entry->describe, fc->mean, {}};
  for (size_t h = 0; h < fc->mean.size(); ++h) {
    const bool has_interval = h < fc->lower.size() && h < fc->upper.size();
    t.sigma.push_back(has_interval ? (fc->upper[h] - fc->lower[h]) / (2 * kZ95) : std::nan(""));
  }
  return std::optional<Trajectory>(std::move(t));
}

PredictStage::Trajectory PredictStage::Persistence(double last, const forecast::RegularSeries& series) const {
  const double sigma = PersistenceSigma(series);
  Trajectory t{kBaselineName, {}, {}};
  for (int h = 1; h <= config_.predict_steps; ++h) {
    t.mean.push_back(last);
    t.sigma.push_back(sigma * std::sqrt(static_cast<double>(h)));
  }
  return t;
}

void PredictStage::AppendPredictions(const WeatherRow& latest, const std::string& variable, double last,
                                     const Trajectory& t, Timestamp logical_time, std::vector<Prediction>* out) const {
  for (size_t h = 0; h < t.mean.size(); ++h) {
    Prediction p;
    p.city_name = latest.city_name;
    p.variable = variable;
    p.horizon = static_cast<int>(h) + 1;
    p.issued_at = latest.time;
    p.target_time = latest.time.PlusMillis(step_ms() * p.horizon);
    p.value = t.mean[h];
    p.model = t.model;
    p.persistence = last;
    p.created_at = logical_time;
    SetInterval(&p, t.sigma[h]);
    out->push_back(std::move(p));
  }
}

Result<PredictStats> PredictStage::Run(Timestamp logical_time) {
  PredictStats stats;
  MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> latest, store_.LatestWeather());
  MF_ASSIGN_OR_RETURN(const auto scored_through, store_.ListCheckpoints(kScoredCheckpoint));
  std::vector<Prediction> out;
  std::vector<PredictionError> errors;
  std::map<std::string, std::string> checkpoints;
  for (const auto& row : latest) {
    ++stats.cities;
    const std::string checkpoint = std::string(kScoredCheckpoint) + row.city_name;
    Timestamp since;
    if (auto it = scored_through.find(checkpoint); it != scored_through.end()) {
      if (Result<Timestamp> t = Timestamp::Parse(it->second); t.ok()) since = t->PlusMillis(-kRescoreMs);
    }
    MF_ASSIGN_OR_RETURN(std::vector<PredictionError> scored, Score(row.city_name, since, row.time));
    errors.insert(errors.end(), scored.begin(), scored.end());
    const Timestamp from = row.time.PlusMillis(-int64_t{config_.window_days} * 86'400'000);
    MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> rows,
                        store_.QueryWeather(row.city_name, from, row.time.PlusMillis(1)));
    std::optional<std::vector<ServiceForecast>> service;  // over the window and the horizon, read once
    const ServiceRows service_rows = [&]() -> Result<const std::vector<ServiceForecast>*> {
      if (!service) {
        const Timestamp to = row.time.PlusMillis(step_ms() * (int64_t{config_.predict_steps} + 1) + 3'600'000);
        MF_ASSIGN_OR_RETURN(service, store_.QueryServiceForecasts(row.city_name, from, to));
      }
      return &*service;
    };
    for (const auto& [variable, field] : forecast::kForecastVariables) {
      const auto& value = row.at(field);
      if (!value) continue;
      const forecast::RegularSeries series = forecast::SeriesOf(rows, field, step_ms(), config_.max_gap_steps);
      std::optional<Trajectory> t;
      if (registry_) {
        MF_ASSIGN_OR_RETURN(t, FromRegistry(row.city_name, variable, series, service_rows, &stats));
      }
      AppendPredictions(row, variable, *value, t ? *t : Persistence(*value, series), logical_time, &out);
    }
    checkpoints[checkpoint] = row.time.ToString();
  }
  MF_RETURN_IF_ERROR(store_.UpsertPredictionErrors(errors));
  MF_RETURN_IF_ERROR(store_.UpsertPredictions(out));
  MF_RETURN_IF_ERROR(store_.PutCheckpoints(checkpoints));
  stats.predictions = static_cast<int64_t>(out.size());
  stats.scored = static_cast<int64_t>(errors.size());
  return stats;
}

}  // namespace meteoflow
