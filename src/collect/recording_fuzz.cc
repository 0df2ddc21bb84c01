// libFuzzer target for the recording reader (ReplaySource::Parse): any text gives a source or
// an error naming the line, never a crash; a loaded source replays its responses in fetch order.
//
//   build-fuzz/src/recording_fuzz -max_total_time=60 fuzz/corpus/recording_fuzz
#include <cstdint>
#include <cstdlib>
#include <string>

#include "collect/replay_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto source = meteoflow::ReplaySource::Parse("fuzz", text, "fuzz.jsonl");
  if (!source.ok()) {
    if (source.status().message().find("fuzz.jsonl") == std::string::npos) std::abort();  // names the file
    return 0;
  }
  const auto& times = (*source)->fetch_minutes();
  for (size_t i = 1; i < times.size(); ++i) {
    if (!(times[i - 1] < times[i])) std::abort();
  }
  if (auto span = (*source)->span(); span && !times.empty() && !(span->start.FloorTo(60000) == times.front())) {
    std::abort();
  }
  return 0;
}
