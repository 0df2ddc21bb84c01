// Value and level encodings of Parquet pages: PLAIN, the RLE/bit-packed hybrid, and the
// codecs applied to whole page payloads (SNAPPY, GZIP, ZSTD both ways; LZ4_RAW for reading).
//
// Decoders read only inside the bytes they are given and report Corruption when the input
// runs out or claims impossible sizes; they never allocate more than the caller's bound.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "lake/parquet/table.h"

namespace meteoflow::parquet {

// Physical type numbers of the format.
enum class PhysicalType {
  kBoolean = 0,
  kInt32 = 1,
  kInt64 = 2,
  kInt96 = 3,
  kFloat = 4,
  kDouble = 5,
  kByteArray = 6,
  kFixed = 7
};

PhysicalType PhysicalOf(ColumnType type);

// Appends the PLAIN encoding of col[begin, end) (present values only) to `out`.
void EncodePlain(ColumnType type, const Column& col, size_t begin, size_t end, std::string* out);
// Decodes `count` PLAIN values of `type` from `data`, appending them to `out` as present values.
// `type_length` is the width of FIXED_LEN_BYTE_ARRAY values. Returns the bytes consumed.
Result<size_t> DecodePlain(PhysicalType type, int type_length, std::string_view data, size_t count, ColumnType logical,
                           Column* out);

// The unscaled value of a big-endian two's-complement DECIMAL (FIXED_LEN_BYTE_ARRAY or
// BYTE_ARRAY); InvalidArgument when it needs more than 64 bits.
Result<int64_t> DecimalFromBigEndian(std::string_view bytes);
// Appends BYTE_ARRAY/FIXED bytes as a string, or as an unscaled DECIMAL when `logical` is one.
Status AppendBytes(std::string_view bytes, ColumnType logical, Column* out);

// Encodes `levels` (each < 2^bit_width) as RLE runs of the hybrid encoding.
void EncodeRleLevels(const std::vector<uint8_t>& levels, int bit_width, std::string* out);
// Encodes `values` (each < 2^bit_width) with the hybrid: RLE runs for repeats of 8 or more,
// bit-packed groups of 8 otherwise (the last group zero-padded).
void EncodeRleHybrid(const std::vector<uint32_t>& values, int bit_width, std::string* out);
// Decodes `count` hybrid-encoded values of `bit_width` bits into `out`.
Status DecodeRleHybrid(std::string_view data, int bit_width, size_t count, std::vector<uint32_t>* out);

int BitWidth(uint32_t max_value);

enum class CodecId { kUncompressed = 0, kSnappy = 1, kGzip = 2, kZstd = 6, kLz4Raw = 7 };
Status Compress(int codec, std::string_view in, std::string* out);
// Decompresses into exactly `uncompressed_size` bytes.
Status Decompress(int codec, std::string_view in, size_t uncompressed_size, std::string* out);

}  // namespace meteoflow::parquet
