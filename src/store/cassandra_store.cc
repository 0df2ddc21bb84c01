#include "store/cassandra_store.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <tuple>

#include "store/observation_codec.h"

namespace meteoflow {
namespace {

using cql::Value;

Value Text(const std::string& s) { return Value::Text(s); }
Value OptionalText(const std::string& s) { return s.empty() ? Value::Null() : Value::Text(s); }
Value Time(Timestamp t) { return Value::TimestampMillis(t.millis()); }
Value OptionalTime(const std::optional<Timestamp>& t) { return t ? Time(*t) : Value::Null(); }
Value Real(const std::optional<double>& d) { return d ? Value::Double(*d) : Value::Null(); }

std::optional<double> RealOf(const Value& v) { return v.is_null() ? std::nullopt : std::optional<double>(v.real()); }
std::string TextOf(const Value& v) { return v.is_null() ? "" : v.text(); }
Timestamp TimeOf(const Value& v) { return Timestamp::FromMillis(v.is_null() ? 0 : v.integer()); }
std::optional<Timestamp> OptionalTimeOf(const Value& v) {
  return v.is_null() ? std::nullopt : std::optional<Timestamp>(Timestamp::FromMillis(v.integer()));
}

constexpr const char* kPredictionColumns =
    "city_name, variable, target_time, horizon, model, value, created_at, issued_at, persistence, lower80, upper80, "
    "lower95, upper95";
constexpr const char* kErrorColumns =
    "city_name, variable, target_time, horizon, model, predicted, actual, error, observed_at, issued_at, persistence";

std::string WeatherColumns() {
  std::string cols = "city_name, time, location_id, country, sunrise, sunset, sources";
  for (size_t i = 0; i < kWeatherFieldCount; ++i)
    cols += std::string(", ") + WeatherFieldName(static_cast<WeatherField>(i));
  return cols;
}

std::string Markers(size_t n) {
  std::string out = "?";
  for (size_t i = 1; i < n; ++i) out += ", ?";
  return out;
}

std::vector<std::string> Schema(const std::string& ks) {
  std::string weather = "CREATE TABLE IF NOT EXISTS " + ks +
                        ".weather_data (city_name text, time timestamp, location_id text, country text, "
                        "sunrise timestamp, sunset timestamp, sources text";
  for (size_t i = 0; i < kWeatherFieldCount; ++i) {
    weather += std::string(", ") + WeatherFieldName(static_cast<WeatherField>(i)) + " double";
  }
  weather += ", PRIMARY KEY (city_name, time))";
  return {weather,
          "CREATE TABLE IF NOT EXISTS " + ks +
              ".weather_hourly (city_name text, hour timestamp, observations bigint, temp_avg double, "
              "temp_min double, temp_max double, humidity_avg double, pressure_avg double, wind_speed_avg double, "
              "wind_speed_max double, precipitation_sum double, PRIMARY KEY (city_name, hour))",
          "CREATE TABLE IF NOT EXISTS " + ks +
              ".predictions (city_name text, variable text, target_time timestamp, horizon int, model text, "
              "value double, created_at timestamp, issued_at timestamp, persistence double, lower80 double, "
              "upper80 double, lower95 double, upper95 double, "
              "PRIMARY KEY ((city_name), target_time, variable, horizon, model))",
          "CREATE TABLE IF NOT EXISTS " + ks +
              ".source_observations (source text, city_name text, time timestamp, location_id text, "
              "fetched_at timestamp, readings text, labels text, PRIMARY KEY ((source, city_name), time))",
          "CREATE TABLE IF NOT EXISTS " + ks +
              ".prediction_errors (city_name text, variable text, target_time timestamp, horizon int, model text, "
              "predicted double, actual double, error double, observed_at timestamp, issued_at timestamp, "
              "persistence double, PRIMARY KEY ((city_name), target_time, variable, horizon, model))",
          "CREATE TABLE IF NOT EXISTS " + ks +
              ".service_forecasts (city_name text, target_time timestamp, variable text, issued_at timestamp, "
              "value double, PRIMARY KEY ((city_name), target_time, variable, issued_at))",
          "CREATE TABLE IF NOT EXISTS " + ks +
              ".dead_letter (source text, location_id text, fetched_at timestamp, reason text, payload text, "
              "PRIMARY KEY (source, location_id, fetched_at))",
          "CREATE TABLE IF NOT EXISTS " + ks +
              ".pairing_index (location_id text, fetched_at timestamp, source text, reading text, "
              "PRIMARY KEY ((location_id), fetched_at, source))",
          "CREATE TABLE IF NOT EXISTS " + ks +
              ".checkpoints (scope text, name text, value text, PRIMARY KEY (scope, name))"};
}

std::map<std::string, std::string> Statements(const std::string& ks) {
  return {
      {"weather", "INSERT INTO " + ks + ".weather_data (" + WeatherColumns() + ") VALUES (" +
                      Markers(7 + kWeatherFieldCount) + ")"},
      {"weather_range",
       "SELECT " + WeatherColumns() + " FROM " + ks + ".weather_data WHERE city_name = ? AND time >= ? AND time < ?"},
      {"weather_latest",
       "SELECT " + WeatherColumns() + " FROM " + ks + ".weather_data WHERE city_name = ? ORDER BY time DESC LIMIT 1"},
      {"cities", "SELECT DISTINCT city_name FROM " + ks + ".weather_data"},
      {"hourly", "INSERT INTO " + ks +
                     ".weather_hourly (city_name, hour, observations, temp_avg, temp_min, temp_max, humidity_avg, "
                     "pressure_avg, wind_speed_avg, wind_speed_max, precipitation_sum) VALUES (" +
                     Markers(11) + ")"},
      {"dead_letter", "INSERT INTO " + ks + ".dead_letter (source, location_id, fetched_at, reason, payload) VALUES (" +
                          Markers(5) + ")"},
      {"prediction", "INSERT INTO " + ks + ".predictions (" + kPredictionColumns + ") VALUES (" + Markers(13) + ")"},
      {"predictions", "SELECT " + std::string(kPredictionColumns) + " FROM " + ks +
                          ".predictions WHERE city_name = ? AND target_time >= ? AND target_time < ?"},
      {"service_forecast", "INSERT INTO " + ks +
                               ".service_forecasts (city_name, target_time, variable, issued_at, value) VALUES (" +
                               Markers(5) + ")"},
      {"service_forecasts", "SELECT target_time, variable, issued_at, value FROM " + ks +
                                ".service_forecasts WHERE city_name = ? AND target_time >= ? AND target_time < ?"},
      {"service_forecast_prune", "DELETE FROM " + ks + ".service_forecasts WHERE city_name = ? AND target_time < ?"},
      {"prediction_error",
       "INSERT INTO " + ks + ".prediction_errors (" + kErrorColumns + ") VALUES (" + Markers(11) + ")"},
      {"prediction_errors", "SELECT " + std::string(kErrorColumns) + " FROM " + ks +
                                ".prediction_errors WHERE city_name = ? AND target_time >= ? AND target_time < ?"},
      // Written at the fetch time (microseconds) rather than now: the latest fetch of an
      // observation time wins whatever order the writes arrive in (re-deliveries, workers).
      {"observation", "INSERT INTO " + ks +
                          ".source_observations (source, city_name, time, location_id, fetched_at, readings, "
                          "labels) VALUES (" +
                          Markers(7) + ") USING TIMESTAMP ?"},
      {"observations", "SELECT time, location_id, fetched_at, readings, labels FROM " + ks +
                           ".source_observations WHERE source = ? AND city_name = ? AND time >= ? AND time < ?"},
      {"observation_partitions", "SELECT DISTINCT source, city_name FROM " + ks + ".source_observations"},
      {"observation_latest", "SELECT time, location_id, fetched_at, readings, labels FROM " + ks +
                                 ".source_observations WHERE source = ? AND city_name = ? ORDER BY time DESC LIMIT 1"},
      {"dead_letters", "SELECT source, location_id, fetched_at, reason FROM " + ks + ".dead_letter"},
      {"pairing",
       "INSERT INTO " + ks + ".pairing_index (location_id, fetched_at, source, reading) VALUES (" + Markers(4) + ")"},
      {"pairing_range", "SELECT fetched_at, source, reading FROM " + ks +
                            ".pairing_index WHERE location_id = ? AND fetched_at >= ? AND fetched_at <= ?"},
      {"pairing_prune", "DELETE FROM " + ks + ".pairing_index WHERE location_id = ? AND fetched_at < ?"},
      {"checkpoint", "INSERT INTO " + ks + ".checkpoints (scope, name, value) VALUES ('all', ?, ?)"},
      {"checkpoints", "SELECT name, value FROM " + ks + ".checkpoints WHERE scope = 'all' AND name >= ? AND name < ?"},
  };
}

WeatherRow WeatherOf(const std::vector<Value>& v) {
  WeatherRow r;
  r.city_name = TextOf(v[0]);
  r.time = TimeOf(v[1]);
  r.location_id = TextOf(v[2]);
  r.country = TextOf(v[3]);
  r.sunrise = OptionalTimeOf(v[4]);
  r.sunset = OptionalTimeOf(v[5]);
  r.sources = TextOf(v[6]);
  for (size_t i = 0; i < kWeatherFieldCount; ++i) r.fields[i] = RealOf(v[7 + i]);
  return r;
}

}  // namespace

Result<std::unique_ptr<CassandraStore>> CassandraStore::Open(const CassandraOptions& options) {
  if (options.contact_points.empty()) return Status::InvalidArgument("cassandra: no contact points");
  for (char c : options.keyspace) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return Status::InvalidArgument("cassandra: keyspace '" + options.keyspace + "' must be letters, digits and _");
    }
  }
  std::unique_ptr<CassandraStore> store(new CassandraStore(options));
  std::lock_guard<std::mutex> lock(store->mu_);
  MF_RETURN_IF_ERROR(store->Connect());
  MF_RETURN_IF_ERROR(store->CreateSchema());
  MF_RETURN_IF_ERROR(store->PrepareAll());
  return store;
}

