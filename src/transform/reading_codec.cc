#include "transform/reading_codec.h"

#include <charconv>
#include <cmath>
#include <vector>

namespace meteoflow {
namespace {

void AppendNumber(double v, std::string* out) {
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out->append(buf, end);
}

void AppendTime(const std::optional<Timestamp>& t, std::string* out) {
  if (t) out->append(std::to_string(t->millis()));
}

// `text` split at each `sep`, at most `max` parts (the last keeps any further separators).
std::vector<std::string_view> Split(std::string_view text, char sep, size_t max) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max) {
    const size_t at = text.find(sep);
    if (at == std::string_view::npos) break;
    out.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  out.push_back(text);
  return out;
}

template <typename T>
bool ParseWhole(std::string_view text, T* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool ParseTime(std::string_view text, std::optional<Timestamp>* out) {
  if (text.empty()) return true;
  int64_t ms = 0;
  if (!ParseWhole(text, &ms)) return false;
  *out = Timestamp::FromMillis(ms);
  return true;
}

}  // namespace

std::string EncodeReading(const SourceReading& reading) {
  std::string out = "1|" + std::to_string(reading.observed_at.millis()) + "|";
  AppendTime(reading.sunrise, &out);
  out.push_back('|');
  AppendTime(reading.sunset, &out);
  out.push_back('|');
  for (size_t i = 0; i < reading.fields.size(); ++i) {
    if (i > 0) out.push_back(',');
    if (reading.fields[i]) AppendNumber(*reading.fields[i], &out);
  }
  out.push_back('|');
  out.append(reading.country);
  return out;
}

Result<SourceReading> DecodeReading(std::string_view text) {
  const auto bad = [&](const std::string& what) {
    return Status::Corruption("pairing index: " + what + " in reading '" + std::string(text.substr(0, 80)) + "'");
  };
  const auto parts = Split(text, '|', 6);
  if (parts.size() != 6 || parts[0] != "1") return bad("not a version-1 reading");
  SourceReading out;
  int64_t observed = 0;
  if (!ParseWhole(parts[1], &observed)) return bad("observation time");
  out.observed_at = Timestamp::FromMillis(observed);
  if (!ParseTime(parts[2], &out.sunrise) || !ParseTime(parts[3], &out.sunset)) return bad("sunrise or sunset");
  const auto fields = Split(parts[4], ',', kWeatherFieldCount + 1);
  if (fields.size() != kWeatherFieldCount) return bad("field count");
  for (size_t i = 0; i < kWeatherFieldCount; ++i) {
    if (fields[i].empty()) continue;
    double v = 0;
    if (!ParseWhole(fields[i], &v) || !std::isfinite(v)) return bad("field " + std::to_string(i));
    out.fields[i] = v;
  }
  out.country = std::string(parts[5]);
  return out;
}

}  // namespace meteoflow
