// The land stage: consume the raw topics into the Parquet lake, one file per
// (source, log partition, date, poll batch), under <lake>/raw/source=<s>/date=<YYYY-MM-DD>/.
//
// Effectively-once: files are committed (durable) before the consumer offsets, and file
// names carry the offset range they hold ("part-<topic>-<partition>-<first>-<last>.parquet").
// After a crash between file commit and offset commit, lake files that overlap the polled
// offsets are read back and the offsets they hold are skipped: nothing is lost or doubled.
// The same holds when several processes land one group's partitions into one lake (workers):
// a partition's files are listed afresh for every batch.
// A message published twice (a retried publish: a new offset, the same content) lands once: a
// batch's records are checked against the content keys its lake partitions hold (LandedKeys).
// Keys and payloads that are not UTF-8 land with the stray bytes escaped (core/utf8.h).
// The layout is written up in lake/LAYOUT.md.
//
// Thread-safety: one Run at a time per stage object.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "lake/dataset.h"
#include "land/landed_keys.h"
#include "stream/log.h"

namespace meteoflow {

struct LandStats {
  int64_t landed = 0;
  int64_t files = 0;
  int64_t skipped_already_landed = 0;
  int64_t skipped_duplicates = 0;  // the same content landed before: a republished message
};

class LandStage {
 public:
  // `topic_to_source` maps each raw topic to the source name used as partition value.
  LandStage(std::map<std::string, std::string> topic_to_source, Log& log, const Dataset& raw_lake)
      : topic_to_source_(std::move(topic_to_source)), log_(log), lake_(raw_lake) {}

  // Lands everything the group "land" has not committed yet, then returns; `on_batch`, when
  // given, hears the totals after every batch.
  Result<LandStats> Run(const std::function<void(const LandStats&)>& on_batch = {});
  // Lands one Poll of `consumer` (of group "land" on the raw topics) and, with `commit`, commits
  // it (a worker commits only once the batch is transformed too); false in `*caught_up` when
  // there may be more to read.
  Status LandBatch(Consumer& consumer, size_t max_records, LandStats* stats, bool* caught_up, bool commit = true);
  static constexpr size_t kDefaultBatch = 50'000;
  // A consumer of the raw topics in group "land".
  Result<std::unique_ptr<Consumer>> Subscribe();

  // The lake schema of raw messages.
  static std::vector<parquet::ColumnSpec> RawSchema();

 private:
  using TopicPartition = std::pair<std::string, PartitionId>;
  struct FileRange {
    std::string path;
    Offset first, last;
  };
  using LandedFiles = std::map<TopicPartition, std::vector<FileRange>>;
  Result<LandedFiles> ListLanded() const;
  // Offsets >= from of one topic partition that are already in lake files.
  Result<std::set<Offset>> LandedAtOrAfter(const LandedFiles& landed, const TopicPartition& tp, Offset from) const;

  const std::map<std::string, std::string> topic_to_source_;
  Log& log_;
  const Dataset& lake_;
  LandedKeys landed_keys_{lake_};
};

}  // namespace meteoflow
