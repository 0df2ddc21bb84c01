// ProgressLine: what a long stage shows while it works -- on a terminal, one line redrawn in
// place with a bar (when the total is known), the count, the rate and the time left; elsewhere
// nothing (task logs and pipes get the stage's summary at the end instead).
//
//   transform [##########..........] 201,600/403,200 records  41,230/s  ETA 4.9 s
//
// Redraws at most every 100 ms; Finish ends the line. Thread-safety: one thread per object.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace meteoflow {

class ProgressLine {
 public:
  // Draws to `out` when it is a terminal (or always when `force`, for tests); counts `unit`.
  ProgressLine(std::string stage, std::FILE* out = stderr, bool force = false, std::string unit = "records");
  ~ProgressLine() { Finish(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // `total` 0: unknown (no bar, no ETA).
  void Update(int64_t done, int64_t total);
  void Finish();
  bool enabled() const { return enabled_; }

  // The line for `done` of `total` after `seconds` (no carriage return).
  static std::string Format(const std::string& stage, int64_t done, int64_t total, double seconds,
                            const std::string& unit = "records");

 private:
  using Clock = std::chrono::steady_clock;
  const std::string stage_;
  const std::string unit_;
  std::FILE* const out_;
  const bool enabled_;
  const Clock::time_point started_ = Clock::now();
  Clock::time_point drawn_{};
  bool open_ = false;  // a line is drawn and not finished
  int64_t done_ = 0, total_ = 0;
};

}  // namespace meteoflow
