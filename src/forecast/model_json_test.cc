#include "forecast/model_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace meteoflow::forecast {
namespace {

std::vector<double> RandomWalkWithCycle(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> noise(0, 0.3);
  std::vector<double> y;
  double level = 20;
  for (size_t t = 0; t < n; ++t) {
    level += noise(rng);
    y.push_back(level + 3 * std::sin(2 * M_PI * static_cast<double>(t) / 12));
  }
  return y;
}

TEST(ModelJsonTest, EveryFittedModelRoundTripsThroughJsonAndForecastsTheSame) {
  const std::vector<double> y = RandomWalkWithCycle(80, 7);
  std::vector<double> forecast = RandomWalkWithCycle(83, 9);  // the service's, 3 steps beyond y
  const Regressors exog = {{forecast.begin(), forecast.begin() + 80}},
                   future = {{forecast.begin() + 80, forecast.end()}};
  std::vector<ModelSpec> specs = DefaultCandidates(12);
  specs.push_back(*SpecNamed("nwp", 12));
  specs.push_back(*SpecNamed("nwp-arima", 12));
  for (const ModelSpec& spec : specs) {
    auto fit = FitModel(spec, y, exog);
    ASSERT_TRUE(fit.ok()) << spec.name << ": " << fit.status().ToString();
    auto back = FittedModelFromJson(nlohmann::json::parse(ToJson(*fit).dump()));
    ASSERT_TRUE(back.ok()) << spec.name << ": " << back.status().ToString();
    EXPECT_EQ(back->Describe(), fit->Describe());
    auto a = ForecastModel(*fit, y, 3, 0.95, exog, future), b = ForecastModel(*back, y, 3, 0.95, exog, future);
    ASSERT_TRUE(a.ok() && b.ok()) << spec.name;
    for (size_t h = 0; h < 3; ++h) {
      EXPECT_DOUBLE_EQ(a->mean[h], b->mean[h]) << spec.name;
      EXPECT_DOUBLE_EQ(a->upper[h], b->upper[h]) << spec.name;
    }
  }
}

TEST(ModelJsonTest, AConstantSeriesRoundTripsAsAPerfectNaiveFit) {
  const std::vector<double> y(30, 10000.0);  // visibility at its cap all day
  auto fit = FitModel(*SpecNamed("naive", 0), y);
  ASSERT_TRUE(fit.ok());
  auto back = FittedModelFromJson(nlohmann::json::parse(ToJson(*fit).dump()));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ForecastModel(*back, y, 2)->mean, (std::vector<double>{10000.0, 10000.0}));
}

TEST(ModelJsonTest, BadDocumentsGiveClearErrors) {
  // Coefficients that do not match the order: two AR terms announced, one given.
  const std::string mismatched =
      R"({"spec":"arima","season":0,"order":{"p":1,"d":1,"q":1,"P":0,"D":0,"Q":0,"s":0,"constant":false},)"
      R"("arima":{"order":{"p":2,"d":1,"q":1,"P":0,"D":0,"Q":0,"s":0,"constant":false},"ar":[0.1],"ma":[0.2],)"
      R"("seasonal_ar":[],"seasonal_ma":[],"mean":0,"sigma2":1,"loglik":0,"aicc":0,"nobs":9}})";
  const std::string bad[] = {"{}", R"({"spec":"arima","season":0})", R"({"spec":"nope","season":0,"order":{}})",
                             mismatched, R"({"spec":"xgb","season":"twelve"})"};
  for (const std::string& text : bad) {
    EXPECT_EQ(FittedModelFromJson(nlohmann::json::parse(text)).status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(ModelJsonTest, ScoresWithoutAMapeWriteNull) {
  BacktestScore score;
  score.name = "naive";
  score.mape = NAN;
  const auto json = ScoresJson({score});
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["model"], "naive");
  EXPECT_TRUE(json[0]["mape"].is_null());
}

}  // namespace
}  // namespace meteoflow::forecast
