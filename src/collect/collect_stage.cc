#include "collect/collect_stage.h"

#include <algorithm>
#include <cstdlib>

namespace meteoflow {
namespace {

std::string Prefix(const std::string& source) { return "collect/" + source + "/"; }

std::string CheckpointName(const std::string& prefix, const Interval& interval) {
  return prefix + std::to_string(interval.start.millis()) + "/" + std::to_string(interval.end.millis());
}

// Intervals recorded as collected for one source, parsed from checkpoint names.
std::vector<Interval> ParseCollected(const std::map<std::string, std::string>& checkpoints, const std::string& prefix) {
  std::vector<Interval> out;
  for (const auto& [name, value] : checkpoints) {
    const std::string rest = name.substr(prefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string::npos) continue;
    try {
      out.push_back({Timestamp::FromMillis(std::stoll(rest.substr(0, slash))),
                     Timestamp::FromMillis(std::stoll(rest.substr(slash + 1)))});
    } catch (const std::exception&) {
      continue;  // not one of ours
    }
  }
  return out;
}

// Adds one source's counts and notes to `stats`.
void Account(const std::string& source, const Collected& collected, CollectStats* stats) {
  if (collected.requests > 0 || !collected.failed.empty()) {  // a live source
    stats->requests[source] += collected.requests;
    stats->retries[source] += collected.retries;
    stats->failed[source] += static_cast<int64_t>(collected.failed.size());
  }
  if (!collected.skipped.empty()) stats->notes.push_back(source + ": skipped: " + collected.skipped);
  for (const auto& [location, why] : collected.failed) stats->notes.push_back(source + ": " + location + ": " + why);
}

}  // namespace

Status CollectStage::AddToTotals(const CollectStats& stats, std::map<std::string, std::string>& out) {
  MF_ASSIGN_OR_RETURN(const auto totals, store_.ListCheckpoints(kTotalsPrefix));
  auto add = [&](const std::string& counter, const std::map<std::string, int64_t>& by_source) {
    for (const auto& [source, n] : by_source) {
      const std::string name = std::string(kTotalsPrefix) + counter + "/" + source;
      int64_t total = n;
      if (auto it = totals.find(name); it != totals.end()) total += std::strtoll(it->second.c_str(), nullptr, 10);
      out[name] = std::to_string(total);
    }
  };
  add("failed_locations", stats.failed);
  add("requests", stats.requests);
  add("retries", stats.retries);
  return Status::OK();
}

Result<CollectStats> CollectStage::Run(const Interval& interval, const std::function<void(int64_t)>& on_slice) {
  CollectStats stats;
  std::map<std::string, std::string> done;
  bool got_any = false;
  std::string first_failure;
  int64_t total_published = 0;
  for (auto& binding : sources_) {
    const std::string& source = binding.source->name();
    const std::string prefix = Prefix(source);
    MF_ASSIGN_OR_RETURN(auto checkpoints, store_.ListCheckpoints(prefix));
    const std::vector<Interval> done_before = ParseCollected(checkpoints, prefix);
    int64_t& published = stats.published[binding.topic];
    const int64_t slice_ms = binding.source->slice_ms();
    Timestamp from = interval.start;
    do {
      const Timestamp to = slice_ms > 0 ? std::min(interval.end, from.PlusMillis(slice_ms)) : interval.end;
      auto collected = binding.source->Collect({from, to}, locations_);
      if (!collected.ok()) return collected.status().WithContext("collect " + source);
      Account(source, *collected, &stats);
      if (!collected->failed.empty() && first_failure.empty()) first_failure = collected->failed.begin()->second;
      got_any = got_any || !collected->responses.empty();
      int64_t in_slice = 0;
      for (const auto& r : collected->responses) {
        bool seen = false;
        for (const auto& c : done_before) seen = seen || c.Contains(r.fetched_at);
        if (seen) {
          ++stats.already_collected;
          continue;
        }
        MF_RETURN_IF_ERROR(log_.Publish(binding.topic, r.location_id, r.body, r.fetched_at));
        ++in_slice;
      }
      published += in_slice;
      total_published += in_slice;
      if (on_slice) on_slice(total_published);
      if (to < interval.end) {  // one slice of a long interval: durable before the next is read
        MF_RETURN_IF_ERROR(log_.Flush());
        MF_RETURN_IF_ERROR(store_.PutCheckpoints({{CheckpointName(prefix, {from, to}), std::to_string(in_slice)}}));
      }
      from = to;
    } while (from < interval.end);
    done[CheckpointName(prefix, interval)] = std::to_string(published);
  }
  MF_RETURN_IF_ERROR(log_.Flush());
  MF_RETURN_IF_ERROR(AddToTotals(stats, done));
  if (!got_any && !first_failure.empty()) {
    // Nothing collected anywhere: the task fails and the interval stays uncollected, so a retry
    // asks again; the totals still count the failures.
    std::map<std::string, std::string> totals;
    for (const auto& [name, value] : done) {
      if (name.starts_with(kTotalsPrefix)) totals[name] = value;
    }
    MF_RETURN_IF_ERROR(store_.PutCheckpoints(totals));
    return Status::Unavailable("collect: every location failed (" + first_failure + ")");
  }
  MF_RETURN_IF_ERROR(store_.PutCheckpoints(done));
  return stats;
}

}  // namespace meteoflow
