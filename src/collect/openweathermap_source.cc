#include "collect/openweathermap_source.h"

namespace meteoflow {
Result<std::unique_ptr<OpenWeatherMapSource>> OpenWeatherMapSource::Create(std::string name, LiveSourceOptions options,
                                                                           Clock& clock) {
  if (options.api_key.empty()) {
    return Status::InvalidArgument(name + ": no API key: $" + options.api_key_env +
                                   " is not set (export it, or set sources." + name + ".enabled: false)");
  }
  MF_ASSIGN_OR_RETURN(auto http, HttpClient::Create(options.http));
  return std::unique_ptr<OpenWeatherMapSource>(
      new OpenWeatherMapSource(std::move(name), std::move(options), clock, std::move(http)));
}

OpenWeatherMapSource::OpenWeatherMapSource(std::string name, LiveSourceOptions options, Clock& clock,
                                           std::unique_ptr<HttpClient> http)
    : name_(std::move(name)),
      options_(std::move(options)),
      clock_(clock),
      http_(std::move(http)),
      rng_(std::random_device{}()) {}

void OpenWeatherMapSource::BeforeRequest() {
  if (options_.rate_limit_requests <= 0) return;
  // A window 1 % longer than the plan's: a server clock running a little slow must not see more.
  const int64_t window_ms = int64_t{options_.rate_limit_seconds} * 1010;
  for (;;) {
    const Timestamp now = clock_.Now();
    while (!recent_.empty() && recent_.front().millis() <= now.millis() - window_ms) recent_.pop_front();
    if (recent_.size() < static_cast<size_t>(options_.rate_limit_requests)) return;
    clock_.Sleep(recent_.front().millis() + window_ms - now.millis());
  }
}

void OpenWeatherMapSource::AfterRequest() {
  if (options_.rate_limit_requests > 0) recent_.push_back(clock_.Now());
}

std::string OpenWeatherMapSource::UrlFor(const Location& location) const {
  return options_.base_url + "/data/2.5/weather?lat=" + CoordinateText(location.latitude) +
         "&lon=" + CoordinateText(location.longitude) + "&units=metric&" + QueryParam("appid", options_.api_key);
}

Result<Collected> OpenWeatherMapSource::Collect(const Interval& interval, const std::vector<Location>& locations) {
  Collected out;
  out.skipped = WhyNotCurrent(interval, clock_.Now());
  if (!out.skipped.empty()) return out;
  for (const Location& location : locations) {
    int retries = 0;
    auto answer = FetchJson(*http_, UrlFor(location), options_.retry, clock_, rng_, &retries, this);
    out.requests += retries + 1;
    out.retries += retries;
    if (!answer.ok()) {
      out.failed[location.id] = answer.status().message();
      continue;
    }
    if (answer->status == 401) {
      return Status::PermissionDenied(name_ + ": HTTP 401 (" + ErrorMessage(*answer) + "): check the API key in $" +
                                      options_.api_key_env);
    }
    if (answer->status != 200) {
      out.failed[location.id] = "HTTP " + std::to_string(answer->status) + ": " + ErrorMessage(*answer);
      continue;
    }
    out.responses.push_back({location.id, clock_.Now(), std::move(answer->body)});
  }
  return out;
}

}  // namespace meteoflow
