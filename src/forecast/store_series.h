// The bridge from stored weather rows to forecastable series: which variables are forecast (the
// original pipeline's six) and how one variable of one city becomes a regular series.
//
// Thread-safety: pure functions and constants.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/weather.h"
#include "forecast/models/series.h"

namespace meteoflow::forecast {

inline constexpr std::pair<const char*, WeatherField> kForecastVariables[] = {
    {"humidity", WeatherField::kHumidity},     {"pressure", WeatherField::kPressure},
    {"sea_level", WeatherField::kSeaLevel},    {"temp", WeatherField::kTemp},
    {"visibility", WeatherField::kVisibility}, {"wind_speed", WeatherField::kWindSpeed},
};

std::optional<WeatherField> ForecastField(const std::string& variable);

// `field` of time-ordered `rows` (rows without it are skipped), resampled (forecast/series.h).
RegularSeries SeriesOf(const std::vector<WeatherRow>& rows, WeatherField field, int64_t step_ms, int64_t max_gap_steps);

}  // namespace meteoflow::forecast
