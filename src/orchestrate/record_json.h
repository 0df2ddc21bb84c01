// The one JSON shape of each scheduler record, in the shape of Apache Airflow's stable REST API
// (DAGRun, TaskInstance), written here and only here: the CLI's --json listings, the REST API
// under /api/dags and the dashboard's /api/runs all send these, and web/src/api.ts declares the
// same keys (tests/e2e/test_api_types.py checks the page's types against the server's output).
//
// Times are RFC 3339 UTC text or null; durations are seconds. Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "core/config.h"
#include "orchestrate/metadata.h"

namespace meteoflow {

// dag_run_id, dag_id, run_type, logical_date, data_interval_start, data_interval_end, state,
// queued_at, start_date, end_date, conf (an object; a conf that is not JSON is null).
nlohmann::ordered_json DagRunJson(const DagRunRecord& run);

// task_id, dag_id, dag_run_id, try_number, state, start_date, end_date, duration, message: one try.
nlohmann::ordered_json TaskTryJson(const std::string& dag_id, const TaskTryRecord& attempt);

// A task instance as its latest try shows it (`latest` may be null before the first try), plus
// its pool (from `task`, which may be null).
nlohmann::ordered_json TaskInstanceJson(const std::string& dag_id, const TaskInstanceRecord& instance,
                                        const TaskTryRecord* latest, const TaskConfig* task);

// The configured DAG with its pause state: dag_id, is_paused, schedule_interval, catchup,
// max_active_runs, start_date, params.
nlohmann::ordered_json DagJson(const DagConfig& dag, bool paused);

}  // namespace meteoflow
