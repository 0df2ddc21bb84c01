#include "store/cql/value.h"

#include <cstring>

namespace meteoflow::cql {
namespace {

Status WrongLength(const CqlType& t, size_t n) {
  return Status::Corruption("cql: a " + TypeName(t) + " value of " + std::to_string(n) + " bytes");
}

int64_t BigEndian(const std::string& b) {
  uint64_t v = 0;
  for (char c : b) v = (v << 8) | static_cast<uint8_t>(c);
  // Sign-extend from the value's width.
  const int shift = 64 - 8 * static_cast<int>(b.size());
  return shift > 0 && shift < 64 ? static_cast<int64_t>(v << shift) >> shift : static_cast<int64_t>(v);
}

std::string BigEndianBytes(int64_t v, size_t width) {
  std::string out(width, '\0');
  for (size_t i = 0; i < width; ++i) out[width - 1 - i] = static_cast<char>(static_cast<uint64_t>(v) >> (8 * i));
  return out;
}

}  // namespace

Result<CqlType> ReadType(WireReader& r, int depth) {
  if (depth > 32) return Status::Corruption("cql: type nesting deeper than 32");
  CqlType t;
  MF_ASSIGN_OR_RETURN(t.id, r.Short("type id"));
  switch (t.id) {
    case kCustom: {
      MF_ASSIGN_OR_RETURN(t.custom, r.String("custom type class"));
      break;
    }
    case kList:
    case kSet: {
      MF_ASSIGN_OR_RETURN(CqlType element, ReadType(r, depth + 1));
      t.children.push_back(std::move(element));
      break;
    }
    case kMap:
      for (int i = 0; i < 2; ++i) {
        MF_ASSIGN_OR_RETURN(CqlType part, ReadType(r, depth + 1));
        t.children.push_back(std::move(part));
      }
      break;
    case kUdt: {
      MF_ASSIGN_OR_RETURN(std::string ks, r.String("udt keyspace"));
      MF_ASSIGN_OR_RETURN(std::string name, r.String("udt name"));
      t.custom = ks + "." + name;
      MF_ASSIGN_OR_RETURN(uint16_t n, r.Short("udt field count"));
      for (uint16_t i = 0; i < n; ++i) {
        MF_RETURN_IF_ERROR(r.String("udt field name").status());
        MF_ASSIGN_OR_RETURN(CqlType field, ReadType(r, depth + 1));
        t.children.push_back(std::move(field));
      }
      break;
    }
    case kTuple: {
      MF_ASSIGN_OR_RETURN(uint16_t n, r.Short("tuple size"));
      for (uint16_t i = 0; i < n; ++i) {
        MF_ASSIGN_OR_RETURN(CqlType part, ReadType(r, depth + 1));
        t.children.push_back(std::move(part));
      }
      break;
    }
    default:
      if (t.id > kDuration) return Status::Corruption("cql: unknown type id " + std::to_string(t.id));
  }
  return t;
}

std::string TypeName(const CqlType& t) {
  static const char* kNames[] = {"custom", "ascii", "bigint", "blob",      "boolean", "counter", "decimal", "double",
                                 "float",  "int",   "text",   "timestamp", "uuid",    "varchar", "varint",  "timeuuid",
                                 "inet",   "date",  "time",   "smallint",  "tinyint", "duration"};
  if (t.id <= kDuration) return t.id == kCustom ? "custom(" + t.custom + ")" : kNames[t.id];
  switch (t.id) {
    case kList:
      return "list<" + TypeName(t.children[0]) + ">";
    case kSet:
      return "set<" + TypeName(t.children[0]) + ">";
    case kMap:
      return "map<" + TypeName(t.children[0]) + ", " + TypeName(t.children[1]) + ">";
    case kUdt:
      return "udt(" + t.custom + ")";
    default:
      return "tuple";
  }
}

Result<Value> DecodeValue(const CqlType& t, const std::optional<std::string>& bytes) {
  if (!bytes) return Value::Null();
  const std::string& b = *bytes;
  auto fixed = [&](size_t n) { return b.size() == n ? Status::OK() : WrongLength(t, b.size()); };
  switch (t.id) {
    case kAscii:
    case kVarchar:
    case kTextLegacy:
      return Value::Text(b);
    case kBlob:
      return Value::Blob(b);
    case kInt:
      MF_RETURN_IF_ERROR(fixed(4));
      return Value::Int(static_cast<int32_t>(BigEndian(b)));
    case kSmallint:
      MF_RETURN_IF_ERROR(fixed(2));
      return Value{Value::kInt, BigEndian(b)};
    case kTinyint:
      MF_RETURN_IF_ERROR(fixed(1));
      return Value{Value::kInt, BigEndian(b)};
    case kBigint:
    case kCounter:
      MF_RETURN_IF_ERROR(fixed(8));
      return Value::Bigint(BigEndian(b));
    case kTimestamp:
      MF_RETURN_IF_ERROR(fixed(8));
      return Value::TimestampMillis(BigEndian(b));
    case kBoolean:
      MF_RETURN_IF_ERROR(fixed(1));
      return Value::Boolean(b[0] != 0);
    case kDouble: {
      MF_RETURN_IF_ERROR(fixed(8));
      const uint64_t bits = static_cast<uint64_t>(BigEndian(b));
      double d;
      std::memcpy(&d, &bits, 8);
      return Value::Double(d);
    }
    case kFloat: {
      MF_RETURN_IF_ERROR(fixed(4));
      const uint32_t bits = static_cast<uint32_t>(BigEndian(b));
      float f;
      std::memcpy(&f, &bits, 4);
      return Value::Float(f);
    }
    case kUuid:
    case kTimeuuid: {
      MF_RETURN_IF_ERROR(fixed(16));
      Uuid u;
      std::memcpy(u.data(), b.data(), 16);
      return Value::UuidValue(u);
    }
    default:
      return Value{Value::kRaw, b};
  }
}

Result<std::optional<std::string>> EncodeValue(const Value& v, const CqlType* t) {
  using Bytes = std::optional<std::string>;
  switch (v.kind) {
    case Value::kNull:
      return Bytes();
    case Value::kText:
    case Value::kBlob:
    case Value::kRaw:
      return Bytes(v.text());
    case Value::kBoolean:
      return Bytes(std::string(1, v.boolean() ? '\1' : '\0'));
    case Value::kTimestamp:
      return Bytes(BigEndianBytes(v.integer(), 8));
    case Value::kUuid:
      return Bytes(std::string(v.uuid().begin(), v.uuid().end()));
    case Value::kInt:
    case Value::kBigint: {
      size_t width = v.kind == Value::kInt ? 4 : 8;
      if (t) {
        width = t->id == kBigint || t->id == kCounter || t->id == kTimestamp ? 8
                : t->id == kSmallint                                         ? 2
                : t->id == kTinyint                                          ? 1
                                                                             : 4;
      }
      const int64_t x = v.integer();
      const int64_t lo = width == 8 ? INT64_MIN : -(int64_t{1} << (8 * width - 1));
      const int64_t hi = width == 8 ? INT64_MAX : (int64_t{1} << (8 * width - 1)) - 1;
      if (x < lo || x > hi) {
        return Status::InvalidArgument("cql: " + std::to_string(x) + " does not fit a " +
                                       (t ? TypeName(*t) : std::string("int")));
      }
      return Bytes(BigEndianBytes(x, width));
    }
    case Value::kDouble:
    case Value::kFloat: {
      if (v.kind == Value::kFloat || (t && t->id == kFloat)) {
        const float f = static_cast<float>(v.real());
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        return Bytes(BigEndianBytes(bits, 4));
      }
      const double d = v.real();
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      return Bytes(BigEndianBytes(static_cast<int64_t>(bits), 8));
    }
  }
  return Status::InvalidArgument("cql: unknown value kind");
}

}  // namespace meteoflow::cql
