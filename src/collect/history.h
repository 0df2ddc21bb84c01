// History: hourly weather of every configured location from Open-Meteo's archive API, landed in
// the store so that the dashboard and the train DAG have weeks or years of real data.
//
// Where the rows go: weather_data, one row per (city, hour) with sources = "openmeteo-archive"
// and time = the hour (UTC). The forecast variables are filled from the archive's: temp and
// temperature_2m <- temperature_2m, humidity <- relative_humidity_2m, pressure and sea_level <-
// pressure_msl, wind_speed <- wind_speed_10m (m/s), plus the Open-Meteo columns of the same names.
// An hour that already has a row of that city (a live reading, or an earlier history run) is left
// as it is: history never overwrites what was collected.
//
// Requests: all locations (up to 100 a request) for `chunk_days` days at a time. After each chunk
// is stored a checkpoint "history/<location set>/<first day>/<last day>" records it, so a run
// interrupted at any point (even kill -9) and run again fetches only the chunks not yet stored
// and ends with the same rows.
//
// Thread-safety: one Run at a time.
#pragma once

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "collect/live_source.h"
#include "core/location.h"
#include "store/store.h"

namespace meteoflow {

struct HistoryRequest {
  std::string first_day, last_day;  // YYYY-MM-DD, inclusive
  std::vector<std::string> variables;
  int chunk_days = 7;
};

struct HistoryProgress {
  int chunks_done = 0, chunks_total = 0;
  int64_t rows_stored = 0;    // new rows so far
  int64_t rows_existing = 0;  // hours that already had a row
  int chunks_skipped = 0;     // stored by an earlier run
};

class HistoryLoader {
 public:
  static constexpr size_t kMaxLocationsPerRequest = 100;
  static const char* const kDefaultVariables;

  static Result<std::unique_ptr<HistoryLoader>> Create(LiveSourceOptions archive, Clock& clock);
  // Fetches and stores every chunk of `request` not stored before; `on_chunk` after each chunk.
  Result<HistoryProgress> Run(const HistoryRequest& request, const std::vector<Location>& locations, Store& store,
                              const std::function<void(const HistoryProgress&)>& on_chunk);

 private:
  HistoryLoader(LiveSourceOptions options, Clock& clock, std::unique_ptr<HttpClient> http)
      : options_(std::move(options)), clock_(clock), http_(std::move(http)), rng_(std::random_device{}()) {}
  // The rows of one chunk for `batch`, from one archive request.
  Result<std::vector<WeatherRow>> Fetch(const std::vector<Location>& batch, const std::string& first,
                                        const std::string& last, const std::vector<std::string>& variables);

  LiveSourceOptions options_;
  Clock& clock_;
  std::unique_ptr<HttpClient> http_;
  std::mt19937_64 rng_;
};

}  // namespace meteoflow
