// `meteoflow dags ...`, `meteoflow tasks ...` and `meteoflow scheduler`: the scheduler's CLI, in
// Airflow's words. Listings print a table, or JSON with --json. Commands that run tasks open the
// pipeline (and so take the data dir's lock); listings, pause and logs only read meta.db.
#include <CLI/CLI.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "orchestrate/cron.h"
#include "orchestrate/pipeline.h"
#include "orchestrate/record_json.h"

namespace meteoflow {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

volatile std::sig_atomic_t g_stop = 0;

Result<const DagConfig*> FindDag(const Config& config, const std::string& dag_id) {
  const DagConfig* dag = config.FindDag(dag_id);
  if (!dag) {
    std::string known;
    for (const auto& d : config.dags) known += (known.empty() ? "" : ", ") + d.id;
    return Status::InvalidArgument("no DAG '" + dag_id + "' in " + config.path + " (DAGs: " + known + ")");
  }
  return dag;
}

Result<std::unique_ptr<RunMetadata>> OpenMetadata(const CommonOptions& common, const Config& config) {
  const std::string dir = DataDir(common, config);
  std::error_code ec;
  fs::create_directories(dir, ec);
  return RunMetadata::Open(dir + "/meta.db");
}

Result<Timestamp> ParseDate(const std::string& text, const char* option) {
  auto t = Timestamp::Parse(text);
  if (!t.ok()) return Status::InvalidArgument(std::string(option) + ": " + t.status().message());
  return *t;
}

// The data interval that starts at `date` on the DAG's schedule ([date, date] without one).
Result<Interval> IntervalAt(const DagConfig& dag, Timestamp date) {
  if (dag.schedule == "none") return Interval{date, date};
  MF_ASSIGN_OR_RETURN(const CronSchedule cron, CronSchedule::Parse(dag.schedule));
  MF_ASSIGN_OR_RETURN(const Timestamp end, cron.Next(date));
  return Interval{date, end};
}

void PrintRuns(const std::vector<DagRunRecord>& runs, bool json) {
  if (json) {
    ordered_json out = ordered_json::array();
    for (const auto& r : runs) out.push_back(DagRunJson(r));
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::printf("%-58s %-9s %-21s %-8s %-21s %s\n", "run_id", "type", "logical_date", "state", "start", "end");
  for (const auto& r : runs) {
    std::printf("%-58s %-9s %-21s %-8s %-21s %s\n", r.run_id.c_str(), std::string(Name(r.run_type)).c_str(),
                r.logical_date.ToString().c_str(), std::string(Name(r.state)).c_str(),
                r.started_at ? r.started_at->ToString().c_str() : "-",
                r.ended_at ? r.ended_at->ToString().c_str() : "-");
  }
}

Status ReportRuns(RunMetadata& meta, const std::vector<DagRunRecord>& created, bool json) {
  std::vector<DagRunRecord> runs;
  int failed = 0;
  for (const auto& r : created) {
    MF_ASSIGN_OR_RETURN(auto now, meta.Run(r.run_id));
    runs.push_back(now.value_or(r));
    failed += runs.back().state != RunState::kSuccess;
  }
  PrintRuns(runs, json);
  if (!failed) return Status::OK();
  std::string why;  // the first failed try of a failed run says what went wrong
  for (const auto& r : runs) {
    if (r.state == RunState::kSuccess || !why.empty()) continue;
    MF_ASSIGN_OR_RETURN(const auto tries, meta.Tries(r.run_id));
    for (const auto& t : tries) {
      if (why.empty() && !t.message.empty()) why = ": " + t.task_id + ": " + t.message;
    }
  }
  return Status::Internal(std::to_string(failed) + " of " + std::to_string(runs.size()) + " runs failed" + why);
}

// The scheduler and what it needs: in-process, the whole pipeline (which holds the data dir's
// lock); with the subprocess executor only meta.db, so the children can open the pipeline.
struct SchedulerHost {
  std::unique_ptr<Pipeline> pipeline;
  std::unique_ptr<RunMetadata> meta;
  std::unique_ptr<LocalExecutor> executor;
  std::unique_ptr<Scheduler> own;

  Scheduler& scheduler() { return pipeline ? pipeline->scheduler() : *own; }
  RunMetadata& metadata() { return pipeline ? pipeline->metadata() : *meta; }
};

Result<SchedulerHost> OpenScheduler(const CommonOptions& common, const Config& config, const std::string& executor) {
  SchedulerHost host;
  const std::string dir = DataDir(common, config);
  if (executor != "subprocess") {
    MF_ASSIGN_OR_RETURN(host.pipeline, Pipeline::Open(config, dir));
    MF_RETURN_IF_ERROR(host.pipeline->RecoverInterrupted());
    return host;
  }
  MF_ASSIGN_OR_RETURN(host.meta, OpenMetadata(common, config));
  SubprocessCommand self{{fs::read_symlink("/proc/self/exe").string(), "--config", config.path, "--data-dir", dir}};
  host.executor = std::make_unique<LocalExecutor>(std::map<std::string, TaskFn>{}, std::move(self), true);
  host.own = std::make_unique<Scheduler>(config.dags, config.pools, *host.meta, *host.executor,
                                         SchedulerOptions{32, dir + "/logs"});
  MF_RETURN_IF_ERROR(host.own->Recover(Timestamp::Now()));
  return host;
}

}  // namespace

Status DagsListCommand(const CommonOptions& common, bool json) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(auto meta, OpenMetadata(common, config));
  ordered_json out = ordered_json::array();
  std::vector<std::string> lines;
  for (const DagConfig& d : config.dags) {
    MF_ASSIGN_OR_RETURN(const bool paused, meta->Paused(d.id));
    MF_ASSIGN_OR_RETURN(const auto last, meta->Runs(d.id, 1));
    ordered_json dag = DagJson(d, paused);
    dag["last_run"] = last.empty() ? ordered_json() : DagRunJson(last[0]);
    out.push_back(std::move(dag));
    const std::string last_text =
        last.empty() ? "-" : last[0].logical_date.ToString() + " " + std::string(Name(last[0].state));
    char line[512];
    std::snprintf(line, sizeof line, "%-12s %-16s %-7s %-6zu %s", d.id.c_str(), d.schedule.c_str(),
                  paused ? "yes" : "no", d.tasks.size(), last_text.c_str());
    lines.push_back(line);
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return Status::OK();
  }
  std::printf("%-12s %-16s %-7s %-6s %s\n", "dag_id", "schedule", "paused", "tasks", "last run");
  for (const std::string& line : lines) std::printf("%s\n", line.c_str());
  return Status::OK();
}

