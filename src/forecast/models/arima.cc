#include "forecast/models/arima.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>

#include "forecast/models/integrated_filter.h"
#include "forecast/models/lbfgs.h"
#include "forecast/models/linalg.h"
#include "forecast/models/normal.h"
#include "forecast/models/state_space.h"

namespace meteoflow::forecast {
namespace {

constexpr double kLog2Pi = 1.8378770664093453;

using Poly = std::vector<double>;  // coefficients of B^0, B^1, ...

Poly Multiply(const Poly& a, const Poly& b) {
  Poly out(a.size() + b.size() - 1, 0.0);
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < b.size(); ++j) out[i + j] += a[i] * b[j];
  }
  return out;
}

// 1 + sign * sum c_i B^(i * step)
Poly Lag(const std::vector<double>& c, double sign, int step) {
  Poly p(c.size() * static_cast<size_t>(step) + 1, 0.0);
  p[0] = 1;
  for (size_t i = 0; i < c.size(); ++i) p[(i + 1) * static_cast<size_t>(step)] = sign * c[i];
  return p;
}

// (1 - B)^d (1 - B^s)^D
Poly DifferencePoly(const ArimaOrder& o) {
  Poly p{1.0};
  for (int i = 0; i < o.d; ++i) p = Multiply(p, {1.0, -1.0});
  for (int i = 0; i < o.D; ++i) p = Multiply(p, Lag({1.0}, -1.0, o.s));
  return p;
}

std::vector<double> Difference(const std::vector<double>& y, const ArimaOrder& o) {
  const Poly p = DifferencePoly(o);
  std::vector<double> w;
  for (size_t t = p.size() - 1; t < y.size(); ++t) {
    double v = 0;
    for (size_t k = 0; k < p.size(); ++k) v += p[k] * y[t - k];
    w.push_back(v);
  }
  return w;
}

// Coefficients a of w_t = sum a_k w_{t-k} + ... and b of e_t + sum b_k e_{t-k}.
void ExpandArma(const ArimaModel& m, std::vector<double>* a, std::vector<double>* b) {
  const int s = std::max(1, m.order.s);
  const Poly ar = Multiply(Lag(m.ar, -1.0, 1), Lag(m.seasonal_ar, -1.0, s));
  const Poly ma = Multiply(Lag(m.ma, 1.0, 1), Lag(m.seasonal_ma, 1.0, s));
  a->assign(ar.size() - 1, 0.0);
  for (size_t k = 1; k < ar.size(); ++k) (*a)[k - 1] = -ar[k];
  b->assign(ma.begin() + 1, ma.end());
}

struct FilterResult {
  double loglik = 0;  // sigma2 concentrated out
  double sigma2 = 0;
  std::vector<double> state;           // predicted state for the step after the data
  double sum_log_f = 0, sum_v2_f = 0;  // sum log F_t and v_t^2 / F_t, F in units of sigma2
};

// Where the ARMA filter starts when not at the stationary distribution: the state's mean and its
// covariance in units of sigma2 (r x r).
struct ArmaStart {
  std::vector<double> x, P;
};

// The filter's working vectors, kept per thread between calls: a fit evaluates the likelihood
// hundreds of times, and allocating these each time made fitting threads queue on the allocator.
struct FilterScratch {
  std::vector<double> P0, P, x, next, K, row0, a, R, a_minus_k;
  std::vector<size_t> R_rows;
};

