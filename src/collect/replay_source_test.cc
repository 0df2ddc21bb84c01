#include "collect/replay_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "collect/recording_testutil.h"

namespace meteoflow {
namespace {

const char* kRecording =
    "{\"location_id\": \"rabat\", \"fetched_at\": \"2024-12-03T22:20:00Z\", \"response\": {\"a\": 1.50, \"b\": [1, "
    "2]}}\n"
    "\n"
    "{\"location_id\": \"casablanca\", \"fetched_at\": \"2024-12-03T22:10:00Z\", \"response\": {\"x\":\"y\"}}\n"
    "{\"location_id\": \"nowhere\", \"fetched_at\": \"2024-12-03T22:12:00Z\", \"response\": {}}\n";

TEST(ReplaySourceTest, SelectsByIntervalAndLocationKeepingBytes) {
  auto src = ReplaySource::Parse("om", kRecording, "rec.jsonl");
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->size(), 3u);
  EXPECT_EQ((*src)->span()->start.ToString(), "2024-12-03T22:10:00Z");
  const std::vector<Location> locations = {{"rabat", "Rabat", 0, 0}, {"casablanca", "Casablanca", 0, 0}};
  auto all = (*src)->Collect(*(*src)->span(), locations);
  ASSERT_EQ(all->responses.size(), 2u);
  EXPECT_EQ(all->responses[0].location_id, "casablanca");
  EXPECT_EQ(all->responses[1].body, "{\"a\": 1.50, \"b\": [1, 2]}");  // exactly as recorded
  auto slice = (*src)->Collect({*Timestamp::Parse("2024-12-03T22:15:00Z"), *Timestamp::Parse("2024-12-03T22:20:00Z")},
                               locations);
  EXPECT_TRUE(slice->responses.empty());  // half-open: 22:20 belongs to the next interval
}

TEST(ReplaySourceTest, BadLinesNameFileAndLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"{\"location_id\": \"a\", \"fetched_at\": \"2024-12-03T22:20:00Z\"}", "rec.jsonl:1: missing object response"},
      {"{\"fetched_at\": \"2024-12-03T22:20:00Z\", \"response\": {}}", "rec.jsonl:1: missing string location_id"},
      {"{\"location_id\": \"a\", \"fetched_at\": \"noon\", \"response\": {}}", "rec.jsonl:1: not a UTC timestamp"},
      {"\n{\"location_id\": \"a\", \"fetched_at\": \"2024-12-03T22:20:00Z\", \"response\": {}",
       "rec.jsonl:2: not JSON"},
      {"{\"location_id\": \"a\", \"fetched_at\": \"2024-12-03T22:20:00Z\", \"response\": []}",
       "missing object response"},
  };
  for (const auto& [text, msg] : cases) {
    auto src = ReplaySource::Parse("om", text, "rec.jsonl");
    ASSERT_FALSE(src.ok()) << text;
    EXPECT_NE(src.status().message().find(msg), std::string::npos) << src.status().message();
  }
  EXPECT_EQ(ReplaySource::Load("om", "/nonexistent.jsonl").status().code(), StatusCode::kIOError);
}

namespace fs = std::filesystem;

using testing::FreshDir;
using testing::Recording;

TEST(ReplaySourceTest, LoadKeepsAnIndexAndReadsBodiesBackFromTheFile) {
  const fs::path dir = FreshDir("mf_replay_load");
  const std::string path = (dir / "rec.jsonl").string();
  std::ofstream(path) << Recording(2);
  auto src = ReplaySource::Load("om", path);
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->size(), 24u);
  const std::vector<Location> locations = {{"fes", "Fes", 0, 0}};
  auto all = (*src)->Collect(*(*src)->span(), locations);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_EQ(all->responses.size(), 12u);
  EXPECT_EQ(all->responses[11].body, "{\"k\": 11}");
  std::ofstream(path, std::ios::trunc) << "{}\n";  // the file changed under the source
  auto changed = (*src)->Collect(*(*src)->span(), locations);
  ASSERT_FALSE(changed.ok());
  EXPECT_NE(changed.status().message().find(path), std::string::npos) << changed.status().message();
  fs::remove_all(dir);
}

TEST(ReplaySourceTest, ALongRecordingReplaysFromItsBlocksInFetchTimeOrder) {
  const fs::path dir = FreshDir("mf_replay_sparse");
  const std::string sorted = Recording(100);  // 1,200 lines: more than one stride of the sparse index
  std::string shuffled = sorted;
  const size_t first_end = shuffled.find('\n') + 1;
  shuffled = shuffled.substr(first_end) + shuffled.substr(0, first_end);  // the first line comes last
  const std::vector<Location> locations = {{"rabat", "Rabat", 0, 0}, {"fes", "Fes", 0, 0}};
  const Interval hour_50{Timestamp::FromSeconds(1733184000 + 50 * 3600),
                         Timestamp::FromSeconds(1733184000 + 51 * 3600)};
  for (const auto& [name, text] : {std::pair{"sorted", sorted}, std::pair{"shuffled", shuffled}}) {
    SCOPED_TRACE(name);
    const std::string path = (dir / (std::string(name) + ".jsonl")).string();
    std::ofstream(path) << text;
    auto src = ReplaySource::Load("om", path);
    ASSERT_TRUE(src.ok()) << src.status().ToString();
    EXPECT_EQ((*src)->size(), 1200u);
    EXPECT_EQ((*src)->span()->start, Timestamp::FromSeconds(1733184000));
    EXPECT_EQ((*src)->fetch_minutes().size(), 600u);
    auto slice = (*src)->Collect(hour_50, locations);
    ASSERT_TRUE(slice.ok()) << slice.status().ToString();
    ASSERT_EQ(slice->responses.size(), 12u);
    EXPECT_EQ(slice->responses.front().body, "{\"k\": 300}");
    EXPECT_EQ(slice->responses.front().location_id, "rabat");
    EXPECT_EQ(slice->responses.back().body, "{\"k\": 305}");
    auto first = (*src)->Collect({Timestamp::FromSeconds(1733184000), Timestamp::FromSeconds(1733184001)}, locations);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->responses.size(), 2u);  // the line moved to the end is found in time order
  }
  auto empty = ReplaySource::Parse("om", "\n\n", "empty.jsonl");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ((*empty)->size(), 0u);
  EXPECT_FALSE((*empty)->span());
  EXPECT_TRUE((*empty)->Collect({Timestamp(), Timestamp::FromSeconds(2'000'000'000)}, locations)->responses.empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meteoflow
