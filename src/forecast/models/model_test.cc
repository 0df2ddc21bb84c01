#include "forecast/models/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "forecast/models/backtest.h"
#include "forecast/models/series.h"

namespace meteoflow::forecast {
namespace {

TEST(BaselineTest, NaiveSeasonalNaiveAndDriftFollowTheirDefinitions) {
  const std::vector<double> y = {1, 5, 3, 2, 6, 4, 3, 7, 5};
  auto naive = FitBaseline(y, BaselineKind::kNaive, 0);
  ASSERT_TRUE(naive.ok());
  auto naive_fc = ForecastBaseline(*naive, y, 4);
  ASSERT_TRUE(naive_fc.ok());
  EXPECT_EQ(naive_fc->mean, std::vector<double>(4, 5.0));
  const double sigma = std::sqrt(naive->sigma2);
  EXPECT_NEAR(naive_fc->upper[3] - naive_fc->mean[3], 1.959964 * sigma * 2, 1e-4);
  auto seasonal = FitBaseline(y, BaselineKind::kSeasonalNaive, 3);
  ASSERT_TRUE(seasonal.ok());
  EXPECT_EQ(ForecastBaseline(*seasonal, y, 4)->mean, (std::vector<double>{3, 7, 5, 3}));
  auto drift = FitBaseline(y, BaselineKind::kDrift, 0);
  ASSERT_TRUE(drift.ok());
  EXPECT_DOUBLE_EQ(drift->drift, 0.5);
  EXPECT_DOUBLE_EQ(ForecastBaseline(*drift, y, 2)->mean[1], 6.0);
  // A stored fit forecasts later data with its own drift.
  EXPECT_DOUBLE_EQ(ForecastBaseline(*drift, {10, 20}, 1)->mean[0], 20.5);
  EXPECT_EQ(FitBaseline(y, BaselineKind::kSeasonalNaive, 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FitBaseline({1.0, NAN, 2.0}, BaselineKind::kNaive, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ForecastBaseline(*naive, y, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(BacktestTest, RanksCandidatesByRollingOriginErrors) {
  std::vector<double> line;
  for (int i = 0; i < 60; ++i) line.push_back(3.0 + 0.5 * i);  // drift is exact on a straight line
  auto scores = Backtest(line, DefaultCandidates(0), 3, 4);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  ASSERT_EQ(scores->size(), 5u);
  EXPECT_EQ((*scores)[0].name, "drift");
  EXPECT_NEAR((*scores)[0].rmse, 0.0, 1e-9);
  EXPECT_EQ((*scores)[0].scored, 12);
  for (size_t i = 1; i < scores->size(); ++i) {
    if ((*scores)[i].scored > 0) {
      EXPECT_GE((*scores)[i].rmse, (*scores)[i - 1].rmse);
    }
  }
  // The ARIMA candidates see a series with no variation after differencing: failures, not crashes.
  for (const auto& s : *scores) {
    if (s.name == "arima") {
      EXPECT_EQ(s.failures, 3);
    }
  }
  EXPECT_EQ(Backtest({1, 2, 3, 4}, DefaultCandidates(0), 2, 2).status().code(), StatusCode::kInvalidArgument);
}

TEST(BacktestTest, HandsOnEachCandidatesLastFitToStartTheWholeSeriesFitFrom) {
  std::vector<double> y;
  for (int i = 0; i < 120; ++i) y.push_back(10 + std::sin(i / 5.0) * 3 + 0.05 * i + 0.3 * std::cos(i * 1.7));
  std::map<std::string, FittedModel> last;
  auto scores = Backtest(y, DefaultCandidates(0), 3, 6, {}, &last);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  for (const char* name : {"naive", "drift", "arima", "auto", "xgb"}) EXPECT_EQ(last.count(name), 1u) << name;
  EXPECT_GE(last.at("auto").searched.size(), 4u);  // every order the last search fitted
  const ModelSpec arima = *SpecNamed("arima", 0);
  auto warm = FitModel(arima, y, {}, &last.at("arima"));
  auto cold = FitModel(arima, y);
  ASSERT_TRUE(warm.ok() && cold.ok());
  EXPECT_NEAR(warm->arima.loglik, cold->arima.loglik, 1e-6 * std::abs(cold->arima.loglik));
}

TEST(BoostedLagsTest, LearnsARepeatingPatternOfChanges) {
  // Changes repeat every 4 steps: the lag features determine the next change exactly.
  std::vector<double> y = {0};
  const double pattern[] = {1, -2, 3, 0.5};
  for (int t = 0; t < 80; ++t) y.push_back(y.back() + pattern[t % 4]);
  auto fit = FitBoostedLags(y, {.lags = 4, .rounds = 200, .max_depth = 3, .learning_rate = 0.3});
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  auto fc = ForecastBoostedLags(*fit, y, 4);
  ASSERT_TRUE(fc.ok()) << fc.status().ToString();
  double expected = y.back();
  for (int h = 0; h < 4; ++h) {
    expected += pattern[(80 + h) % 4];
    EXPECT_NEAR(fc->mean[static_cast<size_t>(h)], expected, 0.05) << "h=" << h + 1;
    EXPECT_LT(fc->lower[static_cast<size_t>(h)], fc->mean[static_cast<size_t>(h)]);
  }
  // A flat series forecasts flat: the trees start from the mean change, not XGBoost's 0.5.
  auto flat = FitBoostedLags(std::vector<double>(40, 5.0), {});
  ASSERT_TRUE(flat.ok());
  EXPECT_EQ(ForecastBoostedLags(*flat, std::vector<double>(40, 5.0), 3)->mean, std::vector<double>(3, 5.0));
  // Deterministic: a refit gives the same booster.
  EXPECT_EQ(BoosterText(*FitBoostedLags(y, fit->options)), BoosterText(*fit));
  EXPECT_NE(BoosterText(*fit).find("\"learner\""), std::string::npos);
  // Decoded from its text, the booster forecasts as the fit did.
  BoostedLagModel decoded = *fit;
  decoded.booster = BoosterText(*fit);
  decoded.trained.reset();
  EXPECT_EQ(ForecastBoostedLags(decoded, y, 4)->mean, ForecastBoostedLags(*fit, y, 4)->mean);
  EXPECT_EQ(FitBoostedLags({1, 2, 3}, {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FitBoostedLags(y, {.lags = 0}).status().code(), StatusCode::kInvalidArgument);
  BoostedLagModel broken = *fit;
  broken.trained.reset();
  broken.booster = "{not a model";
  EXPECT_EQ(ForecastBoostedLags(broken, y, 1).status().code(), StatusCode::kInternal);
}

TEST(ModelTest, BadSpecNamesGiveClearErrors) {
  EXPECT_EQ(SpecNamed("prophet", 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SpecNamed("sarima", 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SpecNamed("snaive", 1).status().code(), StatusCode::kInvalidArgument);
}

// Before the service's forecasts were collected the regressor is missing: the nwp models use the
// stretch after its last missing value, and say so when nothing is left.
TEST(ModelTest, TheServicesForecastMayBeMissingAtTheStartOfTheSeries) {
  std::vector<double> y, forecast;
  for (int i = 0; i < 80; ++i) {
    forecast.push_back(10 + 3 * std::sin(i / 6.0));
    y.push_back(forecast.back() - 1.5 + 0.2 * std::cos(i * 1.7));
    if (i < 20) forecast.back() = NAN;
  }
  for (const char* name : {"nwp", "nwp-arima"}) {
    auto spec = SpecNamed(name, 0);
    ASSERT_TRUE(spec.ok());
    auto fit = FitModel(*spec, y, {forecast});
    ASSERT_TRUE(fit.ok()) << name << ": " << fit.status().ToString();
    const Regressors ahead = {{11.0, 12.0}};
    auto fc = ForecastModel(*fit, y, 2, 0.95, {forecast}, ahead);
    ASSERT_TRUE(fc.ok()) << name << ": " << fc.status().ToString();
    // nwp passes the forecast on as it is; nwp-arima learns its bias.
    EXPECT_NEAR(fc->mean[0], std::string(name) == "nwp" ? 11.0 : 11.0 - 1.5, 0.3) << name;
  }
  auto nwp = SpecNamed("nwp", 0);
  EXPECT_EQ(FitModel(*nwp, y, {forecast})->nwp.nobs, 60);
  std::vector<double> missing_last = forecast;
  missing_last.back() = NAN;
  auto refused = FitModel(*nwp, y, {missing_last});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().ToString().find("missing at the series' last step"), std::string::npos);
}

TEST(SeriesTest, ResamplesMeansInterpolatesShortGapsAndCutsLongOnes) {
  const int64_t step = 600'000;
  auto at = [](int64_t minutes, double v) { return std::make_pair(Timestamp::FromMillis(minutes * 60'000), v); };
  // Steps 0..4: 0:05 and 0:07 average to 2; 0:30 is missing (interpolated); 0:40 = 7.
  const RegularSeries s = Resample({at(5, 1), at(7, 3), at(12, 3.25), at(25, 4.5), at(40, 7)}, step);
  EXPECT_EQ(s.first_step.millis(), 0);
  EXPECT_EQ(s.values, (std::vector<double>{2, 3.25, 4.5, 5.75, 7}));
  EXPECT_EQ(s.last_step.millis(), 40 * 60'000);
  // A gap of 3 empty steps is bridged with max_gap 3 and cut out with max_gap 2.
  const std::vector<std::pair<Timestamp, double>> gappy = {at(0, 1), at(10, 2), at(50, 6), at(60, 7)};
  EXPECT_EQ(Resample(gappy, step, 3).values, (std::vector<double>{1, 2, 3, 4, 5, 6, 7}));
  const RegularSeries cut = Resample(gappy, step, 2);
  EXPECT_EQ(cut.values, (std::vector<double>{1, 2, 6, 7}));
  EXPECT_EQ(cut.cut_gaps, 1);
  EXPECT_EQ(cut.last_step.millis(), 60 * 60'000);
  // Each value keeps its step's start, across the cut.
  std::vector<int64_t> minutes;
  for (Timestamp t : cut.times) minutes.push_back(t.millis() / 60'000);
  EXPECT_EQ(minutes, (std::vector<int64_t>{0, 10, 50, 60}));
  EXPECT_EQ(Resample(gappy, step, 3).times.size(), 7u);
  EXPECT_TRUE(Resample({}, step).values.empty());
}

}  // namespace
}  // namespace meteoflow::forecast
