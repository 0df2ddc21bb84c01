#include "store/sqlite_store.h"

#include <algorithm>
#include <sstream>
#include <tuple>

#include "store/observation_codec.h"

namespace meteoflow {
namespace {

// Both forecast tables, keyed for one city's reads over a range of target times.
constexpr const char* kPredictionTables =
    "CREATE TABLE IF NOT EXISTS predictions (city_name TEXT NOT NULL, variable TEXT NOT NULL, "
    "target_time TEXT NOT NULL, horizon INTEGER NOT NULL, model TEXT NOT NULL, value REAL NOT NULL, "
    "created_at TEXT NOT NULL, issued_at TEXT NOT NULL, persistence REAL, lower80 REAL, upper80 REAL, lower95 REAL, "
    "upper95 REAL, PRIMARY KEY (city_name, target_time, variable, horizon, model)) WITHOUT ROWID;\n"
    "CREATE TABLE IF NOT EXISTS prediction_errors (city_name TEXT NOT NULL, variable TEXT NOT NULL, "
    "target_time TEXT NOT NULL, horizon INTEGER NOT NULL, model TEXT NOT NULL, predicted REAL NOT NULL, "
    "actual REAL NOT NULL, error REAL NOT NULL, observed_at TEXT NOT NULL, issued_at TEXT NOT NULL, persistence REAL, "
    "PRIMARY KEY (city_name, target_time, variable, horizon, model)) WITHOUT ROWID";

std::string WeatherColumns() {
  std::string cols = "city_name, time, location_id, country, sunrise, sunset, sources";
  for (size_t i = 0; i < kWeatherFieldCount; ++i)
    cols += std::string(", ") + WeatherFieldName(static_cast<WeatherField>(i));
  return cols;
}

std::string Schema() {
  std::ostringstream s;
  s << "CREATE TABLE IF NOT EXISTS weather_data (city_name TEXT NOT NULL, time TEXT NOT NULL, "
       "location_id TEXT NOT NULL, country TEXT, sunrise TEXT, sunset TEXT, sources TEXT NOT NULL";
  for (size_t i = 0; i < kWeatherFieldCount; ++i)
    s << ", " << WeatherFieldName(static_cast<WeatherField>(i)) << " REAL";
  s << ", PRIMARY KEY (city_name, time)) WITHOUT ROWID;\n"
    << "CREATE TABLE IF NOT EXISTS weather_hourly (city_name TEXT NOT NULL, hour TEXT NOT NULL, "
       "observations INTEGER NOT NULL, temp_avg REAL, temp_min REAL, temp_max REAL, humidity_avg REAL, "
       "pressure_avg REAL, wind_speed_avg REAL, wind_speed_max REAL, precipitation_sum REAL, "
       "PRIMARY KEY (city_name, hour)) WITHOUT ROWID;\n"
    << kPredictionTables << ";\n"
    << "CREATE TABLE IF NOT EXISTS dead_letter (source TEXT NOT NULL, location_id TEXT NOT NULL, "
       "fetched_at TEXT NOT NULL, reason TEXT NOT NULL, payload TEXT NOT NULL, "
       "PRIMARY KEY (source, location_id, fetched_at)) WITHOUT ROWID;\n"
       "CREATE TABLE IF NOT EXISTS source_observations (source TEXT NOT NULL, city_name TEXT NOT NULL, "
       "time TEXT NOT NULL, location_id TEXT NOT NULL, fetched_at TEXT NOT NULL, readings TEXT NOT NULL, "
       "labels TEXT NOT NULL, UNIQUE (source, city_name, time));\n"
       "CREATE INDEX IF NOT EXISTS dead_letter_by_time ON dead_letter (fetched_at);\n"
       "CREATE TABLE IF NOT EXISTS pairing_index (location_id TEXT NOT NULL, fetched_at TEXT NOT NULL, "
       "source TEXT NOT NULL, reading TEXT NOT NULL, PRIMARY KEY (location_id, fetched_at, source)) WITHOUT ROWID;\n"
       "CREATE TABLE IF NOT EXISTS service_forecasts (city_name TEXT NOT NULL, target_time TEXT NOT NULL, "
       "variable TEXT NOT NULL, issued_at TEXT NOT NULL, value REAL NOT NULL, "
       "PRIMARY KEY (city_name, target_time, variable, issued_at)) WITHOUT ROWID;\n"
       "CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;\n";
  return s.str();
}

Result<bool> HasColumn(SqliteDb& db, const std::string& table, const std::string& column) {
  MF_ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT count(*) FROM pragma_table_info(?) WHERE name = ?"));
  stmt->Bind(1, table);
  stmt->Bind(2, column);
  MF_ASSIGN_OR_RETURN(const bool has_row, stmt->Step());
  return has_row && stmt->ColumnInt(0) > 0;
}

// Databases made before forecast horizons keep their predictions as one-step ones: the tables
// are rebuilt with the horizon in their key, in one transaction. Rows made before intervals
// existed have none; a migrated prediction's issue time is its run's logical time (created_at),
// the closest the old rows know.
Status RebuildPredictionTables(SqliteDb& db) {
  MF_ASSIGN_OR_RETURN(const bool has_predictions, HasColumn(db, "predictions", "target_time"));
  MF_ASSIGN_OR_RETURN(const bool has_horizons, HasColumn(db, "predictions", "horizon"));
  if (!has_predictions || has_horizons) return Status::OK();
  MF_ASSIGN_OR_RETURN(const bool has_intervals, HasColumn(db, "predictions", "lower80"));
  const std::string intervals = has_intervals ? "lower80, upper80, lower95, upper95" : "NULL, NULL, NULL, NULL";
  return db.Exec(
      "ALTER TABLE predictions RENAME TO predictions_before_horizons;"
      "ALTER TABLE prediction_errors RENAME TO prediction_errors_before_horizons;" +
      std::string(kPredictionTables) +
      ";INSERT INTO predictions SELECT city_name, variable, target_time, 1, model, value, created_at, created_at, "
      "NULL, " +
      intervals +
      " FROM predictions_before_horizons;"
      "INSERT INTO prediction_errors SELECT city_name, variable, target_time, 1, model, predicted, actual, error, "
      "observed_at, target_time, NULL FROM prediction_errors_before_horizons;"
      "DROP TABLE predictions_before_horizons; DROP TABLE prediction_errors_before_horizons;");
}

// Checked and rebuilt under the write lock, so two processes opening an old database at once
// migrate it once.
Status Migrate(SqliteDb& db) {
  MF_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  Status s = RebuildPredictionTables(db);
  if (!s.ok()) {
    (void)db.Exec("ROLLBACK");
    return Status::IOError("migrating " + db.path() + " to forecast horizons: " + s.message());
  }
  return db.Exec("COMMIT");
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path) {
  MF_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  MF_RETURN_IF_ERROR(db->ExecSchema(Schema()));
  MF_RETURN_IF_ERROR(Migrate(*db));
  MF_RETURN_IF_ERROR(db->Exec("PRAGMA wal_autocheckpoint=0"));  // the checkpointer thread does it
  MF_ASSIGN_OR_RETURN(auto checkpoint_db, SqliteDb::Open(path));
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(db), std::move(checkpoint_db)));
}

