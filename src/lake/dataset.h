// Dataset: a folder of Parquet files partitioned as key=value/ sub-folders (Hive style).
//
// Commit protocol (see lake/LAYOUT.md): a file is written under a temporary name in its
// partition folder, fsynced, renamed to its final name and the folder fsynced. A file with a
// final name is therefore always complete and durable; temporary files are ignored by List.
//
// Thread-safety: no shared state beyond the file system; distinct files may be written
// concurrently.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "lake/parquet/table.h"
#include "lake/parquet/writer.h"

namespace meteoflow {

using Partition = std::vector<std::pair<std::string, std::string>>;  // ordered key=value pairs

struct DataFile {
  std::string path;           // absolute
  std::string relative_path;  // from the dataset root, e.g. "source=openmeteo/date=2024-12-03/part-...parquet"
  std::map<std::string, std::string> partition;
};

class Dataset {
 public:
  explicit Dataset(std::string root) : root_(std::move(root)) {}
  const std::string& root() const { return root_; }

  // Writes `table` as `file_name` in `partition`, atomically and durably; replaces a file of
  // the same name. Keys and values must be [A-Za-z0-9._-] (no path tricks).
  Status Commit(const Partition& partition, const std::string& file_name, const parquet::Table& table,
                const parquet::WriterOptions& options = {}) const;
  // Every committed file whose partition values match all of `filter` (empty = all), sorted by path.
  Result<std::vector<DataFile>> List(const std::map<std::string, std::string>& filter = {}) const;

 private:
  std::string root_;
};

}  // namespace meteoflow
