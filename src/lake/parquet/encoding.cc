#include "lake/parquet/encoding.h"

#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

namespace meteoflow::parquet {
namespace {

template <typename T>
void PutLE(std::string* out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  out->append(buf, sizeof(T));
}

template <typename T>
T GetLE(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

Status Truncated(const char* what) { return Status::Corruption(std::string("page data truncated in ") + what); }

// Converts an INT96 (nanoseconds of day, Julian day) to Unix milliseconds.
// INT96 = nanoseconds of the day (8 bytes) + Julian day number (4 bytes); to microseconds,
// DuckDB's and Spark's precision for it.
int64_t Int96ToMicros(const char* p) {
  const int64_t nanos = GetLE<int64_t>(p);
  const int32_t jdn = GetLE<int32_t>(p + 8);
  return (static_cast<int64_t>(jdn) - 2440588) * 86'400'000'000 + nanos / 1'000;
}

}  // namespace

PhysicalType PhysicalOf(ColumnType type) {
  switch (type) {
    case ColumnType::kBool:
      return PhysicalType::kBoolean;
    case ColumnType::kInt32:
    case ColumnType::kDate:
      return PhysicalType::kInt32;
    case ColumnType::kFloat:
      return PhysicalType::kFloat;
    case ColumnType::kDouble:
      return PhysicalType::kDouble;
    case ColumnType::kString:
      return PhysicalType::kByteArray;
    default:
      return PhysicalType::kInt64;
  }
}

void EncodePlain(ColumnType type, const Column& col, size_t begin, size_t end, std::string* out) {
  if (type == ColumnType::kBool) {
    uint8_t byte = 0;
    int bit = 0;
    for (size_t i = begin; i < end; ++i) {
      if (!col.valid[i]) continue;
      if (col.ints[i]) byte |= static_cast<uint8_t>(1 << bit);
      if (++bit == 8) {
        out->push_back(static_cast<char>(byte));
        byte = 0;
        bit = 0;
      }
    }
    if (bit) out->push_back(static_cast<char>(byte));
    return;
  }
  for (size_t i = begin; i < end; ++i) {
    if (!col.valid[i]) continue;
    switch (PhysicalOf(type)) {
      case PhysicalType::kInt32:
        PutLE<int32_t>(out, static_cast<int32_t>(col.ints[i]));
        break;
      case PhysicalType::kInt64:
        PutLE<int64_t>(out, col.ints[i]);
        break;
      case PhysicalType::kFloat:
        PutLE<float>(out, static_cast<float>(col.doubles[i]));
        break;
      case PhysicalType::kDouble:
        PutLE<double>(out, col.doubles[i]);
        break;
      case PhysicalType::kByteArray: {
        const std::string_view v = col.StringAt(i);
        PutLE<uint32_t>(out, static_cast<uint32_t>(v.size()));
        out->append(v);
        break;
      }
      default:
        break;
    }
  }
}

Status AppendBytes(std::string_view bytes, ColumnType logical, Column* out) {
  if (logical != ColumnType::kDecimal) {
    out->AppendString(bytes);
    return Status::OK();
  }
  MF_ASSIGN_OR_RETURN(int64_t unscaled, DecimalFromBigEndian(bytes));
  out->AppendInt(unscaled);
  return Status::OK();
}

Result<int64_t> DecimalFromBigEndian(std::string_view bytes) {
  if (bytes.empty()) return Status::Corruption("empty DECIMAL value");
  const bool negative = static_cast<uint8_t>(bytes[0]) & 0x80;
  // Leading bytes that only repeat the sign may go; what is left must fit in 8 bytes.
  size_t skip = 0;
  while (bytes.size() - skip > 8 && static_cast<uint8_t>(bytes[skip]) == (negative ? 0xff : 0x00)) ++skip;
  if (bytes.size() - skip > 8 ||
      (bytes.size() - skip == 8 && skip > 0 && ((static_cast<uint8_t>(bytes[skip]) & 0x80) != 0) != negative)) {
    return Status::InvalidArgument("DECIMAL value wider than 18 digits is not supported");
  }
  uint64_t v = negative ? ~uint64_t{0} : 0;
  for (size_t i = skip; i < bytes.size(); ++i) v = (v << 8) | static_cast<uint8_t>(bytes[i]);
  return static_cast<int64_t>(v);
}

Result<size_t> DecodePlain(PhysicalType type, int type_length, std::string_view data, size_t count, ColumnType logical,
                           Column* out) {
  size_t pos = 0;
  auto need = [&](size_t n) { return data.size() - pos >= n; };
  for (size_t i = 0; i < count; ++i) {
    switch (type) {
      case PhysicalType::kBoolean:
        if (i / 8 >= data.size()) return Truncated("BOOLEAN values");
        out->AppendInt((static_cast<uint8_t>(data[i / 8]) >> (i % 8)) & 1);
        pos = (i / 8) + 1;
        break;
      case PhysicalType::kInt32:
        if (!need(4)) return Truncated("INT32 values");
        out->AppendInt(GetLE<int32_t>(data.data() + pos));
        pos += 4;
        break;
      case PhysicalType::kInt64:
        if (!need(8)) return Truncated("INT64 values");
        out->AppendInt(GetLE<int64_t>(data.data() + pos));
        pos += 8;
        break;
      case PhysicalType::kInt96:
        if (!need(12)) return Truncated("INT96 values");
        out->AppendInt(Int96ToMicros(data.data() + pos));
        pos += 12;
        break;
      case PhysicalType::kFloat:
        if (!need(4)) return Truncated("FLOAT values");
        out->AppendDouble(GetLE<float>(data.data() + pos));
        pos += 4;
        break;
      case PhysicalType::kDouble:
        if (!need(8)) return Truncated("DOUBLE values");
        out->AppendDouble(GetLE<double>(data.data() + pos));
        pos += 8;
        break;
      case PhysicalType::kByteArray: {
        if (!need(4)) return Truncated("BYTE_ARRAY length");
        const uint32_t len = GetLE<uint32_t>(data.data() + pos);
        pos += 4;
        if (!need(len)) return Truncated("BYTE_ARRAY value");
        MF_RETURN_IF_ERROR(AppendBytes(data.substr(pos, len), logical, out));
        pos += len;
        break;
      }
      case PhysicalType::kFixed: {
        const size_t len = static_cast<size_t>(type_length);
        if (type_length <= 0 || !need(len)) return Truncated("FIXED_LEN_BYTE_ARRAY values");
        MF_RETURN_IF_ERROR(AppendBytes(data.substr(pos, len), logical, out));
        pos += len;
        break;
      }
    }
  }
  return pos;
}

int BitWidth(uint32_t max_value) {
  int w = 0;
  while (max_value) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void EncodeRleLevels(const std::vector<uint8_t>& levels, int bit_width, std::string* out) {
  const size_t value_bytes = static_cast<size_t>((bit_width + 7) / 8);
  size_t i = 0;
  while (i < levels.size()) {
    size_t run = 1;
    while (i + run < levels.size() && levels[i + run] == levels[i]) ++run;
    PutVarint(out, static_cast<uint64_t>(run) << 1);
    for (size_t b = 0; b < value_bytes; ++b) out->push_back(static_cast<char>(levels[i] >> (8 * b)));
    i += run;
  }
}

namespace {

void PutBitPacked(const uint32_t* values, size_t count, int bit_width, std::string* out) {
  const size_t groups = (count + 7) / 8;
  PutVarint(out, (static_cast<uint64_t>(groups) << 1) | 1);
  uint64_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < groups * 8; ++i) {
    acc |= static_cast<uint64_t>(i < count ? values[i] : 0) << bits;
    bits += bit_width;
    while (bits >= 8) {
      out->push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
}

void PutRleRun(uint32_t value, size_t run, int bit_width, std::string* out) {
  PutVarint(out, static_cast<uint64_t>(run) << 1);
  for (int b = 0; b < (bit_width + 7) / 8; ++b) out->push_back(static_cast<char>(value >> (8 * b)));
}

}  // namespace

void EncodeRleHybrid(const std::vector<uint32_t>& values, int bit_width, std::string* out) {
  size_t literal_begin = 0, i = 0;
  while (i < values.size()) {
    size_t run = 1;
    while (i + run < values.size() && values[i + run] == values[i]) ++run;
    // Literals go out in whole groups of 8: borrow from the run to fill the last group.
    const size_t borrow = (8 - (i - literal_begin) % 8) % 8;
    if (run >= 8 + borrow) {
      if (i + borrow > literal_begin) PutBitPacked(&values[literal_begin], i + borrow - literal_begin, bit_width, out);
      PutRleRun(values[i], run - borrow, bit_width, out);
      literal_begin = i + run;
    }
    i += run;
  }
  if (literal_begin < values.size()) {
    PutBitPacked(&values[literal_begin], values.size() - literal_begin, bit_width, out);
  }
}

Status DecodeRleHybrid(std::string_view data, int bit_width, size_t count, std::vector<uint32_t>* out) {
  out->reserve(out->size() + count);
  return ForEachRleHybrid(
      data, bit_width, count, [&](uint32_t value, size_t n) { out->insert(out->end(), n, value); },
      [&](const uint32_t* values, size_t n) { out->insert(out->end(), values, values + n); });
}

namespace {

Status GzipCompress(std::string_view in, std::string* out) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: cannot initialise");
  }
  out->resize(deflateBound(&z, in.size()) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data());
  z.avail_out = static_cast<uInt>(out->size());
  const int rc = deflate(&z, Z_FINISH);
  out->resize(z.total_out);
  deflateEnd(&z);
  return rc == Z_STREAM_END ? Status::OK() : Status::Internal("gzip: compression failed");
}

// Accepts gzip and zlib framing (writers differ); the output must be exactly `size` bytes.
Status GzipDecompress(std::string_view in, size_t size, std::string* out) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) return Status::Internal("gzip: cannot initialise");
  out->resize(size);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out->data());
  z.avail_out = static_cast<uInt>(size);
  int rc = inflate(&z, Z_FINISH);
  const size_t produced = z.total_out;
  inflateEnd(&z);
  if (rc != Z_STREAM_END || produced != size) return Status::Corruption("gzip page: corrupt data or wrong size");
  return Status::OK();
}

}  // namespace

