// RunMetadata: the scheduler's state in SQLite (WAL) at <data-dir>/meta.db -- DAG runs, task
// instances (the current state of each task of a run), every try with its log file, and which
// DAGs are paused.
//
//   dag_run        (run_id PK, dag_id, run_type, logical_date, interval_start, interval_end, state,
//                   conf, queued_at, started_at, ended_at); unique (dag_id, logical_date, run_type)
//                   for all but manual runs
//   task_instance  (run_id, task_id, state, try_number, next_try_at, pid; PK (run_id, task_id))
//   task_try       (run_id, task_id, try_number, state, started_at, ended_at, message, log_path;
//                   PK (run_id, task_id, try_number))
//   dag_pause      (dag_id PK, paused)
// States are stored by their names (orchestrate/states.h); a row whose state or run type is not
// one of them reads as Corruption naming the run. Every change is committed before the work it
// describes goes on, so after a crash the record shows where each run stopped.
//
// Thread-safety: serialised internally.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "orchestrate/states.h"
#include "store/sqlite_db.h"

namespace meteoflow {

struct DagRunRecord {
  std::string run_id, dag_id;
  RunType run_type = RunType::kManual;
  RunState state = RunState::kQueued;
  Timestamp logical_date;
  Interval interval;
  std::string conf = "{}";  // JSON object: run parameters
  Timestamp queued_at;
  std::optional<Timestamp> started_at, ended_at;
};

struct TaskInstanceRecord {
  std::string run_id, task_id;
  TaskState state = TaskState::kScheduled;
  int try_number = 0;                    // tries started so far
  std::optional<Timestamp> next_try_at;  // up_for_retry: not before
  int64_t pid = 0;                       // a subprocess running it, while running
};

struct TaskTryRecord {
  std::string run_id, task_id;
  TaskState state = TaskState::kRunning;
  std::string message, log_path;
  int try_number = 0;
  Timestamp started_at;
  std::optional<Timestamp> ended_at;
};

class RunMetadata {
 public:
  static Result<std::unique_ptr<RunMetadata>> Open(const std::string& path);

  // Creates a run and its task instances in one transaction. False (and nothing written) when
  // the DAG already has a run of this type at this logical date -- so a scheduler restarted after
  // a crash, or a repeated backfill, never doubles a run.
  Result<bool> CreateRun(const DagRunRecord& run, const std::vector<std::string>& task_ids);
  Status UpdateRun(const DagRunRecord& run);
  Result<std::optional<DagRunRecord>> Run(const std::string& run_id);
  // Newest logical date first; empty dag_id = every DAG; empty states = any.
  Result<std::vector<DagRunRecord>> Runs(const std::string& dag_id, int limit,
                                         const std::vector<RunState>& states = {});
  // The latest logical date of the DAG's scheduled and backfill runs, if any.
  Result<std::optional<Timestamp>> LatestLogicalDate(const std::string& dag_id);

  Result<std::vector<TaskInstanceRecord>> TaskInstances(const std::string& run_id);
  Status UpdateTaskInstance(const TaskInstanceRecord& ti);
  Status RecordTry(const TaskTryRecord& t);
  // Every try of the run (of one task when task_id is set), by task then try number.
  Result<std::vector<TaskTryRecord>> Tries(const std::string& run_id, const std::string& task_id = "");

  // Text that changes whenever any process commits a change to the metadata (a run or task state,
  // a try): SQLite's data_version (others' commits) and this connection's total_changes (its own).
  // Cheap enough to poll several times a second.
  Result<std::string> ChangeMarker();

  Result<bool> Paused(const std::string& dag_id);
  Status SetPaused(const std::string& dag_id, bool paused);

 private:
  explicit RunMetadata(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Result<std::vector<DagRunRecord>> QueryRuns(const std::string& where, const std::vector<SqlValue>& args,
                                              const std::string& tail);
  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace meteoflow
