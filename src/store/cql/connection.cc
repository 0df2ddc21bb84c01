#include "store/cql/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>

#include "core/version.h"

namespace meteoflow::cql {
namespace {

Result<int> Dial(const ConnectOptions& o) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string where = o.host + ":" + std::to_string(o.port);
  if (int rc = getaddrinfo(o.host.c_str(), std::to_string(o.port).c_str(), &hints, &found); rc != 0) {
    return Status::Unavailable("cql " + where + ": cannot resolve: " + gai_strerror(rc));
  }
  Status last = Status::Unavailable("cql " + where + ": no address");
  for (addrinfo* a = found; a; a = a->ai_next) {
    const int fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    int rc = connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = poll(&p, 1, o.connect_timeout_ms) == 1 ? 0 : -1;
      int err = rc == 0 ? 0 : ETIMEDOUT;
      socklen_t len = sizeof err;
      if (rc == 0) getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      rc = err == 0 ? 0 : -1;
      errno = err;
    }
    if (rc == 0) {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      freeaddrinfo(found);
      return fd;
    }
    last = Status::Unavailable("cql " + where + ": cannot connect: " + std::strerror(errno));
    close(fd);
  }
  freeaddrinfo(found);
  return last;
}

Status ReadExactly(int fd, char* out, size_t n) {
  while (n > 0) {
    const ssize_t got = recv(fd, out, n, 0);
    if (got == 0) return Status::Unavailable("the server closed the connection");
    if (got < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable(std::string("reading from the server: ") + std::strerror(errno));
    }
    out += got;
    n -= static_cast<size_t>(got);
  }
  return Status::OK();
}

}  // namespace

Status ServerStatus(const ServerError& e) {
  const std::string text = "cql: " + ErrorText(e);
  switch (e.code) {
    case 0x1000:
    case 0x1001:
    case 0x1002:
    case 0x1100:
    case 0x1200:
      return Status::Unavailable(text);
    case 0x0100:
    case 0x2000:
    case 0x2100:
    case 0x2200:
    case 0x2300:
    case 0x2400:
      return Status::InvalidArgument(text);
    default:
      return Status::Internal(text);
  }
}

Connection::Connection(int fd, ConnectOptions options)
    : fd_(fd), options_(std::move(options)), pending_(static_cast<size_t>(options_.max_in_flight)) {
  peer_ = options_.host + ":" + std::to_string(options_.port);
  for (int i = options_.max_in_flight - 1; i >= 0; --i) free_ids_.push_back(static_cast<int16_t>(i));
  reader_ = std::thread([this] { ReadLoop(); });
}

Connection::~Connection() {
  shutdown(fd_, SHUT_RDWR);
  reader_.join();
  close(fd_);
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  if (options.max_in_flight < 1 || options.max_in_flight > 32768) {
    return Status::InvalidArgument("cql: max_in_flight must be in 1..32768");
  }
  MF_ASSIGN_OR_RETURN(const int fd, Dial(options));
  std::unique_ptr<Connection> c(new Connection(fd, options));
  MF_RETURN_IF_ERROR(c->Handshake());
  return c;
}

Status Connection::Handshake() {
  MF_ASSIGN_OR_RETURN(
      Response r,
      Request(kStartup,
              StartupBody({{"CQL_VERSION", "3.0.0"}, {"DRIVER_NAME", "meteoflow"}, {"DRIVER_VERSION", kVersion}})));
  if (r.opcode == kReady) return Status::OK();
  if (r.opcode == kError) return ServerStatus(r.error);
  if (r.opcode != kAuthenticate) {
    return Status::Corruption("cql " + peer_ + ": unexpected opcode " + std::to_string(r.opcode) + " after STARTUP");
  }
  if (options_.user.empty()) {
    return Status::InvalidArgument("cql " + peer_ + ": the server asks for authentication (" + r.authenticator +
                                   ") and no user is configured");
  }
  MF_ASSIGN_OR_RETURN(Response auth, Request(kAuthResponse, AuthResponseBody(options_.user, options_.password)));
  if (auth.opcode == kAuthSuccess) return Status::OK();
  if (auth.opcode == kError) return ServerStatus(auth.error);
  return Status::Corruption("cql " + peer_ + ": unexpected opcode " + std::to_string(auth.opcode) +
                            " after AUTH_RESPONSE (only SASL PLAIN is supported)");
}

void Connection::Fail(const Status& s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (broken_.exchange(true)) return;
  failure_ = s;
  for (Pending& p : pending_) {
    if (p.waiting && !p.done) {
      p.done = true;
      p.result = Result<Response>(s);
    }
  }
  cv_.notify_all();
}

