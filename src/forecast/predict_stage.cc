#include "forecast/predict_stage.h"

#include <cstdlib>
#include <optional>
#include <utility>

namespace meteoflow {
namespace {

// The variables the original pipeline forecast, with the column each comes from.
constexpr std::pair<const char*, WeatherField> kVariables[] = {
    {"humidity", WeatherField::kHumidity},     {"pressure", WeatherField::kPressure},
    {"sea_level", WeatherField::kSeaLevel},    {"temp", WeatherField::kTemp},
    {"visibility", WeatherField::kVisibility}, {"wind_speed", WeatherField::kWindSpeed},
};

std::optional<WeatherField> FieldOf(const std::string& variable) {
  for (const auto& [name, field] : kVariables) {
    if (variable == name) return field;
  }
  return std::nullopt;
}

}  // namespace

Result<std::vector<PredictionError>> PredictStage::Score(const std::string& city, Timestamp latest) {
  MF_ASSIGN_OR_RETURN(const std::vector<Prediction> predictions, store_.QueryPredictions(city));
  std::vector<PredictionError> out;
  if (predictions.empty()) return out;
  const Timestamp from = predictions.front().target_time.PlusMillis(-kMatchWindowMs);
  MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> rows,
                      store_.QueryWeather(city, from, latest.PlusMillis(kMatchWindowMs + 1)));
  for (const Prediction& p : predictions) {
    const std::optional<WeatherField> field = FieldOf(p.variable);
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

Result<PredictStats> PredictStage::Run(Timestamp logical_time) {
  PredictStats stats;
  MF_ASSIGN_OR_RETURN(auto latest, store_.LatestWeather());
  std::vector<Prediction> out;
  std::vector<PredictionError> errors;
  for (const auto& row : latest) {
    ++stats.cities;
    MF_ASSIGN_OR_RETURN(std::vector<PredictionError> scored, Score(row.city_name, row.time));
    errors.insert(errors.end(), scored.begin(), scored.end());
    for (const auto& [variable, field] : kVariables) {
      const auto& value = row.at(field);
      if (!value) continue;
      out.push_back({row.city_name, variable, row.time.PlusMillis(kStepMs), *value, kModelName, logical_time});
    }
  }
  MF_RETURN_IF_ERROR(store_.UpsertPredictionErrors(errors));
  MF_RETURN_IF_ERROR(store_.UpsertPredictions(out));
  stats.predictions = static_cast<int64_t>(out.size());
  stats.scored = static_cast<int64_t>(errors.size());
  return stats;
}

}  // namespace meteoflow
