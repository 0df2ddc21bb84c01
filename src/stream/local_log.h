// LocalLog: the embedded Log, kept in files under one folder (zero services).
//
// One segment file per topic (single partition 0), framed records with a CRC each, and one
// small offset file per (topic, consumer group). The on-disk format and when data becomes
// durable are written up in local_log.md beside this file. Opening the log recovers from a
// crash: a torn or corrupt tail record is cut off (it was never durable).
//
// Thread-safety: all methods may be called from several threads (one mutex). One process at
// a time may open a folder: Open fails with Unavailable when another process holds it.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "stream/log.h"

namespace meteoflow {

class LocalLog : public Log {
 public:
  // Opens (creating when needed) the log kept in folder `dir`.
  static Result<std::unique_ptr<LocalLog>> Open(const std::string& dir);
  ~LocalLog() override;

  Status Publish(const std::string& topic, const std::string& key, const std::string& value,
                 Timestamp timestamp) override;
  Status Flush() override;
  Result<std::unique_ptr<Consumer>> Subscribe(const std::string& group,
                                              const std::vector<std::string>& topics) override;

  // The offset the next message published to `topic` will get (0 for a new topic).
  Result<int64_t> EndOffset(const std::string& topic);

 private:
  class TopicFile;
  class LocalConsumer;
  LocalLog(std::string dir, int lock_fd);
  Result<TopicFile*> Topic(const std::string& name);  // requires mu_
  Result<std::vector<LogRecord>> Read(const std::string& topic, int64_t from, size_t max);
  Result<int64_t> CommittedOffset(const std::string& group, const std::string& topic);
  Status CommitOffset(const std::string& group, const std::string& topic, int64_t next);

  const std::string dir_;
  const int lock_fd_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<TopicFile>> topics_;
};

}  // namespace meteoflow