SqliteStore::SqliteStore(std::unique_ptr<SqliteDb> db, std::unique_ptr<SqliteDb> checkpoint_db)
    : db_(std::move(db)), checkpoint_db_(std::move(checkpoint_db)), checkpointer_([this] { CheckpointLoop(); }) {}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard<std::mutex> lock(checkpoint_mu_);
    stopping_ = true;
  }
  checkpoint_cv_.notify_one();
  checkpointer_.join();
}

void SqliteStore::CheckpointLoop() {
  std::unique_lock<std::mutex> lock(checkpoint_mu_);
  while (true) {
    checkpoint_cv_.wait(lock, [this] { return checkpoint_due_ || stopping_; });
    if (stopping_) return;
    checkpoint_due_ = false;
    lock.unlock();
    // Best effort: a checkpoint that cannot finish now (a reader holds old pages) is retried
    // after the next commit, and closing the store checkpoints whatever is left.
    (void)checkpoint_db_->Exec("PRAGMA wal_checkpoint(PASSIVE)");
    lock.lock();
  }
}

template <typename F>
Status SqliteStore::InTransaction(F&& body) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (depth_ > 0) return body();  // inside Atomically: its transaction commits or rolls back all
  MF_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  ++depth_;
  Status s = body();
  --depth_;
  if (!s.ok()) {
    (void)db_->Exec("ROLLBACK");
    return s;
  }
  MF_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  {
    std::lock_guard<std::mutex> wake(checkpoint_mu_);
    checkpoint_due_ = true;
  }
  checkpoint_cv_.notify_one();
  return Status::OK();
}

