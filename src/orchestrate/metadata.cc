#include "orchestrate/metadata.h"

namespace meteoflow {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS dag_run (run_id TEXT PRIMARY KEY, dag_id TEXT NOT NULL, run_type TEXT NOT NULL, "
    "logical_date TEXT NOT NULL, interval_start TEXT NOT NULL, interval_end TEXT NOT NULL, state TEXT NOT NULL, "
    "conf TEXT NOT NULL, queued_at TEXT NOT NULL, started_at TEXT, ended_at TEXT);"
    "CREATE UNIQUE INDEX IF NOT EXISTS dag_run_interval ON dag_run (dag_id, logical_date, run_type) "
    "WHERE run_type != 'manual';"
    "CREATE TABLE IF NOT EXISTS task_instance (run_id TEXT NOT NULL, task_id TEXT NOT NULL, state TEXT NOT NULL, "
    "try_number INTEGER NOT NULL, next_try_at TEXT, pid INTEGER NOT NULL, ord INTEGER NOT NULL, "
    "PRIMARY KEY (run_id, task_id));"
    "CREATE TABLE IF NOT EXISTS task_try (run_id TEXT NOT NULL, task_id TEXT NOT NULL, try_number INTEGER NOT NULL, "
    "state TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, message TEXT NOT NULL, log_path TEXT NOT NULL, "
    "PRIMARY KEY (run_id, task_id, try_number));"
    "CREATE TABLE IF NOT EXISTS dag_pause (dag_id TEXT PRIMARY KEY, paused INTEGER NOT NULL);";

constexpr const char* kRunColumns =
    "run_id, dag_id, run_type, logical_date, interval_start, interval_end, state, conf, queued_at, started_at, "
    "ended_at";

Timestamp TimeOr(const std::string& text) { return ParseSqlTime(text).value_or(Timestamp()); }

// An enum read back from meta.db: a name the code does not know means the file is not ours.
template <typename E>
Result<E> Stored(Result<E> parsed, const std::string& where) {
  if (!parsed.ok()) return Status::Corruption("meta.db: " + where + ": " + parsed.status().message());
  return parsed;
}

std::string Text(std::string_view name) { return std::string(name); }

}  // namespace

Result<std::unique_ptr<RunMetadata>> RunMetadata::Open(const std::string& path) {
  MF_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  // WAL with synchronous=NORMAL: a commit survives the process dying (kill -9) at once, and a
  // power cut up to the last checkpoint; it saves an fsync per state change, which is most of
  // what dispatching a task costs.
  MF_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=NORMAL"));
  MF_RETURN_IF_ERROR(db->ExecSchema(kSchema));
  return std::unique_ptr<RunMetadata>(new RunMetadata(std::move(db)));
}

Result<bool> RunMetadata::CreateRun(const DagRunRecord& run, const std::vector<std::string>& task_ids) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  auto attempt = [&]() -> Result<bool> {
    MF_ASSIGN_OR_RETURN(auto insert, db_->Prepare(std::string("INSERT OR IGNORE INTO dag_run (") + kRunColumns +
                                                  ") VALUES (?,?,?,?,?,?,?,?,?,?,?)"));
    const SqlValue values[] = {run.run_id,
                               run.dag_id,
                               Text(Name(run.run_type)),
                               SqlTime(run.logical_date),
                               SqlTime(run.interval.start),
                               SqlTime(run.interval.end),
                               Text(Name(run.state)),
                               run.conf,
                               SqlTime(run.queued_at),
                               SqlTime(run.started_at),
                               SqlTime(run.ended_at)};
    for (size_t i = 0; i < std::size(values); ++i) insert->Bind(static_cast<int>(i + 1), values[i]);
    MF_RETURN_IF_ERROR(insert->Run());
    MF_ASSIGN_OR_RETURN(auto changed, db_->Prepare("SELECT changes()"));
    MF_ASSIGN_OR_RETURN(bool row, changed->Step());
    if (!row || changed->ColumnInt(0) == 0) return false;
    MF_ASSIGN_OR_RETURN(auto ti, db_->Prepare("INSERT INTO task_instance VALUES (?, ?, 'scheduled', 0, NULL, 0, ?)"));
    for (size_t i = 0; i < task_ids.size(); ++i) {
      ti->Bind(1, run.run_id);
      ti->Bind(2, task_ids[i]);
      ti->Bind(3, static_cast<int64_t>(i));
      MF_RETURN_IF_ERROR(ti->Run());
    }
    return true;
  };
  Result<bool> created = attempt();
  const Status end = db_->Exec(created.ok() ? "COMMIT" : "ROLLBACK");
  if (!created.ok()) return created;
  MF_RETURN_IF_ERROR(end);
  return created;
}

