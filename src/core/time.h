// Timestamp and Interval: the one clock type of meteoflow (UTC, millisecond resolution).
//
// A Timestamp is milliseconds since the Unix epoch; it never carries a time zone. Text forms
// are RFC 3339 in UTC ("2024-12-03T22:16:57Z", or with ".123" when there are milliseconds).
// An Interval is half-open [start, end), the unit of work of every scheduled task.
//
// Thread-safety: values.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meteoflow {

class Timestamp {
 public:
  constexpr Timestamp() = default;
  static constexpr Timestamp FromMillis(int64_t ms) { return Timestamp(ms); }
  static constexpr Timestamp FromSeconds(int64_t s) { return Timestamp(s * 1000); }
  static Timestamp Now();

  constexpr int64_t millis() const { return ms_; }
  constexpr int64_t seconds() const { return ms_ >= 0 ? ms_ / 1000 : -((-ms_ + 999) / 1000); }
  constexpr Timestamp PlusMillis(int64_t ms) const { return Timestamp(ms_ + ms); }
  constexpr Timestamp PlusMinutes(int64_t minutes) const { return PlusMillis(minutes * 60'000); }
  // The latest multiple of `step_ms` that is <= this timestamp.
  Timestamp FloorTo(int64_t step_ms) const;

  // "2024-12-03T22:16:57Z"; milliseconds are shown only when non-zero.
  std::string ToString() const;
  // "2024-12-03T22:16:57.000Z": fixed width, so text order is time order (stores use it).
  std::string ToFixedString() const;
  // "2024-12-03", the UTC calendar date.
  std::string DateString() const;

  // Any text ParseCivilTime accepts (a date alone is its midnight); digits past milliseconds are
  // dropped. Anything else is InvalidArgument naming the text.
  static Result<Timestamp> Parse(std::string_view text);

  constexpr auto operator<=>(const Timestamp&) const = default;

 private:
  constexpr explicit Timestamp(int64_t ms) : ms_(ms) {}
  int64_t ms_ = 0;
};

// A UTC calendar time as written, to the nanosecond: what ParseCivilTime reads.
struct CivilTime {
  int64_t days = 0;          // since 1970-01-01
  int64_t nanos_of_day = 0;  // 0 for a date alone
  int fraction_digits = 0;   // digits written after the seconds' point (those past 9 are dropped)
  bool has_time = false;     // false: the text was a date alone
};

// The one parser of date and time text in meteoflow (config, CLI options, CSV columns, store
// columns, Parquet predicates). Accepts "YYYY-MM-DD", or that followed by "T" or a space and
// "HH:MM[:SS[.fraction]]" and one UTC suffix: "Z", "z", "+00:00", "+0000", "+00", "-00:00" or
// nothing. Any other offset, a missing digit or an impossible date is InvalidArgument.
Result<CivilTime> ParseCivilTime(std::string_view text);

struct Interval {
  Timestamp start;
  Timestamp end;
  bool Contains(Timestamp t) const { return start <= t && t < end; }
  std::string ToString() const { return "[" + start.ToString() + ", " + end.ToString() + ")"; }
  bool operator==(const Interval&) const = default;
};

}  // namespace meteoflow
