// LandedKeys: what a lake partition (source, date) already holds, by content -- location, fetch
// time, payload length and CRC-32 -- so that a message published twice (a publish retried after a
// partial failure, a slice republished after a crash) lands once. Offsets cannot tell: a
// republished message is a new message at a new offset.
//
// Each partition's files are read once per process (only location_id, fetched_at and payload);
// files this process writes are recorded as it writes them, so a partition is not read again
// for its own files. At most kMaxPartitions partitions are kept, the least recently used
// dropped first (read again if a batch comes back to it), so memory is bounded by those days,
// not by the lake.
//
// Thread-safety: none; one per land stage.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>

#include "lake/dataset.h"
#include "stream/log.h"

namespace meteoflow {

class LandedKeys {
 public:
  using Key = std::tuple<std::string, int64_t, uint64_t>;  // location, fetch time (ms), payload size << 32 | CRC-32
  static Key KeyOf(const LogRecord& record);

  explicit LandedKeys(const Dataset& lake) : lake_(lake) {}

  // Reads the partition's files not read yet.
  Status Refresh(const Partition& partition);
  // False when `key` is in the partition already; otherwise records it and returns true.
  bool Add(const Partition& partition, const Key& key);
  // A file this process committed to the partition (its keys were added one by one).
  void Wrote(const Partition& partition, const std::string& file_name);
  // Drops what is known of the partition (after a failed write: it is read afresh next time).
  void Forget(const Partition& partition);
  // How many partitions are held in memory (at most kMaxPartitions).
  size_t partitions_kept() const { return known_.size(); }

  static constexpr size_t kMaxPartitions = 16;  // 8 days of both sources

 private:
  struct Known {
    std::set<std::string> files_read;  // file names
    std::set<Key> keys;
    uint64_t last_used = 0;
  };
  // The partition's entry, marked as used now; the least recently used beyond kMaxPartitions go.
  Known& Use(const Partition& partition);
  const Dataset& lake_;
  std::map<Partition, Known> known_;
  uint64_t uses_ = 0;
};

}  // namespace meteoflow
