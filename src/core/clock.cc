#include "core/clock.h"

#include <chrono>
#include <thread>

namespace meteoflow {
namespace {

class WallClock : public Clock {
 public:
  Timestamp Now() const override { return Timestamp::Now(); }
  void Sleep(int64_t ms) override {
    if (ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  }
  bool simulated() const override { return false; }
};

}  // namespace

Clock& SystemClock() {
  static WallClock* clock = new WallClock();
  return *clock;
}

}  // namespace meteoflow
