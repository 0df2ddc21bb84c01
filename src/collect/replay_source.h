// ReplaySource: a Source that replays a recording of real API responses (offline demo,
// backfills, tests).
//
// A recording is JSON lines: {"location_id": "...", "fetched_at": "<RFC 3339>", "response": {...}}.
// Load validates every line and fails with "<file>:<line>: <what>" on the first bad one, so a
// damaged recording is never half-replayed. The response text is kept exactly as recorded.
//
// Memory stays bounded whatever the recording's size: Load streams the file and keeps only an
// index (fetch time, location, where the line is); Collect reads the lines of its interval back.
// A long interval is collected in slices of slice_ms() (CollectStage), so no call holds more than
// an hour of the recording. A file changed after Load gives an error naming it, never other data.
//
// Thread-safety: the index is immutable after Load; concurrent Collect calls are safe.
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
  // Parses recording text held in memory (tests, fuzzing); `origin` names it in errors.
  static Result<std::unique_ptr<ReplaySource>> Parse(const std::string& name, const std::string& text,
                                                     const std::string& origin);

  const std::string& name() const override { return name_; }
  Result<Collected> Collect(const Interval& interval, const std::vector<Location>& locations) override;
  int64_t slice_ms() const override { return kSliceMs; }
  // [first fetched_at, last fetched_at + 1 ms), or nullopt for an empty recording.
  std::optional<Interval> span() const;
  size_t size() const { return index_.size(); }
  // Every distinct fetched_at of the recording, in order.
  std::vector<Timestamp> fetch_times() const;

  static constexpr int64_t kSliceMs = 3'600'000;

 private:
  struct Line {
    Timestamp fetched_at;
    std::string location_id;
    uint64_t offset = 0;  // of the line in the recording
    uint32_t length = 0;
  };
  ReplaySource(std::string name, std::string origin, std::string text, std::vector<Line> index)
      : name_(std::move(name)), origin_(std::move(origin)), text_(std::move(text)), index_(std::move(index)) {}
  // The "response" text of `line`, read back from the file (or the text given to Parse).
  Result<std::string> Body(const Line& line, std::FILE* file) const;

  std::string name_;
  std::string origin_;       // the file Load read, or the name given to Parse
  std::string text_;         // the recording itself when given to Parse; empty for Load
  std::vector<Line> index_;  // sorted by fetched_at (stable: recording order within a time)
};

}  // namespace meteoflow
