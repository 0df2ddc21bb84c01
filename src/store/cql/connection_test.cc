#include "store/cql/connection.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

namespace meteoflow::cql {
namespace {

// The real node ctest starts (tools/cassandra, MF_CASSANDRA_CONTACT=host:port).
std::optional<ConnectOptions> Node() {
  const char* contact = std::getenv("MF_CASSANDRA_CONTACT");
  if (!contact || !*contact) return std::nullopt;
  ConnectOptions o;
  const std::string text = contact;
  o.host = text.substr(0, text.rfind(':'));
  o.port = std::atoi(text.substr(text.rfind(':') + 1).c_str());
  return o;
}

#define REQUIRE_NODE(options)                                                                       \
  auto options = Node();                                                                            \
  if (!options) {                                                                                   \
    if (std::getenv("CI")) FAIL() << "CI=true but MF_CASSANDRA_CONTACT is not set: no real node";   \
    GTEST_SKIP() << "real Cassandra node not running (set MF_CASSANDRA_CONTACT, or run via ctest)"; \
  }

class CqlConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_NODE(options);
    auto c = Connection::Open(*options);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    conn_ = std::move(c).value();
    ks_ = "mf_cql_test_" + std::to_string(::getpid());
    ASSERT_TRUE(conn_
                    ->Query("CREATE KEYSPACE IF NOT EXISTS " + ks_ +
                            " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
                    .ok());
  }
  void TearDown() override {
    if (conn_) (void)conn_->Query("DROP KEYSPACE IF EXISTS " + ks_);
  }
  std::unique_ptr<Connection> conn_;
  std::string ks_;
};

TEST_F(CqlConnectionTest, PreparedWritesReadBackEveryType) {
  ASSERT_TRUE(conn_
                  ->Query("CREATE TABLE " + ks_ +
                          ".t (city text, at timestamp, temp double, n int, big bigint, ok boolean, id uuid, "
                          "PRIMARY KEY (city, at))")
                  .ok());
  const std::string insert = "INSERT INTO " + ks_ + ".t (city, at, temp, n, big, ok, id) VALUES (?, ?, ?, ?, ?, ?, ?)";
  auto prepared = conn_->Prepare(insert);
  ASSERT_TRUE(prepared.ok()) << prepared.status().ToString();
  ASSERT_EQ(prepared->bind_columns.size(), 7u);
  EXPECT_EQ(prepared->partition_key_indexes, std::vector<uint16_t>{0});
  const std::vector<Value> row = {Value::Text("Tétouan"),
                                  Value::TimestampMillis(1733263017000),
                                  Value::Double(-3.25),
                                  Value::Int(-42),
                                  Value::Bigint(int64_t{1} << 40),
                                  Value::Boolean(true),
                                  Value::UuidValue({0x12, 0x34, 0, 0, 0, 0, 0x40, 0, 0x80})};
  QueryParams params;
  for (size_t i = 0; i < row.size(); ++i)
    params.values.push_back(*EncodeValue(row[i], &prepared->bind_columns[i].type));
  ASSERT_TRUE(conn_->Execute(*prepared, insert, params).ok());
  auto read = conn_->Query("SELECT city, at, temp, n, big, ok, id FROM " + ks_ + ".t");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->rows.cells.size(), 1u);
  for (size_t i = 0; i < row.size(); ++i) {
    EXPECT_EQ(*DecodeValue(read->rows.columns[i].type, read->rows.cells[0][i]), row[i]) << read->rows.columns[i].name;
  }
}

TEST_F(CqlConnectionTest, PagesThroughManyRowsAndBatchesUnlogged) {
  ASSERT_TRUE(conn_->Query("CREATE TABLE " + ks_ + ".p (k int, c int, PRIMARY KEY (k, c))").ok());
  const std::string insert = "INSERT INTO " + ks_ + ".p (k, c) VALUES (?, ?)";
  auto prepared = conn_->Prepare(insert);
  ASSERT_TRUE(prepared.ok());
  for (int batch = 0; batch < 5; ++batch) {
    std::vector<BatchStatement> statements;
    for (int c = 0; c < 50; ++c) {
      statements.push_back({prepared->id, "", {*EncodeValue(Value::Int(1)), *EncodeValue(Value::Int(batch * 50 + c))}});
    }
    ASSERT_TRUE(conn_->Batch(BatchType::kUnlogged, statements, kLocalOne).ok());
  }
  QueryParams page;
  page.page_size = 100;
  int seen = 0, pages = 0;
  do {
    auto r = conn_->Query("SELECT c FROM " + ks_ + ".p WHERE k = 1", page);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    for (const auto& cells : r->rows.cells)
      EXPECT_EQ(DecodeValue(r->rows.columns[0].type, cells[0])->integer(), seen++);
    page.paging_state = r->rows.paging_state;
    ++pages;
  } while (page.paging_state && pages < 10);
  EXPECT_EQ(seen, 250);
  EXPECT_EQ(pages, 3);
}

TEST_F(CqlConnectionTest, ManyRequestsInFlightShareFewStreamIds) {
  REQUIRE_NODE(options);
  options->max_in_flight = 4;
  auto narrow = Connection::Open(*options);
  ASSERT_TRUE(narrow.ok());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        auto r = (*narrow)->Query("SELECT release_version FROM system.local WHERE key = 'local'");
        ok += r.ok() && r->rows.cells.size() == 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST_F(CqlConnectionTest, ServerErrorsSayWhatFailed) {
  auto syntax = conn_->Query("SELEKT nothing");
  EXPECT_EQ(syntax.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(syntax.status().message().find("Syntax_error (0x2000)"), std::string::npos) << syntax.status().message();
  auto missing = conn_->Query("SELECT * FROM " + ks_ + ".no_such_table");
  EXPECT_NE(missing.status().message().find("Invalid (0x2200)"), std::string::npos) << missing.status().message();
  EXPECT_FALSE(conn_->broken());  // errors leave the connection usable
  EXPECT_TRUE(conn_->Query("SELECT now() FROM system.local").ok());
}

TEST(CqlConnectionOpenTest, UnreachableNodesFailInOneLine) {
  ConnectOptions o;
  o.port = 1;  // nothing listens on loopback port 1
  o.connect_timeout_ms = 500;
  auto c = Connection::Open(o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(c.status().message().find("127.0.0.1:1"), std::string::npos) << c.status().message();
}

}  // namespace
}  // namespace meteoflow::cql
