// ReplaySource: a Source that replays a recording of real API responses (offline demo,
// backfills, tests).
//
// A recording is JSON lines: {"location_id": "...", "fetched_at": "<RFC 3339>", "response": {...}}.
// Load validates every line and fails with "<file>:<line>: <what>" on the first bad one, so a
// damaged recording is never half-replayed. The response text is kept exactly as recorded.
//
// Memory stays bounded whatever the recording's size: Load streams the file and keeps a sparse
// index -- per block of kStride lines its position and the earliest and latest fetch time in it,
// and the minutes holding a fetch -- and Collect reads back the blocks that reach its interval,
// returning their lines of the interval in fetch-time order (stable: recording order within a
// time). Recordings are mostly in fetch-time order, so few blocks reach any interval; lines far
// out of order only widen their block.
// A long interval is collected in slices of slice_ms() (CollectStage), so no call holds more than
// an hour of the recording. A file changed after Load gives an error naming it, never other data.
//
// Thread-safety: the index is immutable after Load; concurrent Collect calls are safe.
#pragma once

#include <memory>
#include <optional>
#include <set>
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
  size_t size() const { return count_; }
  // Every minute holding a fetched_at of the recording, in order.
  const std::vector<Timestamp>& fetch_minutes() const { return minutes_; }

  static constexpr int64_t kSliceMs = 3'600'000;
  static constexpr size_t kStride = 1024;  // lines per entry of a sparse index

 private:
  struct Block {
    uint64_t offset = 0;  // of its first line in the recording
    Timestamp earliest, latest;
  };
  ReplaySource(std::string name, std::string origin, std::optional<std::string> text)
      : name_(std::move(name)), origin_(std::move(origin)), text_(std::move(text)) {}
  // Reads the recording (the file, or the text given to Parse), checking every line.
  Status Index();
  // The lines of `block` fetched within `interval` for `wanted` locations, appended to `out`.
  Status ReadBlock(const Block& block, const Interval& interval, const std::set<std::string>& wanted, std::FILE* file,
                   std::vector<RawResponse>* out) const;

  std::string name_;
  std::string origin_;               // the file Load read, or the name given to Parse
  std::optional<std::string> text_;  // the recording itself when given to Parse; none for Load
  std::vector<Block> blocks_;
  size_t count_ = 0;  // lines
  std::optional<Interval> span_;
  std::vector<Timestamp> minutes_;
};

}  // namespace meteoflow
