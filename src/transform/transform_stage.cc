#include "transform/transform_stage.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <utility>

#include "transform/pairing.h"
#include "transform/parse.h"
#include "transform/reading_codec.h"

namespace meteoflow {
namespace {

constexpr const char* kCheckpointPrefix = "transform/file/";
constexpr const char* kIndexStartCheckpoint = "transform/index-start";
constexpr int64_t kHourMs = 3'600'000;

// The source's own reading, taking its maps (pairing needs only the weather_data fields).
SourceObservation ObservationOf(const RawRecord& record, const Location& location, SourceReading& reading) {
  return {record.source,
          location.name,
          reading.observed_at,
          location.id,
          record.fetched_at,
          std::exchange(reading.values, {}),
          std::exchange(reading.labels, {})};
}

HourlyAggregate Aggregate(const std::string& city, Timestamp hour, const std::vector<WeatherRow>& rows) {
  HourlyAggregate a{city, hour, static_cast<int64_t>(rows.size()), {}, {}, {}, {}, {}, {}, {}, {}};
  auto summarise = [&](WeatherField f, std::optional<double>* avg, std::optional<double>* min,
                       std::optional<double>* max, std::optional<double>* sum) {
    double total = 0;
    int n = 0;
    for (const auto& r : rows) {
      const auto& v = r.at(f);
      if (!v) continue;
      total += *v;
      ++n;
      if (min && (!*min || *v < **min)) *min = *v;
      if (max && (!*max || *v > **max)) *max = *v;
    }
    if (n && avg) *avg = total / n;
    if (n && sum) *sum = total;
  };
  summarise(WeatherField::kTemperature2m, &a.temp_avg, &a.temp_min, &a.temp_max, nullptr);
  summarise(WeatherField::kHumidity, &a.humidity_avg, nullptr, nullptr, nullptr);
  summarise(WeatherField::kPressure, &a.pressure_avg, nullptr, nullptr, nullptr);
  summarise(WeatherField::kWindSpeed, &a.wind_speed_avg, nullptr, &a.wind_speed_max, nullptr);
  summarise(WeatherField::kPrecipitation, nullptr, nullptr, nullptr, &a.precipitation_sum);
  return a;
}

Result<SourceReading> ParseRecord(const RawRecord& r) {
  if (r.source == "openweathermap") return ParseOpenWeatherMap(r.payload, r.fetched_at);
  if (r.source == "openmeteo") return ParseOpenMeteo(r.payload, r.fetched_at);
  return Status::InvalidArgument("unknown source '" + r.source + "'");
}

}  // namespace

struct TransformStage::Batch {
  ReadingsByLocation readings;  // locations with new readings: those, and the readings around them
  std::vector<SourceObservation> observations;
  std::vector<DeadLetter> dead;
  std::map<std::string, std::string> checkpoints;
  std::vector<PairingEntry> index;  // the new readings (those behind their location's horizon dropped)
  FetchSpan span;                   // of the new records
  int64_t records = 0;
};

// The raw files not transformed yet, and the checkpoints of those that were.
Status TransformStage::FindNewFiles(std::vector<DataFile>* fresh, DoneFiles* done) {
  MF_ASSIGN_OR_RETURN(auto checkpoints, store_.ListCheckpoints(kCheckpointPrefix));
  MF_ASSIGN_OR_RETURN(auto files, lake_.List());
  for (auto& f : files) {
    auto it = checkpoints.find(kCheckpointPrefix + f.relative_path);
    if (it == checkpoints.end()) {
      fresh->push_back(std::move(f));
    } else {
      done->emplace_back(std::move(f), FetchSpan::Parse(it->second));
    }
  }
  return Status::OK();
}

Result<bool> TransformStage::AllTransformed(const std::vector<DataFile>& files) {
  MF_ASSIGN_OR_RETURN(auto checkpoints, store_.ListCheckpoints(kCheckpointPrefix));
  return std::all_of(files.begin(), files.end(),
                     [&](const DataFile& f) { return checkpoints.count(kCheckpointPrefix + f.relative_path) > 0; });
}

Status TransformStage::Adopt(const std::string& relative_path, const FetchSpan& span) {
  return store_.PutCheckpoints({{kCheckpointPrefix + relative_path, span.Text()}});
}

Result<std::vector<std::vector<PendingFile>>> TransformStage::PlanBatches(std::vector<DataFile> fresh) const {
  std::vector<PendingFile> files;
  for (auto& f : fresh) {
    MF_ASSIGN_OR_RETURN(PendingFile pending, InspectRawFile(std::move(f)));
    files.push_back(std::move(pending));
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const PendingFile& a, const PendingFile& b) { return a.span.min < b.span.min; });
  std::vector<std::vector<PendingFile>> batches;
  int64_t in_last = 0;
  for (auto& f : files) {
    if (batches.empty() || in_last + f.rows > batch_records_) {
      batches.emplace_back();
      in_last = 0;
    }
    in_last += f.rows;
    batches.back().push_back(std::move(f));
  }
  return batches;
}

