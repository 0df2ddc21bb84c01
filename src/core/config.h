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
#include <string>
#include <vector>

#include "core/location.h"
#include "core/status.h"

namespace meteoflow {

struct SourceConfig {
  std::string name;       // "openmeteo" | "openweathermap"
  std::string mode;       // "replay"
  std::string recording;  // JSON-lines recording, absolute path after loading
  std::string topic;      // raw topic it publishes to
};

struct TaskConfig {
  std::string id;
  std::vector<std::string> upstream;
  int retries = 0;
  int retry_delay_seconds = 0;
};

struct DagConfig {
  std::string id;
  std::string schedule;  // 5-field cron, UTC
  std::vector<TaskConfig> tasks;
};

struct DashboardConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string assets;  // folder of the built web page; empty = next to the binary
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
  std::vector<std::string> candidates = {"naive", "drift", "arima", "sarima", "auto", "xgb"};
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
  std::vector<DagConfig> dags;
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
