// libFuzzer target for the dashboard API's query strings (serve/params.h), through cpp-httplib's
// own query parser: any query gives values or a 400 message, never a crash; messages stay short
// (a hostile value is echoed at most 40 bytes); a range that parses has from < to.
//
//   build-fuzz/src/params_fuzz -max_total_time=60 fuzz/corpus/params_fuzz
#include <httplib.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "serve/params.h"

namespace {

template <typename T>
void CheckError(const meteoflow::Result<T>& r) {
  if (!r.ok() && (r.status().message().empty() || r.status().message().size() > 300)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  httplib::Request req;
  httplib::detail::parse_query_text(std::string(reinterpret_cast<const char*>(data), size), req.params);
  const std::vector<meteoflow::Location> locations = {{"rabat", "Rabat", 34, -6.8}, {"fes", "Fès \"<b>", 34, -5}};
  auto range = meteoflow::RangeParam(req);
  CheckError(range);
  if (range.ok() && !(range->from < range->to)) std::abort();
  CheckError(meteoflow::IntParam(req, "points", 1500, 10, 20000));
  CheckError(meteoflow::CityParam(req, locations, true));
  CheckError(meteoflow::FieldsParam(req));
  CheckError(meteoflow::SourceName(req.has_param("source") ? req.get_param_value("source") : ""));
  return 0;
}
