#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "lake/parquet/encoding.h"
#include "lake/parquet/reader.h"
#include "lake/parquet/text.h"

namespace meteoflow {
namespace {

using parquet::Column;
using parquet::ColumnSpec;
using parquet::ColumnType;

const char* CodecName(int codec) {
  switch (codec) {
    case 0:
      return "UNCOMPRESSED";
    case 1:
      return "SNAPPY";
    case 2:
      return "GZIP";
    case 3:
      return "LZO";
    case 4:
      return "BROTLI";
    case 5:
      return "LZ4";
    case 6:
      return "ZSTD";
    case 7:
      return "LZ4_RAW";
    default:
      return "?";
  }
}

const char* EncodingName(int encoding) {
  static const char* kNames[] = {"PLAIN",          "GROUP_VAR_INT",       "PLAIN_DICTIONARY",        "RLE",
                                 "BIT_PACKED",     "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
                                 "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
  return encoding >= 0 && encoding < 10 ? kNames[encoding] : "?";
}

// A statistics value (PLAIN bytes of the physical type; strings unprefixed) as text.
std::string StatText(const ColumnSpec& spec, int physical, const std::optional<std::string>& raw) {
  if (!raw) return "-";
  if (spec.type == ColumnType::kString) return *raw;
  if (physical == 3) return "-";  // INT96 statistics have no defined order
  if (spec.type == ColumnType::kDecimal && (physical == 6 || physical == 7)) {
    auto unscaled = parquet::DecimalFromBigEndian(*raw);
    return unscaled.ok() ? parquet::DecimalText(*unscaled, spec.scale) : "?";
  }
  Column one;
  auto used = parquet::DecodePlain(static_cast<parquet::PhysicalType>(physical), 0, *raw, 1, spec.type, &one);
  if (!used.ok() || one.size() != 1) return "?";
  return parquet::ValueText(spec, one, 0);
}

std::string CsvField(const std::string& text) {
  if (!text.empty() && text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

nlohmann::ordered_json JsonValue(const ColumnSpec& spec, const Column& col, size_t row) {
  if (!col.valid[row]) return nullptr;
  switch (spec.type) {
    case ColumnType::kBool:
      return col.ints[row] != 0;
    case ColumnType::kInt32:
    case ColumnType::kInt64:
      return col.ints[row];
    case ColumnType::kFloat:
    case ColumnType::kDouble:
      if (std::isfinite(col.doubles[row])) return col.doubles[row];
      return parquet::ValueText(spec, col, row);  // JSON has no NaN or infinity
    default:
      return parquet::ValueText(spec, col, row);
  }
}

Result<std::vector<int>> ResolveColumns(const parquet::ParquetReader& reader, const std::string& list) {
  std::vector<int> out;
  if (list.empty()) return out;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');) {
    int found = -1;
    for (size_t i = 0; i < reader.schema().size(); ++i) {
      if (reader.schema()[i].name == name) found = static_cast<int>(i);
    }
    if (found < 0) {
      std::string names;
      for (const auto& s : reader.schema()) names += (names.empty() ? "" : ", ") + s.name;
      return Status::InvalidArgument("parquet cat: no column '" + name + "' (columns: " + names + ")");
    }
    out.push_back(found);
  }
  return out;
}

}  // namespace

Status ParquetSchemaCommand(const std::string& file) {
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(file));
  const auto& meta = reader->metadata();
  std::cout << file << ": " << meta.num_rows << " rows in " << meta.row_groups.size() << " row groups, created by "
            << (meta.created_by.empty() ? "?" : meta.created_by) << "\n";
  for (const auto& spec : reader->schema()) {
    std::string type = parquet::ColumnTypeName(spec.type);
    if (!spec.utc && type.find(",UTC") != std::string::npos) type.replace(type.find(",UTC"), 4, ",LOCAL");
    std::cout << "  " << spec.name << "  " << type << "  " << (spec.optional ? "OPTIONAL" : "REQUIRED") << "\n";
  }
  for (const auto& [k, v] : meta.key_value_metadata) {
    std::cout << "  metadata " << k << " = " << (v.size() > 200 ? v.substr(0, 200) + "..." : v) << "\n";
  }
  return Status::OK();
}

Status ParquetCatCommand(const ParquetCatOptions& options) {
  if (options.format != "csv" && options.format != "jsonl") {
    return Status::InvalidArgument("parquet cat: --format must be csv or jsonl, not '" + options.format + "'");
  }
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(options.file));
  MF_ASSIGN_OR_RETURN(const std::vector<int> columns, ResolveColumns(*reader, options.columns));
  std::vector<parquet::Predicate> where;
  for (const auto& text : options.where) {
    MF_ASSIGN_OR_RETURN(parquet::Predicate p, parquet::ParsePredicate(text));
    where.push_back(std::move(p));
  }
  int64_t printed = 0;
  bool header = false;
  for (size_t g = 0; g < reader->num_row_groups(); ++g) {
    if (options.limit >= 0 && printed >= options.limit) break;
    MF_ASSIGN_OR_RETURN(parquet::Table t, reader->ReadRowGroupWhere(g, columns, where));
    if (options.format == "csv" && !header) {
      for (size_t c = 0; c < t.schema.size(); ++c) std::cout << (c ? "," : "") << CsvField(t.schema[c].name);
      std::cout << "\n";
      header = true;
    }
    for (size_t row = 0; row < t.num_rows(); ++row) {
      if (options.limit >= 0 && printed >= options.limit) break;
      ++printed;
      if (options.format == "jsonl") {
        nlohmann::ordered_json line = nlohmann::ordered_json::object();
        for (size_t c = 0; c < t.schema.size(); ++c) line[t.schema[c].name] = JsonValue(t.schema[c], t.columns[c], row);
        std::cout << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        continue;
      }
      for (size_t c = 0; c < t.schema.size(); ++c) {
        if (c) std::cout << ",";
        const Column& col = t.columns[c];
        if (!col.valid[row]) continue;
        const std::string text = parquet::ValueText(t.schema[c], col, row);
        std::cout << (t.schema[c].type == ColumnType::kString ? CsvField(text) : text);
      }
      std::cout << "\n";
    }
  }
  if (options.format == "csv" && !header) {
    for (size_t c = 0; c < reader->schema().size(); ++c) {
      if (!columns.empty() && std::find(columns.begin(), columns.end(), static_cast<int>(c)) == columns.end()) continue;
      std::cout << (c ? "," : "") << CsvField(reader->schema()[c].name);
    }
    std::cout << "\n";
  }
  return Status::OK();
}

Status ParquetStatsCommand(const std::string& file) {
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(file));
  const auto& meta = reader->metadata();
  std::cout << file << ": " << meta.num_rows << " rows in " << meta.row_groups.size() << " row groups\n";
  for (size_t g = 0; g < meta.row_groups.size(); ++g) {
    const auto& rg = meta.row_groups[g];
    std::cout << "row group " << g << ": " << rg.num_rows << " rows\n";
    for (size_t c = 0; c < rg.columns.size(); ++c) {
      const auto& chunk = rg.columns[c];
      const ColumnSpec& spec = reader->schema()[c];
      std::string encodings;
      for (int e : chunk.encodings) encodings += (encodings.empty() ? "" : ",") + std::string(EncodingName(e));
      std::cout << "  " << spec.name << ": " << CodecName(chunk.codec) << " [" << encodings << "] " << chunk.num_values
                << " values, " << (chunk.null_count ? std::to_string(*chunk.null_count) : "?") << " nulls, "
                << chunk.total_compressed_size << " bytes (" << chunk.total_uncompressed_size << " uncompressed), min "
                << StatText(spec, chunk.type, chunk.min_value) << ", max "
                << StatText(spec, chunk.type, chunk.max_value) << "\n";
    }
  }
  return Status::OK();
}

