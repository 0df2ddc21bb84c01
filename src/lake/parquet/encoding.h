// Value and level encodings of Parquet pages: PLAIN, the RLE/bit-packed hybrid, and the
// codecs applied to whole page payloads (SNAPPY, GZIP, ZSTD both ways; LZ4_RAW for reading).
//
// Decoders read only inside the bytes they are given and report Corruption when the input
// runs out or claims impossible sizes; they never allocate more than the caller's bound.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
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

// Unpacks `groups` groups of 8 values of W bits (W bytes each) from `src`, which has `available`
// bytes (at least groups * W). Values are read with 8-byte loads: straight from `src` while 8
// bytes past the group exist, from a zero-padded copy near the end. W is a template argument so
// every shift and offset is a constant.
template <int W>
void UnpackGroupsOf(const uint8_t* src, size_t available, size_t groups, uint32_t* out) {
  constexpr uint64_t kMask = W == 32 ? 0xFFFFFFFFull : (uint64_t{1} << W) - 1;
  for (size_t g = 0; g < groups; ++g, src += W, available -= W, out += 8) {
    uint8_t padded[W + 8] = {};
    const uint8_t* group = src;
    if (available < W + 8) {
      std::memcpy(padded, src, W);
      group = padded;
    }
    for (int k = 0; k < 8; ++k) {
      uint64_t window;
      std::memcpy(&window, group + k * W / 8, 8);
      out[k] = static_cast<uint32_t>((window >> (k * W % 8)) & kMask);
    }
  }
}

template <int... Ws>
void UnpackGroupsDispatch(int bit_width, const uint8_t* src, size_t available, size_t groups, uint32_t* out,
                          std::integer_sequence<int, Ws...>) {
  ((bit_width == Ws + 1 ? UnpackGroupsOf<Ws + 1>(src, available, groups, out) : void()), ...);
}

// Bit widths 1..32; width 0 means every value is 0.
inline void UnpackGroups(int bit_width, const uint8_t* src, size_t available, size_t groups, uint32_t* out) {
  if (bit_width == 0) {
    std::fill_n(out, groups * 8, 0u);
    return;
  }
  UnpackGroupsDispatch(bit_width, src, available, groups, out, std::make_integer_sequence<int, 32>{});
}

// Walks `count` hybrid-encoded values of `bit_width` bits without storing them: on_run(value, n)
// for each repeated run, on_values(values, n) for each stretch of up to 64 bit-packed values.
template <typename OnRun, typename OnValues>
Status ForEachRleHybrid(std::string_view data, int bit_width, size_t count, OnRun&& on_run, OnValues&& on_values) {
  if (bit_width < 0 || bit_width > 32) return Status::Corruption("RLE bit width " + std::to_string(bit_width));
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  const size_t value_bytes = static_cast<size_t>((bit_width + 7) / 8);
  size_t pos = 0, done = 0;
  while (done < count) {
    uint64_t header = 0;
    for (int shift = 0;; shift += 7) {
      if (pos >= data.size() || shift > 63) return Status::Corruption("RLE run header runs past the page");
      const uint8_t b = bytes[pos++];
      header |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
    }
    if (header & 1) {  // bit-packed groups of 8, each in bit_width bytes
      const uint64_t groups = header >> 1;
      if (groups * static_cast<uint64_t>(bit_width) > data.size() - pos) {
        return Status::Corruption("bit-packed run runs past the page");
      }
      const uint64_t values = std::min<uint64_t>(groups * 8, count - done);
      uint32_t chunk[64];
      for (uint64_t v = 0; v < values; v += 64) {
        const uint64_t n = std::min<uint64_t>(64, values - v);
        const uint64_t at = pos + v / 8 * static_cast<uint64_t>(bit_width);
        UnpackGroups(bit_width, bytes + at, data.size() - at, static_cast<size_t>((n + 7) / 8), chunk);
        on_values(chunk, static_cast<size_t>(n));
      }
      pos += static_cast<size_t>(groups * static_cast<uint64_t>(bit_width));
      done += static_cast<size_t>(values);
    } else {
      const uint64_t run = header >> 1;
      if (run == 0) return Status::Corruption("RLE run of length 0");
      if (value_bytes > data.size() - pos) return Status::Corruption("RLE run value runs past the page");
      uint32_t value = 0;
      for (size_t b = 0; b < value_bytes; ++b) value |= static_cast<uint32_t>(bytes[pos + b]) << (8 * b);
      pos += value_bytes;
      const size_t take = static_cast<size_t>(std::min<uint64_t>(run, count - done));
      on_run(value, take);
      done += take;
    }
  }
  return Status::OK();
}

int BitWidth(uint32_t max_value);

enum class CodecId { kUncompressed = 0, kSnappy = 1, kGzip = 2, kZstd = 6, kLz4Raw = 7 };
Status Compress(int codec, std::string_view in, std::string* out);
// Decompresses into exactly `uncompressed_size` bytes.
Status Decompress(int codec, std::string_view in, size_t uncompressed_size, std::string* out);

}  // namespace meteoflow::parquet
