#include "stream/kafka_log.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <utility>

namespace meteoflow {

// Owns one librdkafka client handle.
struct KafkaLog::Handle {
  explicit Handle(rd_kafka_t* h) : rk(h) {}
  ~Handle() { rd_kafka_destroy(rk); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  rd_kafka_t* rk;
};

namespace {

using Clock = std::chrono::steady_clock;
using TopicPartition = std::pair<std::string, int32_t>;

std::string ErrorText(rd_kafka_resp_err_t err) { return rd_kafka_err2str(err); }

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

Status SetConf(rd_kafka_conf_t* conf, const std::string& key, const std::string& value, const std::string& where) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
    return Status::InvalidArgument(where + key + ": " + errstr);
  }
  return Status::OK();
}

// Our defaults first, then the user's pass-through properties, which win.
Result<ConfPtr> MakeConf(const KafkaConfig& config, const std::map<std::string, std::string>& ours) {
  ConfPtr conf(rd_kafka_conf_new());
  MF_RETURN_IF_ERROR(SetConf(conf.get(), "bootstrap.servers", config.bootstrap_servers, "kafka."));
  // Problems reach the caller as Status values; librdkafka itself only speaks up when critical.
  MF_RETURN_IF_ERROR(SetConf(conf.get(), "log_level", "2", "kafka."));
  for (const auto& [k, v] : ours) MF_RETURN_IF_ERROR(SetConf(conf.get(), k, v, "kafka."));
  for (const auto& [k, v] : config.properties) MF_RETURN_IF_ERROR(SetConf(conf.get(), k, v, "kafka.properties."));
  return conf;
}

Result<rd_kafka_t*> NewClient(rd_kafka_type_t type, ConfPtr conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), errstr, sizeof errstr);
  if (!rk) return Status::InvalidArgument(std::string("kafka: cannot create client: ") + errstr);
  static_cast<void>(conf.release());  // rd_kafka_new took ownership
  return rk;
}

// Names of the topics the cluster knows.
Result<std::set<std::string>> ListTopics(rd_kafka_t* rk, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms);
  if (err) return Status::Unavailable("kafka: cannot read cluster metadata: " + ErrorText(err));
  std::set<std::string> names;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (!md->topics[i].err) names.insert(md->topics[i].topic);
  }
  rd_kafka_metadata_destroy(md);
  return names;
}

Status CreateTopics(rd_kafka_t* rk, const std::vector<std::string>& names, const KafkaConfig& config) {
  char errstr[512];
  std::vector<rd_kafka_NewTopic_t*> specs;
  for (const auto& name : names) {
    rd_kafka_NewTopic_t* t =
        rd_kafka_NewTopic_new(name.c_str(), config.partitions, config.replication_factor, errstr, sizeof errstr);
    if (!t) {
      rd_kafka_NewTopic_destroy_array(specs.data(), specs.size());
      return Status::InvalidArgument("kafka: topic '" + name + "': " + errstr);
    }
    specs.push_back(t);
    for (const auto& [key, value] : config.topic_properties) {
      if (rd_kafka_resp_err_t err = rd_kafka_NewTopic_set_config(t, key.c_str(), value.c_str())) {
        rd_kafka_NewTopic_destroy_array(specs.data(), specs.size());
        return Status::InvalidArgument("kafka.topic_properties." + key + ": " + ErrorText(err));
      }
    }
  }
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(options, config.connect_timeout_ms, errstr, sizeof errstr);
  rd_kafka_AdminOptions_set_operation_timeout(options, config.connect_timeout_ms, errstr, sizeof errstr);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, specs.data(), specs.size(), options, queue);
  rd_kafka_event_t* event = rd_kafka_queue_poll(queue, config.connect_timeout_ms * 2 + 1000);
  Status status;
  if (!event) {
    status = Status::Unavailable("kafka: creating topics timed out");
  } else if (rd_kafka_event_error(event)) {
    status = Status::Unavailable(std::string("kafka: creating topics failed: ") + rd_kafka_event_error_string(event));
  } else {
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event), &count);
    for (size_t i = 0; i < count && status.ok(); ++i) {
      const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* why = rd_kafka_topic_result_error_string(results[i]);
        status = Status::Unavailable(std::string("kafka: creating topic '") + rd_kafka_topic_result_name(results[i]) +
                                     "' failed: " + (why ? why : ErrorText(err)));
      }
    }
  }
  if (event) rd_kafka_event_destroy(event);
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy_array(specs.data(), specs.size());
  return status;
}

}  // namespace

