#include "forecast/predict_stage.h"

#include <cmath>
#include <cstdlib>
#include <optional>

#include "forecast/model_json.h"
#include "forecast/models/model.h"
#include "forecast/store_series.h"

namespace meteoflow {

Result<std::vector<PredictionError>> PredictStage::Score(const std::string& city, Timestamp latest) {
  MF_ASSIGN_OR_RETURN(const std::vector<Prediction> predictions, store_.QueryPredictions(city));
  std::vector<PredictionError> out;
  if (predictions.empty()) return out;
  const Timestamp from = predictions.front().target_time.PlusMillis(-kMatchWindowMs);
  MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> rows,
                      store_.QueryWeather(city, from, latest.PlusMillis(kMatchWindowMs + 1)));
  for (const Prediction& p : predictions) {
    const std::optional<WeatherField> field = forecast::ForecastField(p.variable);
    if (!field || p.target_time.PlusMillis(-kMatchWindowMs) > latest) continue;
    const WeatherRow* nearest = nullptr;
    int64_t best = kMatchWindowMs + 1;
    for (const WeatherRow& r : rows) {
      const int64_t gap = std::llabs(r.time.millis() - p.target_time.millis());
      if (gap < best && r.at(*field)) {
        best = gap;
        nearest = &r;
      }
    }
    if (nearest)
      out.push_back({city, p.variable, p.target_time, p.model, p.value, *nearest->at(*field), nearest->time});
  }
  return out;
}

Result<std::optional<Prediction>> PredictStage::FromRegistry(const WeatherRow& latest, const std::string& variable,
                                                             const std::vector<WeatherRow>& rows, PredictStats* stats) {
  MF_ASSIGN_OR_RETURN(const std::optional<forecast::RegistryEntry> entry,
                      registry_->Latest(latest.city_name, variable));
  if (!entry) return std::optional<Prediction>();
  const forecast::RegularSeries series =
      forecast::SeriesOf(rows, *forecast::ForecastField(variable), step_ms(), config_.max_gap_steps);
  Result<forecast::FittedModel> model = forecast::FittedModelFromJson(entry->fitted);
  Result<forecast::ArimaForecast> fc =
      model.ok() ? forecast::ForecastModel(*model, series.values, 1) : Result<forecast::ArimaForecast>(model.status());
  if (!fc.ok() || !std::isfinite(fc->mean[0])) {
    ++stats->fallbacks;
    return std::optional<Prediction>();
  }
  ++stats->from_registry;
  return std::optional<Prediction>(
      Prediction{latest.city_name, variable, latest.time.PlusMillis(step_ms()), fc->mean[0], entry->describe, {}});
}

Result<PredictStats> PredictStage::Run(Timestamp logical_time) {
  PredictStats stats;
  MF_ASSIGN_OR_RETURN(auto latest, store_.LatestWeather());
  std::vector<Prediction> out;
  std::vector<PredictionError> errors;
  for (const auto& row : latest) {
    ++stats.cities;
    MF_ASSIGN_OR_RETURN(std::vector<PredictionError> scored, Score(row.city_name, row.time));
    errors.insert(errors.end(), scored.begin(), scored.end());
    std::vector<WeatherRow> rows;
    if (registry_) {
      const Timestamp from = row.time.PlusMillis(-int64_t{config_.window_days} * 86'400'000);
      MF_ASSIGN_OR_RETURN(rows, store_.QueryWeather(row.city_name, from, row.time.PlusMillis(1)));
    }
    for (const auto& [variable, field] : forecast::kForecastVariables) {
      const auto& value = row.at(field);
      if (!value) continue;
      std::optional<Prediction> p;
      if (registry_) {
        MF_ASSIGN_OR_RETURN(p, FromRegistry(row, variable, rows, &stats));
      }
      if (!p) p = Prediction{row.city_name, variable, row.time.PlusMillis(step_ms()), *value, kBaselineName, {}};
      p->created_at = logical_time;
      out.push_back(std::move(*p));
    }
  }
  MF_RETURN_IF_ERROR(store_.UpsertPredictionErrors(errors));
  MF_RETURN_IF_ERROR(store_.UpsertPredictions(out));
  stats.predictions = static_cast<int64_t>(out.size());
  stats.scored = static_cast<int64_t>(errors.size());
  return stats;
}

}  // namespace meteoflow
