// Domain rows that flow from transform into the store and out to the dashboard.
//
// WeatherRow is one reconciled observation of one city at one time: the seed-compatible
// `weather_data` row (PRIMARY KEY (city_name, time)). Numeric fields are optional: a field a
// source did not report is absent, never zero.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"

namespace meteoflow {

// Numeric columns of weather_data, in the seed's column names.
enum class WeatherField : size_t {
  kApparentTemperature,
  kCloudsAll,
  kElevation,
  kFeelsLike,
  kGrndLevel,
  kHumidity,
  kIsDay,
  kLatitude,
  kLongitude,
  kPrecipitation,
  kPressure,
  kPressureMsl,
  kRain,
  kRelativeHumidity2m,
  kSeaLevel,
  kShowers,
  kSnowfall,
  kSurfacePressure,
  kTemp,
  kTemperature2m,
  kVisibility,
  kWindDeg,
  kWindSpeed,
  kTemperatureFeelsLike,
  kCount,
};
inline constexpr size_t kWeatherFieldCount = static_cast<size_t>(WeatherField::kCount);

// Column name of a field ("apparent_temperature", ...).
const char* WeatherFieldName(WeatherField field);

struct WeatherRow {
  std::string city_name;
  Timestamp time;  // OpenWeatherMap's observation time `dt`
  std::string location_id;
  std::string country;
  std::optional<Timestamp> sunrise, sunset;
  std::string sources;  // "openweathermap+openmeteo" or "openweathermap"
  std::array<std::optional<double>, kWeatherFieldCount> fields{};

  std::optional<double>& at(WeatherField f) { return fields[static_cast<size_t>(f)]; }
  const std::optional<double>& at(WeatherField f) const { return fields[static_cast<size_t>(f)]; }
};

// One source's own reading of one city, as that source reported it (weather_data averages the two
// sources; this keeps each side). `values` and `labels` use the API's own field names, nested
// names joined by '_' ("temp", "temp_min", "wind_gust", "rain_1h", "weather_code"); a field the
// response did not carry is absent. PRIMARY KEY (source, city_name, time).
struct SourceObservation {
  std::string source;  // "openweathermap" | "openmeteo"
  std::string city_name;
  Timestamp time;  // the source's own observation time
  std::string location_id;
  Timestamp fetched_at;
  std::map<std::string, double> values;
  std::map<std::string, std::string> labels;  // weather_main, weather_description, weather_icon

  bool operator==(const SourceObservation&) const = default;
};

// One hour of one city, recomputed from weather_data whenever that hour changes.
struct HourlyAggregate {
  std::string city_name;
  Timestamp hour;  // start of the hour
  int64_t observations = 0;
  std::optional<double> temp_avg, temp_min, temp_max, humidity_avg, pressure_avg, wind_speed_avg, wind_speed_max,
      precipitation_sum;
};

// A raw message that could not become a row, with why.
struct DeadLetter {
  std::string source;
  std::string location_id;  // the message key, as received
  Timestamp fetched_at;
  std::string reason;
  std::string payload;
};

// A forecast of one variable at one time, with the model's central 80 % and 95 % prediction
// intervals when it gives them (lower80 <= value <= upper80, inside lower95..upper95).
// It was issued from the observation at issued_at, `horizon` steps before target_time;
// `persistence` is that observation's value (what "no change" would have forecast), so every
// prediction's skill over persistence can be scored.
struct Prediction {
  std::string city_name;
  std::string variable;
  Timestamp target_time;
  double value = 0;
  std::string model;
  Timestamp created_at;
  std::optional<double> lower80, upper80, lower95, upper95;
  int horizon = 1;
  Timestamp issued_at;
  std::optional<double> persistence;
};

// One entry of the transform's pairing index: a source's reading of a location as the transform
// needs it for pairing (`reading`: text only the transform reads, transform/reading_codec.h).
struct PairingEntry {
  std::string location_id;
  std::string source;
  Timestamp fetched_at;
  std::string reading;

  bool operator==(const PairingEntry&) const = default;
};

// The newest dead letters and how many there are.
struct DeadLetterSummary {
  int64_t total = 0;
  std::vector<DeadLetter> newest;  // newest fetched_at first; payloads left empty
};

// A past prediction scored against the observation that arrived for its target time.
struct PredictionError {
  std::string city_name;
  std::string variable;
  Timestamp target_time;
  std::string model;
  double predicted = 0;
  double actual = 0;
  Timestamp observed_at;  // the observation matched to target_time
  int horizon = 1;        // as in Prediction
  Timestamp issued_at;
  std::optional<double> persistence;
};

// One value of the weather service's own forecast (numerical weather prediction): `variable` (a
// forecast variable, as in Prediction) at `target_time`, in the forecast fetched at `issued_at`.
struct ServiceForecast {
  std::string city_name;
  std::string variable;
  Timestamp target_time;
  Timestamp issued_at;
  double value = 0;
};

}  // namespace meteoflow
