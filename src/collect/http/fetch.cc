#include "collect/http/fetch.h"

#include <simdjson.h>

#include <algorithm>

namespace meteoflow {
namespace {

bool Retried(int status) { return status == 429 || status >= 500; }

int64_t BackoffMs(const RetryPolicy& policy, int retry, std::mt19937_64& rng) {
  int64_t wait = policy.base_delay_ms;
  for (int i = 1; i < retry && wait < policy.max_delay_ms; ++i) wait *= 2;
  wait = std::min(wait, policy.max_delay_ms);
  std::uniform_real_distribution<double> extra(0, policy.jitter);
  return wait + static_cast<int64_t>(static_cast<double>(wait) * extra(rng));
}

}  // namespace

bool IsJson(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  return parser.parse(body).get(doc) == simdjson::SUCCESS;
}

Result<HttpResponse> FetchJson(HttpClient& http, const std::string& url, const RetryPolicy& policy, Clock& clock,
                               std::mt19937_64& rng, int* retries, RequestPacer* pacer) {
  std::string last_failure;
  for (int attempt = 0;; ++attempt) {
    if (retries) *retries = attempt;
    int64_t retry_after_ms = 0;
    if (pacer) pacer->BeforeRequest();
    auto got = http.Get(url);
    if (pacer) pacer->AfterRequest();
    if (!got.ok()) {
      last_failure = got.status().message();
    } else if ((got->status == 200 && IsJson(got->body)) || (got->status != 200 && !Retried(got->status))) {
      return got;
    } else {
      last_failure =
          got->status == 200 ? "HTTP 200 with a body that is not JSON" : "HTTP " + std::to_string(got->status);
      retry_after_ms = std::min(got->retry_after_seconds * 1000, policy.max_retry_after_ms);
    }
    if (attempt >= policy.retries) break;
    clock.Sleep(retry_after_ms > 0 ? retry_after_ms : BackoffMs(policy, attempt + 1, rng));
  }
  return Status::Unavailable("GET " + RedactUrl(url) + ": " + last_failure + " after " +
                             std::to_string(policy.retries + 1) + " tries");
}

}  // namespace meteoflow