Status SqliteStore::Atomically(const std::function<Status()>& writes) { return InTransaction(writes); }

Status SqliteStore::UpsertWeather(const std::vector<WeatherRow>& rows) {
  return InTransaction([&]() -> Status {
    std::string params = "?";
    for (size_t i = 1; i < 7 + kWeatherFieldCount; ++i) params += ",?";
    MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT OR REPLACE INTO weather_data (" + WeatherColumns() +
                                                ") VALUES (" + params + ")"));
    for (const auto& r : rows) {
      stmt->Bind(1, r.city_name);
      stmt->Bind(2, r.time.ToFixedString());
      stmt->Bind(3, r.location_id);
      stmt->Bind(4, r.country.empty() ? SqlValue() : SqlValue(r.country));
      stmt->Bind(5, SqlTime(r.sunrise));
      stmt->Bind(6, SqlTime(r.sunset));
      stmt->Bind(7, r.sources);
      for (size_t i = 0; i < kWeatherFieldCount; ++i) stmt->BindOptional(static_cast<int>(8 + i), r.fields[i]);
      MF_RETURN_IF_ERROR(stmt->Run());
    }
    return Status::OK();
  });
}

Result<std::vector<WeatherRow>> SqliteStore::SelectWeather(const std::string& where,
                                                           const std::vector<SqlValue>& args) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT " + WeatherColumns() + " FROM weather_data " + where));
  for (size_t i = 0; i < args.size(); ++i) stmt->Bind(static_cast<int>(i + 1), args[i]);
  std::vector<WeatherRow> out;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    WeatherRow r;
    r.city_name = stmt->ColumnText(0);
    MF_ASSIGN_OR_RETURN(r.time, Timestamp::Parse(stmt->ColumnText(1)));
    r.location_id = stmt->ColumnText(2);
    r.country = stmt->ColumnText(3);
    r.sunrise = ParseSqlTime(stmt->ColumnText(4));
    r.sunset = ParseSqlTime(stmt->ColumnText(5));
    r.sources = stmt->ColumnText(6);
    for (size_t i = 0; i < kWeatherFieldCount; ++i) r.fields[i] = stmt->ColumnDouble(static_cast<int>(7 + i));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<WeatherRow>> SqliteStore::QueryWeather(const std::string& city_name, Timestamp from, Timestamp to) {
  return SelectWeather("WHERE city_name = ? AND time >= ? AND time < ? ORDER BY time",
                       {city_name, from.ToFixedString(), to.ToFixedString()});
}

Result<std::vector<WeatherRow>> SqliteStore::LatestWeather() {
  return SelectWeather(
      "AS w WHERE time = (SELECT max(time) FROM weather_data WHERE city_name = w.city_name) ORDER BY city_name", {});
}

