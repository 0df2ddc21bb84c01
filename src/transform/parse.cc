#include "transform/parse.h"

#include <simdjson.h>

#include <cmath>
#include <memory>
#include <sstream>

namespace meteoflow {
namespace {

// A numeric field of a response: where it is, the name the source keeps it under
// (SourceObservation::values), the weather_data column it fills (kCount: none) and its range.
struct FieldRule {
  const char* pointer;  // JSON pointer
  const char* name;
  WeatherField field;
  double min, max;
  bool required;
};

constexpr int64_t kDayMs = 86'400'000;
constexpr WeatherField kOwnOnly = WeatherField::kCount;

const FieldRule kOpenWeatherMapRules[] = {
    {"/main/temp", "temp", WeatherField::kTemp, -90, 65, true},
    {"/main/feels_like", "feels_like", WeatherField::kFeelsLike, -110, 80, false},
    {"/main/temp_min", "temp_min", kOwnOnly, -90, 65, false},
    {"/main/temp_max", "temp_max", kOwnOnly, -90, 65, false},
    {"/main/pressure", "pressure", WeatherField::kPressure, 300, 1100, false},
    {"/main/humidity", "humidity", WeatherField::kHumidity, 0, 100, false},
    {"/main/sea_level", "sea_level", WeatherField::kSeaLevel, 300, 1100, false},
    {"/main/grnd_level", "grnd_level", WeatherField::kGrndLevel, 300, 1100, false},
    {"/visibility", "visibility", WeatherField::kVisibility, 0, 100000, false},
    {"/wind/speed", "wind_speed", WeatherField::kWindSpeed, 0, 150, false},
    {"/wind/deg", "wind_deg", WeatherField::kWindDeg, 0, 360, false},
    {"/wind/gust", "wind_gust", kOwnOnly, 0, 150, false},
    {"/clouds/all", "clouds_all", WeatherField::kCloudsAll, 0, 100, false},
    {"/rain/1h", "rain_1h", kOwnOnly, 0, 500, false},
    {"/snow/1h", "snow_1h", kOwnOnly, 0, 500, false},
    {"/weather/0/id", "weather_id", kOwnOnly, 100, 999, false},
    {"/coord/lat", "latitude", WeatherField::kLatitude, -90, 90, false},
    {"/coord/lon", "longitude", WeatherField::kLongitude, -180, 180, false},
};

const FieldRule kOpenMeteoRules[] = {
    {"/current/temperature_2m", "temperature_2m", WeatherField::kTemperature2m, -90, 65, true},
    {"/current/relative_humidity_2m", "relative_humidity_2m", WeatherField::kRelativeHumidity2m, 0, 100, false},
    {"/current/apparent_temperature", "apparent_temperature", WeatherField::kApparentTemperature, -110, 80, false},
    {"/current/is_day", "is_day", WeatherField::kIsDay, 0, 1, false},
    {"/current/precipitation", "precipitation", WeatherField::kPrecipitation, 0, 500, false},
    {"/current/rain", "rain", WeatherField::kRain, 0, 500, false},
    {"/current/showers", "showers", WeatherField::kShowers, 0, 500, false},
    {"/current/snowfall", "snowfall", WeatherField::kSnowfall, 0, 500, false},
    {"/current/weather_code", "weather_code", kOwnOnly, 0, 99, false},
    {"/current/cloud_cover", "cloud_cover", kOwnOnly, 0, 100, false},
    {"/current/pressure_msl", "pressure_msl", WeatherField::kPressureMsl, 300, 1100, false},
    {"/current/surface_pressure", "surface_pressure", WeatherField::kSurfacePressure, 300, 1100, false},
    {"/current/wind_speed_10m", "wind_speed_10m", kOwnOnly, 0, 150, false},
    {"/current/wind_direction_10m", "wind_direction_10m", kOwnOnly, 0, 360, false},
    {"/current/wind_gusts_10m", "wind_gusts_10m", kOwnOnly, 0, 200, false},
    {"/elevation", "elevation", WeatherField::kElevation, -500, 9000, false},
    {"/latitude", "latitude", kOwnOnly, -90, 90, false},
    {"/longitude", "longitude", kOwnOnly, -180, 180, false},
};

// OpenWeatherMap's text fields: weather[0].main, .description and .icon.
const std::pair<const char*, const char*> kOpenWeatherMapLabels[] = {
    {"/weather/0/main", "weather_main"},
    {"/weather/0/description", "weather_description"},
    {"/weather/0/icon", "weather_icon"},
};

std::string FieldName(const char* pointer) {
  std::string s(pointer + 1);
  for (char& c : s) c = c == '/' ? '.' : c;
  return s;
}

std::string Num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Reads an optional number at `pointer`; absent and null give nullopt.
Result<std::optional<double>> Number(simdjson::dom::element doc, const char* pointer) {
  simdjson::dom::element e;
  if (doc.at_pointer(pointer).get(e) != simdjson::SUCCESS || e.is_null()) return std::optional<double>();
  double v;
  if (e.get_double().get(v) != simdjson::SUCCESS) {
    return Status::InvalidArgument(FieldName(pointer) + ": expected a number");
  }
  if (!std::isfinite(v)) return Status::InvalidArgument(FieldName(pointer) + ": not a finite number");
  return std::optional<double>(v);
}

// Reads an optional string of at most kMaxLabelBytes at `pointer`; absent and null give nullopt.
constexpr size_t kMaxLabelBytes = 200;
Result<std::optional<std::string>> Text(simdjson::dom::element doc, const char* pointer) {
  simdjson::dom::element e;
  if (doc.at_pointer(pointer).get(e) != simdjson::SUCCESS || e.is_null()) return std::optional<std::string>();
  std::string_view v;
  if (e.get(v) != simdjson::SUCCESS) return Status::InvalidArgument(FieldName(pointer) + ": expected a string");
  if (v.size() > kMaxLabelBytes) {
    return Status::InvalidArgument(FieldName(pointer) + ": longer than " + std::to_string(kMaxLabelBytes) + " bytes");
  }
  return std::optional<std::string>(std::string(v));
}

Status ApplyRules(simdjson::dom::element doc, const FieldRule* begin, const FieldRule* end, SourceReading* out) {
  for (const FieldRule* r = begin; r != end; ++r) {
    MF_ASSIGN_OR_RETURN(std::optional<double> v, Number(doc, r->pointer));
    if (!v) {
      if (r->required) return Status::InvalidArgument(FieldName(r->pointer) + ": required field is missing");
      continue;
    }
    if (*v < r->min || *v > r->max) {
      return Status::InvalidArgument(FieldName(r->pointer) + ": " + Num(*v) + " is outside [" + Num(r->min) + ", " +
                                     Num(r->max) + "]");
    }
    out->values[r->name] = *v;
    if (r->field != kOwnOnly) out->fields[static_cast<size_t>(r->field)] = v;
  }
  return Status::OK();
}

Status CheckNearFetch(const char* what, Timestamp t, Timestamp fetched_at) {
  if (t.millis() < fetched_at.millis() - kDayMs || t.millis() > fetched_at.millis() + kDayMs) {
    return Status::InvalidArgument(std::string(what) + ": " + t.ToString() +
                                   " is more than a day from the fetch time " + fetched_at.ToString());
  }
  return Status::OK();
}

Result<simdjson::dom::element> ParseObject(simdjson::dom::parser& parser, std::string_view body) {
  simdjson::dom::element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc)) {
    return Status::InvalidArgument(std::string("not JSON (") + simdjson::error_message(err) + ")");
  }
  if (!doc.is_object()) return Status::InvalidArgument("not a JSON object");
  return doc;
}

