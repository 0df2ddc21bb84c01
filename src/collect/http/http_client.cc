#include "collect/http/http_client.h"

#include <curl/curl.h>

#include <array>
#include <cctype>
#include <mutex>

namespace meteoflow {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool IsSecretKey(const std::string& key) {
  static constexpr std::array<const char*, 5> kSecrets = {"appid", "apikey", "key", "token", "password"};
  std::string lower;
  for (const char c : key) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* secret : kSecrets) {
    if (lower == secret) return true;
  }
  return false;
}

}  // namespace

struct HttpClient::Handle {
  CURL* curl = nullptr;
  HttpOptions options;
  ~Handle() {
    if (curl) curl_easy_cleanup(curl);
  }
};

Result<std::unique_ptr<HttpClient>> HttpClient::Create(HttpOptions options) {
  GlobalInit();
  auto handle = std::make_unique<Handle>();
  handle->curl = curl_easy_init();
  if (!handle->curl) return Status::Internal("http: curl_easy_init failed");
  handle->options = std::move(options);
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(handle)));
}

HttpClient::HttpClient(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Get(const std::string& url) {
  CURL* c = handle_->curl;
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl decodes (gzip, deflate)
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(handle_->options.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(handle_->options.timeout_ms));
  curl_easy_setopt(c, CURLOPT_USERAGENT, handle_->options.user_agent.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    return Status::Unavailable("GET " + RedactUrl(url) + ": " + (error[0] ? error : curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  char* type = nullptr;
  if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type) response.content_type = type;
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK) response.retry_after_seconds = retry_after;
  return response;
}

std::string RedactUrl(const std::string& url) {
  const size_t query = url.find('?');
  if (query == std::string::npos) return url;
  std::string out = url.substr(0, query + 1);
  size_t pos = query + 1;
  while (pos <= url.size()) {
    size_t end = url.find('&', pos);
    if (end == std::string::npos) end = url.size();
    const std::string pair = url.substr(pos, end - pos);
    const size_t eq = pair.find('=');
    out += eq != std::string::npos && IsSecretKey(pair.substr(0, eq)) ? pair.substr(0, eq) + "=***" : pair;
    if (end < url.size()) out += '&';
    pos = end + 1;
  }
  return out;
}

std::string QueryParam(const std::string& key, const std::string& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = key + "=";
  for (const unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace meteoflow
