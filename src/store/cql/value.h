// CQL types (the [option] tree of a column) and the values meteoflow reads and writes: text and
// ascii, int, bigint/counter, double, float, boolean, timestamp, uuid/timeuuid, blob, smallint,
// tinyint, date. Other types decode to their raw bytes (kind kRaw) so a result with them still
// reads; collections, UDTs and tuples are parsed as types (their nesting is checked) but their
// values stay raw.
//
// Thread-safety: values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "store/cql/wire.h"

namespace meteoflow::cql {

enum TypeId : uint16_t {
  kCustom = 0x0000,
  kAscii = 0x0001,
  kBigint = 0x0002,
  kBlob = 0x0003,
  kBoolean = 0x0004,
  kCounter = 0x0005,
  kDecimal = 0x0006,
  kDouble = 0x0007,
  kFloat = 0x0008,
  kInt = 0x0009,
  kTextLegacy = 0x000A,
  kTimestamp = 0x000B,
  kUuid = 0x000C,
  kVarchar = 0x000D,
  kVarint = 0x000E,
  kTimeuuid = 0x000F,
  kInet = 0x0010,
  kDate = 0x0011,
  kTime = 0x0012,
  kSmallint = 0x0013,
  kTinyint = 0x0014,
  kDuration = 0x0015,
  kList = 0x0020,
  kMap = 0x0021,
  kSet = 0x0022,
  kUdt = 0x0030,
  kTuple = 0x0031,
};

struct CqlType {
  uint16_t id = kBlob;
  std::string custom;             // kCustom: the Java class; kUdt: keyspace.name
  std::vector<CqlType> children;  // element / key+value / tuple or UDT fields
};

// Parses one [option]; nesting deeper than 32 levels is Corruption.
Result<CqlType> ReadType(WireReader& r, int depth = 0);
std::string TypeName(const CqlType& t);

using Uuid = std::array<uint8_t, 16>;

// A cell: null, a typed value, or raw bytes of a type this library does not interpret.
struct Value {
  enum Kind { kNull, kText, kInt, kBigint, kDouble, kFloat, kBoolean, kTimestamp, kUuid, kBlob, kRaw };
  Kind kind = kNull;
  std::variant<std::monostate, std::string, int64_t, double, bool, Uuid> v;

  static Value Null() { return {}; }
  static Value Text(std::string s) { return {kText, std::move(s)}; }
  static Value Int(int32_t i) { return {kInt, int64_t{i}}; }
  static Value Bigint(int64_t i) { return {kBigint, i}; }
  static Value Double(double d) { return {kDouble, d}; }
  static Value Float(float f) { return {kFloat, double{f}}; }
  static Value Boolean(bool b) { return {kBoolean, b}; }
  static Value TimestampMillis(int64_t millis) { return {kTimestamp, millis}; }
  static Value UuidValue(const Uuid& u) { return {kUuid, u}; }
  static Value Blob(std::string b) { return {kBlob, std::move(b)}; }

  bool is_null() const { return kind == kNull; }
  const std::string& text() const { return std::get<std::string>(v); }
  int64_t integer() const { return std::get<int64_t>(v); }
  double real() const { return std::get<double>(v); }
  bool boolean() const { return std::get<bool>(v); }
  const Uuid& uuid() const { return std::get<Uuid>(v); }
  bool operator==(const Value&) const = default;
};

// The cell's bytes (nullopt = null) as a value of type `t`; a wrong length is Corruption.
Result<Value> DecodeValue(const CqlType& t, const std::optional<std::string>& bytes);
// The wire bytes of `v` (nullopt for null), for binding to a marker of type `t` when known
// (ints are then written with the column's width); kRaw and kBlob are written as they are.
Result<std::optional<std::string>> EncodeValue(const Value& v, const CqlType* t = nullptr);

}  // namespace meteoflow::cql
