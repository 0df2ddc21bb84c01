// Unit tests of the dashboard server's pure parts: downsampling, the per-source summary and
// comparison, and the change feed that drives Server-Sent Events.
#include <gtest/gtest.h>

#include <atomic>

#include "serve/change_feed.h"
#include "serve/downsample.h"
#include "serve/source_summary.h"

namespace meteoflow {
namespace {

struct DownsampleCase {
  std::vector<TimePoint> in;
  size_t max_points;
  std::vector<TimePoint> out;
};

TEST(DownsampleTest, KeepsEachBucketsMinimumAndMaximumInTimeOrder) {
  const DownsampleCase cases[] = {
      {{{0, 1}, {1, 2}}, 4, {{0, 1}, {1, 2}}},  // short series unchanged
      // Two buckets over [0, 8): [0,4) keeps min 0@t2 and max 9@t1; [4,8) keeps 5@t4 and 7@t7.
      {{{0, 3}, {1, 9}, {2, 0}, {3, 4}, {4, 5}, {5, 6}, {6, 6}, {7, 7}}, 4, {{1, 9}, {2, 0}, {4, 5}, {7, 7}}},
      // A gap leaves its buckets empty; a flat bucket gives one point.
      {{{0, 1}, {1, 1}, {2, 1}, {100, 2}, {101, 3}, {102, 3}, {103, 3}, {104, 3}}, 6, {{0, 1}, {100, 2}, {101, 3}}},
  };
  for (const auto& c : cases) EXPECT_EQ(MinMaxPerBucket(c.in, c.max_points), c.out);
}

TEST(DownsampleTest, AYearOfTenMinuteReadingsFitsTheBudgetAndKeepsTheExtremes) {
  std::vector<TimePoint> year;
  for (int64_t i = 0; i < 52'560; ++i) year.emplace_back(i * 600'000, static_cast<double>(i % 1000));
  year[30'000].second = -50;
  auto out = MinMaxPerBucket(year, 2000);
  EXPECT_LE(out.size(), 2000u);
  EXPECT_GE(out.size(), 1900u);
  for (size_t i = 1; i < out.size(); ++i) EXPECT_LT(out[i - 1].first, out[i].first);
  EXPECT_NE(std::find(out.begin(), out.end(), TimePoint{30'000 * int64_t{600'000}, -50}), out.end());
}

SourceObservation Reading(const std::string& source, const std::string& city, int64_t seconds,
                          std::map<std::string, double> values) {
  return {source, city, Timestamp::FromSeconds(seconds), city, Timestamp::FromSeconds(seconds), std::move(values), {}};
}

TEST(SourceSummaryTest, MeansHistogramsBandsAndScatter) {
  const std::vector<Location> locations = {{"a", "A", 0, 0}, {"b", "B", 1, 1}};
  std::map<std::string, std::vector<SourceObservation>> by_city = {
      {"A",
       {Reading("openweathermap", "A", 1, {{"temp", -2}, {"humidity", 90}}),
        Reading("openweathermap", "A", 2, {{"temp", 12.5}, {"humidity", 29}})}},
      {"B", {Reading("openweathermap", "B", 1, {{"temp", 31}})}},
  };
  auto s = SummarizeSource("openweathermap", locations, by_city);
  EXPECT_EQ(s["rows"], 3);
  EXPECT_EQ(s["cities"][0]["mean"]["temp"], 5.25);
  EXPECT_EQ(s["cities"][1]["count"], 1);
  EXPECT_EQ(s["histograms"]["temp"]["bins"].dump(), "[[-2.0,1],[12.0,1],[31.0,1]]");
  EXPECT_EQ(s["bands"]["temp"][0]["count"], 1);  // below 0
  EXPECT_EQ(s["bands"]["temp"][2]["count"], 1);  // 10-20
  EXPECT_EQ(s["bands"]["temp"][4]["count"], 1);  // 30 and above
  EXPECT_EQ(s["bands"]["humidity"][0]["count"], 1);
  EXPECT_EQ(s["bands"]["humidity"][3]["count"], 1);
  EXPECT_EQ(s["scatter"][0]["total"], 2);  // B has no humidity
  EXPECT_EQ(s["scatter"][0]["points"][0].dump(), "[-2.0,90.0,\"A\"]");
}

TEST(SourceSummaryTest, ComparePairsByNearestTimeWithinTheWindow) {
  const std::vector<Location> locations = {{"a", "A", 0, 0}};
  std::map<std::string, std::vector<SourceObservation>> owm = {
      {"A",
       {Reading("openweathermap", "A", 1000, {{"temp", 10}, {"humidity", 50}, {"grnd_level", 1000}}),
        Reading("openweathermap", "A", 5000, {{"temp", 20}})}}};
  std::map<std::string, std::vector<SourceObservation>> om = {
      {"A",
       {Reading("openmeteo", "A", 900, {{"temperature_2m", 11}, {"relative_humidity_2m", 54}}),
        Reading("openmeteo", "A", 1800, {{"temperature_2m", 99}})}}};
  auto c = CompareSources(locations, owm, om);
  const auto& a = c["cities"][0];
  EXPECT_EQ(a["pairs"], 1);  // 5000 s is more than 15 minutes from any Open-Meteo reading
  EXPECT_EQ(a["mean_abs_difference"]["temperature"], 1.0);
  EXPECT_EQ(a["mean_abs_difference"]["humidity"], 4.0);
  EXPECT_TRUE(a["mean_abs_difference"]["pressure"].is_null());
  EXPECT_EQ(a["openweathermap"]["temp"], 20);
  EXPECT_EQ(a["openmeteo"]["temperature_2m"], 99);
}

TEST(ChangeFeedTest, BumpsTheVersionWhenTheMarkerChangesAndWakesWaiters) {
  std::atomic<int> marker{0};
  ChangeFeed feed([&]() -> Result<std::string> { return std::to_string(marker.load()); }, std::chrono::milliseconds(5));
  EXPECT_EQ(feed.WaitBeyond(0, std::chrono::milliseconds(30)), 0);  // unchanged: times out at 0
  marker = 1;
  EXPECT_EQ(feed.WaitBeyond(0, std::chrono::seconds(30)), 1);
  feed.Stop();
  EXPECT_TRUE(feed.stopped());
  EXPECT_EQ(feed.WaitBeyond(1, std::chrono::seconds(30)), 1);  // returns at once after Stop
}

}  // namespace
}  // namespace meteoflow
