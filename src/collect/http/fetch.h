// FetchJson: one GET of a JSON API with the retry rules both weather APIs call for.
//
//   retried:     transport failures (refused, reset, timeout), 429, 5xx, and a 200 whose body is
//                not JSON (Open-Meteo can end a streamed body with plain text);
//   not retried: any other status (400, 401, 403, 404, ...): the caller gets it as it came.
// Waits grow exponentially from base_delay_ms (x2 per retry, capped at max_delay_ms) with up to
// `jitter` of each wait added at random; a Retry-After header, when sent, sets the wait instead
// (capped at max_retry_after_ms). Waits pass on the given Clock.
//
// Thread-safety: as the HttpClient given.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "collect/http/http_client.h"
#include "core/clock.h"

namespace meteoflow {

struct RetryPolicy {
  int retries = 4;  // tries after the first
  int64_t base_delay_ms = 1000;
  int64_t max_delay_ms = 60'000;
  int64_t max_retry_after_ms = 120'000;
  double jitter = 0.25;  // fraction of each computed wait added at random
};

// The last answer when it is a 200 with a JSON body or a status that is not retried; Unavailable
// (naming the redacted URL and the last failure) when the retries ran out. `*retries` (may be
// null) gets the tries made after the first, either way.
// `pacer` (may be null) is told before every request, retries included, and when its answer (or
// failure) is back: the caller's rate limiting.
struct RequestPacer {
  virtual ~RequestPacer() = default;
  virtual void BeforeRequest() = 0;
  virtual void AfterRequest() = 0;
};
Result<HttpResponse> FetchJson(HttpClient& http, const std::string& url, const RetryPolicy& policy, Clock& clock,
                               std::mt19937_64& rng, int* retries, RequestPacer* pacer = nullptr);

// True when `body` is one well-formed JSON document.
bool IsJson(const std::string& body);

}  // namespace meteoflow
