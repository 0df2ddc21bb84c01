// ARIMA(p,d,q) and seasonal SARIMA(p,d,q)(P,D,Q,s) fitted by exact Gaussian maximum likelihood.
//
// The series is differenced d times and seasonally D times; the differenced series (minus a mean
// when a constant is asked for: a level without differencing, a drift with d = 1) follows the
// multiplicative ARMA model
//   (1 - sum phi_i B^i)(1 - sum Phi_j B^(js)) w_t = (1 + sum theta_i B^i)(1 + sum Theta_j B^(js)) e_t
// with e_t ~ N(0, sigma2) -- statsmodels' sign conventions. Its exact likelihood comes from a
// Kalman filter on the state-space form, started from the stationary state covariance; sigma2
// is concentrated out. Parameters are searched by L-BFGS over an unconstrained transform that
// keeps the AR parts stationary and the MA parts invertible (partial autocorrelations via
// Durbin-Levinson), so every fit is a stationary, invertible model. The search starts from three
// points (no dynamics, and all partial autocorrelations at about +0.5 and -0.5) and keeps the best. For an integrated
// model this equals the likelihood with a diffuse prior on the first d + sD states.
// With DiffuseStart::kApproximate the fit goes on from that optimum to the maximum of statsmodels'
// default likelihood (forecast/integrated_filter.h), sigma2 then estimated rather than
// concentrated, and forecasts come from that filter's state.
//
// MA estimates at the invertibility edge: when a partial autocorrelation of the non-seasonal MA
// part exceeds kInvertibilityEdge in magnitude, the data do not identify it (the likelihood piles
// up at a unit MA root, which cancels a difference, and forecasts from there revert to a level
// the data barely pin down); FitArima then refits without that part (q = 0) and returns that
// model, whose order says so. Seasonal MA estimates at the edge are kept: with a few seasons of
// data they are the rule, and dropping them forecast worse on the seed series (FORECASTING.md).
//
// Warm starts: a backtest refits each model at origins a few steps apart, so the estimates at one
// origin are close to those at the next. Given the fit of the same order on an earlier stretch of
// the series (`warm`), FitArima's search starts from its estimates alone instead of the three cold
// starts (the approximate-start refinement then goes on as usual); a warm start that fails falls
// back to the cold ones. A warm fit whose MA part was refused (q = 0) is refitted at that simpler
// order. AutoArima takes and updates the fits of every order it tried (`WarmFits`), so each order
// of the next search starts warm.
//
// Forecasts integrate the ARMA forecasts back through the differencing; interval widths come
// from the psi weights of the full (integrated) model.
//
// Errors: too few observations for the order, non-finite values, or a series with no variation
// after differencing give InvalidArgument saying which.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"

namespace meteoflow::forecast {

inline constexpr double kInvertibilityEdge = 0.99;

// How the likelihood starts the d + sD integrated states (nothing to start without differencing).
enum class DiffuseStart {
  kExact,        // exactly diffuse: the exact likelihood of the differenced series
  kApproximate,  // statsmodels' SARIMAX default: prior variance 1e6 (forecast/integrated_filter.h)
};

struct ArimaOrder {
  int p = 0, d = 0, q = 0;
  int P = 0, D = 0, Q = 0, s = 0;  // seasonal part; s = 0 means none
  bool constant = false;           // a mean of the differenced series (with d = 1: a drift)
  DiffuseStart start = DiffuseStart::kExact;

  std::string ToString() const;
};

struct ArimaModel {
  ArimaOrder order;
  std::vector<double> ar, ma, seasonal_ar, seasonal_ma;  // phi, theta, Phi, Theta
  double mean = 0;
  std::vector<double> beta;  // coefficients of the exogenous regressors, if any
  double sigma2 = 0;
  double loglik = 0;
  double aic = 0, aicc = 0;
  int nobs = 0;        // observations in the likelihood (after differencing)
  int parameters = 0;  // estimated, sigma2 included
  int iterations = 0;
  bool converged = false;
};

struct ArimaForecast {
  std::vector<double> mean, lower, upper;  // at the given interval level
};

// Exogenous regressors: one column per regressor, each as long as the series it goes with.
using Regressors = std::vector<std::vector<double>>;

// With `exog`, the model is a regression with SARIMA errors (SARIMAX): y_t = x_t' beta + u_t,
// u_t following the order; y and every column are differenced alike, and beta is estimated
// jointly with the rest (started from least squares on the differenced data).
Result<ArimaModel> FitArima(const std::vector<double>& y, const ArimaOrder& order, const Regressors& exog = {},
                            const ArimaModel* warm = nullptr);
// Log-likelihood of `y` under fixed coefficients, for checks and tests: sigma2 concentrated out for
// the exact start, model.sigma2 for the approximate one.
Result<double> ArimaLogLikelihood(const std::vector<double>& y, const ArimaModel& model, const Regressors& exog = {});
// Fits by the order asked for (ArimaOrder::ToString), for warm starts.
using WarmFits = std::map<std::string, ArimaModel>;

// AutoARIMA-style order search at the differencing of `base` (d, D, s): p and q in
// [0, max_order], P and Q in [0, 1] when `base` has a season, with or without a constant. Stepwise
// (Hyndman and Khandakar: four starting models, then moves to better neighbours) by default, or
// every combination. Returns the fit with the lowest AICc; orders that cannot be fitted are
// skipped, and it fails only when none can. With `fits`, each order starts from its fit there, and
// the fits of this search replace them.
Result<ArimaModel> AutoArima(const std::vector<double>& y, const ArimaOrder& base, int max_order = 3,
                             bool stepwise = true, WarmFits* fits = nullptr);
// A model with regressors needs their values over the series (`exog`) and the horizon (`future`).
Result<ArimaForecast> ForecastArima(const std::vector<double>& y, const ArimaModel& model, int horizon,
                                    double level = 0.95, const Regressors& exog = {}, const Regressors& future = {});

}  // namespace meteoflow::forecast
