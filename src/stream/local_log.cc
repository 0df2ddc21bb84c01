#include "stream/local_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <vector>

#include "core/crc32.h"
#include "core/file_util.h"

namespace meteoflow {
namespace {

constexpr size_t kHeaderSize = 8;      // u32 body length, u32 crc of body
constexpr size_t kBodyFixedSize = 20;  // i64 offset, i64 timestamp, u32 key length
constexpr uint32_t kMaxBodySize = 64u << 20;

void PutU32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutI64(std::string* out, int64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(static_cast<uint64_t>(v) >> (8 * i)));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
int64_t GetI64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return static_cast<int64_t>(v);
}

Status CheckName(const std::string& kind, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.size() > 200 ||
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
          std::string::npos) {
    return Status::InvalidArgument(kind + " name '" + name + "' must be 1-200 of [A-Za-z0-9._-]");
  }
  return Status::OK();
}

Status PreadFully(int fd, char* buf, size_t n, off_t pos, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, buf + done, n - done, pos + static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoStatus("read " + path);
    if (r == 0) return Status::Corruption(path + ": unexpected end of file at byte " + std::to_string(pos + done));
    done += static_cast<size_t>(r);
  }
  return Status::OK();
}

}  // namespace

// One topic's segment file and the index of where each record starts.
class LocalLog::TopicFile {
 public:
  static Result<std::unique_ptr<TopicFile>> Open(const std::string& dir) {
    MF_RETURN_IF_ERROR(MakeDirs(dir));
    const std::string path = dir + "/partition-0.log";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus("open " + path);
    auto file = std::unique_ptr<TopicFile>(new TopicFile(path, fd));
    MF_RETURN_IF_ERROR(file->Recover());
    return file;
  }
  ~TopicFile() { ::close(fd_); }

  int64_t end_offset() const { return static_cast<int64_t>(starts_.size()); }

  Status Append(const std::string& key, const std::string& value, Timestamp ts) {
    if (key.size() + value.size() + kBodyFixedSize > kMaxBodySize) {
      return Status::InvalidArgument(path_ + ": message of " + std::to_string(value.size()) +
                                     " bytes is over the 64 MiB limit");
    }
    std::string body;
    body.reserve(kBodyFixedSize + key.size() + value.size());
    PutI64(&body, end_offset());
    PutI64(&body, ts.millis());
    PutU32(&body, static_cast<uint32_t>(key.size()));
    body += key;
    body += value;
    std::string frame;
    PutU32(&frame, static_cast<uint32_t>(body.size()));
    PutU32(&frame, Crc32(body.data(), body.size()));
    frame += body;
    size_t done = 0;
    while (done < frame.size()) {
      const ssize_t n = ::pwrite(fd_, frame.data() + done, frame.size() - done, static_cast<off_t>(end_ + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("append to " + path_);
      done += static_cast<size_t>(n);
    }
    starts_.push_back(end_);
    end_ += frame.size();
    dirty_ = true;
    return Status::OK();
  }

  Status Sync() {
    if (!dirty_) return Status::OK();
    if (::fdatasync(fd_) != 0) return ErrnoStatus("fsync " + path_);
    dirty_ = false;
    return Status::OK();
  }

  Result<LogRecord> ReadAt(int64_t offset) const {
    const uint64_t pos = starts_[static_cast<size_t>(offset)];
    char header[kHeaderSize];
    MF_RETURN_IF_ERROR(PreadFully(fd_, header, kHeaderSize, static_cast<off_t>(pos), path_));
    std::string body(GetU32(header), '\0');
    MF_RETURN_IF_ERROR(PreadFully(fd_, body.data(), body.size(), static_cast<off_t>(pos + kHeaderSize), path_));
    LogRecord rec;
    MF_RETURN_IF_ERROR(Decode(body, GetU32(header + 4), pos, &rec));
    return rec;
  }

 private:
  TopicFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}

  Status Decode(const std::string& body, uint32_t crc, uint64_t pos, LogRecord* rec) const {
    const std::string where = path_ + " at byte " + std::to_string(pos);
    if (Crc32(body.data(), body.size()) != crc) return Status::Corruption(where + ": checksum mismatch");
    if (body.size() < kBodyFixedSize) return Status::Corruption(where + ": record too short");
    const uint32_t key_len = GetU32(body.data() + 16);
    if (key_len > body.size() - kBodyFixedSize) return Status::Corruption(where + ": key length past record end");
    rec->offset = Offset{GetI64(body.data())};
    rec->timestamp = Timestamp::FromMillis(GetI64(body.data() + 8));
    rec->key = body.substr(kBodyFixedSize, key_len);
    rec->value = body.substr(kBodyFixedSize + key_len);
    return Status::OK();
  }

  // Scans the file, indexing records; cuts a torn tail, refuses corruption before the tail.
  Status Recover() {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return ErrnoStatus("stat " + path_);
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    uint64_t pos = 0;
    while (pos + kHeaderSize <= size) {
      char header[kHeaderSize];
      MF_RETURN_IF_ERROR(PreadFully(fd_, header, kHeaderSize, static_cast<off_t>(pos), path_));
      const uint32_t len = GetU32(header);
      if (len > kMaxBodySize || pos + kHeaderSize + len > size) break;  // torn tail
      std::string body(len, '\0');
      MF_RETURN_IF_ERROR(PreadFully(fd_, body.data(), len, static_cast<off_t>(pos + kHeaderSize), path_));
      LogRecord rec;
      Status s = Decode(body, GetU32(header + 4), pos, &rec);
      const bool is_tail = pos + kHeaderSize + len == size;
      if (!s.ok() && is_tail) break;
      if (!s.ok()) return s;
      if (ToInt(rec.offset) != end_offset()) {
        return Status::Corruption(path_ + " at byte " + std::to_string(pos) + ": offset " +
                                  std::to_string(ToInt(rec.offset)) + " where " + std::to_string(end_offset()) +
                                  " was expected");
      }
      starts_.push_back(pos);
      pos += kHeaderSize + len;
    }
    end_ = pos;
    if (pos != size && ::ftruncate(fd_, static_cast<off_t>(pos)) != 0) return ErrnoStatus("truncate " + path_);
    return Status::OK();
  }

  const std::string path_;
  const int fd_;
  std::vector<uint64_t> starts_;
  uint64_t end_ = 0;
  bool dirty_ = false;
};

class LocalLog::LocalConsumer : public Consumer {
 public:
  LocalConsumer(LocalLog* log, std::string group, std::map<std::string, int64_t> positions)
      : log_(log), group_(std::move(group)), positions_(std::move(positions)) {}

