#include "lake/parquet/text.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace meteoflow::parquet {
namespace {

// `scientific` is to_chars' shortest scientific form, e.g. "-1.25e-07".
std::string FromScientific(const std::string& scientific) {
  const size_t e = scientific.find('e');
  std::string mantissa = scientific.substr(0, e);
  const int exp = std::stoi(scientific.substr(e + 1));
  std::string sign;
  if (mantissa[0] == '-') {
    sign = "-";
    mantissa.erase(0, 1);
  }
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  if (exp >= -4 && exp < 16) {
    std::string whole, fraction;
    if (exp >= 0) {
      const size_t whole_len = static_cast<size_t>(exp) + 1;
      if (digits.size() <= whole_len) {
        whole = digits + std::string(whole_len - digits.size(), '0');
      } else {
        whole = digits.substr(0, whole_len);
        fraction = digits.substr(whole_len);
      }
    } else {
      whole = "0";
      fraction = std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
    return sign + whole + "." + (fraction.empty() ? "0" : fraction);
  }
  char exponent[16];
  std::snprintf(exponent, sizeof exponent, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
  return sign + digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + exponent;
}

template <typename T>
std::string ShortestText(T value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  return FromScientific(std::string(buf, r.ptr));
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string DoubleText(double value) { return ShortestText(value); }
std::string FloatText(float value) { return ShortestText(value); }

std::string DecimalText(int64_t unscaled, int scale) {
  const bool negative = unscaled < 0;
  const uint64_t magnitude = negative ? uint64_t{0} - static_cast<uint64_t>(unscaled) : static_cast<uint64_t>(unscaled);
  std::string digits = std::to_string(magnitude);
  if (scale <= 0) return (negative ? "-" : "") + digits;
  const size_t s = static_cast<size_t>(scale);
  if (digits.size() <= s) digits = std::string(s - digits.size() + 1, '0') + digits;
  return (negative ? "-" : "") + digits.substr(0, digits.size() - s) + "." + digits.substr(digits.size() - s);
}

std::string DateText(int64_t days) {
  using namespace std::chrono;
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string TimestampText(int64_t ticks, int digits, bool utc) {
  int64_t per_second = 1;
  for (int i = 0; i < digits; ++i) per_second *= 10;
  const int64_t seconds = FloorDiv(ticks, per_second);
  int64_t fraction = ticks - seconds * per_second;
  const int64_t day = FloorDiv(seconds, 86400);
  const int64_t in_day = seconds - day * 86400;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d", DateText(day).c_str(), static_cast<int>(in_day / 3600),
                static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60));
  std::string out = buf;
  if (fraction > 0) {
    std::string frac = std::to_string(fraction);
    frac = std::string(static_cast<size_t>(digits) - frac.size(), '0') + frac;
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return utc ? out + "+00" : out;
}

std::string ValueText(const ColumnSpec& spec, const Column& column, size_t row) {
  switch (spec.type) {
    case ColumnType::kBool:
      return column.ints[row] ? "true" : "false";
    case ColumnType::kInt32:
    case ColumnType::kInt64:
      return std::to_string(column.ints[row]);
    case ColumnType::kFloat:
      return FloatText(static_cast<float>(column.doubles[row]));
    case ColumnType::kDouble:
      return DoubleText(column.doubles[row]);
    case ColumnType::kString:
      return std::string(column.StringAt(row));
    case ColumnType::kTimestampMillis:
      return TimestampText(column.ints[row], 3, spec.utc);
    case ColumnType::kTimestampMicros:
      return TimestampText(column.ints[row], 6, spec.utc);
    case ColumnType::kTimestampNanos:
      return TimestampText(column.ints[row], 9, spec.utc);
    case ColumnType::kDate:
      return DateText(column.ints[row]);
    case ColumnType::kDecimal:
      return DecimalText(column.ints[row], spec.scale);
  }
  return "";
}

}  // namespace meteoflow::parquet
