// libFuzzer target for the Parquet reader: any bytes, as a file, must open and read to either
// a Table or an error -- never a crash, a hang or a runaway allocation.
//
//   cmake -S . -B build-fuzz -G Ninja -DMF_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++
//   cmake --build build-fuzz --target parquet_reader_fuzz
//   build-fuzz/src/parquet_reader_fuzz -max_total_time=60 -rss_limit_mb=2048 CORPUS_DIR
// A corpus: any Parquet files (the lake's, pyarrow's, DuckDB's).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "lake/parquet/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int fd = ::memfd_create("parquet_fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, data + done, size - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  auto reader = meteoflow::parquet::ParquetReader::Open(path);
  if (reader.ok()) (void)(*reader)->ReadAll();
  ::close(fd);
  return 0;
}
