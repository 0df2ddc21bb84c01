#include "serve/data_api.h"

#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "core/json_text.h"
#include "forecast/models/error_stats.h"
#include "serve/compression.h"
#include "serve/downsample.h"
#include "serve/params.h"
#include "serve/source_summary.h"

namespace meteoflow {
namespace {

using json = nlohmann::ordered_json;

// Runs a handler that answers a JSON body or a Status: 400 for a bad parameter, 404 for
// something that does not exist, 500 for the rest.
template <typename F>
auto Handle(F body) {
  return [body](const httplib::Request& req, httplib::Response& res) {
    Result<json> out = body(req);
    if (out.ok()) return SetBody(req, res, 200, JsonText(*out), "application/json");
    const StatusCode code = out.status().code();
    const int status = code == StatusCode::kInvalidArgument ? 400 : code == StatusCode::kNotFound ? 404 : 500;
    SetBody(req, res, status, JsonText(json{{"error", out.status().message()}}), "application/json");
  };
}

json Optional(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json RowJson(const WeatherRow& r) {
  json j = {{"city_name", r.city_name},
            {"time", r.time.ToString()},
            {"location_id", r.location_id},
            {"country", r.country},
            {"sources", r.sources}};
  j["sunrise"] = r.sunrise ? json(r.sunrise->ToString()) : json(nullptr);
  j["sunset"] = r.sunset ? json(r.sunset->ToString()) : json(nullptr);
  for (size_t i = 0; i < kWeatherFieldCount; ++i)
    j[WeatherFieldName(static_cast<WeatherField>(i))] = Optional(r.fields[i]);
  return j;
}

json ObservationJson(const SourceObservation& o) {
  return {{"source", o.source},
          {"city_name", o.city_name},
          {"time", o.time.ToString()},
          {"location_id", o.location_id},
          {"fetched_at", o.fetched_at.ToString()},
          {"values", o.values},
          {"labels", o.labels}};
}

json PredictionJson(const Prediction& p) {
  return {{"city_name", p.city_name},
          {"variable", p.variable},
          {"target_time", p.target_time.ToString()},
          {"value", p.value},
          {"model", p.model},
          {"created_at", p.created_at.ToString()},
          {"lower80", Optional(p.lower80)},
          {"upper80", Optional(p.upper80)},
          {"lower95", Optional(p.lower95)},
          {"upper95", Optional(p.upper95)},
          {"horizon", p.horizon},
          {"issued_at", p.issued_at.ToString()},
          {"persistence", Optional(p.persistence)}};
}

json ErrorJson(const PredictionError& e) {
  return {{"city_name", e.city_name},
          {"variable", e.variable},
          {"target_time", e.target_time.ToString()},
          {"model", e.model},
          {"predicted", e.predicted},
          {"actual", e.actual},
          {"error", e.actual - e.predicted},
          {"observed_at", e.observed_at.ToString()},
          {"horizon", e.horizon},
          {"issued_at", e.issued_at.ToString()},
          {"persistence", Optional(e.persistence)}};
}

json ScoresJson(const forecast::ErrorStats& s) {
  return {{"count", s.count()},
          {"mae", s.mae()},
          {"rmse", s.rmse()},
          {"bias", s.bias()},
          {"persistence_rmse", Optional(s.persistence_rmse())},
          {"skill", Optional(s.skill())}};
}

std::optional<double> PersistenceError(const PredictionError& e) {
  return e.persistence ? std::optional<double>(e.actual - *e.persistence) : std::nullopt;
}

Result<std::optional<WeatherField>> WeatherFieldNamed(const std::string& name) {
  for (size_t i = 0; i < kWeatherFieldCount; ++i) {
    if (name == WeatherFieldName(static_cast<WeatherField>(i))) return std::optional(static_cast<WeatherField>(i));
  }
  return Status::InvalidArgument("fields: '" + name + "' is not a weather_data column");
}

json SeriesJson(const std::vector<std::vector<TimePoint>>& series, const std::vector<std::string>& fields,
                size_t points) {
  json out = json::object();
  for (size_t f = 0; f < fields.size(); ++f) {
    json list = json::array();
    for (const auto& [t, v] : MinMaxPerBucket(series[f], points)) list.push_back({t, v});
    out[fields[f]] = std::move(list);
  }
  return out;
}

Result<json> Series(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(auto city, CityParam(req, c.locations, true));
  MF_ASSIGN_OR_RETURN(TimeRange range, RangeParam(req));
  MF_ASSIGN_OR_RETURN(std::vector<std::string> fields, FieldsParam(req));
  MF_ASSIGN_OR_RETURN(const int points, IntParam(req, "points", 1500, 10, 20000));
  const std::string source = req.has_param("source") ? req.get_param_value("source") : "weather";
  std::vector<std::vector<TimePoint>> series(fields.size());
  size_t rows = 0;
  if (source == "weather") {
    std::vector<WeatherField> columns;
    for (const auto& f : fields) {
      MF_ASSIGN_OR_RETURN(auto column, WeatherFieldNamed(f));
      columns.push_back(*column);
    }
    MF_ASSIGN_OR_RETURN(auto found, c.store->QueryWeather(city->name, range.from, range.to));
    rows = found.size();
    for (const WeatherRow& r : found) {
      for (size_t f = 0; f < columns.size(); ++f) {
        if (r.at(columns[f])) series[f].emplace_back(r.time.millis(), *r.at(columns[f]));
      }
    }
  } else {
    MF_ASSIGN_OR_RETURN(std::string name, SourceName(source));
    MF_ASSIGN_OR_RETURN(auto found, c.store->QueryObservations(name, city->name, range.from, range.to));
    rows = found.size();
    for (const SourceObservation& o : found) {
      for (size_t f = 0; f < fields.size(); ++f) {
        auto it = o.values.find(fields[f]);
        if (it != o.values.end()) series[f].emplace_back(o.time.millis(), it->second);
      }
    }
  }
  return json{{"city", city->name},
              {"source", source},
              {"rows", rows},
              {"series", SeriesJson(series, fields, static_cast<size_t>(points))}};
}

Result<json> Observations(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(auto city, CityParam(req, c.locations, true));
  MF_ASSIGN_OR_RETURN(TimeRange range, RangeParam(req));
  MF_ASSIGN_OR_RETURN(const int limit, IntParam(req, "limit", 50000, 1, 50000));
  MF_ASSIGN_OR_RETURN(auto rows, c.store->QueryWeather(city->name, range.from, range.to));
  json out = json::array();
  const size_t first = rows.size() > static_cast<size_t>(limit) ? rows.size() - static_cast<size_t>(limit) : 0;
  for (size_t i = first; i < rows.size(); ++i) out.push_back(RowJson(rows[i]));
  return out;
}

Result<json> Cities(const DataApiContext& c) {
  MF_ASSIGN_OR_RETURN(auto latest, c.store->LatestWeather());
  json out = json::array();
  for (const auto& l : c.locations) {
    json city = {
        {"id", l.id}, {"name", l.name}, {"latitude", l.latitude}, {"longitude", l.longitude}, {"latest", nullptr}};
    for (const auto& r : latest) {
      if (r.city_name == l.name) city["latest"] = RowJson(r);
    }
    out.push_back(std::move(city));
  }
  return out;
}

Result<json> Freshness(const DataApiContext& c) {
  json out = json::array();
  for (const char* source : {"openweathermap", "openmeteo"}) {
    MF_ASSIGN_OR_RETURN(auto latest, c.store->LatestObservations(source));
    json entry = {
        {"source", source}, {"cities", latest.size()}, {"latest_time", nullptr}, {"latest_fetched_at", nullptr}};
    if (!latest.empty()) {
      auto newest = [&](auto key) {
        return std::max_element(latest.begin(), latest.end(),
                                [&](const auto& a, const auto& b) { return key(a) < key(b); });
      };
      entry["latest_time"] = newest([](const SourceObservation& o) { return o.time; })->time.ToString();
      entry["latest_fetched_at"] =
          newest([](const SourceObservation& o) { return o.fetched_at; })->fetched_at.ToString();
    }
    out.push_back(std::move(entry));
  }
  return out;
}

// The cities a request names: one with `city`, else every configured location.
Result<std::vector<Location>> CitiesOf(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(auto city, CityParam(req, c.locations, false));
  return city ? std::vector<Location>{*city} : c.locations;
}

Result<json> Readings(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(std::string source, SourceName(req.matches[1].str()));
  MF_ASSIGN_OR_RETURN(TimeRange range, RangeParam(req));
  MF_ASSIGN_OR_RETURN(const int limit, IntParam(req, "limit", 200, 1, 5000));
  MF_ASSIGN_OR_RETURN(std::vector<Location> cities, CitiesOf(c, req));
  std::vector<SourceObservation> all;
  for (const Location& l : cities) {
    MF_ASSIGN_OR_RETURN(auto rows, c.store->QueryObservations(source, l.name, range.from, range.to));
    all.insert(all.end(), rows.begin(), rows.end());
  }
  std::sort(all.begin(), all.end(),
            [](const auto& a, const auto& b) { return std::tie(b.time, a.city_name) < std::tie(a.time, b.city_name); });
  json rows = json::array();
  for (size_t i = 0; i < all.size() && i < static_cast<size_t>(limit); ++i) rows.push_back(ObservationJson(all[i]));
  return json{{"source", source}, {"total", all.size()}, {"rows", std::move(rows)}};
}

Result<json> Summary(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(std::string source, SourceName(req.matches[1].str()));
  MF_ASSIGN_OR_RETURN(TimeRange range, RangeParam(req));
  std::map<std::string, std::vector<SourceObservation>> by_city;
  for (const Location& l : c.locations) {
    MF_ASSIGN_OR_RETURN(by_city[l.name], c.store->QueryObservations(source, l.name, range.from, range.to));
  }
  return SummarizeSource(source, c.locations, by_city);
}

Result<json> Compare(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(TimeRange range, RangeParam(req));
  std::map<std::string, std::vector<SourceObservation>> owm, om;
  for (const Location& l : c.locations) {
    MF_ASSIGN_OR_RETURN(owm[l.name], c.store->QueryObservations("openweathermap", l.name, range.from, range.to));
    MF_ASSIGN_OR_RETURN(om[l.name], c.store->QueryObservations("openmeteo", l.name, range.from, range.to));
  }
  return CompareSources(c.locations, owm, om);
}

// The `horizon` parameter: one horizon (1..1000) or, when absent, `fallback` (0: every horizon).
Result<int> HorizonParam(const httplib::Request& req, int fallback) {
  return IntParam(req, "horizon", fallback, 0, 1000);
}

Result<json> Predictions(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(auto city, CityParam(req, c.locations, true));
  MF_ASSIGN_OR_RETURN(TimeRange range, RangeParam(req));
  MF_ASSIGN_OR_RETURN(const int horizon, HorizonParam(req, 0));
  MF_ASSIGN_OR_RETURN(auto rows, c.store->QueryPredictions(city->name, range.from, range.to, horizon));
  json out = json::array();
  for (const auto& p : rows) out.push_back(PredictionJson(p));
  return out;
}

// The newest forecast of a city: every variable and horizon issued at the latest issue time.
Result<json> LatestForecast(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(auto city, CityParam(req, c.locations, true));
  MF_ASSIGN_OR_RETURN(auto latest, c.store->LatestWeather());
  const auto row = std::find_if(latest.begin(), latest.end(), [&](const auto& r) { return r.city_name == city->name; });
  json predictions = json::array();
  if (row == latest.end()) return json{{"city", city->name}, {"issued_at", nullptr}, {"predictions", predictions}};
  MF_ASSIGN_OR_RETURN(auto rows, c.store->QueryPredictions(city->name, row->time.PlusMillis(1),
                                                           row->time.PlusMillis(kMaxRangeDays * 86'400'000), 0));
  Timestamp issued;
  for (const auto& p : rows) issued = std::max(issued, p.issued_at);
  for (const auto& p : rows) {
    if (p.issued_at == issued) predictions.push_back(PredictionJson(p));
  }
  return json{{"city", city->name},
              {"issued_at", rows.empty() ? json(nullptr) : json(issued.ToString())},
              {"predictions", std::move(predictions)}};
}

Result<json> Errors(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(auto city, CityParam(req, c.locations, true));
  MF_ASSIGN_OR_RETURN(TimeRange range, RangeParam(req));
  MF_ASSIGN_OR_RETURN(const int horizon, HorizonParam(req, 0));
  MF_ASSIGN_OR_RETURN(auto rows, c.store->QueryPredictionErrors(city->name, range.from, range.to, horizon));
  json out = json::array();
  for (const auto& e : rows) out.push_back(ErrorJson(e));
  return out;
}

// Per city and variable at one horizon (default 1 step).
Result<json> ErrorSummary(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(TimeRange range, RangeParam(req));
  MF_ASSIGN_OR_RETURN(const int horizon, HorizonParam(req, 1));
  json out = json::array();
  for (const Location& l : c.locations) {
    MF_ASSIGN_OR_RETURN(auto rows, c.store->QueryPredictionErrors(l.name, range.from, range.to, horizon));
    std::map<std::string, forecast::ErrorStats> by_variable;
    for (const auto& e : rows) by_variable[e.variable].Add(e.actual - e.predicted, PersistenceError(e));
    for (const auto& [variable, stats] : by_variable) {
      json entry = {{"city_name", l.name}, {"variable", variable}};
      entry.update(ScoresJson(stats));
      out.push_back(std::move(entry));
    }
  }
  return out;
}

// Per variable and horizon, over one city or every city: how accuracy and skill fall with lead time.
Result<json> ErrorsByHorizon(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(TimeRange range, RangeParam(req));
  MF_ASSIGN_OR_RETURN(std::vector<Location> cities, CitiesOf(c, req));
  std::map<std::pair<std::string, int>, forecast::ErrorStats> by_key;
  for (const Location& l : cities) {
    MF_ASSIGN_OR_RETURN(auto rows, c.store->QueryPredictionErrors(l.name, range.from, range.to, 0));
    for (const auto& e : rows) by_key[{e.variable, e.horizon}].Add(e.actual - e.predicted, PersistenceError(e));
  }
  json out = json::array();
  for (const auto& [key, stats] : by_key) {
    json entry = {{"variable", key.first}, {"horizon", key.second}};
    entry.update(ScoresJson(stats));
    out.push_back(std::move(entry));
  }
  return out;
}

Result<json> Models(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(auto city, CityParam(req, c.locations, true));
  json out = json::array();
  if (!c.registry) return out;
  MF_ASSIGN_OR_RETURN(auto entries, c.registry->List(/*latest_only=*/true));
  for (const auto& e : entries) {
    if (e.city_name != city->name) continue;
    out.push_back({{"variable", e.variable},
                   {"version", e.version},
                   {"model", e.model},
                   {"describe", e.describe},
                   {"metrics", e.metrics},
                   {"train_from", e.train_from.ToString()},
                   {"train_to", e.train_to.ToString()},
                   {"observations", e.observations},
                   {"step_minutes", e.step_ms / 60'000},
                   {"created_at", e.created_at.ToString()}});
  }
  return out;
}

Result<json> DeadLetters(const DataApiContext& c, const httplib::Request& req) {
  MF_ASSIGN_OR_RETURN(const int limit, IntParam(req, "limit", 10, 0, 500));
  MF_ASSIGN_OR_RETURN(DeadLetterSummary summary, c.store->DeadLetters(limit));
  json newest = json::array();
  for (const DeadLetter& d : summary.newest) {
    newest.push_back({{"source", d.source},
                      {"location_id", d.location_id},
                      {"fetched_at", d.fetched_at.ToString()},
                      {"reason", d.reason}});
  }
  return json{{"total", summary.total}, {"newest", std::move(newest)}};
}

}  // namespace

void AddDataRoutes(httplib::Server& s, const DataApiContext& c) {
  const DataApiContext* ctx = &c;
  s.Get("/api/cities", Handle([ctx](const httplib::Request&) { return Cities(*ctx); }));
  s.Get("/api/observations", Handle([ctx](const httplib::Request& r) { return Observations(*ctx, r); }));
  s.Get("/api/series", Handle([ctx](const httplib::Request& r) { return Series(*ctx, r); }));
  s.Get("/api/sources", Handle([ctx](const httplib::Request&) { return Freshness(*ctx); }));
  s.Get(R"(/api/sources/([^/]+)/readings)", Handle([ctx](const httplib::Request& r) { return Readings(*ctx, r); }));
  s.Get(R"(/api/sources/([^/]+)/summary)", Handle([ctx](const httplib::Request& r) { return Summary(*ctx, r); }));
  s.Get("/api/compare", Handle([ctx](const httplib::Request& r) { return Compare(*ctx, r); }));
  s.Get("/api/predictions", Handle([ctx](const httplib::Request& r) { return Predictions(*ctx, r); }));
  s.Get("/api/forecast", Handle([ctx](const httplib::Request& r) { return LatestForecast(*ctx, r); }));
  s.Get("/api/errors/summary", Handle([ctx](const httplib::Request& r) { return ErrorSummary(*ctx, r); }));
  s.Get("/api/errors/horizons", Handle([ctx](const httplib::Request& r) { return ErrorsByHorizon(*ctx, r); }));
  s.Get("/api/errors", Handle([ctx](const httplib::Request& r) { return Errors(*ctx, r); }));
  s.Get("/api/models", Handle([ctx](const httplib::Request& r) { return Models(*ctx, r); }));
  s.Get("/api/dead-letters", Handle([ctx](const httplib::Request& r) { return DeadLetters(*ctx, r); }));
}

}  // namespace meteoflow
