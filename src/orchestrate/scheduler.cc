#include "orchestrate/scheduler.h"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/file_util.h"
#include "orchestrate/cron.h"

namespace meteoflow {
namespace {

constexpr int kMaxRunsPerPass = 1000;  // bound on runs created by one CreateDueRuns/Backfill
enum class Decision { kWait, kReady, kSkip, kUpstreamFailed };

// What a waiting task's trigger rule says, given its upstream tasks' states.
Decision Decide(const TaskConfig& task, const std::map<std::string, TaskState>& states) {
  bool all_done = true, any_failed = false, any_skipped = false, all_success = true;
  for (const std::string& up : task.upstream) {
    const TaskState s = states.at(up);
    all_done = all_done && IsDone(s);
    any_failed = any_failed || IsFailure(s);
    any_skipped = any_skipped || s == TaskState::kSkipped;
    all_success = all_success && s == TaskState::kSuccess;
  }
  switch (task.trigger_rule) {
    case TriggerRule::kAllDone:
      return all_done ? Decision::kReady : Decision::kWait;
    case TriggerRule::kOneFailed:
      return any_failed ? Decision::kReady : all_done ? Decision::kSkip : Decision::kWait;
    case TriggerRule::kNoneFailed:
      return any_failed ? Decision::kUpstreamFailed : all_done ? Decision::kReady : Decision::kWait;
    case TriggerRule::kAllSuccess:
      break;
  }
  if (any_failed) return Decision::kUpstreamFailed;
  if (all_done && any_skipped) return Decision::kSkip;
  return all_success ? Decision::kReady : Decision::kWait;
}

// "<dag>__<type>__<logical date>", unique per DAG and type; manual runs add a sequence number.
std::string RunIdFor(const std::string& dag_id, RunType run_type, Timestamp logical, Timestamp now) {
  static std::atomic<int64_t> sequence{0};
  std::string id = dag_id + "__" + std::string(Name(run_type)) + "__" + logical.ToString();
  if (run_type == RunType::kManual) id += "__" + std::to_string(now.millis()) + "." + std::to_string(++sequence);
  return id;
}

// The DAG's params as defaults under the trigger's conf (a JSON object; anything else is kept
// as it is).
std::string MergedConf(const std::map<std::string, std::string>& params, const std::string& conf_json) {
  nlohmann::json conf = nlohmann::json::parse(conf_json, nullptr, false);
  if (!conf.is_object()) return conf_json;
  for (const auto& [key, value] : params) {
    if (!conf.contains(key)) conf[key] = value;
  }
  return conf.dump();
}

// The interval of a cron DAG that starts at the first tick at or after `t`.
Result<Interval> IntervalFrom(const CronSchedule& cron, Timestamp t) {
  MF_ASSIGN_OR_RETURN(const Timestamp start, cron.Next(t.PlusMillis(-1)));
  MF_ASSIGN_OR_RETURN(const Timestamp end, cron.Next(start));
  return Interval{start, end};
}

}  // namespace

Scheduler::Scheduler(std::vector<DagConfig> dags, std::map<std::string, int> pools, RunMetadata& metadata,
                     TaskExecutor& executor, SchedulerOptions options)
    : dags_(std::move(dags)),
      pools_(std::move(pools)),
      metadata_(metadata),
      executor_(executor),
      options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : SystemClock()) {
  for (const DagConfig& d : dags_) {
    for (const TaskConfig& t : d.tasks) tasks_[d.id][t.id] = &t;
  }
}

const TaskConfig* Scheduler::FindTask(const std::string& dag_id, const std::string& task_id) const {
  auto dag = tasks_.find(dag_id);
  if (dag == tasks_.end()) return nullptr;
  auto task = dag->second.find(task_id);
  return task == dag->second.end() ? nullptr : task->second;
}

Scheduler::~Scheduler() {
  for (auto& [key, thread] : workers_) thread.join();
}

