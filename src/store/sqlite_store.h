// SqliteStore: the embedded Store, one SQLite file (WAL) in the data dir.
//
// Times are stored as fixed-width RFC 3339 text ("2024-12-03T22:16:57.000Z") so that users'
// SQL sorts and compares them directly. Each upsert batch is one transaction: all of it is
// durable on OK, none of it on error.
//
// WAL checkpoints (copying committed pages into the main file) run on a thread of the store's
// own, on a second connection, after commits (PASSIVE: they never block a writer or a reader),
// instead of inside whichever commit crosses SQLite's threshold: a 10-minute tick after days of
// history spent ~90 ms of its ~140 ms of store time in such a checkpoint.
//
// Thread-safety: all methods are serialised by one mutex; Atomically holds it throughout.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite_db.h"
#include "store/store.h"

namespace meteoflow {

class SqliteStore : public Store {
 public:
  // Opens (creating tables when needed) the store file at `path`.
  static Result<std::unique_ptr<SqliteStore>> Open(const std::string& path);

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
  Status Atomically(const std::function<Status()>& writes) override;
  ~SqliteStore() override;

 private:
  Result<std::vector<SourceObservation>> SelectObservations(const std::string& where,
                                                            const std::vector<SqlValue>& args);
  SqliteStore(std::unique_ptr<SqliteDb> db, std::unique_ptr<SqliteDb> checkpoint_db);
  // The checkpointer thread: a PASSIVE checkpoint after each wake-up, until stopped.
  void CheckpointLoop();
  Result<std::vector<WeatherRow>> SelectWeather(const std::string& where, const std::vector<SqlValue>& args);
  // Runs `body` inside BEGIN/COMMIT, rolling back when it fails.
  template <typename F>
  Status InTransaction(F&& body);

  std::recursive_mutex mu_;  // recursive: Atomically's calls run under its lock
  int depth_ = 0;            // transactions open (nested ones join the outermost)
  std::unique_ptr<SqliteDb> db_;

  std::unique_ptr<SqliteDb> checkpoint_db_;  // used by checkpointer_ alone
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_due_ = false, stopping_ = false;  // under checkpoint_mu_
  std::thread checkpointer_;
};

}  // namespace meteoflow
