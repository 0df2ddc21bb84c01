#include "forecast/models/csv_series.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>

#include "core/time.h"
#include "forecast/models/series.h"

namespace meteoflow::forecast {
namespace {

constexpr int64_t kMaxSteps = 10'000'000;

// The header row: column names, looked up with errors that name the file.
struct CsvHeader {
  std::string source;
  std::vector<std::string> names;

  static Result<CsvHeader> Read(std::istream& in, const std::string& source) {
    std::string line;
    if (!std::getline(in, line)) return Status::InvalidArgument(source + ": empty file");
    return CsvHeader{source, SplitCsvRecord(line)};
  }
  Result<size_t> Column(const std::string& name) const {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) return Status::InvalidArgument(source + ": no column '" + name + "'");
    return static_cast<size_t>(it - names.begin());
  }
};

Result<double> ParseNumber(const std::string& cell, const std::string& where, const std::string& column) {
  double v = 0;
  size_t used = 0;
  try {
    v = std::stod(cell, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != cell.size() || !std::isfinite(v)) {
    return Status::InvalidArgument(where + ": '" + cell + "' in column '" + column + "' is not a number");
  }
  return v;
}

// The records after the header, each checked to have the header's width; `where` is "file:line".
struct CsvRecord {
  std::string where;
  std::vector<std::string> fields;
};

Result<std::vector<CsvRecord>> ReadRecords(std::istream& in, const CsvHeader& header) {
  std::vector<CsvRecord> out;
  std::string line;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty() || line == "\r") continue;
    CsvRecord r{header.source + ":" + std::to_string(line_no), SplitCsvRecord(line)};
    if (r.fields.size() != header.names.size()) {
      return Status::InvalidArgument(r.where + ": " + std::to_string(r.fields.size()) + " fields, header has " +
                                     std::to_string(header.names.size()));
    }
    out.push_back(std::move(r));
  }
  return out;
}

using TimedText = std::vector<std::pair<std::string, double>>;
using TimedPoints = std::vector<std::pair<Timestamp, double>>;

Result<std::vector<double>> Resampled(TimedPoints& points, const CsvSeriesSpec& spec, const std::string& what) {
  if (points.empty()) return Status::InvalidArgument(what + ": no values in column '" + spec.value_column + "'");
  std::stable_sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  if ((points.back().first.millis() - points.front().first.millis()) / spec.step_ms > kMaxSteps) {
    return Status::InvalidArgument(what + ": more than 10 million steps of " + std::to_string(spec.step_ms / 1000) +
                                   " s between the first and last time");
  }
  return Resample(points, spec.step_ms).values;
}

std::vector<double> InTextOrder(TimedText& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<double> y;
  y.reserve(rows.size());
  for (const auto& [t, v] : rows) y.push_back(v);
  return y;
}

}  // namespace

