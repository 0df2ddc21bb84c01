#include "orchestrate/cron.h"

#include <gtest/gtest.h>

namespace meteoflow {
namespace {

struct NextCase {
  const char* expr;
  const char* after;
  const char* next;
};

TEST(CronTest, NextTicksTable) {
  const NextCase cases[] = {
      {"*/10 * * * *", "2024-12-03T22:16:57Z", "2024-12-03T22:20:00Z"},
      {"*/10 * * * *", "2024-12-03T22:20:00Z", "2024-12-03T22:30:00Z"},
      {"0 * * * *", "2024-12-31T23:30:00Z", "2025-01-01T00:00:00Z"},
      {"0 0 29 2 *", "2023-03-01T00:00:00Z", "2024-02-29T00:00:00Z"},
      {"0 0 31 * *", "2024-04-01T00:00:00Z", "2024-05-31T00:00:00Z"},
      {"30 6 * * 0", "2024-12-03T00:00:00Z", "2024-12-08T06:30:00Z"},  // Sunday as 0
      {"30 6 * * 7", "2024-12-03T00:00:00Z", "2024-12-08T06:30:00Z"},  // and as 7
      {"0 12 1 * 1", "2024-12-03T00:00:00Z", "2024-12-09T12:00:00Z"},  // day fields OR
      {"5-10/5,59 1 * * *", "2024-12-03T01:06:00Z", "2024-12-03T01:10:00Z"},
      {"5-10/5,59 1 * * *", "2024-12-03T01:10:00Z", "2024-12-03T01:59:00Z"},
      {"0 0 29 2 *", "2024-02-29T00:00:00Z", "2028-02-29T00:00:00Z"},  // leap day to leap day
      {"59 23 31 12 *", "2024-12-31T23:59:00Z", "2025-12-31T23:59:00Z"},
      {"0 0 1 */3 *", "2024-02-15T00:00:00Z", "2024-04-01T00:00:00Z"},
      {"0 9-17/4 * * 1-5", "2024-12-06T17:00:00Z", "2024-12-09T09:00:00Z"},  // Friday 17:00 -> Monday 9:00
      {"@hourly", "2024-12-03T22:16:57Z", "2024-12-03T23:00:00Z"},
      {"@daily", "2024-12-31T23:30:00Z", "2025-01-01T00:00:00Z"},
      {"@midnight", "2024-12-03T00:00:00Z", "2024-12-04T00:00:00Z"},
      {"@weekly", "2024-12-03T00:00:00Z", "2024-12-08T00:00:00Z"},
      {"@monthly", "2024-01-31T12:00:00Z", "2024-02-01T00:00:00Z"},
      {"@yearly", "2024-06-01T00:00:00Z", "2025-01-01T00:00:00Z"},
      {"@annually", "2024-06-01T00:00:00Z", "2025-01-01T00:00:00Z"},
  };
  for (const auto& c : cases) {
    auto cron = CronSchedule::Parse(c.expr);
    ASSERT_TRUE(cron.ok()) << c.expr << ": " << cron.status().ToString();
    auto next = cron->Next(*Timestamp::Parse(c.after));
    ASSERT_TRUE(next.ok()) << c.expr;
    EXPECT_EQ(next->ToString(), c.next) << c.expr << " after " << c.after;
  }
  auto prev = CronSchedule::Parse("*/10 * * * *")->Previous(*Timestamp::Parse("2024-12-03T22:16:57Z"));
  EXPECT_EQ(prev->ToString(), "2024-12-03T22:10:00Z");
}

TEST(CronTest, RejectsBadExpressionsNamingTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"* * * *", "expected 5 fields"},   {"60 * * * *", "minute: 60"},
      {"* 24 * * *", "hour: 24"},         {"* * 0 * *", "day-of-month: 0"},
      {"* * * 13 *", "month: 13"},        {"* * * * 8", "day-of-week: 8"},
      {"*/0 * * * *", "step 0"},          {"5-1 * * * *", "runs backwards"},
      {"a * * * *", "not a number"},      {"0 0 30 2 *", ""},
      {"@fortnightly", "unknown preset"}, {"@daily 5", "unknown preset"},
  };
  for (const auto& [expr, msg] : cases) {
    auto cron = CronSchedule::Parse(expr);
    if (std::string(msg).empty()) {  // valid but never fires
      ASSERT_TRUE(cron.ok());
      EXPECT_EQ(cron->Next(Timestamp()).status().code(), StatusCode::kNotFound);
      continue;
    }
    ASSERT_FALSE(cron.ok()) << expr;
    EXPECT_NE(cron.status().message().find(msg), std::string::npos) << cron.status().message();
  }
}

}  // namespace
}  // namespace meteoflow
