#include "transform/index_horizon.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <string_view>

namespace meteoflow {
namespace {

bool ParseInt(std::string_view text, int64_t* out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Result<IndexHorizons> IndexHorizons::Parse(const std::map<std::string, std::string>& checkpoints,
                                           std::set<std::string> expected_sources, int64_t retention_ms,
                                           int64_t step_ms, int64_t initial) {
  IndexHorizons out(std::move(expected_sources), retention_ms, step_ms, initial);
  for (const auto& entry : checkpoints) {
    const std::string& name = entry.first;
    const std::string& value = entry.second;
    if (!name.starts_with(kCheckpointPrefix)) continue;
    const auto bad = [&] { return Status::Corruption("checkpoint " + name + ": unreadable '" + value + "'"); };
    State state;
    std::string_view rest = value;
    const size_t semicolon = rest.find(';');
    if (!ParseInt(rest.substr(0, semicolon), &state.horizon)) return bad();
    rest = semicolon == std::string_view::npos ? std::string_view() : rest.substr(semicolon + 1);
    while (!rest.empty()) {
      const size_t end = std::min(rest.find(';'), rest.size());
      const std::string_view entry = rest.substr(0, end);
      const size_t eq = entry.find('=');
      int64_t ms = 0;
      if (eq == std::string_view::npos || eq == 0 || !ParseInt(entry.substr(eq + 1), &ms)) return bad();
      state.newest[std::string(entry.substr(0, eq))] = ms;
      rest = end == rest.size() ? std::string_view() : rest.substr(end + 1);
    }
    out.states_[name.substr(std::string_view(kCheckpointPrefix).size())] = std::move(state);
  }
  return out;
}

IndexHorizons::State& IndexHorizons::At(const std::string& location) {
  auto [it, fresh] = states_.try_emplace(location);
  if (fresh) it->second.horizon = initial_;
  return it->second;
}

void IndexHorizons::Observe(const std::string& location, const std::string& source, int64_t fetched_ms) {
  State& s = At(location);
  auto [it, fresh] = s.newest.try_emplace(source, fetched_ms);
  if (!fresh) it->second = std::max(it->second, fetched_ms);
  int64_t slowest = INT64_MAX;
  for (const auto& name : expected_) {
    auto seen = s.newest.find(name);
    if (seen == s.newest.end()) return;  // a source not seen here yet may still bring old readings
    slowest = std::min(slowest, seen->second);
  }
  if (slowest < INT64_MIN + retention_ms_) return;
  const int64_t target = slowest - retention_ms_;
  if (target > s.horizon && (s.horizon == INT64_MIN || target - s.horizon >= step_ms_)) s.horizon = target;
}

int64_t IndexHorizons::horizon(const std::string& location) const {
  auto it = states_.find(location);
  return it == states_.end() ? initial_ : it->second.horizon;
}

std::map<std::string, std::string> IndexHorizons::Checkpoints(const std::set<std::string>& locations) const {
  std::map<std::string, std::string> out;
  for (const auto& location : locations) {
    auto it = states_.find(location);
    if (it == states_.end()) continue;
    std::string text = std::to_string(it->second.horizon);
    for (const auto& [source, ms] : it->second.newest) text += ";" + source + "=" + std::to_string(ms);
    out[kCheckpointPrefix + location] = text;
  }
  return out;
}

}  // namespace meteoflow