// Kalman filter over w (mean already removed); non-finite when the model is degenerate.
FilterResult Filter(const std::vector<double>& w, const ArimaModel& m, const ArmaStart* start = nullptr) {
  thread_local FilterScratch scratch;
  std::vector<double> ar, ma;
  ExpandArma(m, &ar, &ma);
  const StateSpace ss(ar, ma);
  const size_t r = ss.r;
  // P is kept in its upper triangle only (P_ij with i <= j), in rows of r + 1 whose last entry
  // and an extra last row stay zero, so the update below needs no bounds checks; row0 holds the
  // first row before each update, so the update can run in place.
  const size_t stride = r + 1;
  if (start) {
    scratch.P0 = start->P;
  } else {
    ss.StationaryCovariance(&scratch.P0);
  }
  std::vector<double>&P = scratch.P, &x = scratch.x, &next = scratch.next, &K = scratch.K, &row0 = scratch.row0;
  P.assign((r + 1) * stride, 0.0);
  if (start) {
    x = start->x;
  } else {
    x.assign(r, 0.0);
  }
  next.assign(r, 0.0);
  K.assign(r + 1, 0.0);
  row0.assign(r + 1, 0.0);
  for (size_t i = 0; i < r; ++i) std::copy(&scratch.P0[i * r], &scratch.P0[i * r] + r, &P[i * stride]);
  std::vector<double>&a = scratch.a, &R = scratch.R;
  a.assign(ss.a.begin(), ss.a.end());
  R.assign(ss.R.begin(), ss.R.end());
  a.push_back(0.0);
  R.push_back(0.0);
  // The non-zero entries of R: seasonal models have few, and the update below adds R R' only there.
  std::vector<size_t>& R_rows = scratch.R_rows;
  R_rows.clear();
  for (size_t i = 0; i < r; ++i) {
    if (R[i] != 0) R_rows.push_back(i);
  }
  std::vector<double>& a_minus_k = scratch.a_minus_k;
  a_minus_k.assign(r + 1, 0.0);
  // sum log F_t is kept as a product, rescaled into a logarithm only when it nears the range's edge.
  double sum_log_f = 0, product_f = 1, sum_v2_f = 0, F = 0;
  size_t steady_steps = 0;  // consecutive steps in which the first row did not move
  size_t steady_count = 0;  // steps taken with the steady F
  for (double obs : w) {
    const double v = obs - x[0];
    const bool steady = steady_steps > r;  // then the whole of P has stopped moving
    if (!steady) {
      F = P[0];
      if (!(F > 0)) return {NAN, NAN, {}};
      product_f *= F;
      if (product_f > 1e150 || product_f < 1e-150) {
        sum_log_f += std::log(product_f);
        product_f = 1;
      }
      std::copy(P.begin(), P.begin() + static_cast<ptrdiff_t>(r + 1), row0.begin());
      for (size_t i = 0; i < r; ++i) K[i] = (a[i] * row0[0] + row0[i + 1]) / F;  // K = T P Z' / F, Z = e_0
    } else {
      ++steady_count;
    }
    sum_v2_f += v * v / F;
    for (size_t i = 0; i < r; ++i) next[i] = a[i] * x[0] + (i + 1 < r ? x[i + 1] : 0.0) + K[i] * v;
    x.swap(next);
    if (steady) continue;
    // P' = T P T' + R R' - K K' F, with (T P T')_ij = a_i a_j P_00 + a_i P_0,j+1 + a_j P_0,i+1 + P_i+1,j+1.
    // As K_i F = a_i P_00 + P_0,i+1, that is P_i+1,j+1 + K_i F (a_j - K_j) + a_i P_0,j+1 + R_i R_j.
    for (size_t j = 0; j < r; ++j) a_minus_k[j] = a[j] - K[j];
    const double* row0_next = &row0[1];
    for (size_t i = 0; i < r; ++i) {
      double* Pi = &P[i * stride];
      const double* below = &P[(i + 1) * stride + 1];
      const double ki = K[i] * F;
      for (size_t j = i; j < r; ++j) Pi[j] = below[j] + ki * a_minus_k[j];
      if (a[i] != 0) {
        const double ai = a[i];
        for (size_t j = i; j < r; ++j) Pi[j] += ai * row0_next[j];
      }
      if (R[i] != 0) {
        for (size_t j : R_rows) {
          if (j >= i) Pi[j] += R[i] * R[j];
        }
      }
    }
    double change = 0;
    for (size_t j = 0; j < r; ++j) change = std::max(change, std::abs(P[j] - row0[j]));
    steady_steps = change < 1e-13 * std::max(1.0, P[0]) ? steady_steps + 1 : 0;
  }
  sum_log_f += std::log(product_f);
  if (steady_count > 0) sum_log_f += static_cast<double>(steady_count) * std::log(F);
  const double n = static_cast<double>(w.size());
  FilterResult out;
  out.sigma2 = sum_v2_f / n;
  out.loglik = -0.5 * (n * (kLog2Pi + 1 + std::log(out.sigma2)) + sum_log_f);
  out.state = x;
  out.sum_log_f = sum_log_f;
  out.sum_v2_f = sum_v2_f;
  return out;
}

// Unconstrained x -> coefficients of a stationary AR polynomial (partial autocorrelations
// x/sqrt(1+x^2), then Durbin-Levinson).
std::vector<double> Constrain(const double* x, size_t k) {
  std::vector<double> phi(k), prev(k);
  for (size_t j = 0; j < k; ++j) {
    const double r = x[j] / std::sqrt(1 + x[j] * x[j]);
    prev = phi;
    phi[j] = r;
    for (size_t i = 0; i < j; ++i) phi[i] = prev[i] - r * prev[j - 1 - i];
  }
  return phi;
}

