// One contract suite for Store (store/store.h), run on SQLite and on the real Cassandra node
// ctest starts (MF_CASSANDRA_CONTACT); Cassandra cases skip outside ctest and fail under CI
// without a node.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "store/cassandra_store.h"
#include "store/sqlite_db.h"
#include "store/sqlite_store.h"

namespace meteoflow {
namespace {

class StoreContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "sqlite") {
      path_ = std::filesystem::temp_directory_path() / ("mf_store_" + std::to_string(::getpid()) + ".db");
      std::filesystem::remove(path_);
      auto s = SqliteStore::Open(path_.string());
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      store_ = std::move(s).value();
      return;
    }
    const char* contact = std::getenv("MF_CASSANDRA_CONTACT");
    if (!contact || !*contact) {
      if (std::getenv("CI")) FAIL() << "CI=true but MF_CASSANDRA_CONTACT is not set: no real node";
      GTEST_SKIP() << "real Cassandra node not running (set MF_CASSANDRA_CONTACT, or run via ctest)";
    }
    CassandraOptions o;
    o.contact_points = {contact};
    static int sequence = 0;
    o.keyspace = "mf_contract_" + std::to_string(::getpid()) + "_" + std::to_string(++sequence);
    keyspace_ = o.keyspace;
    auto s = CassandraStore::Open(o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    if (path_.empty()) return;
    store_.reset();  // closed first, so that SQLite's -wal and -shm files go with it
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }

  WeatherRow Row(const std::string& city, int64_t seconds, double temp) {
    WeatherRow r{city,
                 Timestamp::FromSeconds(seconds),
                 "id-" + city,
                 "MA",
                 Timestamp::FromSeconds(100),
                 std::nullopt,
                 "openweathermap",
                 {}};
    r.at(WeatherField::kTemp) = temp;
    return r;
  }

  std::filesystem::path path_;
  std::string keyspace_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreContractTest, WeatherUpsertsReplaceByKeyAndQueriesAreOrdered) {
  WeatherRow a = Row("Rabat", 2000, 15.5), b = Row("Rabat", 1000, 9);
  b.at(WeatherField::kHumidity) = 80;
  ASSERT_TRUE(store_->UpsertWeather({a, b, Row("Fes", 1500, 7), Row("Agadir", 900, 20)}).ok());
  a.at(WeatherField::kTemp) = 16.5;
  ASSERT_TRUE(store_->UpsertWeather({a}).ok());  // same key: replaces
  b.at(WeatherField::kHumidity).reset();
  ASSERT_TRUE(store_->UpsertWeather({b}).ok());  // a value gone in the new row is gone in the store
  auto rows = store_->QueryWeather("Rabat", Timestamp::FromSeconds(0), Timestamp::FromSeconds(5000));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].time.seconds(), 1000);
  EXPECT_FALSE((*rows)[0].at(WeatherField::kHumidity).has_value());
  EXPECT_EQ(*(*rows)[1].at(WeatherField::kTemp), 16.5);
  EXPECT_EQ((*rows)[1].sunrise->seconds(), 100);
  EXPECT_FALSE((*rows)[1].sunset.has_value());
  EXPECT_EQ((*rows)[1].location_id, "id-Rabat");
  EXPECT_EQ(store_->QueryWeather("Rabat", Timestamp::FromSeconds(1000), Timestamp::FromSeconds(2000))->size(), 1u);
  auto latest = store_->LatestWeather();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 3u);
  EXPECT_EQ((*latest)[0].city_name, "Agadir");
  EXPECT_EQ((*latest)[2].city_name, "Rabat");
  EXPECT_EQ((*latest)[2].time.seconds(), 2000);
  EXPECT_TRUE(store_->QueryWeather("Atlantis", Timestamp(), Timestamp::FromSeconds(9999))->empty());
}

Prediction PredictionAt(const std::string& variable, int64_t target, int horizon, double value) {
  Prediction p;
  p.city_name = "Rabat";
  p.variable = variable;
  p.target_time = Timestamp::FromSeconds(target);
  p.horizon = horizon;
  p.issued_at = Timestamp::FromSeconds(target - int64_t{600} * horizon);
  p.value = value;
  p.model = "naive-last";
  p.created_at = Timestamp::FromSeconds(3000);
  p.persistence = 16.0;
  return p;
}