Status CassandraStore::Connect() {
  Status last = Status::Unavailable("cassandra: no contact point tried");
  auto backoff = std::chrono::milliseconds(100);
  for (int round = 0; round < std::max(1, options_.reconnect_attempts); ++round) {
    for (const std::string& point : options_.contact_points) {
      cql::ConnectOptions o;
      const size_t colon = point.rfind(':');
      o.host = colon == std::string::npos ? point : point.substr(0, colon);
      o.port = colon == std::string::npos ? 9042 : std::atoi(point.substr(colon + 1).c_str());
      o.user = options_.user;
      o.password = options_.password;
      o.connect_timeout_ms = options_.connect_timeout_ms;
      o.request_timeout_ms = options_.request_timeout_ms;
      o.max_in_flight = options_.max_in_flight;
      auto c = cql::Connection::Open(o);
      if (c.ok()) {
        conn_ = std::move(c).value();
        return Status::OK();
      }
      last = c.status();
      if (last.code() == StatusCode::kInvalidArgument) return last;  // bad credentials will not get better
    }
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
  return last;
}

Status CassandraStore::CreateSchema() {
  MF_RETURN_IF_ERROR(
      conn_->Query("CREATE KEYSPACE IF NOT EXISTS " + options_.keyspace + " WITH replication = " + options_.replication)
          .status());
  for (const std::string& ddl : Schema(options_.keyspace)) MF_RETURN_IF_ERROR(conn_->Query(ddl).status());
  return RefuseTablesBeforeHorizons();
}

// The forecast tables' key gained the horizon; Cassandra cannot change a key in place, so a
// keyspace made before that is refused with what to do rather than written inconsistently.
Status CassandraStore::RefuseTablesBeforeHorizons() {
  Status probe = conn_->Query("SELECT horizon FROM " + options_.keyspace + ".predictions LIMIT 1").status();
  if (probe.ok() || probe.message().find("horizon") == std::string::npos) return probe;
  return Status::InvalidArgument(
      "keyspace " + options_.keyspace +
      ": its predictions and prediction_errors tables predate forecast horizons (their key has no horizon); "
      "export them if wanted (cqlsh COPY ... TO), drop both tables and start again: they are recreated");
}

Status CassandraStore::PrepareAll() {
  statements_.clear();
  for (const auto& [name, text] : Statements(options_.keyspace)) {
    MF_ASSIGN_OR_RETURN(cql::Prepared p, conn_->Prepare(text));
    statements_[name] = {text, std::move(p)};
  }
  return Status::OK();
}

Status CassandraStore::Upsert(const std::string& name, const std::vector<std::vector<Value>>& rows) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!conn_ || conn_->broken()) {
    MF_RETURN_IF_ERROR(Connect());
    MF_RETURN_IF_ERROR(PrepareAll());
  }
  auto bodies = [&]() -> Result<std::vector<std::string>> {
    const Statement& s = statements_.at(name);
    std::vector<std::string> out;
    out.reserve(rows.size());
    for (const auto& row : rows) {
      cql::QueryParams params;
      params.consistency = options_.consistency;
      for (size_t i = 0; i < row.size(); ++i) {
        MF_ASSIGN_OR_RETURN(auto bytes, cql::EncodeValue(row[i], &s.prepared.bind_columns[i].type));
        params.values.push_back(std::move(bytes));
      }
      out.push_back(cql::ExecuteBody(s.prepared.id, params));
    }
    return out;
  };
  MF_ASSIGN_OR_RETURN(std::vector<std::string> requests, bodies());
  Status st = conn_->Pipeline(cql::kExecute, requests);
  if (!st.ok() && st.message().find("Unprepared") != std::string::npos) {
    // The node forgot the statements (a restart, its cache): prepare again and send once more --
    // upserts are idempotent, so rows that did land are simply written again.
    MF_RETURN_IF_ERROR(PrepareAll());
    MF_ASSIGN_OR_RETURN(requests, bodies());
    st = conn_->Pipeline(cql::kExecute, requests);
  }
  return st.WithContext("cassandra " + name);
}