const DagConfig* Scheduler::dag(const std::string& id) const {
  for (const DagConfig& d : dags_) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::string Scheduler::LogPath(const std::string& dag_id, const std::string& run_id, const std::string& task_id,
                               int try_number) const {
  return options_.logs_dir + "/" + dag_id + "/" + run_id + "/" + task_id + "." + std::to_string(try_number) + ".log";
}

Result<DagRunRecord> CreateRunRecord(RunMetadata& metadata, const DagConfig& dag, RunType run_type,
                                     const Interval& interval, const std::string& conf_json, Timestamp now) {
  DagRunRecord run;
  run.run_id = RunIdFor(dag.id, run_type, interval.start, now);
  run.dag_id = dag.id;
  run.run_type = run_type;
  run.logical_date = interval.start;
  run.interval = interval;
  run.conf = MergedConf(dag.params, conf_json);
  run.queued_at = now;
  std::vector<std::string> task_ids;
  for (const TaskConfig& t : dag.tasks) task_ids.push_back(t.id);
  MF_ASSIGN_OR_RETURN(const bool created, metadata.CreateRun(run, task_ids));
  if (created) return run;
  MF_ASSIGN_OR_RETURN(auto existing, metadata.Run(run.run_id));
  if (!existing) return Status::Internal("run " + run.run_id + " neither created nor found");
  return *existing;
}

Result<DagRunRecord> Scheduler::CreateRun(const std::string& dag_id, RunType run_type, const Interval& interval,
                                          const std::string& conf_json) {
  const DagConfig* d = dag(dag_id);
  if (!d) return Status::NotFound("no DAG '" + dag_id + "'");
  return CreateRunRecord(metadata_, *d, run_type, interval, conf_json, clock_.Now());
}

Result<std::vector<DagRunRecord>> Scheduler::CreateDueRuns(Timestamp now) {
  std::vector<DagRunRecord> out;
  for (const DagConfig& d : dags_) {
    if (d.schedule == "none") continue;
    MF_ASSIGN_OR_RETURN(const bool paused, metadata_.Paused(d.id));
    if (paused) continue;
    MF_ASSIGN_OR_RETURN(const CronSchedule cron, CronSchedule::Parse(d.schedule));
    MF_ASSIGN_OR_RETURN(const std::optional<Timestamp> latest, metadata_.LatestLogicalDate(d.id));
    // The newest interval that has ended by now.
    MF_ASSIGN_OR_RETURN(const Timestamp newest_end, cron.Previous(now));
    MF_ASSIGN_OR_RETURN(const Timestamp newest_start, cron.Previous(newest_end.PlusMillis(-1)));
    Timestamp from = newest_start;
    if (d.catchup) {
      if (latest) {
        MF_ASSIGN_OR_RETURN(from, cron.Next(*latest));
      } else if (d.start_date) {
        MF_ASSIGN_OR_RETURN(const Interval first, IntervalFrom(cron, *d.start_date));
        from = first.start;
      }
    } else if (latest && !(*latest < newest_start)) {
      continue;  // the newest interval has its run
    }
    if (d.start_date && from < *d.start_date) {
      MF_ASSIGN_OR_RETURN(const Interval first, IntervalFrom(cron, *d.start_date));
      from = first.start;
    }
    for (int n = 0; n < kMaxRunsPerPass && !(newest_start < from); ++n) {
      MF_ASSIGN_OR_RETURN(const Timestamp end, cron.Next(from));
      MF_ASSIGN_OR_RETURN(DagRunRecord run, CreateRun(d.id, RunType::kScheduled, {from, end}, "{}"));
      out.push_back(std::move(run));
      from = end;
    }
  }
  return out;
}

Result<std::vector<DagRunRecord>> Scheduler::Backfill(const std::string& dag_id, Timestamp from, Timestamp to) {
  const DagConfig* d = dag(dag_id);
  if (!d) return Status::NotFound("no DAG '" + dag_id + "'");
  if (d->schedule == "none") return Status::InvalidArgument("DAG '" + dag_id + "' has no schedule to backfill");
  if (!(from < to)) return Status::InvalidArgument("backfill: --from must be before --to");
  MF_ASSIGN_OR_RETURN(const CronSchedule cron, CronSchedule::Parse(d->schedule));
  MF_ASSIGN_OR_RETURN(Interval interval, IntervalFrom(cron, from));
  std::vector<DagRunRecord> out;
  for (int n = 0; !(to < interval.end); ++n) {
    if (n == 100000) return Status::InvalidArgument("backfill: more than 100000 intervals; narrow --from/--to");
    MF_ASSIGN_OR_RETURN(DagRunRecord run, CreateRun(dag_id, RunType::kBackfill, interval, "{}"));
    out.push_back(std::move(run));
    MF_ASSIGN_OR_RETURN(const Timestamp end, cron.Next(interval.end));
    interval = {interval.end, end};
  }
  return out;
}

Status Scheduler::Recover(Timestamp now) {
  MF_ASSIGN_OR_RETURN(const auto runs, metadata_.Runs("", 1 << 30, {RunState::kRunning, RunState::kQueued}));
  for (const DagRunRecord& run : runs) {
    MF_ASSIGN_OR_RETURN(auto tis, metadata_.TaskInstances(run.run_id));
    for (TaskInstanceRecord& ti : tis) {
      if (ti.state != TaskState::kRunning && ti.state != TaskState::kQueued) continue;
      if (ti.pid > 0) kill(static_cast<pid_t>(-ti.pid), SIGKILL);  // its process group, left by the dead scheduler
      MF_ASSIGN_OR_RETURN(auto tries, metadata_.Tries(run.run_id, ti.task_id));
      for (TaskTryRecord& t : tries) {
        if (t.try_number != ti.try_number || t.ended_at) continue;
        t.state = TaskState::kInterrupted;
        t.ended_at = now;
        t.message = "the scheduler died while this try ran";
        MF_RETURN_IF_ERROR(metadata_.RecordTry(t));
      }
      // Not the task's fault: the try does not count against its retries.
      ti.state = TaskState::kScheduled;
      ti.pid = 0;
      ti.next_try_at.reset();
      MF_RETURN_IF_ERROR(metadata_.UpdateTaskInstance(ti));
    }
  }
  return Status::OK();
}

Status Scheduler::StartQueuedRuns(Timestamp now) {
  for (const DagConfig& d : dags_) {
    MF_ASSIGN_OR_RETURN(const auto running, metadata_.Runs(d.id, d.max_active_runs, {RunState::kRunning}));
    int free = d.max_active_runs - static_cast<int>(running.size());
    if (free <= 0) continue;
    MF_ASSIGN_OR_RETURN(auto queued, metadata_.Runs(d.id, 1 << 30, {RunState::kQueued}));
    std::sort(queued.begin(), queued.end(),
              [](const auto& a, const auto& b) { return a.logical_date < b.logical_date; });
    for (size_t i = 0; i < queued.size() && free > 0; ++i, --free) {
      queued[i].state = RunState::kRunning;
      queued[i].started_at = now;
      MF_RETURN_IF_ERROR(metadata_.UpdateRun(queued[i]));
      ++changes_;
    }
  }
  return Status::OK();
}

Status Scheduler::Dispatch(const DagConfig& dag, const DagRunRecord& run, TaskInstanceRecord& ti, Timestamp now) {
  const TaskConfig& task = *FindTask(dag.id, ti.task_id);
  ti.state = TaskState::kRunning;
  ti.try_number += 1;
  ti.next_try_at.reset();
  ti.pid = 0;
  MF_RETURN_IF_ERROR(metadata_.UpdateTaskInstance(ti));
  TaskContext context{dag.id,       task.id,       run.run_id, run.logical_date,
                      run.interval, ti.try_number, run.conf,   LogPath(dag.id, run.run_id, task.id, ti.try_number)};
  MF_RETURN_IF_ERROR(MakeDirs(std::filesystem::path(context.log_path).parent_path().string()));
  MF_RETURN_IF_ERROR(metadata_.RecordTry(
      {run.run_id, task.id, TaskState::kRunning, "", context.log_path, ti.try_number, now, std::nullopt}));
  ++pool_in_use_[task.pool];
  ++running_;
  ++changes_;
  const std::string key = run.run_id + "\n" + task.id;
  workers_.emplace(key, std::thread([this, task, context, ti]() mutable {
                     Status s = executor_.Execute(task, context, [&](int64_t pid) {
                       if (pid == 0) return;
                       ti.pid = pid;
                       (void)metadata_.UpdateTaskInstance(ti);
                     });
                     std::lock_guard<std::mutex> lock(mu_);
                     finished_.push_back({context.run_id, context.task_id, context.try_number, std::move(s)});
                     finished_cv_.notify_all();
                   }));
  return Status::OK();
}

Status Scheduler::Complete(const Finished& f, Timestamp now) {
  auto worker = workers_.find(f.run_id + "\n" + f.task_id);
  if (worker != workers_.end()) {
    worker->second.join();
    workers_.erase(worker);
  }
  --running_;
  MF_ASSIGN_OR_RETURN(const auto run, metadata_.Run(f.run_id));
  const DagConfig* d = run ? dag(run->dag_id) : nullptr;
  const TaskConfig* task = d ? FindTask(d->id, f.task_id) : nullptr;
  if (task) --pool_in_use_[task->pool];
  MF_ASSIGN_OR_RETURN(auto tis, metadata_.TaskInstances(f.run_id));
  auto ti = std::find_if(tis.begin(), tis.end(), [&](const auto& t) { return t.task_id == f.task_id; });
  if (ti == tis.end() || !task) return Status::OK();
  MF_ASSIGN_OR_RETURN(auto tries, metadata_.Tries(f.run_id, f.task_id));
  int failures = f.status.ok() ? 0 : 1;
  TaskTryRecord* this_try = nullptr;
  for (TaskTryRecord& t : tries) {
    if (t.try_number == f.try_number)
      this_try = &t;
    else if (t.state == TaskState::kFailed || t.state == TaskState::kUpForRetry)
      ++failures;
  }
  ti->pid = 0;
  if (f.status.ok()) {
    ti->state = TaskState::kSuccess;
  } else if (failures <= task->retries && f.status.code() != StatusCode::kPermissionDenied) {
    int64_t delay = int64_t{task->retry_delay_seconds} * 1000;
    if (task->retry_exponential_backoff) {
      for (int i = 1; i < failures && delay < int64_t{task->max_retry_delay_seconds} * 1000; ++i) delay *= 2;
    }
    delay = std::min(delay, int64_t{task->max_retry_delay_seconds} * 1000);
    ti->state = TaskState::kUpForRetry;
    ti->next_try_at = now.PlusMillis(delay);
  } else {
    ti->state = TaskState::kFailed;
  }
  if (this_try) {
    this_try->state = ti->state;
    this_try->ended_at = now;
    this_try->message = f.status.ok() ? "" : f.status.ToString();
    MF_RETURN_IF_ERROR(metadata_.RecordTry(*this_try));
  }
  return metadata_.UpdateTaskInstance(*ti);
}

Status Scheduler::FinishTries(Timestamp now) {
  std::deque<Finished> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done.swap(finished_);
  }
  for (const Finished& f : done) {
    // When the metadata cannot be written (a full disk), the task's own error is the one that
    // explains it: both are reported.
    const Status recorded = Complete(f, now);
    if (!recorded.ok() && !f.status.ok()) {
      return recorded.WithContext("task " + f.task_id + " failed (" + f.status.ToString() +
                                  "), and recording that failed");
    }
    MF_RETURN_IF_ERROR(recorded);
  }
  changes_ += static_cast<int64_t>(done.size());
  return Status::OK();
}

