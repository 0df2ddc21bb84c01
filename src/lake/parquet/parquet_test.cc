#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "core/file_util.h"
#include "lake/parquet/reader.h"
#include "lake/parquet/writer.h"

namespace meteoflow::parquet {
namespace {

namespace fs = std::filesystem;

std::string TempPath(const std::string& name) {
  return (fs::temp_directory_path() / ("mf_pq_" + std::to_string(::getpid()) + "_" + name)).string();
}

Table RandomTable(size_t rows, uint32_t seed) {
  Table t({{"b", ColumnType::kBool, false},
           {"i32", ColumnType::kInt32, true},
           {"i64", ColumnType::kInt64, false},
           {"f", ColumnType::kFloat, true},
           {"d", ColumnType::kDouble, true},
           {"s", ColumnType::kString, true},
           {"ts", ColumnType::kTimestampMillis, false},
           {"us", ColumnType::kTimestampMicros, true},
           {"day", ColumnType::kDate, true}});
  std::mt19937 rng(seed);
  const std::string strings[] = {"", "Casablanca", "Tétouan", "日本語", std::string(300, 'z')};
  for (size_t r = 0; r < rows; ++r) {
    auto null = [&] { return rng() % 7 == 0; };
    t.columns[0].AppendInt(rng() % 2);
    null() ? t.columns[1].AppendNull(ColumnType::kInt32) : t.columns[1].AppendInt(static_cast<int32_t>(rng()));
    t.columns[2].AppendInt(r % 3 == 0 ? INT64_MIN + static_cast<int64_t>(r) : static_cast<int64_t>(rng()) << 20);
    null() ? t.columns[3].AppendNull(ColumnType::kFloat)
           : t.columns[3].AppendDouble(static_cast<float>(rng() % 1000) / 8);
    if (null()) {
      t.columns[4].AppendNull(ColumnType::kDouble);
    } else {
      t.columns[4].AppendDouble(r % 11 == 0 ? NAN
                                            : (r % 13 == 0 ? -INFINITY : std::ldexp(static_cast<double>(rng()), -20)));
    }
    null() ? t.columns[5].AppendNull(ColumnType::kString) : t.columns[5].AppendString(strings[rng() % 5]);
    t.columns[6].AppendInt(1733264217000 + static_cast<int64_t>(r));
    null() ? t.columns[7].AppendNull(ColumnType::kTimestampMicros)
           : t.columns[7].AppendInt(1733264217000000 + static_cast<int64_t>(r));
    null() ? t.columns[8].AppendNull(ColumnType::kDate) : t.columns[8].AppendInt(20000 + static_cast<int64_t>(r % 400));
  }
  return t;
}

void ExpectSameTables(const Table& a, const Table& b) {
  ASSERT_EQ(a.schema.size(), b.schema.size());
  ASSERT_EQ(a.num_rows(), b.num_rows());
  for (size_t c = 0; c < a.schema.size(); ++c) {
    EXPECT_EQ(a.schema[c].name, b.schema[c].name);
    EXPECT_EQ(a.schema[c].type, b.schema[c].type);
    EXPECT_EQ(a.schema[c].optional, b.schema[c].optional);
    for (size_t r = 0; r < a.num_rows(); ++r) {
      ASSERT_EQ(a.columns[c].valid[r], b.columns[c].valid[r]) << a.schema[c].name << " row " << r;
      if (!a.columns[c].valid[r]) continue;
      const ColumnType type = a.schema[c].type;
      if (type == ColumnType::kString) {
        ASSERT_EQ(a.columns[c].StringAt(r), b.columns[c].StringAt(r));
      } else if (IsIntegerBacked(type)) {
        ASSERT_EQ(a.columns[c].ints[r], b.columns[c].ints[r]) << a.schema[c].name << " row " << r;
      } else if (std::isnan(a.columns[c].doubles[r])) {
        ASSERT_TRUE(std::isnan(b.columns[c].doubles[r]));
      } else {
        ASSERT_EQ(a.columns[c].doubles[r], b.columns[c].doubles[r]);
      }
    }
  }
}

TEST(ParquetTest, RoundTripsEveryTypeAndCodec) {
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd})
    for (bool dictionary : {false, true}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(codec)) + (dictionary ? " dictionary" : " plain"));
      const Table table = RandomTable(2500, static_cast<uint32_t>(codec) + 1);
      const std::string path = TempPath("roundtrip.parquet");
      WriterOptions options;
      options.codec = codec;
      options.dictionary = dictionary;
      options.row_group_rows = 1000;
      options.page_bytes = 4096;
      options.key_value_metadata = {{"origin", "test"}};
      auto writer = std::move(ParquetWriter::Open(path, table.schema, options)).value();
      ASSERT_TRUE(writer->Write(table).ok());
      ASSERT_TRUE(writer->Finish().ok());
      auto reader = ParquetReader::Open(path);
      ASSERT_TRUE(reader.ok()) << reader.status().ToString();
      EXPECT_EQ((*reader)->num_rows(), 2500);
      EXPECT_EQ((*reader)->num_row_groups(), 3u);
      EXPECT_EQ((*reader)->metadata().key_value_metadata.at(0).second, "test");
      auto back = (*reader)->ReadAll();
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      ExpectSameTables(table, *back);
      auto projected = (*reader)->ReadRowGroup(1, {5, 2});
      ASSERT_TRUE(projected.ok());
      EXPECT_EQ(projected->schema[0].name, "s");
      EXPECT_EQ(projected->num_rows(), 1000u);
      fs::remove(path);
    }
}

