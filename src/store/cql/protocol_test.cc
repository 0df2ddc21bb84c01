#include "store/cql/protocol.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meteoflow::cql {
namespace {

std::string Header(uint8_t version, uint8_t flags, int16_t stream, uint8_t opcode, uint32_t length) {
  WireWriter w;
  w.Byte(version);
  w.Byte(flags);
  w.Short(static_cast<uint16_t>(stream));
  w.Byte(opcode);
  w.Int(static_cast<int32_t>(length));
  return w.data();
}

// A RESULT Rows body: one global table spec, columns (name, type id), then rows of cells.
std::string RowsBody(const std::vector<std::pair<std::string, uint16_t>>& columns,
                     const std::vector<std::vector<std::optional<std::string>>>& rows, int32_t claimed_rows = -1) {
  WireWriter w;
  w.Int(2);       // Rows
  w.Int(0x0001);  // global table spec
  w.Int(static_cast<int32_t>(columns.size()));
  w.String("ks");
  w.String("t");
  for (const auto& [name, type] : columns) {
    w.String(name);
    w.Short(type);
  }
  w.Int(claimed_rows >= 0 ? claimed_rows : static_cast<int32_t>(rows.size()));
  for (const auto& row : rows) {
    for (const auto& cell : row) w.Bytes(cell);
  }
  return w.data();
}

TEST(CqlProtocolTest, EncodesRequestsAsTheSpecShowsThem) {
  // The fact sheet's examples: OPTIONS, STARTUP and AUTH_RESPONSE for cassandra/cassandra.
  EXPECT_EQ(EncodeFrame(0, kOptions, ""), std::string("\x04\x00\x00\x00\x05\x00\x00\x00\x00", 9));
  const std::string startup = EncodeFrame(0, kStartup, StartupBody({{"CQL_VERSION", "3.0.0"}}));
  EXPECT_EQ(startup, std::string("\x04\x00\x00\x00\x01\x00\x00\x00\x16\x00\x01\x00\x0b", 13) + "CQL_VERSION" +
                         std::string("\x00\x05", 2) + "3.0.0");
  const std::string auth = EncodeFrame(0, kAuthResponse, AuthResponseBody("cassandra", "cassandra"));
  EXPECT_EQ(auth.substr(0, 13), std::string("\x04\x00\x00\x00\x0f\x00\x00\x00\x18\x00\x00\x00\x14", 13));
  EXPECT_EQ(auth.substr(13), std::string("\0cassandra\0cassandra", 20));
  QueryParams params;
  params.consistency = kOne;
  params.page_size = 100;
  const std::string q = QueryBody("SELECT 1", params);
  EXPECT_EQ(q, std::string("\x00\x00\x00\x08", 4) + "SELECT 1" + std::string("\x00\x01\x04\x00\x00\x00\x64", 7));
}

TEST(CqlProtocolTest, DecodesRowsAndValues) {
  const std::string body = RowsBody(
      {{"name", kVarchar}, {"n", kInt}, {"x", kDouble}, {"at", kTimestamp}},
      {{std::string("Rabat"), std::string("\x00\x00\x00\x2a", 4), std::string("\x3f\xf0\x00\x00\x00\x00\x00\x00", 8),
        std::string("\x00\x00\x01\x8c\xc2\x51\xf4\x00", 8)},
       {std::nullopt, std::string("\xff\xff\xff\xff", 4), std::nullopt, std::nullopt}});
  FrameHeader h;
  h.opcode = kResult;
  auto r = DecodeResponse(h, body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->result_kind, 2);
  ASSERT_EQ(r->rows.columns.size(), 4u);
  EXPECT_EQ(r->rows.columns[0].table, "t");
  const auto& row = r->rows.cells[0];
  EXPECT_EQ(DecodeValue(r->rows.columns[0].type, row[0])->text(), "Rabat");
  EXPECT_EQ(DecodeValue(r->rows.columns[1].type, row[1])->integer(), 42);
  EXPECT_EQ(DecodeValue(r->rows.columns[2].type, row[2])->real(), 1.0);
  EXPECT_EQ(DecodeValue(r->rows.columns[3].type, row[3])->integer(), 1704067200000);
  EXPECT_EQ(DecodeValue(r->rows.columns[1].type, r->rows.cells[1][1])->integer(), -1);
  EXPECT_TRUE(DecodeValue(r->rows.columns[0].type, r->rows.cells[1][0])->is_null());
}

TEST(CqlProtocolTest, ValuesRoundTripWithTheColumnsWidth) {
  const CqlType bigint{kBigint, "", {}}, smallint{kSmallint, "", {}}, floating{kFloat, "", {}};
  const Value values[] = {Value::Text("héllo"),        Value::Int(-7),
                          Value::Bigint(INT64_MIN),    Value::Double(-0.25),
                          Value::Boolean(true),        Value::TimestampMillis(-1),
                          Value::UuidValue({1, 2, 3}), Value::Blob(std::string("\0\1", 2))};
  const uint16_t types[] = {kVarchar, kInt, kBigint, kDouble, kBoolean, kTimestamp, kUuid, kBlob};
  for (size_t i = 0; i < std::size(values); ++i) {
    const CqlType t{types[i], "", {}};
    auto bytes = EncodeValue(values[i], &t);
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(*DecodeValue(t, *bytes), values[i]) << TypeName(t);
  }
  EXPECT_EQ(EncodeValue(Value::Int(5), &bigint)->value().size(), 8u);
  EXPECT_EQ(DecodeValue(bigint, *EncodeValue(Value::Int(5), &bigint))->integer(), 5);
  EXPECT_EQ(EncodeValue(Value::Int(70000), &smallint).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeValue(floating, *EncodeValue(Value::Double(1.5), &floating))->real(), 1.5);
  EXPECT_FALSE(EncodeValue(Value::Null())->has_value());
}

TEST(CqlProtocolTest, HostileBytesGiveClearErrors) {
  struct Case {
    std::string name, header;
    std::string error;
  };
  const Case headers[] = {
      {"short header", std::string("\x84\x00\x00", 3), "9 bytes"},
      {"request version", Header(0x04, 0, 0, kResult, 0), "not 0x84"},
      {"v5 response", Header(0x85, 0, 0, kResult, 0), "not 0x84"},
      {"unknown opcode", Header(0x84, 0, 0, 0x42, 0), "not a response"},
      {"request opcode", Header(0x84, 0, 0, kQuery, 0), "not a response"},
      {"huge body", Header(0x84, 0, 0, kResult, 0xFFFFFFFF), "exceeds the limit"},
      {"compressed", Header(0x84, 0x01, 0, kResult, 4), "compress"},
  };
  for (const Case& c : headers) {
    auto h = DecodeResponseHeader(c.header);
    ASSERT_FALSE(h.ok()) << c.name;
    EXPECT_EQ(h.status().code(), StatusCode::kCorruption) << c.name;
    EXPECT_NE(h.status().message().find(c.error), std::string::npos) << c.name << ": " << h.status().message();
  }
  FrameHeader result;
  result.opcode = kResult;
  const std::string good = RowsBody({{"a", kInt}}, {{std::string("\0\0\0\1", 4)}});
  const Case bodies[] = {
      {"empty", "", "result kind"},
      {"unknown kind", std::string("\x00\x00\x00\x09", 4), "unknown result kind"},
      {"rows claimed but absent", RowsBody({{"a", kInt}}, {}, 1000000000), "cannot fit"},
      {"cell longer than the body", good.substr(0, good.size() - 2), "cell"},
      {"unknown type", RowsBody({{"a", 0x0099}}, {}), "unknown type id"},
      {"negative columns", std::string("\0\0\0\2\0\0\0\0\xff\xff\xff\xff", 12), "negative column count"},
      // Found by the fuzzer: two billion rows of no columns would take no bytes but all the memory.
      {"rows without columns", std::string("\0\0\0\2\0\0\0\4\0\0\0\0\x7f\xff\xff\xff", 16), "without columns"},
  };
  for (const Case& c : bodies) {
    auto r = DecodeResponse(result, c.header);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.status().message().find(c.error), std::string::npos) << c.name << ": " << r.status().message();
  }
  // Types nested past any real schema are refused, not recursed into without end.
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += std::string("\x00\x20", 2);
  WireReader r(deep);
  EXPECT_NE(ReadType(r).status().message().find("deeper than 32"), std::string::npos);
  // A wrong-width value is an error, not garbage.
  EXPECT_EQ(DecodeValue({kInt, "", {}}, std::string("\1\2", 2)).status().code(), StatusCode::kCorruption);
}

TEST(CqlProtocolTest, ServerErrorsAndWarningsAreRead) {
  WireWriter w;
  w.Short(1);  // one warning
  w.String("Batch is large");
  w.Int(0x2500);
  w.String("Prepared query with ID 0102 not found");
  w.ShortBytes(std::string("\x01\x02", 2));
  FrameHeader h;
  h.opcode = kError;
  h.flags = 0x08;
  auto r = DecodeResponse(h, w.data());
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->warnings, std::vector<std::string>{"Batch is large"});
  EXPECT_EQ(r->error.unprepared_id, std::string("\x01\x02", 2));
  EXPECT_EQ(ErrorText(r->error), "Unprepared (0x2500): Prepared query with ID 0102 not found");
}

}  // namespace
}  // namespace meteoflow::cql
