#include "collect/open_meteo_source.h"

#include <gtest/gtest.h>

#include <thread>

#include "collect/canned_api_testutil.h"

namespace meteoflow {
namespace {

using testing::CannedApi;

struct Case {
  const char* name;
  int status;
  std::string body;
  std::string failure;  // expected in every location's failure; empty: both collected
};

TEST(OpenMeteoSourceTest, AnswersThatDoNotFitFailEveryLocationWithTheReason) {
  const std::string element = R"({"latitude":33.5,"current":{"time":"2026-01-01T12:00","temperature_2m":14.0}})";
  const Case cases[] = {
      {"an array in input order", 200, "[" + element + ", " + element + "]", ""},
      {"one element for two locations", 200, "[" + element + "]", "expected an array of 2 locations, got 1"},
      {"an object for two locations", 200, element, "got no array"},
      {"an error answer", 400, R"({"error":true,"reason":"Latitude must be in range of -90 to 90°."})",
       "HTTP 400: Latitude must be in range"},
      {"a 404 without JSON", 404, "Not Found", "HTTP 404: Not Found"},
  };
  const std::vector<Location> two = {{"a", "A", 33.5, -7.6}, {"b", "B", 34.0, -6.8}};
  SimulatedClock clock(*Timestamp::Parse("2026-01-01T12:10:05Z"));
  const Interval now{*Timestamp::Parse("2026-01-01T12:00Z"), *Timestamp::Parse("2026-01-01T12:10Z")};
  for (const Case& c : cases) {
    CannedApi api(c.status, c.body);
    LiveSourceOptions options;
    options.base_url = api.url();
    options.retry.retries = 0;
    auto source = OpenMeteoSource::Create("openmeteo", options, clock);
    ASSERT_TRUE(source.ok());
    auto got = (*source)->Collect(now, two);
    ASSERT_TRUE(got.ok()) << c.name << ": " << got.status().ToString();
    EXPECT_EQ(got->requests, 1) << c.name;
    if (c.failure.empty()) {
      ASSERT_EQ(got->responses.size(), 2u) << c.name;
      EXPECT_EQ(got->responses[1].body, element) << c.name;
      EXPECT_EQ(got->responses[0].fetched_at, clock.Now());
      continue;
    }
    EXPECT_TRUE(got->responses.empty()) << c.name;
    ASSERT_EQ(got->failed.size(), 2u) << c.name;
    EXPECT_NE(got->failed.at("b").find(c.failure), std::string::npos) << c.name << ": " << got->failed.at("b");
  }
}

TEST(OpenMeteoSourceTest, RefusedCredentialsFailTheCollectionNamingTheVariable) {
  CannedApi api(401, R"({"error":true,"reason":"The supplied API key is invalid."})");
  SimulatedClock clock(*Timestamp::Parse("2026-01-01T12:10:05Z"));
  LiveSourceOptions options;
  options.base_url = api.url();
  options.api_key = "k-secret";
  options.api_key_env = "OPEN_METEO_API_KEY";
  auto source = OpenMeteoSource::Create("openmeteo", options, clock);
  ASSERT_TRUE(source.ok());
  auto got = (*source)->Collect({*Timestamp::Parse("2026-01-01T12:00Z"), *Timestamp::Parse("2026-01-01T12:10Z")},
                                {{"a", "A", 33.5, -7.6}});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(got.status().message().find("$OPEN_METEO_API_KEY"), std::string::npos) << got.status().message();
  EXPECT_EQ(got.status().message().find("k-secret"), std::string::npos);
}

}  // namespace
}  // namespace meteoflow
