// Response compression done by the server itself, with gzip at a fast level. cpp-httplib would
// otherwise compress text bodies on every request with brotli at its slowest quality, which
// costs about a second for the page's script bundle; it leaves alone bodies whose Content-Type
// carries parameters -- except text/* ones -- so ours say "; charset=utf-8" and scripts go out as
// application/javascript.
//
// Thread-safety: SetBody is a pure function of its arguments; StaticGzipCache serialises calls.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace meteoflow {

// Bodies smaller than this go out as they are (compression would not pay).
inline constexpr size_t kCompressMinBytes = 1024;

// gzip (RFC 1952) of `data`.
std::string Gzip(std::string_view data);
// Whether the request's Accept-Encoding admits gzip.
bool AcceptsGzip(const httplib::Request& req);
// Sets status, Content-Type `type` + "; charset=utf-8", Vary: Accept-Encoding and the body,
// gzip'd when the client accepts it and it is at least kCompressMinBytes.
void SetBody(const httplib::Request& req, httplib::Response& res, int status, std::string body,
             const std::string& type);

// The gzip'd form of each static file, made once per ETag.
class StaticGzipCache {
 public:
  // Replaces res.body (the file) by its cached gzip'd form when the client accepts it (and asked
  // for no byte range, which would index the file, not its gzip'd form).
  void Apply(const httplib::Request& req, httplib::Response& res, const std::string& etag);

 private:
  std::mutex mu_;
  std::map<std::string, std::string> by_etag_;
};

}  // namespace meteoflow
