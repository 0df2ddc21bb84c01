#include "store/cql/protocol.h"

namespace meteoflow::cql {
namespace {

constexpr uint8_t kFlagCompression = 0x01, kFlagTracing = 0x02, kFlagCustomPayload = 0x04, kFlagWarning = 0x08;

void WriteParams(WireWriter& w, const QueryParams& p) {
  w.Short(p.consistency);
  uint8_t flags = 0;
  if (!p.values.empty()) flags |= 0x01;
  if (p.page_size > 0) flags |= 0x04;
  if (p.paging_state) flags |= 0x08;
  if (p.timestamp_micros) flags |= 0x20;
  w.Byte(flags);
  if (!p.values.empty()) {
    w.Short(static_cast<uint16_t>(p.values.size()));
    for (const auto& v : p.values) w.Bytes(v);
  }
  if (p.page_size > 0) w.Int(p.page_size);
  if (p.paging_state) w.Bytes(p.paging_state);
  if (p.timestamp_micros) w.Long(*p.timestamp_micros);
}

// Column specs of rows or prepared metadata, after their flags and count were read.
Result<std::vector<ColumnSpec>> ReadColumns(WireReader& r, int32_t flags, int32_t count) {
  if (count < 0) return Status::Corruption("cql: negative column count " + std::to_string(count));
  std::vector<ColumnSpec> out;
  if (flags & 0x0004) {  // No_metadata
    out.resize(static_cast<size_t>(std::min<int32_t>(count, static_cast<int32_t>(r.remaining()))));
    return out;
  }
  std::string ks, table;
  if (flags & 0x0001) {
    MF_ASSIGN_OR_RETURN(ks, r.String("global keyspace"));
    MF_ASSIGN_OR_RETURN(table, r.String("global table"));
  }
  for (int32_t i = 0; i < count; ++i) {
    ColumnSpec c{ks, table, "", {}};
    if (!(flags & 0x0001)) {
      MF_ASSIGN_OR_RETURN(c.keyspace, r.String("column keyspace"));
      MF_ASSIGN_OR_RETURN(c.table, r.String("column table"));
    }
    MF_ASSIGN_OR_RETURN(c.name, r.String("column name"));
    MF_ASSIGN_OR_RETURN(c.type, ReadType(r));
    out.push_back(std::move(c));
  }
  return out;
}

Result<Rows> ReadRows(WireReader& r) {
  Rows rows;
  MF_ASSIGN_OR_RETURN(int32_t flags, r.Int("rows flags"));
  MF_ASSIGN_OR_RETURN(int32_t count, r.Int("rows column count"));
  if (flags & 0x0002) {
    MF_ASSIGN_OR_RETURN(rows.paging_state, r.Bytes("paging state"));
    if (!rows.paging_state) return Status::Corruption("cql: has-more-pages without a paging state");
  }
  MF_ASSIGN_OR_RETURN(rows.columns, ReadColumns(r, flags, count));
  MF_ASSIGN_OR_RETURN(int32_t n, r.Int("row count"));
  if (n < 0) return Status::Corruption("cql: negative row count " + std::to_string(n));
  const size_t columns = rows.columns.size();
  if (columns == 0 && n > 0) return Status::Corruption("cql: " + std::to_string(n) + " rows without columns");
  // Every cell takes at least 4 bytes: a count the body cannot hold is a lie, found before allocating.
  if (static_cast<uint64_t>(n) * columns * 4 > r.remaining()) {
    return Status::Corruption("cql: " + std::to_string(n) + " rows of " + std::to_string(columns) +
                              " columns cannot fit in " + std::to_string(r.remaining()) + " bytes");
  }
  rows.cells.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    std::vector<std::optional<std::string>> row;
    row.reserve(columns);
    for (size_t c = 0; c < columns; ++c) {
      MF_ASSIGN_OR_RETURN(auto cell, r.Bytes("cell"));
      row.push_back(std::move(cell));
    }
    rows.cells.push_back(std::move(row));
  }
  return rows;
}

Result<Prepared> ReadPrepared(WireReader& r) {
  Prepared p;
  MF_ASSIGN_OR_RETURN(p.id, r.ShortBytes("prepared id"));
  MF_ASSIGN_OR_RETURN(int32_t flags, r.Int("prepared flags"));
  MF_ASSIGN_OR_RETURN(int32_t count, r.Int("bind marker count"));
  MF_ASSIGN_OR_RETURN(int32_t pk_count, r.Int("partition key count"));
  if (pk_count < 0 || static_cast<size_t>(pk_count) * 2 > r.remaining()) {
    return Status::Corruption("cql: partition key count " + std::to_string(pk_count) + " does not fit the body");
  }
  for (int32_t i = 0; i < pk_count; ++i) {
    MF_ASSIGN_OR_RETURN(uint16_t index, r.Short("partition key index"));
    p.partition_key_indexes.push_back(index);
  }
  MF_ASSIGN_OR_RETURN(p.bind_columns, ReadColumns(r, flags, count));
  MF_ASSIGN_OR_RETURN(int32_t result_flags, r.Int("result metadata flags"));
  MF_ASSIGN_OR_RETURN(int32_t result_count, r.Int("result column count"));
  if (result_flags & 0x0002) MF_RETURN_IF_ERROR(r.Bytes("result paging state").status());
  MF_ASSIGN_OR_RETURN(p.result_columns, ReadColumns(r, result_flags, result_count));
  return p;
}

Status ReadResult(WireReader& r, Response* out) {
  MF_ASSIGN_OR_RETURN(out->result_kind, r.Int("result kind"));
  switch (out->result_kind) {
    case 1:
      return Status::OK();
    case 2: {
      MF_ASSIGN_OR_RETURN(out->rows, ReadRows(r));
      return Status::OK();
    }
    case 3: {
      MF_ASSIGN_OR_RETURN(out->keyspace, r.String("keyspace"));
      return Status::OK();
    }
    case 4: {
      MF_ASSIGN_OR_RETURN(out->prepared, ReadPrepared(r));
      return Status::OK();
    }
    case 5:
      return r.String("schema change type").status();  // the rest is informative only
    default:
      return Status::Corruption("cql: unknown result kind " + std::to_string(out->result_kind));
  }
}

}  // namespace