Status DagsRunsCommand(const CommonOptions& common, const std::string& dag_id, int limit, bool json) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_RETURN_IF_ERROR(FindDag(config, dag_id).status());
  MF_ASSIGN_OR_RETURN(auto meta, OpenMetadata(common, config));
  MF_ASSIGN_OR_RETURN(auto runs, meta->Runs(dag_id, limit));
  std::reverse(runs.begin(), runs.end());  // oldest first, as a log reads
  PrintRuns(runs, json);
  return Status::OK();
}

Status DagsPauseCommand(const CommonOptions& common, const std::string& dag_id, bool paused) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_RETURN_IF_ERROR(FindDag(config, dag_id).status());
  MF_ASSIGN_OR_RETURN(auto meta, OpenMetadata(common, config));
  MF_RETURN_IF_ERROR(meta->SetPaused(dag_id, paused));
  std::cout << dag_id << (paused ? " paused\n" : " unpaused\n");
  return Status::OK();
}

Status DagsTriggerCommand(const CommonOptions& common, const DagsTriggerOptions& o) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(const DagConfig* dag, FindDag(config, o.dag_id));
  const ordered_json conf = ordered_json::parse(o.conf.empty() ? "{}" : o.conf, nullptr, false);
  if (!conf.is_object()) return Status::InvalidArgument("dags trigger: --conf must be a JSON object");
  Timestamp date = Timestamp::Now().FloorTo(60'000);
  if (!o.date.empty()) {
    MF_ASSIGN_OR_RETURN(date, ParseDate(o.date, "--date"));
  }
  MF_ASSIGN_OR_RETURN(const Interval interval, IntervalAt(*dag, date));
  MF_ASSIGN_OR_RETURN(SchedulerHost host, OpenScheduler(common, config, o.executor));
  MF_ASSIGN_OR_RETURN(auto run, host.scheduler().CreateRun(dag->id, RunType::kManual, interval, conf.dump()));
  MF_RETURN_IF_ERROR(host.scheduler().Drain());
  return ReportRuns(host.metadata(), {run}, o.json);
}

