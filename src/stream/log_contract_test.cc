// The Log contract (stream/log.h), run against every backend: the embedded LocalLog,
// KafkaLog on librdkafka's in-process mock cluster, and KafkaLog on a real broker.
//
// The real broker is the one named by MF_KAFKA_BOOTSTRAP (ctest starts one with tools/kafka).
// Without it those cases skip with one line, except under CI=true, where they fail.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "stream/kafka_log.h"
#include "stream/local_log.h"

namespace meteoflow {
namespace {

namespace fs = std::filesystem;
constexpr int kPartitions = 4;

// librdkafka's mock cluster: real Kafka protocol in-process, without the admin API, so its
// topics are created through the mock's own call.
class MockCluster {
 public:
  MockCluster() {
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    cluster_ = rd_kafka_mock_cluster_new(handle_, 3);
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(handle_);
  }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(cluster_); }
  void CreateTopic(const std::string& name) { rd_kafka_mock_topic_create(cluster_, name.c_str(), kPartitions, 1); }
  void SetAllBrokersDown() {
    for (int id = 1; id <= 3; ++id) rd_kafka_mock_broker_set_down(cluster_, id);
  }

 private:
  rd_kafka_t* handle_;
  rd_kafka_mock_cluster_t* cluster_;
};

class LogContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    suffix_ = std::to_string(::getpid()) + "_" + std::to_string(counter++);
    const std::string backend = GetParam();
    if (backend == "local") {
      dir_ = fs::temp_directory_path() / ("mf_contract_" + suffix_);
      fs::remove_all(dir_);
      log_ = std::move(LocalLog::Open(dir_.string())).value();
      return;
    }
    KafkaConfig config;
    config.partitions = kPartitions;
    config.caught_up_wait_ms = 20000;
    // A member that vanished without leaving frees its partitions after this long.
    config.properties["session.timeout.ms"] = "6000";
    config.properties["heartbeat.interval.ms"] = "1000";
    if (backend == "mock") {
      mock_ = std::make_unique<MockCluster>();
      config.bootstrap_servers = mock_->bootstraps();
    } else {
      const char* bootstrap = std::getenv("MF_KAFKA_BOOTSTRAP");
      if (!bootstrap || !*bootstrap) {
        if (std::getenv("CI")) FAIL() << "CI=true but MF_KAFKA_BOOTSTRAP is not set: the real broker did not start";
        GTEST_SKIP() << "real Kafka broker not running (set MF_KAFKA_BOOTSTRAP, or run via ctest)";
      }
      config.bootstrap_servers = bootstrap;
    }
    auto log = KafkaLog::Open(config);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }
  void TearDown() override {
    log_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  // A topic name unique to this test run (real brokers keep topics between runs).
  std::string Topic(const std::string& base) {
    std::string name = base + "_" + suffix_;
    if (mock_) mock_->CreateTopic(name);
    return name;
  }
  std::string Group(const std::string& base) { return base + "_" + suffix_; }

  std::unique_ptr<Consumer> Subscribe(const std::string& group, const std::vector<std::string>& topics) {
    auto c = log_->Subscribe(group, topics);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(c).value() : nullptr;
  }

  // Polls until caught up.
  static std::vector<LogRecord> PollAll(Consumer& c) {
    std::vector<LogRecord> all;
    for (;;) {
      auto batch = c.Poll(1000);
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok() || batch->empty()) return all;
      all.insert(all.end(), batch->begin(), batch->end());
    }
  }

  void PublishNumbered(const std::string& topic, int keys, int per_key) {
    for (int i = 0; i < per_key; ++i) {
      for (int k = 0; k < keys; ++k) {
        ASSERT_TRUE(
            log_->Publish(topic, "key" + std::to_string(k), std::to_string(i), Timestamp::FromMillis(1000 + i)).ok());
      }
    }
    ASSERT_TRUE(log_->Flush().ok());
  }

  std::string suffix_;
  fs::path dir_;
  std::unique_ptr<MockCluster> mock_;
  std::unique_ptr<Log> log_;
};

TEST_P(LogContractTest, KeepsOrderPerKey) {
  const std::string topic = Topic("order");
  PublishNumbered(topic, 10, 50);
  auto c = Subscribe(Group("g"), {topic});
  const auto records = PollAll(*c);
  ASSERT_EQ(records.size(), 500u);
  std::map<std::string, int> next;
  for (const auto& r : records) {
    EXPECT_EQ(r.topic, topic);
    EXPECT_EQ(r.value, std::to_string(next[r.key]++)) << "key " << r.key;
    EXPECT_EQ(r.timestamp.millis(), 1000 + std::stoi(r.value));
  }
  EXPECT_EQ(next.size(), 10u);
}

