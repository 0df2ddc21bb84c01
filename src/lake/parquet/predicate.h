// Predicates on one column ("temperature_2m > 30", "city_name = Rabat") for filtered reads:
// the reader skips row groups whose statistics rule a predicate out, then keeps the rows that
// satisfy every predicate. Nulls satisfy no predicate (as in SQL).
//
// Values are parsed in the column's type: integers, decimals, strings as written, dates
// "YYYY-MM-DD", timestamps "YYYY-MM-DD HH:MM:SS[.fraction]" (a 'T' and a trailing "Z" or
// "+00" are accepted) read in the column's unit.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "lake/parquet/encoding.h"
#include "lake/parquet/table.h"

namespace meteoflow::parquet {

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Predicate {
  std::string column;
  CompareOp op = CompareOp::kEq;
  std::string value;  // text, parsed in the column's type
};

// Parses "name<op>value" with op one of = != < <= > >=, e.g. "humidity>=80".
Result<Predicate> ParsePredicate(const std::string& text);

// One predicate bound to a column of known type, with its value parsed.
class BoundPredicate {
 public:
  // `physical` is the column's storage type, which says how its statistics are laid out.
  static Result<BoundPredicate> Bind(const Predicate& p, const ColumnSpec& spec, PhysicalType physical);

  // False only when no value in [min, max] can satisfy the predicate. Bounds are PLAIN bytes of
  // the physical type (strings unprefixed), as in the footer's statistics; absent = unknown.
  bool MayMatch(const std::optional<std::string>& min, const std::optional<std::string>& max) const;
  // Whether the (present) value at `row` satisfies the predicate.
  bool Matches(const Column& column, size_t row) const;

 private:
  int Compare(const Column& column, size_t row) const;  // sign of (value at row) - (our value)
  static constexpr int kUnknown = 2;
  int CompareBound(const std::string& bound) const;

  ColumnSpec spec_;
  PhysicalType physical_ = PhysicalType::kInt64;
  CompareOp op_ = CompareOp::kEq;
  int64_t int_value_ = 0;
  double double_value_ = 0;
  std::string string_value_;
};

}  // namespace meteoflow::parquet
