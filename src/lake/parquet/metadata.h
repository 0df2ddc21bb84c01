// The parts of a Parquet footer (FileMetaData) and page headers that meteoflow reads and writes,
// in Thrift compact bytes: DecodeFileMeta for the reader, EncodeFileMeta for the writer, one model
// for both. Decoding skips unknown fields; missing required fields and out-of-range values are
// Corruption. Encoding writes what the model holds and nothing else.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace meteoflow::parquet {

struct SchemaElement {
  std::optional<int32_t> type;  // physical type; set on leaves only
  int32_t type_length = 0;
  int32_t repetition = 0;  // 0 required, 1 optional, 2 repeated
  std::string name;
  int32_t num_children = 0;
  std::optional<int32_t> converted_type;
  // LogicalType union member id (1 STRING, 6 DATE, 8 TIMESTAMP, ...) and, for TIMESTAMP,
  // the unit (1 millis, 2 micros, 3 nanos).
  int16_t logical_type = 0;
  int16_t time_unit = 0;
  bool utc_adjusted = true;  // TIMESTAMP.isAdjustedToUTC (converted types imply true)
  int32_t scale = 0;         // DECIMAL
  int32_t precision = 0;
  bool operator==(const SchemaElement&) const = default;
};

struct ColumnChunkMeta {
  int32_t type = 0;
  std::vector<std::string> path;
  std::vector<int32_t> encodings;  // as the writer listed them (informational)
  int32_t codec = 0;
  int64_t num_values = 0;
  int64_t total_uncompressed_size = 0;
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::optional<std::string> min_value, max_value;
  std::optional<int64_t> null_count;
  bool operator==(const ColumnChunkMeta&) const = default;
};

struct RowGroupMeta {
  std::vector<ColumnChunkMeta> columns;
  int64_t num_rows = 0;
  int64_t total_byte_size = 0;        // uncompressed bytes of all its chunks
  int64_t file_offset = 0;            // where its first page starts
  int64_t total_compressed_size = 0;  // bytes of all its chunks in the file
  bool operator==(const RowGroupMeta&) const = default;
};

struct FileMeta {
  int32_t version = 0;
  std::vector<SchemaElement> schema;
  int64_t num_rows = 0;
  std::vector<RowGroupMeta> row_groups;
  std::vector<std::pair<std::string, std::string>> key_value_metadata;
  std::string created_by;
  bool type_defined_order = false;  // column_orders: TypeDefinedOrder for every leaf column
  bool operator==(const FileMeta&) const = default;
};

struct PageHeader {
  int32_t type = 0;  // 0 data v1, 2 dictionary, 3 data v2
  int32_t uncompressed_size = 0;
  int32_t compressed_size = 0;
  int32_t num_values = 0;
  int32_t encoding = 0;
  // v2 only
  int32_t num_nulls = 0;
  int32_t def_levels_bytes = 0;
  int32_t rep_levels_bytes = 0;
  bool is_compressed = true;
};

Result<FileMeta> DecodeFileMeta(const uint8_t* data, size_t size);
// The footer's Thrift bytes for `meta` (without the length and magic that follow it in a file).
// Statistics carry the deprecated min/max too for types with signed order (not BYTE_ARRAY), so
// older readers use them.
std::string EncodeFileMeta(const FileMeta& meta);
// Decodes one page header; *header_size gets the bytes it took.
Result<PageHeader> DecodePageHeader(const uint8_t* data, size_t size, size_t* header_size);

}  // namespace meteoflow::parquet
