#include "cli/commands.h"

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/config.h"
#include "core/json_text.h"
#include "orchestrate/live_ticker.h"
#include "orchestrate/pipeline.h"
#include "orchestrate/replay_ticker.h"
#include "serve/server.h"
#include "store/sqlite_db.h"

namespace meteoflow {

namespace fs = std::filesystem;

static fs::path BesideBinary(const std::string& program, const std::string& relative) {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) exe = fs::absolute(program);
  return (exe.parent_path() / ".." / relative).lexically_normal();
}

Result<Config> LoadConfigFor(const CommonOptions& common) {
  std::string path = common.config;
  if (path.empty()) {
    path = fs::exists("config/meteoflow.yaml") ? "config/meteoflow.yaml"
                                               : BesideBinary(common.program, "config/meteoflow.yaml").string();
  }
  return LoadConfig(path);
}

std::string DataDir(const CommonOptions& common, const Config& config) {
  return common.data_dir.empty() ? config.data_dir : common.data_dir;
}

std::vector<std::string> SplitCommaList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

std::string AssetsDir(const CommonOptions& common, const Config& config) {
  return config.dashboard.assets.empty() ? BesideBinary(common.program, "web/dist").string() : config.dashboard.assets;
}

namespace {

using nlohmann::json;

volatile std::sig_atomic_t g_stop = 0;

// The dashboard served on a thread of its own until Stop, which returns how serving ended (a
// failed bind, or OK) -- also when the stop comes before the server has started listening.
class BackgroundServer {
 public:
  BackgroundServer(DashboardServer& server, const std::string& host, int port)
      : server_(server), thread_([this, host, port] {
          status_ = server_.Serve(host, port);
          ended_ = true;
        }) {}
  BackgroundServer(const BackgroundServer&) = delete;
  BackgroundServer& operator=(const BackgroundServer&) = delete;
  ~BackgroundServer() {
    if (thread_.joinable()) static_cast<void>(Stop());
  }

