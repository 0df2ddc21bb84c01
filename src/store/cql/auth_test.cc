// Authentication against a real node with PasswordAuthenticator (ctest fixture
// peer_cassandra_auth: tools/cassandra start --auth, MF_CASSANDRA_AUTH_CONTACT).
#include <gtest/gtest.h>

#include <cstdlib>

#include "store/cql/connection.h"

namespace meteoflow::cql {
namespace {

TEST(CqlConnectionAuthTest, PasswordAuthenticatorNeedsTheRightCredentials) {
  const char* contact = std::getenv("MF_CASSANDRA_AUTH_CONTACT");
  if (!contact || !*contact) {
    if (std::getenv("CI")) FAIL() << "CI=true but MF_CASSANDRA_AUTH_CONTACT is not set: no node with auth";
    GTEST_SKIP() << "Cassandra node with PasswordAuthenticator not running (run via ctest)";
  }
  ConnectOptions o;
  const std::string text = contact;
  o.host = text.substr(0, text.rfind(':'));
  o.port = std::atoi(text.substr(text.rfind(':') + 1).c_str());
  auto anonymous = Connection::Open(o);
  ASSERT_FALSE(anonymous.ok());
  EXPECT_EQ(anonymous.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(anonymous.status().message().find("PasswordAuthenticator"), std::string::npos)
      << anonymous.status().message();
  o.user = "cassandra";
  o.password = "wrong";
  auto wrong = Connection::Open(o);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("Bad_credentials (0x0100)"), std::string::npos) << wrong.status().message();
  o.password = "cassandra";
  auto right = Connection::Open(o);
  ASSERT_TRUE(right.ok()) << right.status().ToString();
  auto who = (*right)->Query("SELECT release_version FROM system.local WHERE key = 'local'");
  ASSERT_TRUE(who.ok()) << who.status().ToString();
  EXPECT_EQ(DecodeValue(who->rows.columns[0].type, who->rows.cells[0][0])->text().substr(0, 2), "5.");
}

}  // namespace
}  // namespace meteoflow::cql