void TransformStage::Add(const RawRecord& record, Result<SourceReading> parsed, Batch* batch) const {
  auto location = by_id_.find(record.location_id);
  if (parsed.ok() && location == by_id_.end()) {
    parsed = Status::InvalidArgument("location '" + record.location_id + "' is not in the config");
  }
  if (!parsed.ok()) {
    if (record.is_new) {
      batch->dead.push_back(
          {record.source, record.location_id, record.fetched_at, parsed.status().message(), record.payload});
    }
    return;
  }
  auto readings = batch->readings.find(record.location_id);
  if (!record.is_new && readings == batch->readings.end()) return;  // nothing new to pair there
  SourceReading reading = std::move(parsed).value();
  if (record.is_new) {
    batch->observations.push_back(ObservationOf(record, *location->second, reading));
    batch->index.push_back({record.location_id, record.source, record.fetched_at, EncodeReading(reading)});
  } else {
    reading.values.clear();
    reading.labels.clear();
  }
  LocationReadings& bucket = readings != batch->readings.end() ? readings->second : batch->readings[record.location_id];
  auto& list = record.source == "openweathermap" ? bucket.owm : bucket.om;
  list.push_back({record.fetched_at, std::move(reading), record.is_new});
}

Status TransformStage::ReadBatch(const std::vector<PendingFile>& files, Batch* batch) const {
  for (const auto& f : files) {
    std::vector<RawRecord> records;
    FetchSpan span;
    MF_RETURN_IF_ERROR(ReadRawFile(f.file, true, &records, &span));
    batch->checkpoints[kCheckpointPrefix + f.file.relative_path] = span.Text();
    batch->span.min = std::min(batch->span.min, span.min);
    batch->span.max = std::max(batch->span.max, span.max);
    batch->records += static_cast<int64_t>(records.size());
    for (const auto& r : records) Add(r, ParseRecord(r), batch);
  }
  return Status::OK();
}

Status TransformStage::ReadAround(const DoneFiles& done, const IndexHorizons& horizons, Batch* batch,
                                  TransformStats* stats) const {
  if (batch->readings.empty()) return Status::OK();
  const int64_t from = batch->span.min - kLookbackMs, to = batch->span.max + kLookbackMs;
  for (auto& [id, readings] : batch->readings) {
    MF_ASSIGN_OR_RETURN(const auto entries,
                        store_.PairingEntries(id, Timestamp::FromMillis(from), Timestamp::FromMillis(to)));
    for (const auto& e : entries) {
      MF_ASSIGN_OR_RETURN(SourceReading reading, DecodeReading(e.reading));
      auto& list = e.source == "openweathermap" ? readings.owm : readings.om;
      list.push_back({e.fetched_at, std::move(reading), false});
    }
  }
  std::set<std::string> from_lake;  // locations whose index does not reach back to `from`
  for (const auto& [id, readings] : batch->readings) {
    if (from < horizons.horizon(id)) from_lake.insert(id);
  }
  if (from_lake.empty()) return Status::OK();
  for (const auto& [file, span] : done) {
    if (!span.Overlaps(from, to)) continue;
    FetchSpan ignored;
    std::vector<RawRecord> around;
    MF_RETURN_IF_ERROR(ReadRawFile(file, false, &around, &ignored));
    std::erase_if(around, [&](const RawRecord& r) {
      return r.fetched_at.millis() < from || r.fetched_at.millis() > to || !from_lake.count(r.location_id);
    });
    for (const auto& r : around) Add(r, ParseRecord(r), batch);
    ++stats->files_around;
  }
  return Status::OK();
}

