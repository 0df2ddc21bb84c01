// Small POSIX file helpers shared by the log, the lake and the stores.
//
// WriteFileAtomically is the one way meteoflow makes a whole file durable: write to a
// temporary name in the same folder, fsync it, rename over the target, fsync the folder.
// After it returns OK the file survives a crash; before, the old content (or nothing) does.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meteoflow {

Status WriteFileAtomically(const std::string& path, std::string_view contents);
Result<std::string> ReadWholeFile(const std::string& path);
Status MakeDirs(const std::string& path);
Status FsyncDir(const std::string& path);
// fsync of a file written and closed before (a Parquet writer's, say).
Status FsyncFile(const std::string& path);
// An exclusive advisory lock (flock) on a file, created when missing, held until the object is
// destroyed (or the process dies). Acquire blocks until the lock is granted; TryAcquire gives
// nothing when another process holds it. It serialises processes, not threads; children do not
// inherit it.
class FileLock {
 public:
  static Result<FileLock> Acquire(const std::string& path);
  static Result<std::optional<FileLock>> TryAcquire(const std::string& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

// errno as text, with what was being done: "open /x/y: No such file or directory".
Status ErrnoStatus(const std::string& what);

}  // namespace meteoflow
