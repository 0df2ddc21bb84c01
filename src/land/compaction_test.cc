#include "land/compaction.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include "lake/parquet/reader.h"
#include "land/land_stage.h"
#include "stream/local_log.h"

namespace meteoflow {
namespace {

namespace fs = std::filesystem;
using Row = std::tuple<std::string, int64_t, std::string, int64_t, int64_t, std::string>;

class CompactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mf_compact_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    log_ = std::move(LocalLog::Open((dir_ / "log").string())).value();
    lake_ = std::make_unique<Dataset>((dir_ / "lake").string());
    land_ = std::make_unique<LandStage>(
        std::map<std::string, std::string>{{"om_raw", "openmeteo"}, {"owm_raw", "openweathermap"}}, *log_, *lake_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Three days of messages for two topics, landed five at a time (many small files).
  void PublishAndLand() {
    const Timestamp start = *Timestamp::Parse("2024-12-03T00:00:00Z");
    for (int k = 0; k < 3 * 24; ++k) {
      for (const char* topic : {"om_raw", "owm_raw"}) {
        const std::string key = "loc" + std::to_string(k % 3);
        ASSERT_TRUE(
            log_->Publish(topic, key, "{\"k\":" + std::to_string(k) + "}", start.PlusMinutes(int64_t{60} * k)).ok());
      }
    }
    ASSERT_TRUE(log_->Flush().ok());
    auto consumer = std::move(land_->Subscribe()).value();
    LandStats stats;
    for (bool caught_up = false; !caught_up;) ASSERT_TRUE(land_->LandBatch(*consumer, 5, &stats, &caught_up).ok());
    ASSERT_EQ(stats.landed, 144);
  }

  std::vector<DataFile> Files() {
    auto files = lake_->List();
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? *files : std::vector<DataFile>{};
  }

  std::multiset<Row> Rows() {
    std::multiset<Row> rows;
    for (const auto& f : Files()) {
      auto table = std::move((*parquet::ParquetReader::Open(f.path))->ReadAll()).value();
      for (size_t i = 0; i < table.num_rows(); ++i) {
        rows.emplace(table.columns[0].StringAt(i), table.columns[1].ints[i], table.columns[2].StringAt(i),
                     table.columns[3].ints[i], table.columns[4].ints[i], table.columns[5].StringAt(i));
      }
    }
    return rows;
  }

  std::map<std::string, int> FilesPerPartition() {
    std::map<std::string, int> out;
    for (const auto& f : Files()) ++out[f.partition.at("source") + "/" + f.partition.at("date")];
    return out;
  }

  // Hooks over a set of transformed paths, as the transform's checkpoints would be.
  CompactionHooks Hooks() {
    return {[this](const std::vector<DataFile>& files) -> Result<bool> {
              for (const auto& f : files) {
                if (!transformed_.count(f.relative_path)) return false;
              }
              return true;
            },
            [this](const std::string& path, int64_t min_ms, int64_t max_ms) {
              transformed_.insert(path);
              adopted_[path] = {min_ms, max_ms};
              return Status::OK();
            }};
  }
  void MarkAllTransformed() {
    for (const auto& f : Files()) transformed_.insert(f.relative_path);
  }

  fs::path dir_;
  std::unique_ptr<LocalLog> log_;
  std::unique_ptr<Dataset> lake_;
  std::unique_ptr<LandStage> land_;
  std::set<std::string> transformed_;
  std::map<std::string, std::pair<int64_t, int64_t>> adopted_;
};

TEST_F(CompactionTest, ClosedDaysBecomeOneFilePerSourceWithTheSameRowsAndOffsets) {
  PublishAndLand();
  MarkAllTransformed();
  const auto before = Rows();
  const auto files_before = FilesPerPartition();
  ASSERT_GT(files_before.at("openmeteo/2024-12-03"), 1);
  LakeCompactor compactor(*lake_, (dir_ / "staging").string(), Hooks());
  auto stats = compactor.Run(std::nullopt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->partitions, 4);  // two closed days x two sources; the newest day stays open
  EXPECT_EQ(stats->rows, 96);
  const auto files_after = FilesPerPartition();
  EXPECT_EQ(files_after.at("openmeteo/2024-12-03"), 1);
  EXPECT_EQ(files_after.at("openweathermap/2024-12-04"), 1);
  EXPECT_EQ(files_after.at("openmeteo/2024-12-05"), files_before.at("openmeteo/2024-12-05"));
  EXPECT_EQ(Rows(), before);
  const auto span = adopted_.at("source=openmeteo/date=2024-12-03/compact-2024-12-03.parquet");
  EXPECT_EQ(span.first, Timestamp::Parse("2024-12-03T00:00:00Z")->millis());
  EXPECT_EQ(span.second, Timestamp::Parse("2024-12-03T23:00:00Z")->millis());
  EXPECT_FALSE(fs::exists(dir_ / "staging" / "source=openmeteo" / "date=2024-12-03"));

  // Offsets already landed are still found in compacted files: lose the committed offsets and land again.
  fs::remove_all(dir_ / "log" / "om_raw" / "groups");
  fs::remove_all(dir_ / "log" / "owm_raw" / "groups");
  auto again = land_->Run();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->landed, 0);
  EXPECT_EQ(again->skipped_already_landed, 144);

  auto second = compactor.Run(std::nullopt);  // nothing left to do
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->partitions, 0);
  EXPECT_EQ(Rows(), before);
}

TEST_F(CompactionTest, LeavesDaysNotTransformedAndTakesAChosenDay) {
  PublishAndLand();
  for (const auto& f : Files()) {
    if (f.partition.at("date") != "2024-12-04") transformed_.insert(f.relative_path);
  }
  LakeCompactor compactor(*lake_, (dir_ / "staging").string(), Hooks());
  auto stats = compactor.Run(std::nullopt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->partitions, 2);
  ASSERT_EQ(stats->skipped.size(), 2u);
  EXPECT_EQ(stats->skipped[0], "source=openmeteo/date=2024-12-04: not every file is transformed yet");
  auto newest = compactor.Run(std::string("2024-12-05"));  // asked for explicitly, even the open day
  ASSERT_TRUE(newest.ok());
  EXPECT_EQ(newest->partitions, 2);
  EXPECT_EQ(FilesPerPartition().at("openweathermap/2024-12-05"), 1);
}

TEST_F(CompactionTest, WhatAnInterruptedRunLeftInStagingIsNeverRead) {
  PublishAndLand();
  MarkAllTransformed();
  const auto before = Rows();
  // A crash after the exchange leaves the old files in staging; one before it, a partial file.
  fs::create_directories(dir_ / "staging" / "source=openmeteo" / "date=2024-12-03");
  std::ofstream(dir_ / "staging" / "source=openmeteo" / "date=2024-12-03" / "compact-2024-12-03.parquet")
      << "PAR1 torn";
  EXPECT_EQ(Rows(), before);
  LakeCompactor compactor(*lake_, (dir_ / "staging").string(), Hooks());
  auto stats = compactor.Run(std::nullopt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(Rows(), before);
  EXPECT_FALSE(fs::exists(dir_ / "staging" / "source=openmeteo"));
}

}  // namespace
}  // namespace meteoflow
