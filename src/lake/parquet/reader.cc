#include "lake/parquet/reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/file_util.h"
#include "core/parallel.h"
#include "lake/parquet/delta.h"
#include "lake/parquet/encoding.h"

namespace meteoflow::parquet {
namespace {

constexpr uint64_t kMaxFooterBytes = 256u << 20;
constexpr int64_t kMaxPageBytes = 1ll << 30;

ColumnType MapType(const SchemaElement& e) {
  const int conv = e.converted_type.value_or(-1);
  const bool decimal = e.logical_type == 5 || conv == 5;
  if (decimal && (*e.type == 1 || *e.type == 2 || *e.type == 6 || *e.type == 7)) return ColumnType::kDecimal;
  switch (*e.type) {
    case 0:
      return ColumnType::kBool;
    case 1:
      return (e.logical_type == 6 || conv == 6) ? ColumnType::kDate : ColumnType::kInt32;
    case 2:
      if ((e.logical_type == 8 && e.time_unit == 1) || conv == 9) return ColumnType::kTimestampMillis;
      if ((e.logical_type == 8 && e.time_unit == 2) || conv == 10) return ColumnType::kTimestampMicros;
      if (e.logical_type == 8 && e.time_unit == 3) return ColumnType::kTimestampNanos;
      return ColumnType::kInt64;
    case 3:
      return ColumnType::kTimestampMicros;  // INT96, decoded to microseconds
    case 4:
      return ColumnType::kFloat;
    case 5:
      return ColumnType::kDouble;
    default:
      return ColumnType::kString;
  }
}

Status Pread(int fd, char* buf, size_t n, uint64_t pos, const std::string& path) {
  size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, buf + done, n - done, static_cast<off_t>(pos + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoStatus("read " + path);
    if (r == 0) return Status::Corruption(path + ": file ends early");
    done += static_cast<size_t>(r);
  }
  return Status::OK();
}

void Reserve(ColumnType type, size_t rows, Column* c) {
  if (rows > (1u << 28)) return;  // a lying row count must not drive the allocation
  c->valid.reserve(rows);
  if (type == ColumnType::kString) {
    c->string_ends.reserve(rows);
  } else if (IsIntegerBacked(type)) {
    c->ints.reserve(rows);
  } else {
    c->doubles.reserve(rows);
  }
}

// Appends one page's rows to `out`: present[k] for rows whose level is `max_def`, nulls elsewhere.
template <typename T>
void Scatter(const std::vector<T>& present, const std::vector<uint32_t>& defs, uint32_t max_def, std::vector<T>* out) {
  const size_t base = out->size();
  out->resize(base + defs.size());
  size_t next = 0;
  for (size_t i = 0; i < defs.size(); ++i) (*out)[base + i] = defs[i] == max_def ? present[next++] : T{};
}

void ScatterPresent(ColumnType type, const Column& present, const std::vector<uint32_t>& defs, uint32_t max_def,
                    Column* out) {
  const size_t base = out->valid.size();
  out->valid.resize(base + defs.size());
  for (size_t i = 0; i < defs.size(); ++i) out->valid[base + i] = defs[i] == max_def;
  if (type == ColumnType::kString) {
    size_t next = 0;
    for (uint32_t d : defs) {
      if (d == max_def) out->string_bytes.append(present.StringAt(next++));
      out->string_ends.push_back(out->string_bytes.size());
    }
  } else if (IsIntegerBacked(type)) {
    Scatter(present.ints, defs, max_def, &out->ints);
  } else {
    Scatter(present.doubles, defs, max_def, &out->doubles);
  }
}

void AppendValue(ColumnType type, const Column& from, size_t i, Column* to) {
  if (type == ColumnType::kString) {
    to->AppendString(from.StringAt(i));
  } else if (IsIntegerBacked(type)) {
    to->AppendInt(from.ints[i]);
  } else {
    to->AppendDouble(from.doubles[i]);
  }
}

// Appends `count` dictionary entries named by a dictionary page's indices (1 byte bit width,
// then the RLE/bit-packed hybrid), decoding and gathering in one pass.
Status GatherDictionary(std::string_view values, const Column& dictionary, ColumnType type, size_t count, Column* out) {
  const size_t entries = dictionary.size();
  uint32_t bad = 0;
  bool out_of_range = false;
  auto check = [&](uint32_t i) {
    if (i >= entries) {
      out_of_range = true;
      bad = i;
      return false;
    }
    return true;
  };
  Status s;
  if (type == ColumnType::kString) {
    // Room for `count` entries of the dictionary's mean length, so the bytes are not copied again
    // as they grow (bounded: a lying count must not drive the allocation).
    if (entries > 0) {
      const uint64_t mean = dictionary.string_bytes.size() / entries + 1;
      const uint64_t wanted = out->string_bytes.size() + std::min<uint64_t>(count * mean, uint64_t{1} << 28);
      if (wanted > out->string_bytes.capacity())
        out->string_bytes.reserve(std::max<uint64_t>(wanted, out->string_bytes.capacity() * 2));
    }
    auto one = [&](uint32_t i) {
      if (!check(i)) return;
      out->string_bytes.append(dictionary.StringAt(i));
      out->string_ends.push_back(out->string_bytes.size());
    };
    s = ForEachRleHybrid(
        values.substr(1), static_cast<uint8_t>(values[0]), count,
        [&](uint32_t i, size_t n) {
          for (size_t k = 0; k < n; ++k) one(i);
        },
        [&](const uint32_t* v, size_t n) {
          for (size_t k = 0; k < n; ++k) one(v[k]);
        });
  } else {
    // Straight into the output: a run fills, a bit-packed batch is checked once (its largest
    // index) and then gathered without a branch per value.
    auto gather = [&](auto& from, auto& to) {
      const size_t base = to.size();
      to.resize(base + count);
      auto* dst = to.data() + base;
      const auto* src = from.data();
      size_t at = 0;
      Status st = ForEachRleHybrid(
          values.substr(1), static_cast<uint8_t>(values[0]), count,
          [&](uint32_t i, size_t n) {
            n = std::min(n, count - at);
            if (!check(i)) return;
            std::fill_n(dst + at, n, src[i]);
            at += n;
          },
          [&](const uint32_t* v, size_t n) {
            n = std::min(n, count - at);
            uint32_t largest = 0;
            for (size_t k = 0; k < n; ++k) largest = std::max(largest, v[k]);
            if (n == 0 || !check(largest)) return;
            for (size_t k = 0; k < n; ++k) dst[at + k] = src[v[k]];
            at += n;
          });
      to.resize(base + at);
      return st;
    };
    s = IsIntegerBacked(type) ? gather(dictionary.ints, out->ints) : gather(dictionary.doubles, out->doubles);
  }
  MF_RETURN_IF_ERROR(s);
  if (out_of_range) return Status::Corruption("dictionary index " + std::to_string(bad) + " out of range");
  out->valid.insert(out->valid.end(), count, 1);
  return Status::OK();
}

// Values of a non-dictionary page: `present` of them, by the page's `encoding`.
Status DecodeValues(int encoding, const ParquetReader::LeafInfo& leaf, ColumnType type, std::string_view values,
                    size_t present, Column* out) {
  const auto physical = static_cast<PhysicalType>(leaf.physical);
  switch (encoding) {
    case 0:  // PLAIN
      return DecodePlain(physical, leaf.type_length, values, present, type, out).status();
    case 3: {  // RLE, for booleans: 4-byte length, then the hybrid with width 1
      if (physical != PhysicalType::kBoolean) break;
      if (values.size() < 4) return Status::Corruption("RLE boolean values lack their length");
      uint32_t len;
      std::memcpy(&len, values.data(), 4);
      if (len > values.size() - 4) return Status::Corruption("RLE boolean values run past the page");
      std::vector<uint32_t> bits;
      MF_RETURN_IF_ERROR(DecodeRleHybrid(values.substr(4, len), 1, present, &bits));
      for (uint32_t b : bits) out->AppendInt(b != 0);
      return Status::OK();
    }
    case 5: {  // DELTA_BINARY_PACKED
      if (physical != PhysicalType::kInt32 && physical != PhysicalType::kInt64) break;
      std::vector<int64_t> ints;
      MF_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(values, present, physical == PhysicalType::kInt32, &ints).status());
      out->ints.insert(out->ints.end(), ints.begin(), ints.end());
      out->valid.insert(out->valid.end(), ints.size(), 1);
      return Status::OK();
    }
    case 6:  // DELTA_LENGTH_BYTE_ARRAY
      if (physical != PhysicalType::kByteArray) break;
      return DecodeDeltaLengthByteArray(values, present, out).status();
    case 7:  // DELTA_BYTE_ARRAY
      if (physical != PhysicalType::kByteArray && physical != PhysicalType::kFixed) break;
      return DecodeDeltaByteArray(values, present, out).status();
    case 9:  // BYTE_STREAM_SPLIT
      return DecodeByteStreamSplit(physical, leaf.type_length, values, present, type, out).status();
    default:
      return Status::InvalidArgument("value encoding " + std::to_string(encoding) + " is not supported");
  }
  return Status::Corruption("value encoding " + std::to_string(encoding) + " cannot hold physical type " +
                            std::to_string(leaf.physical));
}

}  // namespace

