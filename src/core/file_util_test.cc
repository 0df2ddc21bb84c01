#include "core/file_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

// flock locks belong to an open file, so a second open in this process stands for another process.
TEST(FileLockTest, TryAcquireGivesNothingWhileHeldAndTheLockOnceReleased) {
  const fs::path dir = fs::temp_directory_path() / ("mf_file_lock_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "scheduler.lock").string();
  {
    auto held = FileLock::TryAcquire(path);
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    ASSERT_TRUE(held->has_value());
    auto second = FileLock::TryAcquire(path);
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_FALSE(second->has_value());
  }
  auto after = FileLock::TryAcquire(path);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->has_value());
  auto missing_dir = FileLock::TryAcquire((dir / "no-such-dir" / "x.lock").string());
  ASSERT_FALSE(missing_dir.ok());
  EXPECT_NE(missing_dir.status().message().find("no-such-dir"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace meteoflow
