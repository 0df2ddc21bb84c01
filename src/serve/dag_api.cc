#include "serve/dag_api.h"

#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/json_text.h"
#include "orchestrate/cron.h"
#include "orchestrate/record_json.h"
#include "orchestrate/scheduler.h"

namespace meteoflow {
namespace {

using json = nlohmann::ordered_json;

void Reply(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(JsonText(body), "application/json; charset=utf-8");  // small: left uncompressed
}

// Equal strings, compared in time that depends on their lengths only, not on where they differ.
bool ConstantTimeEqual(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    diff |= static_cast<unsigned char>((i < a.size() ? a[i] : 0) ^ (i < b.size() ? b[i] : 0));
  }
  return diff == 0;
}

// Why a state-changing request looks cross-site, or "": a browser marks another site's request
// with Sec-Fetch-Site and an Origin that is not this server; a JSON body is required, which an
// HTML form cannot send without the browser asking first (CORS preflight, never granted here).
std::string CrossSiteReason(const httplib::Request& req) {
  const std::string site = req.get_header_value("Sec-Fetch-Site");
  if (!site.empty() && site != "same-origin" && site != "none") return "Sec-Fetch-Site is " + site;
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty()) {
    const std::string host = req.get_header_value("Host");
    if (origin != "http://" + host && origin != "https://" + host) return "Origin is not this server";
  }
  const std::string type = req.get_header_value("Content-Type");
  if (!req.body.empty() && type.rfind("application/json", 0) != 0) return "the body must be application/json";
  return "";
}

class DagApi {
 public:
  DagApi(DagApiOptions options, RunMetadata& metadata) : options_(std::move(options)), metadata_(metadata) {}

  const DagConfig* Find(const std::string& id) const {
    for (const auto& d : options_.dags) {
      if (d.id == id) return &d;
    }
    return nullptr;
  }

  // True when the request may change state; else the refusal was written.
  bool Authorized(const httplib::Request& req, httplib::Response& res) const {
    if (const std::string why = CrossSiteReason(req); !why.empty()) {
      Reply(res, 403, {{"error", "cross-site request refused: " + why}});
      return false;
    }
    if (options_.token.empty()) {
      if (options_.loopback_only) return true;
      Reply(res, 403,
            {{"error",
              "this server is bound beyond localhost: set dashboard.token or MF_API_TOKEN "
              "to allow calls that change state"}});
      return false;
    }
    if (ConstantTimeEqual(req.get_header_value("Authorization"), "Bearer " + options_.token)) return true;
    Reply(res, 401, {{"error", "missing or wrong bearer token"}});
    return false;
  }

  void ListDags(httplib::Response& res) {
    json dags = json::array();
    for (const auto& d : options_.dags) {
      auto paused = metadata_.Paused(d.id);
      dags.push_back(DagJson(d, paused.ok() && *paused));
    }
    Reply(res, 200, {{"dags", dags}, {"total_entries", dags.size()}});
  }

  void GetDag(const DagConfig& d, httplib::Response& res) {
    auto paused = metadata_.Paused(d.id);
    json out = DagJson(d, paused.ok() && *paused);
    json tasks = json::array();
    for (const auto& t : d.tasks) {
      tasks.push_back({{"task_id", t.id},
                       {"downstream_of", t.upstream},
                       {"trigger_rule", Name(t.trigger_rule)},
                       {"retries", t.retries},
                       {"pool", t.pool}});
    }
    out["tasks"] = tasks;
    Reply(res, 200, out);
  }

  void PatchDag(const DagConfig& d, const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (!body.is_object() || !body.contains("is_paused") || !body["is_paused"].is_boolean()) {
      return Reply(res, 400, {{"error", "body: expected {\"is_paused\": true|false}"}});
    }
    const Status s = metadata_.SetPaused(d.id, body["is_paused"].get<bool>());
    if (!s.ok()) return Reply(res, 500, {{"error", s.ToString()}});
    GetDag(d, res);
  }

