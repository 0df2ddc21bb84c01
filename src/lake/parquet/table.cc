#include "lake/parquet/table.h"

namespace meteoflow::parquet {

const char* ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kBool:
      return "BOOLEAN";
    case ColumnType::kInt32:
      return "INT32";
    case ColumnType::kInt64:
      return "INT64";
    case ColumnType::kFloat:
      return "FLOAT";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kString:
      return "STRING";
    case ColumnType::kTimestampMillis:
      return "TIMESTAMP(MILLIS,UTC)";
    case ColumnType::kTimestampMicros:
      return "TIMESTAMP(MICROS,UTC)";
    case ColumnType::kTimestampNanos:
      return "TIMESTAMP(NANOS,UTC)";
    case ColumnType::kDate:
      return "DATE";
    case ColumnType::kDecimal:
      return "DECIMAL";
  }
  return "?";
}

bool IsIntegerBacked(ColumnType type) {
  return type != ColumnType::kFloat && type != ColumnType::kDouble && type != ColumnType::kString;
}

void Column::AppendNull(ColumnType type) {
  if (type == ColumnType::kString) {
    string_ends.push_back(string_bytes.size());
  } else if (IsIntegerBacked(type)) {
    ints.push_back(0);
  } else {
    doubles.push_back(0);
  }
  valid.push_back(0);
}

int Table::ColumnIndex(const std::string& name) const {
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace meteoflow::parquet
