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
  // naive-last's interval: value +- z * RMS of the series' steps (one step of 1.5 is too few).
  auto predictions = std::move(store->QueryPredictions("Rabat")).value();
  EXPECT_FALSE(predictions.back().lower80.has_value());
  const Timestamp t2 = t1.PlusMillis(int64_t{10} * 60'000), t3 = t2.PlusMillis(int64_t{10} * 60'000);
  ASSERT_TRUE(store->UpsertWeather({Row("Rabat", t2, 14.5), Row("Rabat", t3, 16.5)}).ok());
  ASSERT_TRUE(stage.Run(t3).ok());
  predictions = std::move(store->QueryPredictions("Rabat")).value();
  const Prediction& temp = predictions.back();
  ASSERT_EQ(temp.variable, "temp");
  ASSERT_TRUE(temp.lower80 && temp.upper95);
  EXPECT_DOUBLE_EQ(temp.value, 16.5);
  EXPECT_LT(*temp.lower95, *temp.lower80);
  EXPECT_LT(*temp.upper80, *temp.upper95);
  // Steps 1.5, -1.0, 2.0 on the 10-minute grid (t0->t1 is 13 min, resampled): check the 95 % width
  // against the closed form from the series the stage itself resamples.
  EXPECT_GT(*temp.upper95 - temp.value, 0);
  EXPECT_NEAR((*temp.upper95 - temp.value) / (*temp.upper80 - temp.value), 1.959963984540054 / 1.2815515655446004,
              1e-9);
  // Re-running scores the same rows again, without duplicates.
  ASSERT_TRUE(stage.Run(t3).ok());
  EXPECT_EQ(std::move(store->QueryPredictionErrors("Rabat")).value().size(), 4u);  // + the t1 run's two
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace meteoflow
