// Scheduler: turns DAG configs into runs and runs into task tries, Airflow's way.
//
// Runs. A DAG with a cron schedule has one run per data interval [tick, next tick); the run's
// logical date is the interval's start and it is created once the interval has ended. With
// catchup, every interval since start_date (or since the newest run) gets a run; without, only
// the latest one. Backfill creates the runs of every interval inside [from, to]. Runs are unique
// per (DAG, logical date, type) except manual ones, so a restarted scheduler or a repeated
// backfill never doubles a run. Paused DAGs get no scheduled runs.
//
// Tasks. Each pass (Tick) starts queued runs while the DAG has fewer than max_active_runs
// running, decides every waiting task by its trigger rule over its upstream tasks' states
// (all_success, all_done, one_failed, none_failed -- a rule that can no longer hold marks the
// task upstream_failed or skipped), and dispatches ready tasks to the executor on worker
// threads, as far as their pool's slots and the overall parallelism allow. A failed try is
// retried after retry_delay (doubled per try with exponential backoff, capped) until its
// retries are used up. A run ends when all its tasks have: failed if a leaf task (one without
// downstream tasks) failed or is upstream_failed, else success. A try that fails with
// PermissionDenied (refused credentials) is not retried: no retry can fix it. Each try writes its output to
// <logs_dir>/<dag>/<run>/<task>.<try>.log.
//
// Crash safety: every state change is committed to RunMetadata before the work it describes.
// Recover, called once at start, treats tries left running or queued by a dead scheduler as
// failed ("the scheduler died"): their children are killed, and they go to up_for_retry or
// failed like any other failure; their runs carry on.
//
// Lifecycle: construct, call Recover once before the first Tick (only in the process that
// schedules: a `tasks run` child or a worker must not, or it would fail tries still running
// elsewhere), then Tick or Drain. The destructor stops dispatching and joins every worker thread,
// so it waits for the tries running in this process to end (in-process stages cannot be
// stopped; children run to completion or their timeout); their outcomes are not recorded, so
// those tries stay "running" in meta.db until the next Recover marks them interrupted.
//
// Thread-safety: Tick, Drain and the run-creating calls belong to one thread; tries run on
// worker threads the scheduler owns and joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "orchestrate/executor.h"
#include "orchestrate/metadata.h"

namespace meteoflow {

struct SchedulerOptions {
  int parallelism = 32;    // tries running at once, over all pools
  std::string logs_dir;    // per-try log files
  Clock* clock = nullptr;  // the time runs and tries record and retries wait on; null: SystemClock()
};

// Records a run of `dag` over `interval` with all its task instances scheduled (what CreateRun
// and the REST API's trigger do); its conf is the DAG's params overridden by `conf_json`. An
// existing non-manual run of that interval is returned as is.
Result<DagRunRecord> CreateRunRecord(RunMetadata& metadata, const DagConfig& dag, RunType run_type,
                                     const Interval& interval, const std::string& conf_json, Timestamp now);

class Scheduler {
 public:
  Scheduler(std::vector<DagConfig> dags, std::map<std::string, int> pools, RunMetadata& metadata,
            TaskExecutor& executor, SchedulerOptions options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Marks tries left running or queued by a dead scheduler as interrupted (killing their process
  // groups) and schedules their tasks again without counting a retry. Call once, before Tick.
  Status Recover(Timestamp now);
  // The scheduled runs due by `now`, as created.
  Result<std::vector<DagRunRecord>> CreateDueRuns(Timestamp now);
  // Backfill runs for every interval starting at or after `from` and ending at or before `to`
  // (those that exist already are returned too, unchanged).
  Result<std::vector<DagRunRecord>> Backfill(const std::string& dag_id, Timestamp from, Timestamp to);
  // A run of the given type over `interval` (a manual trigger, a replay slice).
  Result<DagRunRecord> CreateRun(const std::string& dag_id, RunType run_type, const Interval& interval,
                                 const std::string& conf_json);
  // One scheduling pass; true while any run is queued or running.
  Result<bool> Tick(Timestamp now);
  // Ticks until no run is queued or running, or should_stop says so (then it starts nothing new
  // and waits for the tries already running), or `deadline` passes (tries keep running; the next
  // Tick or Drain takes their results). Wakes on every finished try, so dispatch latency stays small.
  Status Drain(const std::function<bool()>& should_stop = nullptr,
               std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);

  const DagConfig* dag(const std::string& id) const;

 private:
  struct Finished {
    std::string run_id, task_id;
    int try_number;
    Status status;
  };
  Status StartQueuedRuns(Timestamp now);
  Status AdvanceRun(DagRunRecord& run, Timestamp now, bool* active);
  Status Dispatch(const DagConfig& dag, const DagRunRecord& run, TaskInstanceRecord& ti, Timestamp now);
  Status Complete(const Finished& f, Timestamp now);
  Status FinishTries(Timestamp now);
  std::string LogPath(const std::string& dag_id, const std::string& run_id, const std::string& task_id,
                      int try_number) const;

  const TaskConfig* FindTask(const std::string& dag_id, const std::string& task_id) const;

  std::vector<DagConfig> dags_;
  std::unordered_map<std::string, std::unordered_map<std::string, const TaskConfig*>> tasks_;
  std::map<std::string, int> pools_;
  RunMetadata& metadata_;
  TaskExecutor& executor_;
  SchedulerOptions options_;
  Clock& clock_;
  std::map<std::string, int> pool_in_use_;
  int running_ = 0;
  bool stopping_ = false;               // dispatch nothing new
  int64_t changes_ = 0;                 // state changes made, so Drain knows whether to look again at once
  std::optional<Timestamp> next_wake_;  // earliest retry due

  std::mutex mu_;
  std::condition_variable finished_cv_;
  std::deque<Finished> finished_;
  std::map<std::string, std::thread> workers_;  // by run id and task id
};

}  // namespace meteoflow
