// Pipeline: the embedded weather pipeline assembled from a Config and a data dir -- the
// backends (local log, Parquet lake, SQLite store), the stages, and the DAGs' task functions
// (collect, land, transform, predict, train, compact, and nwp: the weather service's forecast, with
// a live openmeteo source) -- plus the run summary the CLI prints.
//
// Data dir layout: log/ (LocalLog, with `backends.log: local`; Kafka keeps nothing here),
// lake/raw/ (raw Parquet lake), store.db (SqliteStore), meta.db (RunMetadata), models.db (the
// model registry). With the local log, opening takes its
// process lock: one pipeline per data dir. With Kafka, several processes (run, workers) may share a data dir.
//
// Thread-safety: one RunDag at a time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "collect/collect_stage.h"
#include "collect/service_forecast.h"
#include "core/file_util.h"
#include "forecast/predict_stage.h"
#include "forecast/train_stage.h"
#include "land/compaction.h"
#include "land/land_stage.h"
#include "orchestrate/executor.h"
#include "orchestrate/scheduler.h"
#include "store/sqlite_store.h"
#include "store/store.h"
#include "stream/local_log.h"
#include "transform/transform_stage.h"

namespace meteoflow {

struct RunOutcome {
  std::string run_id;
  RunState state = RunState::kFailed;  // success or failed once the run ended
  std::map<std::string, TaskState> task_states;
  std::string first_error;
};

struct RunSummary {
  std::string dag_id;
  RunOutcome outcome;
  Interval interval;
  CollectStats collect;
  LandStats land;
  TransformStats transform;
  PredictStats predict;
  TrainStats train;
  CompactionStats compact;
  ServiceForecastStats nwp;
  double wall_seconds = 0;
};

struct WorkerProgress {
  LandStats land;            // totals since the worker started
  TransformStats transform;  // of the last transform
};

struct WorkerOptions {
  size_t batch = LandStage::kDefaultBatch;              // records per poll at most
  int max_consecutive_failures = 30;                    // then Work gives up with the last error
  std::function<bool()> should_stop;                    // asked between batches
  std::function<void(const WorkerProgress&)> on_batch;  // after every batch that landed something
  std::function<void(const Status&)> on_error;          // a failed batch that will be retried
  // The partitions this worker reads, whenever they change.
  std::function<void(const std::vector<std::pair<std::string, PartitionId>>&)> on_assignment;
};

// The configured store: SQLite at <data_dir>/store.db, or Cassandra (config `cassandra:`; the
// password may come from MF_CASSANDRA_PASSWORD).
Result<std::unique_ptr<Store>> OpenStore(const Config& config, const std::string& data_dir);

class Pipeline {
 public:
  // Its scheduler runs stage tasks in this process (command tasks as children); runs and tries
  // keep `clock`'s time.
  static Result<std::unique_ptr<Pipeline>> Open(const Config& config, const std::string& data_dir,
                                                Clock& clock = SystemClock());

  // The span of the bundled recordings (union over sources), when replaying.
  std::optional<Interval> replay_span() const { return replay_span_; }
  // A time at or after `t`, in the minute of the first fetch time at or after `t` in any replayed
  // recording (never past that fetch), if there is one.
  std::optional<Timestamp> NextReplayed(Timestamp t) const;
  // True when a source collects from a live API (runs then tick on the wall clock).
  bool live() const { return live_; }
  // Creates a run of DAG `dag_id` over `interval` (type scheduled, manual or backfill; an
  // existing scheduled run of that interval is resumed instead) and drains the scheduler.
  Result<RunSummary> RunDag(const std::string& dag_id, RunType run_type, const Interval& interval,
                            const std::string& conf_json = "{}");
  // The configured DAG `id`, or null.
  const DagConfig* dag(const std::string& id) const { return config_.FindDag(id); }
  const Config& config() const { return config_; }
  Clock& clock() { return *clock_; }
  Scheduler& scheduler() { return *scheduler_; }
  // For the process that schedules (not a `tasks run` child): tries a dead scheduler left
  // running are retried (Scheduler::Recover). With the local log, whose process lock is held,
  // always; with Kafka (where `tasks run` children and workers may share the data dir) when this
  // process gets the data dir's scheduler lock (kSchedulerLock), which it then holds for good:
  // a live scheduler holds it, so runs left running without one were left by a dead one.
  Status RecoverInterrupted();
  // The in-process stage functions, for `meteoflow tasks run`.
  std::map<std::string, TaskFn> StageTasks();
  const RunSummary& last_summary() const { return summary_; }
  // Lands and transforms continuously as a member of the land consumer group until told to
  // stop, committing a batch's offsets once it is transformed. A failed batch is retried (its
  // records are delivered again) up to the failure bound. Workers share a Kafka group and the
  // store; each may have a data dir of its own (other machines: pairing reads the store's
  // index, not the lake) or share one (file locks serialise land commits and transforms).
  Status Work(const WorkerOptions& options);
  // Compacts the raw lake (land/compaction.h): closed days, or only `date`. Holds the lake lock
  // (no land commits meanwhile) and the transform lock, in that order.
  Result<CompactionStats> CompactLake(const std::optional<std::string>& date);
  RunMetadata& metadata() { return *metadata_; }
  Store& store() { return *store_; }
  forecast::ModelRegistry& registry() { return *registry_; }

 private:
  Pipeline() = default;
  // Land commits and lake compaction exclude each other through this lock file in the data dir.
  static constexpr const char* kLakeLock = "lake.lock";
  static constexpr const char* kSchedulerLock = "scheduler.lock";
  // The transform task, one process at a time per data dir.
  Result<TransformStats> TransformExclusively();
  // One worker batch, under the lake lock.
  Status LandLocked(Consumer& consumer, size_t batch, LandStats* stats, bool* caught_up);
  Status OpenScheduler(const Config& config);

  Config config_;
  Clock* clock_ = nullptr;
  std::string data_dir_;
  std::unique_ptr<Log> log_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<RunMetadata> metadata_;
  std::unique_ptr<ServiceForecastFetcher> nwp_;  // with a live openmeteo source
  std::unique_ptr<Dataset> raw_lake_;
  std::unique_ptr<CollectStage> collect_;
  std::unique_ptr<LandStage> land_;
  std::unique_ptr<TransformStage> transform_;
  std::unique_ptr<PredictStage> predict_;
  std::unique_ptr<forecast::ModelRegistry> registry_;
  std::unique_ptr<TrainStage> train_;
  std::unique_ptr<LocalExecutor> executor_;
  std::unique_ptr<Scheduler> scheduler_;
  std::optional<FileLock> scheduler_lock_;  // held once RecoverInterrupted got it (Kafka)
  RunSummary summary_;
  std::optional<Interval> replay_span_;
  std::set<int64_t> replay_times_;  // every minute (ms) holding a fetched_at of the replayed recordings
  bool live_ = false;
};

}  // namespace meteoflow
