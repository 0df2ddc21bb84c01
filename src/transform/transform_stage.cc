#include "transform/transform_stage.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

#include "lake/parquet/reader.h"
#include "transform/pairing.h"
#include "transform/parse.h"

namespace meteoflow {
namespace {

constexpr const char* kCheckpointPrefix = "transform/file/";
constexpr int64_t kHourMs = 3'600'000;

SourceObservation ObservationOf(const RawRecord& record, const Location& location, const SourceReading& reading) {
  return {record.source,     location.name,  reading.observed_at, location.id,
          record.fetched_at, reading.values, reading.labels};
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

}  // namespace

// The raw files not transformed yet, and the checkpoints of those that were.
Status TransformStage::FindNewFiles(std::vector<DataFile>* fresh, std::vector<std::pair<DataFile, FetchSpan>>* done) {
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

Result<TransformStats> TransformStage::Run() {
  TransformStats stats;
  std::vector<DataFile> fresh;
  std::vector<std::pair<DataFile, FetchSpan>> done;
  MF_RETURN_IF_ERROR(FindNewFiles(&fresh, &done));
  if (fresh.empty()) return stats;
  std::vector<RawRecord> records;
  std::map<std::string, std::string> checkpoints;
  FetchSpan all_new;
  for (const auto& f : fresh) {
    FetchSpan span;
    MF_RETURN_IF_ERROR(ReadRawFile(f, true, &records, &span));
    checkpoints[kCheckpointPrefix + f.relative_path] = span.Text();
    all_new.min = std::min(all_new.min, span.min);
    all_new.max = std::max(all_new.max, span.max);
    ++stats.files;
  }
  // The readings around the new ones, from the files whose fetch times reach the lookback.
  const int64_t from = all_new.min - kLookbackMs, to = all_new.max + kLookbackMs;
  for (const auto& [file, span] : done) {
    if (!span.Overlaps(from, to)) continue;
    FetchSpan ignored;
    std::vector<RawRecord> around;
    MF_RETURN_IF_ERROR(ReadRawFile(file, false, &around, &ignored));
    for (auto& r : around) {
      if (r.fetched_at.millis() >= from && r.fetched_at.millis() <= to) records.push_back(std::move(r));
    }
    ++stats.files_around;
  }
  return Apply(records, checkpoints, stats);
}

Result<TransformStats> TransformStage::Apply(const std::vector<RawRecord>& records,
                                             const std::map<std::string, std::string>& checkpoints,
                                             TransformStats stats) {
  std::map<std::string, const Location*> by_id;
  for (const auto& l : locations_) by_id[l.id] = &l;
  std::map<std::string, std::vector<Reading>> owm, om;  // by location id
  std::vector<DeadLetter> dead;
  std::vector<SourceObservation> observations;
  for (const auto& r : records) {
    if (r.is_new) ++stats.records;
    Result<SourceReading> parsed = Status::InvalidArgument("unknown source '" + r.source + "'");
    if (r.source == "openweathermap") parsed = ParseOpenWeatherMap(r.payload, r.fetched_at);
    if (r.source == "openmeteo") parsed = ParseOpenMeteo(r.payload, r.fetched_at);
    if (parsed.ok() && !by_id.count(r.location_id)) {
      parsed = Status::InvalidArgument("location '" + r.location_id + "' is not in the config");
    }
    if (!parsed.ok()) {
      if (r.is_new) dead.push_back({r.source, r.location_id, r.fetched_at, parsed.status().message(), r.payload});
      continue;
    }
    SourceReading reading = std::move(parsed).value();
    if (r.is_new) observations.push_back(ObservationOf(r, *by_id.at(r.location_id), reading));
    reading.values.clear();
    reading.labels.clear();
    auto& bucket = r.source == "openweathermap" ? owm : om;
    bucket[r.location_id].push_back({r.fetched_at, std::move(reading), r.is_new});
  }
  std::vector<WeatherRow> rows;
  for (const auto& [id, location] : by_id) {
    auto o = owm.find(id);
    auto m = om.find(id);
    if (o == owm.end() && m == om.end()) continue;
    std::vector<Reading> owm_readings = o == owm.end() ? std::vector<Reading>{} : std::move(o->second);
    std::vector<Reading> om_readings = m == om.end() ? std::vector<Reading>{} : std::move(m->second);
    PairedRows paired = openmeteo_alone_ ? OpenMeteoAloneRows(*location, std::move(om_readings))
                                         : RowsToUpsert(*location, std::move(owm_readings), std::move(om_readings));
    stats.paired += paired.paired;
    rows.insert(rows.end(), std::make_move_iterator(paired.rows.begin()), std::make_move_iterator(paired.rows.end()));
  }
  std::set<std::pair<std::string, int64_t>> hours;
  for (const auto& r : rows) hours.insert({r.city_name, r.time.FloorTo(kHourMs).millis()});
  MF_RETURN_IF_ERROR(store_.UpsertWeather(rows));
  MF_RETURN_IF_ERROR(store_.UpsertObservations(observations));
  MF_RETURN_IF_ERROR(store_.UpsertDeadLetters(dead));
  std::vector<HourlyAggregate> hourly;
  for (const auto& [city, hour_ms] : hours) {
    const Timestamp hour = Timestamp::FromMillis(hour_ms);
    MF_ASSIGN_OR_RETURN(auto in_hour, store_.QueryWeather(city, hour, hour.PlusMillis(kHourMs)));
    hourly.push_back(Aggregate(city, hour, in_hour));
  }
  MF_RETURN_IF_ERROR(store_.UpsertHourly(hourly));
  MF_RETURN_IF_ERROR(store_.PutCheckpoints(checkpoints));
  stats.rows_upserted = static_cast<int64_t>(rows.size());
  stats.dead_lettered = static_cast<int64_t>(dead.size());
  stats.observations_upserted = static_cast<int64_t>(observations.size());
  stats.hourly_upserted = static_cast<int64_t>(hourly.size());
  return stats;
}

}  // namespace meteoflow