std::set<TransformStage::ReadingKey> TransformStage::ReadingKeys(const Batch& batch) {
  std::set<ReadingKey> keys;
  for (const auto& [id, readings] : batch.readings) {
    for (const auto& r : readings.owm) keys.emplace(id, true, r.fetched_at.millis());
    for (const auto& r : readings.om) keys.emplace(id, false, r.fetched_at.millis());
  }
  return keys;
}

// Adds to the batch the earlier batches' readings within its lookback, then keeps the batch's
// own new readings for the batches after it.
void TransformStage::Carry(Batch* batch, ReadingsByLocation* carried) {
  const int64_t from = batch->span.min - kLookbackMs, to = batch->span.max + kLookbackMs;
  auto within = [&](const Reading& r) { return r.fetched_at.millis() >= from && r.fetched_at.millis() <= to; };
  for (auto& [id, mine] : batch->readings) {
    LocationReadings& kept = (*carried)[id];
    const size_t owm_new = mine.owm.size(), om_new = mine.om.size();
    for (const auto& r : kept.owm) {
      if (within(r)) mine.owm.push_back(r);
    }
    for (const auto& r : kept.om) {
      if (within(r)) mine.om.push_back(r);
    }
    for (size_t i = 0; i < owm_new; ++i) kept.owm.push_back({mine.owm[i].fetched_at, mine.owm[i].reading, false});
    for (size_t i = 0; i < om_new; ++i) kept.om.push_back({mine.om[i].fetched_at, mine.om[i].reading, false});
  }
}

void TransformStage::Prune(ReadingsByLocation* carried, int64_t before) {
  auto old = [&](const Reading& r) { return r.fetched_at.millis() < before; };
  for (auto it = carried->begin(); it != carried->end();) {
    std::erase_if(it->second.owm, old);
    std::erase_if(it->second.om, old);
    it = it->second.owm.empty() && it->second.om.empty() ? carried->erase(it) : std::next(it);
  }
}

Result<IndexHorizons> TransformStage::LoadHorizons(const DoneFiles& done) {
  MF_ASSIGN_OR_RETURN(const auto stored, store_.ListCheckpoints(IndexHorizons::kCheckpointPrefix));
  // Where the index of a location without a state begins, fixed by the first run that indexed:
  // after the files transformed before the index existed (files checkpointed without a span are
  // old enough to be left out), or from the start. One value in the store for every worker.
  MF_ASSIGN_OR_RETURN(const auto start, store_.ListCheckpoints(kIndexStartCheckpoint));
  int64_t initial = INT64_MIN;
  if (auto it = start.find(kIndexStartCheckpoint); it != start.end()) {
    const auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), initial);
    if (ec != std::errc() || end != it->second.data() + it->second.size()) {
      return Status::Corruption("checkpoint " + std::string(kIndexStartCheckpoint) + ": '" + it->second +
                                "' is not a time in ms");
    }
  } else {
    for (const auto& [file, span] : done) {
      if (span.max != INT64_MAX) initial = std::max(initial, span.max + 1);
    }
    MF_RETURN_IF_ERROR(store_.PutCheckpoints({{kIndexStartCheckpoint, std::to_string(initial)}}));
  }
  std::set<std::string> expected = sources_;
  if (expected.empty()) {
    expected =
        openmeteo_alone_ ? std::set<std::string>{"openmeteo"} : std::set<std::string>{"openmeteo", "openweathermap"};
  }
  return IndexHorizons::Parse(stored, std::move(expected), index_retention_ms_, index_step_ms_, initial);
}

