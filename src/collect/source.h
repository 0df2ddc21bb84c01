// Source: where raw weather responses come from (a live API or a recording of one).
//
// Collect returns the raw response bodies, byte for byte as the API sent them, for the
// locations asked for and the data interval of the run. Each response is keyed by the
// location it was requested for (Open-Meteo's answer carries no name).
//
// Errors: Collect fails as a whole only when nothing can be collected for any location (a
// recording that is missing or damaged, a refused API key: PermissionDenied naming the variable
// to check, every location failing after its retries); otherwise it returns what it got and says
// which locations failed and why, and how many requests and retries it took. A live source asked
// for an interval that is not "now" returns nothing and says why in `skipped` (it never passes
// today's weather off as the past). Content is not judged here: a body that is not valid weather
// JSON is returned as it came, and the transform dead-letters it with the reason.
//
// Thread-safety: a Source is used by one collect task at a time.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/location.h"
#include "core/status.h"
#include "core/time.h"

namespace meteoflow {

struct RawResponse {
  std::string location_id;
  Timestamp fetched_at;
  std::string body;  // the API's JSON, unchanged
};

struct Collected {
  std::vector<RawResponse> responses;         // ordered by fetched_at
  std::map<std::string, std::string> failed;  // location id -> why, after its retries
  int requests = 0;                           // HTTP requests made (retries included)
  int retries = 0;                            // of those, repeats of a failed request
  std::string skipped;                        // non-empty: the interval was not collected, and why
};

class Source {
 public:
  virtual ~Source() = default;
  virtual const std::string& name() const = 0;
  // What the source has for `locations` within `interval`; the caller owns it. Nothing is
  // published or stored here, so a failed call leaves no trace.
  virtual Result<Collected> Collect(const Interval& interval, const std::vector<Location>& locations) = 0;
  // A source that can answer for any part of an interval (a recording) gives the length of the
  // slices a long interval is collected in, so memory stays bounded; 0: collect it whole (live
  // sources answer for "now" only).
  virtual int64_t slice_ms() const { return 0; }
};

}  // namespace meteoflow