TEST(ParquetTest, DictionaryFallsBackToPlainWhenItGrowsTooBig) {
  Table table({{"s", ColumnType::kString, true}, {"n", ColumnType::kInt64, false}});
  for (int i = 0; i < 4000; ++i) {
    if (i % 10 == 3) {
      table.columns[0].AppendNull(ColumnType::kString);
    } else {
      table.columns[0].AppendString("value-" + std::to_string(i % 400));
    }
    table.columns[1].AppendInt(i % 3);
  }
  const std::string path = TempPath("fallback.parquet");
  WriterOptions options;
  options.dictionary_page_bytes = 2000;  // ~150 of the 400 distinct strings fit
  options.page_bytes = 1024;
  auto writer = std::move(ParquetWriter::Open(path, table.schema, options)).value();
  ASSERT_TRUE(writer->Write(table).ok());
  ASSERT_TRUE(writer->Finish().ok());
  auto reader = std::move(ParquetReader::Open(path)).value();
  const auto& strings = reader->metadata().row_groups[0].columns[0];
  EXPECT_TRUE(strings.dictionary_page_offset.has_value());
  EXPECT_NE(std::find(strings.encodings.begin(), strings.encodings.end(), 8), strings.encodings.end());
  EXPECT_NE(std::find(strings.encodings.begin(), strings.encodings.end(), 0), strings.encodings.end());
  auto back = reader->ReadAll();
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameTables(table, *back);
  fs::remove(path);
}