Status RunMetadata::UpdateRun(const DagRunRecord& run) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt,
                      db_->Prepare("UPDATE dag_run SET state = ?, started_at = ?, ended_at = ? WHERE run_id = ?"));
  stmt->Bind(1, Text(Name(run.state)));
  stmt->Bind(2, SqlTime(run.started_at));
  stmt->Bind(3, SqlTime(run.ended_at));
  stmt->Bind(4, run.run_id);
  return stmt->Run();
}

Result<std::vector<DagRunRecord>> RunMetadata::QueryRuns(const std::string& where, const std::vector<SqlValue>& args,
                                                         const std::string& tail) {
  MF_ASSIGN_OR_RETURN(auto stmt,
                      db_->Prepare(std::string("SELECT ") + kRunColumns + " FROM dag_run " + where + " " + tail));
  for (size_t i = 0; i < args.size(); ++i) stmt->Bind(static_cast<int>(i + 1), args[i]);
  std::vector<DagRunRecord> out;
  while (true) {
    MF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    DagRunRecord r;
    r.run_id = stmt->ColumnText(0);
    r.dag_id = stmt->ColumnText(1);
    MF_ASSIGN_OR_RETURN(r.run_type, Stored(ParseRunType(stmt->ColumnText(2)), "run " + r.run_id));
    r.logical_date = TimeOr(stmt->ColumnText(3));
    r.interval = {TimeOr(stmt->ColumnText(4)), TimeOr(stmt->ColumnText(5))};
    MF_ASSIGN_OR_RETURN(r.state, Stored(ParseRunState(stmt->ColumnText(6)), "run " + r.run_id));
    r.conf = stmt->ColumnText(7);
    r.queued_at = TimeOr(stmt->ColumnText(8));
    r.started_at = ParseSqlTime(stmt->ColumnText(9));
    r.ended_at = ParseSqlTime(stmt->ColumnText(10));
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::optional<DagRunRecord>> RunMetadata::Run(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto runs, QueryRuns("WHERE run_id = ?", {run_id}, ""));
  if (runs.empty()) return std::optional<DagRunRecord>();
  return std::optional<DagRunRecord>(std::move(runs[0]));
}

Result<std::vector<DagRunRecord>> RunMetadata::Runs(const std::string& dag_id, int limit,
                                                    const std::vector<RunState>& states) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string where = "WHERE (?1 = '' OR dag_id = ?1)";
  std::vector<SqlValue> args = {dag_id};
  if (!states.empty()) {
    where += " AND state IN (";
    for (size_t i = 0; i < states.size(); ++i) {
      where += (i ? ", ?" : "?") + std::to_string(i + 2);
      args.push_back(Text(Name(states[i])));
    }
    where += ")";
  }
  return QueryRuns(where, args, "ORDER BY logical_date DESC, queued_at DESC LIMIT " + std::to_string(limit));
}

Result<std::optional<Timestamp>> RunMetadata::LatestLogicalDate(const std::string& dag_id) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT max(logical_date) FROM dag_run WHERE dag_id = ? AND "
                                              "run_type IN ('scheduled', 'backfill')"));
  stmt->Bind(1, dag_id);
  MF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  if (!row) return std::optional<Timestamp>();
  return ParseSqlTime(stmt->ColumnText(0));
}

Result<std::vector<TaskInstanceRecord>> RunMetadata::TaskInstances(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT run_id, task_id, state, try_number, next_try_at, pid FROM "
                                              "task_instance WHERE run_id = ? ORDER BY ord"));
  stmt->Bind(1, run_id);
  std::vector<TaskInstanceRecord> out;
  while (true) {
    MF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    TaskInstanceRecord ti{stmt->ColumnText(0),
                          stmt->ColumnText(1),
                          TaskState::kScheduled,
                          static_cast<int>(stmt->ColumnInt(3)),
                          ParseSqlTime(stmt->ColumnText(4)),
                          stmt->ColumnInt(5)};
    MF_ASSIGN_OR_RETURN(ti.state, Stored(ParseTaskState(stmt->ColumnText(2)), "task " + ti.run_id + "." + ti.task_id));
    out.push_back(std::move(ti));
  }
  return out;
}