std::vector<std::string> SplitCsvRecord(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

Result<GroupedSeries> ReadCsvSeries(std::istream& in, const CsvSeriesSpec& spec) {
  MF_ASSIGN_OR_RETURN(const CsvHeader header, CsvHeader::Read(in, spec.source));
  MF_ASSIGN_OR_RETURN(const size_t time_col, header.Column(spec.time_column));
  MF_ASSIGN_OR_RETURN(const size_t value_col, header.Column(spec.value_column));
  size_t group_col = header.names.size();
  if (!spec.group_column.empty()) {
    MF_ASSIGN_OR_RETURN(group_col, header.Column(spec.group_column));
  }
  MF_ASSIGN_OR_RETURN(const std::vector<CsvRecord> records, ReadRecords(in, header));
  std::map<std::string, TimedText> rows;
  std::map<std::string, TimedPoints> points;
  std::vector<std::string> order;  // groups in order of first appearance
  for (const CsvRecord& r : records) {
    const std::string group = group_col < r.fields.size() ? r.fields[group_col] : "";
    if (!rows.count(group) && !points.count(group)) order.push_back(group);
    const std::string& cell = r.fields[value_col];
    if (cell.empty() && spec.step_ms > 0) {
      points[group];
      continue;  // missing: the resampling fills it
    }
    MF_ASSIGN_OR_RETURN(const double v, ParseNumber(cell, r.where, spec.value_column));
    if (spec.step_ms == 0) {
      rows[group].emplace_back(r.fields[time_col], v);
      continue;
    }
    auto t = Timestamp::Parse(r.fields[time_col]);
    if (!t.ok()) return Status::InvalidArgument(r.where + ": " + t.status().message());
    points[group].emplace_back(*t, v);
  }
  if (order.empty()) return Status::InvalidArgument(spec.source + ": no rows");
  GroupedSeries out;
  for (const std::string& group : order) {
    if (spec.step_ms == 0) {
      out.emplace_back(group, InTextOrder(rows[group]));
      continue;
    }
    const std::string what =
        spec.group_column.empty() ? spec.source : spec.source + " (" + spec.group_column + " = " + group + ")";
    MF_ASSIGN_OR_RETURN(std::vector<double> y, Resampled(points[group], spec, what));
    out.emplace_back(group, std::move(y));
  }
  return out;
}

Result<SeriesWithRegressors> ReadCsvWithRegressors(std::istream& in, const CsvSeriesSpec& spec,
                                                   const std::vector<std::string>& regressors, bool needs_horizon) {
  if (!spec.group_column.empty() || spec.step_ms > 0 || regressors.empty()) {
    return Status::InvalidArgument(spec.source +
                                   ": regressors need one series at its own steps (no grouping, no "
                                   "resampling) and at least one regressor column");
  }
  MF_ASSIGN_OR_RETURN(const CsvHeader header, CsvHeader::Read(in, spec.source));
  MF_ASSIGN_OR_RETURN(const size_t time_col, header.Column(spec.time_column));
  MF_ASSIGN_OR_RETURN(const size_t value_col, header.Column(spec.value_column));
  SeriesWithRegressors out;
  out.names = regressors;
  std::vector<size_t> columns;
  for (const std::string& name : regressors) {
    MF_ASSIGN_OR_RETURN(const size_t c, header.Column(name));
    columns.push_back(c);
  }
  MF_ASSIGN_OR_RETURN(std::vector<CsvRecord> records, ReadRecords(in, header));
  std::stable_sort(records.begin(), records.end(),
                   [&](const CsvRecord& a, const CsvRecord& b) { return a.fields[time_col] < b.fields[time_col]; });
  out.exog.resize(columns.size());
  out.future.resize(columns.size());
  for (const CsvRecord& r : records) {
    const bool has_value = !r.fields[value_col].empty();
    if (has_value && !out.future[0].empty()) {
      return Status::InvalidArgument(r.where + ": a value after rows without one (the horizon's rows come last)");
    }
    if (has_value) {
      MF_ASSIGN_OR_RETURN(const double v, ParseNumber(r.fields[value_col], r.where, spec.value_column));
      out.y.push_back(v);
    }
    for (size_t k = 0; k < columns.size(); ++k) {
      MF_ASSIGN_OR_RETURN(const double x, ParseNumber(r.fields[columns[k]], r.where, out.names[k]));
      (has_value ? out.exog : out.future)[k].push_back(x);
    }
  }
  if (needs_horizon && out.future[0].empty()) {
    return Status::InvalidArgument(spec.source +
                                   ": --exog needs the regressors over the horizon: add rows after the "
                                   "last value with the time and the regressor columns, the value column empty");
  }
  return out;
}

Result<GroupedSeries> ReadCsvSeriesFile(const CsvSeriesSpec& spec) {
  std::ifstream in(spec.source);
  if (!in) return Status::NotFound("model: cannot open " + spec.source);
  return ReadCsvSeries(in, spec);
}

Result<SeriesWithRegressors> ReadCsvWithRegressorsFile(const CsvSeriesSpec& spec,
                                                       const std::vector<std::string>& regressors, bool needs_horizon) {
  std::ifstream in(spec.source);
  if (!in) return Status::NotFound("model: cannot open " + spec.source);
  return ReadCsvWithRegressors(in, spec, regressors, needs_horizon);
}

}  // namespace meteoflow::forecast
