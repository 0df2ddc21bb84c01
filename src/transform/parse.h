// Parsing and quality checks of raw API responses (simdjson), one function per source.
//
// A response becomes a SourceReading or an InvalidArgument whose message is the dead-letter
// reason, naming the field: "main.temp: 999 is outside [-90, 65]", "dt: expected a number",
// "not JSON (TAPE_ERROR ...)". Missing optional fields stay absent; `null` counts as missing.
// Besides the weather_data columns, each reading keeps the source's own values: OpenWeatherMap
// temp_min/temp_max, wind.gust, rain.1h, snow.1h and weather[0] (id, main, description, icon);
// Open-Meteo weather_code, cloud_cover and the 10 m wind fields.
// Required: OpenWeatherMap `dt` and `main.temp`; Open-Meteo `current.time` and
// `current.temperature_2m`. Observation times must lie within a day of the fetch time.
//
// Thread-safety: pure functions (each thread keeps its own reused parser).
#pragma once

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "core/weather.h"

namespace meteoflow {

struct SourceReading {
  Timestamp observed_at;
  std::array<std::optional<double>, kWeatherFieldCount> fields{};  // what weather_data takes from it
  std::map<std::string, double> values;       // every number kept, by the source's names (SourceObservation)
  std::map<std::string, std::string> labels;  // OpenWeatherMap's weather[0] main/description/icon
  std::string country;
  std::optional<Timestamp> sunrise, sunset;

  const std::optional<double>& at(WeatherField f) const { return fields[static_cast<size_t>(f)]; }
};

Result<SourceReading> ParseOpenWeatherMap(std::string_view body, Timestamp fetched_at);
Result<SourceReading> ParseOpenMeteo(std::string_view body, Timestamp fetched_at);

}  // namespace meteoflow
