#include "forecast/series.h"

namespace meteoflow::forecast {

RegularSeries Resample(const std::vector<std::pair<Timestamp, double>>& points, int64_t step_ms,
                       int64_t max_gap_steps) {
  RegularSeries out;
  out.step_ms = step_ms;
  if (points.empty()) return out;
  const int64_t origin = points.front().first.FloorTo(step_ms).millis();
  const size_t steps = static_cast<size_t>((points.back().first.millis() - origin) / step_ms) + 1;
  std::vector<double> sum(steps, 0.0);
  std::vector<int> count(steps, 0);
  for (const auto& [t, v] : points) {
    const size_t step = static_cast<size_t>((t.millis() - origin) / step_ms);
    sum[step] += v;
    ++count[step];
  }
  size_t first = 0, last = 0;  // the stretch kept starts at `first`; `last` has observations
  std::vector<double> y(steps);
  for (size_t i = 0; i < steps; ++i) {
    if (count[i] == 0) continue;
    y[i] = sum[i] / count[i];
    if (max_gap_steps >= 0 && static_cast<int64_t>(i - last) - 1 > max_gap_steps) {
      first = i;
    } else {
      for (size_t gap = last + 1; gap < i; ++gap) {
        y[gap] = y[last] + (y[i] - y[last]) * static_cast<double>(gap - last) / static_cast<double>(i - last);
      }
    }
    last = i;
  }
  out.start = Timestamp::FromMillis(origin + static_cast<int64_t>(first) * step_ms);
  out.values.assign(y.begin() + static_cast<ptrdiff_t>(first), y.end());
  return out;
}

}  // namespace meteoflow::forecast
