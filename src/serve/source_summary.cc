#include "serve/source_summary.h"

#include <cmath>
#include <cstdlib>
#include <optional>

namespace meteoflow {
namespace {

using json = nlohmann::ordered_json;

struct SourceFields {
  const char* temperature;
  const char* humidity;
  std::vector<std::pair<const char*, const char*>> scatter;
};

SourceFields FieldsOf(const std::string& source) {
  if (source == "openmeteo") {
    return {"temperature_2m",
            "relative_humidity_2m",
            {{"temperature_2m", "relative_humidity_2m"}, {"apparent_temperature", "pressure_msl"}}};
  }
  return {"temp", "humidity", {{"temp", "humidity"}}};
}

struct Band {
  const char* label;
  double below;  // upper bound, exclusive
};
const Band kTemperatureBands[] = {
    {"below 0 °C", 0}, {"0–10 °C", 10}, {"10–20 °C", 20}, {"20–30 °C", 30}, {"30 °C and above", INFINITY}};
const Band kHumidityBands[] = {{"below 30 %", 30}, {"30–60 %", 60}, {"60–80 %", 80}, {"80 % and above", INFINITY}};

std::optional<double> ValueOf(const SourceObservation& o, const char* field) {
  auto it = o.values.find(field);
  return it == o.values.end() ? std::nullopt : std::optional<double>(it->second);
}

template <size_t N>
json BandCounts(const Band (&bands)[N], const std::vector<double>& values) {
  std::vector<int64_t> counts(N, 0);
  for (double v : values) {
    size_t b = 0;
    while (b + 1 < N && v >= bands[b].below) ++b;
    ++counts[b];
  }
  json out = json::array();
  for (size_t b = 0; b < N; ++b) out.push_back({{"band", bands[b].label}, {"count", counts[b]}});
  return out;
}

json Histogram(const std::vector<double>& values, double width) {
  std::map<int64_t, int64_t> bins;
  for (double v : values) ++bins[static_cast<int64_t>(std::floor(v / width))];
  json out = {{"width", width}, {"bins", json::array()}};
  for (const auto& [index, count] : bins) out["bins"].push_back({static_cast<double>(index) * width, count});
  return out;
}

json Scatter(const char* x, const char* y, const std::map<std::string, std::vector<SourceObservation>>& by_city) {
  std::vector<std::tuple<double, double, const std::string*>> points;
  for (const auto& [city, rows] : by_city) {
    for (const auto& o : rows) {
      auto vx = ValueOf(o, x), vy = ValueOf(o, y);
      if (vx && vy) points.emplace_back(*vx, *vy, &city);
    }
  }
  const size_t stride = points.size() / kScatterPoints + 1;
  json list = json::array();
  for (size_t i = 0; i < points.size(); i += stride) {
    list.push_back({std::get<0>(points[i]), std::get<1>(points[i]), *std::get<2>(points[i])});
  }
  return {{"x", x}, {"y", y}, {"total", points.size()}, {"points", std::move(list)}};
}

json CityMeans(const std::string& city, const std::vector<SourceObservation>& rows) {
  std::map<std::string, std::pair<double, int64_t>> sums;
  for (const auto& o : rows) {
    for (const auto& [field, v] : o.values) {
      sums[field].first += v;
      ++sums[field].second;
    }
  }
  json mean = json::object();
  for (const auto& [field, sum] : sums) mean[field] = sum.first / static_cast<double>(sum.second);
  return {{"city_name", city}, {"count", rows.size()}, {"mean", std::move(mean)}};
}

json Latest(const std::vector<SourceObservation>& rows, std::initializer_list<const char*> fields) {
  if (rows.empty()) return nullptr;
  const SourceObservation& o = rows.back();
  json out = {{"time", o.time.ToString()}};
  for (const char* f : fields) {
    auto v = ValueOf(o, f);
    out[f] = v ? json(*v) : json(nullptr);
  }
  return out;
}

// Mean |owm_field - om_field| over readings paired by nearest time within the window.
json PairedDifferences(const std::vector<SourceObservation>& owm, const std::vector<SourceObservation>& om,
                       int64_t* pairs) {
  const std::pair<const char*, const char*> kPairs[] = {
      {"temp", "temperature_2m"}, {"humidity", "relative_humidity_2m"}, {"grnd_level", "surface_pressure"}};
  const char* const kNames[] = {"temperature", "humidity", "pressure"};
  double sum[3] = {0, 0, 0};
  int64_t n[3] = {0, 0, 0};
  size_t j = 0;
  for (const auto& a : owm) {
    while (j + 1 < om.size() &&
           std::llabs(om[j + 1].time.millis() - a.time.millis()) <= std::llabs(om[j].time.millis() - a.time.millis())) {
      ++j;
    }
    if (om.empty() || std::llabs(om[j].time.millis() - a.time.millis()) > kComparePairWindowMs) continue;
    ++*pairs;
    for (size_t k = 0; k < 3; ++k) {
      auto x = ValueOf(a, kPairs[k].first), y = ValueOf(om[j], kPairs[k].second);
      if (!x || !y) continue;
      sum[k] += std::fabs(*x - *y);
      ++n[k];
    }
  }
  json out = json::object();
  for (size_t k = 0; k < 3; ++k) out[kNames[k]] = n[k] ? json(sum[k] / static_cast<double>(n[k])) : json(nullptr);
  return out;
}

}  // namespace

json SummarizeSource(const std::string& source, const std::vector<Location>& locations,
                     const std::map<std::string, std::vector<SourceObservation>>& by_city) {
  const SourceFields fields = FieldsOf(source);
  std::vector<double> temperatures, humidities;
  json cities = json::array();
  size_t rows = 0;
  for (const Location& l : locations) {
    auto it = by_city.find(l.name);
    static const std::vector<SourceObservation> kNone;
    const auto& readings = it == by_city.end() ? kNone : it->second;
    rows += readings.size();
    cities.push_back(CityMeans(l.name, readings));
    for (const auto& o : readings) {
      if (auto t = ValueOf(o, fields.temperature)) temperatures.push_back(*t);
      if (auto h = ValueOf(o, fields.humidity)) humidities.push_back(*h);
    }
  }
  json scatter = json::array();
  for (const auto& [x, y] : fields.scatter) scatter.push_back(Scatter(x, y, by_city));
  return {
      {"source", source},
      {"rows", rows},
      {"cities", std::move(cities)},
      {"histograms", {{fields.temperature, Histogram(temperatures, 1)}, {fields.humidity, Histogram(humidities, 5)}}},
      {"bands",
       {{fields.temperature, BandCounts(kTemperatureBands, temperatures)},
        {fields.humidity, BandCounts(kHumidityBands, humidities)}}},
      {"scatter", std::move(scatter)}};
}

json CompareSources(const std::vector<Location>& locations,
                    const std::map<std::string, std::vector<SourceObservation>>& owm,
                    const std::map<std::string, std::vector<SourceObservation>>& om) {
  static const std::vector<SourceObservation> kNone;
  json cities = json::array();
  for (const Location& l : locations) {
    auto a = owm.find(l.name);
    auto b = om.find(l.name);
    const auto& owm_rows = a == owm.end() ? kNone : a->second;
    const auto& om_rows = b == om.end() ? kNone : b->second;
    int64_t pairs = 0;
    json mad = PairedDifferences(owm_rows, om_rows, &pairs);
    cities.push_back({{"city_name", l.name},
                      {"pairs", pairs},
                      {"mean_abs_difference", std::move(mad)},
                      {"openweathermap", Latest(owm_rows, {"temp", "humidity", "grnd_level"})},
                      {"openmeteo", Latest(om_rows, {"temperature_2m", "relative_humidity_2m", "surface_pressure"})}});
  }
  return {{"cities", std::move(cities)}};
}

}  // namespace meteoflow