void Unpack(const std::vector<double>& x, ArimaModel* m) {
  const ArimaOrder& o = m->order;
  size_t at = 0;
  auto take = [&](int k, bool ma) {
    std::vector<double> c = Constrain(x.data() + at, static_cast<size_t>(k));
    at += static_cast<size_t>(k);
    if (ma) {
      for (double& v : c) v = -v;  // 1 + sum theta B^i invertible <=> 1 - sum (-theta) B^i stationary
    }
    return c;
  };
  m->ar = take(o.p, false);
  m->ma = take(o.q, true);
  m->seasonal_ar = take(o.P, false);
  m->seasonal_ma = take(o.Q, true);
  if (o.constant) m->mean = x[at];
}

std::vector<double> Demeaned(const std::vector<double>& w, double mean) {
  std::vector<double> out(w.size());
  for (size_t i = 0; i < w.size(); ++i) out[i] = w[i] - mean;
  return out;
}

Status CheckRegressors(const Regressors& x, size_t n, size_t expected_columns, const char* what) {
  if (x.size() != expected_columns) {
    return Status::InvalidArgument(std::string(what) + ": " + std::to_string(x.size()) +
                                   " regressors given, the model has " + std::to_string(expected_columns));
  }
  for (size_t k = 0; k < x.size(); ++k) {
    if (x[k].size() != n) {
      return Status::InvalidArgument(std::string(what) + ": regressor " + std::to_string(k) + " has " +
                                     std::to_string(x[k].size()) + " values, expected " + std::to_string(n));
    }
    for (size_t i = 0; i < n; ++i) {
      if (!std::isfinite(x[k][i])) {
        return Status::InvalidArgument(std::string(what) + ": regressor " + std::to_string(k) + " value " +
                                       std::to_string(i) + " is not finite");
      }
    }
  }
  return Status::OK();
}

// y - X beta.
std::vector<double> Unexplained(const std::vector<double>& y, const Regressors& x, const std::vector<double>& beta) {
  std::vector<double> out = y;
  for (size_t k = 0; k < x.size(); ++k) {
    for (size_t i = 0; i < out.size(); ++i) out[i] -= beta[k] * x[k][i];
  }
  return out;
}

// Least squares of w on the columns z (and a mean when asked): the regression's starting point.
std::vector<double> LeastSquares(const std::vector<double>& w, const Regressors& z, bool with_mean) {
  Regressors cols = z;
  if (with_mean) cols.emplace_back(w.size(), 1.0);
  const size_t k = cols.size();
  std::vector<double> xtx(k * k, 0.0), xty(k, 0.0);
  for (size_t a = 0; a < k; ++a) {
    for (size_t i = 0; i < w.size(); ++i) xty[a] += cols[a][i] * w[i];
    for (size_t b = 0; b < k; ++b) {
      for (size_t i = 0; i < w.size(); ++i) xtx[a * k + b] += cols[a][i] * cols[b][i];
    }
  }
  SolveInPlace(xtx, xty);
  for (double& v : xty) v = std::isfinite(v) ? v : 0.0;
  return xty;
}

Status CheckInput(const std::vector<double>& y, const ArimaOrder& o) {
  if (o.p < 0 || o.d < 0 || o.q < 0 || o.P < 0 || o.D < 0 || o.Q < 0 || o.s < 0 || o.p > 20 || o.q > 20 || o.P > 5 ||
      o.Q > 5 || o.d > 3 || o.D > 2 || o.s > 366) {
    return Status::InvalidArgument("order " + o.ToString() + " is out of range");
  }
  if ((o.P || o.D || o.Q) && o.s < 2) {
    return Status::InvalidArgument("order " + o.ToString() + ": a seasonal part needs a period s >= 2");
  }
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) return Status::InvalidArgument("value " + std::to_string(i) + " is not finite");
  }
  const size_t lost = static_cast<size_t>(o.d) + static_cast<size_t>(o.D) * static_cast<size_t>(o.s);
  const int param_count = o.p + o.q + o.P + o.Q + (o.constant ? 1 : 0) + 1;
  const size_t params = static_cast<size_t>(param_count);
  const size_t span =
      static_cast<size_t>(o.p) + static_cast<size_t>(o.q) + static_cast<size_t>(o.P + o.Q) * static_cast<size_t>(o.s);
  if (y.size() < lost + std::max(params, span) + 3) {
    return Status::InvalidArgument(std::to_string(y.size()) + " observations are too few for " + o.ToString());
  }
  return Status::OK();
}