ParquetReader::~ParquetReader() { ::close(fd_); }

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = ErrnoStatus("stat " + path);
    ::close(fd);
    return s;
  }
  auto reader = std::unique_ptr<ParquetReader>(new ParquetReader(path, fd, static_cast<uint64_t>(st.st_size)));
  Status s = reader->Init();
  if (!s.ok()) return s.WithContext(path);
  return reader;
}

Status ParquetReader::Init() {
  if (size_ < 12) return Status::Corruption("too small to be a Parquet file (" + std::to_string(size_) + " bytes)");
  char head[4], tail[8];
  MF_RETURN_IF_ERROR(Pread(fd_, head, 4, 0, path_));
  MF_RETURN_IF_ERROR(Pread(fd_, tail, 8, size_ - 8, path_));
  if (std::memcmp(head, "PAR1", 4) != 0 || std::memcmp(tail + 4, "PAR1", 4) != 0) {
    return Status::Corruption("missing PAR1 magic (not a Parquet file, or an encrypted one)");
  }
  uint32_t footer_len;
  std::memcpy(&footer_len, tail, 4);
  if (footer_len > size_ - 12 || footer_len > kMaxFooterBytes) {
    return Status::Corruption("footer length " + std::to_string(footer_len) + " does not fit in the file");
  }
  std::string footer(footer_len, '\0');
  MF_RETURN_IF_ERROR(Pread(fd_, footer.data(), footer_len, size_ - 8 - footer_len, path_));
  MF_ASSIGN_OR_RETURN(meta_, DecodeFileMeta(reinterpret_cast<const uint8_t*>(footer.data()), footer.size()));
  return BuildSchema();
}

