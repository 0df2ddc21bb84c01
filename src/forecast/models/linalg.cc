#include "forecast/models/linalg.h"

#include <cmath>
#include <utility>

namespace meteoflow::forecast {

void SolveInPlace(std::vector<double>& M, std::vector<double>& rhs) {
  const size_t n = rhs.size();
  for (size_t col = 0; col < n; ++col) {
    size_t pivot = col;
    for (size_t row = col + 1; row < n; ++row) {
      if (std::abs(M[row * n + col]) > std::abs(M[pivot * n + col])) pivot = row;
    }
    if (pivot != col) {
      for (size_t k = 0; k < n; ++k) std::swap(M[col * n + k], M[pivot * n + k]);
      std::swap(rhs[col], rhs[pivot]);
    }
    const double d = M[col * n + col];
    for (size_t row = col + 1; row < n; ++row) {
      const double f = M[row * n + col] / d;
      if (f == 0) continue;
      for (size_t k = col; k < n; ++k) M[row * n + k] -= f * M[col * n + k];
      rhs[row] -= f * rhs[col];
    }
  }
  for (size_t col = n; col-- > 0;) {
    double v = rhs[col];
    for (size_t k = col + 1; k < n; ++k) v -= M[col * n + k] * rhs[k];
    rhs[col] = v / M[col * n + col];
  }
}

}  // namespace meteoflow::forecast
