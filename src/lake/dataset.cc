#include "lake/dataset.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/file_util.h"

namespace meteoflow {
namespace {

namespace fs = std::filesystem;

bool SafeToken(const std::string& s) {
  return !s.empty() && s != "." && s != ".." &&
         s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == std::string::npos;
}

Status SyncFile(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return ErrnoStatus("open " + path);
  const int rc = ::fsync(fileno(f));
  std::fclose(f);
  if (rc != 0) return ErrnoStatus("fsync " + path);
  return Status::OK();
}

}  // namespace

Status Dataset::Commit(const Partition& partition, const std::string& file_name, const parquet::Table& table,
                       const parquet::WriterOptions& options) const {
  fs::path dir(root_);
  for (const auto& [key, value] : partition) {
    if (!SafeToken(key) || !SafeToken(value)) {
      return Status::InvalidArgument("lake partition '" + key + "=" + value + "' must be [A-Za-z0-9._-]");
    }
    dir /= key + "=" + value;
  }
  if (!SafeToken(file_name) || file_name.ends_with(".tmp")) {
    return Status::InvalidArgument("lake file name '" + file_name + "' is not allowed");
  }
  MF_RETURN_IF_ERROR(MakeDirs(dir.string()));
  const std::string final_path = (dir / file_name).string();
  const std::string tmp_path = final_path + ".tmp";
  Status written = [&]() -> Status {
    MF_ASSIGN_OR_RETURN(auto writer, parquet::ParquetWriter::Open(tmp_path, table.schema, options));
    MF_RETURN_IF_ERROR(writer->Write(table));
    MF_RETURN_IF_ERROR(writer->Finish());
    return SyncFile(tmp_path);
  }();
  std::error_code ec;
  if (!written.ok()) {
    fs::remove(tmp_path, ec);  // a half-written file is never renamed into view; drop it
    return written;
  }
  fs::rename(tmp_path, final_path, ec);
  if (ec) return Status::IOError("rename " + tmp_path + ": " + ec.message());
  return FsyncDir(dir.string());
}

Result<std::vector<DataFile>> Dataset::List(const std::map<std::string, std::string>& filter) const {
  std::vector<DataFile> out;
  std::error_code ec;
  if (!fs::exists(root_, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root_, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file() || it->path().extension() != ".parquet") continue;
    DataFile file{it->path().string(), fs::relative(it->path(), root_).string(), {}};
    for (const auto& part : fs::relative(it->path().parent_path(), root_)) {
      const std::string s = part.string();
      const size_t eq = s.find('=');
      if (eq != std::string::npos) file.partition[s.substr(0, eq)] = s.substr(eq + 1);
    }
    const bool match = std::all_of(filter.begin(), filter.end(), [&](const auto& kv) {
      auto found = file.partition.find(kv.first);
      return found != file.partition.end() && found->second == kv.second;
    });
    if (match) out.push_back(std::move(file));
  }
  if (ec) return Status::IOError("list " + root_ + ": " + ec.message());
  std::sort(out.begin(), out.end(), [](const DataFile& a, const DataFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace meteoflow