  bool ended() const { return ended_; }
  Status Stop() {
    while (!ended_) {
      server_.Stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    thread_.join();
    return status_;
  }

 private:
  DashboardServer& server_;
  Status status_;
  std::atomic<bool> ended_{false};
  std::thread thread_;  // last: it starts once the members it uses exist
};

void StopOnSignals() {
  std::signal(SIGINT, [](int) { g_stop = 1; });
  std::signal(SIGTERM, [](int) { g_stop = 1; });
}

int64_t Sum(const std::map<std::string, int64_t>& m) {
  int64_t n = 0;
  for (const auto& [k, v] : m) n += v;
  return n;
}

json TaskStatesJson(const RunOutcome& outcome) {
  json out = json::object();
  for (const auto& [task, state] : outcome.task_states) out[task] = Name(state);
  return out;
}

json TrainJson(const RunSummary& s) {
  return {{"run_id", s.outcome.run_id},
          {"state", Name(s.outcome.state)},
          {"interval", {{"start", s.interval.start.ToString()}, {"end", s.interval.end.ToString()}}},
          {"series", s.train.series},
          {"trained", s.train.trained},
          {"new_versions", s.train.new_versions},
          {"too_short", s.train.too_short},
          {"train_failed", s.train.failed},
          {"chosen", s.train.chosen},
          {"predicted", s.predict.predictions},
          {"from_registry", s.predict.from_registry},
          {"fallbacks", s.predict.fallbacks},
          {"scored", s.predict.scored},
          {"wall_seconds", s.wall_seconds},
          {"tasks", TaskStatesJson(s.outcome)},
          {"error", s.outcome.first_error}};
}

json SummaryJson(const RunSummary& s) {
  if (s.dag_id == "train") return TrainJson(s);
  if (s.dag_id == "nwp") {
    return {{"run_id", s.outcome.run_id},
            {"state", Name(s.outcome.state)},
            {"interval", {{"start", s.interval.start.ToString()}, {"end", s.interval.end.ToString()}}},
            {"forecast_values", s.nwp.rows},
            {"locations", s.nwp.locations},
            {"issued_at", s.nwp.issued_at.ToString()},
            {"wall_seconds", s.wall_seconds},
            {"tasks", TaskStatesJson(s.outcome)},
            {"error", s.outcome.first_error}};
  }
  if (s.dag_id == "maintenance") {
    return {{"run_id", s.outcome.run_id},
            {"state", Name(s.outcome.state)},
            {"interval", {{"start", s.interval.start.ToString()}, {"end", s.interval.end.ToString()}}},
            {"compaction", CompactionJson(s.compact)},
            {"wall_seconds", s.wall_seconds},
            {"tasks", TaskStatesJson(s.outcome)},
            {"error", s.outcome.first_error}};
  }
  return {{"run_id", s.outcome.run_id},
          {"state", Name(s.outcome.state)},
          {"interval", {{"start", s.interval.start.ToString()}, {"end", s.interval.end.ToString()}}},
          {"published", s.collect.published},
          {"already_collected", s.collect.already_collected},
          {"requests", s.collect.requests},
          {"retries", s.collect.retries},
          {"failed_locations", s.collect.failed},
          {"notes", s.collect.notes},
          {"landed", s.land.landed},
          {"lake_files", s.land.files},
          {"duplicates_not_landed", s.land.skipped_duplicates},
          {"transformed_records", s.transform.records},
          {"stored_rows", s.transform.rows_upserted},
          {"paired_rows", s.transform.paired},
          {"dead_lettered", s.transform.dead_lettered},
          {"hourly_rows", s.transform.hourly_upserted},
          {"predicted", s.predict.predictions},
          {"predicted_cities", s.predict.cities},
          {"scored", s.predict.scored},
          {"from_registry", s.predict.from_registry},
          {"wall_seconds", s.wall_seconds},
          {"tasks", TaskStatesJson(s.outcome)},
          {"error", s.outcome.first_error}};
}

void PrintPredicted(const RunSummary& s) {
  std::cout << "  predicted     " << s.predict.predictions << " values for " << s.predict.cities << " cities ("
            << s.predict.from_registry << " by registered models, " << s.predict.fallbacks << " fallbacks; "
            << s.predict.scored << " past predictions scored)\n";
}

void PrintTrainSummary(const RunSummary& s) {
  std::cout << "run " << s.outcome.run_id << ": " << s.outcome.state << "\n"
            << "  window        " << s.interval.ToString() << "\n"
            << "  trained       " << s.train.trained << " of " << s.train.series << " series (" << s.train.new_versions
            << " new registry versions, " << s.train.too_short << " too short, " << s.train.failed << " failed)\n"
            << "  chosen       ";
  for (const auto& [model, n] : s.train.chosen) std::cout << " " << model << " " << n;
  std::cout << "\n";
  PrintPredicted(s);
  std::cout << "  wall time     " << s.wall_seconds << " s\n";
  if (!s.outcome.first_error.empty()) std::cout << "  error         " << s.outcome.first_error << "\n";
}

void PrintSummary(const RunSummary& s) {
  if (s.dag_id == "train") return PrintTrainSummary(s);
  if (s.dag_id == "nwp") {
    std::cout << "run " << s.outcome.run_id << ": " << s.outcome.state << "\n"
              << "  forecast      " << s.nwp.rows << " values of the service's forecast for " << s.nwp.locations
              << " locations (issued " << s.nwp.issued_at.ToString() << ")\n"
              << "  wall time     " << s.wall_seconds << " s\n";
    if (!s.outcome.first_error.empty()) std::cout << "  error         " << s.outcome.first_error << "\n";
    return;
  }
  if (s.dag_id == "maintenance") {
    std::cout << "run " << s.outcome.run_id << ": " << s.outcome.state << "\n";
    PrintCompaction(s.compact);
    std::cout << "  wall time     " << s.wall_seconds << " s\n";
    if (!s.outcome.first_error.empty()) std::cout << "  error         " << s.outcome.first_error << "\n";
    return;
  }
  std::cout << "run " << s.outcome.run_id << ": " << s.outcome.state << "\n"
            << "  interval      " << s.interval.ToString() << "\n"
            << "  published     " << Sum(s.collect.published);
  for (const auto& [topic, n] : s.collect.published) std::cout << "  (" << topic << " " << n << ")";
  std::cout << "\n";
  if (s.collect.already_collected)
    std::cout << "  skipped       " << s.collect.already_collected << " already collected\n";
  for (const auto& [source, n] : s.collect.requests) {
    std::cout << "  requests      " << source << " " << n << " (" << s.collect.retries.at(source) << " retries, "
              << s.collect.failed.at(source) << " locations failed)\n";
  }
  for (const std::string& note : s.collect.notes) std::cout << "  note          " << note << "\n";
  std::cout << "  landed        " << s.land.landed << " messages in " << s.land.files << " Parquet files"
            << (s.land.skipped_duplicates > 0
                    ? " (" + std::to_string(s.land.skipped_duplicates) + " republished duplicates left out)"
                    : std::string())
            << "\n"
            << "  stored        " << s.transform.rows_upserted << " weather_data rows upserted (" << s.transform.paired
            << " with both sources) from " << s.transform.records << " new records\n"
            << "  hourly        " << s.transform.hourly_upserted << " aggregate rows\n"
            << "  dead-lettered " << s.transform.dead_lettered << "\n";
  PrintPredicted(s);
  std::cout << "  wall time     " << s.wall_seconds << " s\n";
  if (!s.outcome.first_error.empty()) std::cout << "  error         " << s.outcome.first_error << "\n";
}

}  // namespace

json CompactionJson(const CompactionStats& c) {
  return {{"partitions", c.partitions}, {"files_before", c.files_before}, {"rows", c.rows}, {"skipped", c.skipped}};
}

void PrintCompaction(const CompactionStats& c) {
  std::cout << "  compacted     " << c.partitions << " day partitions (" << c.files_before << " files into "
            << c.partitions << ", " << c.rows << " rows)\n";
  for (const std::string& why : c.skipped) std::cout << "  skipped       " << why << "\n";
}

namespace {

Status Report(const RunSummary& s, const RunOptions& options) {
  if (options.json) {
    std::cout << SummaryJson(s).dump(2) << "\n";
  } else if (!options.quiet || s.outcome.state != RunState::kSuccess) {
    PrintSummary(s);
  }
  if (s.outcome.state != RunState::kSuccess)
    return Status::Internal("run " + s.outcome.run_id + " failed: " + s.outcome.first_error);
  return Status::OK();
}

}  // namespace

Status RunCommand(const CommonOptions& common, const RunOptions& options) {
  if (!options.once) StopOnSignals();  // ticking until stopped; a stop during start-up ends it after
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  if (!config.FindDag("weather")) {
    return Status::InvalidArgument(config.path + ": dags.weather: required DAG is missing");
  }
  MF_ASSIGN_OR_RETURN(auto pipeline, Pipeline::Open(config, DataDir(common, config)));
  MF_RETURN_IF_ERROR(pipeline->RecoverInterrupted());
  if (options.once) {
    auto span = pipeline->replay_span();
    if (pipeline->live()) {  // live sources: the interval that just ended, unless told otherwise
      MF_ASSIGN_OR_RETURN(span, LatestInterval(*pipeline, pipeline->clock().Now()));
    }
    if (!span) return Status::InvalidArgument("run --once: the recordings are empty, nothing to replay");
    if (!options.from.empty()) {
      MF_ASSIGN_OR_RETURN(span->start, Timestamp::Parse(options.from));
    }
    if (!options.to.empty()) {
      MF_ASSIGN_OR_RETURN(span->end, Timestamp::Parse(options.to));
    }
    if (!(span->start < span->end)) {
      return Status::InvalidArgument("run --once: the interval " + span->ToString() + " is empty");
    }
    MF_ASSIGN_OR_RETURN(RunSummary s, pipeline->RunDag("weather", RunType::kManual, *span));
    return Report(s, options);
  }
  DashboardServer server(config.locations, pipeline->store(), pipeline->metadata(), &pipeline->registry(),
                         AssetsDir(common, config), DagApiOptionsFor(config));
  const int port = options.port ? options.port : config.dashboard.port;
  BackgroundServer http(server, config.dashboard.host, port);
  if (!options.quiet)
    std::cout << "dashboard on http://" << config.dashboard.host << ":" << port << "/\n" << std::flush;
  ReplayTickerOptions ticker;
  ticker.on_run = [&](const RunSummary& summary) {
    static_cast<void>(Report(summary, options));
    std::cout << std::flush;  // a tick's summary is visible at once, also when stdout is a file
  };
  ticker.on_error = [](const Status& error) { std::cerr << "meteoflow: " << error.message() << "\n"; };
  ticker.should_stop = [] { return g_stop != 0; };
  Status s = pipeline->live() ? RunLiveTicks(*pipeline, ticker) : RunReplayTicks(*pipeline, ticker);
  MF_RETURN_IF_ERROR(http.Stop());
  return s;
}

Status TrainCommand(const CommonOptions& common, const TrainOptions& options) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  if (!config.FindDag("train")) return Status::InvalidArgument(config.path + ": dags.train: no train DAG configured");
  MF_ASSIGN_OR_RETURN(auto pipeline, Pipeline::Open(config, DataDir(common, config)));
  MF_RETURN_IF_ERROR(pipeline->RecoverInterrupted());
  Timestamp date;
  if (!options.date.empty()) {
    MF_ASSIGN_OR_RETURN(date, Timestamp::Parse(options.date));
  } else {
    // Default: just after the newest stored observation, so the window ends with all the data.
    MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> latest, pipeline->store().LatestWeather());
    if (latest.empty())
      return Status::InvalidArgument("train: the store has no observations yet (run the pipeline first)");
    Timestamp newest = latest.front().time;
    for (const WeatherRow& row : latest) newest = std::max(newest, row.time);
    const int64_t step = int64_t{config.forecast.step_minutes} * 60'000;
    date = newest.FloorTo(step).PlusMillis(step);
  }
  MF_ASSIGN_OR_RETURN(RunSummary s, RunTrainAt(*pipeline, date, RunType::kManual));
  RunOptions report;
  report.json = options.json;
  return Report(s, report);
}

