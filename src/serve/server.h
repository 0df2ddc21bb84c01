// DashboardServer: the HTTP front of meteoflow -- the JSON API and the built web page.
//
//   GET /api/health                        {"status":"ok","version":...}
//   /api/cities, /api/series, /api/sources/..., /api/compare, /api/predictions, ...
//                                          the data endpoints (serve/data_api.h)
//   GET /api/events                        Server-Sent Events: "change" within ~250 ms of a run or
//                                          task changing state (serve/change_feed.h)
//   GET /api/runs?limit=                   DAG runs, newest first, with their task tries
//   /api/dags/...                          the scheduler's REST API (serve/dag_api.h)
//   GET /metrics                           Prometheus text format
//   GET /                                  the dashboard (static files of web/dist): ETag on every
//                                          file (304 on If-None-Match), /assets/* cacheable a year
// Bad parameters give 400 with {"error": "..."} naming the parameter; unknown paths 404. Only
// files under the built page are served (cpp-httplib refuses paths with ".."); requests slower
// than kIoTimeout are dropped, bodies over kMaxBody refused (413). docs/SECURITY.md.
//
// Thread-safety: request handlers run on the server's threads; Store and RunMetadata
// serialise internally. Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/location.h"
#include "core/status.h"
#include "orchestrate/metadata.h"
#include "serve/change_feed.h"
#include "serve/compression.h"
#include "serve/dag_api.h"
#include "serve/data_api.h"
#include "store/store.h"

namespace httplib {
class Server;
struct Response;
}  // namespace httplib

namespace meteoflow {

class DashboardServer {
 public:
  // `registry` may be null (no model registry: /api/models answers []).
  DashboardServer(std::vector<Location> locations, Store& store, RunMetadata& metadata,
                  forecast::ModelRegistry* registry, std::string assets_dir, DagApiOptions dag_api);
  ~DashboardServer();

  // Binds host:port and serves until Stop(); returns an error when the bind fails.
  Status Serve(const std::string& host, int port);
  void Stop();

 private:
  static constexpr int kMaxEventStreams = 64;
  static constexpr std::chrono::milliseconds kChangePoll{250};
  static constexpr std::chrono::milliseconds kHeartbeat{15000};
  static constexpr std::chrono::seconds kIoTimeout{10};
  static constexpr size_t kMaxBody = size_t{64} * 1024;

  void Routes();
  void StreamEvents(httplib::Response& res);
  const DataApiContext data_;
  Store& store_;
  RunMetadata& metadata_;
  const std::string assets_dir_;
  const DagApiOptions dag_api_;
  ChangeFeed changes_;
  StaticGzipCache static_gzip_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<int64_t> requests_{0}, errors_{0};
  std::atomic<int> streams_{0};
};

}  // namespace meteoflow