Status DagsBackfillCommand(const CommonOptions& common, const DagsBackfillOptions& o) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(const DagConfig* dag, FindDag(config, o.dag_id));
  MF_ASSIGN_OR_RETURN(const Timestamp from, ParseDate(o.from, "--from"));
  MF_ASSIGN_OR_RETURN(const Timestamp to, ParseDate(o.to, "--to"));
  MF_ASSIGN_OR_RETURN(SchedulerHost host, OpenScheduler(common, config, o.executor));
  MF_ASSIGN_OR_RETURN(auto runs, host.scheduler().Backfill(dag->id, from, to));
  MF_RETURN_IF_ERROR(host.scheduler().Drain());
  return ReportRuns(host.metadata(), runs, o.json);
}

Status TasksListCommand(const CommonOptions& common, const std::string& dag_id, bool json) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(const DagConfig* dag, FindDag(config, dag_id));
  ordered_json out = ordered_json::array();
  for (const TaskConfig& t : dag->tasks) {
    out.push_back({{"task_id", t.id},
                   {"upstream", t.upstream},
                   {"stage", t.command.empty() ? ordered_json(t.stage) : ordered_json()},
                   {"command", t.command.empty() ? ordered_json() : ordered_json(t.command)},
                   {"retries", t.retries},
                   {"retry_delay_seconds", t.retry_delay_seconds},
                   {"retry_exponential_backoff", t.retry_exponential_backoff},
                   {"execution_timeout_seconds", t.execution_timeout_seconds},
                   {"trigger_rule", Name(t.trigger_rule)},
                   {"pool", t.pool}});
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return Status::OK();
  }
  std::printf("%-14s %-24s %-12s %-8s %s\n", "task_id", "upstream", "trigger", "retries", "runs");
  for (const TaskConfig& t : dag->tasks) {
    std::string up;
    for (const auto& u : t.upstream) up += (up.empty() ? "" : ",") + u;
    std::printf("%-14s %-24s %-12s %-8d %s\n", t.id.c_str(), up.empty() ? "-" : up.c_str(),
                std::string(Name(t.trigger_rule)).c_str(), t.retries,
                t.command.empty() ? ("stage " + t.stage).c_str() : ("sh -c " + t.command).c_str());
  }
  return Status::OK();
}

Status TasksRunCommand(const CommonOptions& common, const TasksRunOptions& o) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(const DagConfig* dag, FindDag(config, o.dag_id));
  const TaskConfig* task = dag->FindTask(o.task_id);
  if (!task) return Status::InvalidArgument("DAG '" + dag->id + "' has no task '" + o.task_id + "'");
  MF_ASSIGN_OR_RETURN(const Timestamp date, ParseDate(o.date, "--date"));
  MF_ASSIGN_OR_RETURN(const Interval interval, IntervalAt(*dag, date));
  TaskContext context{dag->id, task->id, "", date, interval, 1, "{}", "/dev/stdout"};
  if (const char* run_id = std::getenv("MF_RUN_ID")) context.run_id = run_id;
  if (const char* conf = std::getenv("MF_CONF")) context.conf = conf;
  if (const char* n = std::getenv("MF_TRY_NUMBER")) context.try_number = std::atoi(n);
  if (!task->command.empty()) {
    LocalExecutor executor({}, {}, false);
    return executor.Execute(*task, context, [](int64_t) {});
  }
  MF_ASSIGN_OR_RETURN(auto pipeline, Pipeline::Open(config, DataDir(common, config)));
  auto stages = pipeline->StageTasks();
  std::cout << "meteoflow: " << dag->id << "." << task->id << " (stage " << task->stage << ") for "
            << interval.ToString() << "\n"
            << std::flush;
  MF_RETURN_IF_ERROR(stages.at(task->stage)(context));
  std::cout << "meteoflow: " << dag->id << "." << task->id << " succeeded\n";
  return Status::OK();
}

