// parquet_bench: meteoflow's side of bench/parquet_bench.py. Builds a weather-like table of N
// rows (37 cities, 10-minute times, five measurements, one optional), writes it with the
// given codec and reads it back whole, printing one JSON line with the two times. With
// --read-only it only times a full read of an existing file (pyarrow's, for the cross read).
//
//   parquet_bench write <out> <rows> <snappy|zstd>
//   parquet_bench read <file> [rounds]   (times the last of `rounds` reads)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>

#include "core/memory.h"
#include "lake/parquet/reader.h"
#include "lake/parquet/writer.h"

namespace {

using namespace meteoflow::parquet;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

Table WeatherTable(size_t rows) {
  Table t({{"city_name", ColumnType::kString, false},
           {"time", ColumnType::kTimestampMillis, false},
           {"temperature_2m", ColumnType::kDouble, false},
           {"humidity", ColumnType::kDouble, false},
           {"pressure", ColumnType::kDouble, false},
           {"wind_speed", ColumnType::kDouble, false},
           {"precipitation", ColumnType::kDouble, true}});
  for (auto& c : t.columns) c.valid.reserve(rows);
  uint64_t state = 42;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  for (size_t i = 0; i < rows; ++i) {
    const size_t city = i % 37;
    const double hour = static_cast<double>(i / 37 % 144) / 6.0;
    t.columns[0].AppendString("city-" + std::to_string(city));
    t.columns[1].AppendInt(1733263941000 + static_cast<int64_t>(i / 37) * 600000);
    t.columns[2].AppendDouble(std::round((15 + 8 * std::sin(hour / 24 * 6.283) + next() * 2) * 10) / 10);
    t.columns[3].AppendDouble(std::round(40 + next() * 50));
    t.columns[4].AppendDouble(std::round((1000 + next() * 30) * 10) / 10);
    t.columns[5].AppendDouble(std::round(next() * 150) / 10);
    if (next() < 0.2) {
      t.columns[6].AppendNull(ColumnType::kDouble);
    } else {
      t.columns[6].AppendDouble(std::round(next() * 50) / 10);
    }
  }
  return t;
}

int Fail(const meteoflow::Status& s) {
  std::cerr << "parquet_bench: " << s.ToString() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  meteoflow::KeepFreedMemory(meteoflow::Workload::kColumnar);  // as the meteoflow binary does
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "read" && (argc == 3 || argc == 4)) {
    const int rounds = argc == 4 ? std::max(1, std::stoi(argv[3])) : 1;
    double last = 0;
    size_t rows = 0;
    for (int round = 0; round < rounds; ++round) {  // later rounds read with the allocator warm
      const auto start = Clock::now();
      auto reader = ParquetReader::Open(argv[2]);
      if (!reader.ok()) return Fail(reader.status());
      auto table = (*reader)->ReadAll();
      if (!table.ok()) return Fail(table.status());
      rows = table->num_rows();
      last = Since(start);
    }
    std::cout << "{\"rows\": " << rows << ", \"read_seconds\": " << last << "}\n";
    return 0;
  }
  if (mode != "write" || argc != 5) {
    std::cerr << "usage: parquet_bench write <out> <rows> <snappy|zstd> | parquet_bench read <file>\n";
    return 2;
  }
  auto table = std::make_unique<Table>(WeatherTable(std::stoul(argv[3])));
  const size_t rows = table->num_rows();
  WriterOptions options;
  options.codec = std::string(argv[4]) == "zstd" ? Codec::kZstd : Codec::kSnappy;
  options.row_group_rows = 1 << 20;
  auto start = Clock::now();
  auto writer = ParquetWriter::Open(argv[2], table->schema, options);
  if (!writer.ok()) return Fail(writer.status());
  meteoflow::Status s = (*writer)->Write(*table);
  if (s.ok()) s = (*writer)->Finish();
  if (!s.ok()) return Fail(s);
  const double write_seconds = Since(start);
  table.reset();  // as pyarrow's side drops its table before its timed read
  start = Clock::now();
  auto reader = ParquetReader::Open(argv[2]);
  if (!reader.ok()) return Fail(reader.status());
  auto back = (*reader)->ReadAll();
  if (!back.ok()) return Fail(back.status());
  const double read_seconds = Since(start);
  if (back->num_rows() != rows) return Fail(meteoflow::Status::Internal("row count differs"));
  std::cout << "{\"rows\": " << rows << ", \"write_seconds\": " << write_seconds
            << ", \"read_seconds\": " << read_seconds << "}\n";
  return 0;
}
