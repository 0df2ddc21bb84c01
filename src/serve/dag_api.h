// The scheduler's REST API, in the shape of Apache Airflow's stable REST API where it fits:
//
//   GET   /api/dags                                             {"dags": [...], "total_entries": n}
//   GET   /api/dags/{dag_id}                                    one DAG, with its tasks
//   PATCH /api/dags/{dag_id}             {"is_paused": bool}    pause or unpause        (token)
//   GET   /api/dags/{dag_id}/dagRuns?limit=                     {"dag_runs": [...], "total_entries": n}
//   POST  /api/dags/{dag_id}/dagRuns     {"conf": {}, "logical_date": "..."}
//                                        queue a manual run; a scheduler picks it up    (token)
//   GET   /api/dags/{dag_id}/dagRuns/{run_id}/taskInstances     {"task_instances": [...]}
//   GET   /api/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try}   the log, text
//
// Calls marked (token) change state: with a token configured they need
// "Authorization: Bearer <token>" (401 otherwise); without one they are refused (403) unless the
// server is bound to a loopback address. The token is compared in constant time. A state change
// that looks cross-site is refused (403) whatever the token: Sec-Fetch-Site other than
// same-origin, an Origin other than this server, or a body that is not application/json.
// Errors are {"error": "..."} with 400, 401, 403 or 404.
//
// Thread-safety: handlers only read the DAG configs and go through RunMetadata, which serialises.
#pragma once

#include <string>
#include <vector>

#include "core/config.h"
#include "orchestrate/metadata.h"

namespace httplib {
class Server;
}

namespace meteoflow {

struct DagApiOptions {
  std::vector<DagConfig> dags;
  std::string token;          // empty: none
  bool loopback_only = true;  // bound to 127.0.0.1, ::1 or localhost
};

// True for an address only this machine reaches: 127.0.0.0/8, ::1 or localhost.
bool IsLoopbackHost(const std::string& host);

// The options the config gives: its DAGs, the token (MF_API_TOKEN wins over dashboard.token)
// and whether dashboard.host is loopback.
DagApiOptions DagApiOptionsFor(const Config& config);

void AddDagRoutes(httplib::Server& server, const DagApiOptions& options, RunMetadata& metadata);

}  // namespace meteoflow
