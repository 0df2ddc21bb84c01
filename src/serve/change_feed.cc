#include "serve/change_feed.h"

namespace meteoflow {

ChangeFeed::ChangeFeed(std::function<Result<std::string>()> marker, std::chrono::milliseconds poll)
    : marker_(std::move(marker)), poll_(poll), poller_([this] { Poll(); }) {}

ChangeFeed::~ChangeFeed() {
  Stop();
  poller_.join();
}

void ChangeFeed::Poll() {
  Result<std::string> first = marker_();
  std::string last = first.ok() ? *first : "";
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    changed_.wait_for(lock, poll_, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    Result<std::string> now = marker_();
    lock.lock();
    if (now.ok() && *now != last) {
      last = *now;
      ++version_;
      changed_.notify_all();
    }
  }
}

int64_t ChangeFeed::WaitBeyond(int64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return stop_ || version_ > seen; });
  return version_;
}

int64_t ChangeFeed::version() {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

void ChangeFeed::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stop_ = true;
  changed_.notify_all();
}

bool ChangeFeed::stopped() {
  std::lock_guard<std::mutex> lock(mu_);
  return stop_;
}

}  // namespace meteoflow
