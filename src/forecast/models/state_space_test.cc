#include "forecast/models/state_space.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace meteoflow::forecast {
namespace {

// (1 - sum c_i B^i)(1 - sum C_j B^(js)) expanded, returned as the coefficients of lags 1.. with
// the sign of w_t = sum a_k w_{t-k}; `sign` -1 gives MA polynomials (1 + ...).
std::vector<double> Expand(const std::vector<double>& c, const std::vector<double>& C, int s, double sign) {
  std::vector<double> lhs(c.size() + 1, 0.0), rhs(C.size() * s + 1, 0.0);
  lhs[0] = rhs[0] = 1;
  for (size_t i = 0; i < c.size(); ++i) lhs[i + 1] = -sign * c[i];
  for (size_t j = 0; j < C.size(); ++j) rhs[(j + 1) * s] = -sign * C[j];
  std::vector<double> prod(lhs.size() + rhs.size() - 1, 0.0);
  for (size_t i = 0; i < lhs.size(); ++i)
    for (size_t j = 0; j < rhs.size(); ++j) prod[i + j] += lhs[i] * rhs[j];
  std::vector<double> out;
  for (size_t k = 1; k < prod.size(); ++k) out.push_back(-sign * prod[k]);
  return out;
}

struct Case {
  std::vector<double> ar, ma;
};

TEST(StateSpaceTest, StationaryCovarianceSolvesTheLyapunovEquation) {
  const Case cases[] = {
      {{0.5}, {}},
      {{}, {0.4}},
      {{0.9}, {-0.3}},
      {{1.2, -0.5}, {0.3, 0.2}},
      {{0.3, 0.2, -0.1}, {}},
      {Expand({0.6}, {0.95}, 12, 1), Expand({-0.4}, {-0.7}, 12, -1)},  // near-unit seasonal AR
      {Expand({0.2}, {}, 12, 1), Expand({0.5}, {0.5}, 12, -1)},
      {{}, {}},
  };
  for (const Case& c : cases) {
    const StateSpace ss(c.ar, c.ma);
    const std::vector<double> P = ss.StationaryCovariance();
    std::vector<double> TPTt;
    ss.TMTt(P, &TPTt);
    for (size_t i = 0; i < ss.r; ++i) {
      for (size_t j = 0; j < ss.r; ++j) {
        const double expected = TPTt[i * ss.r + j] + ss.R[i] * ss.R[j];
        EXPECT_NEAR(P[i * ss.r + j], expected, 1e-9 * std::max(1.0, std::abs(P[0])))
            << "r=" << ss.r << " at (" << i << "," << j << ")";
      }
    }
  }
}

TEST(StateSpaceTest, AutocovariancesMatchClosedForms) {
  // AR(1): gamma(h) = phi^h / (1 - phi^2).
  const std::vector<double> ar1 = ArmaAutocovariances({0.7}, {}, 3);
  for (size_t h = 0; h <= 3; ++h) EXPECT_NEAR(ar1[h], std::pow(0.7, h) / (1 - 0.49), 1e-12);
  // MA(1): gamma(0) = 1 + theta^2, gamma(1) = theta, then 0.
  const std::vector<double> ma1 = ArmaAutocovariances({}, {0.4}, 3);
  EXPECT_NEAR(ma1[0], 1.16, 1e-12);
  EXPECT_NEAR(ma1[1], 0.4, 1e-12);
  EXPECT_NEAR(ma1[2], 0.0, 1e-12);
  // ARMA(1,1): gamma(0) = (1 + 2 phi theta + theta^2) / (1 - phi^2).
  const std::vector<double> arma = ArmaAutocovariances({0.5}, {0.3}, 1);
  EXPECT_NEAR(arma[0], (1 + 2 * 0.5 * 0.3 + 0.09) / 0.75, 1e-12);
}

}  // namespace
}  // namespace meteoflow::forecast
