// ChangeFeed: tells waiting Server-Sent-Events streams that new data was committed.
//
// A thread polls `marker` (RunMetadata::ChangeMarker: it changes when any process finishes a
// task, so also when `run` and `serve` are separate processes) every `poll` and bumps a version
// when the text changes. Streams block in WaitBeyond until the version passes what they have
// sent. A failing marker read is skipped (the next poll tries again).
//
// Thread-safety: every method may be called from any thread; the destructor stops the poller
// and wakes every waiter.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"

namespace meteoflow {

class ChangeFeed {
 public:
  ChangeFeed(std::function<Result<std::string>()> marker, std::chrono::milliseconds poll);
  ~ChangeFeed();
  ChangeFeed(const ChangeFeed&) = delete;
  ChangeFeed& operator=(const ChangeFeed&) = delete;

  // The current version once it exceeds `seen`, or after `timeout`, or at Stop.
  int64_t WaitBeyond(int64_t seen, std::chrono::milliseconds timeout);
  int64_t version();
  // Wakes every waiter; later waits return at once.
  void Stop();
  bool stopped();

 private:
  void Poll();

  const std::function<Result<std::string>()> marker_;
  const std::chrono::milliseconds poll_;
  std::mutex mu_;
  std::condition_variable changed_;
  int64_t version_ = 0;
  bool stop_ = false;
  std::thread poller_;
};

}  // namespace meteoflow