bool UsesApproximateStart(const ArimaOrder& o) { return o.start == DiffuseStart::kApproximate && o.d + o.D > 0; }

// The deterministic path whose differences are 1 (g_t = 1 - sum_{k>=1} delta_k g_{t-k}, zero
// before the start): the constant of the differenced series, undifferenced (with d = 1 the time
// trend t = 1, 2, ..., as statsmodels' ARIMA numbers it).
std::vector<double> TrendPath(const ArimaOrder& o, size_t n) {
  const Poly delta = DifferencePoly(o);
  std::vector<double> g(n, 0.0);
  for (size_t t = 0; t < n; ++t) {
    double v = 1;
    for (size_t k = 1; k < delta.size() && k <= t; ++k) v -= delta[k] * g[t - k];
    g[t] = v;
  }
  return g;
}

IntegratedStateSpace IntegratedSpace(const ArimaModel& m) {
  std::vector<double> ar, ma;
  ExpandArma(m, &ar, &ma);
  return IntegratedStateSpace(ar, ma, m.order.d, m.order.D, m.order.s);
}

// u = y - X beta - mean * g: what the integrated filter sees.
std::vector<double> WithoutDeterministic(const std::vector<double>& y, const Regressors& exog,
                                         const std::vector<double>& beta, const ArimaModel& m) {
  std::vector<double> u = Unexplained(y, exog, beta);
  if (m.order.constant) {
    const std::vector<double> g = TrendPath(m.order, u.size());
    for (size_t t = 0; t < u.size(); ++t) u[t] -= m.mean * g[t];
  }
  return u;
}

// The approximate-diffuse log-likelihood at innovation variance sigma2: the integrated filter over
// the first d + sD values, then the ARMA filter over the differenced series from the state it
// left (integrated_filter.h).
double ApproximateStartLoglik(const std::vector<double>& y, const Regressors& exog, const std::vector<double>& beta,
                              const ArimaModel& m, double sigma2) {
  if (!(sigma2 > 0) || !std::isfinite(sigma2)) return NAN;
  ArmaStart start;
  if (!IntegratedSpace(m).ArmaStateAfterBurn(WithoutDeterministic(y, exog, beta, m), sigma2, &start.x, &start.P)) {
    return NAN;
  }
  for (double& v : start.P) v /= sigma2;
  const std::vector<double> w = Demeaned(Difference(Unexplained(y, exog, beta), m.order), m.mean);
  const FilterResult f = Filter(w, m, &start);
  const double n = static_cast<double>(w.size());
  return -0.5 * (n * (kLog2Pi + std::log(sigma2)) + f.sum_log_f + f.sum_v2_f / sigma2);
}

// Continues an exact-start fit (its unconstrained parameters `x`) to the maximum of the
// approximate-diffuse likelihood, log sigma2 as one more parameter.
void RefineApproximateStart(const std::vector<double>& y, const Regressors& exog, size_t beta_at, std::vector<double> x,
                            ArimaModel* model) {
  x.push_back(std::log(model->sigma2));
  ArimaModel m = *model;
  const double n = static_cast<double>(model->nobs);
  std::vector<double> beta;
  auto objective = [&](const std::vector<double>& p) {
    Unpack(p, &m);
    beta.assign(p.begin() + static_cast<ptrdiff_t>(beta_at), p.end() - 1);
    return -ApproximateStartLoglik(y, exog, beta, m, std::exp(p.back())) / n;
  };
  const LbfgsResult best = MinimizeLbfgs(objective, x);
  Unpack(best.x, model);
  model->beta.assign(best.x.begin() + static_cast<ptrdiff_t>(beta_at), best.x.end() - 1);
  model->sigma2 = std::exp(best.x.back());
  model->loglik = -best.value * n;
  model->iterations += best.iterations;
  model->converged = best.converged;
}

// Forecasts from the integrated filter's state: means and variances of the observations ahead.
Result<ArimaForecast> ForecastApproximateStart(const std::vector<double>& y, const ArimaModel& model, int horizon,
                                               double level) {
  const IntegratedStateSpace space = IntegratedSpace(model);
  IntegratedFilterState state = space.Filter(WithoutDeterministic(y, {}, {}, model), model.sigma2);
  if (!std::isfinite(state.loglik)) {
    return Status::InvalidArgument("the model's likelihood is not finite for this series");
  }
  std::vector<double> mean, variance;
  space.Forecast(std::move(state), model.sigma2, horizon, &mean, &variance);
  const std::vector<double> g = TrendPath(model.order, y.size() + static_cast<size_t>(horizon));
  const double z = TwoSidedNormalQuantile(level);
  ArimaForecast out;
  for (size_t h = 0; h < mean.size(); ++h) {
    const double m = mean[h] + (model.order.constant ? model.mean * g[y.size() + h] : 0.0);
    const double half = z * std::sqrt(std::max(0.0, variance[h]));
    out.mean.push_back(m);
    out.lower.push_back(m - half);
    out.upper.push_back(m + half);
  }
  return out;
}

}  // namespace

