// Clock: where meteoflow reads the time of day and lets time pass, so that scheduling, retry
// backoff and live collection are tested on a simulated clock instead of waiting.
//
// SystemClock() is the wall clock: Sleep blocks the calling thread. A SimulatedClock starts at
// a given time and moves only when told: Sleep(ms) and Advance(ms) add to it at once, so code
// that waits for a retry's due time or the next schedule tick goes on without real waiting.
//
// Thread-safety: every Clock may be read and advanced from any thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/time.h"

namespace meteoflow {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
  // Lets `ms` milliseconds (<= 0: none) pass on this clock before returning.
  virtual void Sleep(int64_t ms) = 0;
  // True when Sleep does not block (a simulated clock): callers waiting for another thread
  // then wait in real time for that thread, and in this clock's time for due times.
  virtual bool simulated() const = 0;
};

// The process-wide wall clock (UTC). Never destroyed.
Clock& SystemClock();

class SimulatedClock : public Clock {
 public:
  explicit SimulatedClock(Timestamp start) : now_ms_(start.millis()) {}
  Timestamp Now() const override { return Timestamp::FromMillis(now_ms_.load()); }
  void Sleep(int64_t ms) override { Advance(ms); }
  bool simulated() const override { return true; }
  void Advance(int64_t ms) {
    if (ms > 0) now_ms_ += ms;
  }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace meteoflow
