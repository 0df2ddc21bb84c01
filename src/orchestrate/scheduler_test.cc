#include "orchestrate/scheduler.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

TaskConfig Task(std::string id, std::vector<std::string> upstream = {}, TriggerRule rule = TriggerRule::kAllSuccess) {
  TaskConfig t;
  t.id = t.stage = std::move(id);
  t.upstream = std::move(upstream);
  t.trigger_rule = rule;
  return t;
}

TaskConfig Command(std::string id, std::string command, std::vector<std::string> upstream = {}) {
  TaskConfig t = Task(std::move(id), std::move(upstream));
  t.stage.clear();
  t.command = std::move(command);
  return t;
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mf_sched_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    meta_ = std::move(RunMetadata::Open((dir_ / "meta.db").string())).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // With `clock`, runs, tries and retries keep its time; else the wall clock's.
  std::unique_ptr<Scheduler> Make(std::vector<DagConfig> dags, std::map<std::string, TaskFn> stages,
                                  std::map<std::string, int> pools = {{"default", 16}}, Clock* clock = nullptr) {
    executor_ =
        std::make_unique<LocalExecutor>(std::move(stages), SubprocessCommand{}, false, clock ? *clock : SystemClock());
    return std::make_unique<Scheduler>(std::move(dags), std::move(pools), *meta_, *executor_,
                                       SchedulerOptions{32, (dir_ / "logs").string(), clock});
  }
  DagConfig Dag(std::string id, std::vector<TaskConfig> tasks, std::string schedule = "*/10 * * * *") {
    DagConfig d;
    d.id = std::move(id);
    d.schedule = std::move(schedule);
    d.tasks = std::move(tasks);
    return d;
  }
  // Task states and the run's state by name, as meta.db stores them.
  std::map<std::string, std::string> States(const std::string& run_id) {
    std::map<std::string, std::string> out;
    const std::vector<TaskInstanceRecord> tis = std::move(meta_->TaskInstances(run_id)).value();
    for (const auto& ti : tis) out[ti.task_id] = Name(ti.state);
    return out;
  }
  std::string RunStateOf(const std::string& run_id) {
    return std::string(Name(std::move(meta_->Run(run_id)).value()->state));
  }

  fs::path dir_;
  std::unique_ptr<RunMetadata> meta_;
  std::unique_ptr<LocalExecutor> executor_;
  const Interval interval_{*Timestamp::Parse("2024-12-03T22:00:00Z"), *Timestamp::Parse("2024-12-03T22:10:00Z")};
};

TEST_F(SchedulerTest, TriggerRulesDecideFromTheUpstreamStates) {
  struct Case {
    TriggerRule rule;
    bool a_ok, b_ok;
    std::string c_state, run_state;
  };
  const Case cases[] = {
      {TriggerRule::kAllSuccess, true, true, "success", "success"},
      {TriggerRule::kAllSuccess, true, false, "upstream_failed", "failed"},
      {TriggerRule::kAllDone, true, false, "success", "success"},
      {TriggerRule::kAllDone, false, false, "success", "success"},
      {TriggerRule::kOneFailed, true, true, "skipped", "success"},
      {TriggerRule::kOneFailed, false, true, "success", "success"},
      {TriggerRule::kNoneFailed, true, true, "success", "success"},
      {TriggerRule::kNoneFailed, true, false, "upstream_failed", "failed"},
  };
  for (const Case& c : cases) {
    auto sched = Make({Dag("d", {Task("a"), Task("b"), Task("c", {"a", "b"}, c.rule)})},
                      {{"a", [&](const TaskContext&) { return c.a_ok ? Status::OK() : Status::Internal("a broke"); }},
                       {"b", [&](const TaskContext&) { return c.b_ok ? Status::OK() : Status::Internal("b broke"); }},
                       {"c", [](const TaskContext&) { return Status::OK(); }}});
    auto run = sched->CreateRun("d", RunType::kManual, interval_, "{}");
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    ASSERT_TRUE(sched->Drain().ok());
    EXPECT_EQ(States(run->run_id)["c"], c.c_state) << Name(c.rule) << " a=" << c.a_ok << " b=" << c.b_ok;
    EXPECT_EQ(RunStateOf(run->run_id), c.run_state) << Name(c.rule) << " a=" << c.a_ok << " b=" << c.b_ok;
  }
}

