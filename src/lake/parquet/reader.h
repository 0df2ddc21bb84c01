// ParquetReader: reads Parquet files of any common writer into Tables.
//
// Supports data pages v1 and v2; PLAIN, dictionary (PLAIN_DICTIONARY / RLE_DICTIONARY), RLE
// booleans, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT
// values; RLE-hybrid definition levels; UNCOMPRESSED / SNAPPY / GZIP / ZSTD / LZ4_RAW; INT96
// timestamps (read as local microseconds); DECIMAL up to 18 digits (exact, unscaled); column
// projection; and filtered reads that skip row groups by their statistics. Fields of structs
// read as flat columns with dotted names ("coord.lat"; null where the struct or the field is
// null); leaves under a list or map are listed the same way, but reading one gives
// InvalidArgument naming the column. Columns are decoded in parallel.
//
// Hostile files: every offset and length is checked against the file size before use, and
// declared sizes are bounded, so a corrupt file gives Corruption, never a crash or a huge
// allocation.
//
// Thread-safety: const methods may run concurrently (pread on a shared descriptor).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "lake/parquet/metadata.h"
#include "lake/parquet/predicate.h"
#include "lake/parquet/table.h"

namespace meteoflow::parquet {

class ParquetReader {
 public:
  static Result<std::unique_ptr<ParquetReader>> Open(const std::string& path);
  ~ParquetReader();

  const std::vector<ColumnSpec>& schema() const { return schema_; }
  const FileMeta& metadata() const { return meta_; }
  int64_t num_rows() const { return meta_.num_rows; }
  size_t num_row_groups() const { return meta_.row_groups.size(); }

  // The indices into schema() of the columns named, in that order; Corruption naming the file
  // and the first one it lacks.
  Result<std::vector<int>> ColumnIndices(const std::vector<std::string>& names) const;
  // Reads the given columns (indices into schema(); empty = all) of one row group.
  Result<Table> ReadRowGroup(size_t row_group, const std::vector<int>& columns = {}) const;
  // Reads every row group and concatenates them.
  Result<Table> ReadAll(const std::vector<int>& columns = {}) const;

  struct ScanStats {
    size_t row_groups = 0;
    size_t row_groups_skipped = 0;  // ruled out by their statistics, never read
  };
  // The rows that satisfy every predicate, with the given columns (empty = all). Row groups
  // whose statistics rule a predicate out are skipped without reading their pages.
  Result<Table> ReadWhere(const std::vector<int>& columns, const std::vector<Predicate>& where,
                          ScanStats* stats = nullptr) const;
  // The same within one row group.
  Result<Table> ReadRowGroupWhere(size_t row_group, const std::vector<int>& columns,
                                  const std::vector<Predicate>& where, ScanStats* stats = nullptr) const;

 public:
  // What decoding needs to know of one leaf column.
  struct LeafInfo {
    int physical = 0;
    int type_length = 0;
    int max_def = 0;
    bool supported = true;
  };

 private:
  using Leaf = LeafInfo;
  ParquetReader(std::string path, int fd, uint64_t size) : path_(std::move(path)), fd_(fd), size_(size) {}
  Status Init();
  Status BuildSchema();
  Result<Table> ReadWhereIn(const std::vector<size_t>& among, const std::vector<int>& columns,
                            const std::vector<Predicate>& where, ScanStats* stats) const;
  // Reads the given row groups' columns; columns are decoded in parallel.
  Result<Table> ReadRowGroups(const std::vector<size_t>& groups, const std::vector<int>& columns) const;
  // Appends one column chunk's values to `out`.
  Status ReadChunkInto(size_t row_group, int column, Column* out) const;
  Status DecodePage(const PageHeader& h, std::string_view body, const Leaf& leaf, int codec, ColumnType type,
                    const Column* dictionary, Column* out) const;

  const std::string path_;
  const int fd_;
  const uint64_t size_;
  FileMeta meta_;
  std::vector<ColumnSpec> schema_;
  std::vector<Leaf> leaves_;
};

}  // namespace meteoflow::parquet
