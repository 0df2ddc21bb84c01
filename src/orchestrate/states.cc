#include "orchestrate/states.h"

#include <array>
#include <string>
#include <utility>

namespace meteoflow {
namespace {

constexpr std::array<std::pair<RunState, std::string_view>, 4> kRunStates = {{{RunState::kQueued, "queued"},
                                                                              {RunState::kRunning, "running"},
                                                                              {RunState::kSuccess, "success"},
                                                                              {RunState::kFailed, "failed"}}};
constexpr std::array<std::pair<TaskState, std::string_view>, 9> kTaskStates = {
    {{TaskState::kScheduled, "scheduled"},
     {TaskState::kQueued, "queued"},
     {TaskState::kRunning, "running"},
     {TaskState::kSuccess, "success"},
     {TaskState::kFailed, "failed"},
     {TaskState::kUpForRetry, "up_for_retry"},
     {TaskState::kSkipped, "skipped"},
     {TaskState::kUpstreamFailed, "upstream_failed"},
     {TaskState::kInterrupted, "interrupted"}}};
constexpr std::array<std::pair<RunType, std::string_view>, 3> kRunTypes = {
    {{RunType::kScheduled, "scheduled"}, {RunType::kManual, "manual"}, {RunType::kBackfill, "backfill"}}};

template <typename E, size_t N>
std::string_view NameIn(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename E, size_t N>
Result<E> ParseIn(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view text, const char* what) {
  for (const auto& [e, name] : table) {
    if (name == text) return e;
  }
  return Status::InvalidArgument("'" + std::string(text) + "' is not a " + what);
}

}  // namespace

std::string_view Name(RunState state) { return NameIn(kRunStates, state); }
std::string_view Name(TaskState state) { return NameIn(kTaskStates, state); }
std::string_view Name(RunType type) { return NameIn(kRunTypes, type); }

Result<RunState> ParseRunState(std::string_view text) { return ParseIn(kRunStates, text, "run state"); }
Result<TaskState> ParseTaskState(std::string_view text) { return ParseIn(kTaskStates, text, "task state"); }
Result<RunType> ParseRunType(std::string_view text) { return ParseIn(kRunTypes, text, "run type"); }

bool IsDone(TaskState state) {
  return state == TaskState::kSuccess || state == TaskState::kFailed || state == TaskState::kSkipped ||
         state == TaskState::kUpstreamFailed;
}

bool IsFailure(TaskState state) { return state == TaskState::kFailed || state == TaskState::kUpstreamFailed; }

}  // namespace meteoflow