Status ParquetReader::BuildSchema() {
  const auto& elems = meta_.schema;
  // Walk the flattened tree; a stack of (remaining children, path prefix, def level, repeated).
  struct Frame {
    int remaining;
    std::string prefix;
    int def;
    bool repeated;  // this group or one above it repeats (a list or map)
  };
  std::vector<Frame> stack{{elems[0].num_children, "", 0, false}};
  for (size_t i = 1; i < elems.size(); ++i) {
    while (!stack.empty() && stack.back().remaining == 0) stack.pop_back();
    if (stack.empty()) return Status::Corruption("schema has more elements than its groups declare");
    Frame& parent = stack.back();
    --parent.remaining;
    const SchemaElement& e = elems[i];
    const int def = parent.def + (e.repetition != 0 ? 1 : 0);
    const std::string name = parent.prefix.empty() ? e.name : parent.prefix + "." + e.name;
    if (!e.type) {
      if (e.num_children < 0 || static_cast<size_t>(e.num_children) > elems.size()) {
        return Status::Corruption("schema group '" + name + "' declares " + std::to_string(e.num_children) +
                                  " children");
      }
      stack.push_back({e.num_children, name, def, parent.repeated || e.repetition == 2});
      continue;
    }
    if (*e.type < 0 || *e.type > 7) return Status::Corruption("column '" + name + "' has unknown physical type");
    // Leaves of (possibly optional) structs read as flat dotted columns; lists and maps do not.
    Leaf leaf{*e.type, e.type_length, def, !parent.repeated && e.repetition != 2};
    const bool utc = *e.type != 3 && e.utc_adjusted;  // INT96 carries wall-clock times
    schema_.push_back({name, MapType(e), def > 0, utc, e.scale});
    leaves_.push_back(leaf);
  }
  for (const auto& g : meta_.row_groups) {
    if (g.columns.size() != leaves_.size()) {
      return Status::Corruption("row group has " + std::to_string(g.columns.size()) + " column chunks for " +
                                std::to_string(leaves_.size()) + " schema columns");
    }
    if (g.num_rows < 0) return Status::Corruption("row group with negative num_rows");
  }
  return Status::OK();
}