void Connection::ReadLoop() {
  std::string header(kHeaderSize, '\0'), body;
  while (true) {
    Status s = ReadExactly(fd_, header.data(), kHeaderSize);
    Result<FrameHeader> h = s.ok() ? DecodeResponseHeader(header) : Result<FrameHeader>(s);
    if (h.ok()) {
      body.resize(h->length);
      s = ReadExactly(fd_, body.data(), h->length);
      if (!s.ok()) h = s;
    }
    if (!h.ok()) return Fail(h.status().WithContext("cql " + peer_));
    if (h->stream < 0) continue;  // an event: not a reply
    Result<Response> r = DecodeResponse(*h, body);
    std::lock_guard<std::mutex> lock(mu_);
    if (static_cast<size_t>(h->stream) >= pending_.size() || !pending_[static_cast<size_t>(h->stream)].waiting) {
      continue;  // nobody asked on this stream: ignore it
    }
    Pending& p = pending_[static_cast<size_t>(h->stream)];
    if (p.orphaned) {  // its caller gave up: the id is free again now
      p = Pending();
      free_ids_.push_back(h->stream);
    } else {
      p.done = true;
      p.result = std::move(r);
    }
    cv_.notify_all();
  }
}

Result<Connection::Ticket> Connection::Submit(uint8_t opcode, const std::string& body) {
  Ticket t{0, std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.request_timeout_ms)};
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_until(lock, t.deadline, [&] { return broken_ || !free_ids_.empty(); })) {
      return Status::Unavailable("cql " + peer_ + ": no free stream id within the request timeout");
    }
    if (broken_) return failure_;
    t.stream = free_ids_.back();
    free_ids_.pop_back();
    pending_[static_cast<size_t>(t.stream)] = Pending{true, false, false, std::nullopt};
  }
  const std::string frame = EncodeFrame(t.stream, opcode, body);
  std::lock_guard<std::mutex> lock(write_mu_);
  size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t n = send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {  // every pending request, this one included, fails with this
      Fail(Status::Unavailable("cql " + peer_ + ": writing to the server: " + std::strerror(errno)));
      break;
    }
    sent += static_cast<size_t>(n);
  }
  return t;
}

Result<Response> Connection::Await(const Ticket& t) {
  std::unique_lock<std::mutex> lock(mu_);
  Pending& p = pending_[static_cast<size_t>(t.stream)];
  if (!cv_.wait_until(lock, t.deadline, [&] { return p.done; })) {
    p.orphaned = true;  // the id comes back when the late reply does
    return Status::Unavailable("cql " + peer_ + ": no response within " + std::to_string(options_.request_timeout_ms) +
                               " ms");
  }
  Result<Response> out = std::move(*p.result);
  p = Pending();
  if (!broken_) free_ids_.push_back(t.stream);
  cv_.notify_all();
  return out;
}

Result<Response> Connection::Request(uint8_t opcode, const std::string& body) {
  MF_ASSIGN_OR_RETURN(const Ticket t, Submit(opcode, body));
  return Await(t);
}

Status Connection::Pipeline(uint8_t opcode, const std::vector<std::string>& bodies) {
  std::deque<Ticket> window;
  Status first = Status::OK();
  auto settle = [&]() {
    Result<Response> r = Checked(Await(window.front()));
    window.pop_front();
    if (!r.ok() && first.ok()) first = r.status();
  };
  for (const std::string& body : bodies) {
    if (window.size() >= static_cast<size_t>(options_.max_in_flight)) settle();
    if (!first.ok()) break;
    Result<Ticket> t = Submit(opcode, body);
    if (!t.ok()) {
      first = t.status();
      break;
    }
    window.push_back(*t);
  }
  while (!window.empty()) settle();
  return first;
}

Result<Response> Connection::Checked(Result<Response> r) {
  if (r.ok() && r->opcode == kError) return ServerStatus(r->error);
  return r;
}

Result<Response> Connection::Query(std::string_view cql, const QueryParams& params) {
  return Checked(Request(kQuery, QueryBody(cql, params)));
}

Result<Prepared> Connection::Prepare(std::string_view cql) {
  MF_ASSIGN_OR_RETURN(Response r, Checked(Request(kPrepare, PrepareBody(cql))));
  if (r.opcode != kResult || r.result_kind != 4) {
    return Status::Corruption("cql " + peer_ + ": PREPARE answered without a prepared result");
  }
  return std::move(r.prepared);
}

Result<Response> Connection::Execute(const Prepared& prepared, std::string_view cql, const QueryParams& params) {
  MF_ASSIGN_OR_RETURN(Response r, Request(kExecute, ExecuteBody(prepared.id, params)));
  if (r.opcode == kError && r.error.code == 0x2500) {  // evicted from the node's cache: prepare again, once
    MF_ASSIGN_OR_RETURN(Prepared again, Prepare(cql));
    return Checked(Request(kExecute, ExecuteBody(again.id, params)));
  }
  return Checked(std::move(r));
}

Result<Response> Connection::Batch(BatchType type, const std::vector<BatchStatement>& statements,
                                   Consistency consistency) {
  return Checked(Request(kBatch, BatchBody(type, statements, consistency)));
}

}  // namespace meteoflow::cql
