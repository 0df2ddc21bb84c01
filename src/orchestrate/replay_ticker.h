// ReplayTicker: what `meteoflow run` does on a recording. At every tick of the weather DAG's
// schedule (on the pipeline's clock) it replays the next 10 minutes of the recording after a
// cursor kept in the store (checkpoint `replay/cursor`), so a restart goes on where it stopped.
// A stretch of the recording with nothing in it (the demo's four days between the export and
// the real snapshots) is skipped: the next tick replays the 10 minutes holding the next response.
// The train and maintenance DAGs run whenever their own schedules tick inside a replayed slice
// (replayed time).
// On the first start (no cursor) it catches up on the recording's first 24 hours, in hourly runs
// (so there are predictions, and scored errors, across that day), and trains, so the dashboard
// has data and fitted models at once.
//
// Thread-safety: runs on the calling thread until should_stop says so; the pipeline is used by
// it alone meanwhile.
#pragma once

#include <functional>

#include "orchestrate/pipeline.h"

namespace meteoflow {

inline constexpr const char* kReplayCursorCheckpoint = "replay/cursor";

struct ReplayTickerOptions {
  std::function<void(const RunSummary&)> on_run;  // after every run, failed or not
  std::function<void(const Status&)> on_error;    // a tick that failed; ticking goes on
  std::function<bool()> should_stop;              // asked between ticks and while waiting
};

// Ticks until should_stop. A failed run during the first catch-up returns its error; later
// failures go to on_error and the next tick replays the next slice.
Status RunReplayTicks(Pipeline& pipeline, const ReplayTickerOptions& options);

// The train DAG's run for logical date `date`: its data interval is forecast.window_days before it.
Result<RunSummary> RunTrainAt(Pipeline& pipeline, Timestamp date, RunType run_type);

}  // namespace meteoflow