std::string ArimaOrder::ToString() const {
  std::string out = "ARIMA(" + std::to_string(p) + "," + std::to_string(d) + "," + std::to_string(q) + ")";
  if (s)
    out += "(" + std::to_string(P) + "," + std::to_string(D) + "," + std::to_string(Q) + "," + std::to_string(s) + ")";
  return constant ? out + " with constant" : out;
}

Result<double> ArimaLogLikelihood(const std::vector<double>& y, const ArimaModel& model, const Regressors& exog) {
  MF_RETURN_IF_ERROR(CheckInput(y, model.order));
  MF_RETURN_IF_ERROR(CheckRegressors(exog, y.size(), model.beta.size(), "exog"));
  if (UsesApproximateStart(model.order)) {
    const double loglik = ApproximateStartLoglik(y, exog, model.beta, model, model.sigma2);
    if (!std::isfinite(loglik)) return Status::InvalidArgument("the model's likelihood is not finite for this series");
    return loglik;
  }
  const FilterResult f = Filter(Demeaned(Difference(Unexplained(y, exog, model.beta), model.order), model.mean), model);
  if (!std::isfinite(f.loglik)) return Status::InvalidArgument("the model's likelihood is not finite for this series");
  return f.loglik;
}

namespace {

// The partial autocorrelations of the stationary AR polynomial 1 - sum phi_i B^i, first lag first
// (Durbin-Levinson run backwards); stops at the first of magnitude 1 or more.
std::vector<double> PartialAutocorrelations(std::vector<double> phi) {
  std::vector<double> out(phi.size(), 0.0);
  for (size_t j = phi.size(); j-- > 0;) {
    const double r = phi[j];
    out[j] = r;
    if (std::abs(r) >= 1) break;
    std::vector<double> lower(j);
    for (size_t i = 0; i < j; ++i) lower[i] = (phi[i] + r * phi[j - 1 - i]) / (1 - r * r);
    phi = std::move(lower);
  }
  return out;
}

// The largest partial autocorrelation (in magnitude) of the MA polynomial 1 + sum theta_i B^i:
// 1 means a root on the unit circle.
double LargestMaPartialAutocorrelation(const std::vector<double>& theta) {
  std::vector<double> phi(theta.size());
  for (size_t i = 0; i < theta.size(); ++i) phi[i] = -theta[i];  // as the stationary AR polynomial 1 - sum phi B^i
  double largest = 0;
  for (double r : PartialAutocorrelations(std::move(phi))) largest = std::max(largest, std::abs(r));
  return largest;
}

// Unpack's inverse: the unconstrained parameters of a fitted model (coefficients, mean, beta).
std::vector<double> Unconstrained(const ArimaModel& m) {
  std::vector<double> x;
  auto put = [&](const std::vector<double>& c, double sign) {
    std::vector<double> phi(c.size());
    for (size_t i = 0; i < c.size(); ++i) phi[i] = sign * c[i];
    for (double r : PartialAutocorrelations(std::move(phi))) {
      r = std::clamp(r, -0.999999, 0.999999);
      x.push_back(r / std::sqrt(1 - r * r));
    }
  };
  put(m.ar, 1.0);
  put(m.ma, -1.0);
  put(m.seasonal_ar, 1.0);
  put(m.seasonal_ma, -1.0);
  if (m.order.constant) x.push_back(m.mean);
  x.insert(x.end(), m.beta.begin(), m.beta.end());
  return x;
}

bool SameOrders(const ArimaOrder& a, const ArimaOrder& b) {
  return a.p == b.p && a.d == b.d && a.q == b.q && a.P == b.P && a.D == b.D && a.Q == b.Q && a.s == b.s &&
         a.constant == b.constant && a.start == b.start;
}

// `model` with its parameter count and information criteria set.
ArimaModel Scored(ArimaModel model, int coefficients, size_t regressors, double n) {
  model.parameters = coefficients + (model.order.constant ? 1 : 0) + static_cast<int>(regressors) + 1;
  const double k = model.parameters;
  model.aic = -2 * model.loglik + 2 * k;
  model.aicc = n - k - 1 > 0 ? model.aic + 2 * k * (k + 1) / (n - k - 1) : INFINITY;
  return model;
}

// The fit at exactly `order` (FitArima may then simplify it), from `warm`'s estimates when given
// (a fit at the same order).
Result<ArimaModel> FitArimaOnce(const std::vector<double>& y, const ArimaOrder& order, const Regressors& exog,
                                const ArimaModel* warm) {
  MF_RETURN_IF_ERROR(CheckInput(y, order));
  MF_RETURN_IF_ERROR(CheckRegressors(exog, y.size(), exog.size(), "exog"));
  const std::vector<double> w = Difference(y, order);
  const double mean = std::accumulate(w.begin(), w.end(), 0.0) / static_cast<double>(w.size());
  double spread = 0;
  for (double v : w) spread = std::max(spread, std::abs(v - mean));
  if (spread < 1e-12 * std::max(1.0, std::abs(mean))) {
    return Status::InvalidArgument("the series has no variation after differencing: nothing to fit");
  }
  Regressors z;
  for (const auto& column : exog) z.push_back(Difference(column, order));
  ArimaModel model;
  model.order = order;
  const int coefficients = order.p + order.q + order.P + order.Q;
  // Parameters: the ARMA coefficients (transformed), the mean, then beta.
  std::vector<double> x0(static_cast<size_t>(coefficients), 0.0);
  const std::vector<double> start = LeastSquares(w, z, order.constant);
  if (order.constant) x0.push_back(exog.empty() ? mean : start.back());
  x0.insert(x0.end(), start.begin(), start.begin() + static_cast<ptrdiff_t>(z.size()));
  const size_t beta_at = static_cast<size_t>(coefficients) + (order.constant ? 1 : 0);
  const double n = static_cast<double>(w.size());
  std::vector<double> e(w.size());  // the objective's residuals, reused across evaluations
  auto errors = [&](const std::vector<double>& x, const ArimaModel& m) -> const std::vector<double>& {
    const double level = order.constant ? m.mean : 0.0;
    for (size_t i = 0; i < e.size(); ++i) e[i] = w[i] - level;
    for (size_t k = 0; k < z.size(); ++k) {
      for (size_t i = 0; i < e.size(); ++i) e[i] -= x[beta_at + k] * z[k][i];
    }
    return e;
  };
  ArimaModel m = model;
  auto objective = [&](const std::vector<double>& x) {
    Unpack(x, &m);
    return -Filter(errors(x, m), m).loglik / n;
  };
  LbfgsResult best;
  if (warm) {
    best = MinimizeLbfgs(objective, Unconstrained(*warm));
  } else {
    // Likelihoods of MA and seasonal parts have several local optima: the search starts from no
    // dynamics and from moderate ones (partial autocorrelations about +-0.5), takes a few steps
    // from each, and carries the most promising on to convergence.
    LbfgsOptions scouting;
    scouting.max_iterations = 6;
    best = MinimizeLbfgs(objective, x0, scouting);
    for (double start : {0.6, -0.6}) {
      if (coefficients == 0) break;
      std::vector<double> x = x0;
      for (int i = 0; i < coefficients; ++i) x[static_cast<size_t>(i)] = start;
      LbfgsResult candidate = MinimizeLbfgs(objective, x, scouting);
      if (candidate.value < best.value - 1e-12) best = std::move(candidate);
    }
    if (!best.converged) best = MinimizeLbfgs(objective, best.x);
  }
  Unpack(best.x, &model);
  model.beta.assign(best.x.begin() + static_cast<ptrdiff_t>(beta_at), best.x.end());
  const FilterResult f = Filter(errors(best.x, model), model);
  if (!std::isfinite(f.loglik)) return Status::InvalidArgument("the likelihood is not finite at the optimum");
  model.sigma2 = f.sigma2;
  model.loglik = f.loglik;
  model.nobs = static_cast<int>(w.size());
  model.iterations = best.iterations;
  model.converged = best.converged;
  if (UsesApproximateStart(order)) {
    RefineApproximateStart(y, exog, beta_at, best.x, &model);
    if (!std::isfinite(model.loglik)) return Status::InvalidArgument("the likelihood is not finite at the optimum");
  }
  return Scored(model, coefficients, z.size(), n);
}

}  // namespace