Status WorkerCommand(const CommonOptions& common, const WorkerCliOptions& options) {
  StopOnSignals();  // from the start: a stop while connecting ends the worker before its first poll
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  if (config.log_backend != "kafka") {
    return Status::InvalidArgument(config.path + ": worker needs backends.log: kafka (a shared consumer group)");
  }
  MF_ASSIGN_OR_RETURN(auto pipeline, Pipeline::Open(config, DataDir(common, config)));
  WorkerOptions worker;
  if (options.batch > 0) worker.batch = static_cast<size_t>(options.batch);
  worker.should_stop = [] { return g_stop != 0; };
  worker.on_batch = [&](const WorkerProgress& p) {
    if (options.quiet) return;
    std::cout << "worker: landed " << p.land.landed << " messages in " << p.land.files << " files so far; stored "
              << p.transform.rows_upserted << " rows from " << p.transform.files << " new files\n"
              << std::flush;
  };
  worker.on_assignment = [&](const std::vector<std::pair<std::string, PartitionId>>& parts) {
    if (options.quiet) return;
    std::map<std::string, std::string> by_topic;
    for (const auto& [topic, partition] : parts) {
      by_topic[topic] += (by_topic[topic].empty() ? "" : ",") + std::to_string(ToInt(partition));
    }
    std::cout << "worker: assigned " << parts.size() << " partitions:";
    for (const auto& [topic, list] : by_topic) std::cout << " " << topic << "[" << list << "]";
    std::cout << "\n" << std::flush;
  };
  worker.on_error = [](const Status& s) { std::cerr << "meteoflow worker: retrying: " << s.message() << "\n"; };
  if (!options.quiet) std::cout << "worker: consuming as a member of group 'land'\n" << std::flush;
  return pipeline->Work(worker);
}