Status TransformStage::MoveHorizons(IndexHorizons& horizons, Batch* batch) {
  std::set<std::string> touched, moved;
  for (const auto& [id, readings] : batch->readings) {
    touched.insert(id);
    const int64_t before = horizons.horizon(id);
    for (const auto& r : readings.owm) horizons.Observe(id, "openweathermap", r.fetched_at.millis());
    for (const auto& r : readings.om) horizons.Observe(id, "openmeteo", r.fetched_at.millis());
    if (horizons.horizon(id) != before) moved.insert(id);
  }
  // A moved horizon is recorded before anything is indexed past it, so a crash never leaves one
  // claiming readings the index lacks; what lies behind it is never needed again.
  if (!moved.empty()) {
    MF_RETURN_IF_ERROR(store_.Atomically([&]() -> Status {
      MF_RETURN_IF_ERROR(store_.PutCheckpoints(horizons.Checkpoints(moved)));
      for (const auto& id : moved) {
        MF_RETURN_IF_ERROR(store_.PrunePairingEntries(id, Timestamp::FromMillis(horizons.horizon(id))));
      }
      return Status::OK();
    }));
  }
  std::erase_if(batch->index,
                [&](const PairingEntry& e) { return e.fetched_at.millis() < horizons.horizon(e.location_id); });
  batch->checkpoints.merge(horizons.Checkpoints(touched));  // the newest times, with the batch
  return Status::OK();
}

Result<TransformStats> TransformStage::Run() {
  TransformStats stats;
  std::vector<DataFile> fresh;
  DoneFiles done;
  MF_RETURN_IF_ERROR(FindNewFiles(&fresh, &done));
  if (fresh.empty()) return stats;
  MF_ASSIGN_OR_RETURN(const auto batches, PlanBatches(std::move(fresh)));
  TransformProgress progress;
  for (const auto& files : batches) {
    for (const auto& f : files) progress.records_total += f.rows;
  }
  MF_ASSIGN_OR_RETURN(IndexHorizons horizons, LoadHorizons(done));
  ReadingsByLocation carried;  // this run's earlier batches, as far back as what is left needs
  for (const auto& files : batches) {
    Prune(&carried, files.front().span.min - kLookbackMs);  // no later file starts earlier
    Batch batch;
    MF_RETURN_IF_ERROR(ReadBatch(files, &batch));
    MF_RETURN_IF_ERROR(MoveHorizons(horizons, &batch));
    // The batch's readings go into the pairing index before the index is read: of two workers
    // transforming the two sources of one place at once, the later reader then always finds the
    // other's reading (read-then-write let both miss it and store both unpaired). A reading read
    // back from the index is the batch's own again, which pairing counts once (pairing.cc).
    MF_RETURN_IF_ERROR(store_.UpsertPairingEntries(batch.index));
    Carry(&batch, &carried);
    const bool shared = store_.SharedAcrossProcesses();
    const Batch before_index = shared ? batch : Batch();
    MF_RETURN_IF_ERROR(ReadAround(done, horizons, &batch, &stats));
    std::set<ReadingKey> seen = ReadingKeys(batch);
    MF_RETURN_IF_ERROR(Apply(batch, &stats));
    // On a shared store, of two workers writing the same row the one that read the index first
    // can write last, its row unpaired over the other's paired one. So read the index again after
    // writing, and write again while it holds readings the last write did not see: a reading
    // missing then was indexed after that read, and its worker reads (and writes) after it.
    for (int again = 0; shared && again < kMaxRereads; ++again) {
      Batch reread = before_index;
      MF_RETURN_IF_ERROR(ReadAround(done, horizons, &reread, &stats));
      std::set<ReadingKey> now = ReadingKeys(reread);
      if (now == seen) break;
      seen = std::move(now);
      MF_RETURN_IF_ERROR(Apply(reread, &stats));
    }
    stats.files += static_cast<int64_t>(files.size());
    stats.records += batch.records;
    progress.records_done += batch.records;
    if (progress_) progress_(progress);
  }
  return stats;
}