Result<ArimaModel> FitArima(const std::vector<double>& y, const ArimaOrder& order, const Regressors& exog,
                            const ArimaModel* warm) {
  // A warm start that fails (the earlier estimates are not finite here) falls back to a cold one.
  auto fit = [&](const ArimaOrder& at, const ArimaModel* from) {
    Result<ArimaModel> out = FitArimaOnce(y, at, exog, from);
    return out.ok() || !from ? out : FitArimaOnce(y, at, exog, nullptr);
  };
  ArimaOrder simpler = order;
  simpler.q = 0;
  if (warm && warm->beta.size() != exog.size()) warm = nullptr;
  if (warm && order.q > 0 && SameOrders(warm->order, simpler)) return fit(simpler, warm);
  if (warm && !SameOrders(warm->order, order)) warm = nullptr;
  MF_ASSIGN_OR_RETURN(ArimaModel model, fit(order, warm));
  if (LargestMaPartialAutocorrelation(model.ma) <= kInvertibilityEdge) return model;
  Result<ArimaModel> refit = fit(simpler, nullptr);
  return refit.ok() ? std::move(refit).value() : model;
}

namespace {

// Fits orders once each and remembers the best by AICc; with `warm`, starts each order from its
// fit there and leaves every new fit in its place.
class OrderSearch {
 public:
  OrderSearch(const std::vector<double>& y, WarmFits* warm) : y_(y), warm_(warm) {}

