// Location: one place the pipeline collects weather for.
//
// `id` is the stable key of every message and row about the place (lower-case ASCII slug);
// `name` is the human name stored as `city_name` (kept as the original pipeline spelled it).
#pragma once

#include <string>

namespace meteoflow {

struct Location {
  std::string id;
  std::string name;
  double latitude = 0;
  double longitude = 0;
};

}  // namespace meteoflow