  Result<std::vector<LogRecord>> Poll(size_t max_records) override {
    std::vector<LogRecord> out;
    std::map<std::string, int64_t> next = positions_;  // moved only when every read succeeded
    for (auto& [topic, position] : next) {
      if (out.size() >= max_records) break;
      MF_ASSIGN_OR_RETURN(auto batch, log_->Read(topic, position, max_records - out.size()));
      position += static_cast<int64_t>(batch.size());
      for (auto& r : batch) out.push_back(std::move(r));
    }
    positions_ = std::move(next);
    return out;
  }

  Status Commit() override {
    for (const auto& [topic, position] : positions_) {
      MF_RETURN_IF_ERROR(log_->CommitOffset(group_, topic, position));
    }
    return Status::OK();
  }

  std::vector<std::pair<std::string, PartitionId>> Assignment() const override {
    std::vector<std::pair<std::string, PartitionId>> out;
    for (const auto& [topic, position] : positions_) out.emplace_back(topic, PartitionId{0});
    return out;
  }

 private:
  LocalLog* log_;
  const std::string group_;
  std::map<std::string, int64_t> positions_;
};

Result<std::unique_ptr<LocalLog>> LocalLog::Open(const std::string& dir) {
  MF_RETURN_IF_ERROR(MakeDirs(dir));
  const std::string lock_path = dir + "/LOCK";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open " + lock_path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status::Unavailable("log " + dir + " is in use by another meteoflow process");
  }
  return std::unique_ptr<LocalLog>(new LocalLog(dir, fd));
}

LocalLog::LocalLog(std::string dir, int lock_fd) : dir_(std::move(dir)), lock_fd_(lock_fd) {}

LocalLog::~LocalLog() {
  topics_.clear();
  ::close(lock_fd_);
}

Result<LocalLog::TopicFile*> LocalLog::Topic(const std::string& name) {
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second.get();
  MF_RETURN_IF_ERROR(CheckName("topic", name));
  MF_ASSIGN_OR_RETURN(auto file, TopicFile::Open(dir_ + "/" + name));
  TopicFile* raw = file.get();
  topics_.emplace(name, std::move(file));
  return raw;
}

Status LocalLog::Publish(const std::string& topic, const std::string& key, const std::string& value,
                         Timestamp timestamp) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(TopicFile * file, Topic(topic));
  return file->Append(key, value, timestamp);
}

Status LocalLog::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [name, file] : topics_) MF_RETURN_IF_ERROR(file->Sync());
  return Status::OK();
}

Result<int64_t> LocalLog::EndOffset(const std::string& topic) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(TopicFile * file, Topic(topic));
  return file->end_offset();
}

Result<std::vector<LogRecord>> LocalLog::Read(const std::string& topic, int64_t from, size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(TopicFile * file, Topic(topic));
  std::vector<LogRecord> out;
  for (int64_t o = from; o < file->end_offset() && out.size() < max; ++o) {
    MF_ASSIGN_OR_RETURN(LogRecord rec, file->ReadAt(o));
    rec.topic = topic;
    out.push_back(std::move(rec));
  }
  return out;
}

Result<int64_t> LocalLog::CommittedOffset(const std::string& group, const std::string& topic) {
  const std::string path = dir_ + "/" + topic + "/groups/" + group + ".offset";
  if (!std::filesystem::exists(path)) return int64_t{0};
  MF_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || (*end != '\n' && *end != '\0') || v < 0) {
    return Status::Corruption(path + ": not an offset: '" + text.substr(0, 40) + "'");
  }
  return static_cast<int64_t>(v);
}

Status LocalLog::CommitOffset(const std::string& group, const std::string& topic, int64_t next) {
  const std::string dir = dir_ + "/" + topic + "/groups";
  MF_RETURN_IF_ERROR(MakeDirs(dir));
  return WriteFileAtomically(dir + "/" + group + ".offset", std::to_string(next) + "\n");
}

Result<std::unique_ptr<Consumer>> LocalLog::Subscribe(const std::string& group,
                                                      const std::vector<std::string>& topics) {
  MF_RETURN_IF_ERROR(CheckName("consumer group", group));
  std::map<std::string, int64_t> positions;
  for (const auto& t : topics) {
    MF_RETURN_IF_ERROR(CheckName("topic", t));
    MF_ASSIGN_OR_RETURN(int64_t committed, CommittedOffset(group, t));
    MF_ASSIGN_OR_RETURN(int64_t end, EndOffset(t));
    if (committed > end) {
      return Status::Corruption("group '" + group + "' committed offset " + std::to_string(committed) +
                                " past the end (" + std::to_string(end) + ") of topic '" + t + "'");
    }
    positions[t] = committed;
  }
  return std::unique_ptr<Consumer>(new LocalConsumer(this, group, std::move(positions)));
}

}  // namespace meteoflow
