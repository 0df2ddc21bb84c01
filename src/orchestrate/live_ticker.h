// LiveTicker: what `meteoflow run` does with live sources. At every tick of the weather DAG's
// schedule on the pipeline's clock (real UTC time in the binary, a simulated clock in tests) it
// runs the weather DAG over the interval that just ended, [previous tick, tick), so the live
// sources collect "now"; the train and maintenance DAGs run when their own schedules tick, and the
// nwp DAG (the weather service's forecast) too -- before the weather run of that tick, and at the
// first tick of the process, so that a fresh start has a forecast within one tick. Missed ticks (the
// process was down) are not caught up: a live source cannot fetch the past (see
// collect/live_source.h), and `meteoflow history` is the way to fill a gap.
//
// Thread-safety: runs on the calling thread until should_stop says so.
#pragma once

#include "orchestrate/pipeline.h"
#include "orchestrate/replay_ticker.h"

namespace meteoflow {

// The interval of the weather DAG that ended last at `now`: [tick before, last tick at or before now).
Result<Interval> LatestInterval(const Pipeline& pipeline, Timestamp now);

// Ticks until should_stop; failed runs go to on_error (and on_run) and ticking goes on.
Status RunLiveTicks(Pipeline& pipeline, const ReplayTickerOptions& options);

}  // namespace meteoflow
