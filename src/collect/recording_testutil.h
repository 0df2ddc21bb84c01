// Test helpers for the collect tests: a fresh temporary folder and a synthetic recording.
// Thread-safety: plain functions for single-threaded tests.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

#include "core/time.h"

namespace meteoflow::testing {

// An empty folder "<tmp>/<name>_<pid>", created anew.
inline std::filesystem::path FreshDir(const std::string& name) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// A recording of `hours` hours from 2024-12-03T00:00Z, one response for "rabat" and one for
// "fes" every 10 minutes, in fetch-time order; response k of a tick is {"k": <tick number>}.
inline std::string Recording(int hours) {
  std::string text;
  for (int k = 0; k < hours * 6; ++k) {
    for (const char* id : {"rabat", "fes"}) {
      text += std::string("{\"location_id\": \"") + id + "\", \"fetched_at\": \"" +
              Timestamp::FromSeconds(int64_t{1733184000} + int64_t{k} * 600).ToString() +
              "\", \"response\": {\"k\": " + std::to_string(k) + "}}\n";
    }
  }
  return text;
}

}  // namespace meteoflow::testing