TEST_F(SchedulerTest, RetriesWithExponentialBackoffThenSucceeds) {
  TaskConfig flaky = Task("flaky");
  flaky.retries = 3;
  flaky.retry_delay_seconds = 1;
  flaky.retry_exponential_backoff = true;
  flaky.max_retry_delay_seconds = 60;
  std::atomic<int> calls{0};
  std::vector<TaskContext> seen;
  SimulatedClock clock(*Timestamp::Parse("2024-12-04T00:00:00Z"));
  auto sched = Make({Dag("d", {flaky, Task("after", {"flaky"})})},
                    {{"flaky",
                      [&](const TaskContext& c) {
                        seen.push_back(c);
                        return ++calls < 3 ? Status::Unavailable("not yet") : Status::OK();
                      }},
                     {"after", [](const TaskContext&) { return Status::OK(); }}},
                    {{"default", 16}}, &clock);
  auto run = sched->CreateRun("d", RunType::kManual, interval_, R"({"k":"v"})");
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(sched->Drain().ok());
  EXPECT_EQ(RunStateOf(run->run_id), "success");
  EXPECT_EQ(calls.load(), 3);
  auto tries = std::move(meta_->Tries(run->run_id, "flaky")).value();
  ASSERT_EQ(tries.size(), 3u);
  EXPECT_EQ(Name(tries[0].state), "up_for_retry");
  EXPECT_NE(tries[0].message.find("not yet"), std::string::npos);
  EXPECT_EQ(Name(tries[2].state), "success");
  // On the simulated clock the waits are exact: 1 s, then 2 s (the backoff doubled).
  EXPECT_EQ(tries[1].started_at.millis() - tries[0].ended_at->millis(), 1000);
  EXPECT_EQ(tries[2].started_at.millis() - tries[1].ended_at->millis(), 2000);
  EXPECT_EQ(clock.Now().millis() - tries[0].started_at.millis(), 3000);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[2].try_number, 3);
  EXPECT_EQ(seen[0].conf, R"({"k":"v"})");
  EXPECT_EQ(seen[0].logical_date, interval_.start);
  EXPECT_EQ(seen[0].interval, interval_);
  EXPECT_TRUE(fs::exists(tries[0].log_path)) << tries[0].log_path;
}

TEST_F(SchedulerTest, ATaskPastItsTimeoutIsKilledAndFails) {
  TaskConfig slow = Command("slow", "echo started; sleep 30");
  slow.execution_timeout_seconds = 1;
  auto sched = Make({Dag("d", {slow})}, {});
  auto run = sched->CreateRun("d", RunType::kManual, interval_, "{}");
  ASSERT_TRUE(sched->Drain().ok());
  auto tries = std::move(meta_->Tries(run->run_id)).value();
  ASSERT_EQ(tries.size(), 1u);
  EXPECT_EQ(Name(tries[0].state), "failed");
  EXPECT_NE(tries[0].message.find("timed out"), std::string::npos) << tries[0].message;
  std::ifstream log(tries[0].log_path);
  std::string first;
  std::getline(log, first);
  EXPECT_EQ(first, "started");
}

TEST_F(SchedulerTest, CommandsSeeTheirContextAndFailOnNonZeroExit) {
  const std::string out = (dir_ / "env.txt").string();
  auto sched = Make({Dag("d", {Command("show", "echo $MF_DAG_ID $MF_TASK_ID $MF_LOGICAL_DATE $MF_TRY_NUMBER > " + out),
                               Command("fail", "exit 3", {"show"})})},
                    {});
  auto run = sched->CreateRun("d", RunType::kManual, interval_, "{}");
  ASSERT_TRUE(sched->Drain().ok());
  std::ifstream in(out);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "d show 2024-12-03T22:00:00Z 1");
  EXPECT_EQ(States(run->run_id)["fail"], "failed");
  EXPECT_NE(std::move(meta_->Tries(run->run_id, "fail")).value()[0].message.find("status 3"), std::string::npos);
}

TEST_F(SchedulerTest, PoolsBoundConcurrency) {
  std::vector<TaskConfig> tasks;
  for (int i = 0; i < 6; ++i) {
    TaskConfig t = Command("t" + std::to_string(i), "sleep 0.3");
    t.pool = "narrow";
    tasks.push_back(t);
  }
  auto sched = Make({Dag("d", tasks)}, {}, {{"default", 16}, {"narrow", 2}});
  auto run = sched->CreateRun("d", RunType::kManual, interval_, "{}");
  ASSERT_TRUE(sched->Drain().ok());
  auto tries = std::move(meta_->Tries(run->run_id)).value();
  ASSERT_EQ(tries.size(), 6u);
  for (const auto& a : tries) {
    int overlapping = 0;
    for (const auto& b : tries) overlapping += b.started_at <= a.started_at && a.started_at < *b.ended_at;
    EXPECT_LE(overlapping, 2) << a.task_id;
  }
  EXPECT_EQ(RunStateOf(run->run_id), "success");
}

