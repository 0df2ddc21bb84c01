#include "core/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace meteoflow {
namespace {

constexpr std::pair<TriggerRule, std::string_view> kTriggerRules[] = {{TriggerRule::kAllSuccess, "all_success"},
                                                                      {TriggerRule::kAllDone, "all_done"},
                                                                      {TriggerRule::kOneFailed, "one_failed"},
                                                                      {TriggerRule::kNoneFailed, "none_failed"}};

namespace fs = std::filesystem;

// Walks one YAML mapping, remembering its key path for messages and rejecting unknown keys.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string path) : node_(node), path_(std::move(path)) {}

  Status CheckKeys(const std::set<std::string>& allowed) const {
    if (!node_.IsMap()) return Error(path_, "expected a mapping");
    for (const auto& entry : node_) {
      const std::string key = entry.first.as<std::string>();
      if (!allowed.count(key)) return Error(Join(key), "unknown key");
    }
    return Status::OK();
  }
  bool Has(const std::string& key) const { return node_[key].IsDefined() && !node_[key].IsNull(); }
  YAML::Node Child(const std::string& key) const { return node_[key]; }
  std::string Join(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  Status String(const std::string& key, std::string* out, bool required) const {
    if (!Has(key)) return required ? Error(Join(key), "required key is missing") : Status::OK();
    const YAML::Node v = node_[key];
    if (!v.IsScalar() || v.Scalar().empty()) return Error(Join(key), "expected a non-empty string");
    *out = v.Scalar();
    return Status::OK();
  }

  Status Double(const std::string& key, double lo, double hi, double* out) const {
    if (!Has(key)) return Error(Join(key), "required key is missing");
    const YAML::Node v = node_[key];
    double value;
    if (!v.IsScalar() || !YAML::convert<double>::decode(v, value) || value != value) {
      return Error(Join(key), "'" + Scalar(v) + "' is not a number");
    }
    if (value < lo || value > hi) {
      return Error(Join(key), Scalar(v) + " is outside [" + Num(lo) + ", " + Num(hi) + "]");
    }
    *out = value;
    return Status::OK();
  }

  Status Int(const std::string& key, int lo, int hi, int* out) const {
    if (!Has(key)) return Status::OK();
    const YAML::Node v = node_[key];
    int value;
    if (!v.IsScalar() || !YAML::convert<int>::decode(v, value)) {
      return Error(Join(key), "'" + Scalar(v) + "' is not an integer");
    }
    if (value < lo || value > hi) {
      return Error(Join(key), Scalar(v) + " is outside [" + Num(lo) + ", " + Num(hi) + "]");
    }
    *out = value;
    return Status::OK();
  }

  Status Bool(const std::string& key, bool* out) const {
    if (!Has(key)) return Status::OK();
    const YAML::Node v = node_[key];
    bool value;
    if (!v.IsScalar() || !YAML::convert<bool>::decode(v, value)) {
      return Error(Join(key), "'" + Scalar(v) + "' is not true or false");
    }
    *out = value;
    return Status::OK();
  }

  static Status Error(const std::string& key_path, const std::string& what) {
    return Status::InvalidArgument(key_path + ": " + what);
  }

 private:
  static std::string Scalar(const YAML::Node& v) { return v.IsScalar() ? v.Scalar() : "<not a scalar>"; }
  static std::string Num(double d) {
    std::ostringstream s;
    s << d;
    return s.str();
  }
  YAML::Node node_;
  std::string path_;
};

std::string Indexed(const std::string& key, size_t i) { return key + "[" + std::to_string(i) + "]"; }

Status ParseLocations(const YAML::Node& list, Config* config) {
  if (!list.IsSequence() || list.size() == 0) {
    return MapReader::Error("locations", "expected a non-empty list");
  }
  std::set<std::string> ids;
  for (size_t i = 0; i < list.size(); ++i) {
    MapReader r(list[i], Indexed("locations", i));
    MF_RETURN_IF_ERROR(r.CheckKeys({"id", "name", "latitude", "longitude"}));
    Location loc;
    MF_RETURN_IF_ERROR(r.String("id", &loc.id, true));
    MF_RETURN_IF_ERROR(r.String("name", &loc.name, true));
    MF_RETURN_IF_ERROR(r.Double("latitude", -90, 90, &loc.latitude));
    MF_RETURN_IF_ERROR(r.Double("longitude", -180, 180, &loc.longitude));
    for (char c : loc.id) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
        return MapReader::Error(r.Join("id"), "'" + loc.id + "' must be lower-case a-z, 0-9, '-' or '_'");
      }
    }
    if (!ids.insert(loc.id).second) return MapReader::Error(r.Join("id"), "duplicate id '" + loc.id + "'");
    config->locations.push_back(std::move(loc));
  }
  return Status::OK();
}