Result<std::vector<std::vector<Value>>> CassandraStore::Select(const std::string& name,
                                                               const std::vector<Value>& args) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!conn_ || conn_->broken()) {
    MF_RETURN_IF_ERROR(Connect());
    MF_RETURN_IF_ERROR(PrepareAll());
  }
  const Statement& s = statements_.at(name);
  cql::QueryParams params;
  params.consistency = options_.consistency;
  params.page_size = options_.page_size;
  for (size_t i = 0; i < args.size(); ++i) {
    MF_ASSIGN_OR_RETURN(auto bytes, cql::EncodeValue(args[i], &s.prepared.bind_columns[i].type));
    params.values.push_back(std::move(bytes));
  }
  std::vector<std::vector<Value>> out;
  do {
    MF_ASSIGN_OR_RETURN(cql::Response r, conn_->Execute(s.prepared, s.cql, params));
    for (const auto& cells : r.rows.cells) {
      std::vector<Value> row;
      for (size_t c = 0; c < cells.size() && c < r.rows.columns.size(); ++c) {
        MF_ASSIGN_OR_RETURN(Value v, cql::DecodeValue(r.rows.columns[c].type, cells[c]));
        row.push_back(std::move(v));
      }
      out.push_back(std::move(row));
    }
    params.paging_state = r.rows.paging_state;
  } while (params.paging_state);
  return out;
}