// One consumer-group member with its own librdkafka handle.
class KafkaLog::KafkaConsumer : public Consumer {
 public:
  // `admin` answers watermark queries: its connections carry no long-polling fetches, which
  // would hold such a query up for up to fetch.wait.max.ms each.
  KafkaConsumer(std::string group, const KafkaConfig& config, rd_kafka_t* admin)
      : group_(std::move(group)),
        wait_ms_(config.caught_up_wait_ms),
        query_ms_(config.connect_timeout_ms),
        admin_(admin) {}
  ~KafkaConsumer() override {
    if (handle_) rd_kafka_consumer_close(handle_->rk);  // revokes: commits acknowledged offsets
  }

  Status Start(const KafkaConfig& config, const std::vector<std::string>& topics) {
    MF_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(config, {{"group.id", group_},
                                                        {"enable.auto.commit", "false"},
                                                        {"enable.auto.offset.store", "false"},
                                                        {"auto.offset.reset", "earliest"},
                                                        {"enable.partition.eof", "true"}}));
    rd_kafka_conf_set_opaque(conf.get(), this);
    rd_kafka_conf_set_rebalance_cb(conf.get(), &KafkaConsumer::OnRebalance);
    rd_kafka_conf_set_error_cb(conf.get(), [](rd_kafka_t*, int, const char* reason, void* opaque) {
      static_cast<KafkaConsumer*>(opaque)->last_error_ = reason;
    });
    MF_ASSIGN_OR_RETURN(rd_kafka_t * rk, NewClient(RD_KAFKA_CONSUMER, std::move(conf)));
    handle_ = std::make_unique<Handle>(rk);
    rd_kafka_poll_set_consumer(rk);
    ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
    for (const auto& t : topics) rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, list.get());
    if (err) return Status::Unavailable("kafka: group '" + group_ + "': subscribe failed: " + ErrorText(err));
    return Status::OK();
  }

  Result<std::vector<LogRecord>> Poll(size_t max_records) override {
    std::vector<LogRecord> out;
    const auto deadline = Clock::now() + std::chrono::milliseconds(wait_ms_);
    while (out.size() < max_records) {
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(handle_->rk, out.empty() ? 100 : 0);
      if (!msg) {
        if (!out.empty() || CaughtUp()) return out;
        if (Clock::now() >= deadline) return WaitExpired();
        continue;
      }
      const TopicPartition tp{rd_kafka_topic_name(msg->rkt), msg->partition};
      if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        at_end_[tp] = true;
        end_seen_[tp] = msg->offset;
      } else if (msg->err) {
        last_error_ = rd_kafka_message_errstr(msg);
        const bool fatal = msg->err == RD_KAFKA_RESP_ERR__FATAL;
        rd_kafka_message_destroy(msg);
        if (fatal) return Status::Unavailable("kafka: group '" + group_ + "': " + last_error_);
        continue;
      } else {
        at_end_[tp] = false;
        polled_[tp] = msg->offset + 1;
        end_seen_[tp] = std::max(end_seen_[tp], msg->offset + 1);
        out.push_back(ToRecord(tp, *msg));
      }
      rd_kafka_message_destroy(msg);
    }
    return out;
  }

  std::vector<std::pair<std::string, PartitionId>> Assignment() const override {
    std::vector<std::pair<std::string, PartitionId>> out;
    for (const auto& [tp, end] : at_end_) out.emplace_back(tp.first, PartitionId{tp.second});
    return out;
  }

  Status Commit() override {
    for (const auto& [tp, next] : polled_) acknowledged_[tp] = next;
    polled_.clear();
    return CommitAcknowledged(nullptr);
  }

 private:
  static LogRecord ToRecord(const TopicPartition& tp, const rd_kafka_message_t& msg) {
    LogRecord r;
    r.topic = tp.first;
    r.partition = PartitionId{tp.second};
    r.offset = Offset{msg.offset};
    if (msg.key) r.key.assign(static_cast<const char*>(msg.key), msg.key_len);
    if (msg.payload) r.value.assign(static_cast<const char*>(msg.payload), msg.len);
    rd_kafka_timestamp_type_t type;
    r.timestamp = Timestamp::FromMillis(rd_kafka_message_timestamp(&msg, &type));
    return r;
  }

  // True when every assigned partition reached its end and, asking the broker now, nothing
  // was appended since (end-of-partition events are only a hint: they can be stale).
  bool CaughtUp() {
    if (!assigned_) return false;
    for (const auto& [tp, end] : at_end_) {
      if (!end) return false;
    }
    for (auto& [tp, end] : at_end_) {
      int64_t low = 0, high = 0;
      const rd_kafka_resp_err_t err =
          rd_kafka_query_watermark_offsets(admin_, tp.first.c_str(), tp.second, &low, &high, query_ms_);
      if (err || high > end_seen_[tp]) {
        end = false;
        return false;
      }
    }
    return true;
  }

  Result<std::vector<LogRecord>> WaitExpired() const {
    if (assigned_) return std::vector<LogRecord>{};  // assigned, no end-of-partition news: nothing to read
    return Status::Unavailable("kafka: group '" + group_ + "': no partition assignment within " +
                               std::to_string(wait_ms_) + " ms" + (last_error_.empty() ? "" : ": " + last_error_));
  }

  // Commits acknowledged offsets (of `only` when given); keeps the ones the broker refused.
  Status CommitAcknowledged(const rd_kafka_topic_partition_list_t* only) {
    ListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(acknowledged_.size())));
    for (const auto& [tp, next] : acknowledged_) {
      if (only && !rd_kafka_topic_partition_list_find(only, tp.first.c_str(), tp.second)) continue;
      rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = next;
    }
    if (list->cnt == 0) return Status::OK();
    const rd_kafka_resp_err_t err = rd_kafka_commit(handle_->rk, list.get(), 0);
    if (err) return Status::Unavailable("kafka: group '" + group_ + "': commit failed: " + ErrorText(err));
    for (int i = 0; i < list->cnt; ++i) acknowledged_.erase({list->elems[i].topic, list->elems[i].partition});
    return Status::OK();
  }

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                          void* opaque) {
    auto* self = static_cast<KafkaConsumer*>(opaque);
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      for (int i = 0; i < parts->cnt; ++i) self->at_end_[{parts->elems[i].topic, parts->elems[i].partition}] = false;
      self->assigned_ = true;
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, parts);
      }
      return;
    }
    // Revoked: hand over what was acknowledged; what was only polled goes to the next owner.
    if (Status s = self->CommitAcknowledged(parts); !s.ok()) self->last_error_ = s.message();
    for (int i = 0; i < parts->cnt; ++i) {
      const TopicPartition tp{parts->elems[i].topic, parts->elems[i].partition};
      self->polled_.erase(tp);
      self->acknowledged_.erase(tp);
      self->at_end_.erase(tp);
      self->end_seen_.erase(tp);
    }
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
    } else {
      rd_kafka_assign(rk, nullptr);
      self->at_end_.clear();
      self->end_seen_.clear();
      self->assigned_ = false;
    }
  }

  const std::string group_;
  const int wait_ms_;
  const int query_ms_;
  rd_kafka_t* const admin_;
  std::unique_ptr<Handle> handle_;
  bool assigned_ = false;
  std::map<TopicPartition, bool> at_end_;           // assigned partitions: reached the end?
  std::map<TopicPartition, int64_t> end_seen_;      // offset of that end
  std::map<TopicPartition, int64_t> polled_;        // next offset after what Poll returned
  std::map<TopicPartition, int64_t> acknowledged_;  // Commit was called, broker not yet told
  std::string last_error_;
};

