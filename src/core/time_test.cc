#include "core/time.h"

#include <gtest/gtest.h>

namespace meteoflow {
namespace {

struct ParseCase {
  const char* text;
  int64_t millis;  // expected, when ok
  bool ok;
};

TEST(TimestampTest, ParsesAndRejectsTable) {
  const ParseCase cases[] = {
      {"1970-01-01T00:00:00Z", 0, true},
      {"2024-12-03T22:16:57Z", 1733264217000, true},
      {"2024-12-03 22:16:57.000+0000", 1733264217000, true},
      {"2024-12-09T18:30", 1733769000000, true},
      {"2024-02-29T00:00:00Z", 1709164800000, true},
      {"2024-12-03T22:16:57.5Z", 1733264217500, true},
      {"1969-12-31T23:59:59Z", -1000, true},
      {"2023-02-29T00:00:00Z", 0, false},
      {"2024-13-01T00:00:00Z", 0, false},
      {"2024-12-03T24:00:00Z", 0, false},
      {"2024-12-03T22:16:57+0100", 0, false},
      {"2024-12-03", 1733184000000, true},
      {"2024-12-03Z", 1733184000000, true},
      {"2024-12-03T", 0, false},
      {"2024-12-03T22", 0, false},
      {"2024-12-03T22:16:57.123456789123Z", 1733264217123, true},
      {"2024-12-03 22:16:57+00", 1733264217000, true},
      {"2024-1-03", 0, false},
      {"20241203", 0, false},
      {"", 0, false},
      {"garbage-in-here-xx", 0, false},
      {"2024-12-03T22:16:57.Z", 0, false},
  };
  for (const auto& c : cases) {
    auto r = Timestamp::Parse(c.text);
    EXPECT_EQ(r.ok(), c.ok) << c.text;
    if (c.ok && r.ok()) {
      EXPECT_EQ(r->millis(), c.millis) << c.text;
    }
  }
}

// Found by params_fuzz: a 400 answer echoed a hostile `to=` value whole.
TEST(TimestampTest, AnErrorEchoesAtMost40BytesOfTheText) {
  const std::string huge = "2024-" + std::string(100'000, 'x');
  auto r = Timestamp::Parse(huge);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "not a UTC timestamp or date: '" + huge.substr(0, 40) + "...'");
  EXPECT_EQ(Timestamp::Parse("tomorrow").status().message(), "not a UTC timestamp or date: 'tomorrow'");
}

TEST(CivilTimeTest, KeepsNanosecondsAndSaysWhatWasWritten) {
  auto t = ParseCivilTime("1970-01-02T00:00:01.000000007Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->days, 1);
  EXPECT_EQ(t->nanos_of_day, 1'000'000'007);
  EXPECT_EQ(t->fraction_digits, 9);
  EXPECT_TRUE(t->has_time);
  auto date = ParseCivilTime("1969-12-31");
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(date->days, -1);
  EXPECT_FALSE(date->has_time);
  EXPECT_EQ(ParseCivilTime("2024-12-03T22:16:57+0100").status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(ParseCivilTime("x").status().message().find("'x'"), std::string::npos);
}

TEST(TimestampTest, FormatsRoundTrip) {
  EXPECT_EQ(Timestamp::FromMillis(1733264217000).ToString(), "2024-12-03T22:16:57Z");
  EXPECT_EQ(Timestamp::FromMillis(1733264217123).ToString(), "2024-12-03T22:16:57.123Z");
  EXPECT_EQ(Timestamp::FromMillis(-1000).ToString(), "1969-12-31T23:59:59Z");
  EXPECT_EQ(Timestamp::FromMillis(1733264217000).ToFixedString(), "2024-12-03T22:16:57.000Z");
  EXPECT_EQ(Timestamp::FromMillis(1733264217007).ToFixedString(), "2024-12-03T22:16:57.007Z");
  EXPECT_EQ(Timestamp::FromMillis(253402300800000).ToString(), "10000-01-01T00:00:00Z");  // past 4 digits
  EXPECT_EQ(Timestamp::FromMillis(253402300800001).ToFixedString(), "10000-01-01T00:00:00.001Z");
  EXPECT_EQ(Timestamp::FromMillis(1733264217000).DateString(), "2024-12-03");
  for (int64_t ms : {0ll, 951782400000ll, 4102444799999ll, -86400001ll}) {
    EXPECT_EQ(Timestamp::Parse(Timestamp::FromMillis(ms).ToString())->millis(), ms);
  }
}

TEST(TimestampTest, FloorsToSteps) {
  EXPECT_EQ(Timestamp::FromMillis(1733264217000).FloorTo(600'000).ToString(), "2024-12-03T22:10:00Z");
  EXPECT_EQ(Timestamp::FromMillis(-1).FloorTo(1000).millis(), -1000);
}

}  // namespace
}  // namespace meteoflow
