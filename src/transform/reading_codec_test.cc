#include "transform/reading_codec.h"

#include <gtest/gtest.h>

#include <random>

namespace meteoflow {
namespace {

TEST(ReadingCodecTest, RoundTripsEveryFieldExactly) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> value(-1e6, 1e6);
  for (int n = 0; n < 200; ++n) {
    SourceReading r;
    r.observed_at = Timestamp::FromMillis(static_cast<int64_t>(rng() % 4'000'000'000'000));
    for (auto& f : r.fields) {
      if (rng() % 3) f = n % 2 ? value(rng) : std::round(value(rng) * 10) / 10;
    }
    if (n % 4) r.sunrise = Timestamp::FromSeconds(1733200000 + n);
    if (n % 5) r.sunset = Timestamp::FromSeconds(1733240000 - n);
    r.country = n % 3 ? "MA" : "a|b,c";  // separators in the last part stay text
    auto back = DecodeReading(EncodeReading(r));
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(back->observed_at, r.observed_at);
    EXPECT_EQ(back->fields, r.fields);
    EXPECT_EQ(back->sunrise, r.sunrise);
    EXPECT_EQ(back->sunset, r.sunset);
    EXPECT_EQ(back->country, r.country);
  }
}

TEST(ReadingCodecTest, RefusesWhatItDidNotWrite) {
  const std::string fields(kWeatherFieldCount - 1, ',');
  const std::pair<std::string, const char*> cases[] = {
      {"", "not a version-1 reading"},
      {"2|0|||" + fields + "|MA", "not a version-1 reading"},
      {"1|x|||" + fields + "|MA", "observation time"},
      {"1|0|1.5||" + fields + "|MA", "sunrise or sunset"},
      {"1|0|||,,|MA", "field count"},
      {"1|0|||" + fields + ",|MA", "field count"},
      {"1|0|||nan" + fields + "|MA", "field 0"},
      {"1|0|||1e999" + fields + "|MA", "field 0"},
  };
  for (const auto& [text, why] : cases) {
    auto r = DecodeReading(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace meteoflow
