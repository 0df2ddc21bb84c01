#include "lake/parquet/predicate.h"

#include <cmath>
#include <cstring>

#include "core/time.h"
#include "lake/parquet/encoding.h"

namespace meteoflow::parquet {
namespace {

bool ParseInt(const std::string& text, int64_t* out) {
  try {
    size_t used = 0;
    *out = std::stoll(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

bool ParseDouble(const std::string& text, double* out) {
  try {
    size_t used = 0;
    *out = std::stod(text, &used);
    return used == text.size();
  } catch (const std::exception&) {
    return false;
  }
}

bool ParseDays(const std::string& text, int64_t* days) {
  auto t = ParseCivilTime(text);
  if (!t.ok() || t->has_time) return false;
  *days = t->days;
  return true;
}

// A date and time (core/time.h's forms) in units of 10^-digits seconds; more fraction digits
// than the unit holds would be rounded, so they are refused.
bool ParseTicks(const std::string& text, int digits, int64_t* out) {
  auto t = ParseCivilTime(text);
  if (!t.ok() || !t->has_time || t->fraction_digits > digits) return false;
  int64_t nanos_per_tick = 1;
  for (int i = digits; i < 9; ++i) nanos_per_tick *= 10;
  *out = t->days * 86400 * (1'000'000'000 / nanos_per_tick) + t->nanos_of_day / nanos_per_tick;
  return true;
}

template <typename T>
int Sign(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool Holds(CompareOp op, int cmp) {
  switch (op) {
    case CompareOp::kEq:
      return cmp == 0;
    case CompareOp::kNe:
      return cmp != 0;
    case CompareOp::kLt:
      return cmp < 0;
    case CompareOp::kLe:
      return cmp <= 0;
    case CompareOp::kGt:
      return cmp > 0;
    case CompareOp::kGe:
      return cmp >= 0;
  }
  return false;
}

}  // namespace

Result<Predicate> ParsePredicate(const std::string& text) {
  static const std::pair<const char*, CompareOp> kOps[] = {{"!=", CompareOp::kNe}, {"<=", CompareOp::kLe},
                                                           {">=", CompareOp::kGe}, {"=", CompareOp::kEq},
                                                           {"<", CompareOp::kLt},  {">", CompareOp::kGt}};
  size_t best = std::string::npos;
  const std::pair<const char*, CompareOp>* found = nullptr;
  for (const auto& op : kOps) {
    const size_t at = text.find(op.first);
    if (at != std::string::npos && (at < best || (at == best && std::strlen(op.first) == 2))) {
      best = at;
      found = &op;
    }
  }
  if (!found || best == 0) {
    return Status::InvalidArgument("predicate '" + text + "': expected <column><op><value>, op one of = != < <= > >=");
  }
  return Predicate{text.substr(0, best), found->second, text.substr(best + std::strlen(found->first))};
}

Result<BoundPredicate> BoundPredicate::Bind(const Predicate& p, const ColumnSpec& spec, PhysicalType physical) {
  BoundPredicate b;
  b.spec_ = spec;
  b.physical_ = physical;
  b.op_ = p.op;
  bool ok = true;
  switch (spec.type) {
    case ColumnType::kBool:
      ok = p.value == "true" || p.value == "false";
      b.int_value_ = p.value == "true";
      break;
    case ColumnType::kInt32:
    case ColumnType::kInt64:
      ok = ParseInt(p.value, &b.int_value_);
      break;
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      ok = ParseDouble(p.value, &b.double_value_) && !std::isnan(b.double_value_);
      break;
    case ColumnType::kString:
      b.string_value_ = p.value;
      break;
    case ColumnType::kDecimal:  // compared as unscaled values
      ok = ParseDouble(p.value, &b.double_value_) && std::isfinite(b.double_value_);
      b.double_value_ *= std::pow(10.0, spec.scale);
      break;
    case ColumnType::kDate:
      ok = ParseDays(p.value, &b.int_value_);
      break;
    case ColumnType::kTimestampMillis:
      ok = ParseTicks(p.value, 3, &b.int_value_);
      break;
    case ColumnType::kTimestampMicros:
      ok = ParseTicks(p.value, 6, &b.int_value_);
      break;
    case ColumnType::kTimestampNanos:
      ok = ParseTicks(p.value, 9, &b.int_value_);
      break;
  }
  if (!ok) {
    return Status::InvalidArgument("predicate on '" + p.column + "': '" + p.value + "' is not a " +
                                   ColumnTypeName(spec.type) + " value");
  }
  return b;
}

int BoundPredicate::Compare(const Column& column, size_t row) const {
  if (spec_.type == ColumnType::kString) {
    const int c = column.StringAt(row).compare(string_value_);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (spec_.type == ColumnType::kDecimal) return Sign(static_cast<double>(column.ints[row]), double_value_);
  if (IsIntegerBacked(spec_.type)) return Sign(column.ints[row], int_value_);
  return Sign(column.doubles[row], double_value_);
}

bool BoundPredicate::Matches(const Column& column, size_t row) const {
  if (!IsIntegerBacked(spec_.type) && spec_.type != ColumnType::kString && std::isnan(column.doubles[row])) {
    return op_ == CompareOp::kNe;
  }
  return Holds(op_, Compare(column, row));
}

// Sign of (bound - our value), or kUnknown when the bound cannot be read.
int BoundPredicate::CompareBound(const std::string& bound) const {
  switch (spec_.type) {
    case ColumnType::kString: {
      const int c = std::memcmp(bound.data(), string_value_.data(), std::min(bound.size(), string_value_.size()));
      if (c != 0) return c < 0 ? -1 : 1;
      return Sign(bound.size(), string_value_.size());
    }
    case ColumnType::kDecimal: {
      int64_t v;
      if (physical_ == PhysicalType::kInt32) {
        if (bound.size() != 4) return kUnknown;
        int32_t v32;
        std::memcpy(&v32, bound.data(), 4);
        v = v32;
      } else if (physical_ == PhysicalType::kInt64) {
        if (bound.size() != 8) return kUnknown;
        std::memcpy(&v, bound.data(), 8);
      } else {
        auto big = DecimalFromBigEndian(bound);
        if (!big.ok()) return kUnknown;
        v = *big;
      }
      return Sign(static_cast<double>(v), double_value_);
    }
    case ColumnType::kBool:
      if (bound.size() != 1) return kUnknown;
      return Sign<int64_t>(bound[0] != 0, int_value_);
    case ColumnType::kInt32:
    case ColumnType::kDate: {
      if (bound.size() != 4) return kUnknown;
      int32_t v;
      std::memcpy(&v, bound.data(), 4);
      return Sign<int64_t>(v, int_value_);
    }
    case ColumnType::kFloat: {
      if (bound.size() != 4) return kUnknown;
      float v;
      std::memcpy(&v, bound.data(), 4);
      if (std::isnan(v)) return kUnknown;
      return Sign<double>(v, double_value_);
    }
    case ColumnType::kDouble: {
      if (bound.size() != 8) return kUnknown;
      double v;
      std::memcpy(&v, bound.data(), 8);
      if (std::isnan(v)) return kUnknown;
      return Sign(v, double_value_);
    }
    default: {  // INT64-backed (INT96 timestamps have no usable statistics: 12 bytes)
      if (bound.size() != 8) return kUnknown;
      int64_t v;
      std::memcpy(&v, bound.data(), 8);
      return Sign(v, int_value_);
    }
  }
}

bool BoundPredicate::MayMatch(const std::optional<std::string>& min, const std::optional<std::string>& max) const {
  const int lo = min ? CompareBound(*min) : kUnknown;  // sign(min - v)
  const int hi = max ? CompareBound(*max) : kUnknown;  // sign(max - v)
  const bool lo_known = lo != kUnknown, hi_known = hi != kUnknown;
  switch (op_) {
    case CompareOp::kEq:
      return !(lo_known && lo > 0) && !(hi_known && hi < 0);
    case CompareOp::kNe:
      return !(lo_known && hi_known && lo == 0 && hi == 0);
    case CompareOp::kLt:
      return !(lo_known && lo >= 0);
    case CompareOp::kLe:
      return !(lo_known && lo > 0);
    case CompareOp::kGt:
      return !(hi_known && hi <= 0);
    case CompareOp::kGe:
      return !(hi_known && hi < 0);
  }
  return true;
}

}  // namespace meteoflow::parquet
