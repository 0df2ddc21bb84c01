// IndexHorizons: where the pairing index (Store::PairingEntries) begins, per location.
//
// The index keeps each location's readings from its horizon on; older arrivals pair from the
// lake instead. A location's horizon trails the newest reading of its slowest source by the
// retention, moves in steps, and does not move before every expected source was seen there: so
// a backlog consumed unevenly (one source's topic or one partition days ahead of another, as
// when workers catch up) never prunes readings a lagging source still needs. The state of a location -- horizon and
// newest fetch time per source -- is kept as checkpoint "transform/index/<location id>" =
// "<horizon>;<source>=<ms>;...".
//
// Thread-safety: plain data; one transform run uses it at a time.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "core/status.h"

namespace meteoflow {

class IndexHorizons {
 public:
  static constexpr const char* kCheckpointPrefix = "transform/index/";

  // From the stored checkpoints; a location without one starts at `initial`.
  static Result<IndexHorizons> Parse(const std::map<std::string, std::string>& checkpoints,
                                     std::set<std::string> expected_sources, int64_t retention_ms, int64_t step_ms,
                                     int64_t initial);

  // Notes a new reading; the location's horizon may move (see MovedSince).
  void Observe(const std::string& location, const std::string& source, int64_t fetched_ms);
  // The horizon of `location`: the index holds its readings fetched from here on.
  int64_t horizon(const std::string& location) const;
  // The checkpoint entries of `locations`.
  std::map<std::string, std::string> Checkpoints(const std::set<std::string>& locations) const;

 private:
  struct State {
    int64_t horizon = INT64_MIN;
    std::map<std::string, int64_t> newest;  // source -> newest fetch time seen
  };
  IndexHorizons(std::set<std::string> expected, int64_t retention_ms, int64_t step_ms, int64_t initial)
      : expected_(std::move(expected)), retention_ms_(retention_ms), step_ms_(step_ms), initial_(initial) {}
  State& At(const std::string& location);

  const std::set<std::string> expected_;
  const int64_t retention_ms_, step_ms_, initial_;
  std::map<std::string, State> states_;
};

}  // namespace meteoflow
