#include "forecast/predict_stage.h"

#include <utility>

namespace meteoflow {
namespace {

// The variables the original pipeline forecast, with the column each comes from.
constexpr std::pair<const char*, WeatherField> kVariables[] = {
    {"humidity", WeatherField::kHumidity},     {"pressure", WeatherField::kPressure},
    {"sea_level", WeatherField::kSeaLevel},    {"temp", WeatherField::kTemp},
    {"visibility", WeatherField::kVisibility}, {"wind_speed", WeatherField::kWindSpeed},
};

}  // namespace

Result<PredictStats> PredictStage::Run(Timestamp logical_time) {
  PredictStats stats;
  MF_ASSIGN_OR_RETURN(auto latest, store_.LatestWeather());
  std::vector<Prediction> out;
  for (const auto& row : latest) {
    ++stats.cities;
    for (const auto& [variable, field] : kVariables) {
      const auto& value = row.at(field);
      if (!value) continue;
      out.push_back({row.city_name, variable, row.time.PlusMillis(kStepMs), *value, kModelName, logical_time});
    }
  }
  MF_RETURN_IF_ERROR(store_.UpsertPredictions(out));
  stats.predictions = static_cast<int64_t>(out.size());
  return stats;
}

}  // namespace meteoflow
