// OpenMeteoSource: current weather of every location from Open-Meteo's forecast API, live.
//
// One GET of /v1/forecast per 1000 locations (comma-separated coordinate lists; the API answers
// an array in input order, or one object for one location) asks `current=` the variables of the
// original pipeline plus wind. Each location's element is returned as its own raw response, byte
// for byte, with the time it was fetched. An error answer (400, or 401/403 with a key on the
// customer host) fails every location of that request with the API's reason; 401/403 fails the
// whole Collect (PermissionDenied naming the key's variable). Retries as in http/fetch.h.
//
// Thread-safety: one Collect at a time.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "collect/live_source.h"
#include "collect/source.h"

namespace meteoflow {

class OpenMeteoSource : public Source {
 public:
  static constexpr size_t kMaxLocationsPerRequest = 1000;
  // The `current=` variables asked for.
  static const char* const kCurrentVariables;

  static Result<std::unique_ptr<OpenMeteoSource>> Create(std::string name, LiveSourceOptions options, Clock& clock);
  const std::string& name() const override { return name_; }
  Result<Collected> Collect(const Interval& interval, const std::vector<Location>& locations) override;

 private:
  OpenMeteoSource(std::string name, LiveSourceOptions options, Clock& clock, std::unique_ptr<HttpClient> http);
  // One request for `batch`; adds its responses or failures to `out`.
  Status CollectBatch(const std::vector<Location>& batch, Collected* out);
  std::string UrlFor(const std::vector<Location>& batch) const;

  std::string name_;
  LiveSourceOptions options_;
  Clock& clock_;
  std::unique_ptr<HttpClient> http_;
  std::mt19937_64 rng_;
};

}  // namespace meteoflow
