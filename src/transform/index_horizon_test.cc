#include "transform/index_horizon.h"

#include <gtest/gtest.h>

namespace meteoflow {
namespace {

constexpr int64_t kHour = 3'600'000, kDay = 24 * kHour;

IndexHorizons Fresh(const std::map<std::string, std::string>& stored = {}) {
  return std::move(IndexHorizons::Parse(stored, {"openmeteo", "openweathermap"}, 2 * kDay, kHour, INT64_MIN)).value();
}

TEST(IndexHorizonsTest, TrailsTheSlowestSourceAndWaitsForEverySource) {
  IndexHorizons h = Fresh();
  h.Observe("rabat", "openweathermap", 10 * kDay);
  EXPECT_EQ(h.horizon("rabat"), INT64_MIN);  // Open-Meteo not seen yet: it may still bring old readings
  h.Observe("rabat", "openmeteo", 4 * kDay);
  EXPECT_EQ(h.horizon("rabat"), 2 * kDay);  // behind the slower source
  h.Observe("rabat", "openmeteo", 4 * kDay + kHour / 2);
  EXPECT_EQ(h.horizon("rabat"), 2 * kDay);  // moves in steps of an hour
  h.Observe("rabat", "openmeteo", 5 * kDay);
  EXPECT_EQ(h.horizon("rabat"), 3 * kDay);
  h.Observe("rabat", "openmeteo", 1 * kDay);  // a late reading never moves it back
  EXPECT_EQ(h.horizon("rabat"), 3 * kDay);
  EXPECT_EQ(h.horizon("fes"), INT64_MIN);  // each location on its own
}

TEST(IndexHorizonsTest, CheckpointsRoundTripAndBadOnesAreRefused) {
  IndexHorizons h = Fresh();
  h.Observe("rabat", "openweathermap", 9 * kDay);
  h.Observe("rabat", "openmeteo", 8 * kDay);
  const auto saved = h.Checkpoints({"rabat", "never-seen"});
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved.at("transform/index/rabat"), std::to_string(6 * kDay) + ";openmeteo=" + std::to_string(8 * kDay) +
                                                   ";openweathermap=" + std::to_string(9 * kDay));
  IndexHorizons back = Fresh(saved);
  EXPECT_EQ(back.horizon("rabat"), 6 * kDay);
  back.Observe("rabat", "openweathermap", 12 * kDay);  // the newest times came back too
  EXPECT_EQ(back.horizon("rabat"), 6 * kDay);
  for (const char* bad : {"", "x", "5;openmeteo", "5;openmeteo=x", "5;=1;"}) {
    auto parsed = IndexHorizons::Parse({{"transform/index/rabat", bad}}, {"openmeteo"}, kDay, kHour, 0);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
  }
  EXPECT_EQ(std::move(IndexHorizons::Parse({}, {"openmeteo"}, kDay, kHour, 77)).value().horizon("x"), 77);
}

}  // namespace
}  // namespace meteoflow
