// ReplaySource: a Source that replays a recording of real API responses (offline demo,
// backfills, tests).
//
// A recording is JSON lines: {"location_id": "...", "fetched_at": "<RFC 3339>", "response": {...}}.
// Load validates every line and fails with "<file>:<line>: <what>" on the first bad one, so a
// damaged recording is never half-replayed. The response text is kept exactly as recorded.
//
// Thread-safety: immutable after Load.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collect/source.h"

namespace meteoflow {

class ReplaySource : public Source {
 public:
  static Result<std::unique_ptr<ReplaySource>> Load(const std::string& name, const std::string& path);
  // Parses recording text (used by Load and by tests); `origin` names it in errors.
  static Result<std::unique_ptr<ReplaySource>> Parse(const std::string& name, const std::string& text,
                                                     const std::string& origin);

  const std::string& name() const override { return name_; }
  Result<Collected> Collect(const Interval& interval, const std::vector<Location>& locations) override;
  // [first fetched_at, last fetched_at + 1 ms), or nullopt for an empty recording.
  std::optional<Interval> span() const;
  size_t size() const { return responses_.size(); }
  // Every distinct fetched_at of the recording, in order.
  std::vector<Timestamp> fetch_times() const;

 private:
  ReplaySource(std::string name, std::vector<RawResponse> responses)
      : name_(std::move(name)), responses_(std::move(responses)) {}
  std::string name_;
  std::vector<RawResponse> responses_;  // sorted by fetched_at
};

}  // namespace meteoflow