TEST_F(SchedulerTest, CatchupCreatesEveryMissedIntervalOnceAndWithoutOnlyTheLatest) {
  DagConfig d = Dag("d", {Task("a")});
  d.catchup = true;
  d.start_date = *Timestamp::Parse("2024-12-03T22:00:00Z");
  DagConfig latest_only = d;
  latest_only.id = "latest";
  latest_only.catchup = false;
  auto sched = Make({d, latest_only}, {{"a", [](const TaskContext&) { return Status::OK(); }}});
  const Timestamp now = *Timestamp::Parse("2024-12-03T23:05:00Z");
  auto first = std::move(sched->CreateDueRuns(now)).value();
  int caught_up = 0, latest = 0;
  for (const auto& r : first) (r.dag_id == "d" ? caught_up : latest)++;
  EXPECT_EQ(caught_up, 6);  // 22:00 ... 22:50, each ended by 23:05 (23:00-23:10 has not)
  EXPECT_EQ(latest, 1);
  EXPECT_EQ(first.back().logical_date.ToString(), "2024-12-03T22:50:00Z");
  EXPECT_EQ(first.back().interval.end.ToString(), "2024-12-03T23:00:00Z");
  EXPECT_TRUE(std::move(sched->CreateDueRuns(now)).value().empty());  // never twice
  ASSERT_TRUE(meta_->SetPaused("d", true).ok());
  EXPECT_TRUE(std::move(sched->CreateDueRuns(now.PlusMinutes(30))).value().size() == 1);  // only "latest"
  ASSERT_TRUE(sched->Drain().ok());
  const std::vector<DagRunRecord> runs = std::move(meta_->Runs("", 100)).value();
  for (const auto& r : runs) EXPECT_EQ(Name(r.state), "success") << r.run_id;
}

TEST_F(SchedulerTest, BackfillCreatesExactlyTheIntervalsInsideTheRange) {
  auto sched = Make({Dag("d", {Task("a")}), Dag("manual_only", {Task("a")}, "none")},
                    {{"a", [](const TaskContext&) { return Status::OK(); }}});
  const Timestamp from = *Timestamp::Parse("2024-12-03T22:00:00Z"), to = *Timestamp::Parse("2024-12-04T02:00:00Z");
  auto runs = std::move(sched->Backfill("d", from, to)).value();
  ASSERT_EQ(runs.size(), 24u);
  EXPECT_EQ(runs.front().interval, (Interval{from, from.PlusMinutes(10)}));
  EXPECT_EQ(runs.back().interval.end, to);
  EXPECT_EQ(std::move(sched->Backfill("d", from, to)).value().size(), 24u);  // the same runs again
  ASSERT_TRUE(sched->Drain().ok());
  auto all = std::move(meta_->Runs("d", 100)).value();
  EXPECT_EQ(all.size(), 24u);
  for (const auto& r : all) EXPECT_EQ(Name(r.state), "success");
  EXPECT_EQ(sched->Backfill("manual_only", from, to).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sched->Backfill("d", to, from).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sched->Backfill("nope", from, to).status().code(), StatusCode::kNotFound);
}

TEST_F(SchedulerTest, MaxActiveRunsKeepsRunsOneAtATime) {
  std::atomic<int> inside{0}, most{0};
  auto sched = Make({Dag("d", {Task("a")})}, {{"a", [&](const TaskContext&) {
                                                 most = std::max(most.load(), ++inside);
                                                 std::this_thread::sleep_for(std::chrono::milliseconds(20));
                                                 --inside;
                                                 return Status::OK();
                                               }}});
  ASSERT_TRUE(sched->Backfill("d", interval_.start, interval_.start.PlusMinutes(40)).ok());
  ASSERT_TRUE(sched->Drain().ok());
  EXPECT_EQ(most.load(), 1);
}

TEST_F(SchedulerTest, RecoverRetriesWhatADeadSchedulerLeftRunning) {
  auto sched = Make(
      {Dag("d", {Task("a"), Task("b", {"a"})})},
      {{"a", [](const TaskContext&) { return Status::OK(); }}, {"b", [](const TaskContext&) { return Status::OK(); }}});
  auto run = std::move(sched->CreateRun("d", RunType::kScheduled, interval_, "{}")).value();
  // What a scheduler killed while `a` ran leaves behind.
  run.state = RunState::kRunning;
  ASSERT_TRUE(meta_->UpdateRun(run).ok());
  ASSERT_TRUE(meta_->UpdateTaskInstance({run.run_id, "a", TaskState::kRunning, 1, std::nullopt, 0}).ok());
  ASSERT_TRUE(meta_->RecordTry({run.run_id, "a", TaskState::kRunning, "", "", 1, interval_.start, std::nullopt}).ok());
  ASSERT_TRUE(sched->Recover(Timestamp::Now()).ok());
  ASSERT_TRUE(sched->Drain().ok());
  EXPECT_EQ(RunStateOf(run.run_id), "success");
  auto tries = std::move(meta_->Tries(run.run_id, "a")).value();
  ASSERT_EQ(tries.size(), 2u);
  EXPECT_EQ(Name(tries[0].state), "interrupted");
  EXPECT_EQ(Name(tries[1].state), "success");
  // The same interval again is the same run, not a second one.
  EXPECT_EQ(std::move(sched->CreateRun("d", RunType::kScheduled, interval_, "{}")).value().run_id, run.run_id);
  EXPECT_EQ(std::move(meta_->Runs("d", 10)).value().size(), 1u);
}

}  // namespace
}  // namespace meteoflow
