#include "collect/live_source.h"

#include <simdjson.h>

#include <cstdio>
#include <cstdlib>

#include "core/version.h"

namespace meteoflow {

LiveSourceOptions LiveOptionsFrom(const SourceConfig& source, const std::string& base_url) {
  LiveSourceOptions o;
  o.base_url = base_url;
  o.api_key_env = source.api_key_env;
  const char* key = source.api_key_env.empty() ? nullptr : std::getenv(source.api_key_env.c_str());
  if (key) o.api_key = key;
  o.http.connect_timeout_ms = source.connect_timeout_seconds * 1000;
  o.http.timeout_ms = source.timeout_seconds * 1000;
  o.http.user_agent = std::string("meteoflow/") + kVersion;
  o.retry.retries = source.retries;
  o.retry.base_delay_ms = source.retry_delay_ms;
  o.rate_limit_requests = source.rate_limit_requests;
  o.rate_limit_seconds = source.rate_limit_seconds;
  return o;
}

std::string CoordinateText(double degrees) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", degrees);
  return text;
}

std::string CoordinateParams(const std::vector<Location>& locations) {
  std::string latitudes, longitudes;
  for (const Location& l : locations) {
    latitudes += (latitudes.empty() ? "" : ",") + CoordinateText(l.latitude);
    longitudes += (longitudes.empty() ? "" : ",") + CoordinateText(l.longitude);
  }
  return QueryParam("latitude", latitudes) + "&" + QueryParam("longitude", longitudes);
}

std::string WhyNotCurrent(const Interval& interval, Timestamp now) {
  const int64_t length = interval.end.millis() - interval.start.millis();
  if (now < interval.start)
    return "the interval " + interval.ToString() + " has not begun (now " + now.ToString() + ")";
  if (now.millis() >= interval.end.millis() + std::max<int64_t>(length, 60'000)) {
    return "the interval " + interval.ToString() + " is in the past (now " + now.ToString() +
           "): a live source only collects the current weather";
  }
  return "";
}

Result<std::vector<std::string>> SplitJsonArray(const std::string& body) {
  size_t pos = body.find_first_not_of(" \t\r\n");
  if (pos == std::string::npos || body[pos] != '[') return Status::InvalidArgument("expected a JSON array");
  std::vector<std::string> out;
  int depth = 0;
  bool in_string = false;
  size_t start = std::string::npos;
  for (size_t i = pos + 1; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (start == std::string::npos && c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ']') start = i;
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    } else if ((c == ',' || c == ']') && depth == 0) {
      if (start != std::string::npos) {
        size_t end = i;
        while (end > start &&
               (body[end - 1] == ' ' || body[end - 1] == '\n' || body[end - 1] == '\r' || body[end - 1] == '\t')) {
          --end;
        }
        out.push_back(body.substr(start, end - start));
      }
      start = std::string::npos;
      if (c == ']') break;
    }
  }
  return out;
}

std::string ErrorMessage(const HttpResponse& response) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(response.body).get(doc) == simdjson::SUCCESS) {
    for (const char* key : {"reason", "message"}) {
      std::string_view text;
      if (doc[key].get(text) == simdjson::SUCCESS) return std::string(text);
    }
  }
  return response.body.substr(0, 120);
}

}  // namespace meteoflow
