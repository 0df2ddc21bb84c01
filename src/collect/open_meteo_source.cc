#include "collect/open_meteo_source.h"

namespace meteoflow {
const char* const OpenMeteoSource::kCurrentVariables =
    "temperature_2m,relative_humidity_2m,apparent_temperature,is_day,precipitation,rain,showers,snowfall,"
    "weather_code,cloud_cover,pressure_msl,surface_pressure,wind_speed_10m,wind_direction_10m,wind_gusts_10m";

Result<std::unique_ptr<OpenMeteoSource>> OpenMeteoSource::Create(std::string name, LiveSourceOptions options,
                                                                 Clock& clock) {
  MF_ASSIGN_OR_RETURN(auto http, HttpClient::Create(options.http));
  return std::unique_ptr<OpenMeteoSource>(
      new OpenMeteoSource(std::move(name), std::move(options), clock, std::move(http)));
}

OpenMeteoSource::OpenMeteoSource(std::string name, LiveSourceOptions options, Clock& clock,
                                 std::unique_ptr<HttpClient> http)
    : name_(std::move(name)),
      options_(std::move(options)),
      clock_(clock),
      http_(std::move(http)),
      rng_(std::random_device{}()) {}

std::string OpenMeteoSource::UrlFor(const std::vector<Location>& batch) const {
  std::string url = options_.base_url + "/v1/forecast?" + CoordinateParams(batch) + "&" +
                    QueryParam("current", kCurrentVariables) + "&timezone=GMT&wind_speed_unit=ms";
  if (!options_.api_key.empty()) url += "&" + QueryParam("apikey", options_.api_key);
  return url;
}

Status OpenMeteoSource::CollectBatch(const std::vector<Location>& batch, Collected* out) {
  int retries = 0;
  auto answer = FetchJson(*http_, UrlFor(batch), options_.retry, clock_, rng_, &retries);
  out->requests += retries + 1;
  out->retries += retries;
  const Timestamp fetched_at = clock_.Now();
  auto fail_all = [&](const std::string& why) {
    for (const Location& l : batch) out->failed[l.id] = why;
    return Status::OK();
  };
  if (!answer.ok()) return fail_all(answer.status().message());
  if (answer->status == 401 || answer->status == 403) {
    return Status::PermissionDenied(name_ + ": HTTP " + std::to_string(answer->status) + " (" + ErrorMessage(*answer) +
                                    "): check the API key in $" + options_.api_key_env);
  }
  if (answer->status != 200) return fail_all("HTTP " + std::to_string(answer->status) + ": " + ErrorMessage(*answer));
  std::vector<std::string> elements = {answer->body};
  if (batch.size() > 1) {
    auto split = SplitJsonArray(answer->body);
    if (!split.ok() || split->size() != batch.size()) {
      return fail_all("expected an array of " + std::to_string(batch.size()) + " locations, got " +
                      (split.ok() ? std::to_string(split->size()) + " elements" : "no array"));
    }
    elements = std::move(split).value();
  }
  for (size_t i = 0; i < batch.size(); ++i) out->responses.push_back({batch[i].id, fetched_at, std::move(elements[i])});
  return Status::OK();
}

Result<Collected> OpenMeteoSource::Collect(const Interval& interval, const std::vector<Location>& locations) {
  Collected out;
  out.skipped = WhyNotCurrent(interval, clock_.Now());
  if (!out.skipped.empty()) return out;
  for (size_t first = 0; first < locations.size(); first += kMaxLocationsPerRequest) {
    const size_t last = std::min(locations.size(), first + kMaxLocationsPerRequest);
    const std::vector<Location> batch(locations.begin() + static_cast<std::ptrdiff_t>(first),
                                      locations.begin() + static_cast<std::ptrdiff_t>(last));
    MF_RETURN_IF_ERROR(CollectBatch(batch, &out));
  }
  return out;
}

}  // namespace meteoflow
