// What the live sources share: their options, the rule for which intervals they answer, and the
// small JSON helpers their responses need.
//
// "Now": a live source answers an interval only while the interval is current -- its end has
// passed by less than one interval length (a run collects right after its interval ends; a retry
// may start a little later). An older interval (catchup, backfill, a retry that started late) and
// a future one are skipped with the reason, so today's weather never lands as the past.
//
// Thread-safety: pure functions; the options are values.
#pragma once

#include <string>
#include <vector>

#include "collect/http/fetch.h"
#include "collect/http/http_client.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/location.h"
#include "core/time.h"

namespace meteoflow {

struct LiveSourceOptions {
  std::string base_url;     // scheme and host, e.g. https://api.open-meteo.com
  std::string api_key;      // empty: none (Open-Meteo's free host)
  std::string api_key_env;  // where the key came from, for messages
  HttpOptions http;
  RetryPolicy retry;
  int rate_limit_requests = 0;  // at most this many requests per rate_limit_seconds; 0: unpaced
  int rate_limit_seconds = 60;
};

// The options a source's config gives, with `base_url` as the host; the key is read from the
// environment variable the config names.
LiveSourceOptions LiveOptionsFrom(const SourceConfig& source, const std::string& base_url);

// A latitude or longitude as a query parameter: 4 decimals (about 10 m).
std::string CoordinateText(double degrees);
// "latitude=..&longitude=..": Open-Meteo's comma lists of the locations' coordinates, in order.
std::string CoordinateParams(const std::vector<Location>& locations);

// Empty when `interval` is current at `now`; else why it is not.
std::string WhyNotCurrent(const Interval& interval, Timestamp now);

// The raw text of each element of a top-level JSON array, byte for byte; InvalidArgument when
// `body` is not an array. `body` must be valid JSON (IsJson).
Result<std::vector<std::string>> SplitJsonArray(const std::string& body);

// The message an API error body carries ("reason" of Open-Meteo, "message" of OpenWeatherMap), or
// the start of the body when it has neither.
std::string ErrorMessage(const HttpResponse& response);

}  // namespace meteoflow
