// The subcommands of the `meteoflow` binary, each returning a Status for main to report.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace meteoflow {

inline constexpr const char* kVersion = "0.1.0";

struct CommonOptions {
  std::string program;   // argv[0], to find files installed beside the binary
  std::string config;    // empty: config/meteoflow.yaml here, else beside the binary
  std::string data_dir;  // empty: the config's data_dir
};

struct RunOptions {
  bool once = false;
  std::string from, to;  // with once: the interval to run over (default: the recording's span)
  bool json = false;
  bool quiet = false;
  int port = 0;
};

struct WorkerCliOptions {
  int batch = 0;  // 0: the land stage's default
  bool quiet = false;
};

struct TrainOptions {
  std::string date;  // logical date (UTC, ISO 8601); empty = just after the newest observation
  bool json = false;
};

struct ServeOptions {
  int port = 0;
};

struct SqlOptions {
  bool json = false;
  std::string query;
};

struct ParquetCatOptions {
  std::string file;
  std::string columns;  // comma-separated names; empty = all
  int64_t limit = -1;   // rows; -1 = all
  std::string format = "csv";
  std::vector<std::string> where;  // "column<op>value", all must hold
};

Status ParquetSchemaCommand(const std::string& file);
Status ParquetCatCommand(const ParquetCatOptions& options);
Status ParquetStatsCommand(const std::string& file);

struct ModelFitOptions {
  std::string csv, time_column, value_column;
  std::string model = "arima";
  std::string order;     // "p,d,q"; empty = 1,1,1 (auto: d chosen by KPSS tests)
  std::string seasonal;  // "P,D,Q,s"; empty = none
  std::string trend = "n";
  int horizon = 6;
  int frequency_seconds = 0;  // > 0: resample to this step (forecast/series.h)
  std::string by;             // non-empty: fit one series per value of this column
  int jobs = 0;               // series fitted at once with --by; 0 = one per core
  std::string exog;           // comma-separated regressor columns (SARIMAX); empty = none
  bool json = false;
};

Status ModelFitCommand(const ModelFitOptions& options);

struct ModelBacktestOptions {
  ModelFitOptions series;  // csv, columns, frequency, json; horizon = steps scored per origin
  int season = 0;          // >= 2 adds seasonal naive and SARIMA(1,1,1)(1,1,1,season)
  int origins = 5;
  std::string candidates;  // comma-separated model names; empty = forecast::DefaultCandidates
};

Status ModelBacktestCommand(const ModelBacktestOptions& options);

Status RunCommand(const CommonOptions& common, const RunOptions& options);
Status WorkerCommand(const CommonOptions& common, const WorkerCliOptions& options);
Status TrainCommand(const CommonOptions& common, const TrainOptions& options);
Status ServeCommand(const CommonOptions& common, const ServeOptions& options);
Status SqlCommand(const CommonOptions& common, const SqlOptions& options);

}  // namespace meteoflow