Status SqliteStore::UpsertHourly(const std::vector<HourlyAggregate>& rows) {
  return InTransaction([&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("INSERT OR REPLACE INTO weather_hourly VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    for (const auto& r : rows) {
      stmt->Bind(1, r.city_name);
      stmt->Bind(2, r.hour.ToFixedString());
      stmt->Bind(3, r.observations);
      int i = 4;
      for (const auto* v : {&r.temp_avg, &r.temp_min, &r.temp_max, &r.humidity_avg, &r.pressure_avg, &r.wind_speed_avg,
                            &r.wind_speed_max, &r.precipitation_sum}) {
        stmt->BindOptional(i++, *v);
      }
      MF_RETURN_IF_ERROR(stmt->Run());
    }
    return Status::OK();
  });
}

Status SqliteStore::UpsertDeadLetters(const std::vector<DeadLetter>& rows) {
  return InTransaction([&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT OR REPLACE INTO dead_letter VALUES (?,?,?,?,?)"));
    for (const auto& r : rows) {
      stmt->Bind(1, r.source);
      stmt->Bind(2, r.location_id);
      stmt->Bind(3, r.fetched_at.ToFixedString());
      stmt->Bind(4, r.reason);
      stmt->Bind(5, r.payload);
      MF_RETURN_IF_ERROR(stmt->Run());
    }
    return Status::OK();
  });
}

Status SqliteStore::UpsertPairingEntries(const std::vector<PairingEntry>& rows) {
  std::vector<const PairingEntry*> sorted;  // in key order: each location's pages touched once
  sorted.reserve(rows.size());
  for (const auto& r : rows) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const PairingEntry* a, const PairingEntry* b) {
    return std::tie(a->location_id, a->fetched_at, a->source) < std::tie(b->location_id, b->fetched_at, b->source);
  });
  return InTransaction([&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT OR REPLACE INTO pairing_index VALUES (?,?,?,?)"));
    for (const PairingEntry* p : sorted) {
      const PairingEntry& r = *p;
      stmt->Bind(1, r.location_id);
      stmt->Bind(2, r.fetched_at.ToFixedString());
      stmt->Bind(3, r.source);
      stmt->Bind(4, r.reading);
      MF_RETURN_IF_ERROR(stmt->Run());
    }
    return Status::OK();
  });
}

Result<std::vector<PairingEntry>> SqliteStore::PairingEntries(const std::string& location_id, Timestamp from,
                                                              Timestamp to) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT fetched_at, source, reading FROM pairing_index WHERE "
                                              "location_id = ? AND fetched_at >= ? AND fetched_at <= ? "
                                              "ORDER BY fetched_at, source"));
  stmt->Bind(1, location_id);
  stmt->Bind(2, from.ToFixedString());
  stmt->Bind(3, to.ToFixedString());
  std::vector<PairingEntry> out;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    PairingEntry e{location_id, stmt->ColumnText(1), {}, stmt->ColumnText(2)};
    MF_ASSIGN_OR_RETURN(e.fetched_at, Timestamp::Parse(stmt->ColumnText(0)));
    out.push_back(std::move(e));
  }
  return out;
}

Status SqliteStore::PrunePairingEntries(const std::string& location_id, Timestamp before) {
  return InTransaction([&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("DELETE FROM pairing_index WHERE location_id = ? AND fetched_at < ?"));
    stmt->Bind(1, location_id);
    stmt->Bind(2, before.ToFixedString());
    return stmt->Run();
  });
}

Result<DeadLetterSummary> SqliteStore::DeadLetters(int limit) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  DeadLetterSummary out;
  MF_ASSIGN_OR_RETURN(auto count, db_->Prepare("SELECT count(*) FROM dead_letter"));
  MF_ASSIGN_OR_RETURN(bool has_count, count->Step());
  if (has_count) out.total = static_cast<int64_t>(count->ColumnDouble(0).value_or(0));
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT source, location_id, fetched_at, reason FROM dead_letter "
                                              "ORDER BY fetched_at DESC, source, location_id LIMIT ?"));
  stmt->Bind(1, static_cast<int64_t>(limit));
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    DeadLetter d;
    d.source = stmt->ColumnText(0);
    d.location_id = stmt->ColumnText(1);
    MF_ASSIGN_OR_RETURN(d.fetched_at, Timestamp::Parse(stmt->ColumnText(2)));
    d.reason = stmt->ColumnText(3);
    out.newest.push_back(std::move(d));
  }
  return out;
}