Status RunMetadata::UpdateTaskInstance(const TaskInstanceRecord& ti) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("UPDATE task_instance SET state = ?, try_number = ?, next_try_at = ?, "
                                              "pid = ? WHERE run_id = ? AND task_id = ?"));
  stmt->Bind(1, Text(Name(ti.state)));
  stmt->Bind(2, static_cast<int64_t>(ti.try_number));
  stmt->Bind(3, SqlTime(ti.next_try_at));
  stmt->Bind(4, ti.pid);
  stmt->Bind(5, ti.run_id);
  stmt->Bind(6, ti.task_id);
  return stmt->Run();
}

Status RunMetadata::RecordTry(const TaskTryRecord& t) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT INTO task_try VALUES (?,?,?,?,?,?,?,?) "
                                              "ON CONFLICT (run_id, task_id, try_number) DO UPDATE SET "
                                              "state = excluded.state, ended_at = excluded.ended_at, "
                                              "message = excluded.message"));
  stmt->Bind(1, t.run_id);
  stmt->Bind(2, t.task_id);
  stmt->Bind(3, static_cast<int64_t>(t.try_number));
  stmt->Bind(4, Text(Name(t.state)));
  stmt->Bind(5, SqlTime(t.started_at));
  stmt->Bind(6, SqlTime(t.ended_at));
  stmt->Bind(7, t.message);
  stmt->Bind(8, t.log_path);
  return stmt->Run();
}

Result<std::vector<TaskTryRecord>> RunMetadata::Tries(const std::string& run_id, const std::string& task_id) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt,
                      db_->Prepare("SELECT t.run_id, t.task_id, t.state, t.message, t.log_path, t.try_number, "
                                   "t.started_at, t.ended_at FROM task_try AS t JOIN task_instance AS i ON "
                                   "i.run_id = t.run_id AND i.task_id = t.task_id WHERE t.run_id = ?1 AND "
                                   "(?2 = '' OR t.task_id = ?2) ORDER BY i.ord, t.try_number"));
  stmt->Bind(1, run_id);
  stmt->Bind(2, task_id);
  std::vector<TaskTryRecord> out;
  while (true) {
    MF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    TaskTryRecord t{stmt->ColumnText(0),         stmt->ColumnText(1),
                    TaskState::kRunning,         stmt->ColumnText(3),
                    stmt->ColumnText(4),         static_cast<int>(stmt->ColumnInt(5)),
                    TimeOr(stmt->ColumnText(6)), ParseSqlTime(stmt->ColumnText(7))};
    MF_ASSIGN_OR_RETURN(t.state, Stored(ParseTaskState(stmt->ColumnText(2)), "try of " + t.run_id + "." + t.task_id));
    out.push_back(std::move(t));
  }
  return out;
}

Result<bool> RunMetadata::Paused(const std::string& dag_id) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("SELECT paused FROM dag_pause WHERE dag_id = ?"));
  stmt->Bind(1, dag_id);
  MF_ASSIGN_OR_RETURN(bool row, stmt->Step());
  return row && stmt->ColumnInt(0) != 0;
}

Status RunMetadata::SetPaused(const std::string& dag_id, bool paused) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare("INSERT INTO dag_pause VALUES (?, ?) ON CONFLICT (dag_id) DO UPDATE "
                                              "SET paused = excluded.paused"));
  stmt->Bind(1, dag_id);
  stmt->Bind(2, static_cast<int64_t>(paused ? 1 : 0));
  return stmt->Run();
}

Result<std::string> RunMetadata::ChangeMarker() {
  std::lock_guard<std::mutex> lock(mu_);
  std::string marker;
  for (const char* sql : {"PRAGMA data_version", "SELECT total_changes()"}) {
    MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(sql));
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (has_row) marker += stmt->ColumnText(0) + ":";
  }
  return marker;
}

}  // namespace meteoflow
