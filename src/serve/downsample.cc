#include "serve/downsample.h"

#include <algorithm>

namespace meteoflow {

std::vector<TimePoint> MinMaxPerBucket(const std::vector<TimePoint>& points, size_t max_points) {
  if (points.size() <= max_points || max_points < 2) return points;
  const size_t buckets = max_points / 2;
  const int64_t first = points.front().first, span = points.back().first - first + 1;
  std::vector<TimePoint> out;
  out.reserve(max_points);
  size_t i = 0;
  for (size_t b = 0; b < buckets && i < points.size(); ++b) {
    const int64_t end = first + static_cast<int64_t>(static_cast<double>(span) * static_cast<double>(b + 1) /
                                                     static_cast<double>(buckets));
    const size_t begin = i;
    while (i < points.size() && (points[i].first < end || b + 1 == buckets)) ++i;
    if (i == begin) continue;  // an empty bucket: a gap in the series
    size_t lo = begin, hi = begin;
    for (size_t j = begin; j < i; ++j) {
      if (points[j].second < points[lo].second) lo = j;
      if (points[j].second > points[hi].second) hi = j;
    }
    if (lo == hi) {
      out.push_back(points[lo]);
    } else {
      out.push_back(points[std::min(lo, hi)]);
      out.push_back(points[std::max(lo, hi)]);
    }
  }
  return out;
}

}  // namespace meteoflow