TEST_P(LogContractTest, ResumesFromCommittedOffsets) {
  const std::string topic = Topic("resume");
  PublishNumbered(topic, 4, 25);
  size_t first = 0;
  {
    auto c = Subscribe(Group("g"), {topic});
    std::vector<LogRecord> batch;
    while (batch.empty()) batch = std::move(c->Poll(30)).value();
    first = batch.size();
    ASSERT_LE(first, 30u);
    ASSERT_TRUE(c->Commit().ok());
  }
  auto c = Subscribe(Group("g"), {topic});
  EXPECT_EQ(PollAll(*c).size(), 100u - first);
  ASSERT_TRUE(c->Commit().ok());
  PublishNumbered(topic, 4, 1);
  EXPECT_EQ(PollAll(*c).size(), 4u);
}

TEST_P(LogContractTest, RedeliversWhatAConsumerNeverCommitted) {
  const std::string topic = Topic("redeliver");
  PublishNumbered(topic, 5, 20);
  {
    auto crashed = Subscribe(Group("g"), {topic});
    ASSERT_EQ(PollAll(*crashed).size(), 100u);
  }  // gone without Commit: nothing it read may be lost
  auto c = Subscribe(Group("g"), {topic});
  EXPECT_EQ(PollAll(*c).size(), 100u);
}

TEST_P(LogContractTest, GroupsReadIndependently) {
  const std::string topic = Topic("groups");
  PublishNumbered(topic, 3, 10);
  auto a = Subscribe(Group("a"), {topic});
  ASSERT_EQ(PollAll(*a).size(), 30u);
  ASSERT_TRUE(a->Commit().ok());
  auto b = Subscribe(Group("b"), {topic});
  EXPECT_EQ(PollAll(*b).size(), 30u);
}

TEST_P(LogContractTest, CarriesLargeAndEmptyMessages) {
  const std::string topic = Topic("sizes");
  const std::string large(size_t{900} * 1024, 'x');
  ASSERT_TRUE(log_->Publish(topic, "k", large, Timestamp::FromMillis(1)).ok());
  ASSERT_TRUE(log_->Publish(topic, "k", "", Timestamp::FromMillis(2)).ok());
  ASSERT_TRUE(log_->Publish(topic, "", "no key", Timestamp::FromMillis(3)).ok());
  ASSERT_TRUE(log_->Flush().ok());
  auto c = Subscribe(Group("g"), {topic});
  auto records = PollAll(*c);
  ASSERT_EQ(records.size(), 3u);
  std::map<std::string, std::string> by_time;
  for (const auto& r : records) by_time[std::to_string(r.timestamp.millis())] = r.key + "|" + r.value;
  EXPECT_EQ(by_time["1"], "k|" + large);
  EXPECT_EQ(by_time["2"], "k|");
  EXPECT_EQ(by_time["3"], "|no key");
}

TEST_P(LogContractTest, EmptyAndNeverUsedTopicsReadAsEmpty) {
  auto c = Subscribe(Group("g"), {Topic("never_published"), Topic("also_empty")});
  auto batch = c->Poll(10);
  ASSERT_TRUE(batch.ok()) << batch.status().ToString();
  EXPECT_TRUE(batch->empty());
  EXPECT_TRUE(c->Commit().ok());
}

TEST_P(LogContractTest, ConsumersOfOneGroupShareTheWorkAndLoseNothing) {
  const std::string topic = Topic("shared");
  PublishNumbered(topic, 40, 10);
  std::mutex mu;
  std::set<std::pair<PartitionId, Offset>> seen;
  std::atomic<bool> done{false};
  std::atomic<int> failed_commits{0};
  auto member = [&] {
    auto c = Subscribe(Group("g"), {topic});
    while (!done) {
      auto batch = c->Poll(50);
      ASSERT_TRUE(batch.ok()) << batch.status().ToString();
      std::lock_guard<std::mutex> lock(mu);
      for (const auto& r : *batch) seen.insert({r.partition, r.offset});
      if (!c->Commit().ok()) ++failed_commits;  // a rebalance raced it: redelivery covers it
      if (seen.size() == 400u) done = true;
    }
  };
  std::thread a(member), b(member);
  a.join();
  b.join();
  EXPECT_EQ(seen.size(), 400u) << failed_commits << " commits failed";
}