Status TasksLogsCommand(const CommonOptions& common, const TasksRunOptions& o) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_RETURN_IF_ERROR(FindDag(config, o.dag_id).status());
  MF_ASSIGN_OR_RETURN(const Timestamp date, ParseDate(o.date, "--date"));
  MF_ASSIGN_OR_RETURN(auto meta, OpenMetadata(common, config));
  MF_ASSIGN_OR_RETURN(const auto runs, meta->Runs(o.dag_id, 1 << 30));
  bool any = false;
  for (auto r = runs.rbegin(); r != runs.rend(); ++r) {
    if (r->logical_date != date) continue;
    MF_ASSIGN_OR_RETURN(const auto tries, meta->Tries(r->run_id, o.task_id));
    for (const auto& t : tries) {
      any = true;
      std::cout << "=== " << r->run_id << " " << t.task_id << " try " << t.try_number << ": " << t.state
                << (t.message.empty() ? "" : " (" + t.message + ")") << "\n";
      std::ifstream in(t.log_path);
      std::cout << in.rdbuf() << std::flush;
    }
  }
  if (!any) return Status::NotFound("no tries of " + o.dag_id + "." + o.task_id + " at " + date.ToString());
  return Status::OK();
}

Status SchedulerCommand(const CommonOptions& common, const SchedulerOptionsCli& o) {
  std::signal(SIGINT, [](int) { g_stop = 1; });  // from the start: a stop during start-up ends it cleanly
  std::signal(SIGTERM, [](int) { g_stop = 1; });
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  MF_ASSIGN_OR_RETURN(SchedulerHost host, OpenScheduler(common, config, o.executor));
  Scheduler& scheduler = host.scheduler();
  if (!o.quiet)
    std::cout << "scheduler: " << config.dags.size() << " DAGs, executor " << o.executor << "\n" << std::flush;
  while (true) {
    MF_ASSIGN_OR_RETURN(const auto created, scheduler.CreateDueRuns(Timestamp::Now()));
    if (!o.quiet) {
      for (const auto& r : created) std::cout << "scheduler: created " << r.run_id << "\n" << std::flush;
    }
    // Work until nothing is left, looking for newly due runs every few seconds.
    std::optional<std::chrono::steady_clock::time_point> until;
    if (!o.once) until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    MF_RETURN_IF_ERROR(scheduler.Drain([] { return g_stop != 0; }, until));
    if (g_stop || o.once) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return Status::OK();
}

namespace {

void RegisterDags(CLI::App& app, CommandTable& table) {
  auto common = table.NewCommon();
  auto* dags = app.add_subcommand("dags", "DAGs: list, trigger, runs, backfill, pause, unpause");
  dags->require_subcommand(1);
  auto json = std::make_shared<bool>(false);
  auto* list = dags->add_subcommand("list", "The configured DAGs, paused or not, and their last run");
  AddCommonOptions(*list, *common);
  list->add_flag("--json", *json, "A JSON array");
  table.Add(list, [common, json] { return DagsListCommand(*common, *json); });

  auto trigger = std::make_shared<DagsTriggerOptions>();
  auto* trigger_cmd = dags->add_subcommand("trigger", "Create a manual run and run it now");
  AddCommonOptions(*trigger_cmd, *common);
  trigger_cmd->add_option("dag", trigger->dag_id, "DAG id")->required();
  trigger_cmd->add_option("--conf", trigger->conf, "Run parameters, a JSON object");
  trigger_cmd->add_option("--date", trigger->date, "Logical date, UTC (default: now, to the minute)");
  trigger_cmd->add_option("--executor", trigger->executor, "inprocess (default) or subprocess")
      ->check(CLI::IsMember({"inprocess", "subprocess"}));
  trigger_cmd->add_flag("--json", trigger->json, "Print the run as JSON");
  table.Add(trigger_cmd, [common, trigger] { return DagsTriggerCommand(*common, *trigger); });

  auto dag_id = std::make_shared<std::string>();
  auto limit = std::make_shared<int>(1000);
  auto* runs = dags->add_subcommand("runs", "A DAG's runs, oldest first");
  AddCommonOptions(*runs, *common);
  runs->add_option("dag", *dag_id, "DAG id")->required();
  runs->add_option("--limit", *limit, "The newest N runs (default: 1000)")->check(CLI::Range(1, 1000000));
  runs->add_flag("--json", *json,
                 "A JSON array of runs (Airflow's DAGRun: dag_run_id, logical_date, state, start_date, end_date, ...)");
  table.Add(runs, [common, dag_id, limit, json] { return DagsRunsCommand(*common, *dag_id, *limit, *json); });

  auto backfill = std::make_shared<DagsBackfillOptions>();
  auto* backfill_cmd =
      dags->add_subcommand("backfill", "Create and run the runs of every interval inside [--from, --to]");
  AddCommonOptions(*backfill_cmd, *common);
  backfill_cmd->add_option("dag", backfill->dag_id, "DAG id")->required();
  backfill_cmd->add_option("--from", backfill->from, "Start, UTC (e.g. 2024-12-03T22:00)")->required();
  backfill_cmd->add_option("--to", backfill->to, "End, UTC")->required();
  backfill_cmd->add_option("--executor", backfill->executor, "inprocess (default) or subprocess")
      ->check(CLI::IsMember({"inprocess", "subprocess"}));
  backfill_cmd->add_flag("--json", backfill->json, "Print the runs as JSON");
  table.Add(backfill_cmd, [common, backfill] { return DagsBackfillCommand(*common, *backfill); });

  for (const bool paused : {true, false}) {
    auto* cmd = dags->add_subcommand(paused ? "pause" : "unpause", paused ? "Stop creating scheduled runs of a DAG"
                                                                          : "Create scheduled runs of a DAG again");
    AddCommonOptions(*cmd, *common);
    cmd->add_option("dag", *dag_id, "DAG id")->required();
    table.Add(cmd, [common, dag_id, paused] { return DagsPauseCommand(*common, *dag_id, paused); });
  }
}

void RegisterTasks(CLI::App& app, CommandTable& table) {
  auto common = table.NewCommon();
  auto* tasks = app.add_subcommand("tasks", "Tasks of a DAG: list, run, logs");
  tasks->require_subcommand(1);
  auto dag_id = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* list = tasks->add_subcommand("list", "A DAG's tasks in order, with their settings");
  AddCommonOptions(*list, *common);
  list->add_option("dag", *dag_id, "DAG id")->required();
  list->add_flag("--json", *json, "A JSON array");
  table.Add(list, [common, dag_id, json] { return TasksListCommand(*common, *dag_id, *json); });

  auto task = std::make_shared<TasksRunOptions>();
  auto* run = tasks->add_subcommand(
      "run",
      "Run one task for the interval starting at --date, here and now (what the subprocess executor and "
      "an exported Airflow DAG call)");
  auto* logs = tasks->add_subcommand("logs", "Print every try's log of a task at a logical date");
  for (CLI::App* cmd : {run, logs}) {
    AddCommonOptions(*cmd, *common);
    cmd->add_option("dag", task->dag_id, "DAG id")->required();
    cmd->add_option("task", task->task_id, "Task id")->required();
  }
  run->add_option("--date", task->date, "Logical date: the data interval's start, UTC")->required();
  logs->add_option("--date", task->date, "Logical date, UTC")->required();
  table.Add(run, [common, task] { return TasksRunCommand(*common, *task); });
  table.Add(logs, [common, task] { return TasksLogsCommand(*common, *task); });
}

void RegisterScheduler(CLI::App& app, CommandTable& table) {
  auto common = table.NewCommon();
  auto options = std::make_shared<SchedulerOptionsCli>();
  auto* cmd = app.add_subcommand(
      "scheduler", "Create every DAG's runs on its schedule (catchup, pauses) and run them until stopped");
  AddCommonOptions(*cmd, *common);
  cmd->add_option("--executor", options->executor, "inprocess (default) or subprocess")
      ->check(CLI::IsMember({"inprocess", "subprocess"}));
  cmd->add_flag("--once", options->once, "Create the runs due now, run them and exit");
  cmd->add_flag("--quiet", options->quiet, "Print nothing but errors");
  table.Add(cmd, [common, options] { return SchedulerCommand(*common, *options); });

  auto export_options = std::make_shared<ExportAirflowOptions>();
  auto* export_cmd = app.add_subcommand("export-airflow", "Write an Apache Airflow DAG file running a DAG's tasks");
  AddCommonOptions(*export_cmd, *common);
  export_cmd->add_option("--dag", export_options->dag_id, "DAG id")->required();
  export_cmd->add_option("--binary", export_options->binary, "The meteoflow binary Airflow calls (default: this one)");
  table.Add(export_cmd, [common, export_options] { return ExportAirflowCommand(*common, *export_options); });
}

}  // namespace

void RegisterDagCommands(CLI::App& app, CommandTable& table) {
  RegisterDags(app, table);
  RegisterTasks(app, table);
  RegisterScheduler(app, table);
}

}  // namespace meteoflow