TEST(ParquetTest, ReadWhereSkipsRowGroupsByStatisticsAndFiltersRows) {
  Table table({{"n", ColumnType::kInt64, false},
               {"city", ColumnType::kString, true},
               {"t", ColumnType::kTimestampMillis, false},
               {"x", ColumnType::kDouble, true}});
  for (int i = 0; i < 10000; ++i) {
    table.columns[0].AppendInt(i);
    if (i % 7 == 0) {
      table.columns[1].AppendNull(ColumnType::kString);
    } else {
      table.columns[1].AppendString(i < 5000 ? "Agadir" : "Rabat");
    }
    table.columns[2].AppendInt(1'733'263'941'000 + int64_t{i} * 600'000);
    table.columns[3].AppendDouble(i % 3 == 0 ? std::nan("") : i / 10.0);
  }
  const std::string path = TempPath("where.parquet");
  WriterOptions options;
  options.row_group_rows = 1000;
  auto writer = std::move(ParquetWriter::Open(path, table.schema, options)).value();
  ASSERT_TRUE(writer->Write(table).ok());
  ASSERT_TRUE(writer->Finish().ok());
  auto reader = std::move(ParquetReader::Open(path)).value();
  struct Case {
    std::vector<std::string> where;
    size_t skipped;
    std::function<bool(int)> keep;
  };
  const Case cases[] = {
      {{"n>=9000"}, 9, [](int i) { return i >= 9000; }},
      {{"n<1500", "n!=3"}, 8, [](int i) { return i < 1500 && i != 3; }},
      {{"city=Rabat"}, 5, [](int i) { return i >= 5000 && i % 7 != 0; }},
      {{"t<2024-12-04 00:00:00"},
       9,
       [](int i) { return 1'733'263'941'000 + int64_t{i} * 600'000 < 1'733'270'400'000; }},
      {{"x>999.5"}, 9, [](int i) { return i % 3 != 0 && i / 10.0 > 999.5; }},
      {{"n=123456"}, 10, [](int) { return false; }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.where[0]);
    std::vector<Predicate> where;
    for (const auto& w : c.where) where.push_back(*ParsePredicate(w));
    ParquetReader::ScanStats stats;
    auto got = reader->ReadWhere({0, 1}, where, &stats);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(stats.row_groups, 10u);
    EXPECT_EQ(stats.row_groups_skipped, c.skipped);
    std::vector<int64_t> expected;
    for (int i = 0; i < 10000; ++i) {
      if (c.keep(i)) expected.push_back(i);
    }
    EXPECT_EQ(got->columns[0].ints, expected);
    EXPECT_EQ(got->schema.size(), 2u);
  }
  EXPECT_FALSE(ParsePredicate("=5").ok());
  EXPECT_FALSE(ParsePredicate("n").ok());
  EXPECT_EQ(reader->ReadWhere({}, {*ParsePredicate("n>abc")}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader->ReadWhere({}, {*ParsePredicate("nope=1")}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(reader->ReadWhere({}, {*ParsePredicate("t>2024-13-01 00:00:00")}).status().code(),
            StatusCode::kInvalidArgument);
  fs::remove(path);
}

TEST(ParquetTest, EmptyTableAndAllNullColumn) {
  const std::string path = TempPath("empty.parquet");
  Table t({{"x", ColumnType::kDouble, true}});
  for (int i = 0; i < 3; ++i) t.columns[0].AppendNull(ColumnType::kDouble);
  auto writer = std::move(ParquetWriter::Open(path, t.schema)).value();
  ASSERT_TRUE(writer->Write(t).ok());
  ASSERT_TRUE(writer->Finish().ok());
  auto back = std::move(ParquetReader::Open(path)).value()->ReadAll();
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ExpectSameTables(t, *back);
  writer = std::move(ParquetWriter::Open(path, t.schema)).value();
  ASSERT_TRUE(writer->Finish().ok());
  auto empty = std::move(ParquetReader::Open(path)).value();
  EXPECT_EQ(empty->num_rows(), 0);
  EXPECT_EQ(empty->ReadAll()->num_rows(), 0u);
  fs::remove(path);
}

TEST(ParquetTest, WriterRejectsBadBatches) {
  const std::string path = TempPath("bad.parquet");
  Table t({{"x", ColumnType::kInt64, false}});
  t.columns[0].AppendNull(ColumnType::kInt64);
  auto writer = std::move(ParquetWriter::Open(path, t.schema)).value();
  EXPECT_FALSE(writer->Write(t).ok());
  Table other({{"y", ColumnType::kInt64, false}});
  EXPECT_FALSE(writer->Write(other).ok());
  fs::remove(path);
}

TEST(ParquetTest, HostileFilesGiveErrorsNotCrashes) {
  const std::string path = TempPath("good.parquet");
  const Table table = RandomTable(300, 7);
  auto writer = std::move(ParquetWriter::Open(path, table.schema)).value();
  ASSERT_TRUE(writer->Write(table).ok());
  ASSERT_TRUE(writer->Finish().ok());
  const std::string good = *ReadWholeFile(path);
  const std::string bad_path = TempPath("hostile.parquet");
  auto try_read = [&](const std::string& bytes) {
    std::ofstream(bad_path, std::ios::binary | std::ios::trunc) << bytes;
    auto reader = ParquetReader::Open(bad_path);
    if (!reader.ok()) return false;
    return (*reader)->ReadAll().ok();
  };
  EXPECT_FALSE(try_read(""));
  EXPECT_FALSE(try_read("PAR1"));
  EXPECT_FALSE(try_read("XXXX" + good.substr(4)));
  EXPECT_FALSE(try_read(good.substr(0, good.size() / 2)));
  std::string lying = good;
  lying[lying.size() - 8] = '\xff';  // footer length far past the file
  lying[lying.size() - 7] = '\xff';
  EXPECT_FALSE(try_read(lying));
  std::mt19937 rng(42);
  for (int i = 0; i < 3000; ++i) {  // random corruption: must never crash
    std::string mutated = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) mutated[rng() % mutated.size()] = static_cast<char>(rng());
    if (rng() % 5 == 0) mutated.resize(rng() % mutated.size());
    try_read(mutated);
  }
  fs::remove(path);
  fs::remove(bad_path);
}

// Found by parquet_reader_fuzz: a mutated pandas file whose data page claims about 900 million
// values made the reader reserve 3.6 GB before decoding anything.
TEST(ParquetTest, APageClaimingMoreValuesThanItsChunkIsCorrupt) {
  auto reader =
      ParquetReader::Open(std::string(MF_SOURCE_DIR) + "/src/lake/parquet/testdata/page_claims_900m_values.parquet");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto column = (*reader)->ColumnIndices({"main.grnd_level"});
  ASSERT_TRUE(column.ok()) << column.status().ToString();
  auto table = (*reader)->ReadAll(*column);
  ASSERT_FALSE(table.ok());
  EXPECT_NE(table.status().message().find("page declares"), std::string::npos) << table.status().ToString();
  auto missing = (*reader)->ColumnIndices({"main.grnd_level", "no_such_column"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kCorruption);
  EXPECT_NE(missing.status().message().find("page_claims_900m_values.parquet: no column 'no_such_column'"),
            std::string::npos)
      << missing.status().ToString();
}

}  // namespace
}  // namespace meteoflow::parquet

namespace meteoflow::parquet {
namespace {

TEST(BitUnpackTest, EveryWidthMatchesAReferenceUpToTheLastByte) {
  std::mt19937 rng(5);
  for (int width = 1; width <= 32; ++width) {
    std::vector<uint32_t> values(64);
    for (auto& v : values)
      v = width == 32 ? static_cast<uint32_t>(rng()) : static_cast<uint32_t>(rng() % (1u << width));
    // Pack LSB first, 8 values per `width` bytes, into a buffer with nothing after it.
    std::vector<uint8_t> packed(static_cast<size_t>(width) * 8, 0);
    for (size_t i = 0; i < values.size(); ++i) {
      for (int b = 0; b < width; ++b) {
        const size_t bit = i * static_cast<size_t>(width) + static_cast<size_t>(b);
        if (values[i] >> b & 1) packed[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
      }
    }
    std::vector<uint32_t> out(64);
    UnpackGroups(width, packed.data(), packed.size(), 8, out.data());
    EXPECT_EQ(out, values) << "width " << width;
  }
}

}  // namespace
}  // namespace meteoflow::parquet