Status SqliteStore::UpsertObservations(const std::vector<SourceObservation>& rows) {
  // In key order: the index grows at its ends instead of splitting pages all over.
  std::vector<const SourceObservation*> sorted;
  sorted.reserve(rows.size());
  for (const auto& r : rows) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const SourceObservation* a, const SourceObservation* b) {
    return std::tie(a->source, a->city_name, a->time) < std::tie(b->source, b->city_name, b->time);
  });
  return InTransaction([&]() -> Status {
    // The latest fetch of an observation time wins whatever order the rows come in (fixed-width
    // times compare as text); the same fetch twice keeps the greater readings, so any order
    // ends the same.
    MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT INTO source_observations VALUES (?,?,?,?,?,?,?) "
                                                "ON CONFLICT (source, city_name, time) DO UPDATE SET "
                                                "location_id = excluded.location_id, fetched_at = excluded.fetched_at, "
                                                "readings = excluded.readings, labels = excluded.labels "
                                                "WHERE (excluded.fetched_at, excluded.readings, excluded.labels) > "
                                                "(fetched_at, readings, labels)"));
    for (const SourceObservation* p : sorted) {
      const SourceObservation& r = *p;
      stmt->Bind(1, r.source);
      stmt->Bind(2, r.city_name);
      stmt->Bind(3, r.time.ToFixedString());
      stmt->Bind(4, r.location_id);
      stmt->Bind(5, r.fetched_at.ToFixedString());
      stmt->Bind(6, ObservationValuesText(r));
      stmt->Bind(7, ObservationLabelsText(r));
      MF_RETURN_IF_ERROR(stmt->Run());
    }
    return Status::OK();
  });
}

Result<std::vector<SourceObservation>> SqliteStore::SelectObservations(const std::string& where,
                                                                       const std::vector<SqlValue>& args) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT source, city_name, time, location_id, fetched_at, readings, "
                                              "labels FROM source_observations AS o " +
                                              where));
  for (size_t i = 0; i < args.size(); ++i) stmt->Bind(static_cast<int>(i + 1), args[i]);
  std::vector<SourceObservation> out;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    SourceObservation o{stmt->ColumnText(0), stmt->ColumnText(1), {}, stmt->ColumnText(3), {}, {}, {}};
    MF_ASSIGN_OR_RETURN(o.time, Timestamp::Parse(stmt->ColumnText(2)));
    MF_ASSIGN_OR_RETURN(o.fetched_at, Timestamp::Parse(stmt->ColumnText(4)));
    MF_RETURN_IF_ERROR(DecodeObservationMaps(stmt->ColumnText(5), stmt->ColumnText(6), &o));
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<SourceObservation>> SqliteStore::QueryObservations(const std::string& source,
                                                                      const std::string& city_name, Timestamp from,
                                                                      Timestamp to) {
  return SelectObservations("WHERE source = ? AND city_name = ? AND time >= ? AND time < ? ORDER BY time",
                            {source, city_name, from.ToFixedString(), to.ToFixedString()});
}

Result<std::vector<SourceObservation>> SqliteStore::LatestObservations(const std::string& source) {
  return SelectObservations(
      "WHERE source = ? AND time = (SELECT max(time) FROM source_observations WHERE source = o.source AND "
      "city_name = o.city_name) ORDER BY city_name",
      {source});
}

Status SqliteStore::UpsertPredictions(const std::vector<Prediction>& rows) {
  return InTransaction([&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("INSERT OR REPLACE INTO predictions (city_name, variable, target_time, horizon, "
                                     "model, value, created_at, issued_at, persistence, lower80, upper80, lower95, "
                                     "upper95) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"));
    for (const auto& r : rows) {
      stmt->Bind(1, r.city_name);
      stmt->Bind(2, r.variable);
      stmt->Bind(3, r.target_time.ToFixedString());
      stmt->Bind(4, int64_t{r.horizon});
      stmt->Bind(5, r.model);
      stmt->Bind(6, r.value);
      stmt->Bind(7, r.created_at.ToFixedString());
      stmt->Bind(8, r.issued_at.ToFixedString());
      stmt->BindOptional(9, r.persistence);
      stmt->BindOptional(10, r.lower80);
      stmt->BindOptional(11, r.upper80);
      stmt->BindOptional(12, r.lower95);
      stmt->BindOptional(13, r.upper95);
      MF_RETURN_IF_ERROR(stmt->Run());
    }
    return Status::OK();
  });
}

