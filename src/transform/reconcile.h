// Reconciliation: one weather_data row from an OpenWeatherMap reading and, when there is one,
// the Open-Meteo reading of the same location and collection.
//
// The rule (docs/ARCHITECTURE.md, "Reconciliation"):
//   - OpenWeatherMap anchors the row: time = its `dt`, and its fields fill the seed's
//     OpenWeatherMap columns. An Open-Meteo reading alone makes no row (it stays in the lake),
//     unless the pipeline collects Open-Meteo only (FromOpenMeteoAlone).
//   - The partner is the Open-Meteo reading of the same location whose fetch time is nearest,
//     within kPairWindowMs (one collection tick); ties go to the earlier fetch.
//   - temperature_2m = mean(OWM main.temp, OM temperature_2m); humidity = mean(OWM humidity,
//     OM relative_humidity_2m); temperature_feels_like = mean(OWM feels_like, OM
//     apparent_temperature) -- the original's averages. With one side missing, the other
//     side's value is used alone.
//   - sunrise/sunset are stored as real timestamps (the original stored seconds as millis).
#pragma once

#include <optional>
#include <string>

#include "core/location.h"
#include "core/weather.h"
#include "transform/parse.h"

namespace meteoflow {

inline constexpr int64_t kPairWindowMs = int64_t{10} * 60 * 1000;

WeatherRow Reconcile(const Location& location, const SourceReading& owm, const SourceReading* om);

// The row of an Open-Meteo reading alone, for pipelines that collect Open-Meteo only (no
// OpenWeatherMap source enabled): time = its `current.time`, sources = "openmeteo";
// temperature_2m, humidity and temperature_feels_like are Open-Meteo's own values.
WeatherRow FromOpenMeteoAlone(const Location& location, const SourceReading& om);

}  // namespace meteoflow
