#include "forecast/service_regressor.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meteoflow::forecast {
namespace {

constexpr int64_t kHalfHourMs = int64_t{30} * 60'000;

Timestamp At(const char* hh_mm) { return *Timestamp::Parse(std::string("2026-01-01T") + hh_mm + ":00Z"); }

// Two fetches: at 09:05 (targets 09:00..12:00) and at 10:05 (targets 10:00..11:00, warmer).
std::vector<ServiceForecast> Rows() {
  std::vector<ServiceForecast> rows;
  const char* early[] = {"09:00", "10:00", "11:00", "12:00"};
  for (int i = 0; i < 4; ++i) rows.push_back({"Rabat", "temp", At(early[i]), At("09:05"), 10.0 + i});
  rows.push_back({"Rabat", "temp", At("11:00"), At("10:05"), 21.0});
  rows.push_back({"Rabat", "temp", At("10:00"), At("10:05"), 20.0});
  rows.push_back({"Rabat", "humidity", At("10:00"), At("10:05"), 70.0});
  return rows;
}

struct Case {
  const char* t;
  const char* as_of;
  double expected;  // NaN: none
};

TEST(ServiceRegressorTest, TheNewestIssueKnownThenThatSpansTheStepInterpolated) {
  const ServiceRegressor temp(Rows(), "temp");
  const Case cases[] = {
      {"09:30", "09:30", 10.5},  // the 09:05 issue, halfway between its 09:00 and 10:00 targets
      {"10:30", "10:30", 20.5},  // the 10:05 issue is newer and spans 10:30
      {"10:30", "10:00", 11.5},  // ... but was not known at 10:00
      {"11:30", "11:30", 12.5},  // the 10:05 issue ends at 11:00: the older one spans 11:30
      {"11:00", "11:00", 21.0},  // exactly on a target
      {"12:30", "12:30", NAN},   // beyond every issue: never extrapolated
      {"09:30", "09:00", NAN},   // nothing issued yet
      {"08:30", "10:30", NAN},   // before every target
  };
  for (const Case& c : cases) {
    const double got = temp.At(At(c.t), At(c.as_of));
    if (std::isnan(c.expected)) {
      EXPECT_TRUE(std::isnan(got)) << c.t << " as of " << c.as_of << ": " << got;
    } else {
      EXPECT_DOUBLE_EQ(got, c.expected) << c.t << " as of " << c.as_of;
    }
  }
  EXPECT_TRUE(ServiceRegressor(Rows(), "visibility").empty());
}

TEST(ServiceRegressorTest, ColumnsOverASeriesAndAheadOfIt) {
  const ServiceRegressor temp(Rows(), "temp");
  const std::vector<Timestamp> times = {At("09:00"), At("09:30"), At("10:00"), At("10:30")};
  const ServiceColumns columns = ServiceColumnsFor(temp, times, kHalfHourMs, 3);
  ASSERT_EQ(columns.over_series.size(), 1u);
  ASSERT_EQ(columns.over_series[0].size(), 4u);
  EXPECT_TRUE(std::isnan(columns.over_series[0][0]));  // at 09:00 nothing had been issued
  EXPECT_EQ(std::vector<double>(columns.over_series[0].begin() + 1, columns.over_series[0].end()),
            (std::vector<double>{10.5, 11.0, 20.5}));
  ASSERT_EQ(columns.ahead.size(), 1u);
  ASSERT_EQ(columns.ahead[0].size(), 3u);  // 11:00, 11:30, 12:00 as known at 10:30
  EXPECT_DOUBLE_EQ(columns.ahead[0][0], 21.0);
  EXPECT_DOUBLE_EQ(columns.ahead[0][1], 12.5);
  EXPECT_DOUBLE_EQ(columns.ahead[0][2], 13.0);
  EXPECT_TRUE(ServiceColumnsFor(ServiceRegressor(Rows(), "wind_speed"), times, kHalfHourMs, 3).over_series.empty());
}

}  // namespace
}  // namespace meteoflow::forecast
