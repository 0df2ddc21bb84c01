#include "forecast/predict_stage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/sqlite_store.h"

namespace meteoflow {
namespace {

WeatherRow Row(const std::string& city, Timestamp t, double temp) {
  WeatherRow r;
  r.city_name = city;
  r.time = t;
  r.location_id = city;
  r.at(WeatherField::kTemp) = temp;
  r.at(WeatherField::kHumidity) = 50 + temp;
  return r;
}

TEST(PredictStageTest, ScoresPastPredictionsOnceTheirActualArrives) {
  const auto path = std::filesystem::temp_directory_path() / ("mf_predict_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  auto store = std::move(SqliteStore::Open(path.string())).value();
  PredictStage stage(*store, nullptr, ForecastConfig{});
  const Timestamp t0 = *Timestamp::Parse("2024-12-03T22:16:57Z");
  ASSERT_TRUE(store->UpsertWeather({Row("Rabat", t0, 14.0)}).ok());
  auto first = stage.Run(t0);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->predictions, 2);  // temp and humidity
  EXPECT_EQ(first->scored, 0);       // nothing predicted before
  // The next observation arrives 3 minutes off the predicted target time: within the window.
  const Timestamp t1 = t0.PlusMillis(10 * 60'000 + 3 * 60'000);
  ASSERT_TRUE(store->UpsertWeather({Row("Rabat", t1, 15.5)}).ok());
  auto second = stage.Run(t1);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->scored, 2);
  auto errors = std::move(store->QueryPredictionErrors("Rabat")).value();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].variable, "temp");
  EXPECT_DOUBLE_EQ(errors[1].predicted, 14.0);
  EXPECT_DOUBLE_EQ(errors[1].actual, 15.5);
  EXPECT_EQ(errors[1].observed_at, t1);
  EXPECT_EQ(errors[1].model, PredictStage::kBaselineName);
  // Re-running scores the same rows again, without duplicates.
  ASSERT_TRUE(stage.Run(t1).ok());
  EXPECT_EQ(std::move(store->QueryPredictionErrors("Rabat")).value().size(), 2u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace meteoflow