Result<Table> ParquetReader::ReadRowGroup(size_t row_group, const std::vector<int>& columns) const {
  if (row_group >= meta_.row_groups.size()) {
    return Status::InvalidArgument(path_ + ": row group " + std::to_string(row_group) + " does not exist");
  }
  return ReadRowGroups({row_group}, columns);
}

Result<std::vector<int>> ParquetReader::ColumnIndices(const std::vector<std::string>& names) const {
  std::vector<int> out;
  for (const std::string& name : names) {
    const auto it = std::find_if(schema_.begin(), schema_.end(), [&](const ColumnSpec& c) { return c.name == name; });
    if (it == schema_.end()) return Status::Corruption(path_ + ": no column '" + name + "'");
    out.push_back(static_cast<int>(it - schema_.begin()));
  }
  return out;
}

Result<Table> ParquetReader::ReadAll(const std::vector<int>& columns) const {
  std::vector<size_t> groups(meta_.row_groups.size());
  for (size_t g = 0; g < groups.size(); ++g) groups[g] = g;
  return ReadRowGroups(groups, columns);
}

Result<Table> ParquetReader::ReadWhere(const std::vector<int>& columns, const std::vector<Predicate>& where,
                                       ScanStats* stats) const {
  std::vector<size_t> all(meta_.row_groups.size());
  for (size_t g = 0; g < all.size(); ++g) all[g] = g;
  return ReadWhereIn(all, columns, where, stats);
}

Result<Table> ParquetReader::ReadRowGroupWhere(size_t row_group, const std::vector<int>& columns,
                                               const std::vector<Predicate>& where, ScanStats* stats) const {
  if (row_group >= meta_.row_groups.size()) {
    return Status::InvalidArgument(path_ + ": row group " + std::to_string(row_group) + " does not exist");
  }
  return ReadWhereIn({row_group}, columns, where, stats);
}

Result<Table> ParquetReader::ReadWhereIn(const std::vector<size_t>& among, const std::vector<int>& columns,
                                         const std::vector<Predicate>& where, ScanStats* stats) const {
  std::vector<int> wanted = columns;
  if (wanted.empty()) {
    for (size_t i = 0; i < schema_.size(); ++i) wanted.push_back(static_cast<int>(i));
  }
  // Read the wanted columns, then any predicate column not among them.
  std::vector<int> read = wanted;
  std::vector<std::pair<size_t, BoundPredicate>> bound;  // (position in `read`, predicate)
  for (const Predicate& p : where) {
    int col = -1;
    for (size_t i = 0; i < schema_.size(); ++i) {
      if (schema_[i].name == p.column) col = static_cast<int>(i);
    }
    if (col < 0) return Status::InvalidArgument(path_ + ": predicate on unknown column '" + p.column + "'");
    MF_ASSIGN_OR_RETURN(BoundPredicate b,
                        BoundPredicate::Bind(p, schema_[static_cast<size_t>(col)],
                                             static_cast<PhysicalType>(leaves_[static_cast<size_t>(col)].physical)));
    auto at = std::find(read.begin(), read.end(), col);
    if (at == read.end()) at = read.insert(read.end(), col);
    bound.emplace_back(static_cast<size_t>(at - read.begin()), std::move(b));
  }
  std::vector<size_t> groups;
  for (size_t g : among) {
    bool may_match = true;
    for (const auto& [pos, b] : bound) {
      const ColumnChunkMeta& chunk = meta_.row_groups[g].columns[static_cast<size_t>(read[pos])];
      const bool all_null = chunk.null_count && *chunk.null_count == meta_.row_groups[g].num_rows;
      if (all_null || !b.MayMatch(chunk.min_value, chunk.max_value)) may_match = false;
    }
    if (may_match) groups.push_back(g);
  }
  if (stats) *stats = {among.size(), among.size() - groups.size()};
  MF_ASSIGN_OR_RETURN(Table all, ReadRowGroups(groups, read));
  std::vector<ColumnSpec> specs(all.schema.begin(), all.schema.begin() + static_cast<ptrdiff_t>(wanted.size()));
  Table out(specs);
  for (size_t row = 0; row < all.num_rows(); ++row) {
    bool keep = true;
    for (const auto& [pos, b] : bound) {
      if (!all.columns[pos].valid[row] || !b.Matches(all.columns[pos], row)) keep = false;
    }
    if (!keep) continue;
    for (size_t c = 0; c < wanted.size(); ++c) {
      if (all.columns[c].valid[row]) {
        AppendValue(specs[c].type, all.columns[c], row, &out.columns[c]);
      } else {
        out.columns[c].AppendNull(specs[c].type);
      }
    }
  }
  return out;
}

