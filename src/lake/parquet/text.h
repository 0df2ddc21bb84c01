// Text forms of Parquet values, for tools that print tables (`meteoflow parquet cat`).
//
// The forms are DuckDB's, so a CSV printed from them matches DuckDB's own export: doubles and
// floats as the shortest text that reads back to the same value (positional for exponents
// -4..15, else d.ddde+XX; nan, inf, -inf), booleans true/false, dates YYYY-MM-DD, timestamps
// "YYYY-MM-DD HH:MM:SS[.fraction without trailing zeros]" plus "+00" when UTC-adjusted.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "lake/parquet/table.h"

namespace meteoflow::parquet {

// The value at `row` of `column` (which must be present there).
std::string ValueText(const ColumnSpec& spec, const Column& column, size_t row);

std::string DoubleText(double value);
std::string FloatText(float value);
// `ticks` units of 10^-digits seconds since 1970-01-01T00:00:00Z (digits 3, 6 or 9).
std::string TimestampText(int64_t ticks, int digits, bool utc);
std::string DateText(int64_t days);
// An unscaled DECIMAL with `scale` digits after the point, e.g. (-55, 1) -> "-5.5".
std::string DecimalText(int64_t unscaled, int scale);

}  // namespace meteoflow::parquet
