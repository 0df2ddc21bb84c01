// The transform stage (the original's Spark SQL step): raw lake files -> weather_data,
// weather_hourly and dead_letter in the Store.
//
// Each run takes the raw files it has not transformed yet (checkpoints "transform/file/<path>"),
// re-reads both sources' files of the dates they touch (one day either side, so pairs that
// straddle midnight or arrive late are found), parses, checks, reconciles (transform/reconcile.h)
// and upserts. Hourly aggregates are recomputed from the store for every (city, hour) touched.
// Records of new files that fail parsing or checks go to dead_letter with the reason. The files
// are checkpointed only after every write is durable, so a crash re-runs them harmlessly.
//
// Thread-safety: one Run at a time per stage object.
#pragma once

#include <vector>

#include "core/config.h"
#include "lake/dataset.h"
#include "store/store.h"

namespace meteoflow {

struct TransformStats {
  int64_t files = 0;
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
  const std::vector<Location> locations_;
  const Dataset& lake_;
  Store& store_;
  const bool openmeteo_alone_;
};

}  // namespace meteoflow
