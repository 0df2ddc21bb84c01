// Pairing for the incremental transform: which weather_data rows a batch of new readings
// creates or changes, from the readings of the same location fetched around them.
//
// The rule (reconcile.h): an OpenWeatherMap reading makes the row keyed by its `dt`, with the
// Open-Meteo reading of the same location nearest in fetch time within kPairWindowMs (ties: the
// earlier fetch). Readings that share a `dt` make one row, from the one fetched last (equal fetch
// times: the larger values). A new Open-Meteo reading can change the partner of OpenWeatherMap
// readings fetched within kPairWindowMs of it; nothing farther is affected.
//
// RowsToUpsert needs every reading of the location fetched within kLookbackMs of the new ones;
// with that, applying its rows batch after batch gives the same table as ReferenceRows over all
// readings at once, whatever the batches and their order (tested in pairing_test.cc).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "core/location.h"
#include "core/weather.h"
#include "transform/parse.h"
#include "transform/reconcile.h"

namespace meteoflow {

// Readings sharing a `dt` are seen together when fetched at most this far apart.
inline constexpr int64_t kSameObservationSlackMs = int64_t{30} * 60 * 1000;
// How far around the new readings' fetch times a batch must see the location's readings.
inline constexpr int64_t kLookbackMs = 2 * kPairWindowMs + kSameObservationSlackMs;

struct Reading {
  Timestamp fetched_at;
  SourceReading reading;
  bool is_new = false;
};

struct PairedRows {
  std::vector<WeatherRow> rows;
  int64_t paired = 0;  // rows with an Open-Meteo partner
};

// The rows the new readings among `owm` and `om` create or change (openweathermap_alone: false).
PairedRows RowsToUpsert(const Location& location, std::vector<Reading> owm, std::vector<Reading> om);
// Every row of complete reading sets: the rule applied directly, for tests and checks.
PairedRows ReferenceRows(const Location& location, std::vector<Reading> owm, std::vector<Reading> om);
// The rows of Open-Meteo readings alone (no OpenWeatherMap source): one per new reading that is
// the last fetched of the visible ones with its observation time.
PairedRows OpenMeteoAloneRows(const Location& location, std::vector<Reading> om);

}  // namespace meteoflow
