// LakeCompactor: merges the raw lake's small files (one per land batch, log partition and date)
// into one file per source and day, "source=<s>/date=<d>/compact-<d>.parquet".
//
// Atomic for every reader: the compacted file is written and fsynced in a staging folder
// outside the lake (<staging>/source=<s>/date=<d>/), then that folder and the lake's partition
// folder swap places in one renameat2(RENAME_EXCHANGE); the old files, now in staging, are
// deleted. A reader or a crash at any moment sees the old files or the compacted one, never
// both and never neither; a later run clears what a crash left in staging.
//
// Bookkeeping kept: the compacted file holds every row and column of the old ones, and its
// footer's key-value metadata "meteoflow.offsets" lists, per topic and log partition, the first
// and last offset it holds, so the land stage still finds already-landed offsets (LAYOUT.md).
// Only partitions whose files were all transformed are compacted; `hooks.adopt` records the
// compacted file as transformed before it becomes visible, so nothing is transformed twice.
//
// Which partitions: with no date, every (source, date) with more than one file whose date is
// before the newest date of its source (closed days); with a date, that date's partitions.
// The caller holds the locks that keep land and transform away meanwhile (Pipeline does).
//
// Thread-safety: one Run at a time per lake.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "lake/dataset.h"

namespace meteoflow {

struct CompactionStats {
  int64_t partitions = 0;  // (source, date) partitions compacted
  int64_t files_before = 0;
  int64_t rows = 0;
  std::vector<std::string> skipped;  // "<partition>: why", for partitions left alone
};

struct CompactionHooks {
  // Whether every one of `files` was transformed.
  std::function<Result<bool>(const std::vector<DataFile>& files)> transformed;
  // Records the file at `relative_path` as transformed, holding fetch times [min_ms, max_ms].
  std::function<Status(const std::string& relative_path, int64_t min_ms, int64_t max_ms)> adopt;
};

class LakeCompactor {
 public:
  static constexpr const char* kOffsetsKey = "meteoflow.offsets";

  LakeCompactor(const Dataset& raw_lake, std::string staging_dir, CompactionHooks hooks)
      : lake_(raw_lake), staging_(std::move(staging_dir)), hooks_(std::move(hooks)) {}

  // `date` "YYYY-MM-DD": only that day; nullopt: every closed day.
  Result<CompactionStats> Run(const std::optional<std::string>& date);

  // The compacted file's name for `date`.
  static std::string FileName(const std::string& date) { return "compact-" + date + ".parquet"; }

 private:
  // Compacts the files of one partition (all in lake folder `folder`).
  Status Compact(const std::string& source, const std::string& date, const std::vector<DataFile>& files,
                 CompactionStats* stats);

  const Dataset& lake_;
  const std::string staging_;
  const CompactionHooks hooks_;
};

}  // namespace meteoflow
