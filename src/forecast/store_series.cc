#include "forecast/store_series.h"

namespace meteoflow::forecast {

std::optional<WeatherField> ForecastField(const std::string& variable) {
  for (const auto& [name, field] : kForecastVariables) {
    if (variable == name) return field;
  }
  return std::nullopt;
}

RegularSeries SeriesOf(const std::vector<WeatherRow>& rows, WeatherField field, int64_t step_ms,
                       int64_t max_gap_steps) {
  std::vector<std::pair<Timestamp, double>> points;
  for (const WeatherRow& row : rows) {
    if (const auto& v = row.at(field)) points.emplace_back(row.time, *v);
  }
  return Resample(points, step_ms, max_gap_steps);
}

}  // namespace meteoflow::forecast
