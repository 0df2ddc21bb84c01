// The state-space form of an ARMA process in Harvey's layout, as the ARIMA likelihood uses it:
//   x_{t+1} = T x_t + R e_{t+1},  w_t = x_t[0],
// with T the companion matrix whose first column holds the AR coefficients a and R = (1, b_1, ...,
// b_{r-1}) the MA coefficients; r = max(len(a), len(b) + 1).
//
// StationaryCovariance solves P = T P T' + R R' (per unit innovation variance) without
// iterating: the first row of P follows from the process's autocovariances and psi weights, and
// every other entry from the first row by the companion structure -- O(p^3 + r^2) instead of the
// O(r^3 log) of doubling. It is only meaningful for a stationary a.
//
// Thread-safety: values; const methods are safe to share.
#pragma once

#include <cstddef>
#include <vector>

namespace meteoflow::forecast {

struct StateSpace {
  size_t r = 1;
  std::vector<double> a, R;  // both of length r, zero-padded

  StateSpace(const std::vector<double>& ar, const std::vector<double>& ma);

  // out = T M T' for symmetric M (r x r, row-major).
  void TMTt(const std::vector<double>& M, std::vector<double>* out) const;
  // The stationary state covariance, r x r row-major (into `out`, reusing its storage).
  std::vector<double> StationaryCovariance() const;
  void StationaryCovariance(std::vector<double>* out) const;
};

// Autocovariances gamma(0..max_lag) of w_t = sum a_k w_{t-k} + e_t + sum b_k e_{t-k}, unit
// innovation variance; `a` must be stationary.
std::vector<double> ArmaAutocovariances(const std::vector<double>& a, const std::vector<double>& b, size_t max_lag);

}  // namespace meteoflow::forecast
