#include "orchestrate/replay_ticker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

class ReplayTickerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mf_ticker_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    auto config = LoadConfig(std::string(MF_SOURCE_DIR) + "/config/meteoflow.yaml");
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = *config;
    std::erase_if(config_.dags, [](const DagConfig& d) { return d.id != "weather"; });  // weather ticks only
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Ticks on `clock` until `weather_runs` weather runs have been reported; their summaries.
  std::vector<RunSummary> Tick(SimulatedClock& clock, size_t weather_runs) {
    auto pipeline = Pipeline::Open(config_, dir_.string(), clock);
    EXPECT_TRUE(pipeline.ok()) << pipeline.status().ToString();
    std::vector<RunSummary> seen;
    ReplayTickerOptions options;
    options.on_run = [&](const RunSummary& s) { seen.push_back(s); };
    options.on_error = [](const Status& s) { ADD_FAILURE() << s.ToString(); };
    options.should_stop = [&] { return seen.size() >= weather_runs; };
    EXPECT_TRUE(RunReplayTicks(**pipeline, options).ok());
    return seen;
  }

  fs::path dir_;
  Config config_;
};

TEST_F(ReplayTickerTest, EachTickOfTheClockReplaysTheNextSliceAndARestartGoesOn) {
  const Timestamp start = *Timestamp::Parse("2026-01-01T12:03:00Z");
  SimulatedClock clock(start);
  // The first day's catch-up in 24 hourly runs, then three ticks.
  const std::vector<RunSummary> first = Tick(clock, 27);
  ASSERT_EQ(first.size(), 27u);
  const Timestamp recording_start = first[0].interval.start;
  EXPECT_EQ(first[23].interval.end, recording_start.PlusMinutes(int64_t{24} * 60));
  for (size_t i = 1; i < first.size(); ++i) {
    EXPECT_EQ(first[i].interval.start, first[i - 1].interval.end);
    EXPECT_EQ(first[i].interval.end, first[i].interval.start.PlusMinutes(i < 24 ? 60 : 10));
    EXPECT_EQ(first[i].outcome.state, RunState::kSuccess);
  }
  // Three ticks of */10 from 12:03: 12:10, 12:20, 12:30, each run started at its tick.
  EXPECT_EQ(clock.Now(), *Timestamp::Parse("2026-01-01T12:30:00Z"));
  const auto runs =
      std::move(Pipeline::Open(config_, dir_.string(), clock).value()->metadata().Runs("weather", 100)).value();
  ASSERT_EQ(runs.size(), 27u);
  std::vector<std::string> started;
  for (const auto& r : runs) started.push_back(r.started_at->ToString());
  std::sort(started.begin(), started.end());
  EXPECT_EQ(std::count(started.begin(), started.end(), "2026-01-01T12:03:00Z"), 24);
  EXPECT_EQ(std::vector<std::string>(started.end() - 3, started.end()),
            (std::vector<std::string>{"2026-01-01T12:10:00Z", "2026-01-01T12:20:00Z", "2026-01-01T12:30:00Z"}));

  const std::vector<RunSummary> after_restart = Tick(clock, 1);  // the cursor is kept: no catch-up
  ASSERT_EQ(after_restart.size(), 1u);
  EXPECT_EQ(after_restart[0].interval.start, first.back().interval.end);
  EXPECT_EQ(clock.Now(), *Timestamp::Parse("2026-01-01T12:40:00Z"));
}

TEST_F(ReplayTickerTest, AStretchWithNothingRecordedIsSkipped) {
  SimulatedClock clock(*Timestamp::Parse("2026-01-01T12:03:00Z"));
  // The cursor just after the export's last response (2024-12-05 20:40): the next responses are
  // the snapshots' tick, fetched 2024-12-09T18:40:33Z.
  const Timestamp cursor = *Timestamp::Parse("2024-12-05T20:50:00Z");
  {
    auto pipeline = std::move(Pipeline::Open(config_, dir_.string(), clock)).value();
    ASSERT_TRUE(pipeline->store().PutCheckpoints({{kReplayCursorCheckpoint, std::to_string(cursor.millis())}}).ok());
  }
  const std::vector<RunSummary> ticks = Tick(clock, 1);
  ASSERT_EQ(ticks.size(), 1u);
  EXPECT_EQ(ticks[0].interval.start, *Timestamp::Parse("2024-12-09T18:40:00Z"));  // on the cursor's 10-minute grid
  EXPECT_EQ(ticks[0].interval.end, *Timestamp::Parse("2024-12-09T18:50:00Z"));
  EXPECT_EQ(ticks[0].transform.rows_upserted, 37);
}

}  // namespace
}  // namespace meteoflow
