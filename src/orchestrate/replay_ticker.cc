#include "orchestrate/replay_ticker.h"

#include <algorithm>
#include <charconv>

#include "orchestrate/cron.h"

namespace meteoflow {
namespace {

constexpr int64_t kReplayStepMs = int64_t{10} * 60 * 1000;
constexpr int64_t kCatchUpMs = int64_t{24} * 3600 * 1000;
constexpr int64_t kCatchUpSliceMs = int64_t{3600} * 1000;  // hourly runs: a day of predictions and errors
constexpr int64_t kPollMs = 500;

Status Reported(const RunSummary& s, const ReplayTickerOptions& options) {
  options.on_run(s);
  if (s.outcome.state != RunState::kSuccess) {
    return Status::Internal("run " + s.outcome.run_id + " failed: " + s.outcome.first_error);
  }
  return Status::OK();
}

// Runs DAG `id` when its schedule ticks inside `slice`: train over its window, the others over
// the day before the tick.
Status RunIfDue(Pipeline& pipeline, const std::string& id, const Interval& slice, const ReplayTickerOptions& options) {
  const DagConfig* dag = pipeline.dag(id);
  if (!dag) return Status::OK();
  MF_ASSIGN_OR_RETURN(CronSchedule cron, CronSchedule::Parse(dag->schedule));
  MF_ASSIGN_OR_RETURN(Timestamp tick, cron.Next(slice.start));
  if (tick > slice.end) return Status::OK();
  MF_ASSIGN_OR_RETURN(RunSummary s,
                      id == "train" ? RunTrainAt(pipeline, tick, RunType::kScheduled)
                                    : pipeline.RunDag(id, RunType::kScheduled, {tick.PlusMillis(-86'400'000), tick}));
  return Reported(s, options);
}

// Replays `slice`, moves the cursor to its end, then trains and maintains when their schedules
// tick inside the slice.
Status ReplaySlice(Pipeline& pipeline, const ReplayTickerOptions& options, Interval slice) {
  MF_ASSIGN_OR_RETURN(RunSummary s, pipeline.RunDag("weather", RunType::kScheduled, slice));
  MF_RETURN_IF_ERROR(pipeline.store().PutCheckpoints({{kReplayCursorCheckpoint, std::to_string(slice.end.millis())}}));
  MF_RETURN_IF_ERROR(Reported(s, options));
  MF_RETURN_IF_ERROR(RunIfDue(pipeline, "train", slice, options));
  return RunIfDue(pipeline, "maintenance", slice, options);
}

// The stored cursor, or the end of a first-start catch-up run now.
Result<Timestamp> Cursor(Pipeline& pipeline, const ReplayTickerOptions& options) {
  MF_ASSIGN_OR_RETURN(auto stored, pipeline.store().ListCheckpoints(kReplayCursorCheckpoint));
  if (auto it = stored.find(kReplayCursorCheckpoint); it != stored.end()) {
    int64_t ms = 0;
    const auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), ms);
    if (ec != std::errc() || end != it->second.data() + it->second.size()) {
      return Status::Corruption("checkpoint " + std::string(kReplayCursorCheckpoint) + ": not a time in ms: '" +
                                it->second + "'");
    }
    return Timestamp::FromMillis(ms);
  }
  const Timestamp now = pipeline.clock().Now();
  const Interval span = pipeline.replay_span().value_or(Interval{now, now});
  const Timestamp cursor = span.start.PlusMillis(kCatchUpMs);
  for (Timestamp t = span.start; t < cursor; t = t.PlusMillis(kCatchUpSliceMs)) {
    MF_RETURN_IF_ERROR(ReplaySlice(pipeline, options, {t, std::min(cursor, t.PlusMillis(kCatchUpSliceMs))}));
  }
  if (pipeline.dag("train")) {
    MF_ASSIGN_OR_RETURN(RunSummary trained, RunTrainAt(pipeline, cursor, RunType::kScheduled));
    MF_RETURN_IF_ERROR(Reported(trained, options));
  }
  return cursor;
}

}  // namespace

Result<RunSummary> RunTrainAt(Pipeline& pipeline, Timestamp date, RunType run_type) {
  const int64_t window_ms = int64_t{pipeline.config().forecast.window_days} * 86'400'000;
  return pipeline.RunDag("train", run_type, {date.PlusMillis(-window_ms), date});
}

Status RunReplayTicks(Pipeline& pipeline, const ReplayTickerOptions& options) {
  const DagConfig* dag = pipeline.dag("weather");
  if (!dag) return Status::InvalidArgument(pipeline.config().path + ": dags.weather: required DAG is missing");
  MF_ASSIGN_OR_RETURN(CronSchedule cron, CronSchedule::Parse(dag->schedule));
  MF_ASSIGN_OR_RETURN(Timestamp cursor, Cursor(pipeline, options));
  Clock& clock = pipeline.clock();
  while (!options.should_stop()) {
    MF_ASSIGN_OR_RETURN(const Timestamp next, cron.Next(clock.Now()));
    while (!options.should_stop() && clock.Now() < next) {
      clock.Sleep(std::min(kPollMs, next.millis() - clock.Now().millis()));
    }
    if (options.should_stop()) break;
    // A stretch the recording has nothing for is skipped: the slice moves to the next response.
    if (const auto next_response = pipeline.NextReplayed(cursor);
        next_response && !(*next_response < cursor.PlusMillis(kReplayStepMs))) {
      cursor = cursor.PlusMillis((next_response->millis() - cursor.millis()) / kReplayStepMs * kReplayStepMs);
    }
    const Status s = ReplaySlice(pipeline, options, {cursor, cursor.PlusMillis(kReplayStepMs)});
    if (!s.ok()) options.on_error(s);
    cursor = cursor.PlusMillis(kReplayStepMs);
  }
  return Status::OK();
}

}  // namespace meteoflow
