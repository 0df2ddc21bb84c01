#include "orchestrate/dag_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace meteoflow {
namespace {

class DagRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("mf_meta_" + std::to_string(::getpid()) + ".db");
    std::filesystem::remove(path_);
    meta_ = std::move(RunMetadata::Open(path_.string())).value();
    dag_.id = "weather";
    dag_.tasks = {{"collect", {}, 2, 0}, {"land", {"collect"}, 0, 0}, {"transform", {"land"}, 0, 0}};
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::filesystem::path path_;
  std::unique_ptr<RunMetadata> meta_;
  DagConfig dag_;
  const Interval interval_{Timestamp::FromSeconds(0), Timestamp::FromSeconds(600)};
};

TEST_F(DagRunnerTest, RetriesUntilSuccessAndPassesTheInterval) {
  int calls = 0;
  Interval seen;
  auto ok = [](const TaskContext&) { return Status::OK(); };
  DagRunner runner(dag_,
                   {{"collect",
                     [&](const TaskContext& c) {
                       seen = c.interval;
                       return ++calls < 3 ? Status::Unavailable("flaky") : Status::OK();
                     }},
                    {"land", ok},
                    {"transform", ok}},
                   *meta_);
  auto outcome = runner.Run("r1", interval_);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->state, "success");
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(seen, interval_);
  auto tries = meta_->Tries("r1");
  ASSERT_EQ(tries->size(), 5u);
  EXPECT_EQ((*tries)[0].state, "up_for_retry");
  EXPECT_EQ((*tries)[2].state, "success");
  EXPECT_EQ((*meta_->Runs(10))[0].state, "success");
}

TEST_F(DagRunnerTest, FailureMarksDownstreamUpstreamFailed) {
  int transform_calls = 0;
  DagRunner runner(dag_,
                   {{"collect", [](const TaskContext&) { return Status::OK(); }},
                    {"land", [](const TaskContext&) { return Status::IOError("disk full"); }},
                    {"transform",
                     [&](const TaskContext&) {
                       ++transform_calls;
                       return Status::OK();
                     }}},
                   *meta_);
  auto outcome = runner.Run("r2", interval_);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->state, "failed");
  EXPECT_EQ(outcome->task_states["land"], "failed");
  EXPECT_EQ(outcome->task_states["transform"], "upstream_failed");
  EXPECT_EQ(transform_calls, 0);
  EXPECT_NE(outcome->first_error.find("disk full"), std::string::npos);
}

TEST_F(DagRunnerTest, InterruptedRunsAreMarkedFailed) {
  ASSERT_TRUE(
      meta_->StartRun({"r3", "weather", "running", interval_.end, interval_, Timestamp::Now(), std::nullopt}).ok());
  EXPECT_EQ(*meta_->MarkInterrupted(Timestamp::Now()), 1);
  EXPECT_EQ((*meta_->Runs(10))[0].state, "failed");
  EXPECT_EQ(*meta_->MarkInterrupted(Timestamp::Now()), 0);
}

}  // namespace
}  // namespace meteoflow
