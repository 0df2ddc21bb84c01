#include "core/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace meteoflow {
namespace {

const char* kValid = R"(
data_dir: ./var
locations:
  - {id: casablanca, name: Casablanca, latitude: 33.59, longitude: -7.61}
  - {id: rabat, name: Rabat, latitude: 33.99, longitude: -6.84}
sources:
  openmeteo: {mode: replay, recording: rec/om.jsonl}
backends: {log: local, lake: local, store: sqlite}
dags:
  weather:
    schedule: "*/10 * * * *"
    tasks:
      - {id: collect, retries: 2}
      - {id: land, upstream: [collect]}
dashboard: {bind: "127.0.0.1:9090"}
kafka:
  bootstrap_servers: "10.0.0.1:9092,10.0.0.2:9092"
  partitions: 8
  properties: {security.protocol: sasl_ssl, sasl.mechanism: PLAIN}
  topic_properties: {retention.ms: -1}
)";

TEST(ConfigTest, ParsesValidConfig) {
  auto c = ParseConfig(kValid, "/etc/mf/meteoflow.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->locations.size(), 2u);
  EXPECT_EQ(c->locations[1].name, "Rabat");
  EXPECT_EQ(c->sources[0].topic, "openmeteo_raw");
  EXPECT_EQ(c->sources[0].recording, "/etc/mf/rec/om.jsonl");
  EXPECT_EQ(c->dashboard.port, 9090);
  ASSERT_NE(c->FindDag("weather"), nullptr);
  EXPECT_EQ(c->FindDag("weather")->tasks[0].retries, 2);
  EXPECT_EQ(c->kafka.bootstrap_servers, "10.0.0.1:9092,10.0.0.2:9092");
  EXPECT_EQ(c->kafka.partitions, 8);
  EXPECT_EQ(c->kafka.replication_factor, 1);
  EXPECT_EQ(c->kafka.properties.at("sasl.mechanism"), "PLAIN");
  EXPECT_EQ(c->kafka.topic_properties.at("retention.ms"), "-1");
}

struct BadCase {
  std::string from, to;    // textual replacement applied to kValid
  std::string key_in_msg;  // the message must name this
};

TEST(ConfigTest, RejectsBadConfigsNamingTheKey) {
  const BadCase cases[] = {
      {"data_dir: ./var", "data_dirr: ./var", "data_dirr: unknown key"},
      {"latitude: 33.59", "latitude: 123.4", "locations[0].latitude: 123.4 is outside"},
      {"latitude: 33.59", "latitude: north", "locations[0].latitude: 'north' is not a number"},
      {"longitude: -6.84", "longitude: -6.84, colour: red", "locations[1].colour: unknown key"},
      {"id: rabat", "id: casablanca", "locations[1].id: duplicate id"},
      {"id: rabat", "id: Rabat City", "locations[1].id:"},
      {"mode: replay", "mode: stream", "sources.openmeteo.mode: 'stream' is not a mode"},
      {"mode: replay, recording: rec/om.jsonl", "mode: live, base_url: api.open-meteo.com",
       "sources.openmeteo.base_url: 'api.open-meteo.com' is not an http:// or https:// URL"},
      {"mode: replay, recording: rec/om.jsonl", "mode: live, retries: 99", "sources.openmeteo.retries: 99 is outside"},
      {"mode: replay, recording: rec/om.jsonl", "mode: live, rate_limit_seconds: 0",
       "sources.openmeteo.rate_limit_seconds: 0 is outside"},
      {"mode: replay, recording: rec/om.jsonl", "mode: live, apikey: abc", "sources.openmeteo.apikey: unknown key"},
      {"recording: rec/om.jsonl}", "recording: rec/om.jsonl, enabled: false}",
       "sources: at least one enabled source is required"},
      {"log: local", "log: zookeeper", "backends.log:"},
      {"retries: 2", "retries: -1", "dags.weather.tasks[0].retries:"},
      {"upstream: [collect]", "upstream: [nothing]", "dags.weather.tasks[1].upstream:"},
      {"id: land", "id: dance", "dags.weather.tasks[1].id:"},
      {"id: land, upstream: [collect]", "id: nwp, upstream: [collect]",
       "dags.weather.tasks[1]: the nwp stage fetches Open-Meteo's forecast: it needs sources.openmeteo enabled in "
       "live"},
      {"127.0.0.1:9090", "127.0.0.1:99999", "dashboard.bind:"},
      {"127.0.0.1:9090", "localhost", "dashboard.bind:"},
      {"schedule: \"*/10 * * * *\"", "schedule: [1, 2]", "dags.weather.schedule:"},
      {"locations:", "locations: []\nlocations_old:", "unknown key"},
      {"partitions: 8", "partitions: 0", "kafka.partitions: 0 is outside"},
      {"partitions: 8", "partitions: many", "kafka.partitions: 'many' is not an integer"},
      {"partitions: 8", "partitionz: 8", "kafka.partitionz: unknown key"},
      {"properties: {security.protocol: sasl_ssl, sasl.mechanism: PLAIN}", "properties: [a, b]",
       "kafka.properties: expected a mapping"},
      {"sasl.mechanism: PLAIN", "sasl.mechanism: [PLAIN]", "kafka.properties.sasl.mechanism: expected a scalar"},
      {"topic_properties: {retention.ms: -1}", "topic_properties: 7", "kafka.topic_properties: expected a mapping"},
      {"data_dir: ./var", "data_dir: ./var\nforecast: {predict_steps: 0}", "forecast.predict_steps: 0 is outside"},
      {"data_dir: ./var", "data_dir: ./var\nforecast: {persistence_margin: 1.5}",
       "forecast.persistence_margin: 1.5 is outside"},
      {"data_dir: ./var", "data_dir: ./var\nforecast: {persistence_margin: some}",
       "forecast.persistence_margin: 'some' is not a number"},
  };
  for (const auto& c : cases) {
    std::string text = kValid;
    const size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    auto r = ParseConfig(text, "m.yaml");
    ASSERT_FALSE(r.ok()) << c.to;
    EXPECT_NE(r.status().message().find(c.key_in_msg), std::string::npos)
        << "message '" << r.status().message() << "' should contain '" << c.key_in_msg << "'";
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << "one line";
  }
}

TEST(ConfigTest, LiveSourcesGetThePublicHostsAndFreePlanLimitsByDefault) {
  std::string text = kValid;
  text.replace(text.find("openmeteo: {mode: replay, recording: rec/om.jsonl}"),
               std::string("openmeteo: {mode: replay, recording: rec/om.jsonl}").size(),
               "openmeteo: {mode: live, base_url: \"http://127.0.0.1:8/\"}\n  openweathermap: {mode: live}");
  auto c = ParseConfig(text, "/etc/mf/m.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->sources.size(), 2u);
  EXPECT_EQ(c->sources[0].base_url, "http://127.0.0.1:8");  // trailing slash dropped
  EXPECT_EQ(c->sources[0].archive_url, "https://archive-api.open-meteo.com");
  EXPECT_EQ(c->sources[1].base_url, "https://api.openweathermap.org");
  EXPECT_EQ(c->sources[1].api_key_env, "OPENWEATHERMAP_API_KEY");
  EXPECT_EQ(c->sources[1].rate_limit_requests, 60);
  EXPECT_EQ(c->sources[1].rate_limit_seconds, 60);
  EXPECT_TRUE(c->sources[1].recording.empty());
}

TEST(ConfigTest, ExtendsReplacesTopLevelKeysAndKeepsTheBasesPaths) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("mf_extends_" + std::to_string(::getpid()));
  fs::create_directories(dir / "base");
  std::ofstream(dir / "base" / "meteoflow.yaml") << kValid;
  std::ofstream(dir / "cluster.yaml") << "extends: base/meteoflow.yaml\nbackends: {log: kafka}\n";
  std::ofstream(dir / "loop.yaml") << "extends: loop.yaml\n";
  auto c = LoadConfig((dir / "cluster.yaml").string());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->log_backend, "kafka");
  EXPECT_EQ(c->locations.size(), 2u);
  EXPECT_EQ(c->sources[0].recording, (dir / "base" / "rec" / "om.jsonl").string());
  auto loop = LoadConfig((dir / "loop.yaml").string());
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.status().message().find("extends: more than 4 levels"), std::string::npos) << loop.status().message();
  fs::remove_all(dir);
}

