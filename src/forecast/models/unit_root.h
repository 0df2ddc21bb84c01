// Choosing the order of differencing as AutoARIMA does: the KPSS test of level stationarity
// (Kwiatkowski, Phillips, Schmidt and Shin, 1992), applied to the series and then to its
// successive differences until it no longer rejects at the 5 % level (critical value 0.463).
//
// Statistic: residuals e of the series about its mean, partial sums S_t, then
// sum S_t^2 / (n^2 s^2) with s^2 the long-run variance by a Bartlett window of
// `lags` = trunc(3 sqrt(n) / 13) (the "short" choice of Hyndman and Khandakar's auto.arima).
//
// Thread-safety: pure functions.
#pragma once

#include <vector>

namespace meteoflow::forecast {

inline constexpr double kKpssCritical5 = 0.463;

// The KPSS statistic of `y` with `lags` Bartlett lags (< 0: the default above); NaN when `y`
// has fewer than 3 values or no variation.
double KpssStatistic(const std::vector<double>& y, int lags = -1);

struct DifferencingChoice {
  int d = 0;
  std::vector<double> statistics;  // KPSS at d = 0, 1, ... as tested
};

// The smallest d in [0, max_d] whose differenced series the test does not reject (max_d when
// all reject; a series with no variation after differencing counts as stationary).
DifferencingChoice ChooseDifferencing(const std::vector<double>& y, int max_d = 2);

}  // namespace meteoflow::forecast