Result<FrameHeader> DecodeResponseHeader(std::string_view b, uint32_t max_body) {
  if (b.size() != kHeaderSize) return Status::Corruption("cql: a frame header is 9 bytes");
  FrameHeader h;
  h.version = static_cast<uint8_t>(b[0]);
  h.flags = static_cast<uint8_t>(b[1]);
  h.stream = static_cast<int16_t>((static_cast<uint8_t>(b[2]) << 8) | static_cast<uint8_t>(b[3]));
  h.opcode = static_cast<uint8_t>(b[4]);
  h.length = 0;
  for (int i = 5; i < 9; ++i) h.length = (h.length << 8) | static_cast<uint8_t>(b[i]);
  if (h.version != 0x84) {
    return Status::Corruption("cql: response version byte 0x" + std::to_string(h.version) +
                              " is not 0x84 (protocol v4 response)");
  }
  if (h.opcode > kAuthSuccess || h.opcode == 0x04 || h.opcode == kStartup || h.opcode == kOptions ||
      h.opcode == kQuery || h.opcode == kPrepare || h.opcode == kExecute || h.opcode == kRegister ||
      h.opcode == kBatch || h.opcode == kAuthResponse) {
    return Status::Corruption("cql: opcode " + std::to_string(h.opcode) + " is not a response");
  }
  if (h.length > max_body) {
    return Status::Corruption("cql: frame body of " + std::to_string(h.length) + " bytes exceeds the limit of " +
                              std::to_string(max_body));
  }
  if (h.flags & kFlagCompression) return Status::Corruption("cql: compressed frame, but no compression was agreed");
  return h;
}

std::string EncodeFrame(int16_t stream, uint8_t opcode, std::string_view body) {
  WireWriter w;
  w.Byte(0x04);
  w.Byte(0);
  w.Short(static_cast<uint16_t>(stream));
  w.Byte(opcode);
  w.Int(static_cast<int32_t>(body.size()));
  w.Raw(body);
  return std::move(w.data());
}

std::string StartupBody(const std::map<std::string, std::string>& options) {
  WireWriter w;
  w.StringMap(options);
  return std::move(w.data());
}

std::string AuthResponseBody(const std::string& user, const std::string& password) {
  WireWriter w;
  w.Bytes(std::string(1, '\0') + user + std::string(1, '\0') + password);
  return std::move(w.data());
}