Status CassandraStore::UpsertWeather(const std::vector<WeatherRow>& rows) {
  std::vector<std::vector<Value>> values;
  for (const WeatherRow& r : rows) {
    std::vector<Value> v = {
        Text(r.city_name),       Time(r.time),           Text(r.location_id), OptionalText(r.country),
        OptionalTime(r.sunrise), OptionalTime(r.sunset), Text(r.sources)};
    for (size_t i = 0; i < kWeatherFieldCount; ++i) v.push_back(Real(r.fields[i]));
    values.push_back(std::move(v));
  }
  return Upsert("weather", values);
}

Result<std::vector<WeatherRow>> CassandraStore::QueryWeather(const std::string& city_name, Timestamp from,
                                                             Timestamp to) {
  MF_ASSIGN_OR_RETURN(auto rows, Select("weather_range", {Text(city_name), Time(from), Time(to)}));
  std::vector<WeatherRow> out;
  for (const auto& r : rows) out.push_back(WeatherOf(r));  // clustering order: by time
  return out;
}

Result<std::vector<WeatherRow>> CassandraStore::LatestWeather() {
  MF_ASSIGN_OR_RETURN(auto cities, Select("cities", {}));
  std::vector<WeatherRow> out;
  for (const auto& city : cities) {
    MF_ASSIGN_OR_RETURN(auto rows, Select("weather_latest", {city[0]}));
    if (!rows.empty()) out.push_back(WeatherOf(rows[0]));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.city_name < b.city_name; });
  return out;
}

