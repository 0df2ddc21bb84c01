// The version of meteoflow, set once in the top-level CMakeLists.txt (project VERSION) and
// compiled in as MF_VERSION: the CLI's --version, /api/health, the Parquet files' created_by and
// the CQL client's STARTUP all read it here.
#pragma once

namespace meteoflow {

inline constexpr const char* kVersion = MF_VERSION;

}  // namespace meteoflow
