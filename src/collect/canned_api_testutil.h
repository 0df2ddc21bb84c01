// Test helper for the live collectors: an HTTP server on loopback that answers every GET of one
// path with a fixed status and body, and remembers the query parameters of the last request.
// Thread-safety: the server answers on its own thread; read last_query() once requests are done.
#pragma once

#include <httplib.h>

#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace meteoflow::testing {

class CannedApi {
 public:
  CannedApi(int status, const std::string& body, const std::string& path = "/v1/forecast") {
    server_.Get(path, [this, status, body](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_query_.clear();
        for (const auto& [name, value] : req.params) last_query_[name] = value;
      }
      res.status = status;
      res.set_content(body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::yield();
  }
  ~CannedApi() {
    server_.stop();
    thread_.join();
  }
  CannedApi(const CannedApi&) = delete;
  CannedApi& operator=(const CannedApi&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // The last request's value of query parameter `name` ("" when absent).
  std::string last_query(const std::string& name) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = last_query_.find(name);
    return it == last_query_.end() ? "" : it->second;
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::map<std::string, std::string> last_query_;
};

}  // namespace meteoflow::testing
