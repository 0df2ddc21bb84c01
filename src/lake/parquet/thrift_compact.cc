#include "lake/parquet/thrift_compact.h"

#include <cstring>

namespace meteoflow::parquet {
namespace {
constexpr int kMaxDepth = 32;
constexpr uint32_t kMaxListSize = 10'000'000;
}  // namespace

void ThriftWriter::Header(int16_t id, ThriftType type) {
  const int16_t delta = static_cast<int16_t>(id - last_ids_.back());
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | static_cast<uint8_t>(type)));
  } else {
    out_->push_back(static_cast<char>(type));
    Varint(Zigzag(id));
  }
  last_ids_.back() = id;
}

void ThriftWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out_->push_back(static_cast<char>(v));
}

void ThriftWriter::FieldList(int16_t id, ThriftType elem, size_t size) {
  Header(id, ThriftType::kList);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | static_cast<uint8_t>(elem)));
  } else {
    out_->push_back(static_cast<char>(0xF0 | static_cast<uint8_t>(elem)));
    Varint(size);
  }
}

Status ThriftReader::Error(const std::string& what) const {
  return Status::Corruption("thrift metadata at byte " + std::to_string(p_ - begin_) + ": " + what);
}

Status ThriftReader::Varint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ >= end_) return Error("truncated varint");
    const uint8_t b = *p_++;
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *v = result;
      return Status::OK();
    }
  }
  return Error("varint longer than 10 bytes");
}

Status ThriftReader::ReadFieldHeader(ThriftType* type, int16_t* id) {
  if (p_ >= end_) return Error("truncated struct (no stop byte)");
  const uint8_t b = *p_++;
  *type = static_cast<ThriftType>(b & 0x0F);
  if (*type == ThriftType::kStop) return Status::OK();
  if (static_cast<uint8_t>(*type) > static_cast<uint8_t>(ThriftType::kStruct)) {
    return Error("unknown field type " + std::to_string(b & 0x0F));
  }
  const int delta = b >> 4;
  if (delta != 0) {
    *id = static_cast<int16_t>(last_ids_.back() + delta);
  } else {
    uint64_t raw;
    MF_RETURN_IF_ERROR(Varint(&raw));
    *id = static_cast<int16_t>((raw >> 1) ^ (~(raw & 1) + 1));
  }
  last_ids_.back() = *id;
  return Status::OK();
}

Status ThriftReader::ReadI64(int64_t* v) {
  uint64_t raw;
  MF_RETURN_IF_ERROR(Varint(&raw));
  *v = static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  return Status::OK();
}

Status ThriftReader::ReadI32(int32_t* v) {
  int64_t wide;
  MF_RETURN_IF_ERROR(ReadI64(&wide));
  if (wide < INT32_MIN || wide > INT32_MAX) return Error("i32 out of range");
  *v = static_cast<int32_t>(wide);
  return Status::OK();
}

Status ThriftReader::ReadI8(int8_t* v) {
  if (p_ >= end_) return Error("truncated i8");
  *v = static_cast<int8_t>(*p_++);
  return Status::OK();
}

Status ThriftReader::ReadDouble(double* v) {
  if (end_ - p_ < 8) return Error("truncated double");
  std::memcpy(v, p_, 8);
  p_ += 8;
  return Status::OK();
}

Status ThriftReader::ReadBinary(std::string* v) {
  uint64_t len;
  MF_RETURN_IF_ERROR(Varint(&len));
  if (len > static_cast<uint64_t>(end_ - p_)) {
    return Error("binary of " + std::to_string(len) + " bytes runs past the end");
  }
  v->assign(reinterpret_cast<const char*>(p_), len);
  p_ += len;
  return Status::OK();
}

Status ThriftReader::ReadListHeader(ThriftType* elem, uint32_t* size) {
  if (p_ >= end_) return Error("truncated list header");
  const uint8_t b = *p_++;
  *elem = static_cast<ThriftType>(b & 0x0F);
  uint64_t n = b >> 4;
  if (n == 15) MF_RETURN_IF_ERROR(Varint(&n));
  // Every element takes at least one byte, except bools in some writers: bound by bytes left.
  if (n > kMaxListSize || n > static_cast<uint64_t>(end_ - p_) + 0) {
    return Error("list of " + std::to_string(n) + " elements cannot fit in what is left");
  }
  *size = static_cast<uint32_t>(n);
  return Status::OK();
}

Status ThriftReader::Skip(ThriftType type, int depth) {
  if (depth > kMaxDepth) return Error("nesting deeper than 32");
  switch (type) {
    case ThriftType::kTrue:
    case ThriftType::kFalse:
      return Status::OK();
    case ThriftType::kI8: {
      int8_t v;
      return ReadI8(&v);
    }
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64: {
      int64_t v;
      return ReadI64(&v);
    }
    case ThriftType::kDouble: {
      double v;
      return ReadDouble(&v);
    }
    case ThriftType::kBinary: {
      std::string v;
      return ReadBinary(&v);
    }
    case ThriftType::kList:
    case ThriftType::kSet: {
      ThriftType elem;
      uint32_t n;
      MF_RETURN_IF_ERROR(ReadListHeader(&elem, &n));
      for (uint32_t i = 0; i < n; ++i) {
        if (elem == ThriftType::kTrue || elem == ThriftType::kFalse) {
          int8_t b;
          MF_RETURN_IF_ERROR(ReadI8(&b));
        } else {
          MF_RETURN_IF_ERROR(Skip(elem, depth + 1));
        }
      }
      return Status::OK();
    }
    case ThriftType::kStruct: {
      BeginStruct();
      for (;;) {
        ThriftType t;
        int16_t id;
        MF_RETURN_IF_ERROR(ReadFieldHeader(&t, &id));
        if (t == ThriftType::kStop) break;
        MF_RETURN_IF_ERROR(Skip(t, depth + 1));
      }
      EndStruct();
      return Status::OK();
    }
    case ThriftType::kMap: {
      uint64_t n;
      MF_RETURN_IF_ERROR(Varint(&n));
      if (n == 0) return Status::OK();
      if (n > static_cast<uint64_t>(end_ - p_)) return Error("map too large");
      int8_t kv;
      MF_RETURN_IF_ERROR(ReadI8(&kv));
      for (uint64_t i = 0; i < n; ++i) {
        MF_RETURN_IF_ERROR(Skip(static_cast<ThriftType>((kv >> 4) & 0x0F), depth + 1));
        MF_RETURN_IF_ERROR(Skip(static_cast<ThriftType>(kv & 0x0F), depth + 1));
      }
      return Status::OK();
    }
    default:
      return Error("cannot skip field of type " + std::to_string(static_cast<int>(type)));
  }
}

}  // namespace meteoflow::parquet
