// The `meteoflow` binary: parses the command line (CLI11) and hands each subcommand to its
// function in commands.h. Exceptions stop here: every failure prints one line to stderr
// ("meteoflow: <what>") and exits non-zero.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "core/memory.h"

int main(int argc, char** argv) {
  using namespace meteoflow;
  KeepFreedMemory();
  CLI::App app{"meteoflow: an orchestrated weather pipeline in one binary"};
  app.set_version_flag("--version", std::string("meteoflow ") + kVersion);
  app.require_subcommand(1);

  CommonOptions common;
  RunOptions run;
  auto* run_cmd = app.add_subcommand("run", "Run the weather DAG: once over the recording (--once) or every tick");
  run_cmd->add_option("--config", common.config, "Config file (default: config/meteoflow.yaml)");
  run_cmd->add_option("--data-dir", common.data_dir, "Data directory (default: data_dir of the config)");
  run_cmd->add_flag("--once", run.once, "Run the DAG once over the whole bundled recording and exit");
  run_cmd->add_option("--from", run.from, "With --once: start of the interval, UTC (default: the recording's start)")
      ->needs("--once");
  run_cmd->add_option("--to", run.to, "With --once: end of the interval, exclusive (default: the recording's end)")
      ->needs("--once");
  run_cmd->add_option("--port", run.port, "Dashboard port while running (default: from config)")
      ->check(CLI::Range(1, 65535));
  run_cmd->add_flag("--json", run.json, "Print the run summary as JSON");
  run_cmd->add_flag("--quiet", run.quiet, "Print nothing on success");

  WorkerCliOptions worker;
  auto* worker_cmd =
      app.add_subcommand("worker", "Land and transform continuously as one member of a Kafka consumer group");
  worker_cmd->add_option("--config", common.config, "Config file with backends.log: kafka")->required();
  worker_cmd->add_option("--data-dir", common.data_dir, "Data directory (default: data_dir of the config)");
  worker_cmd->add_option("--batch", worker.batch, "Records per poll at most (default: 50000)")
      ->check(CLI::Range(1, 10'000'000));
  worker_cmd->add_flag("--quiet", worker.quiet, "Print nothing but errors");

  TrainOptions train;
  auto* train_cmd = app.add_subcommand(
      "train",
      "Run the train DAG once: backtest the candidate models per city and variable, register the best, "
      "then predict with it");
  train_cmd->add_option("--config", common.config, "Config file (default: config/meteoflow.yaml)");
  train_cmd->add_option("--data-dir", common.data_dir, "Data directory (default: data_dir of the config)");
  train_cmd->add_option("--date", train.date,
                        "Logical date, UTC (e.g. 2024-12-04T08:00:00Z); trains on forecast.window_days before it "
                        "(default: just after the newest stored observation)");
  train_cmd->add_flag("--json", train.json, "Print the run summary as JSON");

  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--config", common.config, "Config file (default: config/meteoflow.yaml)");
    cmd->add_option("--data-dir", common.data_dir, "Data directory (default: data_dir of the config)");
  };
  bool json = false;
  std::string dag_id;
  auto* dags_cmd = app.add_subcommand("dags", "DAGs: list, trigger, runs, backfill, pause, unpause");
  dags_cmd->require_subcommand(1);
  auto* dags_list = dags_cmd->add_subcommand("list", "The configured DAGs, paused or not, and their last run");
  add_common(dags_list);
  dags_list->add_flag("--json", json, "A JSON array");
  DagsTriggerOptions trigger;
  auto* dags_trigger = dags_cmd->add_subcommand("trigger", "Create a manual run and run it now");
  add_common(dags_trigger);
  dags_trigger->add_option("dag", trigger.dag_id, "DAG id")->required();
  dags_trigger->add_option("--conf", trigger.conf, "Run parameters, a JSON object");
  dags_trigger->add_option("--date", trigger.date, "Logical date, UTC (default: now, to the minute)");
  dags_trigger->add_option("--executor", trigger.executor, "inprocess (default) or subprocess")
      ->check(CLI::IsMember({"inprocess", "subprocess"}));
  dags_trigger->add_flag("--json", trigger.json, "Print the run as JSON");
  int runs_limit = 1000;
  auto* dags_runs = dags_cmd->add_subcommand("runs", "A DAG's runs, oldest first");
  add_common(dags_runs);
  dags_runs->add_option("dag", dag_id, "DAG id")->required();
  dags_runs->add_option("--limit", runs_limit, "The newest N runs (default: 1000)")->check(CLI::Range(1, 1000000));
  dags_runs->add_flag("--json", json, "A JSON array of runs: run_id, logical_date, state, start, end, ...");
  DagsBackfillOptions backfill;
  auto* dags_backfill =
      dags_cmd->add_subcommand("backfill", "Create and run the runs of every interval inside [--from, --to]");
  add_common(dags_backfill);
  dags_backfill->add_option("dag", backfill.dag_id, "DAG id")->required();
  dags_backfill->add_option("--from", backfill.from, "Start, UTC (e.g. 2024-12-03T22:00)")->required();
  dags_backfill->add_option("--to", backfill.to, "End, UTC")->required();
  dags_backfill->add_option("--executor", backfill.executor, "inprocess (default) or subprocess")
      ->check(CLI::IsMember({"inprocess", "subprocess"}));
  dags_backfill->add_flag("--json", backfill.json, "Print the runs as JSON");
  auto* dags_pause = dags_cmd->add_subcommand("pause", "Stop creating scheduled runs of a DAG");
  add_common(dags_pause);
  dags_pause->add_option("dag", dag_id, "DAG id")->required();
  auto* dags_unpause = dags_cmd->add_subcommand("unpause", "Create scheduled runs of a DAG again");
  add_common(dags_unpause);
  dags_unpause->add_option("dag", dag_id, "DAG id")->required();

  TasksRunOptions task_run;
  auto* tasks_cmd = app.add_subcommand("tasks", "Tasks of a DAG: list, run, logs");
  tasks_cmd->require_subcommand(1);
  auto* tasks_list = tasks_cmd->add_subcommand("list", "A DAG's tasks in order, with their settings");
  add_common(tasks_list);
  tasks_list->add_option("dag", dag_id, "DAG id")->required();
  tasks_list->add_flag("--json", json, "A JSON array");
  auto* tasks_run = tasks_cmd->add_subcommand(
      "run",
      "Run one task for the interval starting at --date, here and now (what the subprocess executor and "
      "an exported Airflow DAG call)");
  add_common(tasks_run);
  tasks_run->add_option("dag", task_run.dag_id, "DAG id")->required();
  tasks_run->add_option("task", task_run.task_id, "Task id")->required();
  tasks_run->add_option("--date", task_run.date, "Logical date: the data interval's start, UTC")->required();
  auto* tasks_logs = tasks_cmd->add_subcommand("logs", "Print every try's log of a task at a logical date");
  add_common(tasks_logs);
  tasks_logs->add_option("dag", task_run.dag_id, "DAG id")->required();
  tasks_logs->add_option("task", task_run.task_id, "Task id")->required();
  tasks_logs->add_option("--date", task_run.date, "Logical date, UTC")->required();

  SchedulerOptionsCli scheduler;
  auto* scheduler_cmd = app.add_subcommand(
      "scheduler", "Create every DAG's runs on its schedule (catchup, pauses) and run them until stopped");
  add_common(scheduler_cmd);
  scheduler_cmd->add_option("--executor", scheduler.executor, "inprocess (default) or subprocess")
      ->check(CLI::IsMember({"inprocess", "subprocess"}));
  scheduler_cmd->add_flag("--once", scheduler.once, "Create the runs due now, run them and exit");
  scheduler_cmd->add_flag("--quiet", scheduler.quiet, "Print nothing but errors");

  ExportAirflowOptions export_airflow;
  auto* export_cmd = app.add_subcommand("export-airflow", "Write an Apache Airflow DAG file running a DAG's tasks");
  add_common(export_cmd);
  export_cmd->add_option("--dag", export_airflow.dag_id, "DAG id")->required();
  export_cmd->add_option("--binary", export_airflow.binary, "The meteoflow binary Airflow calls (default: this one)");

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the dashboard and JSON API over an existing data dir");
  serve_cmd->add_option("--config", common.config, "Config file (default: config/meteoflow.yaml)");
  serve_cmd->add_option("--data-dir", common.data_dir, "Data directory (default: data_dir of the config)");
  serve_cmd->add_option("--port", serve.port, "Port (default: from config)")->check(CLI::Range(1, 65535));

  SqlOptions sql;
  auto* sql_cmd = app.add_subcommand("sql", "Run a read-only SQL query against the embedded store");
  sql_cmd->add_option("--config", common.config, "Config file (default: config/meteoflow.yaml)");
  sql_cmd->add_option("--data-dir", common.data_dir, "Data directory (default: data_dir of the config)");
  sql_cmd->add_flag("--json", sql.json, "Print rows as a JSON array of objects");
  sql_cmd->add_option("query", sql.query, "The SQL statement")->required();

  auto* parquet_cmd = app.add_subcommand("parquet", "Inspect Parquet files (any writer's)");
  parquet_cmd->require_subcommand(1);
  std::string parquet_file;
  auto* pq_schema = parquet_cmd->add_subcommand("schema", "Print the columns, row count and writer of a file");
  pq_schema->add_option("file", parquet_file, "Parquet file")->required();
  ParquetCatOptions cat;
  auto* pq_cat = parquet_cmd->add_subcommand("cat", "Print the rows as CSV (DuckDB's text forms) or JSON lines");
  pq_cat->add_option("file", cat.file, "Parquet file")->required();
  pq_cat->add_option("--columns", cat.columns, "Comma-separated column names (default: all)");
  pq_cat->add_option("--limit", cat.limit, "At most this many rows")->check(CLI::NonNegativeNumber);
  pq_cat->add_option("--format", cat.format, "csv or jsonl (default: csv)");
  pq_cat->add_option("--where", cat.where,
                     "Keep rows where column<op>value holds (op: = != < <= > >=); repeatable, all must hold. "
                     "Row groups whose statistics rule it out are skipped unread");
  auto* pq_stats = parquet_cmd->add_subcommand("stats", "Print row groups, sizes, encodings, codecs, min/max");
  pq_stats->add_option("file", parquet_file, "Parquet file")->required();

  ModelFitOptions fit;
  auto* model_cmd = app.add_subcommand("model", "Fit forecasting models");
  model_cmd->require_subcommand(1);
  auto* model_fit = model_cmd->add_subcommand("fit", "Fit one model to one CSV column; print estimates and a forecast");
  model_fit->add_option("--csv", fit.csv, "CSV file with a header row")->required();
  model_fit->add_option("--time-column", fit.time_column, "Column ordering the rows (ISO 8601 text)")->required();
  model_fit->add_option("--value-column", fit.value_column, "Column to model")->required();
  model_fit->add_option("--model", fit.model,
                        "arima, sarima, auto (order search by AICc at the given d and season), xgb (boosted "
                        "lag model), naive, snaive (season from --seasonal), drift (default: arima)");
  model_fit->add_option("--order", fit.order,
                        "p,d,q (default: 1,1,1; with --model auto, d is chosen by KPSS tests unless given)");
  model_fit->add_option("--seasonal", fit.seasonal, "P,D,Q,s");
  model_fit->add_option("--trend", fit.trend,
                        "n (none), c (a constant: the differenced series' mean, a drift when d = 1), t (a "
                        "linear trend: without differencing a time regressor, with d + D = 1 the drift) or ct "
                        "(constant and linear trend, without differencing)");
  model_fit->add_option("--horizon", fit.horizon, "Steps to forecast (default: 6)")->check(CLI::Range(1, 10000));
  model_fit
      ->add_option("--frequency", fit.frequency_seconds,
                   "Resample to steps of this many seconds: mean per step, gaps interpolated linearly, "
                   "blank values skipped (default: use the rows as they are)")
      ->check(CLI::Range(1, 366 * 86400));
  model_fit->add_option("--by", fit.by,
                        "Fit one series per value of this column (in order of first appearance); with --json, "
                        "one JSON object per line with its value as \"series\"");
  model_fit->add_option("--exog", fit.exog,
                        "Regressor columns, comma-separated (arima, sarima): a regression with ARIMA errors. "
                        "Rows after the last value, with the value column empty, give the regressors over the "
                        "horizon (their count is the horizon)");
  model_fit->add_option("--jobs", fit.jobs, "With --by: series fitted at once (default: one per core)")
      ->check(CLI::Range(1, 1024));
  model_fit->add_flag("--json", fit.json, "One JSON object: model, params, sigma2, loglik, aic, aicc, forecast");

  ModelBacktestOptions backtest;
  auto* model_backtest =
      model_cmd->add_subcommand("backtest", "Score the candidate models by rolling-origin backtests on one CSV column");
  model_backtest->add_option("--csv", backtest.series.csv, "CSV file with a header row")->required();
  model_backtest->add_option("--time-column", backtest.series.time_column, "Column ordering the rows")->required();
  model_backtest->add_option("--value-column", backtest.series.value_column, "Column to model")->required();
  model_backtest->add_option("--season", backtest.season, "Period s >= 2: adds seasonal naive and SARIMA")
      ->check(CLI::Range(0, 366));
  model_backtest->add_option("--origins", backtest.origins, "Forecast origins (default: 5)")
      ->check(CLI::Range(1, 1000));
  model_backtest->add_option("--horizon", backtest.series.horizon, "Steps scored after each origin (default: 6)")
      ->check(CLI::Range(1, 10000));
  model_backtest->add_option("--frequency", backtest.series.frequency_seconds, "Resample as model fit does")
      ->check(CLI::Range(1, 366 * 86400));
  model_backtest->add_option("--candidates", backtest.candidates,
                             "Models to compare, comma-separated (naive, snaive, drift, arima, sarima, auto, xgb; "
                             "default: all that apply). The original pipeline's rule is --candidates arima,sarima "
                             "--season 12 --origins 1");
  model_backtest->add_flag("--json", backtest.series.json, "A JSON array, best first");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    common.program = argv[0];
    Status status;
    if (*run_cmd) status = RunCommand(common, run);
    if (*worker_cmd) status = WorkerCommand(common, worker);
    if (*train_cmd) status = TrainCommand(common, train);
    if (*dags_list) status = DagsListCommand(common, json);
    if (*dags_trigger) status = DagsTriggerCommand(common, trigger);
    if (*dags_runs) status = DagsRunsCommand(common, dag_id, runs_limit, json);
    if (*dags_backfill) status = DagsBackfillCommand(common, backfill);
    if (*dags_pause) status = DagsPauseCommand(common, dag_id, true);
    if (*dags_unpause) status = DagsPauseCommand(common, dag_id, false);
    if (*tasks_list) status = TasksListCommand(common, dag_id, json);
    if (*tasks_run) status = TasksRunCommand(common, task_run);
    if (*tasks_logs) status = TasksLogsCommand(common, task_run);
    if (*scheduler_cmd) status = SchedulerCommand(common, scheduler);
    if (*export_cmd) status = ExportAirflowCommand(common, export_airflow);
    if (*serve_cmd) status = ServeCommand(common, serve);
    if (*model_fit) status = ModelFitCommand(fit);
    if (*model_backtest) status = ModelBacktestCommand(backtest);
    if (*pq_schema) status = ParquetSchemaCommand(parquet_file);
    if (*pq_cat) status = ParquetCatCommand(cat);
    if (*pq_stats) status = ParquetStatsCommand(parquet_file);
    if (*sql_cmd) status = SqlCommand(common, sql);
    if (!status.ok()) {
      std::cerr << "meteoflow: " << status.message() << "\n";
      return status.code() == StatusCode::kInvalidArgument ? 2 : 1;
    }
  } catch (const std::exception& e) {
    std::cerr << "meteoflow: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
