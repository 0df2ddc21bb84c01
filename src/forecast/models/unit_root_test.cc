#include "forecast/models/unit_root.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace meteoflow::forecast {
namespace {

TEST(KpssTest, MatchesStatsmodels) {
  // Reference values: statsmodels 0.14, kpss(y, regression="c", nlags=1).
  std::vector<double> trend, waves;
  for (int t = 0; t < 50; ++t) {
    trend.push_back(std::sin(t) + 0.1 * t);
    waves.push_back(3 * std::sin(t * 0.7) + std::cos(t * 1.3));
  }
  EXPECT_NEAR(KpssStatistic(trend, 1), 2.154388731321613, 1e-9);
  EXPECT_NEAR(KpssStatistic(waves, 1), 0.04181837531681135, 1e-9);
  EXPECT_NEAR(KpssStatistic(trend), KpssStatistic(trend, 1), 0);  // the default: trunc(3 sqrt(50) / 13) = 1
  EXPECT_TRUE(std::isnan(KpssStatistic({1, 2})));
  EXPECT_TRUE(std::isnan(KpssStatistic(std::vector<double>(20, 4.0))));
}

TEST(KpssTest, ChoosesTheDifferencingOfNoiseWalksAndDoubleWalks) {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 1);
  std::vector<double> white, walk, double_walk;
  double level = 0, slope = 0;
  for (int t = 0; t < 400; ++t) {
    white.push_back(noise(rng));
    level += noise(rng);
    walk.push_back(level);
    slope += noise(rng);
    double_walk.push_back(double_walk.empty() ? slope : double_walk.back() + slope);
  }
  EXPECT_EQ(ChooseDifferencing(white).d, 0);
  EXPECT_EQ(ChooseDifferencing(walk).d, 1);
  const DifferencingChoice twice = ChooseDifferencing(double_walk);
  EXPECT_EQ(twice.d, 2);
  EXPECT_EQ(twice.statistics.size(), 2u);
  EXPECT_GT(twice.statistics[0], kKpssCritical5);
  EXPECT_EQ(ChooseDifferencing(std::vector<double>(30, 1.0)).d, 0);  // nothing to difference
}

}  // namespace
}  // namespace meteoflow::forecast
