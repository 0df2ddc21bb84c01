// The text form both stores keep a SourceObservation's `values` and `labels` in: one JSON object
// each ({"temp":15.2,...}, {"weather_main":"Clouds",...}), so a source may add fields without a
// schema change.
//
// Decoding refuses anything but an object of numbers (values) or of strings (labels), with a
// Corruption naming source_observations. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "core/weather.h"

namespace meteoflow {

std::string ObservationValuesText(const SourceObservation& o);
std::string ObservationLabelsText(const SourceObservation& o);
Status DecodeObservationMaps(std::string_view values, std::string_view labels, SourceObservation* out);

}  // namespace meteoflow
