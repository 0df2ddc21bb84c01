#include "land/land_stage.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <tuple>

#include "core/utf8.h"
#include "lake/parquet/reader.h"
#include "land/compaction.h"

namespace meteoflow {
namespace {

constexpr const char* kGroup = "land";

std::string FileName(const std::string& topic, PartitionId partition, Offset first, Offset last) {
  return "part-" + topic + "-" + std::to_string(ToInt(partition)) + "-" + std::to_string(ToInt(first)) + "-" +
         std::to_string(ToInt(last)) + ".parquet";
}

// Parses "part-<topic>-<partition>-<first>-<last>.parquet" for a known topic.
bool ParseFileName(const std::string& name, const std::string& topic, PartitionId* partition, Offset* first,
                   Offset* last) {
  const std::string head = "part-" + topic + "-";
  if (!name.starts_with(head) || !name.ends_with(".parquet")) return false;
  const std::string rest = name.substr(head.size(), name.size() - head.size() - 8);
  const size_t dash = rest.find('-');
  if (dash == std::string::npos) return false;
  const size_t dash2 = rest.find('-', dash + 1);
  if (dash2 == std::string::npos) return false;
  try {
    size_t used = 0;
    *partition = PartitionId{std::stoi(rest.substr(0, dash), &used)};
    if (used != dash) return false;
    *first = Offset{std::stoll(rest.substr(dash + 1, dash2 - dash - 1), &used)};
    if (used != dash2 - dash - 1) return false;
    *last = Offset{std::stoll(rest.substr(dash2 + 1), &used)};
    if (used != rest.size() - dash2 - 1) return false;
  } catch (const std::exception&) {
    return false;
  }
  return true;
}

// The offsets of topic partition `tp` stored in one lake file (a compacted file holds several).
Status ReadOffsets(const std::string& path, const std::pair<std::string, PartitionId>& tp, std::set<Offset>* out) {
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(path));
  MF_ASSIGN_OR_RETURN(const std::vector<int> cols, reader->ColumnIndices({"topic", "partition", "offset"}));
  MF_ASSIGN_OR_RETURN(auto table, reader->ReadAll(cols));
  for (size_t i = 0; i < table.num_rows(); ++i) {
    if (table.columns[0].StringAt(i) == tp.first && table.columns[1].ints[i] == ToInt(tp.second)) {
      out->insert(Offset{table.columns[2].ints[i]});
    }
  }
  return Status::OK();
}

// The offset ranges a compacted file's footer lists ("<topic>:<partition>:<first>:<last>;...").
Status ReadCompactedRanges(const std::string& path,
                           std::vector<std::tuple<std::string, PartitionId, Offset, Offset>>* out) {
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(path));
  for (const auto& [key, value] : reader->metadata().key_value_metadata) {
    if (key != LakeCompactor::kOffsetsKey) continue;
    size_t at = 0;
    while (at < value.size()) {
      size_t end = value.find(';', at);
      if (end == std::string::npos) end = value.size();
      const std::string entry = value.substr(at, end - at);
      at = end + 1;
      long long partition = 0, first = 0, last = 0;
      const size_t colon = entry.find(':');
      if (colon == std::string::npos ||
          std::sscanf(entry.c_str() + colon + 1, "%lld:%lld:%lld", &partition, &first, &last) != 3) {
        return Status::Corruption(path + ": unreadable " + LakeCompactor::kOffsetsKey + " entry '" + entry + "'");
      }
      out->emplace_back(entry.substr(0, colon), PartitionId{static_cast<int32_t>(partition)}, Offset{first},
                        Offset{last});
    }
    return Status::OK();
  }
  return Status::Corruption(path + ": compacted lake file without " + LakeCompactor::kOffsetsKey);
}

}  // namespace

std::vector<parquet::ColumnSpec> LandStage::RawSchema() {
  using parquet::ColumnType;
  return {{"location_id", ColumnType::kString, false}, {"fetched_at", ColumnType::kTimestampMillis, false},
          {"topic", ColumnType::kString, false},       {"partition", ColumnType::kInt32, false},
          {"offset", ColumnType::kInt64, false},       {"payload", ColumnType::kString, false}};
}

Result<LandStage::LandedFiles> LandStage::ListLanded() const {
  LandedFiles landed;
  MF_ASSIGN_OR_RETURN(auto files, lake_.List());
  for (const auto& f : files) {
    const std::string name = f.relative_path.substr(f.relative_path.rfind('/') + 1);
    if (name.starts_with("compact-")) {
      std::vector<std::tuple<std::string, PartitionId, Offset, Offset>> ranges;
      MF_RETURN_IF_ERROR(ReadCompactedRanges(f.path, &ranges));
      for (const auto& [topic, partition, first, last] : ranges)
        landed[{topic, partition}].push_back({f.path, first, last});
      continue;
    }
    for (const auto& [topic, source] : topic_to_source_) {
      FileRange range{f.path, Offset{0}, Offset{0}};
      PartitionId partition{0};
      if (ParseFileName(name, topic, &partition, &range.first, &range.last)) {
        landed[{topic, partition}].push_back(range);
      }
    }
  }
  return landed;
}