std::string QueryBody(std::string_view cql, const QueryParams& params) {
  WireWriter w;
  w.LongString(cql);
  WriteParams(w, params);
  return std::move(w.data());
}

std::string PrepareBody(std::string_view cql) {
  WireWriter w;
  w.LongString(cql);
  return std::move(w.data());
}

std::string ExecuteBody(std::string_view prepared_id, const QueryParams& params) {
  WireWriter w;
  w.ShortBytes(prepared_id);
  WriteParams(w, params);
  return std::move(w.data());
}

std::string BatchBody(BatchType type, const std::vector<BatchStatement>& statements, Consistency consistency,
                      std::optional<int64_t> timestamp_micros) {
  WireWriter w;
  w.Byte(static_cast<uint8_t>(type));
  w.Short(static_cast<uint16_t>(statements.size()));
  for (const BatchStatement& s : statements) {
    if (s.prepared_id.empty()) {
      w.Byte(0);
      w.LongString(s.cql);
    } else {
      w.Byte(1);
      w.ShortBytes(s.prepared_id);
    }
    w.Short(static_cast<uint16_t>(s.values.size()));
    for (const auto& v : s.values) w.Bytes(v);
  }
  w.Short(consistency);
  w.Byte(timestamp_micros ? 0x20 : 0);
  if (timestamp_micros) w.Long(*timestamp_micros);
  return std::move(w.data());
}

Result<Response> DecodeResponse(const FrameHeader& header, std::string_view body) {
  WireReader r(body);
  Response out;
  out.opcode = header.opcode;
  if (header.flags & kFlagTracing) MF_RETURN_IF_ERROR(r.Raw(16, "tracing id").status());
  if (header.flags & kFlagWarning) {
    MF_ASSIGN_OR_RETURN(out.warnings, r.StringList("warnings"));
  }
  if (header.flags & kFlagCustomPayload) {
    MF_ASSIGN_OR_RETURN(uint16_t n, r.Short("custom payload size"));
    for (uint16_t i = 0; i < n; ++i) {
      MF_RETURN_IF_ERROR(r.String("custom payload key").status());
      MF_RETURN_IF_ERROR(r.Bytes("custom payload value").status());
    }
  }
  switch (header.opcode) {
    case kError: {
      MF_ASSIGN_OR_RETURN(out.error.code, r.Int("error code"));
      MF_ASSIGN_OR_RETURN(out.error.message, r.String("error message"));
      if (out.error.code == 0x2500) {
        MF_ASSIGN_OR_RETURN(out.error.unprepared_id, r.ShortBytes("unprepared id"));
      }
      break;
    }
    case kAuthenticate: {
      MF_ASSIGN_OR_RETURN(out.authenticator, r.String("authenticator"));
      break;
    }
    case kSupported: {
      MF_ASSIGN_OR_RETURN(out.supported, r.StringMultimap("supported options"));
      break;
    }
    case kResult:
      MF_RETURN_IF_ERROR(ReadResult(r, &out));
      break;
    default:
      break;  // READY, EVENT, AUTH_*: nothing meteoflow needs in the body
  }
  return out;
}

std::string ErrorText(const ServerError& e) {
  static const std::map<int32_t, const char*> kNames = {
      {0x0000, "Server_error"},   {0x000A, "Protocol_error"},   {0x0100, "Bad_credentials"},  {0x1000, "Unavailable"},
      {0x1001, "Overloaded"},     {0x1002, "Is_bootstrapping"}, {0x1003, "Truncate_error"},   {0x1100, "Write_timeout"},
      {0x1200, "Read_timeout"},   {0x1300, "Read_failure"},     {0x1400, "Function_failure"}, {0x1500, "Write_failure"},
      {0x2000, "Syntax_error"},   {0x2100, "Unauthorized"},     {0x2200, "Invalid"},          {0x2300, "Config_error"},
      {0x2400, "Already_exists"}, {0x2500, "Unprepared"}};
  auto name = kNames.find(e.code);
  char code[16];
  std::snprintf(code, sizeof code, "0x%04x", static_cast<unsigned>(e.code));
  return std::string(name == kNames.end() ? "Error" : name->second) + " (" + code + "): " + e.message;
}

}  // namespace meteoflow::cql
