// libFuzzer target for cron expressions (orchestrate/cron.h): any text parses or is refused with
// a message, never a crash; a parsed schedule's next tick is after the start and on the minute,
// and the previous tick of that tick is the tick itself.
//
//   build-fuzz/src/cron_fuzz -max_total_time=60 fuzz/corpus/cron_fuzz
#include <cstdint>
#include <cstdlib>
#include <string>

#include "orchestrate/cron.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 256) return 0;
  auto cron = meteoflow::CronSchedule::Parse(std::string(reinterpret_cast<const char*>(data), size));
  if (!cron.ok()) {
    if (cron.status().message().empty()) std::abort();
    return 0;
  }
  const meteoflow::Timestamp start = meteoflow::Timestamp::FromSeconds(1733769467);
  auto next = cron->Next(start);
  if (!next.ok()) return 0;  // no tick within five years (e.g. 30 February)
  if (!(start < *next) || next->millis() % 60'000 != 0) std::abort();
  auto previous = cron->Previous(*next);
  if (!previous.ok() || !(*previous == *next)) std::abort();
  return 0;
}
