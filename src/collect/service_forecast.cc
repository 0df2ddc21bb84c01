#include "collect/service_forecast.h"

#include <simdjson.h>

#include <cmath>

namespace meteoflow {
namespace {

constexpr int64_t kHourMs = 3'600'000;

// Open-Meteo's hourly variable -> the forecast variables it stands for.
const std::vector<std::pair<std::string, std::vector<std::string>>>& VariablesOf() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kVariables = {
      {"temperature_2m", {"temp"}},
      {"relative_humidity_2m", {"humidity"}},
      {"pressure_msl", {"pressure", "sea_level"}},
      {"wind_speed_10m", {"wind_speed"}},
      {"visibility", {"visibility"}},
  };
  return kVariables;
}

}  // namespace

const char* const ServiceForecastFetcher::kHourlyVariables =
    "temperature_2m,relative_humidity_2m,pressure_msl,wind_speed_10m,visibility";

Result<std::unique_ptr<ServiceForecastFetcher>> ServiceForecastFetcher::Create(LiveSourceOptions options, Clock& clock,
                                                                               int forecast_days, int keep_days) {
  if (forecast_days < 1 || forecast_days > 16) {
    return Status::InvalidArgument("service forecast: forecast_days must be in [1, 16] (Open-Meteo's range)");
  }
  if (keep_days < 1) return Status::InvalidArgument("service forecast: keep_days must be >= 1");
  MF_ASSIGN_OR_RETURN(auto http, HttpClient::Create(options.http));
  return std::unique_ptr<ServiceForecastFetcher>(
      new ServiceForecastFetcher(std::move(options), clock, forecast_days, keep_days, std::move(http)));
}

Status ServiceForecastFetcher::RowsOf(std::string_view element_json, const Location& location, Timestamp issued_at,
                                      std::vector<ServiceForecast>* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element element;
  simdjson::dom::object hourly;
  simdjson::dom::array times;
  if (parser.parse(element_json.data(), element_json.size()).get(element) != simdjson::SUCCESS) {
    return Status::InvalidArgument("service forecast: the answer for " + location.id + " is not JSON");
  }
  if (element["hourly"].get(hourly) != simdjson::SUCCESS || hourly["time"].get(times) != simdjson::SUCCESS) {
    return Status::InvalidArgument("service forecast: the answer for " + location.id + " has no hourly times");
  }
  std::vector<Timestamp> targets;
  for (simdjson::dom::element t : times) {
    std::string_view text;
    if (t.get(text) != simdjson::SUCCESS) {
      return Status::InvalidArgument("service forecast: an hourly time for " + location.id + " is not text");
    }
    auto time = Timestamp::Parse(text);
    if (!time.ok()) {
      return Status::InvalidArgument("service forecast: hourly time '" + std::string(text.substr(0, 40)) + "' for " +
                                     location.id + " is not a time");
    }
    targets.push_back(*time);
  }
  const Timestamp first_kept = issued_at.FloorTo(kHourMs);
  for (const auto& [hourly_name, variables] : VariablesOf()) {
    simdjson::dom::array values;
    if (hourly[hourly_name].get(values) != simdjson::SUCCESS) continue;
    size_t i = 0;
    for (simdjson::dom::element v : values) {
      if (i >= targets.size()) break;
      const Timestamp target = targets[i++];
      double number = 0;
      if (target < first_kept || v.get(number) != simdjson::SUCCESS || !std::isfinite(number)) continue;
      for (const std::string& variable : variables)
        out->push_back({location.name, variable, target, issued_at, number});
    }
  }
  return Status::OK();
}

Result<std::vector<ServiceForecast>> ServiceForecastFetcher::Fetch(const std::vector<Location>& batch,
                                                                   Timestamp issued_at) {
  std::string url = options_.base_url + "/v1/forecast?" + CoordinateParams(batch) + "&" +
                    QueryParam("hourly", kHourlyVariables) + "&forecast_days=" + std::to_string(forecast_days_) +
                    "&timezone=GMT&wind_speed_unit=ms";
  if (!options_.api_key.empty()) url += "&" + QueryParam("apikey", options_.api_key);
  MF_ASSIGN_OR_RETURN(const HttpResponse answer, FetchJson(*http_, url, options_.retry, clock_, rng_, nullptr));
  if (answer.status != 200) {
    const std::string why = "service forecast: HTTP " + std::to_string(answer.status) + ": " + ErrorMessage(answer);
    return answer.status == 400 ? Status::InvalidArgument(why) : Status::Unavailable(why);
  }
  std::vector<ServiceForecast> rows;
  if (batch.size() == 1) {
    MF_RETURN_IF_ERROR(RowsOf(answer.body, batch[0], issued_at, &rows));
    return rows;
  }
  MF_ASSIGN_OR_RETURN(const std::vector<std::string> elements, SplitJsonArray(answer.body));
  if (elements.size() != batch.size()) {
    return Status::InvalidArgument("service forecast: expected an array of " + std::to_string(batch.size()) +
                                   " locations, got " + std::to_string(elements.size()));
  }
  for (size_t i = 0; i < batch.size(); ++i) MF_RETURN_IF_ERROR(RowsOf(elements[i], batch[i], issued_at, &rows));
  return rows;
}

Result<ServiceForecastStats> ServiceForecastFetcher::Run(const std::vector<Location>& locations, Store& store) {
  ServiceForecastStats stats;
  stats.issued_at = clock_.Now().FloorTo(60'000);
  for (size_t b = 0; b < locations.size(); b += kMaxLocationsPerRequest) {
    const std::vector<Location> batch(
        locations.begin() + static_cast<std::ptrdiff_t>(b),
        locations.begin() + static_cast<std::ptrdiff_t>(std::min(locations.size(), b + kMaxLocationsPerRequest)));
    MF_ASSIGN_OR_RETURN(const std::vector<ServiceForecast> rows, Fetch(batch, stats.issued_at));
    MF_RETURN_IF_ERROR(store.UpsertServiceForecasts(rows));
    const Timestamp cut = stats.issued_at.PlusMillis(-int64_t{keep_days_} * 86'400'000);
    for (const Location& l : batch) MF_RETURN_IF_ERROR(store.PruneServiceForecasts(l.name, cut));
    stats.locations += static_cast<int>(batch.size());
    stats.rows += static_cast<int64_t>(rows.size());
  }
  return stats;
}

}  // namespace meteoflow
