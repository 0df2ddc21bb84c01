// TaskExecutor: runs one try of one task and says how it ended.
//
// LocalExecutor runs a stage task in this process (a function from the pipeline) or, with
// `subprocess_stages`, as `meteoflow tasks run DAG TASK --date D` (isolation: a crash or a hang
// takes only the child); a command task always runs as `/bin/sh -c COMMAND`. Children run in a
// process group of their own with the try's context in their environment (MF_DAG_ID, MF_TASK_ID,
// MF_RUN_ID, MF_LOGICAL_DATE, MF_INTERVAL_START, MF_INTERVAL_END, MF_TRY_NUMBER, MF_CONF); their
// output goes to the try's log file. A child past its execution timeout gets SIGTERM, then SIGKILL
// 5 s later, and the try fails saying so. An in-process stage cannot be stopped: past its timeout
// it fails when it returns.
//
// Thread-safety: Execute may be called from several threads at once; in-process stages are
// run one at a time (the pipeline's stages share their backends).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/config.h"
#include "core/status.h"
#include "core/time.h"

namespace meteoflow {

struct TaskContext {
  std::string dag_id, task_id, run_id;
  Timestamp logical_date;  // the start of the data interval (Airflow's convention)
  Interval interval;
  int try_number = 1;
  std::string conf = "{}";  // JSON object: the run's parameters
  std::string log_path;     // where this try's output goes
};

using TaskFn = std::function<Status(const TaskContext&)>;

class TaskExecutor {
 public:
  virtual ~TaskExecutor() = default;
  // Runs one try to its end. `on_start` receives a child's pid as soon as it runs (0 in-process).
  virtual Status Execute(const TaskConfig& task, const TaskContext& context,
                         const std::function<void(int64_t pid)>& on_start) = 0;
};

struct SubprocessCommand {
  std::vector<std::string> argv;  // the binary and the options before `tasks run` (--config ...)
};

class LocalExecutor : public TaskExecutor {
 public:
  // `stages`: in-process stage functions; `self`: how to call this binary for subprocess stages
  // (empty argv: stages always run in-process); `clock` stamps the lines it adds to try logs.
  LocalExecutor(std::map<std::string, TaskFn> stages, SubprocessCommand self, bool subprocess_stages,
                Clock& clock = SystemClock())
      : stages_(std::move(stages)), self_(std::move(self)), subprocess_stages_(subprocess_stages), clock_(clock) {}

  Status Execute(const TaskConfig& task, const TaskContext& context,
                 const std::function<void(int64_t pid)>& on_start) override;

 private:
  Status RunInProcess(const TaskConfig& task, const TaskContext& context);

  std::map<std::string, TaskFn> stages_;
  SubprocessCommand self_;
  bool subprocess_stages_;
  Clock& clock_;
  std::mutex stage_mu_;
};

// Runs argv as a child in its own process group with `env` added, output appended to
// `log_path`; kills it past `timeout_seconds` (0: none). OK on exit status 0.
Status RunChild(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                const std::string& log_path, int timeout_seconds, const std::function<void(int64_t)>& on_start);

}  // namespace meteoflow
