// OpenWeatherMapSource: current weather from OpenWeatherMap's /data/2.5/weather, live, one
// request per location (the multi-city endpoint is gone), paced to the plan's rate limit: no
// more than rate_limit_requests requests (retries included) in any rate_limit_seconds window.
// A request's place in the window is the moment its answer came back, not when it was sent: the
// server received it at or before that moment, so however the network delays requests, the server
// never sees more than the limit in a window (counting from the send time let a loaded machine's
// delayed request land in the next window on the server's clock).
//
// Each answer is returned byte for byte with the time it was fetched. A location whose request
// fails after its retries (or gets 400/404) is reported as failed with the API's message and the
// others go on; a 401 fails the whole Collect at once (PermissionDenied naming the variable that
// holds the key), since no other location can succeed with the same key.
//
// Thread-safety: one Collect at a time.
#pragma once

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "collect/http/fetch.h"
#include "collect/live_source.h"
#include "collect/source.h"

namespace meteoflow {

class OpenWeatherMapSource : public Source, private RequestPacer {
 public:
  static Result<std::unique_ptr<OpenWeatherMapSource>> Create(std::string name, LiveSourceOptions options,
                                                              Clock& clock);
  const std::string& name() const override { return name_; }
  Result<Collected> Collect(const Interval& interval, const std::vector<Location>& locations) override;

 private:
  OpenWeatherMapSource(std::string name, LiveSourceOptions options, Clock& clock, std::unique_ptr<HttpClient> http);
  // Waits on the clock until one more request keeps the rate limit.
  void BeforeRequest() override;
  // Counts the request just answered at the clock's now.
  void AfterRequest() override;
  std::string UrlFor(const Location& location) const;

  std::string name_;
  LiveSourceOptions options_;
  Clock& clock_;
  std::unique_ptr<HttpClient> http_;
  std::mt19937_64 rng_;
  std::deque<Timestamp> recent_;  // answer times within the rate window
};

}  // namespace meteoflow
