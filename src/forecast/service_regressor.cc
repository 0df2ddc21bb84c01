#include "forecast/service_regressor.h"

#include <algorithm>
#include <cmath>

namespace meteoflow::forecast {

ServiceRegressor::ServiceRegressor(const std::vector<ServiceForecast>& rows, const std::string& variable) {
  for (const ServiceForecast& f : rows) {
    if (f.variable == variable && std::isfinite(f.value)) {
      issues_[f.issued_at.millis()].emplace_back(f.target_time.millis(), f.value);
    }
  }
  for (auto& [issued, targets] : issues_) std::sort(targets.begin(), targets.end());
}

double ServiceRegressor::At(Timestamp t, Timestamp as_of) const {
  const int64_t at = t.millis();
  for (auto it = issues_.upper_bound(as_of.millis()); it != issues_.begin();) {
    const auto& targets = (--it)->second;
    auto after =
        std::lower_bound(targets.begin(), targets.end(), at,
                         [](const std::pair<int64_t, double>& target, int64_t time) { return target.first < time; });
    if (after == targets.end()) continue;
    if (after->first == at) return after->second;
    if (after == targets.begin()) continue;
    const auto before = std::prev(after);
    const double w = static_cast<double>(at - before->first) / static_cast<double>(after->first - before->first);
    return before->second + w * (after->second - before->second);
  }
  return NAN;
}

std::vector<double> ServiceRegressor::Over(const std::vector<Timestamp>& times) const {
  std::vector<double> out;
  out.reserve(times.size());
  for (Timestamp t : times) out.push_back(At(t, t));
  return out;
}

std::vector<double> ServiceRegressor::Ahead(Timestamp last, int64_t step_ms, int horizon) const {
  std::vector<double> out;
  for (int h = 1; h <= horizon; ++h) out.push_back(At(last.PlusMillis(step_ms * h), last));
  return out;
}

ServiceColumns ServiceColumnsFor(const ServiceRegressor& regressor, const std::vector<Timestamp>& times,
                                 int64_t step_ms, int horizon) {
  if (regressor.empty() || times.empty()) return {};
  return {{regressor.Over(times)}, {regressor.Ahead(times.back(), step_ms, horizon)}};
}

}  // namespace meteoflow::forecast
