// parquet_gen: writes a random table with meteoflow's ParquetWriter, for the interop tests
// (tests/e2e/test_parquet_interop.py), which read it back with pyarrow and DuckDB.
//
//   parquet_gen <out> <seed> <rows> <codec: none|snappy|gzip|zstd> <dictionary: 0|1> <row_group_rows> <page_bytes>
//
// Values cover nulls, extremes, NaN and infinities, -0.0, empty and unicode strings, strings
// with quotes, commas and newlines, repeated values (dictionary-friendly) and dates and times
// before 1970.
#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <string>

#include "lake/parquet/writer.h"

namespace {

using namespace meteoflow::parquet;

const char* kWords[] = {"",       "Casablanca", "Fès",      "Marrakech", "a,b", "say \"hi\"", "line\nbreak",
                        "日本語", "NULL",       " padded ", "x"};

Table RandomTable(std::mt19937_64& rng, size_t rows) {
  Table t({{"b", ColumnType::kBool, true},
           {"i32", ColumnType::kInt32, true},
           {"i64", ColumnType::kInt64, false},
           {"f", ColumnType::kFloat, true},
           {"d", ColumnType::kDouble, true},
           {"s", ColumnType::kString, true},
           {"city", ColumnType::kString, false},
           {"ts_ms", ColumnType::kTimestampMillis, true},
           {"ts_us", ColumnType::kTimestampMicros, true, false},
           {"day", ColumnType::kDate, true}});
  std::uniform_int_distribution<int> pick(0, 99);
  auto null = [&](size_t c) {
    if (pick(rng) >= 10) return false;
    t.columns[c].AppendNull(t.schema[c].type);
    return true;
  };
  const double specials[] = {std::nan(""),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(),
                             -0.0,
                             1e300,
                             -1e-300,
                             0.1,
                             1e16,
                             123.456};
  for (size_t r = 0; r < rows; ++r) {
    if (!null(0)) t.columns[0].AppendInt(pick(rng) % 2);
    if (!null(1)) {
      const int k = pick(rng);
      t.columns[1].AppendInt(k == 0   ? std::numeric_limits<int32_t>::min()
                             : k == 1 ? std::numeric_limits<int32_t>::max()
                                      : static_cast<int32_t>(rng()));
    }
    const int k = pick(rng);
    t.columns[2].AppendInt(k == 0   ? std::numeric_limits<int64_t>::min()
                           : k == 1 ? std::numeric_limits<int64_t>::max()
                                    : static_cast<int64_t>(rng()) / (k < 50 ? 1 : 1'000'000));
    if (!null(3)) {
      const int j = pick(rng);
      t.columns[3].AppendDouble(j < 5 ? specials[j]
                                      : static_cast<float>(std::uniform_real_distribution<>(-50, 50)(rng)));
    }
    if (!null(4)) {
      const int j = pick(rng);
      t.columns[4].AppendDouble(j < 9 ? specials[j] : std::normal_distribution<>(15, 10)(rng));
    }
    if (!null(5)) {
      std::string s = kWords[static_cast<size_t>(pick(rng)) % std::size(kWords)];
      if (pick(rng) < 30) s += std::to_string(rng() % 1000);
      t.columns[5].AppendString(s);
    }
    t.columns[6].AppendString(kWords[1 + static_cast<size_t>(pick(rng)) % 3]);
    if (!null(7)) t.columns[7].AppendInt(static_cast<int64_t>(rng() % 4'000'000'000'000ull) - 1'000'000'000'000);
    if (!null(8))
      t.columns[8].AppendInt(static_cast<int64_t>(rng() % 4'000'000'000'000'000ull) - 1'000'000'000'000'000);
    if (!null(9)) t.columns[9].AppendInt(static_cast<int64_t>(rng() % 60000) - 25000);
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 8) {
    std::cerr << "usage: parquet_gen <out> <seed> <rows> <codec> <dictionary> <row_group_rows> <page_bytes>\n";
    return 2;
  }
  const std::string codec = argv[4];
  WriterOptions options;
  options.codec = codec == "none"     ? Codec::kUncompressed
                  : codec == "snappy" ? Codec::kSnappy
                  : codec == "gzip"   ? Codec::kGzip
                                      : Codec::kZstd;
  options.dictionary = std::string(argv[5]) == "1";
  options.row_group_rows = std::stoul(argv[6]);
  options.page_bytes = std::stoul(argv[7]);
  options.key_value_metadata = {{"generator", "parquet_gen"}};
  std::mt19937_64 rng(std::stoull(argv[2]));
  const Table table = RandomTable(rng, std::stoul(argv[3]));
  auto writer = ParquetWriter::Open(argv[1], table.schema, options);
  if (!writer.ok()) {
    std::cerr << writer.status().ToString() << "\n";
    return 1;
  }
  meteoflow::Status s = (*writer)->Write(table);
  if (s.ok()) s = (*writer)->Finish();
  if (!s.ok()) {
    std::cerr << s.ToString() << "\n";
    return 1;
  }
  return 0;
}
