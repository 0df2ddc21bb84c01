// KafkaLog: the Log contract over an Apache Kafka cluster, through librdkafka.
//
// Publishing uses one idempotent producer (acks=all, so retries neither reorder nor duplicate
// per partition); the key (location id) picks the partition, so order per key is kept. Topics
// are created on first use with the configured partitions and replication factor.
// Subscribe makes one group member per Consumer, with automatic commits off: a Consumer
// commits, synchronously, only when told to (after its output is durable). When a rebalance
// takes partitions away, offsets acknowledged by Commit but not yet accepted by the broker are
// committed before the partitions are released; records polled but never acknowledged are
// delivered again to the partitions' next owner (at-least-once).
//
// A Consumer's Poll returns an empty batch ("caught up") once it holds an assignment and has
// reached the end of every assigned partition, or when `caught_up_wait_ms` passes with nothing
// to read. Settings under `properties` are handed to librdkafka unchanged and win over ours.
//
// Thread-safety: Publish and Flush may be called from several threads. Each Consumer has its
// own librdkafka handle and belongs to one thread. Open fails with Unavailable when no broker
// answers within `connect_timeout_ms`.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "core/config.h"
#include "stream/log.h"

struct rd_kafka_topic_s;  // librdkafka's rd_kafka_topic_t

namespace meteoflow {

class KafkaLog : public Log {
 public:
  static Result<std::unique_ptr<KafkaLog>> Open(const KafkaConfig& config);
  ~KafkaLog() override;

  Status Publish(const std::string& topic, const std::string& key, const std::string& value,
                 Timestamp timestamp) override;
  Status Flush() override;
  Result<std::unique_ptr<Consumer>> Subscribe(const std::string& group,
                                              const std::vector<std::string>& topics) override;

  // Creates the topics that do not exist yet (configured partitions and replication).
  Status EnsureTopics(const std::vector<std::string>& topics);

 private:
  struct Handle;
  class KafkaConsumer;
  KafkaLog(KafkaConfig config, std::unique_ptr<Handle> producer);
  void RecordDeliveryError(const std::string& error);
  void RecordClientError(const std::string& error);
  // The producer's handle of `topic`, creating the topic first when needed.
  Result<rd_kafka_topic_s*> TopicHandle(const std::string& topic);

  const KafkaConfig config_;
  std::unique_ptr<Handle> producer_;
  std::mutex mu_;
  std::set<std::string> known_topics_;                      // guarded by mu_
  std::string first_delivery_error_;                        // guarded by mu_; reported by the next Flush
  std::string last_client_error_;                           // guarded by mu_; broker trouble, for context
  std::map<std::string, rd_kafka_topic_s*> topic_handles_;  // guarded by mu_
  std::atomic<uint64_t> published_{0};
};

}  // namespace meteoflow
