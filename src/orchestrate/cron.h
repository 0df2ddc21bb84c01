// Cron: a 5-field cron schedule (minute hour day-of-month month day-of-week), in UTC.
//
// Fields accept *, numbers, ranges a-b, lists a,b and steps */n or a-b/n; the presets @hourly,
// @daily (= @midnight), @weekly, @monthly and @yearly (= @annually) stand for their 5 fields. Day of week is 0-7
// with both 0 and 7 meaning Sunday. As in classic cron, when both day fields are restricted a
// day matches if either does. Parse errors name the field: "cron '...': hour: 25 is outside [0, 23]".
//
// Thread-safety: immutable value.
#pragma once

#include <bitset>
#include <string>

#include "core/status.h"
#include "core/time.h"

namespace meteoflow {

class CronSchedule {
 public:
  static Result<CronSchedule> Parse(const std::string& text);
  // The first tick strictly after `t` (to the minute); within five years, else NotFound.
  Result<Timestamp> Next(Timestamp t) const;
  // The last tick at or before `t`.
  Result<Timestamp> Previous(Timestamp t) const;
  const std::string& expression() const { return expression_; }

 private:
  bool MatchesDay(int64_t days_since_epoch) const;
  std::string expression_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;
  std::bitset<13> months_;
  std::bitset<8> weekdays_;
  bool days_restricted_ = false, weekdays_restricted_ = false;
};

}  // namespace meteoflow