TEST_P(StoreContractTest, PredictionsErrorsAndCheckpoints) {
  Prediction p = PredictionAt("temp", 2600, 1, 16.5);
  p.lower80 = 15.5, p.upper80 = 17.5, p.lower95 = 14.9, p.upper95 = 18.1;
  Prediction q = PredictionAt("humidity", 2000, 1, 70);
  q.model = "ARIMA(1,1,1)";
  q.persistence.reset();
  const Prediction p2 = PredictionAt("temp", 2600, 2, 16.0);  // same target, issued a step earlier
  ASSERT_TRUE(store_->UpsertPredictions({p, q, p2}).ok());
  ASSERT_TRUE(store_->UpsertPredictions({p}).ok());
  auto predictions = store_->QueryPredictions("Rabat", Timestamp(), Timestamp::FromSeconds(9999), 0);
  ASSERT_TRUE(predictions.ok()) << predictions.status().ToString();
  ASSERT_EQ(predictions->size(), 3u);
  EXPECT_EQ((*predictions)[0].variable, "humidity");  // by target time, variable, horizon
  EXPECT_FALSE((*predictions)[0].persistence.has_value());
  EXPECT_EQ((*predictions)[1].model, "naive-last");
  EXPECT_EQ((*predictions)[1].horizon, 1);
  EXPECT_EQ((*predictions)[1].issued_at.seconds(), 2000);
  EXPECT_EQ((*predictions)[1].persistence, 16.0);
  EXPECT_EQ((*predictions)[1].created_at.seconds(), 3000);
  EXPECT_EQ((*predictions)[1].lower80, 15.5);
  EXPECT_EQ((*predictions)[1].upper95, 18.1);
  EXPECT_EQ((*predictions)[2].horizon, 2);
  EXPECT_EQ((*predictions)[2].value, 16.0);
  EXPECT_FALSE((*predictions)[0].lower95.has_value());
  auto window = store_->QueryPredictions("Rabat", Timestamp::FromSeconds(2001), Timestamp::FromSeconds(2600), 0);
  ASSERT_TRUE(window.ok()) << window.status().ToString();
  EXPECT_TRUE(window->empty());  // to is exclusive
  EXPECT_EQ(store_->QueryPredictions("Rabat", Timestamp::FromSeconds(2600), Timestamp::FromSeconds(2601), 0)->size(),
            2u);
  auto two_ahead = store_->QueryPredictions("Rabat", Timestamp(), Timestamp::FromSeconds(9999), 2);
  ASSERT_TRUE(two_ahead.ok()) << two_ahead.status().ToString();
  ASSERT_EQ(two_ahead->size(), 1u);  // one horizon only
  EXPECT_EQ((*two_ahead)[0].value, 16.0);
  const PredictionError e{"Rabat", "temp",       p.target_time, p.model, 16.5, 17.0, Timestamp::FromSeconds(2610),
                          2,       p2.issued_at, 16.0};
  ASSERT_TRUE(store_->UpsertPredictionErrors({e}).ok());
  auto errors = store_->QueryPredictionErrors("Rabat", Timestamp(), Timestamp::FromSeconds(9999), 0);
  ASSERT_TRUE(errors.ok()) << errors.status().ToString();
  ASSERT_EQ(errors->size(), 1u);
  EXPECT_EQ((*errors)[0].actual, 17.0);
  EXPECT_EQ((*errors)[0].horizon, 2);
  EXPECT_EQ((*errors)[0].issued_at, p2.issued_at);
  EXPECT_EQ((*errors)[0].persistence, 16.0);
  EXPECT_EQ((*errors)[0].observed_at.seconds(), 2610);
  EXPECT_TRUE(store_->QueryPredictionErrors("Rabat", Timestamp(), Timestamp::FromSeconds(2600), 0)->empty());
  EXPECT_TRUE(store_->QueryPredictionErrors("Rabat", Timestamp(), Timestamp::FromSeconds(9999), 1)->empty());
  EXPECT_EQ(store_->QueryPredictionErrors("Rabat", Timestamp(), Timestamp::FromSeconds(9999), 2)->size(), 1u);
  ASSERT_TRUE(store_->PutCheckpoints({{"t/a", "1"}, {"t/b", "2"}, {"u/c", "3"}, {"t", "0"}}).ok());
  ASSERT_TRUE(store_->PutCheckpoints({{"t/a", "9"}}).ok());
  auto t = store_->ListCheckpoints("t/");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(*t, (std::map<std::string, std::string>{{"t/a", "9"}, {"t/b", "2"}}));
  EXPECT_EQ(store_->ListCheckpoints("")->size(), 4u);
  ASSERT_TRUE(store_
                  ->UpsertDeadLetters({{"openmeteo", "rabat", Timestamp::FromSeconds(5), "not JSON", "{"},
                                       {"openweathermap", "fes", Timestamp::FromSeconds(9), "dt: missing", "{}"},
                                       {"openmeteo", "fes", Timestamp::FromSeconds(7), "too hot", "{}"}})
                  .ok());
  auto dead = store_->DeadLetters(2);
  ASSERT_TRUE(dead.ok()) << dead.status().ToString();
  EXPECT_EQ(dead->total, 3);
  ASSERT_EQ(dead->newest.size(), 2u);  // newest first, without payloads
  EXPECT_EQ(dead->newest[0].reason, "dt: missing");
  EXPECT_EQ(dead->newest[1].location_id, "fes");
  EXPECT_TRUE(dead->newest[0].payload.empty());
  ASSERT_TRUE(store_
                  ->UpsertHourly({{"Rabat", Timestamp::FromSeconds(3600), 2, 15.0, 14.0, 16.0, std::nullopt,
                                   std::nullopt, std::nullopt, std::nullopt, std::nullopt}})
                  .ok());
}