  // True when `order` was new and fitted better than the best so far.
  bool Try(const ArimaOrder& order) {
    const std::string key = order.ToString();
    if (!tried_.insert(key).second) return false;
    const ArimaModel* from = nullptr;
    if (warm_) {
      const auto it = warm_->find(key);
      if (it != warm_->end()) from = &it->second;
    }
    Result<ArimaModel> fit = FitArima(y_, order, {}, from);
    if (!fit.ok()) {
      last_ = fit.status();
      if (warm_) warm_->erase(key);
      return false;
    }
    if (warm_) (*warm_)[key] = *fit;
    if (best_ && fit->aicc >= best_->aicc) return false;
    best_ = std::move(fit).value();
    return true;
  }
  Result<ArimaModel> Best() const {
    if (!best_) return last_;
    return *best_;
  }
  const std::optional<ArimaModel>& best() const { return best_; }

 private:
  const std::vector<double>& y_;
  WarmFits* warm_;
  std::set<std::string> tried_;
  std::optional<ArimaModel> best_;
  Status last_ = Status::InvalidArgument("no order was tried");
};

ArimaOrder WithOrders(ArimaOrder o, int p, int q, int P, int Q, bool constant) {
  o.p = p, o.q = q, o.P = P, o.Q = Q, o.constant = constant;
  return o;
}

}  // namespace

Result<ArimaModel> AutoArima(const std::vector<double>& y, const ArimaOrder& base, int max_order, bool stepwise,
                             WarmFits* fits) {
  OrderSearch search(y, fits);
  const int seasonal_max = base.s >= 2 ? 1 : 0;
  if (!stepwise) {
    for (int p = 0; p <= max_order; ++p)
      for (int q = 0; q <= max_order; ++q)
        for (int P = 0; P <= seasonal_max; ++P)
          for (int Q = 0; Q <= seasonal_max; ++Q)
            for (bool constant : {false, true}) search.Try(WithOrders(base, p, q, P, Q, constant));
    return search.Best();
  }
  // Hyndman and Khandakar's stepwise search: four starting models, then moves to any better
  // neighbour (one order up or down, p and q together, P and Q together, the constant toggled)
  // until none is better.
  const bool constant = base.d + base.D <= 1;
  const int two = std::min(2, max_order), one = std::min(1, max_order), s1 = seasonal_max;
  search.Try(WithOrders(base, two, two, s1, s1, constant));
  search.Try(WithOrders(base, 0, 0, 0, 0, constant));
  search.Try(WithOrders(base, one, 0, s1, 0, constant));
  search.Try(WithOrders(base, 0, one, 0, s1, constant));
  if (constant) search.Try(WithOrders(base, 0, 0, 0, 0, false));
  for (bool moved = true; moved && search.best();) {
    moved = false;
    const ArimaOrder at = search.best()->order;
    const int steps[][4] = {{1, 0, 0, 0},   {-1, 0, 0, 0},  {0, 1, 0, 0},  {0, -1, 0, 0}, {1, 1, 0, 0},
                            {-1, -1, 0, 0}, {0, 0, 1, 0},   {0, 0, -1, 0}, {0, 0, 0, 1},  {0, 0, 0, -1},
                            {0, 0, 1, 1},   {0, 0, -1, -1}, {0, 0, 0, 0}};
    for (const auto& step : steps) {
      const int p = at.p + step[0], q = at.q + step[1], P = at.P + step[2], Q = at.Q + step[3];
      if (p < 0 || q < 0 || P < 0 || Q < 0 || p > max_order || q > max_order || P > seasonal_max || Q > seasonal_max) {
        continue;
      }
      const bool all_zero = step[0] == 0 && step[1] == 0 && step[2] == 0 && step[3] == 0;
      if (search.Try(WithOrders(base, p, q, P, Q, all_zero ? !at.constant : at.constant))) {
        moved = true;
        break;
      }
    }
  }
  return search.Best();
}

