#include "transform/transform_stage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "land/land_stage.h"
#include "store/sqlite_store.h"

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

const std::string kOwm =
    R"({"main":{"temp":15.0,"humidity":60,"pressure":1020},"dt":1733264217,"sys":{"country":"MA"}})";
const std::string kOm = R"({"utc_offset_seconds":0,"current":{"time":"2024-12-03T22:15","temperature_2m":14.0,)"
                        R"("relative_humidity_2m":70}})";

void AddRaw(parquet::Table* t, const std::string& location, int64_t fetched_ms, int64_t offset,
            const std::string& body) {
  t->columns[0].AppendString(location);
  t->columns[1].AppendInt(fetched_ms);
  t->columns[2].AppendString("raw");
  t->columns[3].AppendInt(0);
  t->columns[4].AppendInt(offset);
  t->columns[5].AppendString(body);
}

TEST(TransformStageTest, ReconcilesDeadLettersAndIsIdempotent) {
  const fs::path dir = fs::temp_directory_path() / ("mf_transform_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Dataset lake((dir / "lake").string());
  const int64_t fetched = 1733264217000;
  parquet::Table owm(LandStage::RawSchema()), om(LandStage::RawSchema());
  AddRaw(&owm, "rabat", fetched, 0, kOwm);
  AddRaw(&owm, "rabat", fetched + 600000, 1, R"({"main":{"temp":999},"dt":1733264817})");  // out of range
  AddRaw(&owm, "atlantis", fetched, 2, kOwm);                                              // unknown location
  AddRaw(&owm, "rabat", fetched + 1200000, 3, "{truncated");                               // not JSON
  AddRaw(&om, "rabat", fetched + 5000, 0, kOm);
  ASSERT_TRUE(lake.Commit({{"source", "openweathermap"}, {"date", "2024-12-03"}}, "a.parquet", owm).ok());
  ASSERT_TRUE(lake.Commit({{"source", "openmeteo"}, {"date", "2024-12-03"}}, "b.parquet", om).ok());
  auto store = std::move(SqliteStore::Open((dir / "store.db").string())).value();
  TransformStage stage({{"rabat", "Rabat", 34, -6.8}}, lake, *store);
  auto stats = stage.Run();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->records, 5);
  EXPECT_EQ(stats->rows_upserted, 1);
  EXPECT_EQ(stats->paired, 1);
  EXPECT_EQ(stats->dead_lettered, 3);
  auto rows = store->QueryWeather("Rabat", Timestamp(), Timestamp::FromSeconds(2000000000));
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_DOUBLE_EQ(*(*rows)[0].at(WeatherField::kTemperature2m), 14.5);
  EXPECT_DOUBLE_EQ(*(*rows)[0].at(WeatherField::kHumidity), 65);
  auto again = stage.Run();  // nothing new: no work, same rows
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->files, 0);
  EXPECT_EQ(store->QueryWeather("Rabat", Timestamp(), Timestamp::FromSeconds(2000000000))->size(), 1u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meteoflow