Result<std::unique_ptr<KafkaLog>> KafkaLog::Open(const KafkaConfig& config) {
  MF_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(config, {{"enable.idempotence", "true"},
                                                      {"acks", "all"},
                                                      {"linger.ms", "5"},
                                                      {"partitioner", "murmur2_random"},
                                                      {"message.timeout.ms", "60000"}}));
  auto* log = new KafkaLog(config, nullptr);
  std::unique_ptr<KafkaLog> owned(log);
  rd_kafka_conf_set_opaque(conf.get(), log);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    if (msg->err) {
      static_cast<KafkaLog*>(opaque)->RecordDeliveryError(std::string("delivery to topic '") +
                                                          rd_kafka_topic_name(msg->rkt) +
                                                          "' failed: " + rd_kafka_err2str(msg->err));
    }
  });
  rd_kafka_conf_set_error_cb(conf.get(), [](rd_kafka_t*, int, const char* reason, void* opaque) {
    static_cast<KafkaLog*>(opaque)->RecordClientError(reason);
  });
  MF_ASSIGN_OR_RETURN(rd_kafka_t * rk, NewClient(RD_KAFKA_PRODUCER, std::move(conf)));
  log->producer_ = std::make_unique<Handle>(rk);
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, nullptr, &md, config.connect_timeout_ms);
  if (err) {
    return Status::Unavailable("kafka: no broker of '" + config.bootstrap_servers + "' answered within " +
                               std::to_string(config.connect_timeout_ms) + " ms (" + ErrorText(err) + ")");
  }
  rd_kafka_metadata_destroy(md);
  return owned;
}