Status Scheduler::AdvanceRun(DagRunRecord& run, Timestamp now, bool* active) {
  const DagConfig* d = dag(run.dag_id);
  if (!d) {
    run.state = RunState::kFailed;
    run.ended_at = now;
    return metadata_.UpdateRun(run);
  }
  MF_ASSIGN_OR_RETURN(auto tis, metadata_.TaskInstances(run.run_id));
  std::map<std::string, TaskState> states;
  for (const auto& ti : tis) states[ti.task_id] = ti.state;
  for (TaskInstanceRecord& ti : tis) {
    const TaskConfig* task = FindTask(d->id, ti.task_id);
    if (ti.state != TaskState::kScheduled && ti.state != TaskState::kUpForRetry) continue;
    if (!task) {
      ti.state = states[ti.task_id] = TaskState::kFailed;  // the task left the DAG's config
      MF_RETURN_IF_ERROR(metadata_.UpdateTaskInstance(ti));
      continue;
    }
    if (ti.next_try_at && now < *ti.next_try_at) {
      if (!next_wake_ || *ti.next_try_at < *next_wake_) next_wake_ = ti.next_try_at;
      continue;
    }
    const Decision decision = Decide(*task, states);
    if (decision == Decision::kSkip || decision == Decision::kUpstreamFailed) {
      ti.state = states[ti.task_id] = decision == Decision::kSkip ? TaskState::kSkipped : TaskState::kUpstreamFailed;
      MF_RETURN_IF_ERROR(metadata_.UpdateTaskInstance(ti));
      ++changes_;
      continue;
    }
    if (decision != Decision::kReady || stopping_) continue;
    const auto pool = pools_.find(task->pool);
    const int slots = pool == pools_.end() ? 1 : pool->second;
    if (running_ >= options_.parallelism || pool_in_use_[task->pool] >= slots) continue;
    MF_RETURN_IF_ERROR(Dispatch(*d, run, ti, now));
    states[ti.task_id] = TaskState::kRunning;
  }
  bool all_done = true;
  for (const auto& [id, s] : states) all_done = all_done && IsDone(s);
  if (!all_done) {
    *active = true;
    return Status::OK();
  }
  // Failed when a leaf (a task nothing depends on) failed or could not run because of a failure.
  std::set<std::string> has_downstream;
  for (const TaskConfig& t : d->tasks) has_downstream.insert(t.upstream.begin(), t.upstream.end());
  bool failed = false;
  for (const auto& [id, s] : states) failed = failed || (!has_downstream.count(id) && IsFailure(s));
  run.state = failed ? RunState::kFailed : RunState::kSuccess;
  run.ended_at = now;
  ++changes_;
  return metadata_.UpdateRun(run);
}

