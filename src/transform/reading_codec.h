// The text form of a reading in the pairing index (Store::PairingEntries): what pairing and
// reconciliation need of a SourceReading -- observation time, the weather_data fields, country,
// sunrise and sunset -- not the source's own extra values (those are in source_observations).
//
//   "1|<observed ms>|<sunrise ms>|<sunset ms>|<field 0>,<field 1>,...|<country>"
//
// Absent values are empty; numbers in their shortest exact form, so a decoded reading equals
// the encoded one field for field (pairing compares readings by value). Decode refuses anything
// else with Corruption naming what is wrong.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "transform/parse.h"

namespace meteoflow {

std::string EncodeReading(const SourceReading& reading);
Result<SourceReading> DecodeReading(std::string_view text);

}  // namespace meteoflow