Result<std::set<Offset>> LandStage::LandedAtOrAfter(const LandedFiles& landed, const TopicPartition& tp,
                                                    Offset from) const {
  std::set<Offset> offsets;
  auto it = landed.find(tp);
  if (it == landed.end()) return offsets;
  for (const auto& file : it->second) {
    if (file.last >= from) MF_RETURN_IF_ERROR(ReadOffsets(file.path, tp, &offsets));
  }
  return offsets;
}

Result<std::unique_ptr<Consumer>> LandStage::Subscribe() {
  std::vector<std::string> topics;
  for (const auto& [topic, source] : topic_to_source_) topics.push_back(topic);
  return log_.Subscribe(kGroup, topics);
}

Result<LandStats> LandStage::Run(const std::function<void(const LandStats&)>& on_batch) {
  LandStats stats;
  MF_ASSIGN_OR_RETURN(auto consumer, Subscribe());
  for (bool caught_up = false; !caught_up;) {
    MF_RETURN_IF_ERROR(LandBatch(*consumer, kDefaultBatch, &stats, &caught_up));
    if (on_batch) on_batch(stats);
  }
  return stats;
}

Status LandStage::LandBatch(Consumer& consumer, size_t max_records, LandStats* stats, bool* caught_up, bool commit) {
  MF_ASSIGN_OR_RETURN(auto batch, consumer.Poll(max_records));
  *caught_up = batch.empty();
  if (batch.empty()) return Status::OK();
  for (LogRecord& r : batch) {  // the lake's STRING columns hold UTF-8 only (lake/LAYOUT.md)
    if (!IsUtf8(r.key)) r.key = EscapeNonUtf8(r.key);
    if (!IsUtf8(r.value)) r.value = EscapeNonUtf8(r.value);
  }
  MF_ASSIGN_OR_RETURN(const LandedFiles landed, ListLanded());
  // Offsets of this batch that an earlier, interrupted run (or another worker) already landed.
  std::map<TopicPartition, Offset> first_offset;
  for (const auto& r : batch) first_offset.try_emplace({r.topic, r.partition}, r.offset);
  std::map<TopicPartition, std::set<Offset>> already;
  for (const auto& [tp, from] : first_offset) {
    MF_ASSIGN_OR_RETURN(already[tp], LandedAtOrAfter(landed, tp, from));
  }
  // (topic, partition, date) -> records, in offset order.
  std::map<std::tuple<std::string, PartitionId, std::string>, std::vector<const LogRecord*>> groups;
  for (const auto& r : batch) {
    if (already[{r.topic, r.partition}].count(r.offset)) {
      ++stats->skipped_already_landed;
      continue;
    }
    groups[{r.topic, r.partition, r.timestamp.DateString()}].push_back(&r);
  }
  for (const auto& [key, records] : groups) {
    const auto& [topic, log_partition, date] = key;
    const Partition partition = {{"source", topic_to_source_.at(topic)}, {"date", date}};
    MF_RETURN_IF_ERROR(landed_keys_.Refresh(partition));
    std::vector<const LogRecord*> fresh;
    for (const LogRecord* r : records) {
      if (landed_keys_.Add(partition, LandedKeys::KeyOf(*r))) {
        fresh.push_back(r);
      } else {
        ++stats->skipped_duplicates;
      }
    }
    if (fresh.empty()) continue;
    parquet::Table table(RawSchema());
    for (const LogRecord* r : fresh) {
      table.columns[0].AppendString(r->key);
      table.columns[1].AppendInt(r->timestamp.millis());
      table.columns[2].AppendString(r->topic);
      table.columns[3].AppendInt(ToInt(r->partition));
      table.columns[4].AppendInt(ToInt(r->offset));
      table.columns[5].AppendString(r->value);
    }
    const std::string name = FileName(topic, log_partition, fresh.front()->offset, fresh.back()->offset);
    if (Status written = lake_.Commit(partition, name, table); !written.ok()) {
      landed_keys_.Forget(partition);  // its keys were added for a file that is not there
      return written;
    }
    landed_keys_.Wrote(partition, name);
    stats->landed += static_cast<int64_t>(fresh.size());
    ++stats->files;
  }
  return commit ? consumer.Commit() : Status::OK();
}

}  // namespace meteoflow
