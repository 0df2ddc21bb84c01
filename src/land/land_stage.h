// The land stage: consume the raw topics into the Parquet lake, one file per
// (source, date, poll batch), under <lake>/raw/source=<s>/date=<YYYY-MM-DD>/.
//
// Effectively-once: files are committed (durable) before the consumer offsets, and file
// names carry the offset range they hold ("part-<topic>-<partition>-<first>-<last>.parquet").
// After a crash between file commit and offset commit, lake files that overlap the polled
// offsets are read back and the offsets they hold are skipped: nothing is lost or doubled.
// The layout is written up in lake/LAYOUT.md.
//
// Thread-safety: one Run at a time per stage object.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "lake/dataset.h"
#include "stream/log.h"

namespace meteoflow {

struct LandStats {
  int64_t landed = 0;
  int64_t files = 0;
  int64_t skipped_already_landed = 0;
};

class LandStage {
 public:
  // `topic_to_source` maps each raw topic to the source name used as partition value.
  LandStage(std::map<std::string, std::string> topic_to_source, Log& log, const Dataset& raw_lake)
      : topic_to_source_(std::move(topic_to_source)), log_(log), lake_(raw_lake) {}

  Result<LandStats> Run();

  // The lake schema of raw messages.
  static std::vector<parquet::ColumnSpec> RawSchema();

 private:
  struct FileRange {
    std::string path;
    int64_t first, last;
  };
  using LandedFiles = std::map<std::string, std::vector<FileRange>>;  // topic -> files
  Result<LandedFiles> ListLanded() const;
  // Offsets >= from of `topic` that are already in lake files.
  Result<std::set<int64_t>> LandedAtOrAfter(const LandedFiles& landed, const std::string& topic, int64_t from) const;

  const std::map<std::string, std::string> topic_to_source_;
  Log& log_;
  const Dataset& lake_;
};

}  // namespace meteoflow
