// ParquetWriter: writes a flat-schema Parquet file, one row group per WriteRowGroup call
// (large batches are split into row groups of `row_group_rows`).
//
// Output: data page v1, dictionary (RLE_DICTIONARY, falling back to PLAIN) or PLAIN values,
// RLE definition levels for optional columns, chunk
// statistics (min/max/null_count), LogicalType and ConvertedType annotations, the chosen codec.
// Memory is bounded by one row group: each group goes to the file as soon as it is written.
// The column chunks of a row group are encoded in parallel, one thread per core.
// The file is complete only after Finish() returns OK; durability (fsync, atomic rename)
// belongs to the caller (see lake/dataset.h).
//
// Failure: a failed Write leaves the file with the row groups written before it and the writer
// unusable; a writer destroyed without a successful Finish leaves a file without a footer, which
// every reader refuses ("not a Parquet file"). Either way the caller deletes the file: the lake
// writes to a temporary name and renames only after Finish, so readers never see such a file.
//
// Thread-safety: one caller thread at a time (it runs its own encoding threads inside).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "lake/parquet/table.h"

namespace meteoflow::parquet {

class ThriftWriter;

enum class Codec { kUncompressed = 0, kSnappy = 1, kGzip = 2, kZstd = 6 };

struct WriterOptions {
  Codec codec = Codec::kSnappy;
  size_t row_group_rows = size_t{128} * 1024;
  size_t page_bytes = 1 << 20;  // target uncompressed size of one data page
  // Dictionary-encode each column chunk (not BOOLEAN) while its dictionary stays under
  // `dictionary_page_bytes`; later values of the chunk go PLAIN. Chunks whose first 10,000
  // values are mostly distinct are written PLAIN from the start.
  bool dictionary = true;
  size_t dictionary_page_bytes = 1 << 20;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
};

class ParquetWriter {
 public:
  // Creates (truncating) the file at `path`.
  static Result<std::unique_ptr<ParquetWriter>> Open(const std::string& path, std::vector<ColumnSpec> schema,
                                                     WriterOptions options = {});
  ~ParquetWriter();

  // `batch.schema` must equal the writer's schema; every column must have the same length.
  Status Write(const Table& batch);
  // Writes the footer and closes the file (without fsync). Call once, after the last Write.
  Status Finish();

 private:
  struct ChunkMeta;
  struct RowGroupMeta;
  ParquetWriter(std::string path, int fd, std::vector<ColumnSpec> schema, WriterOptions options);
  Status WriteRowGroup(const Table& batch, size_t begin, size_t end);
  // Rows [begin, end) dictionary-encode with `values`; `indices` has one entry per present value.
  struct DictionaryPlan {
    size_t end = 0;
    Column values;
    std::vector<uint32_t> indices;
  };
  static DictionaryPlan PlanDictionary(ColumnType type, const Column& col, size_t begin, size_t end, size_t max_bytes);
  // Encodes one column chunk into meta->bytes (offsets in meta relative to its start).
  Status WriteChunk(const ColumnSpec& spec, const Column& col, size_t begin, size_t end, ChunkMeta* meta) const;
  // Compresses `payload` and writes it after a page header of `page_type`, whose type-specific
  // part `type_header` writes.
  Status WritePage(int page_type, const std::string& payload, ChunkMeta* meta,
                   const std::function<void(ThriftWriter&)>& type_header) const;
  Status WritePages(const ColumnSpec& spec, const Column& col, size_t begin, size_t end, const DictionaryPlan* dict,
                    ChunkMeta* meta) const;
  Status Append(const std::string& bytes);
  std::string EncodeFooter() const;

  const std::string path_;
  int fd_;
  const std::vector<ColumnSpec> schema_;
  const WriterOptions options_;
  uint64_t position_ = 0;
  std::vector<RowGroupMeta> row_groups_;
  bool finished_ = false;
};

}  // namespace meteoflow::parquet
