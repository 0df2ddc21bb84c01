#include "lake/parquet/writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <optional>
#include <set>
#include <string_view>

#include "core/file_util.h"
#include "core/parallel.h"
#include "core/version.h"
#include "lake/parquet/encoding.h"
#include "lake/parquet/metadata.h"
#include "lake/parquet/thrift_compact.h"

namespace meteoflow::parquet {
namespace {

constexpr char kMagic[] = "PAR1";
constexpr int kEncodingPlain = 0;
constexpr int kEncodingRle = 3;
constexpr int kEncodingRleDictionary = 8;
constexpr size_t kDictionarySample = 10'000;
constexpr size_t kMaxStatBytes = 4096;

// Min/max of the present values of a chunk, as the bytes the format stores.
struct Stats {
  std::optional<std::string> min, max;
  int64_t null_count = 0;
};

template <typename T>
std::string Bytes(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

std::string StatBytes(ColumnType type, const Column& col, size_t i) {
  switch (PhysicalOf(type)) {
    case PhysicalType::kBoolean:
      return std::string(1, col.ints[i] ? '\1' : '\0');
    case PhysicalType::kInt32:
      return Bytes<int32_t>(static_cast<int32_t>(col.ints[i]));
    case PhysicalType::kInt64:
      return Bytes<int64_t>(col.ints[i]);
    case PhysicalType::kFloat:
      return Bytes<float>(static_cast<float>(col.doubles[i]));
    case PhysicalType::kDouble:
      return Bytes<double>(col.doubles[i]);
    default:
      return std::string(col.StringAt(i));
  }
}

// Index of the smaller/larger present value under the type's sort order; NaN is skipped.
// Positions of the smallest and largest present values of v[begin, end) by `less`, skipping
// the positions `skip` says to (nulls, NaN).
template <typename T, typename Skip, typename Less>
std::optional<std::pair<size_t, size_t>> MinMax(const std::vector<T>& v, size_t begin, size_t end, Skip skip,
                                                Less less) {
  std::optional<std::pair<size_t, size_t>> out;
  for (size_t i = begin; i < end; ++i) {
    if (skip(i)) continue;
    if (!out) {
      out = std::make_pair(i, i);
      continue;
    }
    if (less(v[i], v[out->first])) out->first = i;
    if (less(v[out->second], v[i])) out->second = i;
  }
  return out;
}

Stats ComputeStats(ColumnType type, const Column& col, size_t begin, size_t end) {
  Stats stats;
  for (size_t i = begin; i < end; ++i) stats.null_count += !col.valid[i];
  const bool all_valid = stats.null_count == 0;
  std::optional<std::pair<size_t, size_t>> range;
  if (type == ColumnType::kString) {
    for (size_t i = begin; i < end; ++i) {  // by content, unsigned bytes
      if (!col.valid[i]) continue;
      if (!range) {
        range = std::make_pair(i, i);
        continue;
      }
      const std::string_view v = col.StringAt(i);
      if (v < col.StringAt(range->first)) range->first = i;
      if (col.StringAt(range->second) < v) range->second = i;
    }
  } else if (IsIntegerBacked(type)) {
    range = MinMax(
        col.ints, begin, end, [&](size_t i) { return !all_valid && !col.valid[i]; },
        [](int64_t a, int64_t b) { return a < b; });
  } else {
    range = MinMax(
        col.doubles, begin, end, [&](size_t i) { return (!all_valid && !col.valid[i]) || std::isnan(col.doubles[i]); },
        [](double a, double b) { return a < b; });
  }
  if (range) {
    const auto [lo, hi] = *range;
    stats.min = StatBytes(type, col, lo);
    stats.max = StatBytes(type, col, hi);
    if (!IsIntegerBacked(type) && type != ColumnType::kString) {  // -0.0 as min, +0.0 as max
      if (col.doubles[lo] == 0) stats.min = type == ColumnType::kFloat ? Bytes<float>(-0.0f) : Bytes<double>(-0.0);
      if (col.doubles[hi] == 0) stats.max = type == ColumnType::kFloat ? Bytes<float>(0.0f) : Bytes<double>(0.0);
    }
    if (stats.min->size() > kMaxStatBytes || stats.max->size() > kMaxStatBytes) stats.min = stats.max = std::nullopt;
  }
  return stats;
}

// The footer's description of a column: physical type, repetition, converted and logical types.
SchemaElement SchemaElementOf(const ColumnSpec& spec) {
  SchemaElement e;
  e.type = static_cast<int32_t>(PhysicalOf(spec.type));
  e.repetition = spec.optional ? 1 : 0;
  e.name = spec.name;
  e.utc_adjusted = spec.utc;
  switch (spec.type) {
    case ColumnType::kString:
      e.converted_type = 0;  // UTF8
      e.logical_type = 1;    // STRING
      break;
    case ColumnType::kDate:
      e.converted_type = 6;
      e.logical_type = 6;
      break;
    case ColumnType::kTimestampMillis:
    case ColumnType::kTimestampMicros:
    case ColumnType::kTimestampNanos:
      e.logical_type = 8;
      e.time_unit = spec.type == ColumnType::kTimestampMillis ? 1 : spec.type == ColumnType::kTimestampMicros ? 2 : 3;
      // The converted types imply isAdjustedToUTC; nanoseconds have none.
      if (spec.utc && spec.type != ColumnType::kTimestampNanos) {
        e.converted_type = spec.type == ColumnType::kTimestampMillis ? 9 : 10;
      }
      break;
    default:
      break;
  }
  return e;
}

size_t ValueBytes(ColumnType type, const Column& col, size_t i) {
  if (type == ColumnType::kString) return 4 + col.StringAt(i).size();
  if (PhysicalOf(type) == PhysicalType::kInt32 || type == ColumnType::kFloat) return 4;
  return type == ColumnType::kBool ? 1 : 8;
}

// The bits of a value that make two values the same dictionary entry.
struct ValueKey {
  int64_t bits = 0;
  std::string_view text;
  bool operator==(const ValueKey& o) const { return bits == o.bits && text == o.text; }
};
uint64_t HashOf(const ValueKey& k) {
  uint64_t h = k.text.empty() ? static_cast<uint64_t>(k.bits) : std::hash<std::string_view>()(k.text);
  h ^= h >> 33;  // a full 64-bit mix, so every bit reaches the low bits the table uses
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return h ^ (h >> 33);
}

// Value -> dictionary entry, open addressing over a power-of-two table of entry numbers.
class DictionaryIndex {
 public:
  DictionaryIndex() : slots_(1024, 0), mask_(1023) {}
  // The entry of `key`, adding it as entry size() when new (then *added is true).
  uint32_t Find(const ValueKey& key, bool* added) {
    const uint64_t h = HashOf(key);
    for (uint64_t s = h & mask_;; s = (s + 1) & mask_) {
      const uint32_t slot = slots_[s];
      if (slot == 0) {
        keys_.push_back(key);
        slots_[s] = static_cast<uint32_t>(keys_.size());
        *added = true;
        if (keys_.size() * 2 > slots_.size()) Grow();
        return static_cast<uint32_t>(keys_.size() - 1);
      }
      if (keys_[slot - 1] == key) {
        *added = false;
        return slot - 1;
      }
    }
  }
  size_t size() const { return keys_.size(); }

 private:
  void Grow() {
    slots_.assign(slots_.size() * 2, 0);
    mask_ = slots_.size() - 1;
    for (size_t e = 0; e < keys_.size(); ++e) {
      uint64_t s = HashOf(keys_[e]) & mask_;
      while (slots_[s] != 0) s = (s + 1) & mask_;
      slots_[s] = static_cast<uint32_t>(e + 1);
    }
  }
  std::vector<uint32_t> slots_;  // 0 = empty, else entry + 1
  uint64_t mask_;
  std::vector<ValueKey> keys_;
};

ValueKey KeyOf(ColumnType type, const Column& col, size_t i) {
  ValueKey key;
  if (type == ColumnType::kString) {
    key.text = col.StringAt(i);
  } else if (IsIntegerBacked(type)) {
    key.bits = col.ints[i];
  } else if (type == ColumnType::kFloat) {
    const float f = static_cast<float>(col.doubles[i]);
    int32_t b;
    std::memcpy(&b, &f, 4);
    key.bits = b;
  } else {
    std::memcpy(&key.bits, &col.doubles[i], 8);
  }
  return key;
}

}  // namespace

ParquetWriter::DictionaryPlan ParquetWriter::PlanDictionary(ColumnType type, const Column& col, size_t begin,
                                                            size_t end, size_t max_bytes) {
  DictionaryPlan plan;
  plan.end = begin;
  DictionaryIndex index;
  size_t bytes = 0, seen = 0;
  plan.indices.reserve(end - begin);
  for (size_t i = begin; i < end; ++i) {
    if (!col.valid[i]) {
      plan.end = i + 1;
      continue;
    }
    bool added = false;
    const uint32_t entry = index.Find(KeyOf(type, col, i), &added);
    if (added) {
      bytes += ValueBytes(type, col, i);
      if (bytes > max_bytes) break;  // fall back to PLAIN from this row on (the entry stays unused)
      if (type == ColumnType::kString) {
        plan.values.AppendString(col.StringAt(i));
      } else if (IsIntegerBacked(type)) {
        plan.values.AppendInt(col.ints[i]);
      } else {
        plan.values.AppendDouble(col.doubles[i]);
      }
    }
    plan.indices.push_back(entry);
    plan.end = i + 1;
    // Mostly distinct values: a dictionary would only add to the plain size.
    if (++seen == kDictionarySample && index.size() * 2 > seen) return DictionaryPlan{begin, {}, {}};
  }
  if (plan.values.size() == 0) plan.end = begin;
  return plan;
}

struct ParquetWriter::ChunkMeta {
  ColumnType type;
  std::string name;
  int codec;
  int64_t num_values = 0;
  int64_t uncompressed = 0;
  int64_t compressed = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
  std::set<int> encodings;
  Stats stats;
  std::string bytes;  // the encoded pages, until they are appended to the file
};

struct ParquetWriter::RowGroupMeta {
  std::vector<ChunkMeta> chunks;
  int64_t num_rows = 0;
  int64_t file_offset = 0;
};

ParquetWriter::ParquetWriter(std::string path, int fd, std::vector<ColumnSpec> schema, WriterOptions options)
    : path_(std::move(path)), fd_(fd), schema_(std::move(schema)), options_(std::move(options)) {}

ParquetWriter::~ParquetWriter() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(const std::string& path, std::vector<ColumnSpec> schema,
                                                           WriterOptions options) {
  if (schema.empty()) return Status::InvalidArgument("parquet writer " + path + ": schema has no columns");
  if (options.row_group_rows == 0) return Status::InvalidArgument("parquet writer: row_group_rows must be > 0");
  for (const auto& spec : schema) {
    if (spec.type == ColumnType::kDecimal) {
      return Status::InvalidArgument("parquet writer " + path + ": column '" + spec.name + "': DECIMAL is read-only");
    }
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open " + path);
  auto writer = std::unique_ptr<ParquetWriter>(new ParquetWriter(path, fd, std::move(schema), std::move(options)));
  MF_RETURN_IF_ERROR(writer->Append(std::string(kMagic, 4)));
  return writer;
}

Status ParquetWriter::Append(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("write " + path_);
    done += static_cast<size_t>(n);
  }
  position_ += bytes.size();
  return Status::OK();
}

Status ParquetWriter::Write(const Table& batch) {
  if (finished_) return Status::InvalidArgument("parquet writer " + path_ + ": Write after Finish");
  if (batch.schema.size() != schema_.size()) return Status::InvalidArgument("parquet writer: batch schema differs");
  for (size_t c = 0; c < schema_.size(); ++c) {
    if (batch.schema[c].name != schema_[c].name || batch.schema[c].type != schema_[c].type ||
        batch.schema[c].optional != schema_[c].optional) {
      return Status::InvalidArgument("parquet writer: column " + std::to_string(c) + " differs from the schema");
    }
    const Column& col = batch.columns[c];
    const size_t values = schema_[c].type == ColumnType::kString ? col.string_ends.size()
                          : IsIntegerBacked(schema_[c].type)     ? col.ints.size()
                                                                 : col.doubles.size();
    if (col.size() != batch.num_rows() || values != col.size()) {
      return Status::InvalidArgument("parquet writer: column '" + schema_[c].name + "' has a different length");
    }
    if (!schema_[c].optional) {
      for (uint8_t v : col.valid) {
        if (!v) return Status::InvalidArgument("parquet writer: null in required column '" + schema_[c].name + "'");
      }
    }
  }
  for (size_t begin = 0; begin < batch.num_rows(); begin += options_.row_group_rows) {
    MF_RETURN_IF_ERROR(WriteRowGroup(batch, begin, std::min(batch.num_rows(), begin + options_.row_group_rows)));
  }
  return Status::OK();
}

Status ParquetWriter::WriteRowGroup(const Table& batch, size_t begin, size_t end) {
  RowGroupMeta group;
  group.num_rows = static_cast<int64_t>(end - begin);
  group.file_offset = static_cast<int64_t>(position_);
  group.chunks.resize(schema_.size());
  // Chunks encode independently, on the machine's cores; they go to the file in schema order.
  std::vector<Status> errors(schema_.size());
  ParallelFor(schema_.size(),
              [&](size_t c) { errors[c] = WriteChunk(schema_[c], batch.columns[c], begin, end, &group.chunks[c]); });
  for (size_t c = 0; c < schema_.size(); ++c) {
    MF_RETURN_IF_ERROR(errors[c]);
    ChunkMeta& meta = group.chunks[c];
    meta.data_page_offset += static_cast<int64_t>(position_);
    if (meta.dictionary_page_offset) *meta.dictionary_page_offset += static_cast<int64_t>(position_);
    MF_RETURN_IF_ERROR(Append(meta.bytes));
    std::string().swap(meta.bytes);
  }
  row_groups_.push_back(std::move(group));
  return Status::OK();
}

Status ParquetWriter::WriteChunk(const ColumnSpec& spec, const Column& col, size_t begin, size_t end,
                                 ChunkMeta* meta) const {
  meta->type = spec.type;
  meta->name = spec.name;
  meta->codec = static_cast<int>(options_.codec);
  meta->num_values = static_cast<int64_t>(end - begin);
  meta->stats = ComputeStats(spec.type, col, begin, end);
  DictionaryPlan dict;
  if (options_.dictionary && spec.type != ColumnType::kBool) {
    dict = PlanDictionary(spec.type, col, begin, end, options_.dictionary_page_bytes);
  }
  if (dict.end > begin) {
    meta->dictionary_page_offset = static_cast<int64_t>(meta->bytes.size());
    std::string plain;
    EncodePlain(spec.type, dict.values, 0, dict.values.size(), &plain);
    MF_RETURN_IF_ERROR(WritePage(2, plain, meta, [&](ThriftWriter& w) {  // DICTIONARY_PAGE
      w.FieldStruct(7);
      w.FieldI32(1, static_cast<int32_t>(dict.values.size()));
      w.FieldI32(2, kEncodingPlain);
      w.EndStruct();
    }));
    meta->encodings.insert(kEncodingPlain);  // the dictionary page's values
  }
  meta->data_page_offset = static_cast<int64_t>(meta->bytes.size());
  if (dict.end > begin) MF_RETURN_IF_ERROR(WritePages(spec, col, begin, dict.end, &dict, meta));
  if (dict.end < end || begin == end)
    MF_RETURN_IF_ERROR(WritePages(spec, col, std::max(begin, dict.end), end, nullptr, meta));
  return Status::OK();
}

Status ParquetWriter::WritePage(int page_type, const std::string& payload, ChunkMeta* meta,
                                const std::function<void(ThriftWriter&)>& type_header) const {
  std::string compressed;
  MF_RETURN_IF_ERROR(Compress(meta->codec, payload, &compressed));
  std::string header;
  ThriftWriter w(&header);
  w.BeginStruct();
  w.FieldI32(1, page_type);
  w.FieldI32(2, static_cast<int32_t>(payload.size()));
  w.FieldI32(3, static_cast<int32_t>(compressed.size()));
  type_header(w);
  w.EndStruct();
  meta->uncompressed += static_cast<int64_t>(header.size() + payload.size());
  meta->compressed += static_cast<int64_t>(header.size() + compressed.size());
  meta->bytes += header;
  meta->bytes += compressed;
  return Status::OK();
}

Status ParquetWriter::WritePages(const ColumnSpec& spec, const Column& col, size_t begin, size_t end,
                                 const DictionaryPlan* dict, ChunkMeta* meta) const {
  const int index_width = dict ? std::max(1, BitWidth(static_cast<uint32_t>(dict->values.size() - 1))) : 0;
  size_t next_index = 0;  // into dict->indices: one per present value from `begin` on
  meta->encodings.insert(dict ? kEncodingRleDictionary : kEncodingPlain);
  size_t page_begin = begin;
  do {
    size_t page_end = page_begin, bytes = 0;
    while (page_end < end && (page_end == page_begin || bytes < options_.page_bytes)) {
      bytes += ValueBytes(spec.type, col, page_end);
      ++page_end;
    }
    std::string payload;
    if (spec.optional) {
      std::vector<uint8_t> levels(col.valid.begin() + static_cast<ptrdiff_t>(page_begin),
                                  col.valid.begin() + static_cast<ptrdiff_t>(page_end));
      std::string encoded;
      EncodeRleLevels(levels, 1, &encoded);
      payload += Bytes<uint32_t>(static_cast<uint32_t>(encoded.size()));
      payload += encoded;
      meta->encodings.insert(kEncodingRle);
    }
    if (dict) {
      size_t present = 0;
      for (size_t i = page_begin; i < page_end; ++i) present += col.valid[i];
      const std::vector<uint32_t> indices(dict->indices.begin() + static_cast<ptrdiff_t>(next_index),
                                          dict->indices.begin() + static_cast<ptrdiff_t>(next_index + present));
      next_index += present;
      payload.push_back(static_cast<char>(index_width));
      EncodeRleHybrid(indices, index_width, &payload);
    } else {
      EncodePlain(spec.type, col, page_begin, page_end, &payload);
    }
    const int32_t rows = static_cast<int32_t>(page_end - page_begin);
    MF_RETURN_IF_ERROR(WritePage(0, payload, meta, [&](ThriftWriter& w) {  // DATA_PAGE
      w.FieldStruct(5);
      w.FieldI32(1, rows);
      w.FieldI32(2, dict ? kEncodingRleDictionary : kEncodingPlain);
      w.FieldI32(3, kEncodingRle);
      w.FieldI32(4, kEncodingRle);
      w.EndStruct();
    }));
    page_begin = page_end;
  } while (page_begin < end);
  return Status::OK();
}

std::string ParquetWriter::EncodeFooter() const {
  FileMeta meta;
  meta.version = 1;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(schema_.size());
  meta.schema.push_back(root);
  for (const ColumnSpec& spec : schema_) meta.schema.push_back(SchemaElementOf(spec));
  for (const RowGroupMeta& g : row_groups_) {
    parquet::RowGroupMeta group;
    group.num_rows = g.num_rows;
    group.file_offset = g.file_offset;
    for (const ChunkMeta& c : g.chunks) {
      ColumnChunkMeta chunk;
      chunk.type = static_cast<int32_t>(PhysicalOf(c.type));
      chunk.path = {c.name};
      chunk.encodings.assign(c.encodings.begin(), c.encodings.end());
      chunk.codec = c.codec;
      chunk.num_values = c.num_values;
      chunk.total_uncompressed_size = c.uncompressed;
      chunk.total_compressed_size = c.compressed;
      chunk.data_page_offset = c.data_page_offset;
      chunk.dictionary_page_offset = c.dictionary_page_offset;
      chunk.min_value = c.stats.min;
      chunk.max_value = c.stats.max;
      chunk.null_count = c.stats.null_count;
      group.total_byte_size += c.uncompressed;
      group.total_compressed_size += c.compressed;
      group.columns.push_back(std::move(chunk));
    }
    meta.num_rows += g.num_rows;
    meta.row_groups.push_back(std::move(group));
  }
  meta.key_value_metadata = options_.key_value_metadata;
  meta.created_by = std::string("meteoflow version ") + kVersion + " (build meteoflow)";
  meta.type_defined_order = true;
  return EncodeFileMeta(meta);
}

Status ParquetWriter::Finish() {
  if (finished_) return Status::OK();
  const std::string footer = EncodeFooter();
  MF_RETURN_IF_ERROR(Append(footer));
  MF_RETURN_IF_ERROR(Append(Bytes<uint32_t>(static_cast<uint32_t>(footer.size())) + std::string(kMagic, 4)));
  finished_ = true;
  if (::close(fd_) != 0) {
    fd_ = -1;
    return ErrnoStatus("close " + path_);
  }
  fd_ = -1;
  return Status::OK();
}

}  // namespace meteoflow::parquet
