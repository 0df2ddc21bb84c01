#include "serve/server.h"

#include <httplib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "collect/collect_stage.h"
#include "core/crc32.h"
#include "core/json_text.h"
#include "core/version.h"
#include "orchestrate/record_json.h"
#include "serve/compression.h"
#include "serve/data_api.h"

namespace meteoflow {
namespace {

using json = nlohmann::ordered_json;

// The collect stage's running totals (CollectStage::kTotalsPrefix) as Prometheus counters.
std::string CollectMetrics(Store& store) {
  auto totals = store.ListCheckpoints(CollectStage::kTotalsPrefix);
  if (!totals.ok()) return "";
  std::map<std::string, std::string> by_counter;  // counter -> its lines
  const size_t prefix = std::string(CollectStage::kTotalsPrefix).size();
  for (const auto& [name, value] : *totals) {
    const size_t slash = name.find('/', prefix);
    if (slash == std::string::npos) continue;
    const std::string counter = name.substr(prefix, slash - prefix);
    by_counter[counter] +=
        "meteoflow_collect_" + counter + "_total{source=\"" + name.substr(slash + 1) + "\"} " + value + "\n";
  }
  std::string out;
  for (const auto& [counter, lines] : by_counter) {
    out +=
        "# HELP meteoflow_collect_" + counter + "_total Live collection: " + counter + " since the data dir began.\n";
    out += "# TYPE meteoflow_collect_" + counter + "_total counter\n" + lines;
  }
  return out;
}

// Caching of the built page's files: Vite names its bundles by content hash (/assets/...), so
// those are immutable for a year; everything else (index.html) is revalidated every time. Every
// file has an ETag (CRC-32 and size of its bytes) and a matching If-None-Match gets 304.
void CacheStaticFile(const httplib::Request& req, httplib::Response& res, StaticGzipCache& gzip) {
  char tag[40];
  std::snprintf(tag, sizeof tag, "\"%08x-%zx\"", Crc32(res.body.data(), res.body.size()), res.body.size());
  res.set_header("ETag", tag);
  res.set_header("Cache-Control",
                 req.path.starts_with("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
  if (req.get_header_value("If-None-Match") == tag) {
    res.status = 304;
    res.body.clear();
    return;
  }
  gzip.Apply(req, res, tag);
}

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(JsonText(body), "application/json; charset=utf-8");
}

}  // namespace

DashboardServer::DashboardServer(std::vector<Location> locations, Store& store, RunMetadata& metadata,
                                 forecast::ModelRegistry* registry, std::string assets_dir, DagApiOptions dag_api)
    : data_{std::move(locations), &store, registry},
      store_(store),
      metadata_(metadata),
      assets_dir_(std::move(assets_dir)),
      dag_api_(std::move(dag_api)),
      changes_([&metadata] { return metadata.ChangeMarker(); }, kChangePoll),
      server_(std::make_unique<httplib::Server>()) {
  // Event streams hold a worker each: room for kMaxEventStreams of them beside ordinary requests.
  server_->new_task_queue = [] { return new httplib::ThreadPool(kMaxEventStreams + 8); };
  // Slow or oversized clients: a request must arrive within kIoTimeout and carry at most
  // kMaxBody bytes (the API's bodies are a few hundred); headers and the request line are capped
  // by cpp-httplib itself (8 KiB each).
  server_->set_read_timeout(kIoTimeout);
  server_->set_write_timeout(kIoTimeout);
  server_->set_keep_alive_timeout(5);
  server_->set_payload_max_length(kMaxBody);
  Routes();
}

DashboardServer::~DashboardServer() { Stop(); }

// Server-Sent Events: "event: change" with the feed's version whenever a run or task changes
// (new data committed), a comment every kHeartbeat so proxies keep the stream open, and
// `retry` so EventSource reconnects after 2 s. Beyond kMaxEventStreams streams: 503.
void DashboardServer::StreamEvents(httplib::Response& res) {
  if (streams_.fetch_add(1) >= kMaxEventStreams) {
    --streams_;
    Reply(res, 503, {{"error", "too many event streams open"}});
    return;
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_header("X-Accel-Buffering", "no");
  auto seen = std::make_shared<int64_t>(changes_.version());
  auto opened = std::make_shared<bool>(false);
  res.set_chunked_content_provider(
      "text/event-stream",
      [this, seen, opened](size_t, httplib::DataSink& sink) {
        if (!*opened) {
          *opened = true;
          const std::string hello = "retry: 2000\nevent: hello\ndata: {\"version\":" + std::to_string(*seen) + "}\n\n";
          return sink.write(hello.data(), hello.size());
        }
        const int64_t now = changes_.WaitBeyond(*seen, kHeartbeat);
        if (changes_.stopped()) {
          sink.done();
          return true;
        }
        std::string text = ": heartbeat\n\n";
        if (now > *seen) {
          *seen = now;
          text = "id: " + std::to_string(now) + "\nevent: change\ndata: {\"version\":" + std::to_string(now) + "}\n\n";
        }
        return sink.write(text.data(), text.size());
      },
      [this](bool) { --streams_; });
}

void DashboardServer::Routes() {
  auto& s = *server_;
  s.set_pre_routing_handler([this](const httplib::Request&, httplib::Response&) {
    ++requests_;
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_exception_handler([this](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
    ++errors_;
    Reply(res, 500, {{"error", "internal error"}});
  });
  s.Get("/api/health", [](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, {{"status", "ok"}, {"version", kVersion}});
  });
  AddDataRoutes(s, data_);
  s.Get("/api/events", [this](const httplib::Request&, httplib::Response& res) { StreamEvents(res); });
  s.Get("/api/runs", [this](const httplib::Request& req, httplib::Response& res) {
    int limit = 50;
    if (req.has_param("limit")) {
      const std::string text = req.get_param_value("limit");
      if (text.empty() || text.size() > 4 || text.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(text) < 1) {
        return Reply(res, 400, {{"error", "limit: expected an integer in 1..9999"}});
      }
      limit = std::stoi(text);
    }
    auto runs = metadata_.Runs("", limit);
    if (!runs.ok()) return Reply(res, 500, {{"error", runs.status().ToString()}});
    json out = json::array();
    for (const auto& r : *runs) {
      json tasks = json::array();
      auto tries = metadata_.Tries(r.run_id);
      if (tries.ok()) {
        for (const auto& t : *tries) tasks.push_back(TaskTryJson(r.dag_id, t));
      }
      json run = DagRunJson(r);
      run["tasks"] = std::move(tasks);
      out.push_back(std::move(run));
    }
    Reply(res, 200, out);
  });
  AddDagRoutes(s, dag_api_, metadata_);
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    std::string text =
        "# HELP meteoflow_http_requests_total HTTP requests received by the dashboard server.\n"
        "# TYPE meteoflow_http_requests_total counter\n"
        "meteoflow_http_requests_total " +
        std::to_string(requests_.load()) +
        "\n"
        "# HELP meteoflow_http_errors_total HTTP requests that failed with an internal error.\n"
        "# TYPE meteoflow_http_errors_total counter\n"
        "meteoflow_http_errors_total " +
        std::to_string(errors_.load()) + "\n" + CollectMetrics(store_);
    res.set_content(text, "text/plain; version=0.0.4");
  });
  if (!assets_dir_.empty() && std::filesystem::is_directory(assets_dir_)) {
    s.set_mount_point("/", assets_dir_);
    s.set_file_request_handler(
        [this](const httplib::Request& req, httplib::Response& res) { CacheStaticFile(req, res, static_gzip_); });
  } else {
    s.Get("/", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_content("dashboard assets not found at '" + assets_dir_ + "': run 'make build'", "text/plain");
    });
  }
}

Status DashboardServer::Serve(const std::string& host, int port) {
  if (!server_->bind_to_port(host, port)) {
    return Status::Unavailable("dashboard: cannot bind " + host + ":" + std::to_string(port));
  }
  server_->listen_after_bind();
  return Status::OK();
}

void DashboardServer::Stop() {
  changes_.Stop();
  server_->stop();
}

}  // namespace meteoflow
