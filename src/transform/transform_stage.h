// The transform stage (the original's Spark SQL step): raw lake files -> weather_data,
// weather_hourly and dead_letter in the Store.
//
// Each run takes the raw files it has not transformed yet (checkpoints "transform/file/<path>",
// whose value is the span of fetch times the file holds). The readings within kLookbackMs of the
// new ones (transform/pairing.h) come from the pairing index in the store (Store::PairingEntries:
// every reading fetched since the index horizon, kept kIndexRetentionMs behind the newest) and,
// for arrivals older than the horizon, from the transformed files whose span reaches them: a
// batch costs what arrived, not the history, and needs no lake but its own new files (workers
// on other machines). It parses, checks, and upserts only the weather_data rows the new readings
// create or re-pair, so the tables come out the same whatever the batches and their order.
// Hourly aggregates are recomputed from the store for every (city, hour) touched. Records of new
// files that fail parsing or checks go to dead_letter with the reason. A batch's writes and its
// files' checkpoints go in one Store::Atomically (one transaction on SQLite), so a crash re-runs
// them harmlessly. On a store shared by workers (Cassandra) a batch reads the index again after
// writing and writes again while it finds readings its write did not see (see Run).
//
// Memory stays bounded whatever the backlog: new files are taken in batches of about
// kBatchRecords records, in order of their earliest fetch time (from the footers); a batch keeps
// the parsed readings (not the payloads) of the batches before it only as far back as the
// lookback of what is left.
//
// Thread-safety: one Run at a time per stage object; the progress callback is called on the
// thread of Run.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "core/config.h"
#include "lake/dataset.h"
#include "store/store.h"
#include "transform/index_horizon.h"
#include "transform/pairing.h"
#include "transform/raw_records.h"

namespace meteoflow {

struct TransformStats {
  int64_t files = 0;
  int64_t files_around = 0;  // transformed files re-read for the readings around the new ones
  int64_t records = 0;
  int64_t rows_upserted = 0;
  int64_t paired = 0;
  int64_t dead_lettered = 0;
  int64_t observations_upserted = 0;  // source_observations rows: one per valid new record
  int64_t hourly_upserted = 0;
};

struct TransformProgress {
  int64_t records_done = 0;   // records of new files transformed so far in this run
  int64_t records_total = 0;  // records of all the new files of this run
};

class TransformStage {
 public:
  static constexpr int64_t kBatchRecords = 20'000;
  // The pairing index keeps a location's readings of the last two days of fetch times (behind
  // the newest of its slowest source; transform/index_horizon.h), moved on in steps of an hour.
  static constexpr int64_t kIndexRetentionMs = int64_t{2} * 86'400'000;
  static constexpr int64_t kIndexPruneStepMs = 3'600'000;

  // `openmeteo_alone`: no OpenWeatherMap source is collected, so Open-Meteo readings make rows
  // on their own (reconcile.h, FromOpenMeteoAlone).
  TransformStage(std::vector<Location> locations, const Dataset& raw_lake, Store& store, bool openmeteo_alone = false);

  Result<TransformStats> Run();
  // Lake compaction's side of the bookkeeping (land/compaction.h): whether every one of `files`
  // was transformed, and recording a file made of transformed records as transformed.
  Result<bool> AllTransformed(const std::vector<DataFile>& files);
  Status Adopt(const std::string& relative_path, const FetchSpan& span);

  // The sources collected (default: both, or Open-Meteo alone); the pairing index waits for
  // each of them at a location before it moves on there.
  void set_sources(std::set<std::string> sources) { sources_ = std::move(sources); }
  // Records per batch (kBatchRecords by default; tests make batches small).
  void set_batch_records(int64_t records) { batch_records_ = records; }
  // How far back the pairing index reaches and its step (the k* constants by default; tests
  // make them short so runs also pair from the lake).
  void set_index_window(int64_t retention_ms, int64_t step_ms) {
    index_retention_ms_ = retention_ms;
    index_step_ms_ = step_ms;
  }
  // Called after every batch; none by default.
  void set_progress(std::function<void(const TransformProgress&)> progress) { progress_ = std::move(progress); }

 private:
  struct Batch;
  struct LocationReadings {
    std::vector<Reading> owm, om;
  };
  using ReadingsByLocation = std::map<std::string, LocationReadings>;
  using DoneFiles = std::vector<std::pair<DataFile, FetchSpan>>;
  Status FindNewFiles(std::vector<DataFile>* fresh, DoneFiles* done);
  // New files in batches, each sorted and the batches ordered by earliest fetch time.
  Result<std::vector<std::vector<PendingFile>>> PlanBatches(std::vector<DataFile> fresh) const;
  Status ReadBatch(const std::vector<PendingFile>& files, Batch* batch) const;
  // Readings of the files transformed by earlier runs, fetched within the batch's lookback.
  Status ReadAround(const DoneFiles& done, const IndexHorizons& horizons, Batch* batch, TransformStats* stats) const;
  // Files' records are parsed into `batch`: new ones always, others only where new ones are.
  void Add(const RawRecord& record, Result<SourceReading> parsed, Batch* batch) const;
  static void Carry(Batch* batch, ReadingsByLocation* carried);
  using ReadingKey = std::tuple<std::string, bool, int64_t>;  // location, from OpenWeatherMap, fetch time (ms)
  static std::set<ReadingKey> ReadingKeys(const Batch& batch);
  static constexpr int kMaxRereads = 8;  // rereads of the index after a batch's write (shared stores)
  static void Prune(ReadingsByLocation* carried, int64_t before);
  Result<std::vector<HourlyAggregate>> RecomputeHours(const std::set<std::pair<std::string, int64_t>>& hours);
  Status Apply(Batch& batch, TransformStats* stats);
  Result<IndexHorizons> LoadHorizons(const DoneFiles& done);
  // Folds the batch's new readings into the horizons: records and prunes the ones that moved,
  // drops from the batch's index entries those behind their horizon.
  Status MoveHorizons(IndexHorizons& horizons, Batch* batch);

  const std::vector<Location> locations_;
  std::map<std::string, const Location*> by_id_;
  const Dataset& lake_;
  Store& store_;
  const bool openmeteo_alone_;
  std::set<std::string> sources_;
  int64_t batch_records_ = kBatchRecords;
  int64_t index_retention_ms_ = kIndexRetentionMs, index_step_ms_ = kIndexPruneStepMs;
  std::function<void(const TransformProgress&)> progress_;
};

}  // namespace meteoflow
