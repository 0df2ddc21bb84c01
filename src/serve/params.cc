#include "serve/params.h"

#include <httplib.h>

#include <algorithm>
#include <charconv>

namespace meteoflow {
namespace {

constexpr int64_t kDayMs = 86'400'000;
const Timestamp kOpenStart = Timestamp::FromMillis(INT64_MIN / 4);
const Timestamp kOpenEnd = Timestamp::FromMillis(INT64_MAX / 4);

// Parameter text shown in an error: at most 40 bytes, so a hostile value cannot flood the reply.
std::string Shown(const std::string& text) { return text.size() > 40 ? text.substr(0, 40) + "..." : text; }

}  // namespace

Result<TimeRange> RangeParam(const httplib::Request& req) {
  TimeRange range{kOpenStart, kOpenEnd};
  for (auto [name, target] : {std::pair{"from", &range.from}, std::pair{"to", &range.to}}) {
    if (!req.has_param(name)) continue;
    auto t = Timestamp::Parse(req.get_param_value(name));
    if (!t.ok()) return Status::InvalidArgument(std::string(name) + ": " + t.status().message());
    *target = *t;
  }
  if (!(range.from < range.to)) return Status::InvalidArgument("to: must be after from");
  const bool bounded = req.has_param("from") && req.has_param("to");
  if (bounded && range.to.millis() - range.from.millis() > kMaxRangeDays * kDayMs) {
    return Status::InvalidArgument("range: from and to are more than " + std::to_string(kMaxRangeDays) + " days apart");
  }
  return range;
}

Result<int> IntParam(const httplib::Request& req, const char* name, int fallback, int min, int max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Status::InvalidArgument(std::string(name) + ": '" + Shown(text) + "' is not an integer in " +
                                   std::to_string(min) + ".." + std::to_string(max));
  }
  return value;
}

Result<std::optional<Location>> CityParam(const httplib::Request& req, const std::vector<Location>& locations,
                                          bool required) {
  if (!req.has_param("city") || req.get_param_value("city").empty()) {
    if (required) return Status::InvalidArgument("city: required parameter is missing");
    return std::optional<Location>();
  }
  const std::string city = req.get_param_value("city");
  for (const Location& l : locations) {
    if (l.name == city || l.id == city) return std::optional<Location>(l);
  }
  return Status::InvalidArgument("city: '" + Shown(city) + "' is not a configured location");
}

Result<std::string> SourceName(const std::string& text) {
  if (text == "openweathermap" || text == "openmeteo") return text;
  return Status::InvalidArgument("source: '" + Shown(text) + "' is not openweathermap or openmeteo");
}

Result<std::vector<std::string>> FieldsParam(const httplib::Request& req) {
  const std::string text = req.has_param("fields") ? req.get_param_value("fields") : "";
  if (text.empty()) return Status::InvalidArgument("fields: required parameter is missing");
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const bool valid = !name.empty() && name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!valid) return Status::InvalidArgument("fields: '" + Shown(name) + "' is not a field name");
    out.push_back(std::move(name));
    if (out.size() > 24) return Status::InvalidArgument("fields: at most 24 names");
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace meteoflow
