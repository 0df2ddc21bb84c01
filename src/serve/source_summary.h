// What the per-source and comparison views show, computed from each source's own readings
// (source_observations); the data API (serve/data_api.h) serves these as JSON.
//
// SummarizeSource: rows in range; per city the count and the mean of every field; histograms of
// temperature (1 degree bins) and humidity (5 % bins); counts per temperature and humidity band
// (below 0, 0-10, 10-20, 20-30, 30+ degC; below 30, 30-60, 60-80, 80+ %); and scatter samples
// of field pairs (temperature vs humidity; for Open-Meteo also apparent temperature vs
// pressure_msl), every k-th pair so at most kScatterPoints, with the total.
//
// CompareSources: per city, each source's latest temperature, humidity and pressure
// (OpenWeatherMap temp, humidity, grnd_level vs Open-Meteo temperature_2m,
// relative_humidity_2m, surface_pressure -- both pressures at the ground), and the mean
// absolute difference over readings paired by nearest time within kPairWindowMs.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/location.h"
#include "core/weather.h"

namespace meteoflow {

inline constexpr size_t kScatterPoints = 3000;
inline constexpr int64_t kComparePairWindowMs = int64_t{15} * 60 * 1000;  // Open-Meteo's 15-minute slot

// `by_city`: each location's readings of `source`, ordered by time.
nlohmann::ordered_json SummarizeSource(const std::string& source, const std::vector<Location>& locations,
                                       const std::map<std::string, std::vector<SourceObservation>>& by_city);

nlohmann::ordered_json CompareSources(const std::vector<Location>& locations,
                                      const std::map<std::string, std::vector<SourceObservation>>& owm,
                                      const std::map<std::string, std::vector<SourceObservation>>& om);

}  // namespace meteoflow