KafkaLog::KafkaLog(KafkaConfig config, std::unique_ptr<Handle> producer)
    : config_(std::move(config)), producer_(std::move(producer)) {}

KafkaLog::~KafkaLog() {
  if (!producer_) return;
  rd_kafka_flush(producer_->rk, config_.connect_timeout_ms);
  for (const auto& [name, rkt] : topic_handles_) rd_kafka_topic_destroy(rkt);
}

void KafkaLog::RecordClientError(const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  last_client_error_ = error;
}

void KafkaLog::RecordDeliveryError(const std::string& error) {
  std::lock_guard<std::mutex> lock(mu_);
  if (first_delivery_error_.empty()) first_delivery_error_ = error;
}

Status KafkaLog::EnsureTopics(const std::vector<std::string>& topics) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> unknown;
  for (const auto& t : topics) {
    if (!known_topics_.count(t)) unknown.push_back(t);
  }
  if (unknown.empty()) return Status::OK();
  MF_ASSIGN_OR_RETURN(auto existing, ListTopics(producer_->rk, config_.connect_timeout_ms));
  std::vector<std::string> missing;
  for (const auto& t : unknown) {
    if (!existing.count(t)) missing.push_back(t);
  }
  if (!missing.empty()) MF_RETURN_IF_ERROR(CreateTopics(producer_->rk, missing, config_));
  known_topics_.insert(unknown.begin(), unknown.end());
  return Status::OK();
}

Result<rd_kafka_topic_s*> KafkaLog::TopicHandle(const std::string& topic) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = topic_handles_.find(topic);
    if (it != topic_handles_.end()) return it->second;
  }
  MF_RETURN_IF_ERROR(EnsureTopics({topic}));
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = topic_handles_.try_emplace(topic, nullptr);
  if (inserted) it->second = rd_kafka_topic_new(producer_->rk, topic.c_str(), nullptr);
  if (!it->second) {
    topic_handles_.erase(it);
    return Status::InvalidArgument("kafka: topic '" + topic + "': " + ErrorText(rd_kafka_last_error()));
  }
  return it->second;
}

Status KafkaLog::Publish(const std::string& topic, const std::string& key, const std::string& value,
                         Timestamp timestamp) {
  if (timestamp.millis() <= 0) {
    return Status::InvalidArgument("kafka: topic '" + topic + "': message time " + timestamp.ToString() +
                                   " is not after 1970-01-01T00:00:00Z (Kafka cannot store it)");
  }
  MF_ASSIGN_OR_RETURN(rd_kafka_topic_t * rkt, TopicHandle(topic));
  std::optional<Clock::time_point> deadline;
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_->rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_TIMESTAMP(timestamp.millis()), RD_KAFKA_V_END);
    if (!err) break;
    if (!deadline) deadline = Clock::now() + std::chrono::milliseconds(config_.connect_timeout_ms);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || Clock::now() >= *deadline) {
      return Status::Unavailable("kafka: cannot publish to topic '" + topic + "': " + ErrorText(err));
    }
    rd_kafka_poll(producer_->rk, 50);  // serve delivery reports to make room
  }
  // Serve delivery reports now and then; Flush serves the rest.
  if (published_.fetch_add(1, std::memory_order_relaxed) % 1024 == 0) rd_kafka_poll(producer_->rk, 0);
  return Status::OK();
}

Status KafkaLog::Flush() {
  const rd_kafka_resp_err_t err = rd_kafka_flush(producer_->rk, 120'000);
  std::lock_guard<std::mutex> lock(mu_);
  if (!first_delivery_error_.empty()) {
    const std::string error = std::exchange(first_delivery_error_, "");
    return Status::Unavailable("kafka: " + error);
  }
  if (err) {
    return Status::Unavailable("kafka: " + std::to_string(rd_kafka_outq_len(producer_->rk)) +
                               " messages still undelivered after 120 s (" + ErrorText(err) +
                               (last_client_error_.empty() ? "" : "; last client error: " + last_client_error_) + ")");
  }
  return Status::OK();
}

Result<std::unique_ptr<Consumer>> KafkaLog::Subscribe(const std::string& group,
                                                      const std::vector<std::string>& topics) {
  MF_RETURN_IF_ERROR(EnsureTopics(topics));
  auto consumer = std::make_unique<KafkaConsumer>(group, config_, producer_->rk);
  MF_RETURN_IF_ERROR(consumer->Start(config_, topics));
  return std::unique_ptr<Consumer>(std::move(consumer));
}

}  // namespace meteoflow
