#include "forecast/models/arima.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "forecast/models/integrated_filter.h"
#include "forecast/models/lbfgs.h"

namespace meteoflow::forecast {
namespace {

TEST(LbfgsTest, FindsTheMinimumOfRosenbrock) {
  auto rosenbrock = [](const std::vector<double>& x) {
    return 100 * std::pow(x[1] - x[0] * x[0], 2) + std::pow(1 - x[0], 2);
  };
  const LbfgsResult r = MinimizeLbfgs(rosenbrock, {-1.2, 1.0});
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(r.x[0], 1.0, 1e-4);
  EXPECT_NEAR(r.x[1], 1.0, 1e-4);
}

std::vector<double> SimulateArma(double phi, double theta, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> e(0, 1);
  std::vector<double> y;
  double prev_y = 0, prev_e = 0;
  for (size_t t = 0; t < n + 200; ++t) {
    const double et = e(rng);
    const double yt = phi * prev_y + et + theta * prev_e;
    prev_y = yt;
    prev_e = et;
    if (t >= 200) y.push_back(yt);
  }
  return y;
}

TEST(ArimaTest, RecoversSimulatedArmaAndBeatsTheTrueParameters) {
  const std::vector<double> y = SimulateArma(0.6, 0.3, 3000, 7);
  ArimaOrder order;
  order.p = 1;
  order.q = 1;
  auto fit = FitArima(y, order);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_NEAR(fit->ar[0], 0.6, 0.05);
  EXPECT_NEAR(fit->ma[0], 0.3, 0.05);
  EXPECT_NEAR(fit->sigma2, 1.0, 0.08);
  ArimaModel truth = *fit;
  truth.ar = {0.6};
  truth.ma = {0.3};
  EXPECT_GE(fit->loglik, *ArimaLogLikelihood(y, truth));
  EXPECT_EQ(fit->parameters, 3);
  EXPECT_NEAR(fit->aic, -2 * fit->loglik + 6, 1e-9);
}

TEST(ArimaTest, IntegratedForecastsFollowTheDifferencingAndWidenWithTheHorizon) {
  std::vector<double> y = SimulateArma(0.5, 0.0, 500, 3);
  for (size_t t = 1; t < y.size(); ++t) y[t] += y[t - 1] + 0.1;  // a random walk with AR(1) steps
  ArimaOrder order;
  order.p = 1;
  order.d = 1;
  auto fit = FitArima(y, order);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  auto fc = ForecastArima(y, *fit, 10);
  ASSERT_TRUE(fc.ok());
  // One step ahead: y_n + phi * (y_n - y_{n-1}).
  EXPECT_NEAR(fc->mean[0], y.back() + fit->ar[0] * (y.back() - y[y.size() - 2]), 1e-9);
  for (size_t h = 1; h < 10; ++h) {
    EXPECT_GT(fc->upper[h] - fc->lower[h], fc->upper[h - 1] - fc->lower[h - 1]);
  }
}

// Near zero the approximate diffuse prior is as good as flat: the two starts agree. Far from zero
// (visibility in metres) it is informative and the likelihoods part.
TEST(ArimaTest, TheApproximateStartAgreesWithTheExactOneNearZeroAndNotFarFromIt) {
  std::vector<double> y = SimulateArma(0.5, 0.4, 400, 11);
  for (size_t t = 1; t < y.size(); ++t) y[t] += y[t - 1];
  ArimaOrder exact;
  exact.p = exact.d = exact.q = 1;
  ArimaOrder approximate = exact;
  approximate.start = DiffuseStart::kApproximate;
  auto a = FitArima(y, exact);
  auto b = FitArima(y, approximate);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NEAR(a->ar[0], b->ar[0], 1e-3);
  EXPECT_NEAR(a->ma[0], b->ma[0], 1e-3);
  EXPECT_NEAR(a->loglik, b->loglik, 1e-2);
  auto fa = ForecastArima(y, *a, 5);
  auto fb = ForecastArima(y, *b, 5);
  ASSERT_TRUE(fa.ok() && fb.ok());
  for (size_t h = 0; h < 5; ++h) {
    EXPECT_NEAR(fa->mean[h], fb->mean[h], 1e-2);
    EXPECT_NEAR(fa->upper[h] - fa->lower[h], fb->upper[h] - fb->lower[h], 1e-2);
  }
  std::vector<double> far = y;
  for (double& v : far) v = 10000 + 1000 * v;  // metres of visibility, say
  auto exact_far = ArimaLogLikelihood(far, *a);
  b->ar = a->ar;
  b->ma = a->ma;
  b->sigma2 = a->sigma2 * 1e6;
  auto approximate_far = ArimaLogLikelihood(far, *b);
  ASSERT_TRUE(exact_far.ok() && approximate_far.ok());
  EXPECT_GT(std::abs(*exact_far - *approximate_far), 1.0);
}

// The fit evaluates the approximate-diffuse likelihood as the integrated filter over the first
// d + sD values and the ARMA filter after them; the whole integrated filter must give the same.
TEST(ArimaTest, TheApproximateLikelihoodEqualsTheWholeIntegratedFilters) {
  std::vector<double> y = SimulateArma(0.4, 0.3, 120, 5);
  for (size_t t = 1; t < y.size(); ++t) y[t] = 5000 + 300 * y[t] + (t >= 4 ? 0.5 * (y[t - 4] - 5000) : 0);
  ArimaModel model;
  model.order.p = model.order.d = model.order.q = 1;
  model.order.P = model.order.D = model.order.Q = 1;
  model.order.s = 4;
  model.order.start = DiffuseStart::kApproximate;
  model.ar = {0.3};
  model.ma = {-0.4};
  model.seasonal_ar = {0.2};
  model.seasonal_ma = {-0.5};
  model.sigma2 = 90000;
  // (1 - 0.3B)(1 - 0.2B^4) and (1 - 0.4B)(1 - 0.5B^4), expanded.
  const std::vector<double> ar = {0.3, 0, 0, 0.2, -0.06};
  const std::vector<double> ma = {-0.4, 0, 0, -0.5, 0.2};
  const IntegratedStateSpace whole(ar, ma, 1, 1, 4);
  const double expected = whole.Filter(y, model.sigma2).loglik;
  auto got = ArimaLogLikelihood(y, model);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_NEAR(*got, expected, 1e-6 * std::abs(expected));
}

TEST(ArimaTest, AnMaEstimateAtTheInvertibilityEdgeIsRefusedForTheOrderWithoutIt) {
  // A trend plus a pattern repeating every 3 steps: differencing leaves a non-invertible MA part.
  std::vector<double> y;
  for (int i = 0; i < 60; ++i) y.push_back(10 + 0.5 * i + (i % 3) * 0.1);
  ArimaOrder order;
  order.p = order.d = order.q = 1;
  auto fit = FitArima(y, order);
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  EXPECT_EQ(fit->order.q, 0);
  EXPECT_EQ(fit->order.p, 1);
  EXPECT_TRUE(fit->ma.empty());
}

TEST(ArimaTest, DegenerateInputGivesClearErrors) {
  ArimaOrder order;
  order.p = 1;
  order.d = 1;
  order.q = 1;
  EXPECT_EQ(FitArima({1, 2, 3}, order).status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(FitArima(std::vector<double>(40, 2.5), order).status().message().find("no variation"), std::string::npos);
  std::vector<double> with_nan = SimulateArma(0.5, 0, 50, 1);
  with_nan[10] = NAN;
  EXPECT_NE(FitArima(with_nan, order).status().message().find("not finite"), std::string::npos);
  ArimaOrder seasonal = order;
  seasonal.P = 1;
  EXPECT_NE(FitArima(SimulateArma(0.5, 0, 80, 1), seasonal).status().message().find("period"), std::string::npos);
}

TEST(ArimaTest, RegressorsAreEstimatedWithTheErrorsAndShiftTheForecast) {
  const std::vector<double> errors = SimulateArma(0.6, 0.0, 300, 5);
  std::vector<double> x, y;
  for (size_t t = 0; t < errors.size(); ++t) {
    x.push_back(std::sin(static_cast<double>(t) / 7.0) * 10);
    y.push_back(2.0 * x.back() + errors[t]);
  }
  ArimaOrder o;
  o.p = 1;
  auto fit = FitArima(y, o, {x});
  ASSERT_TRUE(fit.ok()) << fit.status().ToString();
  ASSERT_EQ(fit->beta.size(), 1u);
  EXPECT_NEAR(fit->beta[0], 2.0, 0.05);
  EXPECT_NEAR(fit->ar[0], 0.6, 0.1);
  EXPECT_EQ(fit->parameters, 3);  // phi, beta, sigma2
  // Raising the future regressor by 1 raises the forecast by beta.
  auto low = ForecastArima(y, *fit, 2, 0.95, {x}, {{0.0, 0.0}});
  auto high = ForecastArima(y, *fit, 2, 0.95, {x}, {{1.0, 1.0}});
  ASSERT_TRUE(low.ok() && high.ok());
  EXPECT_NEAR(high->mean[1] - low->mean[1], fit->beta[0], 1e-12);
  // Regressors of the wrong length, or missing for the horizon, are errors.
  EXPECT_EQ(FitArima(y, o, {{1.0, 2.0}}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ForecastArima(y, *fit, 2, 0.95, {x}, {}).status().code(), StatusCode::kInvalidArgument);
  std::vector<double> bad = x;
  bad[3] = NAN;
  EXPECT_EQ(FitArima(y, o, {bad}).status().code(), StatusCode::kInvalidArgument);
}

// A backtest refits at origins a few steps apart; the fit started from the earlier origin's
// estimates must reach the cold fit's optimum, with fewer iterations.
TEST(ArimaTest, AWarmStartReachesTheColdFitsOptimumInFewerIterations) {
  std::vector<double> y = SimulateArma(0.5, 0.4, 300, 13);
  for (size_t t = 1; t < y.size(); ++t) y[t] += y[t - 1];
  const std::vector<double> earlier(y.begin(), y.end() - 6);
  for (DiffuseStart start : {DiffuseStart::kExact, DiffuseStart::kApproximate}) {
    ArimaOrder order;
    order.p = order.d = order.q = 1;
    order.start = start;
    auto previous = FitArima(earlier, order);
    auto cold = FitArima(y, order);
    auto warm = FitArima(y, order, {}, &*previous);
    ASSERT_TRUE(previous.ok() && cold.ok() && warm.ok());
    EXPECT_NEAR(warm->loglik, cold->loglik, 1e-6 * std::abs(cold->loglik));
    EXPECT_NEAR(warm->ar[0], cold->ar[0], 1e-3);
    EXPECT_NEAR(warm->ma[0], cold->ma[0], 1e-3);
    EXPECT_LT(warm->iterations, cold->iterations);
  }
  // A warm fit of another order is ignored, one whose MA part was refused starts the simpler order.
  ArimaOrder ar1;
  ar1.p = ar1.d = 1;
  auto other = FitArima(earlier, ar1);
  ArimaOrder arma11 = ar1;
  arma11.q = 1;
  auto kept_simpler = FitArima(y, arma11, {}, &*other);
  ASSERT_TRUE(other.ok() && kept_simpler.ok());
  EXPECT_EQ(kept_simpler->order.q, 0) << "a refused MA part stays refused when the warm fit is at q = 0";
  ArimaOrder ar2 = ar1;
  ar2.p = 2;
  auto ignored = FitArima(y, ar2, {}, &*other);
  ASSERT_TRUE(ignored.ok());
  EXPECT_EQ(ignored->order.p, 2);
  EXPECT_NEAR(ignored->loglik, FitArima(y, ar2)->loglik, 1e-9);
}

TEST(AutoArimaTest, AWarmSearchFindsTheColdSearchsOrderAndKeepsEveryFit) {
  const std::vector<double> y = SimulateArma(0.7, 0.3, 300, 17);
  const std::vector<double> earlier(y.begin(), y.end() - 6);
  WarmFits fits;
  auto first = AutoArima(earlier, ArimaOrder{}, 2, true, &fits);
  ASSERT_TRUE(first.ok());
  const size_t tried = fits.size();
  EXPECT_GE(tried, 5u);
  EXPECT_EQ(fits.count(first->order.ToString()), 1u);
  auto cold = AutoArima(y, ArimaOrder{}, 2);
  auto warm = AutoArima(y, ArimaOrder{}, 2, true, &fits);
  ASSERT_TRUE(cold.ok() && warm.ok());
  EXPECT_EQ(warm->order.ToString(), cold->order.ToString());
  EXPECT_NEAR(warm->aicc, cold->aicc, 1e-6 * std::abs(cold->aicc));
  EXPECT_GE(fits.size(), tried);
}

TEST(AutoArimaTest, FindsAnOrderNoWorseByAiccThanTheFixedOnes) {
  const std::vector<double> y = SimulateArma(0.7, 0.0, 400, 11);
  ArimaOrder base;  // d = D = 0: constants are tried too
  auto best = AutoArima(y, base, 2, /*stepwise=*/false);
  ASSERT_TRUE(best.ok()) << best.status().ToString();
  auto stepwise = AutoArima(y, base, 2);
  ASSERT_TRUE(stepwise.ok()) << stepwise.status().ToString();
  EXPECT_GE(stepwise->aicc, best->aicc - 1e-9);                   // never better than trying everything
  EXPECT_EQ(stepwise->order.ToString(), best->order.ToString());  // and here it finds the same
  for (int p = 0; p <= 2; ++p) {
    for (int q = 0; q <= 2; ++q) {
      ArimaOrder o;
      o.p = p;
      o.q = q;
      auto fit = FitArima(y, o);
      ASSERT_TRUE(fit.ok());
      EXPECT_LE(best->aicc, fit->aicc + 1e-9) << o.ToString();
    }
  }
  EXPECT_GE(best->order.p, 1);  // an AR(1) process needs an AR term
}

}  // namespace
}  // namespace meteoflow::forecast
