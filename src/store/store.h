// Store: where transformed rows, aggregates, predictions, dead letters and stage checkpoints
// live. SqliteStore is the embedded default; the Cassandra store implements the same contract.
//
// Contract: every write is an idempotent upsert keyed by the table's primary key, so a retried
// or replayed batch leaves the same rows. A write that returns OK is durable. Reads return
// rows ordered as documented per method.
//   weather_data      PRIMARY KEY (city_name, time)       (the seed's shape, plus extras)
//   weather_hourly    PRIMARY KEY (city_name, hour)
//   predictions       PRIMARY KEY (city_name, variable, target_time, model)
//   dead_letter       PRIMARY KEY (source, location_id, fetched_at)
//   checkpoints       PRIMARY KEY (name)
//
// Thread-safety: implementations serialise calls internally; one Store may be shared.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/weather.h"

namespace meteoflow {

class Store {
 public:
  virtual ~Store() = default;

  virtual Status UpsertWeather(const std::vector<WeatherRow>& rows) = 0;
  // Rows of one city with from <= time < to, ordered by time.
  virtual Result<std::vector<WeatherRow>> QueryWeather(const std::string& city_name, Timestamp from, Timestamp to) = 0;
  // The newest row of every city, ordered by city_name.
  virtual Result<std::vector<WeatherRow>> LatestWeather() = 0;

  virtual Status UpsertHourly(const std::vector<HourlyAggregate>& rows) = 0;
  virtual Status UpsertDeadLetters(const std::vector<DeadLetter>& rows) = 0;

  virtual Status UpsertPredictions(const std::vector<Prediction>& rows) = 0;
  // Predictions of one city, ordered by target_time then variable.
  virtual Result<std::vector<Prediction>> QueryPredictions(const std::string& city_name) = 0;
  // Keyed by (city_name, variable, target_time, model); re-scoring replaces.
  virtual Status UpsertPredictionErrors(const std::vector<PredictionError>& rows) = 0;
  // One city's scored predictions, by target_time then variable.
  virtual Result<std::vector<PredictionError>> QueryPredictionErrors(const std::string& city_name) = 0;

  // Small named facts a stage keeps between runs (e.g. which lake files it has transformed).
  virtual Status PutCheckpoints(const std::map<std::string, std::string>& entries) = 0;
  // Every checkpoint whose name starts with `prefix`.
  virtual Result<std::map<std::string, std::string>> ListCheckpoints(const std::string& prefix) = 0;
};

}  // namespace meteoflow
