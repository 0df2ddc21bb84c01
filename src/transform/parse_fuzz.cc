// libFuzzer target for the transform's parsing and quality rules (transform/parse.h): any bytes
// as an OpenWeatherMap or Open-Meteo response give a reading or an error naming the field, never
// a crash; a reading's numbers are finite and its observation time is within a day of the fetch.
//
//   build-fuzz/src/transform_parse_fuzz -max_total_time=60 fuzz/corpus/transform_parse_fuzz
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "transform/parse.h"

namespace {

void CheckReading(const meteoflow::Result<meteoflow::SourceReading>& r, meteoflow::Timestamp fetched) {
  if (!r.ok()) {
    if (r.status().message().empty()) std::abort();  // a dead letter always says why
    return;
  }
  for (const auto& field : r->fields) {
    if (field && !std::isfinite(*field)) std::abort();
  }
  for (const auto& [name, value] : r->values) {
    if (name.empty() || !std::isfinite(value)) std::abort();
  }
  if (std::llabs(r->observed_at.millis() - fetched.millis()) > 86'400'000) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const meteoflow::Timestamp fetched = meteoflow::Timestamp::FromSeconds(1733769467);
  CheckReading(meteoflow::ParseOpenWeatherMap(body, fetched), fetched);
  CheckReading(meteoflow::ParseOpenMeteo(body, fetched), fetched);
  return 0;
}