Status ServeCommand(const CommonOptions& common, const ServeOptions& options) {
  StopOnSignals();
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  const std::string dir = DataDir(common, config);
  if (config.store_backend == "sqlite" && !fs::exists(dir + "/store.db"))
    return Status::NotFound("serve: no store at " + dir + "/store.db (run the pipeline first)");
  MF_ASSIGN_OR_RETURN(auto store, OpenStore(config, dir));
  MF_ASSIGN_OR_RETURN(auto metadata, RunMetadata::Open(dir + "/meta.db"));
  MF_ASSIGN_OR_RETURN(auto registry, forecast::ModelRegistry::Open(dir + "/models.db"));
  DashboardServer server(config.locations, *store, *metadata, registry.get(), AssetsDir(common, config),
                         DagApiOptionsFor(config));
  const int port = options.port ? options.port : config.dashboard.port;
  BackgroundServer http(server, config.dashboard.host, port);
  std::cout << "dashboard on http://" << config.dashboard.host << ":" << port << "/\n" << std::flush;
  // SIGINT/SIGTERM: stop taking requests, let those in flight finish, exit 0.
  while (!http.ended() && !g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return http.Stop();
}

Status SqlCommand(const CommonOptions& common, const SqlOptions& options) {
  std::string dir = common.data_dir;
  if (dir.empty()) {
    MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
    dir = config.data_dir;
  }
  const std::string path = dir + "/store.db";
  if (!fs::exists(path)) return Status::NotFound("sql: no store at " + path + " (run the pipeline first)");
  MF_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, /*read_only=*/true));
  MF_ASSIGN_OR_RETURN(auto stmt, db->Prepare(options.query));
  json rows = json::array();
  bool header = false;
  for (;;) {
    MF_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) break;
    json row = json::object();
    std::string line;
    for (int i = 0; i < stmt->ColumnCount(); ++i) {
      const SqlValue v = stmt->Column(i);
      json cell = std::holds_alternative<int64_t>(v)       ? json(std::get<int64_t>(v))
                  : std::holds_alternative<double>(v)      ? json(std::get<double>(v))
                  : std::holds_alternative<std::string>(v) ? json(std::get<std::string>(v))
                                                           : json(nullptr);
      row[stmt->ColumnName(i)] = cell;
      line += (i ? "\t" : "") + (cell.is_string() ? cell.get<std::string>() : cell.is_null() ? "NULL" : cell.dump());
    }
    if (options.json) {
      rows.push_back(std::move(row));
      continue;
    }
    if (!header) {
      for (int i = 0; i < stmt->ColumnCount(); ++i) std::cout << (i ? "\t" : "") << stmt->ColumnName(i);
      std::cout << "\n";
      header = true;
    }
    std::cout << line << "\n";
  }
  if (options.json) std::cout << JsonText(rows) << "\n";
  return Status::OK();
}

