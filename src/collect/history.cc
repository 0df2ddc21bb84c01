#include "collect/history.h"

#include <simdjson.h>

#include <cstdio>
#include <set>

#include "core/crc32.h"

namespace meteoflow {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kHourMs = 3'600'000;

// Archive variable -> the weather_data columns it fills.
const std::vector<std::pair<std::string, std::vector<WeatherField>>>& ColumnsOf() {
  static const std::vector<std::pair<std::string, std::vector<WeatherField>>> kColumns = {
      {"temperature_2m", {WeatherField::kTemperature2m, WeatherField::kTemp}},
      {"relative_humidity_2m", {WeatherField::kRelativeHumidity2m, WeatherField::kHumidity}},
      {"apparent_temperature", {WeatherField::kApparentTemperature, WeatherField::kTemperatureFeelsLike}},
      {"pressure_msl", {WeatherField::kPressureMsl, WeatherField::kPressure, WeatherField::kSeaLevel}},
      {"surface_pressure", {WeatherField::kSurfacePressure}},
      {"precipitation", {WeatherField::kPrecipitation}},
      {"rain", {WeatherField::kRain}},
      {"snowfall", {WeatherField::kSnowfall}},
      {"cloud_cover", {WeatherField::kCloudsAll}},
      {"wind_speed_10m", {WeatherField::kWindSpeed}},
      {"wind_direction_10m", {WeatherField::kWindDeg}},
  };
  return kColumns;
}

// A short name for the set of locations, so that a checkpoint speaks for this set only.
std::string SetKey(const std::vector<Location>& locations) {
  std::string ids;
  for (const Location& l : locations)
    ids += l.id + "," + CoordinateText(l.latitude) + "," + CoordinateText(l.longitude) + ";";
  char text[16];
  std::snprintf(text, sizeof text, "%08x", Crc32(ids.data(), ids.size()));
  return text;
}

Status CheckRequest(const HistoryRequest& r, Timestamp* first, Timestamp* last) {
  for (auto [text, out] : {std::pair{&r.first_day, first}, std::pair{&r.last_day, last}}) {
    auto day = ParseCivilTime(*text);
    if (!day.ok() || day->has_time)
      return Status::InvalidArgument("history: '" + *text + "' is not a date (YYYY-MM-DD)");
    *out = Timestamp::FromMillis(day->days * kDayMs);
  }
  if (*last < *first)
    return Status::InvalidArgument("history: --to " + r.last_day + " is before --from " + r.first_day);
  if (r.chunk_days < 1) return Status::InvalidArgument("history: chunk days must be >= 1");
  if (r.variables.empty()) return Status::InvalidArgument("history: no variables");
  for (const std::string& v : r.variables) {
    if (v.empty() || v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
      return Status::InvalidArgument("history: '" + v + "' is not a variable name");
    }
  }
  return Status::OK();
}

// The rows of one location's element of an archive answer.
Status RowsOf(simdjson::dom::element element, const Location& location, std::vector<WeatherRow>* out) {
  simdjson::dom::object hourly;
  simdjson::dom::array times;
  if (element["hourly"].get(hourly) != simdjson::SUCCESS || hourly["time"].get(times) != simdjson::SUCCESS) {
    return Status::InvalidArgument("history: the answer for " + location.id + " has no hourly times");
  }
  const size_t first_row = out->size();
  for (simdjson::dom::element t : times) {
    std::string_view text;
    if (t.get(text) != simdjson::SUCCESS) return Status::InvalidArgument("history: an hourly time is not text");
    MF_ASSIGN_OR_RETURN(const Timestamp time, Timestamp::Parse(text));
    WeatherRow row;
    row.city_name = location.name;
    row.location_id = location.id;
    row.time = time;
    row.sources = "openmeteo-archive";
    row.at(WeatherField::kLatitude) = location.latitude;
    row.at(WeatherField::kLongitude) = location.longitude;
    out->push_back(std::move(row));
  }
  for (const auto& [variable, columns] : ColumnsOf()) {
    simdjson::dom::array values;
    if (hourly[variable].get(values) != simdjson::SUCCESS) continue;
    size_t i = first_row;
    for (simdjson::dom::element v : values) {
      if (i >= out->size()) break;
      double number = 0;
      if (v.get(number) == simdjson::SUCCESS && std::isfinite(number)) {
        for (WeatherField f : columns) (*out)[i].at(f) = number;
      }
      ++i;
    }
  }
  return Status::OK();
}

}  // namespace

const char* const HistoryLoader::kDefaultVariables =
    "temperature_2m,relative_humidity_2m,apparent_temperature,pressure_msl,surface_pressure,precipitation,rain,"
    "snowfall,cloud_cover,wind_speed_10m,wind_direction_10m";

