#include "lake/parquet/delta.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace meteoflow::parquet {
namespace {

constexpr uint64_t kMaxBlockSize = 1u << 16;

bool ReadUleb(std::string_view data, size_t* pos, uint64_t* out) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= data.size()) return false;
    const uint8_t byte = static_cast<uint8_t>(data[(*pos)++]);
    value |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *out = value;
      return true;
    }
  }
  return false;
}

bool ReadZigzag(std::string_view data, size_t* pos, int64_t* out) {
  uint64_t u;
  if (!ReadUleb(data, pos, &u)) return false;
  *out = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  return true;
}

// `width` bits (LSB-first packing) at bit `offset` of `p`, which holds `avail` bytes.
uint64_t ReadBits(const uint8_t* p, size_t avail, size_t offset, int width) {
  const size_t byte = offset >> 3;
  const int shift = static_cast<int>(offset & 7);
  uint64_t word = 0;
  std::memcpy(&word, p + byte, std::min<size_t>(8, avail - byte));
  uint64_t v = word >> shift;
  if (shift + width > 64) v |= static_cast<uint64_t>(p[byte + 8]) << (64 - shift);
  return width == 64 ? v : v & ((uint64_t{1} << width) - 1);
}

Status Truncated(const char* what) { return Status::Corruption(std::string(what) + " runs past the page"); }

}  // namespace

Result<size_t> DecodeDeltaBinaryPacked(std::string_view data, size_t count, bool width32, std::vector<int64_t>* out) {
  size_t pos = 0;
  uint64_t block_size, miniblocks, total;
  int64_t first;
  if (!ReadUleb(data, &pos, &block_size) || !ReadUleb(data, &pos, &miniblocks) || !ReadUleb(data, &pos, &total) ||
      !ReadZigzag(data, &pos, &first)) {
    return Truncated("DELTA_BINARY_PACKED header");
  }
  if (block_size == 0 || block_size > kMaxBlockSize || block_size % 128 != 0 || miniblocks == 0 ||
      block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Status::Corruption("DELTA_BINARY_PACKED block of " + std::to_string(block_size) + " values in " +
                              std::to_string(miniblocks) + " miniblocks is malformed");
  }
  if (total != count) {
    return Status::Corruption("DELTA_BINARY_PACKED declares " + std::to_string(total) + " values where the page has " +
                              std::to_string(count));
  }
  if (count == 0) return pos;
  const size_t per_mini = block_size / miniblocks;
  out->reserve(out->size() + count);
  uint64_t prev = static_cast<uint64_t>(first);
  out->push_back(width32 ? static_cast<int32_t>(prev) : static_cast<int64_t>(prev));
  size_t produced = 1;
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  while (produced < count) {
    int64_t min_delta;
    if (!ReadZigzag(data, &pos, &min_delta)) return Truncated("DELTA_BINARY_PACKED block header");
    if (miniblocks > data.size() - pos) return Truncated("DELTA_BINARY_PACKED bit widths");
    const size_t widths_at = pos;
    pos += miniblocks;
    for (size_t m = 0; m < miniblocks && produced < count; ++m) {
      const int width = bytes[widths_at + m];
      if (width > (width32 ? 32 : 64))
        return Status::Corruption("DELTA_BINARY_PACKED bit width " + std::to_string(width));
      const size_t mini_bytes = per_mini * static_cast<size_t>(width) / 8;
      if (mini_bytes > data.size() - pos) return Truncated("DELTA_BINARY_PACKED miniblock");
      for (size_t i = 0; i < per_mini && produced < count; ++i, ++produced) {
        const uint64_t packed =
            width == 0 ? 0 : ReadBits(bytes + pos, mini_bytes, i * static_cast<size_t>(width), width);
        prev += static_cast<uint64_t>(min_delta) + packed;
        out->push_back(width32 ? static_cast<int32_t>(static_cast<uint32_t>(prev)) : static_cast<int64_t>(prev));
      }
      pos += mini_bytes;
    }
  }
  return pos;
}

Result<size_t> DecodeDeltaLengthByteArray(std::string_view data, size_t count, Column* out) {
  std::vector<int64_t> lengths;
  MF_ASSIGN_OR_RETURN(size_t pos, DecodeDeltaBinaryPacked(data, count, true, &lengths));
  out->string_ends.reserve(out->string_ends.size() + count);
  for (int64_t len : lengths) {
    if (len < 0 || static_cast<uint64_t>(len) > data.size() - pos) return Truncated("DELTA_LENGTH_BYTE_ARRAY value");
    out->AppendString(data.substr(pos, static_cast<size_t>(len)));
    pos += static_cast<size_t>(len);
  }
  return pos;
}

Result<size_t> DecodeDeltaByteArray(std::string_view data, size_t count, Column* out) {
  std::vector<int64_t> prefixes, suffixes;
  MF_ASSIGN_OR_RETURN(size_t pos, DecodeDeltaBinaryPacked(data, count, true, &prefixes));
  MF_ASSIGN_OR_RETURN(size_t used, DecodeDeltaBinaryPacked(data.substr(pos), count, true, &suffixes));
  pos += used;
  std::string previous;
  for (size_t i = 0; i < count; ++i) {
    const int64_t prefix = prefixes[i], suffix = suffixes[i];
    if (prefix < 0 || static_cast<uint64_t>(prefix) > previous.size()) {
      return Status::Corruption("DELTA_BYTE_ARRAY prefix " + std::to_string(prefix) +
                                " is longer than the value before");
    }
    if (suffix < 0 || static_cast<uint64_t>(suffix) > data.size() - pos) return Truncated("DELTA_BYTE_ARRAY suffix");
    std::string value = previous.substr(0, static_cast<size_t>(prefix));
    value.append(data.substr(pos, static_cast<size_t>(suffix)));
    pos += static_cast<size_t>(suffix);
    previous = value;
    out->AppendString(std::move(value));
  }
  return pos;
}

Result<size_t> DecodeByteStreamSplit(PhysicalType type, int type_length, std::string_view data, size_t count,
                                     ColumnType logical, Column* out) {
  size_t width = 0;
  switch (type) {
    case PhysicalType::kFloat:
    case PhysicalType::kInt32:
      width = 4;
      break;
    case PhysicalType::kDouble:
    case PhysicalType::kInt64:
      width = 8;
      break;
    case PhysicalType::kFixed:
      width = type_length > 0 ? static_cast<size_t>(type_length) : 0;
      break;
    default:
      break;
  }
  if (width == 0)
    return Status::Corruption("BYTE_STREAM_SPLIT on a column of physical type " +
                              std::to_string(static_cast<int>(type)));
  if (count > data.size() / width) return Truncated("BYTE_STREAM_SPLIT values");
  std::string plain(count * width, '\0');
  for (size_t i = 0; i < count; ++i) {
    for (size_t b = 0; b < width; ++b) plain[i * width + b] = data[b * count + i];
  }
  MF_RETURN_IF_ERROR(DecodePlain(type, type_length, plain, count, logical, out).status());
  return count * width;
}

}  // namespace meteoflow::parquet
