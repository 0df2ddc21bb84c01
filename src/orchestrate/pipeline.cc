#include "orchestrate/pipeline.h"

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "collect/open_meteo_source.h"
#include "collect/openweathermap_source.h"
#include "collect/replay_source.h"
#include "core/file_util.h"
#include "core/progress.h"
#include "core/version.h"
#include "store/cassandra_store.h"
#include "stream/kafka_log.h"

namespace meteoflow {

Result<std::unique_ptr<Store>> OpenStore(const Config& config, const std::string& data_dir) {
  if (config.store_backend != "cassandra") {
    MF_ASSIGN_OR_RETURN(auto sqlite, SqliteStore::Open(data_dir + "/store.db"));
    return std::unique_ptr<Store>(std::move(sqlite));
  }
  const CassandraConfig& c = config.cassandra;
  CassandraOptions o;
  o.contact_points = c.contact_points;
  o.keyspace = c.keyspace;
  o.replication = c.replication;
  o.user = c.user;
  o.password = c.password;
  if (const char* password = std::getenv("MF_CASSANDRA_PASSWORD")) o.password = password;
  static const std::map<std::string, cql::Consistency> kLevels = {{"ONE", cql::kOne},
                                                                  {"LOCAL_ONE", cql::kLocalOne},
                                                                  {"QUORUM", cql::kQuorum},
                                                                  {"LOCAL_QUORUM", cql::kLocalQuorum},
                                                                  {"ALL", cql::kAll}};
  o.consistency = kLevels.at(c.consistency);
  o.request_timeout_ms = c.request_timeout_ms;
  o.max_in_flight = c.max_in_flight;
  MF_ASSIGN_OR_RETURN(auto cassandra, CassandraStore::Open(o));
  return std::unique_ptr<Store>(std::move(cassandra));
}

namespace {

Result<std::unique_ptr<Source>> OpenLiveSource(const SourceConfig& src, Clock& clock) {
  if (src.name == "openmeteo") {
    MF_ASSIGN_OR_RETURN(auto source, OpenMeteoSource::Create(src.name, LiveOptionsFrom(src, src.base_url), clock));
    return std::unique_ptr<Source>(std::move(source));
  }
  MF_ASSIGN_OR_RETURN(auto source, OpenWeatherMapSource::Create(src.name, LiveOptionsFrom(src, src.base_url), clock));
  return std::unique_ptr<Source>(std::move(source));
}

}  // namespace

Status Pipeline::OpenScheduler(const Config& config) {
  executor_ = std::make_unique<LocalExecutor>(StageTasks(), SubprocessCommand{}, false, *clock_);
  scheduler_ = std::make_unique<Scheduler>(config.dags, config.pools, *metadata_, *executor_,
                                           SchedulerOptions{32, data_dir_ + "/logs", clock_});
  return Status::OK();
}

Status Pipeline::RecoverInterrupted() {
  if (config_.log_backend != "local") {
    MF_ASSIGN_OR_RETURN(std::optional<FileLock> lock, FileLock::TryAcquire(data_dir_ + "/" + kSchedulerLock));
    if (!lock) return Status::OK();  // a live scheduler owns the runs in progress
    scheduler_lock_.emplace(std::move(*lock));
  }
  return scheduler_->Recover(clock_->Now());
}

Result<std::unique_ptr<Pipeline>> Pipeline::Open(const Config& config, const std::string& data_dir, Clock& clock) {
  auto p = std::unique_ptr<Pipeline>(new Pipeline());
  p->config_ = config;
  p->clock_ = &clock;
  MF_RETURN_IF_ERROR(MakeDirs(data_dir));
  p->data_dir_ = data_dir;
  if (config.log_backend == "kafka") {
    MF_ASSIGN_OR_RETURN(p->log_, KafkaLog::Open(config.kafka));
  } else {
    MF_ASSIGN_OR_RETURN(p->log_, LocalLog::Open(data_dir + "/log"));
  }
  MF_ASSIGN_OR_RETURN(p->store_, OpenStore(config, data_dir));
  MF_ASSIGN_OR_RETURN(p->metadata_, RunMetadata::Open(data_dir + "/meta.db"));
  MF_RETURN_IF_ERROR(p->OpenScheduler(config));
  p->raw_lake_ = std::make_unique<Dataset>(data_dir + "/lake/raw");
  std::vector<SourceBinding> bindings;
  std::map<std::string, std::string> topic_to_source;
  for (const auto& src : config.sources) {
    topic_to_source[src.topic] = src.name;  // land even a disabled source's topic: its old messages
    if (!src.enabled) continue;
    if (src.mode == "live") {
      MF_ASSIGN_OR_RETURN(auto live, OpenLiveSource(src, clock));
      p->live_ = true;
      if (src.name == "openmeteo") {
        // Kept for the train window and a day more: all the regressor ever reads.
        MF_ASSIGN_OR_RETURN(p->nwp_, ServiceForecastFetcher::Create(LiveOptionsFrom(src, src.base_url), clock, 2,
                                                                    config.forecast.window_days + 1));
      }
      bindings.push_back({std::move(live), src.topic});
      continue;
    }
    MF_ASSIGN_OR_RETURN(auto replay, ReplaySource::Load(src.name, src.recording));
    if (auto span = replay->span()) {
      if (!p->replay_span_) p->replay_span_ = span;
      p->replay_span_->start = std::min(p->replay_span_->start, span->start);
      p->replay_span_->end = std::max(p->replay_span_->end, span->end);
    }
    for (Timestamp t : replay->fetch_minutes()) p->replay_times_.insert(t.millis());
    bindings.push_back({std::move(replay), src.topic});
  }
  p->collect_ = std::make_unique<CollectStage>(std::move(bindings), config.locations, *p->log_, *p->store_);
  p->land_ = std::make_unique<LandStage>(topic_to_source, *p->log_, *p->raw_lake_);
  const bool owm_enabled = std::any_of(config.sources.begin(), config.sources.end(),
                                       [](const SourceConfig& s) { return s.name == "openweathermap" && s.enabled; });
  p->transform_ = std::make_unique<TransformStage>(config.locations, *p->raw_lake_, *p->store_, !owm_enabled);
  std::set<std::string> collected;
  for (const auto& src : config.sources) {
    if (src.enabled) collected.insert(src.name);
  }
  p->transform_->set_sources(std::move(collected));
  MF_ASSIGN_OR_RETURN(p->registry_, forecast::ModelRegistry::Open(data_dir + "/models.db"));
  p->predict_ = std::make_unique<PredictStage>(*p->store_, p->registry_.get(), config.forecast);
  p->train_ = std::make_unique<TrainStage>(*p->store_, *p->registry_, config.forecast);
  return p;
}

std::optional<Timestamp> Pipeline::NextReplayed(Timestamp t) const {
  auto it = replay_times_.lower_bound(t.FloorTo(60'000).millis());
  if (it == replay_times_.end()) return std::nullopt;
  return std::max(t, Timestamp::FromMillis(*it));
}

std::map<std::string, TaskFn> Pipeline::StageTasks() {
  // Each stage records its numbers in summary_, read after the run has drained.
  return {
      {"collect",
       [this](const TaskContext& c) -> Status {
         ProgressLine line("collect");
         MF_ASSIGN_OR_RETURN(summary_.collect,
                             collect_->Run(c.interval, [&](int64_t published) { line.Update(published, 0); }));
         std::ofstream log(c.log_path, std::ios::app);
         for (const std::string& note : summary_.collect.notes) log << "collect: " << note << "\n";
         return Status::OK();
       }},
      {"land",
       [this](const TaskContext&) -> Status {
         MF_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(data_dir_ + "/" + kLakeLock));
         ProgressLine line("land");
         MF_ASSIGN_OR_RETURN(summary_.land, land_->Run([&](const LandStats& s) { line.Update(s.landed, 0); }));
         return Status::OK();
       }},
      {"transform",
       [this](const TaskContext&) -> Status {
         MF_ASSIGN_OR_RETURN(summary_.transform, TransformExclusively());
         return Status::OK();
       }},
      {"compact",
       [this](const TaskContext& c) -> Status {
         MF_ASSIGN_OR_RETURN(summary_.compact, CompactLake(std::nullopt));
         std::ofstream log(c.log_path, std::ios::app);
         for (const std::string& why : summary_.compact.skipped) log << "compact: skipped " << why << "\n";
         return Status::OK();
       }},
      {"nwp",
       [this](const TaskContext& c) -> Status {
         if (!nwp_) {
           return Status::InvalidArgument(
               "nwp: the weather service's forecast comes from the openmeteo source in live mode, and it is not");
         }
         MF_ASSIGN_OR_RETURN(summary_.nwp, nwp_->Run(config_.locations, *store_));
         std::ofstream log(c.log_path, std::ios::app);
         log << "nwp: " << summary_.nwp.rows << " forecast values for " << summary_.nwp.locations
             << " locations, issued " << summary_.nwp.issued_at.ToString() << "\n";
         return Status::OK();
       }},
      {"predict",
       [this](const TaskContext& c) -> Status {
         MF_ASSIGN_OR_RETURN(summary_.predict, predict_->Run(c.interval.end));
         return Status::OK();
       }},
      {"train",
       [this](const TaskContext& c) -> Status {
         MF_ASSIGN_OR_RETURN(summary_.train, train_->Run(c.interval.end));
         return Status::OK();
       }},
  };
}

Result<RunSummary> Pipeline::RunDag(const std::string& dag_id, RunType run_type, const Interval& interval,
                                    const std::string& conf_json) {
  if (!scheduler_->dag(dag_id)) return Status::NotFound(config_.path + ": dags." + dag_id + ": no such DAG");
  summary_ = RunSummary();
  summary_.dag_id = dag_id;
  summary_.interval = interval;
  const auto started = std::chrono::steady_clock::now();
  MF_ASSIGN_OR_RETURN(const DagRunRecord run, scheduler_->CreateRun(dag_id, run_type, interval, conf_json));
  MF_RETURN_IF_ERROR(scheduler_->Drain());
  MF_ASSIGN_OR_RETURN(const auto done, metadata_->Run(run.run_id));
  RunOutcome& outcome = summary_.outcome;
  outcome.run_id = run.run_id;
  outcome.state = done ? done->state : RunState::kFailed;
  MF_ASSIGN_OR_RETURN(const auto tis, metadata_->TaskInstances(run.run_id));
  for (const auto& ti : tis) outcome.task_states[ti.task_id] = ti.state;
  MF_ASSIGN_OR_RETURN(const auto tries, metadata_->Tries(run.run_id));
  for (const auto& t : tries) {
    if (outcome.first_error.empty() && !t.message.empty()) outcome.first_error = t.task_id + ": " + t.message;
  }
  summary_.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary_;
}

Result<TransformStats> Pipeline::TransformExclusively() {
  MF_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(data_dir_ + "/transform.lock"));
  ProgressLine line("transform");
  transform_->set_progress([&](const TransformProgress& p) { line.Update(p.records_done, p.records_total); });
  auto stats = transform_->Run();
  transform_->set_progress({});
  return stats;
}

Status Pipeline::LandLocked(Consumer& consumer, size_t batch, LandStats* stats, bool* caught_up) {
  MF_ASSIGN_OR_RETURN(FileLock lock, FileLock::Acquire(data_dir_ + "/" + kLakeLock));
  return land_->LandBatch(consumer, batch, stats, caught_up, /*commit=*/false);
}

Result<CompactionStats> Pipeline::CompactLake(const std::optional<std::string>& date) {
  MF_ASSIGN_OR_RETURN(FileLock lake_lock, FileLock::Acquire(data_dir_ + "/" + kLakeLock));
  MF_ASSIGN_OR_RETURN(FileLock transform_lock, FileLock::Acquire(data_dir_ + "/transform.lock"));
  CompactionHooks hooks{[this](const std::vector<DataFile>& files) { return transform_->AllTransformed(files); },
                        [this](const std::string& path, int64_t min_ms, int64_t max_ms) {
                          return transform_->Adopt(path, FetchSpan{min_ms, max_ms});
                        }};
  LakeCompactor compactor(*raw_lake_, data_dir_ + "/lake-staging", std::move(hooks));
  return compactor.Run(date);
}

Status Pipeline::Work(const WorkerOptions& options) {
  MF_ASSIGN_OR_RETURN(auto consumer, land_->Subscribe());
  WorkerProgress progress;
  int failures = 0;
  std::vector<std::pair<std::string, PartitionId>> assignment;
  while (!options.should_stop()) {
    const int64_t landed_before = progress.land.landed;
    bool caught_up = false;
    Status landing = LandLocked(*consumer, options.batch, &progress.land, &caught_up);
    if (auto now = consumer->Assignment(); now != assignment) {
      assignment = std::move(now);
      options.on_assignment(assignment);
    }
    if (progress.land.landed != landed_before) {  // even when landing failed half-way: those files are in
      MF_ASSIGN_OR_RETURN(progress.transform, TransformExclusively());
      options.on_batch(progress);
    }
    // Offsets are committed only now that the batch is in the store: a worker lost with its data
    // dir (another machine) leaves nothing landed but untransformed behind its committed offsets.
    if (landing.ok() && !caught_up) landing = consumer->Commit();
    if (landing.ok()) {
      failures = 0;
      continue;
    }
    // A commit refused during a rebalance, a broker away for a moment: redelivery covers it.
    if (++failures >= options.max_consecutive_failures) return landing;
    options.on_error(landing);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  return Status::OK();
}

}  // namespace meteoflow