// Defaults of a live source: the public hosts, the free plans' limits.
SourceConfig LiveDefaults(const std::string& name) {
  SourceConfig src;
  src.name = name;
  src.mode = "live";
  src.topic = name + "_raw";
  if (name == "openmeteo") {
    src.base_url = "https://api.open-meteo.com";
    src.archive_url = "https://archive-api.open-meteo.com";
    src.geocoding_url = "https://geocoding-api.open-meteo.com";
    src.api_key_env = "OPEN_METEO_API_KEY";
  } else {
    src.base_url = "https://api.openweathermap.org";
    src.api_key_env = "OPENWEATHERMAP_API_KEY";
    src.rate_limit_requests = 60;  // the free plan: 60 calls a minute
  }
  return src;
}

Status ParseLive(const MapReader& r, SourceConfig* src) {
  for (auto [key, out] : {std::pair{"base_url", &src->base_url}, std::pair{"archive_url", &src->archive_url},
                          std::pair{"geocoding_url", &src->geocoding_url}}) {
    MF_RETURN_IF_ERROR(r.String(key, out, false));
    if (out->empty() && !r.Has(key)) continue;  // not a URL this source has
    if (!out->starts_with("http://") && !out->starts_with("https://")) {
      return MapReader::Error(r.Join(key), "'" + *out + "' is not an http:// or https:// URL");
    }
    while (out->ends_with("/")) out->pop_back();
  }
  MF_RETURN_IF_ERROR(r.String("api_key_env", &src->api_key_env, false));
  MF_RETURN_IF_ERROR(r.Int("timeout_seconds", 1, 600, &src->timeout_seconds));
  MF_RETURN_IF_ERROR(r.Int("connect_timeout_seconds", 1, 600, &src->connect_timeout_seconds));
  MF_RETURN_IF_ERROR(r.Int("retries", 0, 20, &src->retries));
  MF_RETURN_IF_ERROR(r.Int("retry_delay_ms", 0, 600'000, &src->retry_delay_ms));
  MF_RETURN_IF_ERROR(r.Int("rate_limit_requests", 0, 1'000'000, &src->rate_limit_requests));
  return r.Int("rate_limit_seconds", 1, 86'400, &src->rate_limit_seconds);
}

Status ParseSource(const MapReader& r, const std::string& name, const fs::path& base, SourceConfig* src) {
  MF_RETURN_IF_ERROR(r.CheckKeys({"mode", "recording", "topic", "enabled", "base_url", "archive_url", "geocoding_url",
                                  "api_key_env", "timeout_seconds", "connect_timeout_seconds", "retries",
                                  "retry_delay_ms", "rate_limit_requests", "rate_limit_seconds"}));
  std::string mode = "replay";
  MF_RETURN_IF_ERROR(r.String("mode", &mode, false));
  if (mode != "replay" && mode != "live") {
    return MapReader::Error(r.Join("mode"), "'" + mode + "' is not a mode (replay or live)");
  }
  *src = LiveDefaults(name);
  src->mode = mode;
  MF_RETURN_IF_ERROR(r.String("topic", &src->topic, false));
  MF_RETURN_IF_ERROR(r.Bool("enabled", &src->enabled));
  if (mode == "live") return ParseLive(r, src);
  MF_RETURN_IF_ERROR(r.String("recording", &src->recording, true));
  src->recording = (base / src->recording).lexically_normal().string();
  return Status::OK();
}

Status ParseSources(const YAML::Node& map, const fs::path& base, Config* config) {
  MapReader sources(map, "sources");
  MF_RETURN_IF_ERROR(sources.CheckKeys({"openmeteo", "openweathermap"}));
  for (const std::string name : {"openmeteo", "openweathermap"}) {
    if (!sources.Has(name)) continue;
    MapReader r(sources.Child(name), sources.Join(name));
    SourceConfig src;
    MF_RETURN_IF_ERROR(ParseSource(r, name, base, &src));
    config->sources.push_back(std::move(src));
  }
  if (std::none_of(config->sources.begin(), config->sources.end(), [](const auto& s) { return s.enabled; })) {
    return MapReader::Error("sources", "at least one enabled source is required");
  }
  return Status::OK();
}

Status ParseBackends(const YAML::Node& map, Config* config) {
  MapReader r(map, "backends");
  MF_RETURN_IF_ERROR(r.CheckKeys({"log", "lake", "store"}));
  MF_RETURN_IF_ERROR(r.String("log", &config->log_backend, false));
  MF_RETURN_IF_ERROR(r.String("lake", &config->lake_backend, false));
  MF_RETURN_IF_ERROR(r.String("store", &config->store_backend, false));
  if (config->log_backend != "local" && config->log_backend != "kafka") {
    return MapReader::Error("backends.log", "'" + config->log_backend + "' is not available (available: local, kafka)");
  }
  if (config->lake_backend != "local") {
    return MapReader::Error("backends.lake", "'" + config->lake_backend + "' is not available (available: local)");
  }
  if (config->store_backend != "sqlite" && config->store_backend != "cassandra") {
    return MapReader::Error("backends.store",
                            "'" + config->store_backend + "' is not available (available: sqlite, cassandra)");
  }
  return Status::OK();
}

Status ParseKafka(const YAML::Node& map, KafkaConfig* kafka) {
  MapReader r(map, "kafka");
  MF_RETURN_IF_ERROR(r.CheckKeys({"bootstrap_servers", "partitions", "replication_factor", "connect_timeout_ms",
                                  "caught_up_wait_ms", "properties", "topic_properties"}));
  MF_RETURN_IF_ERROR(r.String("bootstrap_servers", &kafka->bootstrap_servers, false));
  MF_RETURN_IF_ERROR(r.Int("partitions", 1, 10000, &kafka->partitions));
  MF_RETURN_IF_ERROR(r.Int("replication_factor", 1, 100, &kafka->replication_factor));
  MF_RETURN_IF_ERROR(r.Int("connect_timeout_ms", 100, 600000, &kafka->connect_timeout_ms));
  MF_RETURN_IF_ERROR(r.Int("caught_up_wait_ms", 100, 600000, &kafka->caught_up_wait_ms));
  for (const auto& [section, out] :
       {std::pair{"properties", &kafka->properties}, std::pair{"topic_properties", &kafka->topic_properties}}) {
    if (!r.Has(section)) continue;
    const YAML::Node props = r.Child(section);
    const std::string path = std::string("kafka.") + section;
    if (!props.IsMap()) return MapReader::Error(path, "expected a mapping of settings");
    for (const auto& entry : props) {
      const std::string key = entry.first.as<std::string>();
      if (!entry.second.IsScalar()) return MapReader::Error(path + "." + key, "expected a scalar value");
      (*out)[key] = entry.second.Scalar();
    }
  }
  return Status::OK();
}

Status ParseForecast(const YAML::Node& map, ForecastConfig* f) {
  MapReader r(map, "forecast");
  MF_RETURN_IF_ERROR(r.CheckKeys({"step_minutes", "max_gap_steps", "window_days", "season", "origins", "horizon",
                                  "min_observations", "candidates", "predict_steps", "persistence_margin"}));
  MF_RETURN_IF_ERROR(r.Int("step_minutes", 1, 1440, &f->step_minutes));
  MF_RETURN_IF_ERROR(r.Int("max_gap_steps", 0, 100000, &f->max_gap_steps));
  MF_RETURN_IF_ERROR(r.Int("window_days", 1, 3660, &f->window_days));
  MF_RETURN_IF_ERROR(r.Int("season", 0, 366, &f->season));
  MF_RETURN_IF_ERROR(r.Int("origins", 1, 100, &f->origins));
  MF_RETURN_IF_ERROR(r.Int("horizon", 1, 1000, &f->horizon));
  MF_RETURN_IF_ERROR(r.Int("min_observations", 3, 1000000, &f->min_observations));
  MF_RETURN_IF_ERROR(r.Int("predict_steps", 1, 1000, &f->predict_steps));
  if (r.Has("persistence_margin")) MF_RETURN_IF_ERROR(r.Double("persistence_margin", 0.01, 1, &f->persistence_margin));
  if (f->season == 1) return MapReader::Error("forecast.season", "1 is not a period (0 for none, or >= 2)");
  if (r.Has("candidates")) {
    static const std::set<std::string> kModels = {"naive", "snaive", "drift", "arima",    "sarima",
                                                  "auto",  "xgb",    "nwp",   "nwp-arima"};
    const YAML::Node list = r.Child("candidates");
    if (!list.IsSequence() || list.size() == 0) {
      return MapReader::Error("forecast.candidates", "expected a non-empty list of model names");
    }
    f->candidates.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      const std::string path = "forecast." + Indexed("candidates", i);
      if (!list[i].IsScalar() || !kModels.count(list[i].Scalar())) {
        return MapReader::Error(path, "expected one of naive, snaive, drift, arima, sarima, auto, xgb, nwp, nwp-arima");
      }
      if ((list[i].Scalar() == "snaive" || list[i].Scalar() == "sarima") && f->season < 2) {
        return MapReader::Error(path, list[i].Scalar() + " needs forecast.season >= 2");
      }
      f->candidates.push_back(list[i].Scalar());
    }
  }
  return Status::OK();
}

Status ParseCassandra(const YAML::Node& map, CassandraConfig* c) {
  MapReader r(map, "cassandra");
  MF_RETURN_IF_ERROR(r.CheckKeys({"contact_points", "keyspace", "replication_factor", "replication", "user", "password",
                                  "consistency", "request_timeout_ms", "max_in_flight"}));
  if (r.Has("contact_points")) {
    const YAML::Node list = r.Child("contact_points");
    if (!list.IsSequence() || list.size() == 0) {
      return MapReader::Error("cassandra.contact_points", "expected a non-empty list of host:port");
    }
    c->contact_points.clear();
    for (size_t i = 0; i < list.size(); ++i) {
      if (!list[i].IsScalar() || list[i].Scalar().empty()) {
        return MapReader::Error("cassandra." + Indexed("contact_points", i), "expected host or host:port");
      }
      c->contact_points.push_back(list[i].Scalar());
    }
  }
  MF_RETURN_IF_ERROR(r.String("keyspace", &c->keyspace, false));
  if (c->keyspace.size() > 48 ||
      c->keyspace.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
          std::string::npos) {
    return MapReader::Error("cassandra.keyspace", "'" + c->keyspace + "' must be up to 48 letters, digits and _");
  }
  int rf = 0;
  MF_RETURN_IF_ERROR(r.Int("replication_factor", 1, 100, &rf));
  if (rf > 0) c->replication = "{'class': 'SimpleStrategy', 'replication_factor': " + std::to_string(rf) + "}";
  MF_RETURN_IF_ERROR(r.String("replication", &c->replication, false));
  MF_RETURN_IF_ERROR(r.String("user", &c->user, false));
  MF_RETURN_IF_ERROR(r.String("password", &c->password, false));
  MF_RETURN_IF_ERROR(r.String("consistency", &c->consistency, false));
  static const std::set<std::string> kLevels = {"ONE", "LOCAL_ONE", "QUORUM", "LOCAL_QUORUM", "ALL"};
  if (!kLevels.count(c->consistency)) {
    return MapReader::Error("cassandra.consistency",
                            "'" + c->consistency + "' is not one of ONE, LOCAL_ONE, QUORUM, LOCAL_QUORUM, ALL");
  }
  MF_RETURN_IF_ERROR(r.Int("request_timeout_ms", 100, 600000, &c->request_timeout_ms));
  MF_RETURN_IF_ERROR(r.Int("max_in_flight", 1, 32768, &c->max_in_flight));
  return Status::OK();
}

Status ParseTask(const YAML::Node& node, const std::string& path, TaskConfig* task) {
  MapReader r(node, path);
  MF_RETURN_IF_ERROR(
      r.CheckKeys({"id", "upstream", "stage", "command", "retries", "retry_delay_seconds", "retry_exponential_backoff",
                   "max_retry_delay_seconds", "execution_timeout_seconds", "trigger_rule", "pool"}));
  MF_RETURN_IF_ERROR(r.String("id", &task->id, true));
  MF_RETURN_IF_ERROR(r.String("stage", &task->stage, false));
  MF_RETURN_IF_ERROR(r.String("command", &task->command, false));
  MF_RETURN_IF_ERROR(r.Int("retries", 0, 100, &task->retries));
  MF_RETURN_IF_ERROR(r.Int("retry_delay_seconds", 0, 86400, &task->retry_delay_seconds));
  MF_RETURN_IF_ERROR(r.Bool("retry_exponential_backoff", &task->retry_exponential_backoff));
  MF_RETURN_IF_ERROR(r.Int("max_retry_delay_seconds", 0, 7 * 86400, &task->max_retry_delay_seconds));
  MF_RETURN_IF_ERROR(r.Int("execution_timeout_seconds", 0, 7 * 86400, &task->execution_timeout_seconds));
  std::string rule(Name(task->trigger_rule));
  MF_RETURN_IF_ERROR(r.String("trigger_rule", &rule, false));
  MF_RETURN_IF_ERROR(r.String("pool", &task->pool, false));
  const auto* known = std::find_if(std::begin(kTriggerRules), std::end(kTriggerRules),
                                   [&](const auto& entry) { return entry.second == rule; });
  if (known == std::end(kTriggerRules)) {
    return MapReader::Error(r.Join("trigger_rule"),
                            "'" + rule + "' is not a rule (all_success, all_done, one_failed, none_failed)");
  }
  task->trigger_rule = known->first;
  if (!task->stage.empty() && !task->command.empty()) {
    return MapReader::Error(path, "a task has a stage or a command, not both");
  }
  if (task->stage.empty() && task->command.empty()) task->stage = task->id;
  if (r.Has("upstream")) {
    const YAML::Node up = r.Child("upstream");
    if (!up.IsSequence()) return MapReader::Error(r.Join("upstream"), "expected a list of task ids");
    for (const auto& u : up) {
      if (!u.IsScalar()) return MapReader::Error(r.Join("upstream"), "expected a list of task ids");
      task->upstream.push_back(u.Scalar());
    }
  }
  return Status::OK();
}

Status CheckDagTasks(const DagConfig& dag, const std::string& path, const std::map<std::string, int>& pools) {
  static const std::set<std::string> kStages = {"collect", "land", "transform", "predict", "train", "compact", "nwp"};
  std::set<std::string> seen;
  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    const TaskConfig& t = dag.tasks[i];
    const std::string tpath = path + "." + Indexed("tasks", i);
    if (t.command.empty() && !kStages.count(t.stage)) {
      return MapReader::Error(tpath + (t.stage == t.id ? ".id" : ".stage"),
                              "'" + t.stage +
                                  "' is not a stage (stages: collect, land, transform, predict, train, compact, nwp; "
                                  "or give the task a command)");
    }
    if (!pools.count(t.pool)) return MapReader::Error(tpath + ".pool", "'" + t.pool + "' is not a pool under pools");
    for (const auto& u : t.upstream) {
      if (!seen.count(u)) {
        return MapReader::Error(tpath + ".upstream", "'" + u + "' is not a task listed before '" + t.id + "'");
      }
    }
    if (!seen.insert(t.id).second) return MapReader::Error(tpath + ".id", "duplicate task '" + t.id + "'");
  }
  return Status::OK();
}

Status ParsePools(const YAML::Node& map, Config* config) {
  if (!map.IsMap()) return MapReader::Error("pools", "expected a mapping of pool name to slots");
  MapReader r(map, "pools");
  for (const auto& entry : map) {
    const std::string name = entry.first.as<std::string>();
    int slots = 0;
    MF_RETURN_IF_ERROR(r.Int(name, 1, 10000, &slots));
    config->pools[name] = slots;
  }
  return Status::OK();
}

// The nwp stage fetches the weather service's forecast through the openmeteo source's live
// settings: without them the task could only fail, so the config is refused where it asks for it.
Status CheckServiceForecastSource(const DagConfig& dag, const std::string& path, const Config& config) {
  const bool live_open_meteo = std::any_of(config.sources.begin(), config.sources.end(), [](const SourceConfig& s) {
    return s.name == "openmeteo" && s.mode == "live" && s.enabled;
  });
  for (size_t i = 0; i < dag.tasks.size(); ++i) {
    if (dag.tasks[i].command.empty() && dag.tasks[i].stage == "nwp" && !live_open_meteo) {
      return MapReader::Error(path + "." + Indexed("tasks", i),
                              "the nwp stage fetches Open-Meteo's forecast: it needs sources.openmeteo enabled in "
                              "live mode");
    }
  }
  return Status::OK();
}

Status ParseDag(const std::string& id, const YAML::Node& node, const Config& config, DagConfig* dag) {
  dag->id = id;
  const std::string path = "dags." + id;
  MapReader r(node, path);
  MF_RETURN_IF_ERROR(r.CheckKeys({"schedule", "start_date", "catchup", "max_active_runs", "params", "tasks"}));
  MF_RETURN_IF_ERROR(r.String("schedule", &dag->schedule, true));
  if (r.Has("start_date")) {
    std::string text;
    MF_RETURN_IF_ERROR(r.String("start_date", &text, true));
    auto t = Timestamp::Parse(text);
    if (!t.ok()) return MapReader::Error(r.Join("start_date"), t.status().message());
    dag->start_date = *t;
  }
  MF_RETURN_IF_ERROR(r.Bool("catchup", &dag->catchup));
  MF_RETURN_IF_ERROR(r.Int("max_active_runs", 1, 1000, &dag->max_active_runs));
  if (r.Has("params")) {
    const YAML::Node params = r.Child("params");
    if (!params.IsMap()) return MapReader::Error(r.Join("params"), "expected a mapping of name to value");
    for (const auto& entry : params) {
      if (!entry.second.IsScalar()) {
        return MapReader::Error(r.Join("params") + "." + entry.first.as<std::string>(), "expected a scalar value");
      }
      dag->params[entry.first.as<std::string>()] = entry.second.Scalar();
    }
  }
  const YAML::Node tasks = r.Child("tasks");
  if (!tasks.IsSequence() || tasks.size() == 0) return MapReader::Error(r.Join("tasks"), "expected a non-empty list");
  for (size_t i = 0; i < tasks.size(); ++i) {
    TaskConfig task;
    MF_RETURN_IF_ERROR(ParseTask(tasks[i], r.Join(Indexed("tasks", i)), &task));
    dag->tasks.push_back(std::move(task));
  }
  MF_RETURN_IF_ERROR(CheckDagTasks(*dag, path, config.pools));
  return CheckServiceForecastSource(*dag, path, config);
}

Status ParseDags(const YAML::Node& map, Config* config) {
  if (!map.IsMap()) return MapReader::Error("dags", "expected a mapping of DAG id to DAG");
  for (const auto& entry : map) {
    DagConfig dag;
    MF_RETURN_IF_ERROR(ParseDag(entry.first.as<std::string>(), entry.second, *config, &dag));
    config->dags.push_back(std::move(dag));
  }
  return Status::OK();
}

Status ParseDashboard(const YAML::Node& map, const fs::path& base, Config* config) {
  MapReader r(map, "dashboard");
  MF_RETURN_IF_ERROR(r.CheckKeys({"bind", "assets", "token"}));
  MF_RETURN_IF_ERROR(r.String("token", &config->dashboard.token, false));
  std::string bind;
  MF_RETURN_IF_ERROR(r.String("bind", &bind, false));
  if (!bind.empty()) {
    const size_t colon = bind.rfind(':');
    int port = -1;
    try {
      if (colon != std::string::npos) port = std::stoi(bind.substr(colon + 1));
    } catch (const std::exception&) {
      port = -1;
    }
    if (colon == std::string::npos || colon == 0 || port < 1 || port > 65535 ||
        bind.find_first_not_of("0123456789", colon + 1) != std::string::npos) {
      return MapReader::Error("dashboard.bind", "'" + bind + "' is not HOST:PORT with PORT in 1..65535");
    }
    config->dashboard.host = bind.substr(0, colon);
    config->dashboard.port = port;
  }
  MF_RETURN_IF_ERROR(r.String("assets", &config->dashboard.assets, false));
  if (!config->dashboard.assets.empty()) {
    config->dashboard.assets = (base / config->dashboard.assets).lexically_normal().string();
  }
  return Status::OK();
}

// The folder each top-level key's file lives in: relative paths inside resolve against it.
using Origins = std::map<std::string, fs::path>;

std::string ReadText(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  *ok = static_cast<bool>(in);
  return text.str();
}

// Parses `text` (read from `path`); with `extends: <file>`, the file's keys come first and
// this text's top-level keys replace them.
Result<YAML::Node> LoadMerged(const std::string& text, const std::string& path, int depth, Origins* origins) {
  const fs::path folder = fs::absolute(fs::path(path)).parent_path();
  YAML::Node root = YAML::Load(text);
  if (!root.IsMap()) return Status::InvalidArgument("expected a mapping of settings at the top level");
  YAML::Node merged(YAML::NodeType::Map);
  if (root["extends"].IsDefined()) {
    const YAML::Node ext = root["extends"];
    if (!ext.IsScalar() || ext.Scalar().empty()) return MapReader::Error("extends", "expected a file name");
    if (depth >= 4) return MapReader::Error("extends", "more than 4 levels of extends (a cycle?)");
    const std::string base_path = (folder / ext.Scalar()).lexically_normal().string();
    bool ok = false;
    const std::string base_text = ReadText(base_path, &ok);
    if (!ok) return MapReader::Error("extends", "cannot read '" + base_path + "'");
    auto base = LoadMerged(base_text, base_path, depth + 1, origins);
    if (!base.ok()) return base.status().WithContext(base_path);
    merged = *base;
  }
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    if (key == "extends") continue;
    merged[key] = entry.second;
    (*origins)[key] = folder;
  }
  return merged;
}

