#include "collect/live_source.h"

#include <gtest/gtest.h>

#include "collect/geocoding.h"

namespace meteoflow {
namespace {

TEST(SplitJsonArrayTest, KeepsEachElementByteForByte) {
  const std::pair<std::string, std::vector<std::string>> cases[] = {
      {R"([{"a":1.50},{"b":"x,]}"}])", {R"({"a":1.50})", R"({"b":"x,]}"})"}},
      {" [ {\"q\":\"\\\"\"} ,\n {\"n\":[1,[2]]} ]\n", {R"({"q":"\""})", R"({"n":[1,[2]]})"}},
      {"[]", {}},
      {"[1, \"two\", null]", {"1", "\"two\"", "null"}},
  };
  for (const auto& [body, expected] : cases) {
    auto got = SplitJsonArray(body);
    ASSERT_TRUE(got.ok()) << body;
    EXPECT_EQ(*got, expected) << body;
  }
  EXPECT_FALSE(SplitJsonArray(R"({"latitude":1})").ok());
  EXPECT_FALSE(SplitJsonArray("").ok());
}

TEST(WhyNotCurrentTest, OnlyTheIntervalThatJustEndedIsCurrent) {
  const Interval i{*Timestamp::Parse("2026-01-01T12:00Z"), *Timestamp::Parse("2026-01-01T12:10Z")};
  EXPECT_EQ(WhyNotCurrent(i, *Timestamp::Parse("2026-01-01T12:10:03Z")), "");
  EXPECT_EQ(WhyNotCurrent(i, *Timestamp::Parse("2026-01-01T12:05Z")), "");  // a manual run inside it
  EXPECT_EQ(WhyNotCurrent(i, *Timestamp::Parse("2026-01-01T12:19:59Z")), "");
  EXPECT_NE(WhyNotCurrent(i, *Timestamp::Parse("2026-01-01T12:20Z")).find("in the past"), std::string::npos);
  EXPECT_NE(WhyNotCurrent(i, *Timestamp::Parse("2026-01-01T11:59Z")).find("not begun"), std::string::npos);
}

TEST(HttpTextTest, SecretsAreRedactedAndValuesEncoded) {
  EXPECT_EQ(RedactUrl("http://h/data/2.5/weather?lat=1&appid=abc123&units=metric"),
            "http://h/data/2.5/weather?lat=1&appid=***&units=metric");
  EXPECT_EQ(RedactUrl("https://customer-api.open-meteo.com/v1/forecast?latitude=1&APIKEY=k"),
            "https://customer-api.open-meteo.com/v1/forecast?latitude=1&APIKEY=***");
  EXPECT_EQ(RedactUrl("http://h/path"), "http://h/path");
  EXPECT_EQ(QueryParam("name", "Fès & co,1"), "name=F%C3%A8s%20%26%20co%2C1");
}

TEST(GeocodingTextTest, SlugsAndDistances) {
  EXPECT_EQ(SlugOf("Casablanca"), "casablanca");
  EXPECT_EQ(SlugOf("Fès"), "fes");
  EXPECT_EQ(SlugOf("Ksar el Kebir"), "ksar-el-kebir");
  EXPECT_EQ(SlugOf("  'Ain  Harrouda!"), "ain-harrouda");
  EXPECT_EQ(SlugOf("東京"), "place");
  // Casablanca - Rabat: 84.5 km by the equirectangular approximation at this short range.
  EXPECT_NEAR(DistanceKm(33.5928, -7.6192, 33.9911, -6.8401), 84.5, 0.3);
  EXPECT_NEAR(DistanceKm(0, 0, 1, 0), 111.2, 0.1);
}

}  // namespace
}  // namespace meteoflow
