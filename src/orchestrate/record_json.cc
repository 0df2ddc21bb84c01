#include "orchestrate/record_json.h"

namespace meteoflow {
namespace {

using nlohmann::ordered_json;

ordered_json Time(const std::optional<Timestamp>& t) { return t ? ordered_json(t->ToString()) : ordered_json(); }

ordered_json Seconds(Timestamp start, const std::optional<Timestamp>& end) {
  return end ? ordered_json((end->millis() - start.millis()) / 1000.0) : ordered_json();
}

}  // namespace

ordered_json DagRunJson(const DagRunRecord& run) {
  ordered_json conf = ordered_json::parse(run.conf, nullptr, false);
  if (conf.is_discarded()) conf = nullptr;
  return {{"dag_run_id", run.run_id},
          {"dag_id", run.dag_id},
          {"run_type", Name(run.run_type)},
          {"logical_date", run.logical_date.ToString()},
          {"data_interval_start", run.interval.start.ToString()},
          {"data_interval_end", run.interval.end.ToString()},
          {"state", Name(run.state)},
          {"queued_at", run.queued_at.ToString()},
          {"start_date", Time(run.started_at)},
          {"end_date", Time(run.ended_at)},
          {"conf", std::move(conf)}};
}

ordered_json TaskTryJson(const std::string& dag_id, const TaskTryRecord& attempt) {
  return {{"task_id", attempt.task_id},         {"dag_id", dag_id},
          {"dag_run_id", attempt.run_id},       {"try_number", attempt.try_number},
          {"state", Name(attempt.state)},       {"start_date", attempt.started_at.ToString()},
          {"end_date", Time(attempt.ended_at)}, {"duration", Seconds(attempt.started_at, attempt.ended_at)},
          {"message", attempt.message}};
}

ordered_json TaskInstanceJson(const std::string& dag_id, const TaskInstanceRecord& instance,
                              const TaskTryRecord* latest, const TaskConfig* task) {
  return {{"task_id", instance.task_id},
          {"dag_id", dag_id},
          {"dag_run_id", instance.run_id},
          {"try_number", instance.try_number},
          {"state", Name(instance.state)},
          {"start_date", latest ? ordered_json(latest->started_at.ToString()) : ordered_json()},
          {"end_date", latest ? Time(latest->ended_at) : ordered_json()},
          {"duration", latest ? Seconds(latest->started_at, latest->ended_at) : ordered_json()},
          {"pool", task ? task->pool : ""}};
}

ordered_json DagJson(const DagConfig& dag, bool paused) {
  return {{"dag_id", dag.id},
          {"is_paused", paused},
          {"schedule_interval", dag.schedule},
          {"catchup", dag.catchup},
          {"max_active_runs", dag.max_active_runs},
          {"start_date", Time(dag.start_date)},
          {"params", dag.params}};
}

}  // namespace meteoflow