Status Compress(int codec, std::string_view in, std::string* out) {
  switch (codec) {
    case static_cast<int>(CodecId::kUncompressed):
      out->assign(in);
      return Status::OK();
    case static_cast<int>(CodecId::kSnappy):
      snappy::Compress(in.data(), in.size(), out);
      return Status::OK();
    case static_cast<int>(CodecId::kZstd): {
      out->resize(ZSTD_compressBound(in.size()));
      const size_t n = ZSTD_compress(out->data(), out->size(), in.data(), in.size(), 3);
      if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
      out->resize(n);
      return Status::OK();
    }
    case static_cast<int>(CodecId::kGzip):
      return GzipCompress(in, out);
    default:
      return Status::InvalidArgument("codec " + std::to_string(codec) + " is not supported for writing");
  }
}

Status Decompress(int codec, std::string_view in, size_t uncompressed_size, std::string* out) {
  switch (codec) {
    case static_cast<int>(CodecId::kUncompressed):
      if (in.size() != uncompressed_size) return Status::Corruption("uncompressed page size mismatch");
      out->assign(in);
      return Status::OK();
    case static_cast<int>(CodecId::kSnappy): {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(in.data(), in.size(), &n) || n != uncompressed_size) {
        return Status::Corruption("snappy page: bad length header");
      }
      out->resize(n);
      if (!snappy::RawUncompress(in.data(), in.size(), out->data()))
        return Status::Corruption("snappy page: corrupt data");
      return Status::OK();
    }
    case static_cast<int>(CodecId::kZstd): {
      out->resize(uncompressed_size);
      const size_t n = ZSTD_decompress(out->data(), out->size(), in.data(), in.size());
      if (ZSTD_isError(n) || n != uncompressed_size) return Status::Corruption("zstd page: corrupt data");
      return Status::OK();
    }
    case static_cast<int>(CodecId::kGzip):
      return GzipDecompress(in, uncompressed_size, out);
    case static_cast<int>(CodecId::kLz4Raw): {
      out->resize(uncompressed_size);
      if (uncompressed_size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE) || in.size() > static_cast<size_t>(INT32_MAX))
        return Status::Corruption("lz4 page too large");
      const int n =
          LZ4_decompress_safe(in.data(), out->data(), static_cast<int>(in.size()), static_cast<int>(uncompressed_size));
      if (n < 0 || static_cast<size_t>(n) != uncompressed_size) return Status::Corruption("lz4 page: corrupt data");
      return Status::OK();
    }
    default:
      return Status::InvalidArgument("compression codec " + std::to_string(codec) + " is not supported");
  }
}

}  // namespace meteoflow::parquet
