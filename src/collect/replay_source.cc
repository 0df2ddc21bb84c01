#include "collect/replay_source.h"

#include <simdjson.h>

#include <algorithm>
#include <set>

#include "core/file_util.h"

namespace meteoflow {
namespace {

// The exact bytes of the "response" object of a recording line (already validated as JSON).
Result<std::string> RawResponseText(std::string_view line) {
  simdjson::ondemand::parser parser;
  const simdjson::padded_string padded(line);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object envelope, response;
  std::string_view raw;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(envelope) ||
      envelope.find_field_unordered("response").get_object().get(response) || response.raw_json().get(raw)) {
    return Status::InvalidArgument("cannot extract the response object");
  }
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
    raw.remove_suffix(1);
  }
  return std::string(raw);
}

}  // namespace

Result<std::unique_ptr<ReplaySource>> ReplaySource::Load(const std::string& name, const std::string& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) return text.status().WithContext("replay source '" + name + "'");
  return Parse(name, *text, path);
}

Result<std::unique_ptr<ReplaySource>> ReplaySource::Parse(const std::string& name, const std::string& text,
                                                          const std::string& origin) {
  simdjson::dom::parser parser;
  std::vector<RawResponse> out;
  size_t line_no = 0, pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = origin + ":" + std::to_string(line_no) + ": ";
    simdjson::dom::element doc;
    if (auto err = parser.parse(line.data(), line.size()).get(doc)) {
      return Status::InvalidArgument(where + "not JSON (" + simdjson::error_message(err) + ")");
    }
    std::string_view location, fetched;
    simdjson::dom::element response;
    if (doc["location_id"].get(location) || location.empty())
      return Status::InvalidArgument(where + "missing string location_id");
    if (doc["fetched_at"].get(fetched)) return Status::InvalidArgument(where + "missing string fetched_at");
    if (doc["response"].get(response) || !response.is_object())
      return Status::InvalidArgument(where + "missing object response");
    auto when = Timestamp::Parse(fetched);
    if (!when.ok()) return Status::InvalidArgument(where + when.status().message());
    auto body = RawResponseText(line);
    if (!body.ok()) return Status::InvalidArgument(where + body.status().message());
    out.push_back({std::string(location), *when, std::move(body).value()});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const RawResponse& a, const RawResponse& b) { return a.fetched_at < b.fetched_at; });
  return std::unique_ptr<ReplaySource>(new ReplaySource(name, std::move(out)));
}

Result<Collected> ReplaySource::Collect(const Interval& interval, const std::vector<Location>& locations) {
  std::set<std::string> wanted;
  for (const auto& l : locations) wanted.insert(l.id);
  Collected collected;
  std::vector<RawResponse>& out = collected.responses;
  auto first = std::lower_bound(responses_.begin(), responses_.end(), interval.start,
                                [](const RawResponse& r, Timestamp t) { return r.fetched_at < t; });
  for (auto it = first; it != responses_.end() && it->fetched_at < interval.end; ++it) {
    if (wanted.count(it->location_id)) out.push_back(*it);
  }
  return collected;
}

std::vector<Timestamp> ReplaySource::fetch_times() const {
  std::vector<Timestamp> out;
  for (const auto& r : responses_) {
    if (out.empty() || out.back() < r.fetched_at) out.push_back(r.fetched_at);
  }
  return out;
}

std::optional<Interval> ReplaySource::span() const {
  if (responses_.empty()) return std::nullopt;
  return Interval{responses_.front().fetched_at, responses_.back().fetched_at.PlusMillis(1)};
}

}  // namespace meteoflow
