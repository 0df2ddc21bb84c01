#include "transform/raw_records.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "lake/parquet/reader.h"

namespace meteoflow {

FetchSpan FetchSpan::Parse(const std::string& text) {
  FetchSpan span{INT64_MIN, INT64_MAX};
  const size_t comma = text.find(',');
  if (comma == std::string::npos) return span;
  span.min = std::strtoll(text.c_str(), nullptr, 10);
  span.max = std::strtoll(text.c_str() + comma + 1, nullptr, 10);
  return span;
}

namespace {

// The fetched_at statistics of every row group as a span; nullopt when one lacks them.
std::optional<FetchSpan> SpanFromStatistics(const parquet::FileMeta& meta) {
  FetchSpan span;
  for (const auto& group : meta.row_groups) {
    const parquet::ColumnChunkMeta* chunk = nullptr;
    for (const auto& c : group.columns) {
      if (c.path.size() == 1 && c.path[0] == "fetched_at") chunk = &c;
    }
    if (!chunk || !chunk->min_value || !chunk->max_value || chunk->min_value->size() != 8 ||
        chunk->max_value->size() != 8) {
      return std::nullopt;
    }
    int64_t min = 0, max = 0;
    std::memcpy(&min, chunk->min_value->data(), 8);  // PLAIN INT64: little-endian, as on this host
    std::memcpy(&max, chunk->max_value->data(), 8);
    span.min = std::min(span.min, min);
    span.max = std::max(span.max, max);
  }
  return span;
}

}  // namespace

Result<PendingFile> InspectRawFile(DataFile file) {
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(file.path));
  PendingFile out{std::move(file), {}, reader->num_rows()};
  if (auto span = SpanFromStatistics(reader->metadata())) {
    out.span = *span;
    return out;
  }
  MF_ASSIGN_OR_RETURN(const std::vector<int> column, reader->ColumnIndices({"fetched_at"}));
  MF_ASSIGN_OR_RETURN(auto table, reader->ReadAll(column));
  for (const int64_t t : table.columns[0].ints) {
    out.span.min = std::min(out.span.min, t);
    out.span.max = std::max(out.span.max, t);
  }
  return out;
}

Status ReadRawFile(const DataFile& file, bool is_new, std::vector<RawRecord>* out, FetchSpan* span) {
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(file.path));
  MF_ASSIGN_OR_RETURN(const std::vector<int> cols, reader->ColumnIndices({"location_id", "fetched_at", "payload"}));
  MF_ASSIGN_OR_RETURN(auto table, reader->ReadAll(cols));
  const std::string source = file.partition.count("source") ? file.partition.at("source") : "";
  for (size_t i = 0; i < table.num_rows(); ++i) {
    const int64_t fetched = table.columns[1].ints[i];
    span->min = std::min(span->min, fetched);
    span->max = std::max(span->max, fetched);
    out->push_back({source, std::string(table.columns[0].StringAt(i)), std::string(table.columns[2].StringAt(i)),
                    Timestamp::FromMillis(fetched), is_new});
  }
  return Status::OK();
}

}  // namespace meteoflow
