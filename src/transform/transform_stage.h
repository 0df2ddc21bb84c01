// The transform stage (the original's Spark SQL step): raw lake files -> weather_data,
// weather_hourly and dead_letter in the Store.
//
// Each run takes the raw files it has not transformed yet (checkpoints "transform/file/<path>",
// whose value is the span of fetch times the file holds), and of the files already transformed
// only those holding readings within kLookbackMs of the new ones (transform/pairing.h): a batch
// costs what arrived, not the history. It parses, checks, and upserts only the weather_data rows
// the new readings create or re-pair, so the tables come out the same whatever the batches and
// their order. Hourly aggregates are recomputed from the store for every (city, hour) touched.
// Records of new files that fail parsing or checks go to dead_letter with the reason. The files
// are checkpointed only after every write is durable, so a crash re-runs them harmlessly.
//
// Thread-safety: one Run at a time per stage object.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/config.h"
#include "lake/dataset.h"
#include "store/store.h"
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

class TransformStage {
 public:
  // `openmeteo_alone`: no OpenWeatherMap source is collected, so Open-Meteo readings make rows
  // on their own (reconcile.h, FromOpenMeteoAlone).
  TransformStage(std::vector<Location> locations, const Dataset& raw_lake, Store& store, bool openmeteo_alone = false)
      : locations_(std::move(locations)), lake_(raw_lake), store_(store), openmeteo_alone_(openmeteo_alone) {}

  Result<TransformStats> Run();

 private:
  Status FindNewFiles(std::vector<DataFile>* fresh, std::vector<std::pair<DataFile, FetchSpan>>* done);
  Result<TransformStats> Apply(const std::vector<RawRecord>& records,
                               const std::map<std::string, std::string>& checkpoints, TransformStats stats);

  const std::vector<Location> locations_;
  const Dataset& lake_;
  Store& store_;
  const bool openmeteo_alone_;
};

}  // namespace meteoflow