Result<std::vector<Prediction>> SqliteStore::QueryPredictions(const std::string& city_name, Timestamp from,
                                                              Timestamp to, int horizon) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT city_name, variable, target_time, horizon, model, value, "
                                              "created_at, issued_at, persistence, lower80, upper80, lower95, upper95 "
                                              "FROM predictions WHERE city_name = ? AND target_time >= ? AND "
                                              "target_time < ? AND (?4 = 0 OR horizon = ?4) "
                                              "ORDER BY target_time, variable, horizon, model"));
  stmt->Bind(1, city_name);
  stmt->Bind(2, from.ToFixedString());
  stmt->Bind(3, to.ToFixedString());
  stmt->Bind(4, int64_t{horizon});
  std::vector<Prediction> out;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    Prediction p;
    p.city_name = stmt->ColumnText(0);
    p.variable = stmt->ColumnText(1);
    MF_ASSIGN_OR_RETURN(p.target_time, Timestamp::Parse(stmt->ColumnText(2)));
    p.horizon = static_cast<int>(stmt->ColumnInt(3));
    p.model = stmt->ColumnText(4);
    p.value = stmt->ColumnDouble(5).value_or(0);
    MF_ASSIGN_OR_RETURN(p.created_at, Timestamp::Parse(stmt->ColumnText(6)));
    MF_ASSIGN_OR_RETURN(p.issued_at, Timestamp::Parse(stmt->ColumnText(7)));
    p.persistence = stmt->ColumnDouble(8);
    p.lower80 = stmt->ColumnDouble(9);
    p.upper80 = stmt->ColumnDouble(10);
    p.lower95 = stmt->ColumnDouble(11);
    p.upper95 = stmt->ColumnDouble(12);
    out.push_back(std::move(p));
  }
  return out;
}

Status SqliteStore::UpsertServiceForecasts(const std::vector<ServiceForecast>& rows) {
  return InTransaction([&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT OR REPLACE INTO service_forecasts (city_name, target_time, "
                                                "variable, issued_at, value) VALUES (?,?,?,?,?)"));
    for (const auto& r : rows) {
      stmt->Bind(1, r.city_name);
      stmt->Bind(2, r.target_time.ToFixedString());
      stmt->Bind(3, r.variable);
      stmt->Bind(4, r.issued_at.ToFixedString());
      stmt->Bind(5, r.value);
      MF_RETURN_IF_ERROR(stmt->Run());
    }
    return Status::OK();
  });
}

Result<std::vector<ServiceForecast>> SqliteStore::QueryServiceForecasts(const std::string& city_name, Timestamp from,
                                                                        Timestamp to) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT target_time, variable, issued_at, value FROM service_forecasts "
                                              "WHERE city_name = ? AND target_time >= ? AND target_time < ? "
                                              "ORDER BY target_time, variable, issued_at"));
  stmt->Bind(1, city_name);
  stmt->Bind(2, from.ToFixedString());
  stmt->Bind(3, to.ToFixedString());
  std::vector<ServiceForecast> out;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    ServiceForecast f;
    f.city_name = city_name;
    MF_ASSIGN_OR_RETURN(f.target_time, Timestamp::Parse(stmt->ColumnText(0)));
    f.variable = stmt->ColumnText(1);
    MF_ASSIGN_OR_RETURN(f.issued_at, Timestamp::Parse(stmt->ColumnText(2)));
    f.value = stmt->ColumnDouble(3).value_or(0);
    out.push_back(std::move(f));
  }
  return out;
}

