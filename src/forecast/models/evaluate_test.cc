#include "forecast/models/evaluate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "forecast/models/backtest.h"

namespace meteoflow::forecast {
namespace {

std::vector<ModelSpec> Specs(const std::vector<std::string>& names) {
  std::vector<ModelSpec> out;
  for (const auto& n : names) out.push_back(*SpecNamed(n, 12));
  return out;
}

// A straight line with a little noise: drift is the known best model, naive is persistence.
std::vector<double> NoisyLine(size_t n) {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 0.1);
  std::vector<double> y(n);
  for (size_t t = 0; t < n; ++t) y[t] = 0.5 * static_cast<double>(t) + noise(rng);
  return y;
}

TEST(ErrorStatsTest, SkillIsOneMinusTheRmseRatioToPersistence) {
  ErrorStats s;
  s.Add(1.0, 2.0);
  s.Add(-1.0, -2.0);
  s.Add(3.0);  // no persistence error: in RMSE, not in skill
  EXPECT_EQ(s.count(), 3);
  EXPECT_DOUBLE_EQ(s.mae(), 5.0 / 3);
  EXPECT_DOUBLE_EQ(s.rmse(), std::sqrt(11.0 / 3));
  EXPECT_DOUBLE_EQ(s.bias(), 1.0);
  EXPECT_DOUBLE_EQ(*s.persistence_rmse(), 2.0);
  EXPECT_DOUBLE_EQ(*s.skill(), 0.5);
  ErrorStats exact;
  exact.Add(0.5, 0.0);
  EXPECT_FALSE(exact.skill().has_value());  // persistence was exact: no ratio
  s.Merge(exact);
  EXPECT_EQ(s.count(), 4);
  EXPECT_DOUBLE_EQ(*s.skill(), 1 - std::sqrt(2.25 / 8));
}

TEST(EvaluateTest, TheKnownBestModelWinsAndPersistenceHasNoSkill) {
  EvaluateOptions o;
  o.horizons = {1, 6, 24};
  o.origins = 5;
  auto e = Evaluate(NoisyLine(300), Specs({"naive", "drift", "arima"}), o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->origins, 5);
  for (int h : o.horizons) {
    EXPECT_EQ(e->by.at("naive").at(h).count(), 5);
    EXPECT_NEAR(*e->by.at("naive").at(h).skill(), 0.0, 1e-12) << "naive is persistence, h = " << h;
  }
  EXPECT_GT(*e->by.at("drift").at(24).skill(), 0.9);
  EXPECT_LT(e->by.at("drift").at(24).rmse(), e->by.at("naive").at(24).rmse() / 10);
  EXPECT_GT(*e->by.at(kSelectionName).at(24).skill(), 0.9);
  EXPECT_EQ(e->chosen.count("naive"), 0u);
  int chosen = 0;
  for (const auto& [name, n] : e->chosen) chosen += n;
  EXPECT_EQ(chosen, 5);
}

TEST(EvaluateTest, TheRuleChoosesOnlyFromDataBeforeEachOrigin) {
  // A steady climb up to the origin, flat after it: the data the rule may see favours drift,
  // the window it is scored on favours persistence. A rule that peeked would pick naive.
  std::vector<double> y = NoisyLine(114);
  for (int t = 0; t < 6; ++t) y.push_back(y[113] + (t % 2 ? 0.1 : -0.1));
  EvaluateOptions o;
  o.horizons = {6};
  o.origins = 1;
  auto e = Evaluate(y, Specs({"naive", "drift"}), o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->origins, 1);
  EXPECT_EQ(e->chosen, (std::map<std::string, int>{{"drift", 1}}));
  EXPECT_DOUBLE_EQ(e->by.at(kSelectionName).at(6).rmse(), e->by.at("drift").at(6).rmse());
  EXPECT_GT(e->by.at(kSelectionName).at(6).rmse(), e->by.at("naive").at(6).rmse());
  ASSERT_TRUE(e->by.at(kSelectionName).at(6).skill().has_value());
  EXPECT_LT(*e->by.at(kSelectionName).at(6).skill(), 0);  // worse than persistence, honestly reported
}

TEST(EvaluateTest, RefusesWhatCannotBeEvaluated) {
  EvaluateOptions o;
  o.horizons = {24};
  auto short_series = Evaluate(NoisyLine(24), Specs({"naive"}), o);
  ASSERT_FALSE(short_series.ok());
  EXPECT_NE(short_series.status().message().find("24 observations"), std::string::npos);
  auto no_backtest = Evaluate(NoisyLine(40), Specs({"naive"}), o);  // 16 steps before the origin
  ASSERT_FALSE(no_backtest.ok());
  EXPECT_NE(no_backtest.status().message().find("too few"), std::string::npos);
  o.horizons = {0};
  EXPECT_FALSE(Evaluate(NoisyLine(100), Specs({"naive"}), o).ok());
  o.horizons = {1};
  EXPECT_FALSE(Evaluate(NoisyLine(100), {}, o).ok());
}

// Observations and the weather service's forecast of them: right in shape, 2 units too high,
// with errors of its own.
void BiasedForecast(size_t n, std::vector<double>* y, Regressors* x) {
  std::mt19937 rng(11);
  std::normal_distribution<double> weather(0, 0.3), miss(0, 0.5);
  double wander = 0;
  x->assign(1, {});
  for (size_t t = 0; t < n; ++t) {
    wander = 0.8 * wander + weather(rng);
    const double truth = 15 + 5 * std::sin(2 * M_PI * static_cast<double>(t) / 144) + wander;
    y->push_back(truth);
    (*x)[0].push_back(truth + 2 + miss(rng));
  }
}

TEST(EvaluateTest, RegressionOnTheServicesForecastRemovesItsBiasAndBeatsIt) {
  std::vector<double> y;
  Regressors x;
  BiasedForecast(600, &y, &x);
  EvaluateOptions o;
  o.horizons = {1, 6, 24};
  o.origins = 5;
  auto e = Evaluate(y, Specs({"naive", "nwp", "nwp-arima"}), o, x);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  for (int h : o.horizons) {
    const ErrorStats& raw = e->by.at("nwp").at(h);
    const ErrorStats& corrected = e->by.at("nwp-arima").at(h);
    EXPECT_NEAR(raw.bias(), -2.0, 0.4) << "h = " << h;  // actual - forecast: the service is 2 too high
    EXPECT_LT(std::abs(corrected.bias()), 0.4) << "h = " << h;
    EXPECT_LT(corrected.rmse(), raw.rmse()) << "h = " << h;
  }
  EXPECT_GT(*e->by.at("nwp-arima").at(24).skill(), *e->by.at("nwp").at(24).skill());
}

TEST(EvaluateTest, TheServicesForecastModelsNeedTheForecast) {
  auto fit = FitModel(*SpecNamed("nwp-arima", 0), NoisyLine(50));
  ASSERT_FALSE(fit.ok());
  EXPECT_NE(fit.status().message().find("weather service's forecast"), std::string::npos);
  std::vector<double> y;
  Regressors x;
  BiasedForecast(50, &y, &x);
  x[0].pop_back();
  EXPECT_FALSE(Evaluate(y, Specs({"nwp"}), EvaluateOptions{}, x).ok());  // one value short
  auto nwp = FitModel(*SpecNamed("nwp", 0), NoisyLine(50), {NoisyLine(50)});
  ASSERT_TRUE(nwp.ok()) << nwp.status().ToString();
  EXPECT_FALSE(ForecastModel(*nwp, NoisyLine(50), 3, 0.95, {NoisyLine(50)}, {{1.0, 2.0}}).ok());  // 2 of 3 steps
  auto fc = ForecastModel(*nwp, NoisyLine(50), 2, 0.95, {NoisyLine(50)}, {{1.0, 2.0}});
  ASSERT_TRUE(fc.ok()) << fc.status().ToString();
  EXPECT_EQ(fc->mean, (std::vector<double>{1.0, 2.0}));  // the forecast as the service made it
}

TEST(ChoiceOrderTest, PersistenceStaysFirstUnlessBeatenByTheMargin) {
  auto score = [](const char* name, double rmse, int scored = 6) {
    BacktestScore s;
    s.name = name;
    s.rmse = rmse;
    s.scored = scored;
    return s;
  };
  const std::vector<BacktestScore> scores = {score("arima", 0.8), score("naive", 1.0), score("drift", 1.2),
                                             score("xgb", 0.1, 0)};
  EXPECT_EQ(ChoiceOrder(scores), (std::vector<std::string>{"arima", "naive", "drift"}));       // unscored left out
  EXPECT_EQ(ChoiceOrder(scores, 0.8), (std::vector<std::string>{"arima", "naive", "drift"}));  // 0.8 <= 0.8 x 1.0
  EXPECT_EQ(ChoiceOrder(scores, 0.75), (std::vector<std::string>{"naive", "arima", "drift"}));
  EXPECT_EQ(ChoiceOrder({score("arima", 0.8), score("drift", 1.2)}, 0.5),
            (std::vector<std::string>{"arima", "drift"}));  // no naive: nothing to keep
}

TEST(EvaluateTest, AMarginKeepsPersistenceWhereModelsOnlyFitNoise) {
  std::mt19937 rng(2);
  std::normal_distribution<double> step(0, 1);
  std::vector<double> walk(400, 0.0);  // a random walk: persistence is the best forecast there is
  for (size_t t = 1; t < walk.size(); ++t) walk[t] = walk[t - 1] + step(rng);
  EvaluateOptions o;
  o.horizons = {6};
  o.origins = 10;
  o.persistence_margin = 0.5;
  auto e = Evaluate(walk, Specs({"naive", "drift", "arima"}), o);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_GE(e->chosen["naive"], 8);
}

TEST(EvaluateTest, MergePoolsSeries) {
  EvaluateOptions o;
  o.horizons = {1, 6};
  o.origins = 2;
  auto a = Evaluate(NoisyLine(100), Specs({"naive", "drift"}), o);
  auto b = Evaluate(NoisyLine(150), Specs({"naive", "drift"}), o);
  ASSERT_TRUE(a.ok() && b.ok());
  Evaluation pooled = *a;
  pooled.Merge(*b);
  EXPECT_EQ(pooled.origins, 4);
  EXPECT_EQ(pooled.by.at("drift").at(6).count(), 4);
}

}  // namespace
}  // namespace meteoflow::forecast
