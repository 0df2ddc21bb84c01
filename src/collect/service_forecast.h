// ServiceForecastFetcher: the weather service's own forecast -- Open-Meteo's hourly forecast, its
// numerical weather prediction -- for every location, stored as ServiceForecast rows: the
// regressor of the nwp and nwp-arima models (forecast/models/model.h).
//
// One GET of /v1/forecast per 1000 locations asks `hourly=` the variables behind the six forecast
// variables (temperature_2m, relative_humidity_2m, pressure_msl, wind_speed_10m in m/s,
// visibility) for `forecast_days` days, times in UTC. Each hour's value becomes a row of every
// forecast variable it feeds (pressure_msl feeds pressure and sea_level, as in history.h), issued
// at the clock's time of the fetch. Hours before the fetch's hour are dropped (no longer a
// forecast), as are nulls and non-numbers. An error answer fails the run with the API's reason
// (InvalidArgument for 400, Unavailable otherwise); an answer that is not the documented shape is
// InvalidArgument naming what is missing. Nothing of a failed request is stored. Retries as in
// http/fetch.h. Retention: after storing, each city's forecasts for targets more than `keep_days`
// before the fetch are deleted (the train window is all the regressor ever reads).
//
// Thread-safety: one Run at a time.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "collect/live_source.h"
#include "core/location.h"
#include "store/store.h"

namespace meteoflow {

struct ServiceForecastStats {
  int locations = 0;
  int64_t rows = 0;  // stored
  Timestamp issued_at;
};

class ServiceForecastFetcher {
 public:
  static constexpr size_t kMaxLocationsPerRequest = 1000;
  // The hourly variables asked for, comma-separated.
  static const char* const kHourlyVariables;

  static Result<std::unique_ptr<ServiceForecastFetcher>> Create(LiveSourceOptions options, Clock& clock,
                                                                int forecast_days = 2, int keep_days = 8);
  Result<ServiceForecastStats> Run(const std::vector<Location>& locations, Store& store);

  // The rows of one location's element of an answer (exposed for tests and the fuzz target).
  static Status RowsOf(std::string_view element_json, const Location& location, Timestamp issued_at,
                       std::vector<ServiceForecast>* out);

 private:
  ServiceForecastFetcher(LiveSourceOptions options, Clock& clock, int forecast_days, int keep_days,
                         std::unique_ptr<HttpClient> http)
      : options_(std::move(options)),
        clock_(clock),
        forecast_days_(forecast_days),
        keep_days_(keep_days),
        http_(std::move(http)),
        rng_(std::random_device{}()) {}
  Result<std::vector<ServiceForecast>> Fetch(const std::vector<Location>& batch, Timestamp issued_at);

  LiveSourceOptions options_;
  Clock& clock_;
  int forecast_days_;
  int keep_days_;
  std::unique_ptr<HttpClient> http_;
  std::mt19937_64 rng_;
};

}  // namespace meteoflow
