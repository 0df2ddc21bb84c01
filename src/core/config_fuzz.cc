// libFuzzer target for the YAML config (core/config.h ParseConfig): any text gives a config or
// an error naming the file, never a crash or an exception.
//
//   build-fuzz/src/config_fuzz -max_total_time=60 fuzz/corpus/config_fuzz
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto config = meteoflow::ParseConfig(std::string(reinterpret_cast<const char*>(data), size), "/fuzz/meteoflow.yaml");
  if (!config.ok() && config.status().message().find("meteoflow.yaml") == std::string::npos) std::abort();
  return 0;
}
