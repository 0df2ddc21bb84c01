// Config: the whole meteoflow configuration, loaded once from YAML and then immutable.
//
// Loading is strict: an unknown key, a missing required key or a bad value gives one
// InvalidArgument whose message names the file and the key path, e.g.
// "config/meteoflow.yaml: locations[2].latitude: 123 is outside [-90, 90]".
// Relative file paths inside the config (recordings, assets) are resolved against the folder
// of the config file; the data dir is resolved against the working directory.
//
// Thread-safety: a loaded Config is a const value, safe to share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/location.h"
#include "core/status.h"
#include "core/time.h"

namespace meteoflow {

// A weather source: a recording replayed, or the live API. Keys come from the environment
// variable named by api_key_env, never from the file.
struct SourceConfig {
  std::string name;       // "openmeteo" | "openweathermap"
  std::string mode;       // "replay" | "live"
  std::string recording;  // replay: JSON-lines recording, absolute path after loading
  std::string topic;      // raw topic it publishes to
  bool enabled = true;    // false: configured but not collected
  // live only
  std::string base_url;       // forecast/current API host (tests point it at a fake)
  std::string archive_url;    // openmeteo: the historical API host
  std::string geocoding_url;  // openmeteo: the geocoding API host
  std::string api_key_env;    // openweathermap: required; openmeteo: optional (commercial host)
  int timeout_seconds = 10;
  int connect_timeout_seconds = 10;
  int retries = 4;
  int retry_delay_ms = 1000;    // first backoff; doubles per retry, with jitter
  int rate_limit_requests = 0;  // at most this many requests per rate_limit_seconds; 0: unpaced
  int rate_limit_seconds = 60;
};

// When a task may run, from its upstream tasks' states (Airflow's rules of the same names).
enum class TriggerRule { kAllSuccess, kAllDone, kOneFailed, kNoneFailed };
std::string_view Name(TriggerRule rule);  // "all_success", "all_done", "one_failed", "none_failed"

// One task of a DAG: a built-in pipeline stage, or a shell command (run with /bin/sh -c, with
// MF_DAG_ID, MF_TASK_ID, MF_RUN_ID, MF_LOGICAL_DATE, MF_INTERVAL_START, MF_INTERVAL_END and
// MF_TRY_NUMBER in its environment).
struct TaskConfig {
  std::string id;
  std::vector<std::string> upstream;
  std::string stage;    // collect | land | transform | predict | train; defaults to the id
  std::string command;  // instead of a stage
  int retries = 0;
  int retry_delay_seconds = 0;
  bool retry_exponential_backoff = false;  // delay * 2^(try - 1), capped by max_retry_delay_seconds
  int max_retry_delay_seconds = 3600;
  int execution_timeout_seconds = 0;  // 0: none; a task past it is killed and fails this try
  TriggerRule trigger_rule = TriggerRule::kAllSuccess;
  std::string pool = "default";
};

struct DagConfig {
  std::string id;
  std::string schedule;                 // 5-field cron or a preset (@hourly, @daily, ...), UTC; "none": manual only
  std::optional<Timestamp> start_date;  // first interval's start; none: the first tick after the scheduler starts
  bool catchup = false;                 // create the runs of missed intervals since start_date
  int max_active_runs = 1;
  std::map<std::string, std::string> params;  // run parameters' defaults; a trigger's conf overrides
  std::vector<TaskConfig> tasks;

  const TaskConfig* FindTask(const std::string& id) const;
};

struct DashboardConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string assets;  // folder of the built web page; empty = next to the binary
  // Bearer token for API calls that change state; the environment's MF_API_TOKEN wins. Without
  // one, such calls are refused unless the server is bound to a loopback address.
  std::string token;
};

// Settings of the Kafka log backend (backends.log: kafka).
struct KafkaConfig {
  std::string bootstrap_servers = "127.0.0.1:9092";
  int partitions = 4;              // for topics meteoflow creates
  int replication_factor = 1;      // for topics meteoflow creates
  int connect_timeout_ms = 10000;  // bound on reaching the brokers and on admin requests
  int caught_up_wait_ms = 30000;   // how long a consumer waits for its assignment and end of data
  // librdkafka settings passed through as they are (security.protocol, sasl.*, ssl.*, ...).
  std::map<std::string, std::string> properties;
  // Topic configs for topics meteoflow creates (retention.ms, cleanup.policy, ...).
  std::map<std::string, std::string> topic_properties;
};

// The forecasting setup (config `forecast:`): how series are built from the store and which
// candidate models the train stage backtests to choose one per (city, variable).
struct ForecastConfig {
  int step_minutes = 10;      // resampling step of every series
  int max_gap_steps = 6;      // longer runs of empty steps are cut out, not interpolated
  int window_days = 7;        // training data: this many days before the train run's logical date
  int season = 12;            // seasonal period in steps, for snaive and sarima (the original's 12)
  int origins = 3;            // backtest origins
  int horizon = 6;            // backtest steps scored per origin
  int min_observations = 24;  // shorter series are not trained
  int predict_steps = 24;     // the predict stage forecasts steps 1..predict_steps (24: 4 hours)
  // The selection rule keeps persistence ("naive") unless the best candidate's backtest RMSE is at
  // most this times naive's (1: plain lowest RMSE); see forecast::ChoiceOrder.
  double persistence_margin = 1.0;
  std::vector<std::string> candidates = {"naive", "drift", "arima", "sarima", "auto", "xgb"};
};

// Settings of the Cassandra store backend (backends.store: cassandra).
struct CassandraConfig {
  std::vector<std::string> contact_points = {"127.0.0.1:9042"};  // host:port
  std::string keyspace = "spark_streaming";                      // the original pipeline's
  std::string replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
  std::string user, password;                // PasswordAuthenticator; password also from MF_CASSANDRA_PASSWORD
  std::string consistency = "LOCAL_QUORUM";  // ONE, LOCAL_ONE, QUORUM, LOCAL_QUORUM, ALL
  int request_timeout_ms = 12000;
  int max_in_flight = 256;
};

struct Config {
  std::string path;  // where it was loaded from
  std::string data_dir = "./var";
  std::vector<Location> locations;
  std::vector<SourceConfig> sources;
  std::string log_backend = "local";
  std::string lake_backend = "local";
  std::string store_backend = "sqlite";
  KafkaConfig kafka;
  CassandraConfig cassandra;
  std::vector<DagConfig> dags;
  std::map<std::string, int> pools = {{"default", 16}};  // concurrency limit per pool
  ForecastConfig forecast;
  DashboardConfig dashboard;

  const DagConfig* FindDag(const std::string& id) const;
  const Location* FindLocation(const std::string& id) const;
};

// Parses `yaml_text` as if read from `path` (used in messages and to resolve relative paths).
Result<Config> ParseConfig(const std::string& yaml_text, const std::string& path);
// Reads and parses the file at `path`.
Result<Config> LoadConfig(const std::string& path);

}  // namespace meteoflow