void RegisterParquetCommands(CLI::App& app, CommandTable& table) {
  auto* parquet = app.add_subcommand("parquet", "Inspect Parquet files (any writer's)");
  parquet->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto* schema = parquet->add_subcommand("schema", "Print the columns, row count and writer of a file");
  schema->add_option("file", *file, "Parquet file")->required();
  table.Add(schema, [file] { return ParquetSchemaCommand(*file); });

  auto cat = std::make_shared<ParquetCatOptions>();
  auto* cat_cmd = parquet->add_subcommand("cat", "Print the rows as CSV (DuckDB's text forms) or JSON lines");
  cat_cmd->add_option("file", cat->file, "Parquet file")->required();
  cat_cmd->add_option("--columns", cat->columns, "Comma-separated column names (default: all)");
  cat_cmd->add_option("--limit", cat->limit, "At most this many rows")->check(CLI::NonNegativeNumber);
  cat_cmd->add_option("--format", cat->format, "csv or jsonl (default: csv)");
  cat_cmd->add_option("--where", cat->where,
                      "Keep rows where column<op>value holds (op: = != < <= > >=); repeatable, all must hold. "
                      "Row groups whose statistics rule it out are skipped unread");
  table.Add(cat_cmd, [cat] { return ParquetCatCommand(*cat); });

  auto* stats = parquet->add_subcommand("stats", "Print row groups, sizes, encodings, codecs, min/max");
  stats->add_option("file", *file, "Parquet file")->required();
  table.Add(stats, [file] { return ParquetStatsCommand(*file); });
}

}  // namespace meteoflow
