// The connection against a fake server on loopback that answers STARTUP with hostile bytes:
// every case must end in a clear error on the caller's side -- no crash, no hang, no huge
// allocation.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "store/cql/connection.h"

namespace meteoflow::cql {
namespace {

// Listens on 127.0.0.1 (a free port), accepts one client, reads its first frame, writes `reply`
// and then closes (or keeps the socket open for `hold_ms`).
class FakeServer {
 public:
  FakeServer(std::string reply, int hold_ms = 0) : reply_(std::move(reply)), hold_ms_(hold_ms) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd_, 1) != 0) {
      ADD_FAILURE() << "fake server: cannot listen on loopback";
    }
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      char header[9];
      if (recv(client, header, 9, MSG_WAITALL) == 9) {
        const uint32_t length = (uint32_t(uint8_t(header[5])) << 24) | (uint32_t(uint8_t(header[6])) << 16) |
                                (uint32_t(uint8_t(header[7])) << 8) | uint8_t(header[8]);
        std::string body(length, '\0');
        recv(client, body.data(), length, MSG_WAITALL);
        send(client, reply_.data(), reply_.size(), MSG_NOSIGNAL);
      }
      if (hold_ms_) std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms_));
      close(client);
    });
  }
  ~FakeServer() {
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }

 private:
  std::string reply_;
  int hold_ms_;
  int fd_ = -1, port_ = 0;
  std::thread thread_;
};

std::string Frame(uint8_t version, uint8_t opcode, uint32_t length, const std::string& body) {
  WireWriter w;
  w.Byte(version);
  w.Byte(0);
  w.Short(0);
  w.Byte(opcode);
  w.Int(static_cast<int32_t>(length));
  return w.data() + body;
}

TEST(CqlFakeServerTest, HostileRepliesGiveClearErrors) {
  struct Case {
    std::string name, reply;
    int hold_ms;
    std::string error;
  };
  const Case cases[] = {
      {"closes at once", "", 0, "closed the connection"},
      {"truncated header", std::string("\x84\x00\x00", 3), 0, "closed the connection"},
      {"wrong version", Frame(0x05, kReady, 0, ""), 0, "not 0x84"},
      {"unknown opcode", Frame(0x84, 0x33, 0, ""), 0, "not a response"},
      {"lying length", Frame(0x84, kReady, 1000, "short"), 0, "closed the connection"},
      {"huge length", Frame(0x84, kError, 0xF0000000, ""), 0, "exceeds the limit"},
      {"bad error body", Frame(0x84, kError, 3, "abc"), 0, "error code"},
      {"silence", "", 3000, "no response within"},
  };
  for (const Case& c : cases) {
    FakeServer server(c.reply, c.hold_ms);
    ConnectOptions o;
    o.port = server.port();
    o.request_timeout_ms = 1000;
    auto conn = Connection::Open(o);
    ASSERT_FALSE(conn.ok()) << c.name;
    EXPECT_NE(conn.status().message().find(c.error), std::string::npos) << c.name << ": " << conn.status().message();
  }
}

}  // namespace
}  // namespace meteoflow::cql
