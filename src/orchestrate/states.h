// The states a DAG run and a task go through, and the kinds of run: enums in the code, their
// Airflow names (Name) in meta.db, JSON and the CLI.
//
//   run:  queued -> running -> success | failed
//   task: scheduled -> queued -> running -> success | failed | up_for_retry (-> queued again),
//         or skipped / upstream_failed when its trigger rule can no longer hold
//   try:  running -> success | failed | up_for_retry, or interrupted (its scheduler died)
//
// Thread-safety: pure functions.
#pragma once

#include <ostream>
#include <string_view>

#include "core/status.h"

namespace meteoflow {

enum class RunState { kQueued, kRunning, kSuccess, kFailed };
enum class TaskState {
  kScheduled,
  kQueued,
  kRunning,
  kSuccess,
  kFailed,
  kUpForRetry,
  kSkipped,
  kUpstreamFailed,
  kInterrupted,  // a try only: left running by a scheduler that died
};
enum class RunType { kScheduled, kManual, kBackfill };

std::string_view Name(RunState state);
std::string_view Name(TaskState state);
std::string_view Name(RunType type);

// Streams print the names (CLI output, test failure messages).
inline std::ostream& operator<<(std::ostream& out, RunState state) { return out << Name(state); }
inline std::ostream& operator<<(std::ostream& out, TaskState state) { return out << Name(state); }
inline std::ostream& operator<<(std::ostream& out, RunType type) { return out << Name(type); }

// The enum value named `text`; anything else is InvalidArgument naming it.
Result<RunState> ParseRunState(std::string_view text);
Result<TaskState> ParseTaskState(std::string_view text);
Result<RunType> ParseRunType(std::string_view text);

// success, failed, skipped and upstream_failed: nothing more will happen to the task.
bool IsDone(TaskState state);
bool IsFailure(TaskState state);  // failed or upstream_failed

}  // namespace meteoflow