TEST(ConfigTest, RejectsMalformedYamlWithLine) {
  auto r = ParseConfig("locations: [\n  {id: x", "bad.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad.yaml: line"), std::string::npos) << r.status().message();
}

// Found by config_fuzz: an empty file (or a list, or a bare word) said ": expected a mapping at
// the top level", and an unreadable `extends:` file said so, both without naming the config.
TEST(ConfigTest, ATopLevelThatIsNotAMappingNamesTheFile) {
  for (const char* text : {"", "- a\n- b\n", "hello", "~"}) {
    auto r = ParseConfig(text, "odd.yaml");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().message(), "odd.yaml: expected a mapping of settings at the top level") << text;
  }
  auto r = ParseConfig("extends: nowhere.yaml\n", "/etc/odd.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "/etc/odd.yaml: extends: cannot read '/etc/nowhere.yaml'");
}

TEST(ConfigTest, MissingFileIsNotFound) {
  auto r = LoadConfig("/nonexistent/meteoflow.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
}

TEST(ConfigTest, BundledConfigLoads) {
  auto c = LoadConfig(std::string(MF_SOURCE_DIR) + "/config/meteoflow.yaml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->locations.size(), 37u);
  EXPECT_EQ(c->sources.size(), 2u);
  EXPECT_EQ(c->FindDag("weather")->schedule, "*/10 * * * *");
}

}  // namespace
}  // namespace meteoflow
