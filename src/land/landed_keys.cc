#include "land/landed_keys.h"

#include <algorithm>

#include "core/crc32.h"
#include "lake/parquet/reader.h"

namespace meteoflow {
namespace {

uint64_t PayloadDigest(std::string_view payload) {
  return (uint64_t{payload.size()} << 32) | Crc32(payload.data(), payload.size());
}

Status ReadKeys(const std::string& path, std::set<LandedKeys::Key>* out) {
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(path));
  MF_ASSIGN_OR_RETURN(const std::vector<int> cols, reader->ColumnIndices({"location_id", "fetched_at", "payload"}));
  MF_ASSIGN_OR_RETURN(auto table, reader->ReadAll(cols));
  for (size_t i = 0; i < table.num_rows(); ++i) {
    out->emplace(std::string(table.columns[0].StringAt(i)), table.columns[1].ints[i],
                 PayloadDigest(table.columns[2].StringAt(i)));
  }
  return Status::OK();
}

std::string FileNameOf(const std::string& relative_path) { return relative_path.substr(relative_path.rfind('/') + 1); }

}  // namespace

LandedKeys::Key LandedKeys::KeyOf(const LogRecord& record) {
  return {record.key, record.timestamp.millis(), PayloadDigest(record.value)};
}

Status LandedKeys::Refresh(const Partition& partition) {
  std::map<std::string, std::string> filter(partition.begin(), partition.end());
  MF_ASSIGN_OR_RETURN(const auto files, lake_.List(filter));
  Known& known = Use(partition);
  for (const DataFile& f : files) {
    const std::string name = FileNameOf(f.relative_path);
    if (known.files_read.count(name)) continue;
    Status read = ReadKeys(f.path, &known.keys);
    if (!read.ok()) {
      known_.erase(partition);
      return read;
    }
    known.files_read.insert(name);
  }
  return Status::OK();
}

LandedKeys::Known& LandedKeys::Use(const Partition& partition) {
  Known& known = known_[partition];
  known.last_used = ++uses_;
  while (known_.size() > kMaxPartitions) {
    auto oldest = std::min_element(known_.begin(), known_.end(), [](const auto& a, const auto& b) {
      return a.second.last_used < b.second.last_used;
    });
    known_.erase(oldest);  // never `partition`: it was used last
  }
  return known;
}

bool LandedKeys::Add(const Partition& partition, const Key& key) { return Use(partition).keys.insert(key).second; }

void LandedKeys::Wrote(const Partition& partition, const std::string& file_name) {
  Use(partition).files_read.insert(file_name);
}

void LandedKeys::Forget(const Partition& partition) { known_.erase(partition); }

}  // namespace meteoflow