TEST(KafkaLogTest, UnreachableBrokerFailsOpenWithinTheConnectTimeout) {
  KafkaConfig config;
  config.bootstrap_servers = "127.0.0.1:1";
  config.connect_timeout_ms = 1000;
  const auto started = std::chrono::steady_clock::now();
  auto log = KafkaLog::Open(config);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(log.status().message().find("no broker of '127.0.0.1:1' answered within 1000 ms"), std::string::npos)
      << log.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

TEST(KafkaLogTest, BadLibrdkafkaSettingNamesTheKey) {
  KafkaConfig config;
  config.properties["linger.ms"] = "not a number";
  auto log = KafkaLog::Open(config);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(log.status().message().find("kafka.properties.linger.ms"), std::string::npos) << log.status().message();
}

TEST(KafkaLogTest, MessagesThatCannotBeDeliveredFailTheFlush) {
  MockCluster mock;
  mock.CreateTopic("lost");
  KafkaConfig config;
  config.bootstrap_servers = mock.bootstraps();
  config.properties["message.timeout.ms"] = "1500";
  auto log = std::move(KafkaLog::Open(config)).value();
  ASSERT_TRUE(log->Publish("lost", "k", "v", Timestamp::FromMillis(1000)).ok());
  ASSERT_TRUE(log->Flush().ok());
  mock.SetAllBrokersDown();
  ASSERT_TRUE(log->Publish("lost", "k", "never acknowledged", Timestamp::FromMillis(2000)).ok());
  const Status flushed = log->Flush();
  ASSERT_FALSE(flushed.ok());
  EXPECT_NE(flushed.message().find("delivery to topic 'lost' failed"), std::string::npos) << flushed.message();
}

// The value of one config of `topic` on the broker at `bootstrap`, read back with DescribeConfigs
// once ("<no answer>" when the broker does not answer for the topic).
std::string DescribeTopicConfig(const std::string& bootstrap, const std::string& topic, const std::string& name) {
  char errstr[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), errstr, sizeof errstr);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  rd_kafka_ConfigResource_t* resource = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_DescribeConfigs(rk, &resource, 1, nullptr, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, 20000);
  std::string value = "<no answer>";
  if (event && !rd_kafka_event_error(event)) {
    size_t count = 0;
    const rd_kafka_ConfigResource_t** resources =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event), &count);
    size_t entries = 0;
    const rd_kafka_ConfigEntry_t** configs = count ? rd_kafka_ConfigResource_configs(resources[0], &entries) : nullptr;
    for (size_t i = 0; i < entries; ++i) {
      if (name == rd_kafka_ConfigEntry_name(configs[i])) value = rd_kafka_ConfigEntry_value(configs[i]);
    }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_ConfigResource_destroy(resource);
  rd_kafka_destroy(rk);
  return value;
}

// The same, asked again for up to 10 s: a topic just created may not be known to the broker
// that answers yet.
std::string TopicConfig(const std::string& bootstrap, const std::string& topic, const std::string& name) {
  std::string value = DescribeTopicConfig(bootstrap, topic, name);
  for (int attempt = 0; attempt < 20 && value == "<no answer>"; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    value = DescribeTopicConfig(bootstrap, topic, name);
  }
  return value;
}

TEST(KafkaLogTest, TopicsAreCreatedWithTheConfiguredTopicProperties) {
  const char* bootstrap = std::getenv("MF_KAFKA_BOOTSTRAP");
  if (!bootstrap || !*bootstrap) {
    if (std::getenv("CI")) FAIL() << "CI=true but MF_KAFKA_BOOTSTRAP is not set: the real broker did not start";
    GTEST_SKIP() << "real Kafka broker not running (set MF_KAFKA_BOOTSTRAP, or run via ctest)";
  }
  KafkaConfig config;
  config.bootstrap_servers = bootstrap;
  config.topic_properties["retention.ms"] = "-1";
  auto opened = KafkaLog::Open(config);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  auto log = std::move(opened).value();
  const std::string topic = "kept_" + std::to_string(::getpid());
  ASSERT_TRUE(log->EnsureTopics({topic}).ok());
  EXPECT_EQ(TopicConfig(bootstrap, topic, "retention.ms"), "-1");
  config.topic_properties = {{"no.such.topic.config", "1"}};
  auto bad_open = KafkaLog::Open(config);
  ASSERT_TRUE(bad_open.ok()) << bad_open.status().ToString();
  auto bad = std::move(bad_open).value();
  const Status s = bad->EnsureTopics({topic + "_bad"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("creating topic"), std::string::npos) << s.message();
}

TEST(KafkaLogTest, RejectsTimesKafkaCannotStore) {
  MockCluster mock;
  KafkaConfig config;
  config.bootstrap_servers = mock.bootstraps();
  auto log = std::move(KafkaLog::Open(config)).value();
  const Status s = log->Publish("t", "k", "v", Timestamp::FromMillis(0));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(Backends, LogContractTest, ::testing::Values("local", "mock", "kafka"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace meteoflow