Result<Table> ParquetReader::ReadRowGroups(const std::vector<size_t>& groups, const std::vector<int>& columns) const {
  std::vector<int> wanted = columns;
  if (wanted.empty()) {
    for (size_t i = 0; i < schema_.size(); ++i) wanted.push_back(static_cast<int>(i));
  }
  std::vector<ColumnSpec> specs;
  for (int c : wanted) {
    if (c < 0 || static_cast<size_t>(c) >= schema_.size())
      return Status::InvalidArgument(path_ + ": no column " + std::to_string(c));
    specs.push_back(schema_[static_cast<size_t>(c)]);
  }
  int64_t rows = 0;
  for (size_t g : groups) rows += meta_.row_groups[g].num_rows;
  Table table(specs);
  std::vector<Status> errors(wanted.size());
  // Columns are independent: decode them on the machine's cores, each into its own Column.
  ParallelFor(wanted.size(), [&](size_t i) {
    Reserve(specs[i].type, static_cast<size_t>(rows), &table.columns[i]);
    for (size_t g : groups) {
      Status s = ReadChunkInto(g, wanted[i], &table.columns[i]);
      if (!s.ok()) {
        errors[i] = s.WithContext(path_ + ": column '" + specs[i].name + "'");
        break;
      }
    }
  });
  for (const Status& e : errors) MF_RETURN_IF_ERROR(e);
  return table;
}

Status ParquetReader::ReadChunkInto(size_t row_group, int column, Column* out) const {
  const Leaf& leaf = leaves_[static_cast<size_t>(column)];
  const ColumnType type = schema_[static_cast<size_t>(column)].type;
  if (!leaf.supported) {
    return Status::InvalidArgument("repeated (list/map) columns are not supported; struct fields and flat columns are");
  }
  const ColumnChunkMeta& c = meta_.row_groups[row_group].columns[static_cast<size_t>(column)];
  if (c.type != leaf.physical) return Status::Corruption("chunk type differs from the schema");
  const int64_t start = c.dictionary_page_offset && *c.dictionary_page_offset > 0
                            ? std::min(*c.dictionary_page_offset, c.data_page_offset)
                            : c.data_page_offset;
  if (start < 4 || c.total_compressed_size < 0 || static_cast<uint64_t>(start) > size_ ||
      static_cast<uint64_t>(c.total_compressed_size) > size_ - static_cast<uint64_t>(start)) {
    return Status::Corruption("chunk range [" + std::to_string(start) + ", +" +
                              std::to_string(c.total_compressed_size) + ") lies outside the file");
  }
  if (c.num_values < 0 || static_cast<uint64_t>(c.num_values) > size_ * 8 + 1024) {
    return Status::Corruption("implausible value count " + std::to_string(c.num_values));
  }
  // Per-thread, reused: a fresh buffer per chunk costs a zero fill and page faults each time.
  thread_local std::string chunk_buffer;
  chunk_buffer.resize(static_cast<size_t>(c.total_compressed_size));
  const std::string& chunk = chunk_buffer;
  MF_RETURN_IF_ERROR(Pread(fd_, chunk_buffer.data(), chunk_buffer.size(), static_cast<uint64_t>(start), path_));
  Column dictionary;
  bool has_dictionary = false;
  size_t pos = 0;
  const size_t first = out->size();
  const size_t wanted = first + static_cast<size_t>(c.num_values);
  while (out->size() < wanted) {
    if (pos >= chunk.size())
      return Status::Corruption("chunk ends after " + std::to_string(out->size() - first) + " of " +
                                std::to_string(c.num_values) + " values");
    size_t header_size = 0;
    MF_ASSIGN_OR_RETURN(PageHeader h, DecodePageHeader(reinterpret_cast<const uint8_t*>(chunk.data() + pos),
                                                       chunk.size() - pos, &header_size));
    pos += header_size;
    if (static_cast<size_t>(h.compressed_size) > chunk.size() - pos || h.uncompressed_size > kMaxPageBytes) {
      return Status::Corruption("page of " + std::to_string(h.compressed_size) + " bytes runs past the chunk");
    }
    const std::string_view body(chunk.data() + pos, static_cast<size_t>(h.compressed_size));
    pos += static_cast<size_t>(h.compressed_size);
    // A page's value count sizes what it decodes into: bound it before anything is allocated.
    const uint64_t page_values_max =
        h.type == 2 ? static_cast<uint64_t>(h.uncompressed_size) * 8 + 8 : static_cast<uint64_t>(wanted - out->size());
    if (h.num_values < 0 || static_cast<uint64_t>(h.num_values) > page_values_max) {
      return Status::Corruption("page declares " + std::to_string(h.num_values) + " values, more than " +
                                std::to_string(page_values_max) + " it can hold");
    }
    if (h.type == 2) {
      std::string plain;
      MF_RETURN_IF_ERROR(Decompress(c.codec, body, static_cast<size_t>(h.uncompressed_size), &plain));
      dictionary = Column();
      MF_RETURN_IF_ERROR(DecodePlain(static_cast<PhysicalType>(leaf.physical), leaf.type_length, plain,
                                     static_cast<size_t>(h.num_values), type, &dictionary)
                             .status());
      has_dictionary = true;
    } else if (h.type == 0 || h.type == 3) {
      MF_RETURN_IF_ERROR(DecodePage(h, body, leaf, c.codec, type, has_dictionary ? &dictionary : nullptr, out));
    }
  }
  if (out->size() != wanted) return Status::Corruption("pages hold more values than the chunk declares");
  return Status::OK();
}

