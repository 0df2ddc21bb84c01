// Store: where transformed rows, aggregates, predictions, dead letters and stage checkpoints
// live. SqliteStore is the embedded default; the Cassandra store implements the same contract.
//
// Contract: every write is an idempotent upsert keyed by the table's primary key, so a retried
// or replayed batch leaves the same rows. A write that returns OK is durable. Reads return
// rows ordered as documented per method; the caller owns what a read returns.
//
// What a failed write leaves: SqliteStore applies each call in one transaction, so a failed call
// leaves none of its rows. CassandraStore sends a call's rows as separate idempotent statements
// (Cassandra has no multi-partition transaction), so a failed call may leave any subset of them
// written. Callers therefore treat a failed write as "some, all or none landed" and retry the
// whole call, which the upsert rule makes safe on both; no caller relies on all-or-nothing.
// Errors: Unavailable when the backend cannot be reached, IOError for local I/O, Corruption when
// stored data cannot be read back; the message names the table.
//   weather_data      PRIMARY KEY (city_name, time)       (the seed's shape, plus extras)
//   source_observations PRIMARY KEY (source, city_name, time)  (each source's own reading)
//   weather_hourly    PRIMARY KEY (city_name, hour)
//   predictions       PRIMARY KEY (city_name, target_time, variable, horizon, model)
//   service_forecasts PRIMARY KEY (city_name, target_time, variable, issued_at)
//   dead_letter       PRIMARY KEY (source, location_id, fetched_at)
//   pairing_index     PRIMARY KEY (location_id, fetched_at, source)  (the transform's recent readings)
//   checkpoints       PRIMARY KEY (name)
//
// Thread-safety: implementations serialise calls internally; one Store may be shared.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/weather.h"

namespace meteoflow {

class Store {
 public:
  virtual ~Store() = default;

  // Keyed by (city_name, time); a row replaces the whole stored row, absent fields included.
  virtual Status UpsertWeather(const std::vector<WeatherRow>& rows) = 0;
  // Rows of one city with from <= time < to, ordered by time.
  virtual Result<std::vector<WeatherRow>> QueryWeather(const std::string& city_name, Timestamp from, Timestamp to) = 0;
  // The newest row of every city, ordered by city_name.
  virtual Result<std::vector<WeatherRow>> LatestWeather() = 0;

  // Keyed by (source, city_name, time): each source's own reading, replaced whole by a reading
  // of a later fetch (fetched_at) only, so any order of the same writes ends the same.
  virtual Status UpsertObservations(const std::vector<SourceObservation>& rows) = 0;
  // One source's readings of one city with from <= time < to, ordered by time.
  virtual Result<std::vector<SourceObservation>> QueryObservations(const std::string& source,
                                                                   const std::string& city_name, Timestamp from,
                                                                   Timestamp to) = 0;
  // The newest reading of every city from one source, ordered by city_name.
  virtual Result<std::vector<SourceObservation>> LatestObservations(const std::string& source) = 0;

  // Keyed by (city_name, hour): the aggregate of that hour's weather_data rows, recomputed whole.
  virtual Status UpsertHourly(const std::vector<HourlyAggregate>& rows) = 0;
  // Keyed by (source, location_id, fetched_at): the raw message and why it was refused.
  virtual Status UpsertDeadLetters(const std::vector<DeadLetter>& rows) = 0;
  // How many dead letters there are and the newest `limit` of them, without payloads.
  virtual Result<DeadLetterSummary> DeadLetters(int limit) = 0;

  // Keyed by (city_name, target_time, variable, horizon, model): a re-forecast replaces the value.
  virtual Status UpsertPredictions(const std::vector<Prediction>& rows) = 0;
  // One city's predictions with from <= target_time < to (and the given horizon; 0: every one),
  // ordered by target_time, variable, horizon, model.
  virtual Result<std::vector<Prediction>> QueryPredictions(const std::string& city_name, Timestamp from, Timestamp to,
                                                           int horizon) = 0;
  // Keyed like predictions; re-scoring replaces.
  virtual Status UpsertServiceForecasts(const std::vector<ServiceForecast>& rows) = 0;
  // The service's forecasts of one city with target_time in [from, to), by target time, variable
  // and issue time.
  virtual Result<std::vector<ServiceForecast>> QueryServiceForecasts(const std::string& city_name, Timestamp from,
                                                                     Timestamp to) = 0;
  // Deletes the city's service forecasts with target_time before `before` (retention).
  virtual Status PruneServiceForecasts(const std::string& city_name, Timestamp before) = 0;
  virtual Status UpsertPredictionErrors(const std::vector<PredictionError>& rows) = 0;
  // One city's scored predictions, chosen and ordered like QueryPredictions.
  virtual Result<std::vector<PredictionError>> QueryPredictionErrors(const std::string& city_name, Timestamp from,
                                                                     Timestamp to, int horizon) = 0;

  // The transform's pairing index (transform/transform_stage.h): recent readings per location,
  // keyed by (location_id, fetched_at, source), replaced whole.
  virtual Status UpsertPairingEntries(const std::vector<PairingEntry>& rows) = 0;
  // One location's entries with from <= fetched_at <= to, ordered by fetched_at then source.
  virtual Result<std::vector<PairingEntry>> PairingEntries(const std::string& location_id, Timestamp from,
                                                           Timestamp to) = 0;
  // Removes one location's entries fetched before `before`.
  virtual Status PrunePairingEntries(const std::string& location_id, Timestamp before) = 0;

  // Runs `writes` (calls of this store, reads included) as one unit where the backend can:
  // SqliteStore in one transaction (all of them or none, one sync to disk); CassandraStore runs
  // them as they come, each call as documented above.
  virtual Status Atomically(const std::function<Status()>& writes) { return writes(); }
  // True when processes on other machines may write this store at the same time (Cassandra);
  // an embedded store has one writer per stage at a time (its data dir's locks).
  virtual bool SharedAcrossProcesses() const { return false; }

  // Small named facts a stage keeps between runs (e.g. which lake files it has transformed).
  // Write a checkpoint only after the output it vouches for is durable: on failure the stage
  // redoes that work, which the upsert rule makes harmless.
  virtual Status PutCheckpoints(const std::map<std::string, std::string>& entries) = 0;
  // Every checkpoint whose name starts with `prefix`.
  virtual Result<std::map<std::string, std::string>> ListCheckpoints(const std::string& prefix) = 0;
};

}  // namespace meteoflow
