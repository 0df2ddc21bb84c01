#include "stream/local_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

class LocalLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("mf_log_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::unique_ptr<LocalLog> OpenLog() {
    auto log = LocalLog::Open(dir_.string());
    EXPECT_TRUE(log.ok()) << log.status().ToString();
    return std::move(log).value();
  }
  fs::path dir_;
};

TEST_F(LocalLogTest, PublishPollCommitResume) {
  {
    auto log = OpenLog();
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(log->Publish("t", "k" + std::to_string(i), "v" + std::to_string(i), Timestamp::FromMillis(i)).ok());
    }
    ASSERT_TRUE(log->Flush().ok());
    auto c = std::move(log->Subscribe("g", {"t"})).value();
    auto batch = std::move(c->Poll(3)).value();
    ASSERT_EQ(batch.size(), 3u);
    EXPECT_EQ(batch[2].key, "k2");
    EXPECT_EQ(batch[2].value, "v2");
    EXPECT_EQ(batch[2].offset, Offset{2});
    EXPECT_EQ(batch[2].timestamp.millis(), 2);
    ASSERT_TRUE(c->Commit().ok());
  }
  auto log = OpenLog();  // reopen: durable data and committed offsets survive
  auto c = std::move(log->Subscribe("g", {"t"})).value();
  auto rest = std::move(c->Poll(100)).value();
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].offset, Offset{3});
  auto other = std::move(log->Subscribe("other", {"t"})).value();
  EXPECT_EQ(std::move(other->Poll(100)).value().size(), 5u);
}

TEST_F(LocalLogTest, UncommittedRecordsAreDeliveredAgain) {
  auto log = OpenLog();
  ASSERT_TRUE(log->Publish("t", "k", "v", Timestamp()).ok());
  {
    auto c = std::move(log->Subscribe("g", {"t"})).value();
    EXPECT_EQ(std::move(c->Poll(10)).value().size(), 1u);
  }
  auto c = std::move(log->Subscribe("g", {"t"})).value();
  EXPECT_EQ(std::move(c->Poll(10)).value().size(), 1u);
}

TEST_F(LocalLogTest, EmptyAndLargeMessagesAndEmptyTopics) {
  auto log = OpenLog();
  const std::string big(5 << 20, 'x');
  ASSERT_TRUE(log->Publish("t", "", "", Timestamp()).ok());
  ASSERT_TRUE(log->Publish("t", "k", big, Timestamp()).ok());
  auto c = std::move(log->Subscribe("g", {"t", "never_written"})).value();
  auto batch = std::move(c->Poll(10)).value();
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[0].value, "");
  EXPECT_EQ(batch[1].value.size(), big.size());
}

TEST_F(LocalLogTest, TornTailIsCutOnRecovery) {
  {
    auto log = OpenLog();
    ASSERT_TRUE(log->Publish("t", "a", "first", Timestamp()).ok());
    ASSERT_TRUE(log->Publish("t", "b", "second", Timestamp()).ok());
    ASSERT_TRUE(log->Flush().ok());
  }
  const fs::path seg = dir_ / "t" / "partition-0.log";
  fs::resize_file(seg, fs::file_size(seg) - 3);  // a crash in the middle of the last append
  auto log = OpenLog();
  EXPECT_EQ(*log->EndOffset("t"), 1);
  ASSERT_TRUE(log->Publish("t", "c", "third", Timestamp()).ok());
  auto c = std::move(log->Subscribe("g", {"t"})).value();
  auto batch = std::move(c->Poll(10)).value();
  ASSERT_EQ(batch.size(), 2u);
  EXPECT_EQ(batch[1].value, "third");
  EXPECT_EQ(batch[1].offset, Offset{1});
}

TEST_F(LocalLogTest, CorruptionBeforeTheTailIsAnError) {
  {
    auto log = OpenLog();
    ASSERT_TRUE(log->Publish("t", "a", "first", Timestamp()).ok());
    ASSERT_TRUE(log->Publish("t", "b", "second", Timestamp()).ok());
  }
  {
    std::fstream f(dir_ / "t" / "partition-0.log", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(30);
    f.put('#');
  }
  auto log = OpenLog();
  auto c = log->Subscribe("g", {"t"});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kCorruption);
}

TEST_F(LocalLogTest, RejectsBadNamesAndSecondProcessLock) {
  auto log = OpenLog();
  EXPECT_FALSE(log->Publish("../escape", "k", "v", Timestamp()).ok());
  EXPECT_FALSE(log->Subscribe("bad group", {"t"}).ok());
  auto second = LocalLog::Open(dir_.string());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST_F(LocalLogTest, CorruptOffsetFileIsAnError) {
  {
    auto log = OpenLog();
    ASSERT_TRUE(log->Publish("t", "a", "v", Timestamp()).ok());
    auto c = std::move(log->Subscribe("g", {"t"})).value();
    ASSERT_TRUE(c->Poll(10).ok());
    ASSERT_TRUE(c->Commit().ok());
  }
  std::ofstream(dir_ / "t" / "groups" / "g.offset") << "not-a-number";
  auto log = OpenLog();
  EXPECT_EQ(log->Subscribe("g", {"t"}).status().code(), StatusCode::kCorruption);
  std::ofstream(dir_ / "t" / "groups" / "g.offset") << "99\n";
  EXPECT_EQ(log->Subscribe("g", {"t"}).status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace meteoflow