Result<std::optional<Timestamp>> EpochSeconds(simdjson::dom::element doc, const char* pointer) {
  MF_ASSIGN_OR_RETURN(std::optional<double> v, Number(doc, pointer));
  if (!v) return std::optional<Timestamp>();
  if (*v < 0 || *v > 4102444800.0 || *v != std::floor(*v)) {
    return Status::InvalidArgument(FieldName(pointer) + ": " + Num(*v) + " is not a Unix time in seconds");
  }
  return std::optional<Timestamp>(Timestamp::FromSeconds(static_cast<int64_t>(*v)));
}

// One parser per thread, reused: its buffers grow to the largest body seen instead of being
// allocated per body. Bodies above kReuseLimit get a parser of their own (no giant buffer kept).
constexpr size_t kReuseLimit = size_t{1} << 20;
simdjson::dom::parser& ParserFor(std::string_view body, std::unique_ptr<simdjson::dom::parser>* own) {
  thread_local simdjson::dom::parser reused;
  if (body.size() <= kReuseLimit) return reused;
  *own = std::make_unique<simdjson::dom::parser>();
  return **own;
}

}  // namespace

Result<SourceReading> ParseOpenWeatherMap(std::string_view body, Timestamp fetched_at) {
  std::unique_ptr<simdjson::dom::parser> own;
  MF_ASSIGN_OR_RETURN(simdjson::dom::element doc, ParseObject(ParserFor(body, &own), body));
  SourceReading out;
  MF_ASSIGN_OR_RETURN(std::optional<Timestamp> dt, EpochSeconds(doc, "/dt"));
  if (!dt) return Status::InvalidArgument("dt: required field is missing");
  out.observed_at = *dt;
  MF_RETURN_IF_ERROR(CheckNearFetch("dt", *dt, fetched_at));
  MF_RETURN_IF_ERROR(ApplyRules(doc, std::begin(kOpenWeatherMapRules), std::end(kOpenWeatherMapRules), &out));
  MF_ASSIGN_OR_RETURN(out.sunrise, EpochSeconds(doc, "/sys/sunrise"));
  MF_ASSIGN_OR_RETURN(out.sunset, EpochSeconds(doc, "/sys/sunset"));
  std::string_view country;
  if (doc.at_pointer("/sys/country").get(country) == simdjson::SUCCESS) out.country = std::string(country);
  for (const auto& [pointer, name] : kOpenWeatherMapLabels) {
    MF_ASSIGN_OR_RETURN(std::optional<std::string> text, Text(doc, pointer));
    if (text) out.labels[name] = std::move(*text);
  }
  return out;
}