Status ParquetReader::DecodePage(const PageHeader& h, std::string_view body, const Leaf& leaf, int codec,
                                 ColumnType type, const Column* dictionary, Column* out) const {
  // Per-thread scratch, reused from page to page (fresh large buffers cost page faults).
  thread_local std::string page;
  thread_local std::vector<uint32_t> defs;
  defs.clear();
  std::string_view levels, values;
  const size_t n = static_cast<size_t>(h.num_values);
  if (h.type == 3) {
    const size_t level_bytes = static_cast<size_t>(h.def_levels_bytes) + static_cast<size_t>(h.rep_levels_bytes);
    if (level_bytes > body.size() || level_bytes > static_cast<size_t>(h.uncompressed_size)) {
      return Status::Corruption("v2 page levels longer than the page");
    }
    levels = body.substr(static_cast<size_t>(h.rep_levels_bytes), static_cast<size_t>(h.def_levels_bytes));
    const std::string_view rest = body.substr(level_bytes);
    if (h.is_compressed) {
      MF_RETURN_IF_ERROR(Decompress(codec, rest, static_cast<size_t>(h.uncompressed_size) - level_bytes, &page));
      values = page;
    } else {
      values = rest;
    }
  } else {
    MF_RETURN_IF_ERROR(Decompress(codec, body, static_cast<size_t>(h.uncompressed_size), &page));
    values = page;
    if (leaf.max_def > 0) {
      if (values.size() < 4) return Status::Corruption("page too short for its definition levels");
      uint32_t len;
      std::memcpy(&len, values.data(), 4);
      if (len > values.size() - 4) return Status::Corruption("definition levels run past the page");
      levels = values.substr(4, len);
      values = values.substr(4 + len);
    }
  }
  if (leaf.max_def > 0)
    MF_RETURN_IF_ERROR(DecodeRleHybrid(levels, BitWidth(static_cast<uint32_t>(leaf.max_def)), n, &defs));
  size_t present = 0;
  for (uint32_t d : defs) present += d == static_cast<uint32_t>(leaf.max_def);
  if (leaf.max_def == 0) present = n;
  Column scratch;
  Column& decoded = present == n ? *out : scratch;  // without nulls, values go straight to `out`
  const size_t before = decoded.size();
  if (h.encoding == 2 || h.encoding == 8) {
    if (!dictionary) return Status::Corruption("dictionary-encoded page without a dictionary page");
    if (values.empty() && present > 0) return Status::Corruption("dictionary page data is empty");
    if (present > 0) MF_RETURN_IF_ERROR(GatherDictionary(values, *dictionary, type, present, &decoded));
  } else {
    MF_RETURN_IF_ERROR(DecodeValues(h.encoding, leaf, type, values, present, &decoded));
  }
  if (decoded.size() - before != present) return Status::Corruption("page decoded to a different number of values");
  if (present == n) return Status::OK();
  ScatterPresent(type, decoded, defs, static_cast<uint32_t>(leaf.max_def), out);
  return Status::OK();
}

}  // namespace meteoflow::parquet
