#include "orchestrate/metadata.h"

namespace meteoflow {
Result<std::unique_ptr<RunMetadata>> RunMetadata::Open(const std::string& path) {
  MF_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  MF_RETURN_IF_ERROR(db->ExecSchema(
      "CREATE TABLE IF NOT EXISTS dag_runs (run_id TEXT PRIMARY KEY, dag_id TEXT NOT NULL, logical_date TEXT NOT NULL, "
      "interval_start TEXT NOT NULL, interval_end TEXT NOT NULL, state TEXT NOT NULL, started_at TEXT NOT NULL, "
      "ended_at TEXT);"
      "CREATE TABLE IF NOT EXISTS task_instances (run_id TEXT NOT NULL, task_id TEXT NOT NULL, try_number INTEGER NOT "
      "NULL, "
      "state TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, message TEXT NOT NULL DEFAULT '', "
      "PRIMARY KEY (run_id, task_id, try_number));"));
  return std::unique_ptr<RunMetadata>(new RunMetadata(std::move(db)));
}

Status RunMetadata::StartRun(const DagRunRecord& run) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT OR REPLACE INTO dag_runs VALUES (?,?,?,?,?,?,?,?)"));
  stmt->Bind(1, run.run_id);
  stmt->Bind(2, run.dag_id);
  stmt->Bind(3, run.logical_date.ToFixedString());
  stmt->Bind(4, run.interval.start.ToFixedString());
  stmt->Bind(5, run.interval.end.ToFixedString());
  stmt->Bind(6, run.state);
  stmt->Bind(7, run.started_at.ToFixedString());
  stmt->Bind(8, SqlTime(run.ended_at));
  return stmt->Run();
}

Status RunMetadata::EndRun(const std::string& run_id, const std::string& state, Timestamp ended_at) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("UPDATE dag_runs SET state = ?, ended_at = ? WHERE run_id = ?"));
  stmt->Bind(1, state);
  stmt->Bind(2, ended_at.ToFixedString());
  stmt->Bind(3, run_id);
  return stmt->Run();
}

Status RunMetadata::RecordTry(const TaskTryRecord& t) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT INTO task_instances VALUES (?,?,?,?,?,?,?) "
                                              "ON CONFLICT (run_id, task_id, try_number) DO UPDATE SET "
                                              "state = excluded.state, started_at = excluded.started_at, "
                                              "ended_at = excluded.ended_at, message = excluded.message"));
  stmt->Bind(1, t.run_id);
  stmt->Bind(2, t.task_id);
  stmt->Bind(3, static_cast<int64_t>(t.try_number));
  stmt->Bind(4, t.state);
  stmt->Bind(5, t.started_at.ToFixedString());
  stmt->Bind(6, SqlTime(t.ended_at));
  stmt->Bind(7, t.message);
  return stmt->Run();
}

Result<int> RunMetadata::MarkInterrupted(Timestamp now) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto count, db_->Prepare("SELECT count(*) FROM dag_runs WHERE state = 'running'"));
  MF_ASSIGN_OR_RETURN(bool has_row, count->Step());
  const int n = has_row ? static_cast<int>(count->ColumnInt(0)) : 0;
  MF_ASSIGN_OR_RETURN(auto runs,
                      db_->Prepare("UPDATE dag_runs SET state = 'failed', ended_at = ? WHERE state = 'running'"));
  runs->Bind(1, now.ToFixedString());
  MF_RETURN_IF_ERROR(runs->Run());
  MF_ASSIGN_OR_RETURN(
      auto tries,
      db_->Prepare(
          "UPDATE task_instances SET state = 'failed', ended_at = ?, message = 'interrupted: the process died' "
          "WHERE state = 'running'"));
  tries->Bind(1, now.ToFixedString());
  MF_RETURN_IF_ERROR(tries->Run());
  return n;
}

Result<std::vector<DagRunRecord>> RunMetadata::Runs(int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt,
                      db_->Prepare("SELECT run_id, dag_id, logical_date, interval_start, interval_end, state, "
                                   "started_at, ended_at FROM dag_runs ORDER BY started_at DESC LIMIT ?"));
  stmt->Bind(1, static_cast<int64_t>(limit));
  std::vector<DagRunRecord> out;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    DagRunRecord r;
    r.run_id = stmt->ColumnText(0);
    r.dag_id = stmt->ColumnText(1);
    MF_ASSIGN_OR_RETURN(r.logical_date, Timestamp::Parse(stmt->ColumnText(2)));
    MF_ASSIGN_OR_RETURN(r.interval.start, Timestamp::Parse(stmt->ColumnText(3)));
    MF_ASSIGN_OR_RETURN(r.interval.end, Timestamp::Parse(stmt->ColumnText(4)));
    r.state = stmt->ColumnText(5);
    MF_ASSIGN_OR_RETURN(r.started_at, Timestamp::Parse(stmt->ColumnText(6)));
    r.ended_at = ParseSqlTime(stmt->ColumnText(7));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<TaskTryRecord>> RunMetadata::Tries(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT task_id, try_number, state, started_at, ended_at, message FROM "
                                              "task_instances WHERE run_id = ? ORDER BY started_at, rowid"));
  stmt->Bind(1, run_id);
  std::vector<TaskTryRecord> out;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    TaskTryRecord t;
    t.run_id = run_id;
    t.task_id = stmt->ColumnText(0);
    t.try_number = static_cast<int>(stmt->ColumnInt(1));
    t.state = stmt->ColumnText(2);
    MF_ASSIGN_OR_RETURN(t.started_at, Timestamp::Parse(stmt->ColumnText(3)));
    t.ended_at = ParseSqlTime(stmt->ColumnText(4));
    t.message = stmt->ColumnText(5);
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace meteoflow
