#include "collect/replay_source.h"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace meteoflow