Status CommandTable::RunChosen() const {
  for (const auto& [command, run] : commands_) {
    if (command->parsed()) return run();
  }
  return Status::InvalidArgument("no command given (see --help)");
}

std::shared_ptr<CommonOptions> CommandTable::NewCommon() const {
  auto common = std::make_shared<CommonOptions>();
  common->program = program_;
  return common;
}

void AddCommonOptions(CLI::App& command, CommonOptions& common) {
  command.add_option("--config", common.config, "Config file (default: config/meteoflow.yaml)");
  command.add_option("--data-dir", common.data_dir, "Data directory (default: data_dir of the config)");
}

namespace {

void RegisterRun(CLI::App& app, CommandTable& table) {
  auto common = table.NewCommon();
  auto run = std::make_shared<RunOptions>();
  auto* cmd = app.add_subcommand("run", "Run the weather DAG: once over the recording (--once) or every tick");
  AddCommonOptions(*cmd, *common);
  cmd->add_flag("--once", run->once, "Run the DAG once over the whole bundled recording and exit");
  cmd->add_option("--from", run->from, "With --once: start of the interval, UTC (default: the recording's start)")
      ->needs("--once");
  cmd->add_option("--to", run->to, "With --once: end of the interval, exclusive (default: the recording's end)")
      ->needs("--once");
  cmd->add_option("--port", run->port, "Dashboard port while running (default: from config)")
      ->check(CLI::Range(1, 65535));
  cmd->add_flag("--json", run->json, "Print the run summary as JSON");
  cmd->add_flag("--quiet", run->quiet, "Print nothing on success");
  table.Add(cmd, [common, run] { return RunCommand(*common, *run); });
}

void RegisterWorker(CLI::App& app, CommandTable& table) {
  auto common = table.NewCommon();
  auto worker = std::make_shared<WorkerCliOptions>();
  auto* cmd = app.add_subcommand("worker", "Land and transform continuously as one member of a Kafka consumer group");
  cmd->add_option("--config", common->config, "Config file with backends.log: kafka")->required();
  cmd->add_option("--data-dir", common->data_dir, "Data directory (default: data_dir of the config)");
  cmd->add_option("--batch", worker->batch, "Records per poll at most (default: 50000)")
      ->check(CLI::Range(1, 10'000'000));
  cmd->add_flag("--quiet", worker->quiet, "Print nothing but errors");
  table.Add(cmd, [common, worker] { return WorkerCommand(*common, *worker); });
}

void RegisterTrain(CLI::App& app, CommandTable& table) {
  auto common = table.NewCommon();
  auto train = std::make_shared<TrainOptions>();
  auto* cmd = app.add_subcommand(
      "train",
      "Run the train DAG once: backtest the candidate models per city and variable, register the best, "
      "then predict with it");
  AddCommonOptions(*cmd, *common);
  cmd->add_option("--date", train->date,
                  "Logical date, UTC (e.g. 2024-12-04T08:00:00Z); trains on forecast.window_days before it "
                  "(default: just after the newest stored observation)");
  cmd->add_flag("--json", train->json, "Print the run summary as JSON");
  table.Add(cmd, [common, train] { return TrainCommand(*common, *train); });
}

void RegisterServeAndSql(CLI::App& app, CommandTable& table) {
  auto common = table.NewCommon();
  auto serve = std::make_shared<ServeOptions>();
  auto* serve_cmd = app.add_subcommand("serve", "Serve the dashboard and JSON API over an existing data dir");
  AddCommonOptions(*serve_cmd, *common);
  serve_cmd->add_option("--port", serve->port, "Port (default: from config)")->check(CLI::Range(1, 65535));
  table.Add(serve_cmd, [common, serve] { return ServeCommand(*common, *serve); });
  auto sql = std::make_shared<SqlOptions>();
  auto* sql_cmd = app.add_subcommand("sql", "Run a read-only SQL query against the embedded store");
  AddCommonOptions(*sql_cmd, *common);
  sql_cmd->add_flag("--json", sql->json, "Print rows as a JSON array of objects");
  sql_cmd->add_option("query", sql->query, "The SQL statement")->required();
  table.Add(sql_cmd, [common, sql] { return SqlCommand(*common, *sql); });
}

}  // namespace

void RegisterPipelineCommands(CLI::App& app, CommandTable& table) {
  RegisterRun(app, table);
  RegisterWorker(app, table);
  RegisterTrain(app, table);
  RegisterServeAndSql(app, table);
}

}  // namespace meteoflow
