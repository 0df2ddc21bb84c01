// CQL native protocol v4 messages: frame headers, the requests meteoflow sends (STARTUP,
// AUTH_RESPONSE, OPTIONS, QUERY, PREPARE, EXECUTE, BATCH) and every response a v4 server sends
// (ERROR, READY, AUTHENTICATE, SUPPORTED, RESULT of each kind, EVENT, AUTH_CHALLENGE/SUCCESS).
// Decoding is total: truncated bodies, lying lengths, unknown opcodes or result kinds, wrong
// versions and oversized frames give Corruption with what and where -- never a crash, and never
// an allocation larger than the bytes actually received.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/cql/value.h"

namespace meteoflow::cql {

enum Opcode : uint8_t {
  kError = 0x00,
  kStartup = 0x01,
  kReady = 0x02,
  kAuthenticate = 0x03,
  kOptions = 0x05,
  kSupported = 0x06,
  kQuery = 0x07,
  kResult = 0x08,
  kPrepare = 0x09,
  kExecute = 0x0A,
  kRegister = 0x0B,
  kEvent = 0x0C,
  kBatch = 0x0D,
  kAuthChallenge = 0x0E,
  kAuthResponse = 0x0F,
  kAuthSuccess = 0x10,
};

inline constexpr size_t kHeaderSize = 9;
inline constexpr uint32_t kMaxBodySize = 256u << 20;  // the protocol's ceiling

struct FrameHeader {
  uint8_t version = 0x04;
  uint8_t flags = 0;
  int16_t stream = 0;
  uint8_t opcode = 0;
  uint32_t length = 0;
};

// A response header: version 0x84, a known opcode, a body no larger than `max_body`.
Result<FrameHeader> DecodeResponseHeader(std::string_view nine_bytes, uint32_t max_body = kMaxBodySize);
std::string EncodeFrame(int16_t stream, uint8_t opcode, std::string_view body);

enum Consistency : uint16_t { kAny = 0, kOne = 1, kQuorum = 4, kAll = 5, kLocalQuorum = 6, kLocalOne = 10 };

struct QueryParams {
  Consistency consistency = kLocalOne;
  std::vector<std::optional<std::string>> values;  // encoded, in marker order
  int32_t page_size = 0;                           // 0: no paging
  std::optional<std::string> paging_state;
  std::optional<int64_t> timestamp_micros;
};

std::string StartupBody(const std::map<std::string, std::string>& options);
std::string AuthResponseBody(const std::string& user, const std::string& password);  // SASL PLAIN
std::string QueryBody(std::string_view cql, const QueryParams& params);
std::string PrepareBody(std::string_view cql);
std::string ExecuteBody(std::string_view prepared_id, const QueryParams& params);

struct BatchStatement {
  std::string prepared_id;  // or, when empty, the query text below
  std::string cql;
  std::vector<std::optional<std::string>> values;
};
enum class BatchType : uint8_t { kLogged = 0, kUnlogged = 1, kCounter = 2 };
std::string BatchBody(BatchType type, const std::vector<BatchStatement>& statements, Consistency consistency,
                      std::optional<int64_t> timestamp_micros = std::nullopt);

struct ColumnSpec {
  std::string keyspace, table, name;
  CqlType type;
};

struct Rows {
  std::vector<ColumnSpec> columns;
  std::vector<std::vector<std::optional<std::string>>> cells;  // row-major, raw
  std::optional<std::string> paging_state;                     // more pages when set
};

struct Prepared {
  std::string id;
  std::vector<ColumnSpec> bind_columns;
  std::vector<uint16_t> partition_key_indexes;
  std::vector<ColumnSpec> result_columns;
};

struct ServerError {
  int32_t code = 0;
  std::string message;
  std::string unprepared_id;  // code 0x2500
};

// One decoded response; `opcode` says which member holds it.
struct Response {
  uint8_t opcode = kReady;
  std::vector<std::string> warnings;
  ServerError error;                                          // kError
  std::string authenticator;                                  // kAuthenticate
  std::map<std::string, std::vector<std::string>> supported;  // kSupported
  int32_t result_kind = 0;  // kResult: 1 void, 2 rows, 3 keyspace, 4 prepared, 5 schema
  Rows rows;
  Prepared prepared;
  std::string keyspace;
};

Result<Response> DecodeResponse(const FrameHeader& header, std::string_view body);

// "Invalid (0x2200): unconfigured table x" -- the code's name, number and the server's message.
std::string ErrorText(const ServerError& e);

}  // namespace meteoflow::cql
