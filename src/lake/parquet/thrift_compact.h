// Thrift Compact Protocol, the subset Parquet metadata uses: structs, lists, i8-i64, double,
// binary and bool. Parquet serialises bare structs (no message envelope).
//
// ThriftWriter appends to a string. ThriftReader decodes from a byte range and never reads
// past it: every length is checked against the bytes left, nesting depth is bounded, and any
// violation is a Corruption status naming what was being read.
//
// Thread-safety: instances are single-threaded values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meteoflow::parquet {

enum class ThriftType : uint8_t {
  kStop = 0,
  kTrue = 1,
  kFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
};

class ThriftWriter {
 public:
  explicit ThriftWriter(std::string* out) : out_(out) {}

  void BeginStruct() { last_ids_.push_back(0); }
  void EndStruct() {
    out_->push_back(0);
    last_ids_.pop_back();
  }
  void FieldI32(int16_t id, int32_t v) {
    Header(id, ThriftType::kI32);
    Varint(Zigzag(v));
  }
  void FieldI64(int16_t id, int64_t v) {
    Header(id, ThriftType::kI64);
    Varint(Zigzag(v));
  }
  void FieldI8(int16_t id, int8_t v) {
    Header(id, ThriftType::kI8);
    out_->push_back(static_cast<char>(v));
  }
  void FieldBool(int16_t id, bool v) { Header(id, v ? ThriftType::kTrue : ThriftType::kFalse); }
  void FieldBinary(int16_t id, std::string_view v) {
    Header(id, ThriftType::kBinary);
    Binary(v);
  }
  // A struct field: call, write the nested fields, then EndStruct().
  void FieldStruct(int16_t id) {
    Header(id, ThriftType::kStruct);
    BeginStruct();
  }
  // A list field; then write `size` elements with the element methods below.
  void FieldList(int16_t id, ThriftType elem, size_t size);
  void ElemI32(int32_t v) { Varint(Zigzag(v)); }
  void ElemBinary(std::string_view v) { Binary(v); }
  void ElemStruct() { BeginStruct(); }

 private:
  void Header(int16_t id, ThriftType type);
  void Varint(uint64_t v);
  void Binary(std::string_view v) {
    Varint(v.size());
    out_->append(v);
  }
  static uint64_t Zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

  std::string* out_;
  std::vector<int16_t> last_ids_;
};

class ThriftReader {
 public:
  ThriftReader(const uint8_t* data, size_t size) : p_(data), end_(data + size), begin_(data) {}

  size_t consumed() const { return static_cast<size_t>(p_ - begin_); }

  void BeginStruct() { last_ids_.push_back(0); }
  void EndStruct() { last_ids_.pop_back(); }
  // Next field of the current struct; type kStop at its end.
  Status ReadFieldHeader(ThriftType* type, int16_t* id);
  Status ReadI32(int32_t* v);
  Status ReadI64(int64_t* v);
  Status ReadI8(int8_t* v);
  Status ReadDouble(double* v);
  Status ReadBinary(std::string* v);
  Status ReadListHeader(ThriftType* elem, uint32_t* size);
  // A bool field's value lives in its header type.
  static bool BoolValue(ThriftType t) { return t == ThriftType::kTrue; }
  // Skips one value of `type`, recursing into containers (depth-bounded).
  Status Skip(ThriftType type, int depth = 0);

 private:
  Status Varint(uint64_t* v);
  Status Error(const std::string& what) const;

  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
  std::vector<int16_t> last_ids_;
};

}  // namespace meteoflow::parquet
