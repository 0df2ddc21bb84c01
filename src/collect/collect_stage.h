// The collect stage: for one data interval, ask every source for its responses and publish
// each raw body to the source's topic on the Log, keyed by location id.
//
// Idempotent per interval: once an interval's responses are published and flushed, the
// interval is recorded as a checkpoint ("collect/<source>/<start>/<end>") and a later run never
// publishes a response whose fetch time lies in a recorded interval again. A source that answers
// in slices (a recording, Source::slice_ms) is collected slice by slice, each flushed and
// checkpointed before the next is read: memory stays bounded and a crash republishes at most
// the slice in flight (at-least-once: the land stage leaves the copies out of the lake by content,
// and the store upserts by key).
//
// A location that fails after its retries does not fail the others: it is counted and named in
// `notes`. The run fails when a source failed for every location, or refused its credentials.
//
// Thread-safety: one Run at a time per stage object.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collect/source.h"
#include "core/config.h"
#include "store/store.h"
#include "stream/log.h"

namespace meteoflow {

struct CollectStats {
  std::map<std::string, int64_t> published;  // topic -> messages
  int64_t already_collected = 0;             // skipped: inside an interval collected before
  std::map<std::string, int64_t> failed;     // source -> locations that failed after their retries
  std::map<std::string, int64_t> requests;   // source -> HTTP requests (live sources)
  std::map<std::string, int64_t> retries;    // source -> of those, retries
  std::vector<std::string> notes;            // what the run summary and task log should say
};

struct SourceBinding {
  std::unique_ptr<Source> source;
  std::string topic;
};

class CollectStage {
 public:
  // Checkpoints "collect-totals/<counter>/<source>" hold running totals since the data dir began
  // (failed_locations, requests, retries): what /metrics reports.
  static constexpr const char* kTotalsPrefix = "collect-totals/";

  CollectStage(std::vector<SourceBinding> sources, std::vector<Location> locations, Log& log, Store& store)
      : sources_(std::move(sources)), locations_(std::move(locations)), log_(log), store_(store) {}

  // `on_slice`, when given, hears the messages published so far after every slice.
  Result<CollectStats> Run(const Interval& interval, const std::function<void(int64_t published)>& on_slice = {});

 private:
  // Adds this run's counts to the stored totals, as checkpoint entries in `out`.
  Status AddToTotals(const CollectStats& stats, std::map<std::string, std::string>& out);
  std::vector<SourceBinding> sources_;
  const std::vector<Location> locations_;
  Log& log_;
  Store& store_;
};

}  // namespace meteoflow
