#include "store/observation_codec.h"

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace meteoflow {

namespace {

// `text` as a JSON string: quotes, backslashes and control characters escaped; the rest (valid
// UTF-8, which simdjson checked when the response was parsed) copied as is.
void AppendJsonString(std::string_view text, std::string* out) {
  out->push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out->append(escaped);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

}  // namespace

// Written by hand, not through a JSON library: this runs once per reading stored. Numbers are
// finite (parse.h refuses the rest); std::to_chars gives the shortest text that reads back as
// the same double.
std::string ObservationValuesText(const SourceObservation& o) {
  std::string out = "{";
  char number[32];
  for (const auto& [name, value] : o.values) {
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(name, &out);
    out.push_back(':');
    const auto written = std::to_chars(number, number + sizeof number, value);
    out.append(number, written.ptr);
  }
  return out + "}";
}

std::string ObservationLabelsText(const SourceObservation& o) {
  std::string out = "{";
  for (const auto& [name, value] : o.labels) {
    if (out.size() > 1) out.push_back(',');
    AppendJsonString(name, &out);
    out.push_back(':');
    AppendJsonString(value, &out);
  }
  return out + "}";
}

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
