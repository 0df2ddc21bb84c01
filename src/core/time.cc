#include "core/time.h"

#include <chrono>
#include <cstdio>

namespace meteoflow {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month, day;
};

Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at text[pos]; false when they are not all digits.
bool ReadDigits(std::string_view text, size_t pos, size_t width, int64_t* out) {
  if (pos + width > text.size()) return false;
  int64_t value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  *out = value;
  return true;
}

bool IsUtcSuffix(std::string_view rest) {
  return rest.empty() || rest == "Z" || rest == "z" || rest == "+00:00" || rest == "+0000" || rest == "-00:00" ||
         rest == "+00";
}

}  // namespace

Timestamp Timestamp::Now() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return FromMillis(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

Timestamp Timestamp::FloorTo(int64_t step_ms) const { return FromMillis(FloorDiv(ms_, step_ms) * step_ms); }

namespace {

// Writes `value` as exactly `width` decimal digits (0 <= value < 10^width).
void PutDigits(char* at, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i, value /= 10) at[i] = static_cast<char>('0' + value % 10);
}

// "YYYY-MM-DDTHH:MM:SS", then ".mmm" when `millis` says so, then "Z". Years outside 0..9999
// (never stored, but printable) take snprintf's path.
std::string FormatTime(int64_t ms, bool millis) {
  const int64_t days = FloorDiv(ms, 86'400'000);
  const int64_t ms_of_day = ms - days * 86'400'000;
  const Civil c = CivilFromDays(days);
  const int64_t secs = ms_of_day / 1000, milli = ms_of_day % 1000;
  if (c.year < 0 || c.year > 9999) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(c.year),
                  c.month, c.day, static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                  static_cast<long long>(secs % 60), static_cast<long long>(milli));
    std::string out = buf;
    if (!millis) out.erase(out.size() - 5, 4);
    return out;
  }
  std::string out = millis ? "0000-00-00T00:00:00.000Z" : "0000-00-00T00:00:00Z";
  PutDigits(&out[0], c.year, 4);
  PutDigits(&out[5], c.month, 2);
  PutDigits(&out[8], c.day, 2);
  PutDigits(&out[11], secs / 3600, 2);
  PutDigits(&out[14], secs / 60 % 60, 2);
  PutDigits(&out[17], secs % 60, 2);
  if (millis) PutDigits(&out[20], milli, 3);
  return out;
}

}  // namespace

std::string Timestamp::ToString() const { return FormatTime(ms_, FloorDiv(ms_, 1000) * 1000 != ms_); }

std::string Timestamp::ToFixedString() const { return FormatTime(ms_, true); }

std::string Timestamp::DateString() const { return ToString().substr(0, 10); }

Result<CivilTime> ParseCivilTime(std::string_view text) {
  auto bad = [&] {  // the text as far as a person needs it: a hostile value can be megabytes
    const bool cut = text.size() > 40;
    return Status::InvalidArgument("not a UTC timestamp or date: '" + std::string(text.substr(0, 40)) +
                                   (cut ? "...'" : "'"));
  };
  int64_t y, mo, d, h = 0, mi = 0, s = 0;
  if (!ReadDigits(text, 0, 4, &y) || text.size() < 10 || text[4] != '-' || !ReadDigits(text, 5, 2, &mo) ||
      text[7] != '-' || !ReadDigits(text, 8, 2, &d)) {
    return bad();
  }
  CivilTime out;
  size_t pos = 10;
  if (text.size() > 10 && (text[10] == 'T' || text[10] == ' ')) {
    if (!ReadDigits(text, 11, 2, &h) || text.size() < 16 || text[13] != ':' || !ReadDigits(text, 14, 2, &mi)) {
      return bad();
    }
    out.has_time = true;
    pos = 16;
  }
  int64_t nanos = 0;
  if (out.has_time && pos < text.size() && text[pos] == ':') {
    if (!ReadDigits(text, pos + 1, 2, &s)) return bad();
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (out.fraction_digits < 9) nanos = nanos * 10 + (text[pos] - '0');
        ++out.fraction_digits;
        ++pos;
      }
      if (out.fraction_digits == 0) return bad();
      for (int i = out.fraction_digits; i < 9; ++i) nanos *= 10;
    }
  }
  if (!IsUtcSuffix(text.substr(pos))) return bad();
  if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, static_cast<unsigned>(mo)) || h > 23 || mi > 59 || s > 60) {
    return bad();
  }
  out.days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  out.nanos_of_day = ((h * 60 + mi) * 60 + s) * 1'000'000'000 + nanos;
  return out;
}

Result<Timestamp> Timestamp::Parse(std::string_view text) {
  MF_ASSIGN_OR_RETURN(const CivilTime t, ParseCivilTime(text));
  return FromMillis(t.days * 86'400'000 + t.nanos_of_day / 1'000'000);
}

}  // namespace meteoflow
