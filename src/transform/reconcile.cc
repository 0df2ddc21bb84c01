#include "transform/reconcile.h"

namespace meteoflow {
namespace {

std::optional<double> Mean(const std::optional<double>& a, const std::optional<double>& b) {
  if (a && b) return (*a + *b) / 2;
  return a ? a : b;
}

constexpr WeatherField kFromOpenWeatherMap[] = {
    WeatherField::kTemp,      WeatherField::kFeelsLike,  WeatherField::kPressure,  WeatherField::kSeaLevel,
    WeatherField::kGrndLevel, WeatherField::kVisibility, WeatherField::kWindSpeed, WeatherField::kWindDeg,
    WeatherField::kCloudsAll, WeatherField::kLatitude,   WeatherField::kLongitude,
};

constexpr WeatherField kFromOpenMeteo[] = {
    WeatherField::kApparentTemperature,
    WeatherField::kRelativeHumidity2m,
    WeatherField::kIsDay,
    WeatherField::kPrecipitation,
    WeatherField::kRain,
    WeatherField::kShowers,
    WeatherField::kSnowfall,
    WeatherField::kPressureMsl,
    WeatherField::kSurfacePressure,
    WeatherField::kElevation,
};

}  // namespace

WeatherRow Reconcile(const Location& location, const SourceReading& owm, const SourceReading* om) {
  WeatherRow row;
  row.city_name = location.name;
  row.location_id = location.id;
  row.time = owm.observed_at;
  row.country = owm.country;
  row.sunrise = owm.sunrise;
  row.sunset = owm.sunset;
  row.sources = om ? "openweathermap+openmeteo" : "openweathermap";
  for (WeatherField f : kFromOpenWeatherMap) row.at(f) = owm.at(f);
  const SourceReading empty;
  const SourceReading& other = om ? *om : empty;
  for (WeatherField f : kFromOpenMeteo) row.at(f) = other.at(f);
  row.at(WeatherField::kTemperature2m) = Mean(owm.at(WeatherField::kTemp), other.at(WeatherField::kTemperature2m));
  row.at(WeatherField::kHumidity) = Mean(owm.at(WeatherField::kHumidity), other.at(WeatherField::kRelativeHumidity2m));
  row.at(WeatherField::kTemperatureFeelsLike) =
      Mean(owm.at(WeatherField::kFeelsLike), other.at(WeatherField::kApparentTemperature));
  return row;
}

WeatherRow FromOpenMeteoAlone(const Location& location, const SourceReading& om) {
  WeatherRow row;
  row.city_name = location.name;
  row.location_id = location.id;
  row.time = om.observed_at;
  row.sources = "openmeteo";
  for (WeatherField f : kFromOpenMeteo) row.at(f) = om.at(f);
  row.at(WeatherField::kLatitude) = location.latitude;
  row.at(WeatherField::kLongitude) = location.longitude;
  row.at(WeatherField::kTemperature2m) = om.at(WeatherField::kTemperature2m);
  row.at(WeatherField::kHumidity) = om.at(WeatherField::kRelativeHumidity2m);
  row.at(WeatherField::kTemperatureFeelsLike) = om.at(WeatherField::kApparentTemperature);
  return row;
}

}  // namespace meteoflow
