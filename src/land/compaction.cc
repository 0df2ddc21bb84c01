#include "land/compaction.h"

#include <fcntl.h>
#include <stdio.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <map>
#include <utility>

#include "core/file_util.h"
#include "lake/parquet/reader.h"
#include "land/land_stage.h"

namespace meteoflow {
namespace fs = std::filesystem;
namespace {

bool SameSchema(const std::vector<parquet::ColumnSpec>& a, const std::vector<parquet::ColumnSpec>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](const auto& x, const auto& y) {
           return x.name == y.name && x.type == y.type && x.optional == y.optional;
         });
}

// What the rows copied so far hold: fetch-time span and offsets per (topic, log partition).
struct Holdings {
  int64_t min_ms = INT64_MAX, max_ms = INT64_MIN;
  std::map<std::pair<std::string, int64_t>, std::pair<int64_t, int64_t>> offsets;

  void Add(const parquet::Table& t) {
    for (size_t i = 0; i < t.num_rows(); ++i) {
      const int64_t fetched = t.columns[1].ints[i];
      min_ms = std::min(min_ms, fetched);
      max_ms = std::max(max_ms, fetched);
      auto key = std::make_pair(std::string(t.columns[2].StringAt(i)), t.columns[3].ints[i]);
      const int64_t offset = t.columns[4].ints[i];
      auto [it, fresh] = offsets.try_emplace(std::move(key), offset, offset);
      if (!fresh) it->second = {std::min(it->second.first, offset), std::max(it->second.second, offset)};
    }
  }
  // "<topic>:<partition>:<first>:<last>;..." (topic names hold no ':' or ';').
  std::string OffsetsText() const {
    std::string out;
    for (const auto& [tp, range] : offsets) {
      if (!out.empty()) out += ";";
      out += tp.first + ":" + std::to_string(tp.second) + ":" + std::to_string(range.first) + ":" +
             std::to_string(range.second);
    }
    return out;
  }
};

// First pass: the schema check and what the files hold (small columns only).
Status Survey(const std::vector<DataFile>& files, Holdings* holdings) {
  for (const auto& f : files) {
    MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(f.path));
    if (!SameSchema(reader->schema(), LandStage::RawSchema())) {
      return Status::Corruption(f.path + ": not a raw lake file (schema differs)");
    }
    MF_ASSIGN_OR_RETURN(auto table, reader->ReadAll({0, 1, 2, 3, 4}));
    holdings->Add(table);
  }
  return Status::OK();
}

// Second pass: every row group of `files` into the writer, in file order.
Status CopyRows(const std::vector<DataFile>& files, parquet::ParquetWriter& writer, int64_t* rows) {
  for (const auto& f : files) {
    MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(f.path));
    for (size_t g = 0; g < reader->num_row_groups(); ++g) {
      MF_ASSIGN_OR_RETURN(auto table, reader->ReadRowGroup(g));
      *rows += static_cast<int64_t>(table.num_rows());
      MF_RETURN_IF_ERROR(writer.Write(table));
    }
  }
  return Status::OK();
}

// Swaps two folders in one step (both must exist, on one file system).
Status ExchangeFolders(const std::string& a, const std::string& b) {
  if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0) {
    return ErrnoStatus("exchange " + a + " and " + b);
  }
  MF_RETURN_IF_ERROR(FsyncDir(fs::path(a).parent_path().string()));
  return FsyncDir(fs::path(b).parent_path().string());
}

}  // namespace

Status LakeCompactor::Compact(const std::string& source, const std::string& date, const std::vector<DataFile>& files,
                              CompactionStats* stats) {
  const std::string partition = "source=" + source + "/date=" + date;
  const std::string staged_folder = staging_ + "/" + partition, lake_folder = lake_.root() + "/" + partition;
  const std::string file_name = FileName(date);
  Holdings holdings;
  MF_RETURN_IF_ERROR(Survey(files, &holdings));
  MF_RETURN_IF_ERROR(MakeDirs(staged_folder));
  parquet::WriterOptions options;
  options.key_value_metadata = {{kOffsetsKey, holdings.OffsetsText()}};
  int64_t rows = 0;
  {
    MF_ASSIGN_OR_RETURN(auto writer,
                        parquet::ParquetWriter::Open(staged_folder + "/" + file_name, LandStage::RawSchema(), options));
    MF_RETURN_IF_ERROR(CopyRows(files, *writer, &rows));
    MF_RETURN_IF_ERROR(writer->Finish());
  }
  MF_RETURN_IF_ERROR(FsyncFile(staged_folder + "/" + file_name));
  MF_RETURN_IF_ERROR(FsyncDir(staged_folder));
  MF_RETURN_IF_ERROR(hooks_.adopt(partition + "/" + file_name, holdings.min_ms, holdings.max_ms));
  MF_RETURN_IF_ERROR(ExchangeFolders(staged_folder, lake_folder));  // the commit point
  std::error_code ec;
  fs::remove_all(staged_folder, ec);  // the old files; a crash here leaves them for the next run
  ++stats->partitions;
  stats->files_before += static_cast<int64_t>(files.size());
  stats->rows += rows;
  return Status::OK();
}

Result<CompactionStats> LakeCompactor::Run(const std::optional<std::string>& date) {
  std::error_code ec;
  fs::remove_all(staging_, ec);  // whatever an interrupted run left: never part of the lake
  if (ec) return Status::IOError("clear " + staging_ + ": " + ec.message());
  MF_ASSIGN_OR_RETURN(auto files, lake_.List());
  std::map<std::pair<std::string, std::string>, std::vector<DataFile>> partitions;  // (source, date)
  std::map<std::string, std::string> newest;                                        // source -> date
  for (auto& f : files) {
    const std::string source = f.partition["source"], day = f.partition["date"];
    if (source.empty() || day.empty()) continue;
    newest[source] = std::max(newest[source], day);
    partitions[{source, day}].push_back(std::move(f));
  }
  CompactionStats stats;
  for (const auto& [key, in_partition] : partitions) {
    const auto& [source, day] = key;
    if (date ? day != *date : day >= newest[source]) continue;
    if (in_partition.size() < 2) continue;
    const std::string name = "source=" + source + "/date=" + day;
    MF_ASSIGN_OR_RETURN(const bool transformed, hooks_.transformed(in_partition));
    if (!transformed) {
      stats.skipped.push_back(name + ": not every file is transformed yet");
      continue;
    }
    Status s = Compact(source, day, in_partition, &stats);
    if (s.code() == StatusCode::kCorruption) {
      stats.skipped.push_back(name + ": " + s.message());
      continue;
    }
    MF_RETURN_IF_ERROR(s.WithContext("compact " + name));
  }
  fs::remove_all(staging_, ec);
  return stats;
}

}  // namespace meteoflow
