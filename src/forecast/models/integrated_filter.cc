#include "forecast/models/integrated_filter.h"

#include <algorithm>
#include <cmath>

#include "forecast/models/state_space.h"

namespace meteoflow::forecast {
namespace {

constexpr double kLog2Pi = 1.8378770664093453;

}  // namespace

IntegratedStateSpace::IntegratedStateSpace(const std::vector<double>& ar, const std::vector<double>& ma, int d, int D,
                                           int s)
    : arma_ar_(ar), arma_ma_(ma) {
  const StateSpace arma(ar, ma);
  const size_t nd = static_cast<size_t>(d), nD = static_cast<size_t>(D), period = static_cast<size_t>(s);
  m_ = nd + nD * period;
  k_ = m_ + arma.r;
  const size_t arma0 = m_;
  auto seasonal_last = [&](size_t block) { return nd + block * period + period - 1; };
  for (size_t i = 0; i < nd; ++i) {  // the level states accumulate everything after them
    for (size_t j = i; j < nd; ++j) transition_.push_back({i, j, 1.0});
    for (size_t b = 0; b < nD; ++b) transition_.push_back({i, seasonal_last(b), 1.0});
    transition_.push_back({i, arma0, 1.0});
  }
  for (size_t b = 0; b < nD; ++b) {  // each seasonal block: a rotation fed by the blocks after it
    const size_t start = nd + b * period;
    transition_.push_back({start, seasonal_last(b), 1.0});
    if (b + 1 < nD) transition_.push_back({start, seasonal_last(b + 1), 1.0});
    transition_.push_back({start, arma0, 1.0});
    for (size_t j = 1; j < period; ++j) transition_.push_back({start + j, start + j - 1, 1.0});
  }
  for (size_t i = 0; i < arma.r; ++i) {  // the ARMA companion block
    if (arma.a[i] != 0) transition_.push_back({arma0 + i, arma0, arma.a[i]});
    if (i + 1 < arma.r) transition_.push_back({arma0 + i, arma0 + i + 1, 1.0});
  }
  for (size_t i = 0; i < nd; ++i) observed_.push_back(i);
  for (size_t b = 0; b < nD; ++b) observed_.push_back(seasonal_last(b));
  observed_.push_back(arma0);
  selection_.assign(k_, 0.0);
  std::copy(arma.R.begin(), arma.R.end(), selection_.begin() + static_cast<ptrdiff_t>(m_));
}

void IntegratedStateSpace::Predict(std::vector<double>* x, std::vector<double>* P, double sigma2,
                                   std::vector<double>* scratch) const {
  const size_t k = k_;
  std::vector<double> next(k, 0.0);
  for (const Entry& e : transition_) next[e.row] += e.value * (*x)[e.col];
  x->swap(next);
  // A = T P row by row; P symmetric, so A' = P T' and T P T' = T A': rows of A' combined like rows of P.
  std::vector<double>& A = *scratch;
  A.assign(2 * k * k, 0.0);
  double* a = A.data();
  double* at = A.data() + k * k;
  const double* p = P->data();
  for (const Entry& e : transition_) {
    const double* from = p + e.col * k;
    double* to = a + e.row * k;
    for (size_t l = 0; l < k; ++l) to[l] += e.value * from[l];
  }
  for (size_t i = 0; i < k; ++i) {
    for (size_t l = 0; l < k; ++l) at[l * k + i] = a[i * k + l];
  }
  double* out = P->data();
  std::fill(out, out + k * k, 0.0);
  for (const Entry& e : transition_) {
    const double* from = at + e.col * k;
    double* to = out + e.row * k;
    for (size_t l = 0; l < k; ++l) to[l] += e.value * from[l];
  }
  for (size_t i = m_; i < k; ++i) {  // R is zero over the integrated states
    const double ri = sigma2 * selection_[i];
    if (ri == 0) continue;
    for (size_t l = m_; l < k; ++l) out[i * k + l] += ri * selection_[l];
  }
}

IntegratedFilterState IntegratedStateSpace::Filter(const std::vector<double>& u, double sigma2) const {
  const size_t k = k_;
  IntegratedFilterState state;
  state.x.assign(k, 0.0);
  state.P.assign(k * k, 0.0);
  if (!(sigma2 > 0)) {
    state.loglik = NAN;
    return state;
  }
  for (size_t i = 0; i < m_; ++i) state.P[i * k + i] = kApproximateDiffuseVariance;
  const std::vector<double> stationary = StateSpace(arma_ar_, arma_ma_).StationaryCovariance();
  const size_t r = k - m_;
  for (size_t i = 0; i < r; ++i) {
    for (size_t j = 0; j < r; ++j) state.P[(m_ + i) * k + m_ + j] = sigma2 * stationary[i * r + j];
  }
  std::vector<double>&x = state.x, &P = state.P;
  std::vector<double> pz(k), previous, scratch;
  double F = 0, log_f = 0;
  int unchanged_steps = 0;  // once P stops moving, so do the gain and F: the rest updates x only
  bool steady = false;
  for (size_t t = 0; t < u.size(); ++t) {
    if (!steady) {
      F = 0;
      for (size_t i = 0; i < k; ++i) {
        double v = 0;
        for (size_t j : observed_) v += P[i * k + j];
        pz[i] = v;
      }
      for (size_t j : observed_) F += pz[j];
      if (!(F > 0) || !std::isfinite(F)) {
        state.loglik = NAN;
        return state;
      }
      log_f = std::log(F);
    }
    double predicted = 0;
    for (size_t j : observed_) predicted += x[j];
    const double v = u[t] - predicted;
    if (t >= m_) state.loglik += -0.5 * (kLog2Pi + log_f + v * v / F);
    for (size_t i = 0; i < k; ++i) x[i] += pz[i] * v / F;
    if (steady) {
      std::vector<double> next(k, 0.0);
      for (const Entry& e : transition_) next[e.row] += e.value * x[e.col];
      x.swap(next);
      continue;
    }
    previous = P;
    for (size_t i = 0; i < k; ++i) {
      for (size_t l = 0; l < k; ++l) P[i * k + l] -= pz[i] * pz[l] / F;
    }
    Predict(&x, &P, sigma2, &scratch);
    double change = 0;
    for (size_t i = 0; i < P.size(); ++i) change = std::max(change, std::abs(P[i] - previous[i]));
    unchanged_steps = change < 1e-13 * std::max(1.0, F) ? unchanged_steps + 1 : 0;
    steady = unchanged_steps >= 2;
  }
  return state;
}

bool IntegratedStateSpace::ArmaStateAfterBurn(const std::vector<double>& u, double sigma2, std::vector<double>* x,
                                              std::vector<double>* P) const {
  const std::vector<double> prefix(u.begin(), u.begin() + static_cast<ptrdiff_t>(std::min(m_, u.size())));
  const IntegratedFilterState state = Filter(prefix, sigma2);
  const size_t r = k_ - m_;
  x->assign(state.x.begin() + static_cast<ptrdiff_t>(m_), state.x.end());
  P->assign(r * r, 0.0);
  for (size_t i = 0; i < r; ++i) {
    for (size_t j = 0; j < r; ++j) (*P)[i * r + j] = state.P[(m_ + i) * k_ + m_ + j];
  }
  return !std::isnan(state.loglik);
}

void IntegratedStateSpace::Forecast(IntegratedFilterState state, double sigma2, int horizon, std::vector<double>* mean,
                                    std::vector<double>* variance) const {
  std::vector<double> scratch;
  mean->clear();
  variance->clear();
  for (int h = 0; h < horizon; ++h) {
    double m = 0, v = 0;
    for (size_t i : observed_) {
      m += state.x[i];
      for (size_t j : observed_) v += state.P[i * k_ + j];
    }
    mean->push_back(m);
    variance->push_back(v);
    Predict(&state.x, &state.P, sigma2, &scratch);
  }
}

}  // namespace meteoflow::forecast
