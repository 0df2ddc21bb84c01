// libFuzzer target for the local log's files on reopen (stream/local_log.md): the first byte
// says how many of the next bytes (0-16) are a consumer group's offset file, the rest is the
// topic's segment file. Opening, reading to the end, publishing, reading again and reopening must
// give records or a Status -- never a crash -- and records come back with offsets one apart.
//
//   build-fuzz/src/local_log_fuzz -max_total_time=60 fuzz/corpus/local_log_fuzz
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "stream/local_log.h"

namespace {

namespace fs = std::filesystem;

void WriteFile(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Reads every record after the group's position; aborts when offsets do not grow by one.
void ReadAll(meteoflow::LocalLog& log) {
  auto consumer = log.Subscribe("g", {"t"});
  if (!consumer.ok()) return;
  int64_t previous = -1;
  for (int polls = 0; polls < 64; ++polls) {
    auto batch = (*consumer)->Poll(1000);
    if (!batch.ok() || batch->empty()) return;
    for (const auto& r : *batch) {
      if (previous >= 0 && meteoflow::ToInt(r.offset) != previous + 1) std::abort();
      previous = meteoflow::ToInt(r.offset);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fs::path dir = fs::temp_directory_path() / ("mf_local_log_fuzz_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t offset_bytes = std::min<size_t>(data[0] % 17, size - 1);
  WriteFile(dir / "t" / "groups" / "g.offset", input.substr(1, offset_bytes));
  WriteFile(dir / "t" / "partition-0.log", input.substr(1 + offset_bytes));
  {
    auto log = meteoflow::LocalLog::Open(dir.string());
    if (!log.ok()) return 0;
    ReadAll(**log);
    if ((*log)->Publish("t", "k", "v", meteoflow::Timestamp::FromMillis(0)).ok() && (*log)->Flush().ok()) {
      ReadAll(**log);
    }
  }
  auto again = meteoflow::LocalLog::Open(dir.string());  // what the publish left must reopen too
  if (again.ok()) ReadAll(**again);
  return 0;
}