// One store read per city and run of touched hours (hours at most kHourRunGap apart share it).
Result<std::vector<HourlyAggregate>> TransformStage::RecomputeHours(
    const std::set<std::pair<std::string, int64_t>>& hours) {
  constexpr int64_t kHourRunGap = 6 * kHourMs;
  std::vector<HourlyAggregate> out;
  for (auto it = hours.begin(); it != hours.end();) {
    auto last = it;
    while (std::next(last) != hours.end() && std::next(last)->first == it->first &&
           std::next(last)->second - last->second <= kHourRunGap) {
      ++last;
    }
    const Timestamp from = Timestamp::FromMillis(it->second), to = Timestamp::FromMillis(last->second + kHourMs);
    MF_ASSIGN_OR_RETURN(const auto rows, store_.QueryWeather(it->first, from, to));
    std::map<int64_t, std::vector<WeatherRow>> by_hour;
    for (const auto& r : rows) by_hour[r.time.FloorTo(kHourMs).millis()].push_back(r);
    for (auto h = it; h != std::next(last); ++h) {
      out.push_back(Aggregate(h->first, Timestamp::FromMillis(h->second), by_hour[h->second]));
    }
    it = std::next(last);
  }
  return out;
}

Status TransformStage::Apply(Batch& batch, TransformStats* stats) {
  std::vector<WeatherRow> rows;
  for (auto& [id, readings] : batch.readings) {
    const Location& location = *by_id_.at(id);
    PairedRows paired = openmeteo_alone_ ? OpenMeteoAloneRows(location, std::move(readings.om))
                                         : RowsToUpsert(location, std::move(readings.owm), std::move(readings.om));
    stats->paired += paired.paired;
    rows.insert(rows.end(), std::make_move_iterator(paired.rows.begin()), std::make_move_iterator(paired.rows.end()));
  }
  std::set<std::pair<std::string, int64_t>> hours;
  for (const auto& r : rows) hours.insert({r.city_name, r.time.FloorTo(kHourMs).millis()});
  std::vector<HourlyAggregate> hourly;
  // One transaction on SQLite: the batch's rows and its files' checkpoints land together.
  MF_RETURN_IF_ERROR(store_.Atomically([&]() -> Status {
    MF_RETURN_IF_ERROR(store_.UpsertWeather(rows));
    MF_RETURN_IF_ERROR(store_.UpsertObservations(batch.observations));
    MF_RETURN_IF_ERROR(store_.UpsertDeadLetters(batch.dead));
    MF_ASSIGN_OR_RETURN(hourly, RecomputeHours(hours));
    MF_RETURN_IF_ERROR(store_.UpsertHourly(hourly));
    return store_.PutCheckpoints(batch.checkpoints);
  }));
  stats->rows_upserted += static_cast<int64_t>(rows.size());
  stats->dead_lettered += static_cast<int64_t>(batch.dead.size());
  stats->observations_upserted += static_cast<int64_t>(batch.observations.size());
  stats->hourly_upserted += static_cast<int64_t>(hourly.size());
  return Status::OK();
}

TransformStage::TransformStage(std::vector<Location> locations, const Dataset& raw_lake, Store& store,
                               bool openmeteo_alone)
    : locations_(std::move(locations)), lake_(raw_lake), store_(store), openmeteo_alone_(openmeteo_alone) {
  for (const auto& l : locations_) by_id_[l.id] = &l;
}

}  // namespace meteoflow