TEST_P(StoreContractTest, ServiceForecastsKeepEveryIssueAndReadByTargetTime) {
  auto forecast = [](const char* city, int64_t target, const char* variable, int64_t issued, double value) {
    return ServiceForecast{city, variable, Timestamp::FromSeconds(target), Timestamp::FromSeconds(issued), value};
  };
  ASSERT_TRUE(store_
                  ->UpsertServiceForecasts(
                      {forecast("Rabat", 7200, "temp", 0, 14.5), forecast("Rabat", 7200, "temp", 3600, 15.0),
                       forecast("Rabat", 3600, "visibility", 0, 9000), forecast("Rabat", 10800, "temp", 3600, 16.0),
                       forecast("Fes", 7200, "temp", 3600, 9.0)})
                  .ok());
  // An upsert of the same (city, target, variable, issue) replaces the value.
  ASSERT_TRUE(store_->UpsertServiceForecasts({forecast("Rabat", 7200, "temp", 3600, 15.5)}).ok());
  auto rows = store_->QueryServiceForecasts("Rabat", Timestamp::FromSeconds(3600), Timestamp::FromSeconds(10800));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[0].variable, "visibility");
  EXPECT_EQ((*rows)[0].value, 9000);
  EXPECT_EQ((*rows)[1].issued_at, Timestamp::FromSeconds(0));
  EXPECT_EQ((*rows)[1].value, 14.5);
  EXPECT_EQ((*rows)[2].issued_at, Timestamp::FromSeconds(3600));
  EXPECT_EQ((*rows)[2].value, 15.5);
  EXPECT_EQ((*rows)[2].city_name, "Rabat");
  EXPECT_TRUE(store_->QueryServiceForecasts("Tangier", Timestamp(), Timestamp::FromSeconds(99999))->empty());
  // Retention: targets before the cut go, of that city only.
  ASSERT_TRUE(store_->PruneServiceForecasts("Rabat", Timestamp::FromSeconds(7200)).ok());
  auto kept = store_->QueryServiceForecasts("Rabat", Timestamp(), Timestamp::FromSeconds(99999));
  ASSERT_TRUE(kept.ok());
  ASSERT_EQ(kept->size(), 3u);
  EXPECT_EQ(kept->front().target_time, Timestamp::FromSeconds(7200));
  EXPECT_EQ(store_->QueryServiceForecasts("Fes", Timestamp(), Timestamp::FromSeconds(99999))->size(), 1u);
}

