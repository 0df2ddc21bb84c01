#include "collect/collect_stage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "collect/recording_testutil.h"
#include "collect/replay_source.h"
#include "store/sqlite_store.h"
#include "stream/local_log.h"

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

using testing::FreshDir;
using testing::Recording;

TEST(CollectStageTest, ALongIntervalIsCollectedInCheckpointedSlices) {
  const fs::path dir = FreshDir("mf_collect_slices");
  auto log = std::move(LocalLog::Open((dir / "log").string())).value();
  auto store = std::move(SqliteStore::Open((dir / "store.db").string())).value();
  std::vector<SourceBinding> sources;
  sources.push_back({std::move(ReplaySource::Parse("openmeteo", Recording(5), "rec.jsonl")).value(), "om_raw"});
  const std::vector<Location> locations = {{"rabat", "Rabat", 0, 0}, {"fes", "Fes", 0, 0}};
  CollectStage stage(std::move(sources), locations, *log, *store);
  const Interval five_hours{Timestamp::FromSeconds(1733184000), Timestamp::FromSeconds(1733184000 + 5 * 3600)};
  std::vector<int64_t> heard;
  auto stats = stage.Run(five_hours, [&](int64_t published) { heard.push_back(published); });
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->published.at("om_raw"), 60);
  EXPECT_EQ(heard, (std::vector<int64_t>{12, 24, 36, 48, 60}));  // one slice per hour
  auto checkpoints = store->ListCheckpoints("collect/openmeteo/");
  ASSERT_TRUE(checkpoints.ok());
  EXPECT_EQ(checkpoints->size(), 5u);  // four slices, then the whole interval
  auto again = stage.Run(five_hours);  // nothing is published twice
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->published.at("om_raw"), 0);
  EXPECT_EQ(again->already_collected, 60);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meteoflow