Status SqliteStore::PruneServiceForecasts(const std::string& city_name, Timestamp before) {
  return InTransaction([&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("DELETE FROM service_forecasts WHERE city_name = ? AND target_time < ?"));
    stmt->Bind(1, city_name);
    stmt->Bind(2, before.ToFixedString());
    return stmt->Run();
  });
}

Status SqliteStore::UpsertPredictionErrors(const std::vector<PredictionError>& rows) {
  return InTransaction([&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto stmt,
                        db_->Prepare("INSERT OR REPLACE INTO prediction_errors (city_name, variable, target_time, "
                                     "horizon, model, predicted, actual, error, observed_at, issued_at, persistence) "
                                     "VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    for (const auto& r : rows) {
      stmt->Bind(1, r.city_name);
      stmt->Bind(2, r.variable);
      stmt->Bind(3, r.target_time.ToFixedString());
      stmt->Bind(4, int64_t{r.horizon});
      stmt->Bind(5, r.model);
      stmt->Bind(6, r.predicted);
      stmt->Bind(7, r.actual);
      stmt->Bind(8, r.actual - r.predicted);
      stmt->Bind(9, r.observed_at.ToFixedString());
      stmt->Bind(10, r.issued_at.ToFixedString());
      stmt->BindOptional(11, r.persistence);
      MF_RETURN_IF_ERROR(stmt->Run());
    }
    return Status::OK();
  });
}

Result<std::vector<PredictionError>> SqliteStore::QueryPredictionErrors(const std::string& city_name, Timestamp from,
                                                                        Timestamp to, int horizon) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt,
                      db_->Prepare("SELECT city_name, variable, target_time, horizon, model, predicted, actual, "
                                   "observed_at, issued_at, persistence FROM prediction_errors WHERE city_name = ? "
                                   "AND target_time >= ? AND target_time < ? AND (?4 = 0 OR horizon = ?4) "
                                   "ORDER BY target_time, variable, horizon, model"));
  stmt->Bind(1, city_name);
  stmt->Bind(2, from.ToFixedString());
  stmt->Bind(3, to.ToFixedString());
  stmt->Bind(4, int64_t{horizon});
  std::vector<PredictionError> out;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    PredictionError e;
    e.city_name = stmt->ColumnText(0);
    e.variable = stmt->ColumnText(1);
    MF_ASSIGN_OR_RETURN(e.target_time, Timestamp::Parse(stmt->ColumnText(2)));
    e.horizon = static_cast<int>(stmt->ColumnInt(3));
    e.model = stmt->ColumnText(4);
    e.predicted = stmt->ColumnDouble(5).value_or(0);
    e.actual = stmt->ColumnDouble(6).value_or(0);
    MF_ASSIGN_OR_RETURN(e.observed_at, Timestamp::Parse(stmt->ColumnText(7)));
    MF_ASSIGN_OR_RETURN(e.issued_at, Timestamp::Parse(stmt->ColumnText(8)));
    e.persistence = stmt->ColumnDouble(9);
    out.push_back(std::move(e));
  }
  return out;
}

Status SqliteStore::PutCheckpoints(const std::map<std::string, std::string>& entries) {
  return InTransaction([&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT OR REPLACE INTO checkpoints VALUES (?,?)"));
    for (const auto& [name, value] : entries) {
      stmt->Bind(1, name);
      stmt->Bind(2, value);
      MF_RETURN_IF_ERROR(stmt->Run());
    }
    return Status::OK();
  });
}

Result<std::map<std::string, std::string>> SqliteStore::ListCheckpoints(const std::string& prefix) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT name, value FROM checkpoints WHERE substr(name, 1, ?) = ?"));
  stmt->Bind(1, static_cast<int64_t>(prefix.size()));
  stmt->Bind(2, prefix);
  std::map<std::string, std::string> out;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    out[stmt->ColumnText(0)] = stmt->ColumnText(1);
  }
  return out;
}

}  // namespace meteoflow