Status ParseRoot(const YAML::Node& root, const Origins& origins, Config* config) {
  MapReader r(root, "");
  MF_RETURN_IF_ERROR(r.CheckKeys({"data_dir", "locations", "sources", "backends", "kafka", "cassandra", "pools", "dags",
                                  "forecast", "dashboard"}));
  auto folder = [&](const std::string& key) { return origins.count(key) ? origins.at(key) : fs::path("."); };
  MF_RETURN_IF_ERROR(r.String("data_dir", &config->data_dir, false));
  if (!r.Has("locations")) return MapReader::Error("locations", "required key is missing");
  MF_RETURN_IF_ERROR(ParseLocations(r.Child("locations"), config));
  if (!r.Has("sources")) return MapReader::Error("sources", "required key is missing");
  MF_RETURN_IF_ERROR(ParseSources(r.Child("sources"), folder("sources"), config));
  if (r.Has("backends")) MF_RETURN_IF_ERROR(ParseBackends(r.Child("backends"), config));
  if (r.Has("kafka")) MF_RETURN_IF_ERROR(ParseKafka(r.Child("kafka"), &config->kafka));
  if (r.Has("forecast")) MF_RETURN_IF_ERROR(ParseForecast(r.Child("forecast"), &config->forecast));
  if (r.Has("cassandra")) MF_RETURN_IF_ERROR(ParseCassandra(r.Child("cassandra"), &config->cassandra));
  if (r.Has("pools")) MF_RETURN_IF_ERROR(ParsePools(r.Child("pools"), config));
  if (!r.Has("dags")) return MapReader::Error("dags", "required key is missing");
  MF_RETURN_IF_ERROR(ParseDags(r.Child("dags"), config));
  if (r.Has("dashboard")) MF_RETURN_IF_ERROR(ParseDashboard(r.Child("dashboard"), folder("dashboard"), config));
  return Status::OK();
}

}  // namespace