Result<SourceReading> ParseOpenMeteo(std::string_view body, Timestamp fetched_at) {
  std::unique_ptr<simdjson::dom::parser> own;
  MF_ASSIGN_OR_RETURN(simdjson::dom::element doc, ParseObject(ParserFor(body, &own), body));
  SourceReading out;
  simdjson::dom::element time_element;
  if (doc.at_pointer("/current/time").get(time_element) != simdjson::SUCCESS) {
    return Status::InvalidArgument("current.time: required field is missing");
  }
  std::string_view time_text;
  if (time_element.get(time_text) != simdjson::SUCCESS)
    return Status::InvalidArgument("current.time: expected a string");
  auto t = Timestamp::Parse(time_text);
  if (!t.ok()) return Status::InvalidArgument("current.time: " + t.status().message());
  // current.time is wall-clock time at utc_offset_seconds (0 when the request asked for GMT).
  MF_ASSIGN_OR_RETURN(std::optional<double> offset, Number(doc, "/utc_offset_seconds"));
  if (offset && (*offset < -86400 || *offset > 86400))
    return Status::InvalidArgument("utc_offset_seconds: out of range");
  out.observed_at = t->PlusMillis(-static_cast<int64_t>(offset.value_or(0)) * 1000);
  MF_RETURN_IF_ERROR(CheckNearFetch("current.time", out.observed_at, fetched_at));
  MF_RETURN_IF_ERROR(ApplyRules(doc, std::begin(kOpenMeteoRules), std::end(kOpenMeteoRules), &out));
  return out;
}

}  // namespace meteoflow