Status CassandraStore::UpsertHourly(const std::vector<HourlyAggregate>& rows) {
  std::vector<std::vector<Value>> values;
  for (const auto& r : rows) {
    values.push_back({Text(r.city_name), Time(r.hour), Value::Bigint(r.observations), Real(r.temp_avg),
                      Real(r.temp_min), Real(r.temp_max), Real(r.humidity_avg), Real(r.pressure_avg),
                      Real(r.wind_speed_avg), Real(r.wind_speed_max), Real(r.precipitation_sum)});
  }
  return Upsert("hourly", values);
}

Status CassandraStore::UpsertDeadLetters(const std::vector<DeadLetter>& rows) {
  std::vector<std::vector<Value>> values;
  for (const auto& r : rows) {
    values.push_back({Text(r.source), Text(r.location_id), Time(r.fetched_at), Text(r.reason), Text(r.payload)});
  }
  return Upsert("dead_letter", values);
}

Status CassandraStore::UpsertPairingEntries(const std::vector<PairingEntry>& rows) {
  std::vector<std::vector<Value>> values;
  for (const auto& r : rows) {
    values.push_back({Text(r.location_id), Time(r.fetched_at), Text(r.source), Text(r.reading)});
  }
  return Upsert("pairing", values);
}

Result<std::vector<PairingEntry>> CassandraStore::PairingEntries(const std::string& location_id, Timestamp from,
                                                                 Timestamp to) {
  MF_ASSIGN_OR_RETURN(auto rows, Select("pairing_range", {Text(location_id), Time(from), Time(to)}));
  std::vector<PairingEntry> out;  // clustering order: fetched_at, then source
  for (const auto& r : rows) out.push_back({location_id, TextOf(r[1]), TimeOf(r[0]), TextOf(r[2])});
  return out;
}

Status CassandraStore::PrunePairingEntries(const std::string& location_id, Timestamp before) {
  return Upsert("pairing_prune", {{Text(location_id), Time(before)}});
}

Result<DeadLetterSummary> CassandraStore::DeadLetters(int limit) {
  MF_ASSIGN_OR_RETURN(auto rows, Select("dead_letters", {}));
  DeadLetterSummary out;
  out.total = static_cast<int64_t>(rows.size());
  for (const auto& r : rows) out.newest.push_back({TextOf(r[0]), TextOf(r[1]), TimeOf(r[2]), TextOf(r[3]), ""});
  std::sort(out.newest.begin(), out.newest.end(), [](const DeadLetter& a, const DeadLetter& b) {
    return std::tie(b.fetched_at, a.source, a.location_id) < std::tie(a.fetched_at, b.source, b.location_id);
  });
  if (out.newest.size() > static_cast<size_t>(std::max(0, limit))) out.newest.resize(static_cast<size_t>(limit));
  return out;
}