Result<std::unique_ptr<HistoryLoader>> HistoryLoader::Create(LiveSourceOptions archive, Clock& clock) {
  MF_ASSIGN_OR_RETURN(auto http, HttpClient::Create(archive.http));
  return std::unique_ptr<HistoryLoader>(new HistoryLoader(std::move(archive), clock, std::move(http)));
}

Result<std::vector<WeatherRow>> HistoryLoader::Fetch(const std::vector<Location>& batch, const std::string& first,
                                                     const std::string& last,
                                                     const std::vector<std::string>& variables) {
  std::string hourly;
  for (const std::string& v : variables) hourly += (hourly.empty() ? "" : ",") + v;
  std::string url = options_.base_url + "/v1/archive?" + CoordinateParams(batch) + "&start_date=" + first +
                    "&end_date=" + last + "&" + QueryParam("hourly", hourly) + "&timezone=GMT&wind_speed_unit=ms";
  if (!options_.api_key.empty()) url += "&" + QueryParam("apikey", options_.api_key);
  MF_ASSIGN_OR_RETURN(const HttpResponse answer, FetchJson(*http_, url, options_.retry, clock_, rng_, nullptr));
  if (answer.status != 200) {
    const std::string why = "history: HTTP " + std::to_string(answer.status) + ": " + ErrorMessage(answer);
    return answer.status == 400 ? Status::InvalidArgument(why) : Status::Unavailable(why);
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(answer.body).get(doc) != simdjson::SUCCESS) return Status::Unavailable("history: not JSON");
  std::vector<WeatherRow> rows;
  if (batch.size() == 1) {
    MF_RETURN_IF_ERROR(RowsOf(doc, batch[0], &rows));
    return rows;
  }
  simdjson::dom::array elements;
  if (doc.get(elements) != simdjson::SUCCESS || elements.size() != batch.size()) {
    return Status::InvalidArgument("history: expected an array of " + std::to_string(batch.size()) + " locations");
  }
  size_t i = 0;
  for (simdjson::dom::element element : elements) MF_RETURN_IF_ERROR(RowsOf(element, batch[i++], &rows));
  return rows;
}

Result<HistoryProgress> HistoryLoader::Run(const HistoryRequest& request, const std::vector<Location>& locations,
                                           Store& store, const std::function<void(const HistoryProgress&)>& on_chunk) {
  Timestamp first, last;
  MF_RETURN_IF_ERROR(CheckRequest(request, &first, &last));
  const std::string prefix = "history/" + SetKey(locations) + "/";
  MF_ASSIGN_OR_RETURN(const auto done, store.ListCheckpoints(prefix));
  HistoryProgress progress;
  const int64_t chunk_ms = int64_t{request.chunk_days} * kDayMs;
  progress.chunks_total = static_cast<int>((last.millis() - first.millis()) / chunk_ms + 1);
  for (Timestamp start = first; start <= last; start = start.PlusMillis(chunk_ms)) {
    const Timestamp end = std::min(last, start.PlusMillis(chunk_ms - kDayMs));
    const std::string name = prefix + start.DateString() + "/" + end.DateString();
    if (done.count(name)) {
      ++progress.chunks_skipped;
    } else {
      std::vector<WeatherRow> fresh;
      for (size_t b = 0; b < locations.size(); b += kMaxLocationsPerRequest) {
        const std::vector<Location> batch(
            locations.begin() + static_cast<std::ptrdiff_t>(b),
            locations.begin() + static_cast<std::ptrdiff_t>(std::min(locations.size(), b + kMaxLocationsPerRequest)));
        MF_ASSIGN_OR_RETURN(std::vector<WeatherRow> rows,
                            Fetch(batch, start.DateString(), end.DateString(), request.variables));
        for (const Location& l : batch) {  // never overwrite an hour that has a row
          MF_ASSIGN_OR_RETURN(const auto existing, store.QueryWeather(l.name, start, end.PlusMillis(kDayMs)));
          std::set<int64_t> taken;
          for (const WeatherRow& r : existing) taken.insert(r.time.millis());
          for (WeatherRow& r : rows) {
            if (r.location_id != l.id) continue;
            if (taken.count(r.time.millis()) || r.time.millis() % kHourMs != 0) {
              ++progress.rows_existing;
            } else {
              fresh.push_back(std::move(r));
            }
          }
        }
      }
      MF_RETURN_IF_ERROR(store.UpsertWeather(fresh));
      MF_RETURN_IF_ERROR(store.PutCheckpoints({{name, std::to_string(fresh.size())}}));
      progress.rows_stored += static_cast<int64_t>(fresh.size());
    }
    ++progress.chunks_done;
    if (on_chunk) on_chunk(progress);
  }
  return progress;
}

}  // namespace meteoflow