Result<bool> Scheduler::Tick(Timestamp now) {
  MF_RETURN_IF_ERROR(FinishTries(now));
  if (!stopping_) MF_RETURN_IF_ERROR(StartQueuedRuns(now));
  next_wake_.reset();
  MF_ASSIGN_OR_RETURN(auto runs, metadata_.Runs("", 1 << 30, {RunState::kRunning}));
  std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.logical_date < b.logical_date; });
  bool active = false;
  for (DagRunRecord& run : runs) MF_RETURN_IF_ERROR(AdvanceRun(run, now, &active));
  if (!stopping_) {
    MF_ASSIGN_OR_RETURN(const auto queued, metadata_.Runs("", 1, {RunState::kQueued}));
    active = active || !queued.empty();
  }
  return active || running_ > 0;
}

Status Scheduler::Drain(const std::function<bool()>& should_stop,
                        std::optional<std::chrono::steady_clock::time_point> deadline) {
  while (true) {
    if (deadline && std::chrono::steady_clock::now() > *deadline) return Status::OK();
    stopping_ = should_stop && should_stop();
    const int64_t changes_before = changes_;
    MF_ASSIGN_OR_RETURN(const bool active, Tick(clock_.Now()));
    if (!active || (stopping_ && running_ == 0)) return Status::OK();
    if (changes_ != changes_before && running_ == 0) continue;  // e.g. a run ended: the next may start
    const int64_t until = next_wake_ ? next_wake_->millis() - clock_.Now().millis() : 200;
    if (running_ == 0 && next_wake_) {  // nothing can finish meanwhile: let the clock reach the due time
      clock_.Sleep(clock_.simulated() ? std::max<int64_t>(until, 1) : std::clamp<int64_t>(until, 1, 200));
      continue;
    }
    std::unique_lock<std::mutex> lock(mu_);
    auto wait = std::chrono::milliseconds(clock_.simulated() ? 200 : std::clamp<int64_t>(until, 1, 200));
    finished_cv_.wait_for(lock, wait, [&] { return !finished_.empty(); });
  }
}

}  // namespace meteoflow
