#include "forecast/models/series.h"

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
  size_t last = 0;  // the last step with observations
  for (size_t i = 0; i < steps; ++i) {
    if (count[i] == 0) continue;
    const double value = sum[i] / count[i];
    const int64_t gap = static_cast<int64_t>(i - last) - 1;
    if (i > 0 && max_gap_steps >= 0 && gap > max_gap_steps) {
      ++out.cut_gaps;
    } else {
      const double before = out.values.empty() ? value : out.values.back();
      for (size_t k = last + 1; k < i; ++k) {
        out.values.push_back(before + (value - before) * static_cast<double>(k - last) / static_cast<double>(i - last));
        out.times.push_back(Timestamp::FromMillis(origin + static_cast<int64_t>(k) * step_ms));
      }
    }
    out.values.push_back(value);
    out.times.push_back(Timestamp::FromMillis(origin + static_cast<int64_t>(i) * step_ms));
    last = i;
  }
  out.first_step = Timestamp::FromMillis(origin);
  out.last_step = Timestamp::FromMillis(origin + static_cast<int64_t>(last) * step_ms);
  return out;
}

}  // namespace meteoflow::forecast