Status CassandraStore::UpsertObservations(const std::vector<SourceObservation>& rows) {
  std::vector<std::vector<Value>> values;
  for (const auto& o : rows) {
    values.push_back({Text(o.source), Text(o.city_name), Time(o.time), Text(o.location_id), Time(o.fetched_at),
                      Text(ObservationValuesText(o)), Text(ObservationLabelsText(o)),
                      Value::Bigint(o.fetched_at.millis() * 1000)});
  }
  return Upsert("observation", values);
}

Result<std::vector<SourceObservation>> CassandraStore::Observations(const std::string& statement,
                                                                    const std::string& source,
                                                                    const std::string& city_name,
                                                                    const std::vector<Value>& args) {
  MF_ASSIGN_OR_RETURN(auto rows, Select(statement, args));
  std::vector<SourceObservation> out;
  for (const auto& r : rows) {  // clustering order: by time
    SourceObservation o{source, city_name, TimeOf(r[0]), TextOf(r[1]), TimeOf(r[2]), {}, {}};
    MF_RETURN_IF_ERROR(DecodeObservationMaps(TextOf(r[3]), TextOf(r[4]), &o));
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<SourceObservation>> CassandraStore::QueryObservations(const std::string& source,
                                                                         const std::string& city_name, Timestamp from,
                                                                         Timestamp to) {
  return Observations("observations", source, city_name, {Text(source), Text(city_name), Time(from), Time(to)});
}

Result<std::vector<SourceObservation>> CassandraStore::LatestObservations(const std::string& source) {
  MF_ASSIGN_OR_RETURN(auto partitions, Select("observation_partitions", {}));
  std::vector<SourceObservation> out;
  for (const auto& p : partitions) {
    if (TextOf(p[0]) != source) continue;
    MF_ASSIGN_OR_RETURN(auto newest, Observations("observation_latest", source, TextOf(p[1]), {p[0], p[1]}));
    out.insert(out.end(), newest.begin(), newest.end());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.city_name < b.city_name; });
  return out;
}

Status CassandraStore::UpsertPredictions(const std::vector<Prediction>& rows) {
  std::vector<std::vector<Value>> values;
  for (const auto& p : rows) {
    values.push_back({Text(p.city_name), Text(p.variable), Time(p.target_time), Value::Int(p.horizon), Text(p.model),
                      Value::Double(p.value), Time(p.created_at), Time(p.issued_at), Real(p.persistence),
                      Real(p.lower80), Real(p.upper80), Real(p.lower95), Real(p.upper95)});
  }
  return Upsert("prediction", values);
}

Result<std::vector<Prediction>> CassandraStore::QueryPredictions(const std::string& city_name, Timestamp from,
                                                                 Timestamp to, int horizon) {
  MF_ASSIGN_OR_RETURN(auto rows, Select("predictions", {Text(city_name), Time(from), Time(to)}));
  std::vector<Prediction> out;
  for (const auto& r : rows) {
    // horizon follows variable in the clustering key: filtered here, not by the node
    if (horizon != 0 && !r[3].is_null() && r[3].integer() != horizon) continue;
    Prediction p;
    p.city_name = TextOf(r[0]);
    p.variable = TextOf(r[1]);
    p.target_time = TimeOf(r[2]);
    p.horizon = r[3].is_null() ? 1 : static_cast<int>(r[3].integer());
    p.model = TextOf(r[4]);
    p.value = RealOf(r[5]).value_or(0);
    p.created_at = TimeOf(r[6]);
    p.issued_at = TimeOf(r[7]);
    p.persistence = RealOf(r[8]);
    p.lower80 = RealOf(r[9]);
    p.upper80 = RealOf(r[10]);
    p.lower95 = RealOf(r[11]);
    p.upper95 = RealOf(r[12]);
    out.push_back(std::move(p));
  }
  return out;  // clustering order: target_time, variable, horizon, model
}

Status CassandraStore::UpsertServiceForecasts(const std::vector<ServiceForecast>& rows) {
  std::vector<std::vector<Value>> values;
  for (const auto& f : rows) {
    values.push_back(
        {Text(f.city_name), Time(f.target_time), Text(f.variable), Time(f.issued_at), Value::Double(f.value)});
  }
  return Upsert("service_forecast", values);
}

Result<std::vector<ServiceForecast>> CassandraStore::QueryServiceForecasts(const std::string& city_name, Timestamp from,
                                                                           Timestamp to) {
  MF_ASSIGN_OR_RETURN(auto rows, Select("service_forecasts", {Text(city_name), Time(from), Time(to)}));
  std::vector<ServiceForecast> out;
  for (const auto& r : rows) {
    ServiceForecast f;
    f.city_name = city_name;
    f.target_time = TimeOf(r[0]);
    f.variable = TextOf(r[1]);
    f.issued_at = TimeOf(r[2]);
    f.value = RealOf(r[3]).value_or(0);
    out.push_back(std::move(f));
  }
  return out;  // clustering order: target_time, variable, issued_at
}

Status CassandraStore::PruneServiceForecasts(const std::string& city_name, Timestamp before) {
  return Upsert("service_forecast_prune", {{Text(city_name), Time(before)}});
}

Status CassandraStore::UpsertPredictionErrors(const std::vector<PredictionError>& rows) {
  std::vector<std::vector<Value>> values;
  for (const auto& e : rows) {
    values.push_back({Text(e.city_name), Text(e.variable), Time(e.target_time), Value::Int(e.horizon), Text(e.model),
                      Value::Double(e.predicted), Value::Double(e.actual), Value::Double(e.actual - e.predicted),
                      Time(e.observed_at), Time(e.issued_at), Real(e.persistence)});
  }
  return Upsert("prediction_error", values);
}

Result<std::vector<PredictionError>> CassandraStore::QueryPredictionErrors(const std::string& city_name, Timestamp from,
                                                                           Timestamp to, int horizon) {
  MF_ASSIGN_OR_RETURN(auto rows, Select("prediction_errors", {Text(city_name), Time(from), Time(to)}));
  std::vector<PredictionError> out;
  for (const auto& r : rows) {
    if (horizon != 0 && !r[3].is_null() && r[3].integer() != horizon) continue;
    PredictionError e;
    e.city_name = TextOf(r[0]);
    e.variable = TextOf(r[1]);
    e.target_time = TimeOf(r[2]);
    e.horizon = r[3].is_null() ? 1 : static_cast<int>(r[3].integer());
    e.model = TextOf(r[4]);
    e.predicted = RealOf(r[5]).value_or(0);
    e.actual = RealOf(r[6]).value_or(0);
    e.observed_at = TimeOf(r[8]);
    e.issued_at = TimeOf(r[9]);
    e.persistence = RealOf(r[10]);
    out.push_back(std::move(e));
  }
  return out;  // clustering order: target_time, variable, horizon, model
}

Status CassandraStore::PutCheckpoints(const std::map<std::string, std::string>& entries) {
  std::vector<std::vector<Value>> values;
  for (const auto& [name, value] : entries) values.push_back({Text(name), Text(value)});
  return Upsert("checkpoint", values);
}

Result<std::map<std::string, std::string>> CassandraStore::ListCheckpoints(const std::string& prefix) {
  // Names with the prefix sort between it and the prefix followed by the highest code point.
  MF_ASSIGN_OR_RETURN(auto rows, Select("checkpoints", {Text(prefix), Text(prefix + "\xf4\x8f\xbf\xbf")}));
  std::map<std::string, std::string> out;
  for (const auto& r : rows) out[TextOf(r[0])] = TextOf(r[1]);
  return out;
}

}  // namespace meteoflow