TEST_P(StoreContractTest, PairingEntriesReadByFetchTimeAndPruned) {
  const auto at = [](int64_t seconds) { return Timestamp::FromMillis(1733184000000 + seconds * 1000); };
  const std::vector<PairingEntry> entries = {
      {"rabat", "openweathermap", at(600), "r1"}, {"rabat", "openmeteo", at(600), "r2"},
      {"rabat", "openmeteo", at(1200), "r3"},     {"rabat", "openmeteo", at(1800), "r4"},
      {"fes", "openmeteo", at(600), "f1"},
  };
  ASSERT_TRUE(store_->UpsertPairingEntries(entries).ok());
  ASSERT_TRUE(store_->UpsertPairingEntries({{"rabat", "openmeteo", at(1200), "r3 again"}}).ok());  // replaces
  auto got = store_->PairingEntries("rabat", at(600), at(1200));                                   // both ends included
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const std::vector<PairingEntry> want = {{"rabat", "openmeteo", at(600), "r2"},
                                          {"rabat", "openweathermap", at(600), "r1"},
                                          {"rabat", "openmeteo", at(1200), "r3 again"}};
  EXPECT_EQ(*got, want);
  ASSERT_TRUE(store_->PrunePairingEntries("rabat", at(1200)).ok());
  EXPECT_EQ(store_->PairingEntries("rabat", at(0), at(9999))->size(), 2u);
  EXPECT_EQ(store_->PairingEntries("fes", at(0), at(9999))->size(), 1u);  // other locations untouched
  EXPECT_TRUE(store_->PairingEntries("nowhere", at(0), at(9999))->empty());
}

TEST_P(StoreContractTest, SourceObservationsKeepEachSourcesOwnFields) {
  const SourceObservation owm{
      "openweathermap",
      "Rabat \"Sal\u00e9\" <b>",
      Timestamp::FromSeconds(1000),
      "rabat",
      Timestamp::FromSeconds(1010),
      {{"temp", 15.04}, {"temp_min", 14.5}, {"rain_1h", 0.25}},
      {{"weather_description", "broken \"clouds\" \\ \x01\n \u00fcn\u00ef"}, {"weather_icon", "04n"}}};
  SourceObservation later = owm;
  later.time = Timestamp::FromSeconds(2000);
  later.values = {{"temp", 16}};
  later.labels = {};
  SourceObservation om = owm;
  om.source = "openmeteo";
  om.values = {{"temperature_2m", 14.1}, {"weather_code", 2}};
  ASSERT_TRUE(store_->UpsertObservations({owm, later, om}).ok());
  ASSERT_TRUE(store_->UpsertObservations({later}).ok());  // an upsert: still one row at 2000
  auto got = store_->QueryObservations("openweathermap", owm.city_name, Timestamp(), Timestamp::FromSeconds(3000));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0], owm);
  EXPECT_EQ((*got)[1], later);
  auto range = store_->QueryObservations("openweathermap", owm.city_name, Timestamp::FromSeconds(1500),
                                         Timestamp::FromSeconds(2000));
  EXPECT_TRUE(range->empty());  // to is exclusive
  auto other = store_->QueryObservations("openmeteo", owm.city_name, Timestamp(), Timestamp::FromSeconds(3000));
  ASSERT_EQ(other->size(), 1u);
  EXPECT_EQ((*other)[0].values.at("weather_code"), 2);
  SourceObservation fes = om;
  fes.city_name = "Fes";
  ASSERT_TRUE(store_->UpsertObservations({fes}).ok());
  auto latest = store_->LatestObservations("openweathermap");
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0], later);
  auto latest_om = store_->LatestObservations("openmeteo");
  ASSERT_EQ(latest_om->size(), 2u);  // by city_name
  EXPECT_EQ((*latest_om)[0].city_name, "Fes");
}

// Open-Meteo reports the same quarter hour to fetches minutes apart: the latest fetch is kept,
// whatever order the writes come in (a re-delivery after a crash, two workers).
TEST_P(StoreContractTest, TheLatestFetchOfAnObservationTimeWinsInAnyWriteOrder) {
  SourceObservation early{
      "openmeteo", "Safi", Timestamp::FromSeconds(900), "safi", Timestamp::FromSeconds(905), {{"temperature_2m", 14.0}},
      {}};
  SourceObservation late = early;
  late.fetched_at = Timestamp::FromSeconds(1440);
  late.values = {{"temperature_2m", 14.6}};
  const std::vector<std::vector<std::vector<SourceObservation>>> orders = {
      {{early}, {late}}, {{late}, {early}}, {{early, late}}, {{late, early}}, {{late}, {early, early}}};
  for (size_t i = 0; i < orders.size(); ++i) {
    SourceObservation a = early, b = late;
    a.city_name = b.city_name = "Safi " + std::to_string(i);
    for (const auto& call : orders[i]) {
      std::vector<SourceObservation> rows;
      for (const SourceObservation& r : call) rows.push_back(r.fetched_at == early.fetched_at ? a : b);
      ASSERT_TRUE(store_->UpsertObservations(rows).ok()) << "order " << i;
    }
    auto got = store_->QueryObservations("openmeteo", a.city_name, Timestamp(), Timestamp::FromSeconds(3000));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_EQ(got->size(), 1u) << "order " << i;
    EXPECT_EQ((*got)[0], b) << "order " << i;
  }
}

