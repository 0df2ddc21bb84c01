// Query parameters of the dashboard API, checked: each reader returns the value or an
// InvalidArgument whose message names the parameter ("from: not a UTC timestamp or date",
// "city: 'Atlantis' is not a configured location"), which the handlers send as 400.
//
// Thread-safety: pure functions over the request.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/location.h"
#include "core/status.h"
#include "core/time.h"

namespace httplib {
struct Request;
}

namespace meteoflow {

struct TimeRange {
  Timestamp from, to;  // from <= time < to
};

// The widest range a request may ask for (from/to far apart): 20 years.
inline constexpr int64_t kMaxRangeDays = int64_t{20} * 366;

// from/to as RFC 3339 UTC timestamps or dates; absent ends are open (the whole history).
// Errors: unparsable, to not after from, or more than kMaxRangeDays apart.
Result<TimeRange> RangeParam(const httplib::Request& req);
// An integer in [min, max], `fallback` when absent.
Result<int> IntParam(const httplib::Request& req, const char* name, int fallback, int min, int max);
// The configured location named by `city` (its name or id); nullopt when absent and not required.
Result<std::optional<Location>> CityParam(const httplib::Request& req, const std::vector<Location>& locations,
                                          bool required);
// A source name: "openweathermap" or "openmeteo".
Result<std::string> SourceName(const std::string& text);
// A comma list of field names (letters, digits, '_'; at most 24 names), required.
Result<std::vector<std::string>> FieldsParam(const httplib::Request& req);

}  // namespace meteoflow
