#include "serve/compression.h"

#include <httplib.h>
#include <zlib.h>

namespace meteoflow {
namespace {

constexpr int kLevel = 6;
constexpr int kGzipWindowBits = 15 + 16;  // 15-bit window, gzip wrapper

void SetContentType(httplib::Response& res, const std::string& type) {
  res.headers.erase("Content-Type");
  res.set_header("Content-Type", type.find(';') == std::string::npos ? type + "; charset=utf-8" : type);
}

}  // namespace

std::string Gzip(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, kLevel, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

bool AcceptsGzip(const httplib::Request& req) {
  return req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
}

void SetBody(const httplib::Request& req, httplib::Response& res, int status, std::string body,
             const std::string& type) {
  res.status = status;
  res.set_header("Vary", "Accept-Encoding");
  if (body.size() >= kCompressMinBytes && AcceptsGzip(req)) {
    body = Gzip(body);
    res.set_header("Content-Encoding", "gzip");
  }
  res.body = std::move(body);
  SetContentType(res, type);
}

void StaticGzipCache::Apply(const httplib::Request& req, httplib::Response& res, const std::string& etag) {
  std::string type = res.get_header_value("Content-Type");
  if (type == "text/javascript") type = "application/javascript";  // the same script type to browsers
  SetContentType(res, type.empty() ? "application/octet-stream" : type);
  res.set_header("Vary", "Accept-Encoding");
  // httplib compresses every text/* body itself, whatever its parameters; ours (index.html,
  // the style sheet) are a few KiB, which its brotli handles quickly.
  if (type.rfind("text/", 0) == 0) return;
  if (res.body.size() < kCompressMinBytes || !AcceptsGzip(req) || req.has_header("Range")) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_etag_.find(etag);
  if (it == by_etag_.end()) it = by_etag_.emplace(etag, Gzip(res.body)).first;
  res.body = it->second;
  res.set_header("Content-Encoding", "gzip");
}

}  // namespace meteoflow
