// DagRunner: runs one DAG run -- every task once its upstream tasks succeeded, in the order
// the config lists them (which config loading checks is a valid topological order) -- with
// per-task retries and a fixed delay, recording every try in RunMetadata.
//
// Implementation rules for tasks: a task receives its run's TaskContext and returns a Status;
// it must be idempotent for its data interval (a retry re-runs it from the start). A task
// whose upstream failed is marked upstream_failed and not run. The full scheduler (pools,
// trigger rules, timeouts) is a later step.
//
// Thread-safety: one Run at a time.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "core/config.h"
#include "orchestrate/metadata.h"

namespace meteoflow {

struct TaskContext {
  std::string run_id;
  Timestamp logical_date;
  Interval interval;
};

using TaskFn = std::function<Status(const TaskContext&)>;

struct RunOutcome {
  std::string run_id;
  std::string state;  // success | failed
  std::map<std::string, std::string> task_states;
  std::string first_error;
};

class DagRunner {
 public:
  DagRunner(const DagConfig& dag, std::map<std::string, TaskFn> tasks, RunMetadata& metadata)
      : dag_(dag), tasks_(std::move(tasks)), metadata_(metadata) {}

  // Runs the DAG for `interval`; `run_id` must be unique (it names the record).
  Result<RunOutcome> Run(const std::string& run_id, const Interval& interval);

 private:
  const DagConfig& dag_;
  std::map<std::string, TaskFn> tasks_;
  RunMetadata& metadata_;
};

}  // namespace meteoflow