TEST_P(StoreContractTest, ManyRowsInOneCall) {
  std::vector<WeatherRow> rows;
  for (int i = 0; i < 3000; ++i) rows.push_back(Row("City" + std::to_string(i % 7), 1000 + i, i * 0.5));
  ASSERT_TRUE(store_->UpsertWeather(rows).ok());
  size_t total = 0;
  for (int c = 0; c < 7; ++c) {
    auto got = store_->QueryWeather("City" + std::to_string(c), Timestamp(), Timestamp::FromSeconds(100000));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    total += got->size();
    for (size_t i = 1; i < got->size(); ++i) EXPECT_LT((*got)[i - 1].time, (*got)[i].time);
  }
  EXPECT_EQ(total, 3000u);
  EXPECT_EQ(store_->LatestWeather()->size(), 7u);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContractTest, ::testing::Values("sqlite", "cassandra"),
                         [](const auto& info) { return info.param; });

// A database made before forecast horizons: its one-step predictions and errors survive the
// tables' rebuild with the horizon in their key.
TEST(SqliteStoreMigrationTest, PredictionsBeforeHorizonsBecomeOneStepOnes) {
  const auto path = std::filesystem::temp_directory_path() / ("mf_migrate_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  {
    auto db = std::move(SqliteDb::Open(path.string())).value();
    ASSERT_TRUE(
        db->ExecSchema("CREATE TABLE predictions (city_name TEXT NOT NULL, variable TEXT NOT NULL, target_time TEXT "
                       "NOT NULL, value REAL NOT NULL, model TEXT NOT NULL, created_at TEXT NOT NULL, lower80 REAL, "
                       "upper80 REAL, lower95 REAL, upper95 REAL, PRIMARY KEY (city_name, variable, target_time, "
                       "model)) WITHOUT ROWID;"
                       "CREATE TABLE prediction_errors (city_name TEXT NOT NULL, variable TEXT NOT NULL, target_time "
                       "TEXT NOT NULL, model TEXT NOT NULL, predicted REAL NOT NULL, actual REAL NOT NULL, error REAL "
                       "NOT NULL, observed_at TEXT NOT NULL, PRIMARY KEY (city_name, variable, target_time, model)) "
                       "WITHOUT ROWID;"
                       "INSERT INTO predictions VALUES ('Rabat', 'temp', '2024-12-03T22:30:00.000Z', 14.5, "
                       "'naive-last', '2024-12-03T22:25:00.000Z', 13, 16, 12, 17);"
                       "INSERT INTO prediction_errors VALUES ('Rabat', 'temp', '2024-12-03T22:30:00.000Z', "
                       "'naive-last', 14.5, 15, 0.5, '2024-12-03T22:31:00.000Z');")
            .ok());
  }
  for (int open = 0; open < 2; ++open) {  // the second open finds nothing left to migrate
    auto store = SqliteStore::Open(path.string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto predictions = (*store)->QueryPredictions("Rabat", Timestamp(), Timestamp::FromSeconds(int64_t{1} << 40), 0);
    ASSERT_TRUE(predictions.ok()) << predictions.status().ToString();
    ASSERT_EQ(predictions->size(), 1u);
    EXPECT_EQ((*predictions)[0].horizon, 1);
    EXPECT_EQ((*predictions)[0].issued_at, (*predictions)[0].created_at);
    EXPECT_EQ((*predictions)[0].upper95, 17.0);
    auto errors = (*store)->QueryPredictionErrors("Rabat", Timestamp(), Timestamp::FromSeconds(int64_t{1} << 40), 0);
    ASSERT_TRUE(errors.ok()) << errors.status().ToString();
    ASSERT_EQ(errors->size(), 1u);
    EXPECT_EQ((*errors)[0].actual, 15.0);
    EXPECT_FALSE((*errors)[0].persistence.has_value());
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace meteoflow
