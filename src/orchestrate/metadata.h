// RunMetadata: the scheduler's record of DAG runs and task tries, in SQLite (WAL) at
// <data-dir>/meta.db.
//
//   dag_runs        (run_id PK, dag_id, logical_date, interval_start, interval_end, state,
//                    started_at, ended_at)
//   task_instances  (run_id, task_id, try_number, state, started_at, ended_at, message;
//                    PK (run_id, task_id, try_number))
// States: running, success, failed, up_for_retry, upstream_failed. Every state change is
// committed before the work it describes goes on, so after a crash the record shows where the
// run stopped; MarkInterrupted turns runs left "running" by a dead process into "failed".
//
// Thread-safety: serialised internally.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/sqlite_db.h"

namespace meteoflow {

struct DagRunRecord {
  std::string run_id, dag_id, state;
  Timestamp logical_date;
  Interval interval;
  Timestamp started_at;
  std::optional<Timestamp> ended_at;
};

struct TaskTryRecord {
  std::string run_id, task_id, state, message;
  int try_number = 0;
  Timestamp started_at;
  std::optional<Timestamp> ended_at;
};

class RunMetadata {
 public:
  static Result<std::unique_ptr<RunMetadata>> Open(const std::string& path);

  Status StartRun(const DagRunRecord& run);
  Status EndRun(const std::string& run_id, const std::string& state, Timestamp ended_at);
  Status RecordTry(const TaskTryRecord& task);
  // Runs still "running" (their process died) become "failed"; returns how many.
  Result<int> MarkInterrupted(Timestamp now);
  // Newest first, at most `limit`.
  Result<std::vector<DagRunRecord>> Runs(int limit);
  Result<std::vector<TaskTryRecord>> Tries(const std::string& run_id);

 private:
  explicit RunMetadata(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
};

}  // namespace meteoflow