Result<ArimaForecast> ForecastArima(const std::vector<double>& y, const ArimaModel& model, int horizon, double level,
                                    const Regressors& exog, const Regressors& future) {
  if (horizon < 1 || horizon > 10000) return Status::InvalidArgument("horizon must be in [1, 10000]");
  if (!(level > 0 && level < 1)) return Status::InvalidArgument("interval level must be in (0, 1)");
  MF_RETURN_IF_ERROR(CheckInput(y, model.order));
  if (!model.beta.empty()) {
    // Forecast the unexplained part, then add the regression over the horizon.
    MF_RETURN_IF_ERROR(CheckRegressors(exog, y.size(), model.beta.size(), "exog"));
    MF_RETURN_IF_ERROR(CheckRegressors(future, static_cast<size_t>(horizon), model.beta.size(), "future exog"));
    ArimaModel errors = model;
    errors.beta.clear();
    MF_ASSIGN_OR_RETURN(ArimaForecast fc, ForecastArima(Unexplained(y, exog, model.beta), errors, horizon, level));
    for (size_t h = 0; h < static_cast<size_t>(horizon); ++h) {
      double shift = 0;
      for (size_t k = 0; k < future.size(); ++k) shift += model.beta[k] * future[k][h];
      fc.mean[h] += shift;
      fc.lower[h] += shift;
      fc.upper[h] += shift;
    }
    return fc;
  }
  if (UsesApproximateStart(model.order)) return ForecastApproximateStart(y, model, horizon, level);
  const ArimaOrder& o = model.order;
  const std::vector<double> w = Difference(y, o);
  const FilterResult f = Filter(Demeaned(w, model.mean), model);
  if (!std::isfinite(f.loglik)) return Status::InvalidArgument("the model's likelihood is not finite for this series");
  std::vector<double> ar, ma;
  ExpandArma(model, &ar, &ma);
  // Differenced forecasts: the first state element of T^(h-1) x.
  std::vector<double> x = f.state, w_hat;
  for (int h = 0; h < horizon; ++h) {
    w_hat.push_back(x[0] + model.mean);
    std::vector<double> next(x.size());
    for (size_t i = 0; i < x.size(); ++i)
      next[i] = (i < ar.size() ? ar[i] : 0.0) * x[0] + (i + 1 < x.size() ? x[i + 1] : 0.0);
    x.swap(next);
  }
  // Undo the differencing: y_t = w_t - sum_{k>=1} delta_k y_{t-k}.
  const Poly delta = DifferencePoly(o);
  std::vector<double> path = y;
  ArimaForecast out;
  for (int h = 0; h < horizon; ++h) {
    double v = w_hat[static_cast<size_t>(h)];
    for (size_t k = 1; k < delta.size(); ++k) v -= delta[k] * path[path.size() - k];
    path.push_back(v);
    out.mean.push_back(v);
  }
  // Psi weights of the full model phi(B) delta(B) y = theta(B) e.
  Poly full_ar{1.0};
  for (size_t i = 0; i < ar.size(); ++i) full_ar.push_back(-ar[i]);
  full_ar = Multiply(full_ar, delta);
  std::vector<double> psi(static_cast<size_t>(horizon), 0.0);
  for (size_t j = 0; j < psi.size(); ++j) {
    double v = j == 0 ? 1.0 : (j - 1 < ma.size() ? ma[j - 1] : 0.0);
    for (size_t i = 1; i <= j && i < full_ar.size(); ++i) v -= full_ar[i] * psi[j - i];
    psi[j] = v;
  }
  const double z = TwoSidedNormalQuantile(level);
  double var = 0;
  for (int h = 0; h < horizon; ++h) {
    var += psi[static_cast<size_t>(h)] * psi[static_cast<size_t>(h)] * model.sigma2;
    const double half = z * std::sqrt(var);
    out.lower.push_back(out.mean[static_cast<size_t>(h)] - half);
    out.upper.push_back(out.mean[static_cast<size_t>(h)] + half);
  }
  return out;
}

}  // namespace meteoflow::forecast
