// The Kalman filter of a SARIMA model over the *undifferenced* series, with the d + sD integrated
// states in the state vector ahead of the ARMA states -- statsmodels' SARIMAX layout -- started
// from its default prior: the integrated states approximately diffuse (zero mean, variance
// kappa = 1e6 each, independent), the ARMA states at their stationary covariance, and the first
// d + sD observations left out of the likelihood.
//
// Why: that prior is absolute, not relative to the data's scale, so for series far from zero
// (visibility in metres) it is informative and the likelihood -- hence the estimates and their
// forecasts -- differs from the exact likelihood of the differenced series that FitArima uses by
// default. Which forecasts better is an empirical question the backtests answer.
//
// Layout (m = d + sD states, then the r ARMA states): y_t = sum of the d level states + the last
// state of each seasonal block + the first ARMA state. The innovation variance is an explicit
// argument (the prior does not scale with it, so it cannot be concentrated out).
//
// Thread-safety: values; const methods are safe to share.
#pragma once

#include <cstddef>
#include <vector>

namespace meteoflow::forecast {

inline constexpr double kApproximateDiffuseVariance = 1e6;

struct IntegratedFilterState {
  double loglik = 0;         // over the observations after the burn-in
  std::vector<double> x, P;  // predicted state and its covariance for the step after the data
};

class IntegratedStateSpace {
 public:
  // `ar`, `ma`: the expanded (seasonal times non-seasonal) ARMA polynomials' coefficients as in
  // StateSpace; d, D, s the differencing.
  IntegratedStateSpace(const std::vector<double>& ar, const std::vector<double>& ma, int d, int D, int s);

  size_t burn() const { return m_; }
  // Filters `u` (regression and trend already removed); loglik is NaN when the model is degenerate.
  IntegratedFilterState Filter(const std::vector<double>& u, double sigma2) const;
  // The ARMA states' predicted mean and covariance (r x r) after the first burn() values of `u`.
  // From then on the integrated states are known (lagged values of u), so the rest of the
  // likelihood is the ARMA filter's over the differenced series started from here: the same
  // number at a fraction of the cost (what the fit evaluates). False when the model is
  // degenerate over those values (then *x and *P mean nothing).
  bool ArmaStateAfterBurn(const std::vector<double>& u, double sigma2, std::vector<double>* x,
                          std::vector<double>* P) const;
  // Mean and variance of the next `horizon` observations after the data `state` came from.
  void Forecast(IntegratedFilterState state, double sigma2, int horizon, std::vector<double>* mean,
                std::vector<double>* variance) const;

 private:
  struct Entry {
    size_t row, col;
    double value;
  };
  // x <- T x; P <- T P T' + sigma2 R R'.
  void Predict(std::vector<double>* x, std::vector<double>* P, double sigma2, std::vector<double>* scratch) const;

  size_t m_ = 0, k_ = 0;
  std::vector<double> arma_ar_, arma_ma_;
  std::vector<Entry> transition_;  // by row
  std::vector<size_t> observed_;   // the states summed into y_t
  std::vector<double> selection_;  // R, length k
};

}  // namespace meteoflow::forecast
