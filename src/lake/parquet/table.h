// Columnar in-memory batch for the Parquet library: a schema and one Column per field.
//
// A Column stores its values in the vector that fits its type (ints for BOOLEAN, INT32,
// INT64, DATE, DECIMAL and timestamps; doubles for FLOAT/DOUBLE; for STRING, all bytes back to
// back in string_bytes with value i ending at string_ends[i]) plus a validity vector. Values
// at null slots are ignored (conventionally zero / empty).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meteoflow::parquet {

enum class ColumnType {
  kBool,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kString,
  kTimestampMillis,  // INT64, UTC
  kTimestampMicros,  // INT64, UTC
  kTimestampNanos,   // INT64, UTC
  kDate,             // INT32 days since 1970-01-01
  kDecimal,          // unscaled int64; the value is ints[i] / 10^scale (read only, up to 18 digits)
};

const char* ColumnTypeName(ColumnType type);
bool IsIntegerBacked(ColumnType type);  // stored in Column::ints

struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::kInt64;
  bool optional = false;
  // Timestamps only: false for local date-times (isAdjustedToUTC = false; Spark's INT96).
  bool utc = true;
  int scale = 0;  // DECIMAL only
};

struct Column {
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::string string_bytes;
  std::vector<uint64_t> string_ends;
  std::vector<uint8_t> valid;  // 1 = value present; same length as the value vector

  // The string at `i` (valid until the column is next changed).
  std::string_view StringAt(size_t i) const {
    const uint64_t begin = i == 0 ? 0 : string_ends[i - 1];
    return std::string_view(string_bytes.data() + begin, string_ends[i] - begin);
  }

  size_t size() const { return valid.size(); }
  void AppendInt(int64_t v) {
    ints.push_back(v);
    valid.push_back(1);
  }
  void AppendDouble(double v) {
    doubles.push_back(v);
    valid.push_back(1);
  }
  void AppendString(std::string_view v) {
    string_bytes.append(v);
    string_ends.push_back(string_bytes.size());
    valid.push_back(1);
  }
  void AppendNull(ColumnType type);
};

struct Table {
  std::vector<ColumnSpec> schema;
  std::vector<Column> columns;

  explicit Table(std::vector<ColumnSpec> s = {}) : schema(std::move(s)), columns(schema.size()) {}
  size_t num_rows() const { return columns.empty() ? 0 : columns[0].size(); }
  int ColumnIndex(const std::string& name) const;  // -1 when absent
};

}  // namespace meteoflow::parquet
