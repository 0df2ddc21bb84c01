#include "orchestrate/live_ticker.h"

#include <algorithm>

#include "orchestrate/cron.h"

namespace meteoflow {
namespace {

constexpr int64_t kPollMs = 500;

Result<CronSchedule> ScheduleOf(const Pipeline& pipeline, const std::string& dag_id) {
  const DagConfig* dag = pipeline.dag(dag_id);
  if (!dag) return Status::InvalidArgument(pipeline.config().path + ": dags." + dag_id + ": required DAG is missing");
  return CronSchedule::Parse(dag->schedule);
}

// Sleeps on the pipeline's clock until `when`, or until should_stop; false when told to stop.
bool WaitUntil(Pipeline& pipeline, Timestamp when, const ReplayTickerOptions& options) {
  Clock& clock = pipeline.clock();
  while (!options.should_stop() && clock.Now() < when) {
    clock.Sleep(std::min(kPollMs, when.millis() - clock.Now().millis()));
  }
  return !options.should_stop();
}

void Report(const Result<RunSummary>& run, const ReplayTickerOptions& options) {
  if (!run.ok()) return options.on_error(run.status());
  options.on_run(*run);
  if (run->outcome.state != RunState::kSuccess) {
    options.on_error(Status::Internal("run " + run->outcome.run_id + " failed: " + run->outcome.first_error));
  }
}

}  // namespace

Result<Interval> LatestInterval(const Pipeline& pipeline, Timestamp now) {
  MF_ASSIGN_OR_RETURN(const CronSchedule cron, ScheduleOf(pipeline, "weather"));
  MF_ASSIGN_OR_RETURN(const Timestamp end, cron.Previous(now));
  MF_ASSIGN_OR_RETURN(const Timestamp start, cron.Previous(end.PlusMillis(-1)));
  return Interval{start, end};
}

Status RunLiveTicks(Pipeline& pipeline, const ReplayTickerOptions& options) {
  MF_ASSIGN_OR_RETURN(const CronSchedule weather, ScheduleOf(pipeline, "weather"));
  std::optional<CronSchedule> train, maintenance, nwp;
  if (pipeline.dag("train")) {
    MF_ASSIGN_OR_RETURN(train, ScheduleOf(pipeline, "train"));
  }
  if (pipeline.dag("maintenance")) {
    MF_ASSIGN_OR_RETURN(maintenance, ScheduleOf(pipeline, "maintenance"));
  }
  if (pipeline.dag("nwp")) {
    MF_ASSIGN_OR_RETURN(nwp, ScheduleOf(pipeline, "nwp"));
  }
  Clock& clock = pipeline.clock();
  for (bool first_tick = true; !options.should_stop(); first_tick = false) {
    MF_ASSIGN_OR_RETURN(const Timestamp tick, weather.Next(clock.Now()));
    if (!WaitUntil(pipeline, tick, options)) break;
    MF_ASSIGN_OR_RETURN(const Interval interval, LatestInterval(pipeline, tick));
    if (nwp) {  // before the weather run, so that its predict task has the newest forecast
      MF_ASSIGN_OR_RETURN(const Timestamp due, nwp->Previous(tick));
      if (due > interval.start || first_tick) {
        MF_ASSIGN_OR_RETURN(const Timestamp before, nwp->Previous(due.PlusMillis(-1)));
        Report(pipeline.RunDag("nwp", RunType::kScheduled, {before, due}), options);
      }
    }
    Report(pipeline.RunDag("weather", RunType::kScheduled, interval), options);
    if (train) {
      MF_ASSIGN_OR_RETURN(const Timestamp train_tick, train->Previous(tick));
      if (train_tick > interval.start) Report(RunTrainAt(pipeline, train_tick, RunType::kScheduled), options);
    }
    if (maintenance) {
      MF_ASSIGN_OR_RETURN(const Timestamp due, maintenance->Previous(tick));
      if (due > interval.start) {
        Report(pipeline.RunDag("maintenance", RunType::kScheduled, {due.PlusMillis(-86'400'000), due}), options);
      }
    }
  }
  return Status::OK();
}

}  // namespace meteoflow
