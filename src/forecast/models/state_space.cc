#include "forecast/models/state_space.h"

#include <algorithm>
#include <cmath>

#include "forecast/models/linalg.h"

namespace meteoflow::forecast {
namespace {

// psi_0..psi_n of the MA(infinity) form: psi_j = b_j + sum_k a_k psi_{j-k}, b_0 = 1.
std::vector<double> PsiWeights(const std::vector<double>& a, const std::vector<double>& b, size_t n) {
  std::vector<double> psi(n + 1, 0.0);
  for (size_t j = 0; j <= n; ++j) {
    double v = j == 0 ? 1.0 : (j - 1 < b.size() ? b[j - 1] : 0.0);
    for (size_t k = 1; k <= std::min(j, a.size()); ++k) v += a[k - 1] * psi[j - k];
    psi[j] = v;
  }
  return psi;
}

}  // namespace

std::vector<double> ArmaAutocovariances(const std::vector<double>& a, const std::vector<double>& b, size_t max_lag) {
  const size_t p = a.size(), q = b.size();
  const std::vector<double> psi = PsiWeights(a, b, std::max(q, max_lag));
  // sum_{j=h}^{q} b_j psi_{j-h}: the covariance of the MA side at lag h.
  auto ma_side = [&](size_t h) {
    double v = 0;
    for (size_t j = h; j <= q; ++j) v += (j == 0 ? 1.0 : b[j - 1]) * psi[j - h];
    return v;
  };
  // gamma(h) - sum_k a_k gamma(|h - k|) = ma_side(h), h = 0..p: p + 1 equations in gamma(0..p).
  thread_local std::vector<double> M;  // reused: the likelihood solves this for every evaluation
  M.assign((p + 1) * (p + 1), 0.0);
  std::vector<double> gamma(p + 1);
  for (size_t h = 0; h <= p; ++h) {
    M[h * (p + 1) + h] += 1;
    for (size_t k = 1; k <= p; ++k) M[h * (p + 1) + (h > k ? h - k : k - h)] -= a[k - 1];
    gamma[h] = ma_side(h);
  }
  SolveInPlace(M, gamma);
  gamma.resize(std::max(p + 1, max_lag + 1));
  for (size_t h = p + 1; h <= max_lag; ++h) {
    double v = ma_side(h);
    for (size_t k = 1; k <= p; ++k) v += a[k - 1] * gamma[h - k];
    gamma[h] = v;
  }
  gamma.resize(max_lag + 1);
  return gamma;
}

StateSpace::StateSpace(const std::vector<double>& ar, const std::vector<double>& ma) {
  r = std::max(ar.size(), ma.size() + 1);
  a.assign(r, 0.0);
  std::copy(ar.begin(), ar.end(), a.begin());
  R.assign(r, 0.0);
  R[0] = 1;
  std::copy(ma.begin(), ma.end(), R.begin() + 1);
}

void StateSpace::TMTt(const std::vector<double>& M, std::vector<double>* out) const {
  // (T M T')_ij = a_i a_j M_00 + a_i M_{0,j+1} + a_j M_{i+1,0} + M_{i+1,j+1}, indices past r - 1 being 0.
  out->resize(r * r);
  auto at = [&](size_t i, size_t j) { return i < r && j < r ? M[i * r + j] : 0.0; };
  for (size_t i = 0; i < r; ++i) {
    for (size_t j = i; j < r; ++j) {
      const double v = a[i] * a[j] * M[0] + a[i] * at(0, j + 1) + a[j] * at(i + 1, 0) + at(i + 1, j + 1);
      (*out)[i * r + j] = (*out)[j * r + i] = v;
    }
  }
}

std::vector<double> StateSpace::StationaryCovariance() const {
  std::vector<double> P;
  StationaryCovariance(&P);
  return P;
}

void StateSpace::StationaryCovariance(std::vector<double>* out) const {
  // x_t[i] = sum_{k>=i} a_k w_{t-1-k+i} + R_k e_{t-k+i}, so
  // P_0i = Cov(w_t, x_t[i]) = sum_{k>=i} a_k gamma(k-i+1) + R_k psi_{k-i}.
  std::vector<double> ar(a), ma(R.begin() + 1, R.end());
  while (!ar.empty() && ar.back() == 0) ar.pop_back();
  while (!ma.empty() && ma.back() == 0) ma.pop_back();
  const std::vector<double> gamma = ArmaAutocovariances(ar, ma, r);
  const std::vector<double> psi = PsiWeights(ar, ma, r);
  std::vector<double>& P = *out;
  P.assign(r * r, 0.0);
  for (size_t i = 0; i < r; ++i) {
    double v = 0;
    for (size_t k = i; k < r; ++k) v += a[k] * gamma[k - i + 1] + R[k] * psi[k - i];
    P[i] = P[i * r] = v;
  }
  // The rest from P = T P T' + R R', bottom-right first so P_{i+1,j+1} is known.
  auto at = [&](size_t i, size_t j) { return i < r && j < r ? P[i * r + j] : 0.0; };
  for (size_t i = r; i-- > 1;) {
    for (size_t j = r; j-- > i;) {
      const double v = a[i] * a[j] * P[0] + a[i] * at(0, j + 1) + a[j] * at(i + 1, 0) + at(i + 1, j + 1) + R[i] * R[j];
      P[i * r + j] = P[j * r + i] = v;
    }
  }
}

}  // namespace meteoflow::forecast
