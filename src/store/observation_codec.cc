#include "store/observation_codec.h"

#include <nlohmann/json.hpp>

namespace meteoflow {

std::string ObservationValuesText(const SourceObservation& o) { return nlohmann::json(o.values).dump(); }
std::string ObservationLabelsText(const SourceObservation& o) { return nlohmann::json(o.labels).dump(); }

Status DecodeObservationMaps(std::string_view values, std::string_view labels, SourceObservation* out) {
  const auto corrupt = [&](const std::string& what) {
    return Status::Corruption("source_observations: " + what + " of " + out->source + "/" + out->city_name + " at " +
                              out->time.ToString() + " is not a JSON object of the expected kind");
  };
  const auto v = nlohmann::json::parse(values, nullptr, false);
  if (!v.is_object()) return corrupt("readings");
  for (const auto& [name, value] : v.items()) {
    if (!value.is_number()) return corrupt("readings");
    out->values[name] = value.get<double>();
  }
  const auto l = nlohmann::json::parse(labels, nullptr, false);
  if (!l.is_object()) return corrupt("labels");
  for (const auto& [name, value] : l.items()) {
    if (!value.is_string()) return corrupt("labels");
    out->labels[name] = value.get<std::string>();
  }
  return Status::OK();
}

}  // namespace meteoflow
