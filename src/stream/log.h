// Log: the durable, partitioned, append-only message log between pipeline stages.
//
// A stage publishes raw messages (key = location id) to named topics and consumes them as a
// member of a consumer group. The embedded LocalLog and the Kafka backend implement the same
// contract, so no stage knows which one it talks to.
//
// Contract:
//   - Publish makes a message visible to consumers of this Log; it is durable only after
//     Flush returns OK. Order is kept per (topic, key).
//   - A Consumer starts at its group's committed position (the beginning when nothing was
//     committed). Poll returns records after the consumer's position and advances it.
//   - Commit makes the position after every record returned by Poll so far durable for the
//     group. Call it only once the output made from those records is durable: that is what
//     makes delivery at-least-once, and idempotent outputs make it effectively-once.
//
// Thread-safety: a Log may be shared by threads. A Consumer belongs to one thread.
// Lifetime: a Consumer must not outlive the Log that created it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace meteoflow {

struct LogRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  Timestamp timestamp;
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  // Up to `max_records` records after the current position; an empty vector means caught up.
  virtual Result<std::vector<LogRecord>> Poll(size_t max_records) = 0;
  // Durably commits the position after everything polled so far, for this consumer's group.
  virtual Status Commit() = 0;
  // The (topic, partition) pairs this consumer reads now; group rebalances change it.
  virtual std::vector<std::pair<std::string, int32_t>> Assignment() const = 0;
};

class Log {
 public:
  virtual ~Log() = default;
  virtual Status Publish(const std::string& topic, const std::string& key, const std::string& value,
                         Timestamp timestamp) = 0;
  // Makes every message published so far durable.
  virtual Status Flush() = 0;
  // A consumer of `topics` in consumer group `group`. NotFound never: a topic that was never
  // published to reads as empty.
  virtual Result<std::unique_ptr<Consumer>> Subscribe(const std::string& group,
                                                      const std::vector<std::string>& topics) = 0;
};

}  // namespace meteoflow
