// libFuzzer target for what the live collectors do with an API's answer before publishing it:
// any bytes as a response body must give an answer or an error, never a crash; and when the
// body is a well-formed JSON array, SplitJsonArray must cut it into exactly its elements, each
// itself well-formed JSON (the raw message each location gets).
//
//   cmake -S . -B build-fuzz -G Ninja -DMF_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++
//   cmake --build build-fuzz --target live_response_fuzz
//   build-fuzz/src/live_response_fuzz -max_total_time=60 fuzz/corpus/live_response_fuzz
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "collect/live_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  meteoflow::HttpResponse response;
  response.status = 400;
  response.body.assign(reinterpret_cast<const char*>(data), size);
  (void)meteoflow::ErrorMessage(response);
  if (!meteoflow::IsJson(response.body)) return 0;
  auto elements = meteoflow::SplitJsonArray(response.body);
  simdjson::dom::parser parser;
  simdjson::dom::array array;
  const bool is_array = parser.parse(response.body).get(array) == simdjson::SUCCESS;
  if (elements.ok() != is_array) std::abort();  // an array splits, anything else is refused
  if (!is_array) return 0;
  if (elements->size() != array.size()) std::abort();
  for (const std::string& element : *elements) {
    if (!meteoflow::IsJson(element)) std::abort();
  }
  return 0;
}