const TaskConfig* DagConfig::FindTask(const std::string& task_id) const {
  for (const TaskConfig& t : tasks) {
    if (t.id == task_id) return &t;
  }
  return nullptr;
}

const DagConfig* Config::FindDag(const std::string& id) const {
  for (const auto& d : dags) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

const Location* Config::FindLocation(const std::string& id) const {
  for (const auto& l : locations) {
    if (l.id == id) return &l;
  }
  return nullptr;
}

std::string_view Name(TriggerRule rule) {
  for (const auto& [r, name] : kTriggerRules) {
    if (r == rule) return name;
  }
  return "all_success";
}

Result<Config> ParseConfig(const std::string& yaml_text, const std::string& path) {
  Config config;
  config.path = path;
  try {
    Origins origins;
    Result<YAML::Node> root = LoadMerged(yaml_text, path, 0, &origins);
    if (!root.ok()) return root.status().WithContext(path);
    Status s = ParseRoot(*root, origins, &config);
    if (!s.ok()) return s.WithContext(path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(path + ": line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  return config;
}

Result<Config> LoadConfig(const std::string& path) {
  bool ok = false;
  const std::string text = ReadText(path, &ok);
  if (!ok) return Status::NotFound(path + ": cannot open config file");
  return ParseConfig(text, path);
}

}  // namespace meteoflow
