#include "land/land_stage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "lake/parquet/reader.h"
#include "stream/local_log.h"

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

TEST(LandStageTest, LandsEachMessageOnceEvenWhenOffsetsWereNotCommitted) {
  const fs::path dir = fs::temp_directory_path() / ("mf_land_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto log = std::move(LocalLog::Open((dir / "log").string())).value();
  const Timestamp day1 = *Timestamp::Parse("2024-12-03T23:59:00Z");
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(log->Publish("om_raw", "loc" + std::to_string(i), "{}", day1.PlusMinutes(i)).ok());
  }
  Dataset lake((dir / "lake").string());
  LandStage land({{"om_raw", "openmeteo"}}, *log, lake);
  auto first = land.Run();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->landed, 4);
  EXPECT_EQ(first->files, 2);  // two dates
  // Simulate a crash after the files were committed but before the offsets were: drop the offsets.
  fs::remove_all(dir / "log" / "om_raw" / "groups");
  ASSERT_TRUE(log->Publish("om_raw", "loc9", "{}", day1.PlusMinutes(10)).ok());
  auto second = land.Run();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->landed, 1);
  EXPECT_EQ(second->skipped_already_landed, 4);
  int64_t rows = 0;
  const auto files = std::move(lake.List({{"source", "openmeteo"}})).value();
  for (const auto& f : files) rows += (*parquet::ParquetReader::Open(f.path))->num_rows();
  EXPECT_EQ(rows, 5);
  EXPECT_EQ(lake.List({{"date", "2024-12-04"}})->size(), 2u);
  fs::remove_all(dir);
}

int64_t LakeRows(const Dataset& lake) {
  const std::vector<DataFile> files = std::move(lake.List()).value();
  int64_t rows = 0;
  for (const auto& f : files) rows += (*parquet::ParquetReader::Open(f.path))->num_rows();
  return rows;
}

// A publish retried after a partial failure sends the same messages again at new offsets: the
// lake keeps one of each, whether the copy arrives in the same batch, a later batch or a later
// process; a message that differs in anything (payload, time, location) is not a copy.
TEST(LandStageTest, ARepublishedMessageLandsOnce) {
  const fs::path dir = fs::temp_directory_path() / ("mf_land_dup_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto log = std::move(LocalLog::Open((dir / "log").string())).value();
  const Timestamp t = *Timestamp::Parse("2024-12-03T10:00:00Z");
  auto publish_interval = [&] {
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(log->Publish("om_raw", "loc" + std::to_string(i), "{\"v\":" + std::to_string(i) + "}", t).ok());
    }
  };
  publish_interval();
  publish_interval();  // the retry, before anything landed: copies in one batch
  Dataset lake((dir / "lake").string());
  {
    LandStage land({{"om_raw", "openmeteo"}}, *log, lake);
    auto first = land.Run();
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(first->landed, 3);
    EXPECT_EQ(first->skipped_duplicates, 3);
    publish_interval();                                                // and again after landing: the same process
    ASSERT_TRUE(log->Publish("om_raw", "loc0", "{\"v\":9}", t).ok());  // another payload
    ASSERT_TRUE(log->Publish("om_raw", "loc0", "{\"v\":0}", t.PlusMinutes(10)).ok());  // another time
    auto second = land.Run();
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_EQ(second->landed, 2);
    EXPECT_EQ(second->skipped_duplicates, 3);
  }
  publish_interval();  // a new process: what the lake holds is read back
  LandStage fresh({{"om_raw", "openmeteo"}}, *log, lake);
  auto third = fresh.Run();
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  EXPECT_EQ(third->landed, 0);
  EXPECT_EQ(third->skipped_duplicates, 3);
  EXPECT_EQ(LakeRows(lake), 5);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meteoflow
