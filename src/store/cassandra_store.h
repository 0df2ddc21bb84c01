// CassandraStore: the Store contract on Apache Cassandra, through meteoflow's own CQL client.
//
// Open creates the keyspace (replication from the options) and the tables when missing:
//   weather_data       PRIMARY KEY (city_name, time)    -- the original pipeline's table, same columns
//   weather_hourly     PRIMARY KEY (city_name, hour)
//   predictions        PRIMARY KEY (city_name, variable, target_time, model)
//   prediction_errors  PRIMARY KEY (city_name, variable, target_time, model)
//   dead_letter        PRIMARY KEY (source, location_id, fetched_at)
//   checkpoints        PRIMARY KEY (scope, name)  -- one partition, so prefixes are a range
// and prepares every statement. Writes are prepared upserts (Cassandra INSERTs are idempotent
// upserts), pipelined with up to `max_in_flight` requests outstanding; absent optional values are
// written as nulls so a re-upsert replaces the whole row, as SQLite's INSERT OR REPLACE does.
// Reads page through results (`page_size` rows per request) and return rows in the order the
// Store contract documents.
//
// Connection loss: a call on a broken connection reconnects first (the contact points in turn,
// backing off 100 ms doubling to 5 s over at most `reconnect_attempts` rounds) and fails if none
// answers; a call that fails midway returns the error (writes are idempotent: retry the call).
//
// Thread-safety: calls are serialised by an internal mutex.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/cql/connection.h"
#include "store/store.h"

namespace meteoflow {

struct CassandraOptions {
  std::vector<std::string> contact_points = {"127.0.0.1:9042"};  // host:port
  std::string keyspace = "spark_streaming";
  std::string replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
  std::string user, password;
  cql::Consistency consistency = cql::kLocalQuorum;
  int connect_timeout_ms = 5000;
  int request_timeout_ms = 12000;
  int max_in_flight = 256;
  int page_size = 5000;
  int reconnect_attempts = 5;
};

class CassandraStore : public Store {
 public:
  bool SharedAcrossProcesses() const override { return true; }
  static Result<std::unique_ptr<CassandraStore>> Open(const CassandraOptions& options);

  Status UpsertWeather(const std::vector<WeatherRow>& rows) override;
  Result<std::vector<WeatherRow>> QueryWeather(const std::string& city_name, Timestamp from, Timestamp to) override;
  Result<std::vector<WeatherRow>> LatestWeather() override;
  Status UpsertHourly(const std::vector<HourlyAggregate>& rows) override;
  Status UpsertObservations(const std::vector<SourceObservation>& rows) override;
  Result<std::vector<SourceObservation>> QueryObservations(const std::string& source, const std::string& city_name,
                                                           Timestamp from, Timestamp to) override;
  Result<std::vector<SourceObservation>> LatestObservations(const std::string& source) override;
  Status UpsertDeadLetters(const std::vector<DeadLetter>& rows) override;
  Result<DeadLetterSummary> DeadLetters(int limit) override;
  Status UpsertPairingEntries(const std::vector<PairingEntry>& rows) override;
  Result<std::vector<PairingEntry>> PairingEntries(const std::string& location_id, Timestamp from,
                                                   Timestamp to) override;
  Status PrunePairingEntries(const std::string& location_id, Timestamp before) override;
  Status UpsertPredictions(const std::vector<Prediction>& rows) override;
  Result<std::vector<Prediction>> QueryPredictions(const std::string& city_name, Timestamp from, Timestamp to,
                                                   int horizon) override;
  Status UpsertServiceForecasts(const std::vector<ServiceForecast>& rows) override;
  Result<std::vector<ServiceForecast>> QueryServiceForecasts(const std::string& city_name, Timestamp from,
                                                             Timestamp to) override;
  Status PruneServiceForecasts(const std::string& city_name, Timestamp before) override;
  Status UpsertPredictionErrors(const std::vector<PredictionError>& rows) override;
  Result<std::vector<PredictionError>> QueryPredictionErrors(const std::string& city_name, Timestamp from, Timestamp to,
                                                             int horizon) override;
  Status PutCheckpoints(const std::map<std::string, std::string>& entries) override;
  Result<std::map<std::string, std::string>> ListCheckpoints(const std::string& prefix) override;

 private:
  struct Statement {
    std::string cql;
    cql::Prepared prepared;
  };
  explicit CassandraStore(CassandraOptions options) : options_(std::move(options)) {}
  Status Connect();
  Status CreateSchema();
  Status RefuseTablesBeforeHorizons();
  Status PrepareAll();
  Status Upsert(const std::string& name, const std::vector<std::vector<cql::Value>>& rows);
  // Every row of a prepared SELECT, all pages, as values typed by the result columns.
  Result<std::vector<SourceObservation>> Observations(const std::string& statement, const std::string& source,
                                                      const std::string& city_name,
                                                      const std::vector<cql::Value>& args);
  Result<std::vector<std::vector<cql::Value>>> Select(const std::string& name, const std::vector<cql::Value>& args);

  CassandraOptions options_;
  std::mutex mu_;
  std::unique_ptr<cql::Connection> conn_;
  std::map<std::string, Statement> statements_;
};

}  // namespace meteoflow
