// Series from CSV text: the value column of a file in time order, one series or one per value
// of a grouping column, optionally resampled to a fixed step; or a value column with regressor
// columns (SARIMAX), the rows after the last value giving the regressors over the horizon.
//
// CSV is RFC 4180 without newlines inside fields, a header row first. Errors are InvalidArgument
// naming the file and line (`source` names it in messages; a file that cannot be opened is
// NotFound). Without a step, rows are ordered by the time column's text (ISO 8601 sorts as time)
// and every value must be a finite number. With a step, times are parsed (core/time.h forms),
// blank values are skipped and the series is resampled (forecast/models/series.h).
//
// Thread-safety: pure functions over the stream given.
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "forecast/models/arima.h"

namespace meteoflow::forecast {

struct CsvSeriesSpec {
  std::string source;  // the file's name, for messages
  std::string time_column, value_column;
  std::string group_column;  // empty: the whole file is one series
  int64_t step_ms = 0;       // > 0: resample to this step
};

// (group value, series) in order of the groups' first rows; one unnamed group without a
// group column.
using GroupedSeries = std::vector<std::pair<std::string, std::vector<double>>>;

// Splits one CSV record into its fields (quotes removed, "" inside quotes is one quote).
std::vector<std::string> SplitCsvRecord(const std::string& line);

Result<GroupedSeries> ReadCsvSeries(std::istream& in, const CsvSeriesSpec& spec);
// The same from the file at spec.source.
Result<GroupedSeries> ReadCsvSeriesFile(const CsvSeriesSpec& spec);

struct SeriesWithRegressors {
  std::vector<double> y;  // the values, in time order
  Regressors exog;        // each regressor beside y
  Regressors future;      // each regressor over the horizon (the rows without a value)
  std::vector<std::string> names;
};

// spec.group_column and spec.step_ms must be unset; `regressors` names at least one column.
// `needs_horizon`: rows without a value (the regressors over the horizon) must follow; without
// it they may (a backtest or evaluation stays inside the values).
Result<SeriesWithRegressors> ReadCsvWithRegressors(std::istream& in, const CsvSeriesSpec& spec,
                                                   const std::vector<std::string>& regressors,
                                                   bool needs_horizon = true);
Result<SeriesWithRegressors> ReadCsvWithRegressorsFile(const CsvSeriesSpec& spec,
                                                       const std::vector<std::string>& regressors,
                                                       bool needs_horizon = true);

}  // namespace meteoflow::forecast
