#include "collect/collect_stage.h"

namespace meteoflow {
namespace {

std::string Prefix(const std::string& source) { return "collect/" + source + "/"; }

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

}  // namespace

Result<CollectStats> CollectStage::Run(const Interval& interval) {
  CollectStats stats;
  std::map<std::string, std::string> done;
  for (auto& binding : sources_) {
    const std::string prefix = Prefix(binding.source->name());
    MF_ASSIGN_OR_RETURN(auto checkpoints, store_.ListCheckpoints(prefix));
    const std::vector<Interval> collected = ParseCollected(checkpoints, prefix);
    auto responses = binding.source->Collect(interval, locations_);
    if (!responses.ok()) return responses.status().WithContext("collect " + binding.source->name());
    int64_t& published = stats.published[binding.topic];
    for (const auto& r : *responses) {
      bool seen = false;
      for (const auto& c : collected) seen = seen || c.Contains(r.fetched_at);
      if (seen) {
        ++stats.already_collected;
        continue;
      }
      MF_RETURN_IF_ERROR(log_.Publish(binding.topic, r.location_id, r.body, r.fetched_at));
      ++published;
    }
    done[prefix + std::to_string(interval.start.millis()) + "/" + std::to_string(interval.end.millis())] =
        std::to_string(published);
  }
  MF_RETURN_IF_ERROR(log_.Flush());
  MF_RETURN_IF_ERROR(store_.PutCheckpoints(done));
  return stats;
}

}  // namespace meteoflow
