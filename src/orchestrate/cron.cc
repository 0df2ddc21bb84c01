#include "orchestrate/cron.h"

#include <sstream>
#include <vector>

namespace meteoflow {
namespace {

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 86'400'000;

Result<int> ParseNumber(const std::string& text, const std::string& field) {
  if (text.empty() || text.size() > 4 || text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(field + ": '" + text + "' is not a number");
  }
  return std::stoi(text);
}

// Sets bits lo..hi of one field from its text ("*/10", "1-5", "0,30").
template <size_t N>
Status ParseField(const std::string& text, const std::string& field, int lo, int hi, std::bitset<N>* bits,
                  bool* restricted) {
  *restricted = text != "*";
  std::stringstream parts(text);
  std::string part;
  bool any = false;
  while (std::getline(parts, part, ',')) {
    any = true;
    int step = 1, from = lo, to = hi;
    const size_t slash = part.find('/');
    std::string range = part.substr(0, slash);
    if (slash != std::string::npos) {
      MF_ASSIGN_OR_RETURN(step, ParseNumber(part.substr(slash + 1), field));
      if (step == 0) return Status::InvalidArgument(field + ": step 0");
    }
    if (range != "*") {
      const size_t dash = range.find('-');
      MF_ASSIGN_OR_RETURN(from, ParseNumber(range.substr(0, dash), field));
      to = from;
      if (dash != std::string::npos) {
        MF_ASSIGN_OR_RETURN(to, ParseNumber(range.substr(dash + 1), field));
      } else if (slash != std::string::npos) {
        to = hi;
      }
    }
    for (int v : {from, to}) {
      if (v < lo || v > hi) {
        return Status::InvalidArgument(field + ": " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                                       std::to_string(hi) + "]");
      }
    }
    if (from > to) return Status::InvalidArgument(field + ": range " + range + " runs backwards");
    for (int v = from; v <= to; v += step) bits->set(static_cast<size_t>(v));
  }
  if (!any) return Status::InvalidArgument(field + ": empty");
  return Status::OK();
}

struct Civil {
  int year, month, day, weekday;
};

Civil CivilOf(int64_t days) {
  const Timestamp t = Timestamp::FromMillis(days * kDayMs);
  const std::string s = t.DateString();
  const int weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  return {std::stoi(s.substr(0, 4)), std::stoi(s.substr(5, 2)), std::stoi(s.substr(8, 2)), weekday};
}

}  // namespace

Result<CronSchedule> CronSchedule::Parse(const std::string& text) {
  static const std::pair<const char*, const char*> kPresets[] = {
      {"@hourly", "0 * * * *"},  {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@weekly", "0 0 * * 0"},
      {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}};
  std::string expression = text;
  for (const auto& [preset, fields] : kPresets) {
    if (text == preset) expression = fields;
  }
  if (!expression.empty() && expression[0] == '@' && expression == text) {
    return Status::InvalidArgument(
        "cron '" + text +
        "': unknown preset (presets: @hourly, @daily, @midnight, @weekly, @monthly, @yearly, "
        "@annually)");
  }
  std::stringstream in(expression);
  std::vector<std::string> fields;
  std::string f;
  while (in >> f) fields.push_back(f);
  const std::string where = "cron '" + expression + "': ";
  if (fields.size() != 5)
    return Status::InvalidArgument(where + "expected 5 fields, got " + std::to_string(fields.size()));
  CronSchedule c;
  c.expression_ = text;
  bool unused;
  Status s = ParseField(fields[0], "minute", 0, 59, &c.minutes_, &unused);
  if (s.ok()) s = ParseField(fields[1], "hour", 0, 23, &c.hours_, &unused);
  if (s.ok()) s = ParseField(fields[2], "day-of-month", 1, 31, &c.days_, &c.days_restricted_);
  if (s.ok()) s = ParseField(fields[3], "month", 1, 12, &c.months_, &unused);
  if (s.ok()) s = ParseField(fields[4], "day-of-week", 0, 7, &c.weekdays_, &c.weekdays_restricted_);
  if (!s.ok()) return Status::InvalidArgument(where + s.message());
  if (c.weekdays_[7]) c.weekdays_.set(0);
  return c;
}

bool CronSchedule::MatchesDay(int64_t days) const {
  const Civil c = CivilOf(days);
  if (!months_[static_cast<size_t>(c.month)]) return false;
  const bool dom = days_[static_cast<size_t>(c.day)];
  const bool dow = weekdays_[static_cast<size_t>(c.weekday)];
  if (days_restricted_ && weekdays_restricted_) return dom || dow;
  return dom && dow;
}

Result<Timestamp> CronSchedule::Next(Timestamp t) const {
  int64_t minute = t.FloorTo(kMinuteMs).millis() / kMinuteMs + 1;
  const int64_t limit = minute + int64_t{5} * 366 * 1440;
  while (minute < limit) {
    const int64_t day = minute >= 0 ? minute / 1440 : -((-minute + 1439) / 1440);
    if (!MatchesDay(day)) {
      minute = (day + 1) * 1440;
      continue;
    }
    const int64_t in_day = minute - day * 1440;
    const size_t hour = static_cast<size_t>(in_day / 60), min = static_cast<size_t>(in_day % 60);
    if (!hours_[hour]) {
      minute = day * 1440 + static_cast<int64_t>(hour + 1) * 60;
      continue;
    }
    if (minutes_[min]) return Timestamp::FromMillis(minute * kMinuteMs);
    ++minute;
  }
  return Status::NotFound("cron '" + expression_ + "' has no tick within five years of " + t.ToString());
}

Result<Timestamp> CronSchedule::Previous(Timestamp t) const {
  // Step back a day at a time, then take the last tick of that stretch that is <= t.
  for (int64_t back = 1; back <= int64_t{5} * 366; ++back) {
    Timestamp probe = t.PlusMillis(-back * kDayMs);
    Timestamp last = probe;
    bool found = false;
    for (;;) {
      auto next = Next(probe);
      if (!next.ok() || *next > t) break;
      last = *next;
      found = true;
      probe = *next;
    }
    if (found) return last;
  }
  return Status::NotFound("cron '" + expression_ + "' has no tick within five years before " + t.ToString());
}

}  // namespace meteoflow
