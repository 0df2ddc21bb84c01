// Connection: one TCP connection to a Cassandra node speaking CQL native protocol v4 --
// STARTUP, SASL PLAIN authentication, then many requests in flight at once, each on its own
// stream id (at most `max_in_flight`; callers beyond that wait for a free id), each with a
// timeout. A reader thread matches responses to streams. A request whose time ran out keeps its
// stream id until the late response arrives (so a reused id never receives a stale reply).
// A broken socket or a frame that does not decode fails every pending request with that error and
// marks the connection broken; the caller opens a new one.
//
// Errors the server sends come back as Status (Unavailable for overload/unavailability/timeouts,
// InvalidArgument for syntax/invalid/unauthorized/bad credentials, else Internal) whose message
// is ErrorText ("Invalid (0x2200): ..."). EXECUTE re-prepares once on Unprepared.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "store/cql/protocol.h"

namespace meteoflow::cql {

struct ConnectOptions {
  std::string host = "127.0.0.1";
  int port = 9042;
  std::string user, password;  // empty user: no authentication offered
  int connect_timeout_ms = 5000;
  int request_timeout_ms = 12000;  // above the server's own timeouts, so its typed errors win
  int max_in_flight = 1024;        // stream ids in use at once, 1..32768
};

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One request and its response. A server ERROR is returned as a Response (opcode kError).
  Result<Response> Request(uint8_t opcode, const std::string& body);
  // The same in two halves, for many requests in flight from one thread: Submit sends, Await
  // waits for that request's response (each ticket must be awaited exactly once).
  struct Ticket {
    int16_t stream;
    std::chrono::steady_clock::time_point deadline;
  };
  Result<Ticket> Submit(uint8_t opcode, const std::string& body);
  Result<Response> Await(const Ticket& ticket);
  // Sends every body with up to max_in_flight outstanding; the first failure (a server error as
  // a Status) is returned after every sent request was answered.
  Status Pipeline(uint8_t opcode, const std::vector<std::string>& bodies);
  // QUERY; a server error becomes a Status.
  Result<Response> Query(std::string_view cql, const QueryParams& params = {});
  Result<Prepared> Prepare(std::string_view cql);
  // EXECUTE of a statement prepared with Prepare (`cql` is its text, to re-prepare on Unprepared).
  Result<Response> Execute(const Prepared& prepared, std::string_view cql, const QueryParams& params);
  Result<Response> Batch(BatchType type, const std::vector<BatchStatement>& statements, Consistency consistency);

  bool broken() const { return broken_.load(); }
  const std::string& peer() const { return peer_; }

 private:
  struct Pending {
    bool waiting = false, done = false, orphaned = false;
    std::optional<Result<Response>> result;
  };
  explicit Connection(int fd, ConnectOptions options);
  Status Handshake();
  void ReadLoop();
  void Fail(const Status& s);
  Result<Response> Checked(Result<Response> r);

  int fd_;
  ConnectOptions options_;
  std::string peer_;
  std::atomic<bool> broken_{false};
  std::mutex write_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> pending_;  // by stream id
  std::vector<int16_t> free_ids_;
  Status failure_;
  std::thread reader_;
};

// A server error as a Status (see the header comment).
Status ServerStatus(const ServerError& e);

}  // namespace meteoflow::cql
