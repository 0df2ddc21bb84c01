// Source: where raw weather responses come from (a live API or a recording of one).
//
// Collect returns the raw response bodies, byte for byte as the API sent them, for the
// locations asked for and the data interval of the run. Each response is keyed by the
// location it was requested for (Open-Meteo's answer carries no name).
//
// Errors: a Source returns either every response it has for the request or an error, never a
// partial answer without saying so. NotFound for a recording that is missing; InvalidArgument for
// a recording line that is not a response (the message names file and line); Unavailable for a
// source that cannot be reached. Content is not judged here: a body that is not valid weather
// JSON is still returned, byte for byte, and the transform dead-letters it with the reason.
//
// Thread-safety: a Source is used by one collect task at a time.
#pragma once

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

class Source {
 public:
  virtual ~Source() = default;
  virtual const std::string& name() const = 0;
  // Responses fetched within `interval` for `locations`, ordered by fetched_at; the caller owns
  // them. Nothing is published or stored here, so a failed call leaves no trace.
  virtual Result<std::vector<RawResponse>> Collect(const Interval& interval,
                                                   const std::vector<Location>& locations) = 0;
};

}  // namespace meteoflow
