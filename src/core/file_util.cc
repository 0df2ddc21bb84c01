#include "core/file_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace meteoflow {

Status ErrnoStatus(const std::string& what) { return Status::IOError(what + ": " + std::strerror(errno)); }

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IOError("create directory " + path + ": " + ec.message());
  return Status::OK();
}

namespace {

Status Fsync(const std::string& path, int flags, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  if (fd < 0) return ErrnoStatus("open " + what + path);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync " + what + path);
  return Status::OK();
}

Status WriteAndSync(const std::string& path, std::string_view contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open " + path);
  Status status;
  for (size_t done = 0; status.ok() && done < contents.size();) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n >= 0) {
      done += static_cast<size_t>(n);
    } else if (errno != EINTR) {
      status = ErrnoStatus("write " + path);
    }
  }
  if (status.ok() && ::fsync(fd) != 0) status = ErrnoStatus("fsync " + path);
  if (::close(fd) != 0 && status.ok()) status = ErrnoStatus("close " + path);
  return status;
}

}  // namespace

Status FsyncDir(const std::string& path) { return Fsync(path, O_DIRECTORY, "directory "); }

Status FsyncFile(const std::string& path) { return Fsync(path, 0, ""); }

Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  Status written = WriteAndSync(tmp, contents);
  if (written.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) written = ErrnoStatus("rename " + tmp + " to " + path);
  if (!written.ok()) {
    ::unlink(tmp.c_str());  // a full disk must not leave half a file behind
    return written;
  }
  return FsyncDir(std::filesystem::path(path).parent_path().string());
}

Result<std::string> ReadWholeFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = ErrnoStatus("read " + path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Result<FileLock> FileLock::Acquire(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open " + path);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    Status s = ErrnoStatus("flock " + path);
    ::close(fd);
    return s;
  }
  return FileLock(fd);
}

Result<std::optional<FileLock>> FileLock::TryAcquire(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open " + path);
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const bool held_elsewhere = errno == EWOULDBLOCK;
    Status s = ErrnoStatus("flock " + path);
    ::close(fd);
    if (held_elsewhere) return std::optional<FileLock>();
    return s;
  }
  return std::optional<FileLock>(FileLock(fd));
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace meteoflow
