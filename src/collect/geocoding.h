// Geocoding: places by name from Open-Meteo's geocoding API (/v1/search), for `meteoflow
// locations search` and `locations check`. Also the slug a place's config id is made from and
// the great-circle distance a check reports.
//
// Errors: Unavailable when the API cannot be reached after its retries; InvalidArgument for a
// name shorter than 2 characters (the API answers nothing for those) or an answer that is not
// the API's shape. No match is an empty list, not an error.
//
// Thread-safety: one Search at a time per Geocoder.
#pragma once

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "collect/live_source.h"
#include "core/location.h"

namespace meteoflow {

struct Place {
  int64_t id = 0;
  std::string name;
  double latitude = 0, longitude = 0;
  std::string country, admin1;
  int64_t population = 0;  // 0: unknown
};

class Geocoder {
 public:
  static Result<std::unique_ptr<Geocoder>> Create(LiveSourceOptions options, Clock& clock);
  // Up to `count` (1..100) places whose name matches, best first, as the API ranks them.
  Result<std::vector<Place>> Search(const std::string& name, int count);

 private:
  Geocoder(LiveSourceOptions options, Clock& clock, std::unique_ptr<HttpClient> http)
      : options_(std::move(options)), clock_(clock), http_(std::move(http)), rng_(std::random_device{}()) {}
  LiveSourceOptions options_;
  Clock& clock_;
  std::unique_ptr<HttpClient> http_;
  std::mt19937_64 rng_;
};

// A config id for `name`: lower-case ASCII letters and digits, runs of anything else as one "-"
// (accents dropped: "Fès" -> "fes"); "place" when nothing is left.
std::string SlugOf(const std::string& name);

// Great-circle distance in kilometres (haversine, mean Earth radius).
double DistanceKm(double lat1, double lon1, double lat2, double lon2);

}  // namespace meteoflow
