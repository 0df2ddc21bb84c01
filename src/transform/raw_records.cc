#include "transform/raw_records.h"

#include <algorithm>
#include <cstdlib>

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

Status ReadRawFile(const DataFile& file, bool is_new, std::vector<RawRecord>* out, FetchSpan* span) {
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(file.path));
  std::vector<int> cols;
  for (const char* name : {"location_id", "fetched_at", "payload"}) {
    int found = -1;
    for (size_t i = 0; i < reader->schema().size(); ++i) {
      if (reader->schema()[i].name == name) found = static_cast<int>(i);
    }
    if (found < 0) return Status::Corruption(file.path + ": raw lake file lacks column '" + name + "'");
    cols.push_back(found);
  }
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