  void ListRuns(const DagConfig& d, const httplib::Request& req, httplib::Response& res) {
    int limit = 100;
    if (req.has_param("limit")) {
      const std::string text = req.get_param_value("limit");
      if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(text) < 1) {
        return Reply(res, 400, {{"error", "limit: expected an integer in 1..99999"}});
      }
      limit = std::stoi(text);
    }
    auto runs = metadata_.Runs(d.id, limit);
    if (!runs.ok()) return Reply(res, 500, {{"error", runs.status().ToString()}});
    json out = json::array();
    for (const auto& r : *runs) out.push_back(DagRunJson(r));
    Reply(res, 200, {{"dag_runs", out}, {"total_entries", out.size()}});
  }

  void Trigger(const DagConfig& d, const httplib::Request& req, httplib::Response& res) {
    const json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
    if (!body.is_object()) return Reply(res, 400, {{"error", "body: expected a JSON object"}});
    const json conf = body.value("conf", json::object());
    if (!conf.is_object()) return Reply(res, 400, {{"error", "conf: expected a JSON object"}});
    Timestamp date = Timestamp::Now().FloorTo(60'000);
    if (body.contains("logical_date")) {
      auto t = body["logical_date"].is_string() ? Timestamp::Parse(body["logical_date"].get<std::string>())
                                                : Result<Timestamp>(Status::InvalidArgument("not a string"));
      if (!t.ok()) return Reply(res, 400, {{"error", "logical_date: " + t.status().message()}});
      date = *t;
    }
    Interval interval{date, date};
    if (d.schedule != "none") {
      auto cron = CronSchedule::Parse(d.schedule);
      auto end = cron.ok() ? cron->Next(date) : Result<Timestamp>(cron.status());
      if (end.ok()) interval.end = *end;
    }
    auto run = CreateRunRecord(metadata_, d, RunType::kManual, interval, conf.dump(), Timestamp::Now());
    if (!run.ok()) return Reply(res, 500, {{"error", run.status().ToString()}});
    Reply(res, 200, DagRunJson(*run));
  }

  void TaskInstances(const DagConfig& d, const std::string& run_id, httplib::Response& res) {
    auto run = metadata_.Run(run_id);
    if (!run.ok() || !*run || (*run)->dag_id != d.id) {
      return Reply(res, 404, {{"error", "no run '" + run_id + "' of DAG '" + d.id + "'"}});
    }
    auto tis = metadata_.TaskInstances(run_id);
    auto tries = metadata_.Tries(run_id);
    if (!tis.ok() || !tries.ok()) return Reply(res, 500, {{"error", "reading task instances failed"}});
    json out = json::array();
    for (const auto& ti : *tis) {
      const TaskTryRecord* last = nullptr;
      for (const auto& t : *tries) {
        if (t.task_id == ti.task_id && t.try_number == ti.try_number) last = &t;
      }
      out.push_back(TaskInstanceJson(d.id, ti, last, d.FindTask(ti.task_id)));
    }
    Reply(res, 200, {{"task_instances", out}, {"total_entries", out.size()}});
  }

  void Log(const DagConfig& d, const std::string& run_id, const std::string& task_id, const std::string& try_text,
           httplib::Response& res) {
    auto tries = metadata_.Tries(run_id, task_id);
    if (!tries.ok()) return Reply(res, 500, {{"error", tries.status().ToString()}});
    for (const auto& t : *tries) {
      if (std::to_string(t.try_number) != try_text) continue;
      std::ifstream in(t.log_path, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      res.set_content(text.str(), "text/plain; charset=utf-8");
      return;
    }
    Reply(res, 404, {{"error", "no try " + try_text + " of " + d.id + "." + task_id + " in run " + run_id}});
  }

  DagApiOptions options_;
  RunMetadata& metadata_;
};

}  // namespace

void AddDagRoutes(httplib::Server& s, const DagApiOptions& options, RunMetadata& metadata) {
  auto api = std::make_shared<DagApi>(options, metadata);
  // Resolves {dag_id}; false (and a 404 written) when unknown.
  auto dag_of = [api](const httplib::Request& req, httplib::Response& res) -> const DagConfig* {
    const DagConfig* d = api->Find(req.matches[1]);
    if (!d) Reply(res, 404, {{"error", "no DAG '" + std::string(req.matches[1]) + "'"}});
    return d;
  };
  s.Get("/api/dags", [api](const httplib::Request&, httplib::Response& res) { api->ListDags(res); });
  s.Get(R"(/api/dags/([^/]+))", [api, dag_of](const httplib::Request& req, httplib::Response& res) {
    if (const DagConfig* d = dag_of(req, res)) api->GetDag(*d, res);
  });
  s.Patch(R"(/api/dags/([^/]+))", [api, dag_of](const httplib::Request& req, httplib::Response& res) {
    if (!api->Authorized(req, res)) return;
    if (const DagConfig* d = dag_of(req, res)) api->PatchDag(*d, req, res);
  });
  s.Get(R"(/api/dags/([^/]+)/dagRuns)", [api, dag_of](const httplib::Request& req, httplib::Response& res) {
    if (const DagConfig* d = dag_of(req, res)) api->ListRuns(*d, req, res);
  });
  s.Post(R"(/api/dags/([^/]+)/dagRuns)", [api, dag_of](const httplib::Request& req, httplib::Response& res) {
    if (!api->Authorized(req, res)) return;
    if (const DagConfig* d = dag_of(req, res)) api->Trigger(*d, req, res);
  });
  s.Get(R"(/api/dags/([^/]+)/dagRuns/([^/]+)/taskInstances)",
        [api, dag_of](const httplib::Request& req, httplib::Response& res) {
          if (const DagConfig* d = dag_of(req, res)) api->TaskInstances(*d, req.matches[2], res);
        });
  s.Get(R"(/api/dags/([^/]+)/dagRuns/([^/]+)/taskInstances/([^/]+)/logs/([0-9]+))",
        [api, dag_of](const httplib::Request& req, httplib::Response& res) {
          if (const DagConfig* d = dag_of(req, res)) api->Log(*d, req.matches[2], req.matches[3], req.matches[4], res);
        });
}

bool IsLoopbackHost(const std::string& host) {
  return host.rfind("127.", 0) == 0 || host == "::1" || host == "localhost";
}

DagApiOptions DagApiOptionsFor(const Config& config) {
  const char* env = std::getenv("MF_API_TOKEN");
  return {config.dags, env && *env ? env : config.dashboard.token, IsLoopbackHost(config.dashboard.host)};
}

}  // namespace meteoflow
