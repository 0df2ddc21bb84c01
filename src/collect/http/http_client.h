// HttpClient: GET over HTTP(S) with libcurl for the live weather sources (no pipeline knowledge).
//
// One client keeps one curl handle, so consecutive requests to the same host reuse the
// connection (keep-alive). Responses may come gzip- or deflate-compressed; the body returned is
// decoded. Connect and total timeouts are per request. A request that gets any HTTP answer
// returns it (whatever its status); a transport failure (refused, reset, timeout, bad TLS) is
// Unavailable. Error messages carry the URL with its secrets redacted (RedactUrl), never the key.
//
// Thread-safety: one request at a time per client; use one client per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"

namespace meteoflow {

struct HttpOptions {
  int connect_timeout_ms = 10'000;
  int timeout_ms = 10'000;  // the whole request, body included
  std::string user_agent = "meteoflow";
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  int64_t retry_after_seconds = 0;  // from a Retry-After header (seconds or an HTTP date); 0: none
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> Create(HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpResponse> Get(const std::string& url);

 private:
  struct Handle;
  explicit HttpClient(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

// `url` with the values of its secret query parameters (appid, apikey, key, token, password)
// replaced by "***": the only form of a URL meteoflow prints or logs.
std::string RedactUrl(const std::string& url);

// "key=value" for a query string, the value percent-encoded (RFC 3986 unreserved kept).
std::string QueryParam(const std::string& key, const std::string& value);

}  // namespace meteoflow
