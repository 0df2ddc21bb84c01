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

}  // namespace
}  // namespace meteoflow
