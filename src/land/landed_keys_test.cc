#include "land/landed_keys.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "land/land_stage.h"
#include "stream/local_log.h"

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

class LandedKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mf_landed_keys_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    log_ = std::move(LocalLog::Open((dir_ / "log").string())).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  // One message on each of `days` consecutive days from 2024-12-01, landed.
  void LandOnePerDay(int days) {
    for (int d = 0; d < days; ++d) {
      ASSERT_TRUE(log_->Publish("om_raw", "loc", "{\"day\":" + std::to_string(d) + "}", DayStart(d)).ok());
    }
    LandStage land({{"om_raw", "openmeteo"}}, *log_, lake_);
    auto landed = land.Run();
    ASSERT_TRUE(landed.ok()) << landed.status().ToString();
    ASSERT_EQ(landed->landed, days);
  }
  static Timestamp DayStart(int d) {
    return Timestamp::Parse("2024-12-01T00:00:00Z")->PlusMinutes(int64_t{d} * 24 * 60);
  }
  static Partition DayPartition(int d) { return {{"source", "openmeteo"}, {"date", DayStart(d).DateString()}}; }
  static LandedKeys::Key KeyOfDay(int d) {
    LogRecord record;
    record.key = "loc";
    record.value = "{\"day\":" + std::to_string(d) + "}";
    record.timestamp = DayStart(d);
    return LandedKeys::KeyOf(record);
  }

  fs::path dir_;
  std::unique_ptr<LocalLog> log_;
  Dataset lake_{(fs::temp_directory_path() / ("mf_landed_keys_" + std::to_string(::getpid())) / "lake").string()};
};

// Memory is bounded by kMaxPartitions days; a day dropped from memory is read again when a batch
// comes back to it, so its messages are still known as landed.
TEST_F(LandedKeysTest, KeepsAtMostTheMaxPartitionsAndReadsADroppedDayAgain) {
  const int days = static_cast<int>(LandedKeys::kMaxPartitions) + 4;
  LandOnePerDay(days);
  LandedKeys keys(lake_);
  for (int d = 0; d < days; ++d) {
    ASSERT_TRUE(keys.Refresh(DayPartition(d)).ok());
    EXPECT_FALSE(keys.Add(DayPartition(d), KeyOfDay(d))) << "day " << d;
    EXPECT_LE(keys.partitions_kept(), LandedKeys::kMaxPartitions);
  }
  EXPECT_EQ(keys.partitions_kept(), LandedKeys::kMaxPartitions);
  ASSERT_TRUE(keys.Refresh(DayPartition(0)).ok());  // dropped long ago
  EXPECT_FALSE(keys.Add(DayPartition(0), KeyOfDay(0)));
  EXPECT_TRUE(keys.Add(DayPartition(0), KeyOfDay(1)));  // day 1's payload at day 1's time: new to day 0
  EXPECT_EQ(keys.partitions_kept(), LandedKeys::kMaxPartitions);
}

// A lake file that cannot be read fails the batch with an error naming the file, before any
// offset is committed: once the file is repaired (here: moved away), the same messages land.
TEST_F(LandedKeysTest, AnUnreadableLakeFileFailsTheBatchAndLosesNothing) {
  LandOnePerDay(1);
  const fs::path day_dir = dir_ / "lake" / "source=openmeteo" / ("date=" + DayStart(0).DateString());
  const fs::path torn = day_dir / "part-torn.parquet";
  std::ofstream(torn) << "PAR1 cut short";
  LandedKeys keys(lake_);
  const Status refreshed = keys.Refresh(DayPartition(0));
  ASSERT_FALSE(refreshed.ok());
  EXPECT_NE(refreshed.ToString().find("part-torn.parquet"), std::string::npos) << refreshed.ToString();
  EXPECT_EQ(keys.partitions_kept(), 0u);

  ASSERT_TRUE(log_->Publish("om_raw", "loc2", "{}", DayStart(0).PlusMinutes(10)).ok());
  LandStage land({{"om_raw", "openmeteo"}}, *log_, lake_);
  auto failed = land.Run();
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().ToString().find("part-torn.parquet"), std::string::npos);
  fs::rename(torn, dir_ / "torn.parquet");
  auto retried = land.Run();
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  EXPECT_EQ(retried->landed, 1);
}

}  // namespace
}  // namespace meteoflow
