#include "core/weather.h"

namespace meteoflow {

const char* WeatherFieldName(WeatherField field) {
  static constexpr const char* kNames[] = {
      "apparent_temperature",
      "clouds_all",
      "elevation",
      "feels_like",
      "grnd_level",
      "humidity",
      "is_day",
      "latitude",
      "longitude",
      "precipitation",
      "pressure",
      "pressure_msl",
      "rain",
      "relative_humidity_2m",
      "sea_level",
      "showers",
      "snowfall",
      "surface_pressure",
      "temp",
      "temperature_2m",
      "visibility",
      "wind_deg",
      "wind_speed",
      "temperature_feels_like",
  };
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == kWeatherFieldCount);
  return kNames[static_cast<size_t>(field)];
}

}  // namespace meteoflow
