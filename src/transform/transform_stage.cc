#include "transform/transform_stage.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "lake/parquet/reader.h"
#include "transform/parse.h"
#include "transform/reconcile.h"

namespace meteoflow {
namespace {

constexpr const char* kCheckpointPrefix = "transform/file/";
constexpr int64_t kHourMs = 3'600'000;

struct RawRecord {
  std::string source, location_id, payload;
  Timestamp fetched_at;
  bool is_new = false;
};

struct Parsed {
  std::string location_id;
  Timestamp fetched_at;
  SourceReading reading;
};

Status ReadRawFile(const DataFile& file, bool is_new, std::vector<RawRecord>* out) {
  MF_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(file.path));
  std::vector<int> cols;
  for (const char* name : {"location_id", "fetched_at", "payload"}) {
    int found = -1;
    for (size_t i = 0; i < reader->schema().size(); ++i) {
      if (reader->schema()[i].name == name) found = static_cast<int>(i);
    }
    if (found < 0) return Status::Corruption(file.path + ": raw lake file lacks column '" + name + "'");
    cols.push_back(found);
  }
  MF_ASSIGN_OR_RETURN(auto table, reader->ReadAll(cols));
  const std::string source = file.partition.count("source") ? file.partition.at("source") : "";
  for (size_t i = 0; i < table.num_rows(); ++i) {
    out->push_back({source, std::string(table.columns[0].StringAt(i)), std::string(table.columns[2].StringAt(i)),
                    Timestamp::FromMillis(table.columns[1].ints[i]), is_new});
  }
  return Status::OK();
}

std::string ShiftDate(const std::string& date, int days) {
  auto t = Timestamp::Parse(date);
  return t.ok() ? t->PlusMillis(static_cast<int64_t>(days) * 86'400'000).DateString() : date;
}

// The Open-Meteo reading nearest in fetch time within the pairing window, or null.
const SourceReading* FindPartner(const std::vector<Parsed>& om, Timestamp fetched_at) {
  const SourceReading* best = nullptr;
  int64_t best_gap = kPairWindowMs + 1;
  for (const auto& p : om) {
    const int64_t gap = std::llabs(p.fetched_at.millis() - fetched_at.millis());
    if (gap < best_gap) {
      best = &p.reading;
      best_gap = gap;
    }
  }
  return best;
}

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

Result<TransformStats> TransformStage::Run() {
  TransformStats stats;
  MF_ASSIGN_OR_RETURN(auto done, store_.ListCheckpoints(kCheckpointPrefix));
  MF_ASSIGN_OR_RETURN(auto files, lake_.List());
  std::set<std::string> new_files, dates;
  for (const auto& f : files) {
    if (done.count(kCheckpointPrefix + f.relative_path)) continue;
    new_files.insert(f.path);
    if (f.partition.count("date")) dates.insert(f.partition.at("date"));
  }
  if (new_files.empty()) return stats;
  std::set<std::string> window;
  for (const auto& d : dates) {
    for (int shift : {-1, 0, 1}) window.insert(ShiftDate(d, shift));
  }
  std::vector<RawRecord> records;
  std::map<std::string, std::string> checkpoints;
  for (const auto& f : files) {
    const bool is_new = new_files.count(f.path) > 0;
    if (!is_new && !(f.partition.count("date") && window.count(f.partition.at("date")))) continue;
    MF_RETURN_IF_ERROR(ReadRawFile(f, is_new, &records));
    if (is_new) {
      checkpoints[kCheckpointPrefix + f.relative_path] = "done";
      ++stats.files;
    }
  }
  std::map<std::string, const Location*> by_id;
  for (const auto& l : locations_) by_id[l.id] = &l;
  // location -> parsed readings per source
  std::map<std::string, std::vector<Parsed>> owm, om;
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
    if (r.is_new) observations.push_back(ObservationOf(r, *by_id.at(r.location_id), parsed.value()));
    auto& bucket = r.source == "openweathermap" ? owm : om;
    bucket[r.location_id].push_back({r.location_id, r.fetched_at, std::move(parsed).value()});
  }
  std::vector<WeatherRow> rows;
  std::set<std::pair<std::string, int64_t>> hours;
  for (const auto& [location_id, readings] : owm) {
    const std::vector<Parsed>& partners = om[location_id];
    for (const auto& p : readings) {
      const SourceReading* partner = FindPartner(partners, p.fetched_at);
      stats.paired += partner != nullptr;
      rows.push_back(Reconcile(*by_id.at(location_id), p.reading, partner));
      hours.insert({rows.back().city_name, rows.back().time.FloorTo(kHourMs).millis()});
    }
  }
  if (openmeteo_alone_) {
    for (const auto& [location_id, readings] : om) {
      for (const auto& p : readings) {
        rows.push_back(FromOpenMeteoAlone(*by_id.at(location_id), p.reading));
        hours.insert({rows.back().city_name, rows.back().time.FloorTo(kHourMs).millis()});
      }
    }
  }
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
