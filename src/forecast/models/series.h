// Irregular observations -> a regular series, the form every forecaster takes.
//
// The rule (documented for users in `meteoflow model fit --help` and docs/FORECASTING.md):
// steps of `step_ms` aligned to multiples of step_ms since the epoch, from the first
// observation's step to the last one's; a step's value is the mean of the observations inside
// it; steps without any are filled by linear interpolation between their neighbours -- unless a
// run of empty steps is longer than `max_gap_steps`, in which case the series restarts after the
// gap (what came before is too far to bridge honestly). Points must be sorted by time.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "core/time.h"

namespace meteoflow::forecast {

struct RegularSeries {
  Timestamp first_step, last_step;  // start times of the first and last steps
  int64_t step_ms = 0;
  std::vector<double> values;
  std::vector<Timestamp> times;  // the start of each value's step (not evenly spaced across cut gaps)
  int64_t cut_gaps = 0;          // gaps longer than max_gap_steps that were cut out
};

// `points` sorted by time, non-empty; max_gap_steps < 0 means no limit.
RegularSeries Resample(const std::vector<std::pair<Timestamp, double>>& points, int64_t step_ms,
                       int64_t max_gap_steps = -1);

}  // namespace meteoflow::forecast
