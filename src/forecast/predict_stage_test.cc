#include "forecast/predict_stage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
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

std::vector<Prediction> All(Store& store, const std::string& city) {
  return std::move(store.QueryPredictions(city, Timestamp(), Timestamp::FromSeconds(int64_t{1} << 40), 0)).value();
}

std::vector<PredictionError> AllErrors(Store& store, const std::string& city) {
  return std::move(store.QueryPredictionErrors(city, Timestamp(), Timestamp::FromSeconds(int64_t{1} << 40), 0)).value();
}

TEST(PredictStageTest, ForecastsEveryHorizonAndScoresEachOnceItsActualArrives) {
  const auto path = std::filesystem::temp_directory_path() / ("mf_predict_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  auto store = std::move(SqliteStore::Open(path.string())).value();
  ForecastConfig config;
  config.predict_steps = 6;
  PredictStage stage(*store, nullptr, config);
  const Timestamp t0 = *Timestamp::Parse("2024-12-03T22:16:57Z");
  const int64_t minute = 60'000;
  ASSERT_TRUE(store->UpsertWeather({Row("Rabat", t0, 14.0)}).ok());
  auto first = stage.Run(t0);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->predictions, 12);  // temp and humidity, 6 steps each
  EXPECT_EQ(first->scored, 0);        // nothing predicted before
  std::vector<Prediction> predictions = All(*store, "Rabat");
  ASSERT_EQ(predictions.size(), 12u);
  EXPECT_EQ(predictions.back().horizon, 6);
  EXPECT_EQ(predictions.back().target_time, t0.PlusMillis(60 * minute));
  EXPECT_EQ(predictions.back().issued_at, t0);
  EXPECT_EQ(predictions.back().persistence, 14.0);
  // The next observation arrives 3 minutes off the one-step target: within the window; the
  // two-step target is 7 minutes away from it: not yet scored.
  const Timestamp t1 = t0.PlusMillis(13 * minute);
  ASSERT_TRUE(store->UpsertWeather({Row("Rabat", t1, 15.5)}).ok());
  auto second = stage.Run(t1);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->scored, 2);
  auto errors = AllErrors(*store, "Rabat");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1].variable, "temp");
  EXPECT_EQ(errors[1].horizon, 1);
  EXPECT_DOUBLE_EQ(errors[1].predicted, 14.0);
  EXPECT_DOUBLE_EQ(errors[1].actual, 15.5);
  EXPECT_EQ(errors[1].observed_at, t1);
  EXPECT_EQ(errors[1].model, PredictStage::kBaselineName);
  // naive-last's interval: value +- z * RMS of the series' steps * sqrt(h) (one step is too few).
  EXPECT_FALSE(All(*store, "Rabat").back().lower80.has_value());
  const Timestamp t2 = t1.PlusMillis(10 * minute), t3 = t2.PlusMillis(10 * minute);
  ASSERT_TRUE(store->UpsertWeather({Row("Rabat", t2, 14.5), Row("Rabat", t3, 16.5)}).ok());
  auto third = stage.Run(t3);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  // Issued at t0: targets +10, +20, +30 min meet t1, t2, t3 within 3 minutes; issued at t1:
  // +10 and +20 meet t2 and t3 exactly. Two of those ten were scored by the t1 run.
  EXPECT_EQ(third->scored, 8);
  errors = AllErrors(*store, "Rabat");
  ASSERT_EQ(errors.size(), 10u);
  const auto three_steps = std::find_if(
      errors.begin(), errors.end(), [](const PredictionError& e) { return e.horizon == 3 && e.variable == "temp"; });
  ASSERT_NE(three_steps, errors.end());
  EXPECT_EQ(three_steps->issued_at, t0);
  EXPECT_EQ(three_steps->observed_at, t3);
  EXPECT_EQ(three_steps->persistence, 14.0);
  predictions = All(*store, "Rabat");
  std::vector<const Prediction*> latest_temp;
  for (const Prediction& p : predictions) {
    if (p.issued_at == t3 && p.variable == "temp") latest_temp.push_back(&p);
  }
  ASSERT_EQ(latest_temp.size(), 6u);
  const Prediction& one = *latest_temp[0];
  const Prediction& four = *latest_temp[3];
  ASSERT_TRUE(one.lower80 && one.upper95 && four.upper95);
  EXPECT_DOUBLE_EQ(one.value, 16.5);
  EXPECT_LT(*one.lower95, *one.lower80);
  EXPECT_LT(*one.upper80, *one.upper95);
  EXPECT_NEAR((*one.upper95 - one.value) / (*one.upper80 - one.value), 1.959963984540054 / 1.2815515655446004, 1e-9);
  EXPECT_NEAR((*four.upper95 - four.value) / (*one.upper95 - one.value), 2.0, 1e-9);  // sqrt(4)
  // Re-running writes no error again and leaves the table as it was.
  auto again = stage.Run(t3);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->scored, 0);
  EXPECT_EQ(AllErrors(*store, "Rabat").size(), 10u);
  store.reset();  // closed first, so that SQLite's -wal and -shm files go with it
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace
}  // namespace meteoflow
