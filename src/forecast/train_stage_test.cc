#include "forecast/train_stage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "forecast/predict_stage.h"
#include "store/sqlite_store.h"

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

class TrainStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mf_train_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = std::move(SqliteStore::Open((dir_ / "store.db").string())).value();
    registry_ = std::move(forecast::ModelRegistry::Open((dir_ / "models.db").string())).value();
    config_.candidates = {"naive", "drift", "arima", "xgb"};
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `n` observations every 10 minutes (a few seconds off the grid) from t0: temp rises on a line,
  // humidity wanders, pressure is constant.
  void AddRows(const std::string& city, int first, int n) {
    std::vector<WeatherRow> rows;
    for (int i = first; i < first + n; ++i) {
      WeatherRow r;
      r.city_name = r.location_id = city;
      r.time = t0_.PlusMillis(int64_t{i} * 600'000 + 7'000);
      r.at(WeatherField::kTemp) = 10 + 0.25 * i;
      r.at(WeatherField::kHumidity) = 60 + 10 * std::sin(i / 3.0) + (i % 5);
      r.at(WeatherField::kPressure) = 1013;
      rows.push_back(r);
    }
    ASSERT_TRUE(store_->UpsertWeather(rows).ok());
  }
  Timestamp At(int step) const { return t0_.PlusMillis(int64_t{step} * 600'000); }

  fs::path dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<forecast::ModelRegistry> registry_;
  ForecastConfig config_;
  const Timestamp t0_ = *Timestamp::Parse("2024-12-04T00:00:00Z");
};

TEST_F(TrainStageTest, RegistersTheBestCandidatePerSeriesOnceForUnchangedData) {
  AddRows("Rabat", 0, 60);
  AddRows("Ifrane", 0, 10);  // too short to train
  TrainStage train(*store_, *registry_, config_);
  auto first = train.Run(At(60));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->series, 6);  // 3 variables x 2 cities
  EXPECT_EQ(first->too_short, 3);
  EXPECT_EQ(first->trained, 3);
  EXPECT_EQ(first->new_versions, 3);
  auto temp = std::move(registry_->Latest("Rabat", "temp")).value();
  ASSERT_TRUE(temp.has_value());
  EXPECT_EQ(temp->model, "drift");  // exact on a straight line
  EXPECT_EQ(temp->version, 1);
  EXPECT_EQ(temp->observations, 60);
  EXPECT_EQ(temp->train_from, At(0));
  EXPECT_EQ(temp->train_to, At(59));
  EXPECT_EQ(temp->metrics.size(), 4u);  // every candidate's backtest
  EXPECT_EQ(temp->metrics[0]["model"], "drift");
  // Same data: nothing new. More data: a new version.
  auto again = train.Run(At(60));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->new_versions, 0);
  AddRows("Rabat", 60, 6);
  auto later = train.Run(At(66));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->new_versions, 3);
  EXPECT_EQ(std::move(registry_->Latest("Rabat", "temp")).value()->version, 2);
  EXPECT_EQ(std::move(registry_->List(false)).value().size(), 6u);
  EXPECT_EQ(std::move(registry_->List(true)).value().size(), 3u);
}

TEST_F(TrainStageTest, PredictForecastsWithTheRegisteredModelAndFallsBackWhenItCannot) {
  AddRows("Rabat", 0, 60);
  TrainStage train(*store_, *registry_, config_);
  ASSERT_TRUE(train.Run(At(60)).ok());
  PredictStage predict(*store_, registry_.get(), config_);
  auto stats = predict.Run(At(60));
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->predictions, 3 * config_.predict_steps);
  EXPECT_EQ(stats->from_registry, 3);
  const Timestamp forever = Timestamp::FromSeconds(int64_t{1} << 40);
  const std::vector<Prediction> predictions =
      std::move(store_->QueryPredictions("Rabat", Timestamp(), forever, 0)).value();
  int temps = 0;
  for (const Prediction& p : predictions) {
    if (p.variable != "temp") continue;
    ++temps;
    EXPECT_EQ(p.model, "drift");
    EXPECT_NEAR(p.value, 10 + 0.25 * (59 + p.horizon), 1e-9);  // the line's next steps, not the last value
    EXPECT_EQ(p.target_time, At(59).PlusMillis(7'000 + int64_t{600'000} * p.horizon));
  }
  EXPECT_EQ(temps, config_.predict_steps);
  // A registered model that does not decode: that variable falls back to naive-last.
  forecast::RegistryEntry broken = *std::move(registry_->Latest("Rabat", "pressure")).value();
  broken.fitted = {{"spec", "arima"}};
  broken.fingerprint = "changed";
  ASSERT_TRUE(registry_->Register({broken}).ok());
  auto after = predict.Run(At(60));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->from_registry, 2);
  EXPECT_EQ(after->fallbacks, 1);
  bool baseline = false;
  const std::vector<Prediction> after_predictions =
      std::move(store_->QueryPredictions("Rabat", Timestamp(), forever, 0)).value();
  for (const Prediction& p : after_predictions) {
    baseline |= p.variable == "pressure" && p.model == PredictStage::kBaselineName && p.value == 1013;
  }
  EXPECT_TRUE(baseline);
}

TEST_F(TrainStageTest, UnknownCandidatesAreAnError) {
  config_.candidates = {"naive", "prophet"};
  AddRows("Rabat", 0, 30);
  TrainStage train(*store_, *registry_, config_);
  auto stats = train.Run(At(30));
  ASSERT_FALSE(stats.ok());
  EXPECT_NE(stats.status().message().find("prophet"), std::string::npos);
}

}  // namespace
}  // namespace meteoflow
