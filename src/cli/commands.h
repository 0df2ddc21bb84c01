// The subcommands of the `meteoflow` binary, each returning a Status for main to report.
// Each group of commands registers its own flags (the Register* functions, beside the commands'
// code); main only parses and dispatches.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

#include "core/config.h"
#include "core/status.h"
#include "core/version.h"
#include "land/compaction.h"

namespace meteoflow {

struct CommonOptions {
  std::string program;   // argv[0], to find files installed beside the binary
  std::string config;    // empty: config/meteoflow.yaml here, else beside the binary
  std::string data_dir;  // empty: the config's data_dir
};

// The registered subcommands and what each runs when the command line chose it. Options are
// owned by the functions registered (bound to CLI11 before parsing), so the table must outlive
// the parse.
class CommandTable {
 public:
  explicit CommandTable(std::string program) : program_(std::move(program)) {}
  void Add(CLI::App* command, std::function<Status()> run) { commands_.emplace_back(command, std::move(run)); }
  // The chosen command's Status; InvalidArgument when the parse chose none.
  Status RunChosen() const;
  // New options with `program` set, for one command group to share.
  std::shared_ptr<CommonOptions> NewCommon() const;

 private:
  std::string program_;
  std::vector<std::pair<CLI::App*, std::function<Status()>>> commands_;
};

// Adds --config and --data-dir to `command`, bound to `common`.
void AddCommonOptions(CLI::App& command, CommonOptions& common);

void RegisterPipelineCommands(CLI::App& app, CommandTable& table);  // run, worker, train, serve, sql
void RegisterDagCommands(CLI::App& app, CommandTable& table);       // dags, tasks, scheduler, export-airflow
void RegisterParquetCommands(CLI::App& app, CommandTable& table);   // parquet schema|cat|stats
void RegisterModelCommands(CLI::App& app, CommandTable& table);     // model fit|backtest|evaluate
void RegisterModelEvaluate(CLI::App& model_command, CommandTable& table);
void RegisterLiveCommands(CLI::App& app, CommandTable& table);  // history, locations search|check
void RegisterLakeCommands(CLI::App& app, CommandTable& table);  // lake compact

// A compaction's numbers as JSON and as summary lines (shared by `run` and `lake compact`).
nlohmann::json CompactionJson(const CompactionStats& c);
void PrintCompaction(const CompactionStats& c);

// "a,b,c" -> {"a", "b", "c"}; "" -> {}.
std::vector<std::string> SplitCommaList(const std::string& text);

// Shared by the subcommands: the config the options name (or the default one) and the data dir.
Result<Config> LoadConfigFor(const CommonOptions& common);
std::string DataDir(const CommonOptions& common, const Config& config);
std::string AssetsDir(const CommonOptions& common, const Config& config);

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
  std::string start = "approximate";  // how the integrated states start: exact or approximate
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

struct DagsTriggerOptions {
  std::string dag_id, conf, date, executor = "inprocess";
  bool json = false;
};
struct DagsBackfillOptions {
  std::string dag_id, from, to, executor = "inprocess";
  bool json = false;
};
struct TasksRunOptions {
  std::string dag_id, task_id, date;
};
struct SchedulerOptionsCli {
  std::string executor = "inprocess";
  bool once = false;  // create the due runs, run them, exit
  bool quiet = false;
};

Status DagsListCommand(const CommonOptions& common, bool json);
Status DagsRunsCommand(const CommonOptions& common, const std::string& dag_id, int limit, bool json);
Status DagsPauseCommand(const CommonOptions& common, const std::string& dag_id, bool paused);
Status DagsTriggerCommand(const CommonOptions& common, const DagsTriggerOptions& options);
Status DagsBackfillCommand(const CommonOptions& common, const DagsBackfillOptions& options);
Status TasksListCommand(const CommonOptions& common, const std::string& dag_id, bool json);
Status TasksRunCommand(const CommonOptions& common, const TasksRunOptions& options);
Status TasksLogsCommand(const CommonOptions& common, const TasksRunOptions& options);
Status SchedulerCommand(const CommonOptions& common, const SchedulerOptionsCli& options);

struct ExportAirflowOptions {
  std::string dag_id;
  std::string binary;  // the meteoflow Airflow should call; empty = this one
};
Status ExportAirflowCommand(const CommonOptions& common, const ExportAirflowOptions& options);

Status RunCommand(const CommonOptions& common, const RunOptions& options);
Status WorkerCommand(const CommonOptions& common, const WorkerCliOptions& options);
Status TrainCommand(const CommonOptions& common, const TrainOptions& options);
Status ServeCommand(const CommonOptions& common, const ServeOptions& options);
Status SqlCommand(const CommonOptions& common, const SqlOptions& options);

}  // namespace meteoflow
