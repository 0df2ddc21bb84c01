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
// Failure: a failed Publish may or may not have made the message visible; a failed Flush means
// some messages published since the last good Flush may be lost. The caller re-publishes the
// whole interval (collect does), so a consumer can see a message twice: outputs are keyed so that
// a repeat changes nothing (the lake skips offsets it holds; the store upserts). A failed Poll
// leaves the position where it was. A failed Commit leaves the group's committed position at the
// previous commit: the records since are delivered again to whoever reads next.
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

// A partition of a topic and a position within one are distinct strong types: passing one where
// the other (or a count) belongs does not compile. Convert explicitly with ToInt / PartitionId{n}.
enum class PartitionId : int32_t {};
enum class Offset : int64_t {};
constexpr int32_t ToInt(PartitionId p) { return static_cast<int32_t>(p); }
constexpr int64_t ToInt(Offset o) { return static_cast<int64_t>(o); }

struct LogRecord {
  std::string topic;
  PartitionId partition{0};
  Offset offset{0};
  std::string key;
  std::string value;
  Timestamp timestamp;
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  // Up to `max_records` records after the current position; an empty vector means caught up.
  // The caller owns the records. Unavailable when the broker cannot be reached, Corruption when
  // the local log's files are damaged beyond their torn tail.
  virtual Result<std::vector<LogRecord>> Poll(size_t max_records) = 0;
  // Durably commits the position after everything polled so far, for this consumer's group.
  virtual Status Commit() = 0;
  // The (topic, partition) pairs this consumer reads now; group rebalances change it.
  virtual std::vector<std::pair<std::string, PartitionId>> Assignment() const = 0;
};

class Log {
 public:
  virtual ~Log() = default;
  // Appends one message (copied) to `topic`, partitioned by `key`. Visible to consumers at once,
  // durable only after Flush. InvalidArgument for a message the backend cannot store (too large,
  // a timestamp before 1970 on Kafka); Unavailable when the broker refuses or is away.
  virtual Status Publish(const std::string& topic, const std::string& key, const std::string& value,
                         Timestamp timestamp) = 0;
  // Makes every message published so far durable; on error, any of them may be lost.
  virtual Status Flush() = 0;
  // A consumer of `topics` in consumer group `group`. NotFound never: a topic that was never
  // published to reads as empty.
  virtual Result<std::unique_ptr<Consumer>> Subscribe(const std::string& group,
                                                      const std::vector<std::string>& topics) = 0;
};

}  // namespace meteoflow
