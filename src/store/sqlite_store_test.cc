#include "store/sqlite_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace meteoflow {
namespace {

TEST(SqliteStoreTest, UpsertsAreIdempotentAndQueriesOrdered) {
  const auto path = std::filesystem::temp_directory_path() / ("mf_store_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  auto store = std::move(SqliteStore::Open(path.string())).value();
  WeatherRow a{
      "Rabat", Timestamp::FromSeconds(2000), "rabat", "MA", Timestamp::FromSeconds(100), std::nullopt, "openweathermap",
      {}};
  a.at(WeatherField::kTemp) = 15.5;
  WeatherRow b = a;
  b.time = Timestamp::FromSeconds(1000);
  b.at(WeatherField::kTemp) = 9;
  ASSERT_TRUE(store->UpsertWeather({a, b}).ok());
  a.at(WeatherField::kTemp) = 16.5;
  ASSERT_TRUE(store->UpsertWeather({a}).ok());  // same key: replaces
  auto rows = store->QueryWeather("Rabat", Timestamp::FromSeconds(0), Timestamp::FromSeconds(5000));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].time.seconds(), 1000);
  EXPECT_EQ(*(*rows)[1].at(WeatherField::kTemp), 16.5);
  EXPECT_EQ((*rows)[1].sunrise->seconds(), 100);
  EXPECT_FALSE((*rows)[1].sunset.has_value());
  EXPECT_FALSE((*rows)[1].at(WeatherField::kHumidity).has_value());
  auto latest = store->LatestWeather();
  ASSERT_EQ(latest->size(), 1u);
  EXPECT_EQ((*latest)[0].time.seconds(), 2000);
  ASSERT_TRUE(store
                  ->UpsertPredictions({{"Rabat", "temp", Timestamp::FromSeconds(2600), 16.5, "naive-last",
                                        Timestamp::FromSeconds(3000)}})
                  .ok());
  ASSERT_TRUE(store
                  ->UpsertPredictions({{"Rabat", "temp", Timestamp::FromSeconds(2600), 16.5, "naive-last",
                                        Timestamp::FromSeconds(3000)}})
                  .ok());
  EXPECT_EQ(store->QueryPredictions("Rabat")->size(), 1u);
  ASSERT_TRUE(store->PutCheckpoints({{"t/a", "1"}, {"t/b", "2"}, {"u/c", "3"}}).ok());
  EXPECT_EQ(store->ListCheckpoints("t/")->size(), 2u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace meteoflow
