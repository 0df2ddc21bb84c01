// Decoders of the non-PLAIN value encodings other writers use by default: DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT (layouts in Encodings.md of
// the format; summary in ../../../../shared/reference/parquet-facts.md §8).
//
// Each decodes exactly `count` present values from `data`, appending them to `out` in the
// representation of `logical`, and returns the bytes it consumed. They read only inside
// `data`, check every declared size against it, and report Corruption instead of guessing.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "lake/parquet/encoding.h"

namespace meteoflow::parquet {

// Integers of an INT32 (`width32`) or INT64 column; arithmetic wraps in the column's width.
Result<size_t> DecodeDeltaBinaryPacked(std::string_view data, size_t count, bool width32, std::vector<int64_t>* out);

Result<size_t> DecodeDeltaLengthByteArray(std::string_view data, size_t count, Column* out);
Result<size_t> DecodeDeltaByteArray(std::string_view data, size_t count, Column* out);

// FLOAT, DOUBLE, INT32, INT64 or FIXED_LEN_BYTE_ARRAY of `type_length` bytes.
Result<size_t> DecodeByteStreamSplit(PhysicalType type, int type_length, std::string_view data, size_t count,
                                     ColumnType logical, Column* out);

}  // namespace meteoflow::parquet
