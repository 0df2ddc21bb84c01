// ServiceRegressor: the weather service's forecast of one city and variable (the service_forecasts
// table) as the regressor of the nwp and nwp-arima models.
//
// The rule: the value for a step starting at t, known at `as_of`, is the newest forecast issued at
// or before `as_of` whose hourly targets span t, interpolated linearly between the two targets
// around t (never extrapolated); NaN when no such forecast exists. Over a fitted series as_of = t
// (what was known then); over the horizon of a prediction as_of = the prediction's issue time.
//
// Thread-safety: immutable after construction; const methods are safe to share.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/weather.h"
#include "forecast/models/arima.h"

namespace meteoflow::forecast {

class ServiceRegressor {
 public:
  // From one city's rows, any order; only `variable`'s are kept.
  ServiceRegressor(const std::vector<ServiceForecast>& rows, const std::string& variable);

  bool empty() const { return issues_.empty(); }
  double At(Timestamp t, Timestamp as_of) const;
  // At(t, t) for each of `times`: the regressor over a series.
  std::vector<double> Over(const std::vector<Timestamp>& times) const;
  // At(last + h * step_ms, last) for h = 1..horizon: the regressor over a prediction's horizon.
  std::vector<double> Ahead(Timestamp last, int64_t step_ms, int horizon) const;

 private:
  // issue time (ms) -> (target time (ms), value), by target time
  std::map<int64_t, std::vector<std::pair<int64_t, double>>> issues_;
};

// One regressor column for the series (`times`) and one for the `horizon` steps after `last`;
// both empty when there is no forecast of the variable at all.
struct ServiceColumns {
  Regressors over_series, ahead;
};
ServiceColumns ServiceColumnsFor(const ServiceRegressor& regressor, const std::vector<Timestamp>& times,
                                 int64_t step_ms, int horizon);

}  // namespace meteoflow::forecast
