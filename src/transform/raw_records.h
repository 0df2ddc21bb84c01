// Raw lake records as the transform reads them: one message of a raw file with its source (the
// file's partition) and whether it is new to this batch; and the span of fetch times a file
// holds, which the transform keeps as the file's checkpoint.
//
// Thread-safety: plain data and a function of its arguments.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "lake/dataset.h"

namespace meteoflow {

struct RawRecord {
  std::string source, location_id, payload;
  Timestamp fetched_at;
  bool is_new = false;
};

// The fetch times a raw file holds, kept as its checkpoint's value ("<min ms>,<max ms>") so a
// later batch finds the files around its own records without opening the others.
struct FetchSpan {
  int64_t min = INT64_MAX, max = INT64_MIN;
  std::string Text() const { return std::to_string(min) + "," + std::to_string(max); }
  // Checkpoints written before spans were kept say "done": unknown span, so always read.
  static FetchSpan Parse(const std::string& text);
  bool Overlaps(int64_t from, int64_t to) const { return min <= to && from <= max; }
};

// A raw file not transformed yet: its fetch-time span and row count, from the footer.
struct PendingFile {
  DataFile file;
  FetchSpan span;
  int64_t rows = 0;
};

// Reads `file`'s footer: the fetch-time span from the fetched_at column's statistics (the
// column itself when a row group lacks them) and the row count.
Result<PendingFile> InspectRawFile(DataFile file);

// Appends every record of `file` to `out` and widens `span` to their fetch times. Corruption when
// the file lacks the raw columns.
Status ReadRawFile(const DataFile& file, bool is_new, std::vector<RawRecord>* out, FetchSpan* span);

}  // namespace meteoflow
