// Source: where raw weather responses come from (a live API or a recording of one).
//
// Collect returns the raw response bodies, byte for byte as the API sent them, for the
// locations asked for and the data interval of the run. Each response is keyed by the
// location it was requested for (Open-Meteo's answer carries no name).
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
  // Responses fetched within `interval` for `locations`, ordered by fetched_at.
  virtual Result<std::vector<RawResponse>> Collect(const Interval& interval,
                                                   const std::vector<Location>& locations) = 0;
};

}  // namespace meteoflow
