#include "transform/transform_stage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>
#include <random>
#include <tuple>

#include "land/land_stage.h"
#include "store/sqlite_store.h"
#include "transform/pairing.h"
#include "transform/parse.h"

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

// Random readings of a few locations: OpenWeatherMap every ~10 minutes (sometimes repeating the
// previous dt, as the API does between station updates), Open-Meteo near most of them.
struct Generated {
  std::vector<std::tuple<std::string, std::string, int64_t, std::string>>
      records;  // source, location, fetched ms, body
};

Generated Generate(std::mt19937& rng, const std::vector<Location>& locations, int ticks) {
  Generated g;
  const int64_t base = 1733264217000;  // 2024-12-03T22:16:57Z
  std::uniform_real_distribution<double> temp(5, 25), humidity(20, 95);
  std::uniform_int_distribution<int> jitter(0, 59'000), percent(0, 99);
  for (const auto& l : locations) {
    int64_t dt = 0;
    for (int k = 0; k < ticks; ++k) {
      const int64_t fetched = base + int64_t{k} * 600'000 + jitter(rng);
      if (percent(rng) >= 10 || dt == 0) dt = (fetched - 120'000) / 1000;
      char owm[200];
      std::snprintf(owm, sizeof owm, R"({"main":{"temp":%.2f,"humidity":%.0f},"dt":%lld,"sys":{"country":"MA"}})",
                    temp(rng), humidity(rng), static_cast<long long>(dt));
      if (percent(rng) < 95) g.records.emplace_back("openweathermap", l.id, fetched, owm);
      for (int extra = percent(rng) < 15 ? 2 : percent(rng) < 80 ? 1 : 0; extra > 0; --extra) {
        const int64_t om_fetched = fetched + int64_t{jitter(rng) - 29'000} * 19;  // within about 9 minutes
        const Timestamp slot = Timestamp::FromMillis(om_fetched).FloorTo(900'000);
        char om[200];
        std::snprintf(
            om, sizeof om,
            R"({"utc_offset_seconds":0,"current":{"time":"%s","temperature_2m":%.1f,"relative_humidity_2m":%.0f}})",
            slot.ToString().substr(0, 16).c_str(), temp(rng), humidity(rng));
        g.records.emplace_back("openmeteo", l.id, om_fetched, om);
      }
    }
  }
  return g;
}

std::map<std::pair<std::string, int64_t>, WeatherRow> Expected(const Generated& g,
                                                               const std::vector<Location>& locations) {
  std::map<std::pair<std::string, int64_t>, WeatherRow> out;
  for (const auto& l : locations) {
    std::vector<Reading> owm, om;
    for (const auto& [source, id, fetched, body] : g.records) {
      if (id != l.id) continue;
      const Timestamp at = Timestamp::FromMillis(fetched);
      auto parsed = source == "openweathermap" ? ParseOpenWeatherMap(body, at) : ParseOpenMeteo(body, at);
      EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
      (source == "openweathermap" ? owm : om).push_back({at, *parsed, false});
    }
    for (auto& row : ReferenceRows(l, owm, om).rows) out[{row.city_name, row.time.millis()}] = std::move(row);
  }
  return out;
}

// Commits the records of one batch as lake files (one per source and date).
void Land(const Dataset& lake, const Generated& g, const std::vector<size_t>& batch, int batch_number) {
  std::map<std::pair<std::string, std::string>, parquet::Table> files;
  int64_t offset = 0;
  for (size_t i : batch) {
    const auto& [source, id, fetched, body] = g.records[i];
    auto key = std::make_pair(source, Timestamp::FromMillis(fetched).DateString());
    auto it = files.try_emplace(key, LandStage::RawSchema()).first;
    AddRaw(&it->second, id, fetched, offset++, body);
  }
  for (const auto& [key, table] : files) {
    const std::string name = "batch-" + std::to_string(batch_number) + ".parquet";
    ASSERT_TRUE(lake.Commit({{"source", key.first}, {"date", key.second}}, name, table).ok());
  }
}

TEST(TransformStageTest, AnyBatchesInAnyOrderGiveTheReferenceTable) {
  const std::vector<Location> locations = {
      {"rabat", "Rabat", 34, -6.8}, {"fes", "Fes", 34, -5}, {"safi", "Safi", 32, -9}};
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    const Generated g = Generate(rng, locations, 40);
    const auto expected = Expected(g, locations);
    std::vector<size_t> order(g.records.size());
    std::iota(order.begin(), order.end(), 0);
    if (seed % 2) std::shuffle(order.begin(), order.end(), rng);  // odd seeds: any arrival order
    const fs::path dir =
        fs::temp_directory_path() / ("mf_batches_" + std::to_string(::getpid()) + "_" + std::to_string(seed));
    fs::remove_all(dir);
    fs::create_directories(dir);
    Dataset lake((dir / "lake").string());
    auto store = std::move(SqliteStore::Open((dir / "store.db").string())).value();
    TransformStage stage(locations, lake, *store);
    // A run takes what several landings left, in batches of its own that cut across them.
    stage.set_batch_records(std::uniform_int_distribution<int64_t>(1, 80)(rng));
    // The pairing index reaches back 20 minutes to a day: late readings pair from the lake too.
    stage.set_index_window(std::uniform_int_distribution<int64_t>(20, 1440)(rng) * 60'000,
                           std::uniform_int_distribution<int64_t>(1, 60)(rng) * 60'000);
    std::uniform_int_distribution<size_t> batch_size(1, 60);
    int batch_number = 0;
    for (size_t at = 0; at < order.size();) {
      const size_t n = std::min(order.size() - at, batch_size(rng));
      Land(lake, g, std::vector<size_t>(order.begin() + at, order.begin() + at + n), batch_number++);
      at += n;
      if (rng() % 3 == 0 || at == order.size()) {
        auto stats = stage.Run();
        ASSERT_TRUE(stats.ok()) << stats.status().ToString();
      }
    }
    std::map<std::pair<std::string, int64_t>, WeatherRow> stored;
    for (const auto& l : locations) {
      auto rows = store->QueryWeather(l.name, Timestamp(), Timestamp::FromSeconds(2'000'000'000));
      ASSERT_TRUE(rows.ok()) << rows.status().ToString();
      for (auto& row : *rows) stored[{row.city_name, row.time.millis()}] = std::move(row);
    }
    ASSERT_EQ(stored.size(), expected.size()) << batch_number << " batches";
    for (const auto& [key, row] : expected) {
      const WeatherRow& got = stored.at(key);
      EXPECT_EQ(got.sources, row.sources) << key.first << " " << key.second;
      EXPECT_EQ(got.fields, row.fields) << key.first << " " << key.second;
    }
    fs::remove_all(dir);
  }
}

}  // namespace
}  // namespace meteoflow
