#include "orchestrate/dag_runner.h"

#include <chrono>
#include <thread>

namespace meteoflow {

Result<RunOutcome> DagRunner::Run(const std::string& run_id, const Interval& interval) {
  RunOutcome outcome{run_id, "success", {}, ""};
  MF_RETURN_IF_ERROR(
      metadata_.StartRun({run_id, dag_.id, "running", interval.end, interval, Timestamp::Now(), std::nullopt}));
  const TaskContext context{run_id, interval.end, interval};
  for (const TaskConfig& task : dag_.tasks) {
    bool upstream_ok = true;
    for (const auto& up : task.upstream) upstream_ok = upstream_ok && outcome.task_states[up] == "success";
    if (!upstream_ok) {
      outcome.task_states[task.id] = "upstream_failed";
      MF_RETURN_IF_ERROR(
          metadata_.RecordTry({run_id, task.id, "upstream_failed", "", 0, Timestamp::Now(), Timestamp::Now()}));
      continue;
    }
    auto fn = tasks_.find(task.id);
    if (fn == tasks_.end())
      return Status::InvalidArgument("DAG '" + dag_.id + "': no implementation for task '" + task.id + "'");
    for (int attempt = 1; attempt <= task.retries + 1; ++attempt) {
      TaskTryRecord record{run_id, task.id, "running", "", attempt, Timestamp::Now(), std::nullopt};
      MF_RETURN_IF_ERROR(metadata_.RecordTry(record));
      const Status s = fn->second(context);
      record.ended_at = Timestamp::Now();
      const bool last = attempt == task.retries + 1;
      record.state = s.ok() ? "success" : (last ? "failed" : "up_for_retry");
      record.message = s.ok() ? "" : s.ToString();
      MF_RETURN_IF_ERROR(metadata_.RecordTry(record));
      outcome.task_states[task.id] = record.state;
      if (s.ok()) break;
      if (last) {
        if (outcome.first_error.empty()) outcome.first_error = task.id + ": " + s.ToString();
        break;
      }
      std::this_thread::sleep_for(std::chrono::seconds(task.retry_delay_seconds));
    }
    if (outcome.task_states[task.id] != "success") outcome.state = "failed";
  }
  MF_RETURN_IF_ERROR(metadata_.EndRun(run_id, outcome.state, Timestamp::Now()));
  return outcome;
}

}  // namespace meteoflow
