#include "collect/service_forecast.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "collect/canned_api_testutil.h"
#include "store/sqlite_store.h"

namespace meteoflow {
namespace {

using testing::CannedApi;

const Location kRabat{"rabat", "Rabat", 33.99, -6.84};

struct RowsCase {
  const char* name;
  std::string element;
  size_t rows;        // expected, when `error` is empty
  std::string error;  // expected in the error
};

TEST(ServiceForecastTest, AnElementBecomesRowsOrOneClearError) {
  const Timestamp issued = *Timestamp::Parse("2026-01-01T11:20:00Z");
  const RowsCase cases[] = {
      {"hours from the fetch's hour on, pressure feeding two variables",
       R"({"hourly":{"time":["2026-01-01T10:00","2026-01-01T11:00","2026-01-01T12:00"],)"
       R"("temperature_2m":[14.0,15.0,16.0],"pressure_msl":[1015,1016,1017]}})",
       6, ""},
      {"nulls and strings skipped",
       R"({"hourly":{"time":["2026-01-01T11:00","2026-01-01T12:00"],)"
       R"("visibility":[null,"far"],"wind_speed_10m":[3.5,null]}})",
       1, ""},
      {"more values than times", R"({"hourly":{"time":["2026-01-01T12:00"],"temperature_2m":[1,2,3]}})", 1, ""},
      {"no hourly", R"({"current":{"time":"2026-01-01T11:15"}})", 0, "has no hourly times"},
      {"a time that is no time", R"({"hourly":{"time":["yesterday"],"temperature_2m":[1]}})", 0,
       "'yesterday' for rabat is not a time"},
      {"a number for a time", R"({"hourly":{"time":[12],"temperature_2m":[1]}})", 0, "is not text"},
      {"not JSON", R"({"hourly":)", 0, "is not JSON"},
  };
  for (const RowsCase& c : cases) {
    std::vector<ServiceForecast> rows;
    const Status s = ServiceForecastFetcher::RowsOf(c.element, kRabat, issued, &rows);
    if (c.error.empty()) {
      ASSERT_TRUE(s.ok()) << c.name << ": " << s.ToString();
      EXPECT_EQ(rows.size(), c.rows) << c.name;
      for (const ServiceForecast& f : rows) {
        EXPECT_EQ(f.city_name, "Rabat") << c.name;
        EXPECT_EQ(f.issued_at, issued) << c.name;
        EXPECT_GE(f.target_time, *Timestamp::Parse("2026-01-01T11:00:00Z")) << c.name;
      }
    } else {
      EXPECT_FALSE(s.ok()) << c.name;
      EXPECT_NE(s.ToString().find(c.error), std::string::npos) << c.name << ": " << s.ToString();
    }
  }
}

class ServiceForecastRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("mf_nwp_" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path_);
    auto store = SqliteStore::Open(path_.string());
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
  }
  void TearDown() override {
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_.string() + suffix);
  }
  Result<ServiceForecastStats> RunAgainst(const CannedApi& api, const std::vector<Location>& locations) {
    LiveSourceOptions options;
    options.base_url = api.url();
    options.retry.retries = 0;
    auto fetcher = ServiceForecastFetcher::Create(options, clock_);
    if (!fetcher.ok()) return fetcher.status();
    return (*fetcher)->Run(locations, *store_);
  }

  std::filesystem::path path_;
  std::unique_ptr<SqliteStore> store_;
  SimulatedClock clock_{*Timestamp::Parse("2026-01-01T11:20:30Z")};
};

TEST_F(ServiceForecastRunTest, TwoLocationsInOneRequestAreStoredIssuedAtTheFetchMinute) {
  const std::string element = R"({"hourly":{"time":["2026-01-01T11:00","2026-01-01T12:00"],)"
                              R"("temperature_2m":[14.5,15.5]}})";
  CannedApi api(200, "[" + element + "," + element + "]");
  const std::vector<Location> two = {kRabat, {"fes", "Fes", 34.04, -5.0}};
  auto stats = RunAgainst(api, two);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows, 4);
  EXPECT_EQ(stats->issued_at, *Timestamp::Parse("2026-01-01T11:20:00Z"));
  EXPECT_EQ(api.last_query("hourly"), ServiceForecastFetcher::kHourlyVariables);
  EXPECT_EQ(api.last_query("forecast_days"), "2");
  EXPECT_EQ(api.last_query("wind_speed_unit"), "ms");
  auto fes = store_->QueryServiceForecasts("Fes", Timestamp(), *Timestamp::Parse("2027-01-01T00:00:00Z"));
  ASSERT_TRUE(fes.ok());
  ASSERT_EQ(fes->size(), 2u);
  EXPECT_EQ((*fes)[1].value, 15.5);
  // Nine days later the old fetch is past the default 8 days of retention and goes.
  clock_.Advance(int64_t{9} * 86'400'000);
  CannedApi later(200, "[" + element + "," + element + "]");
  ASSERT_TRUE(RunAgainst(later, two).ok());
  EXPECT_TRUE(store_->QueryServiceForecasts("Fes", Timestamp(), *Timestamp::Parse("2027-01-01T00:00:00Z"))->empty());
}

TEST_F(ServiceForecastRunTest, AnErrorAnswerStoresNothingAndSaysWhy) {
  CannedApi api(400, R"({"error":true,"reason":"Cannot initialize WeatherVariable from invalid String value"})");
  auto stats = RunAgainst(api, {kRabat});
  ASSERT_FALSE(stats.ok());
  EXPECT_NE(stats.status().ToString().find("HTTP 400: Cannot initialize WeatherVariable"), std::string::npos);
  EXPECT_TRUE(store_->QueryServiceForecasts("Rabat", Timestamp(), *Timestamp::Parse("2027-01-01T00:00:00Z"))->empty());
  CannedApi short_answer(200, R"([{"hourly":{"time":[]}}])");
  auto mismatch = RunAgainst(short_answer, {kRabat, {"fes", "Fes", 34.04, -5.0}});
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.status().ToString().find("expected an array of 2 locations, got 1"), std::string::npos);
}

}  // namespace
}  // namespace meteoflow
