// Server-side downsampling of time series for drawing: a year of 10-minute readings is 52,560
// points per variable, far more than a chart is wide.
//
// MinMaxPerBucket splits the series' time span into max_points / 2 equal buckets and keeps, per
// bucket, its lowest and its highest point (in time order; one point when they coincide), so
// peaks and troughs survive. Series of at most max_points come back unchanged.
// Input must be ordered by time. Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace meteoflow {

using TimePoint = std::pair<int64_t, double>;  // (epoch millis, value)

std::vector<TimePoint> MinMaxPerBucket(const std::vector<TimePoint>& points, size_t max_points);

}  // namespace meteoflow
