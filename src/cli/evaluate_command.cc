// `meteoflow model evaluate`: nested rolling-origin evaluation (forecast/models/evaluate.h) of
// the candidate models and of the selection rule, per variable and horizon, with skill against
// persistence -- on one CSV column (per --by group, pooled) or on every city and forecast variable
// of a data dir's store, with the config's candidates and selection settings.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/progress.h"
#include "forecast/models/backtest.h"
#include "forecast/models/csv_series.h"
#include "forecast/models/evaluate.h"
#include "forecast/service_regressor.h"
#include "forecast/store_series.h"
#include "orchestrate/pipeline.h"

namespace meteoflow {
namespace {

using Json = nlohmann::ordered_json;

struct ModelEvaluateOptions {
  std::string csv, time_column, value_column, by;
  std::string exog;  // with --csv: the weather service's forecast column, for nwp and nwp-arima
  int frequency_seconds = 0;
  int season = 0;
  std::string candidates;  // comma-separated; empty: the config's (data dir) or all that apply (CSV)
  std::string horizons = "1,6,24";
  int origins = 5;
  int select_origins = 3, select_horizon = 6;  // CSV only: the data dir's come from its config
  double persistence_margin = 0;               // 0: the config's (data dir) or 1 (CSV)
  bool json = false;
};

// Evaluations by variable (CSV: the value column's name).
using Evaluations = std::map<std::string, forecast::Evaluation>;

struct Report {
  int64_t series = 0, skipped = 0;  // skipped: too short to evaluate
  Evaluations by_variable;
};

Result<std::vector<int>> ParseHorizons(const std::string& text) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    size_t used = 0;
    int h = 0;
    try {
      h = std::stoi(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != part.size() || h < 1 || h > 10000)
      return Status::InvalidArgument("--horizons '" + text + "': expected steps 1..10000, comma-separated");
    out.push_back(h);
  }
  if (out.empty()) return Status::InvalidArgument("--horizons: at least one step");
  return out;
}

// Adds one series' evaluation to `report`, counting it skipped when it is too short.
void AddSeries(const std::string& variable, const std::vector<double>& y,
               const std::vector<forecast::ModelSpec>& candidates, const forecast::EvaluateOptions& options,
               Report* report, const forecast::Regressors& exog = {}) {
  ++report->series;
  Result<forecast::Evaluation> e = forecast::Evaluate(y, candidates, options, exog);
  if (!e.ok()) {
    ++report->skipped;
    return;
  }
  report->by_variable[variable].Merge(*e);
}

Result<Report> FromCsv(const ModelEvaluateOptions& o, const forecast::EvaluateOptions& options) {
  std::vector<forecast::ModelSpec> candidates = forecast::DefaultCandidates(o.season, !o.exog.empty());
  if (!o.candidates.empty()) {
    MF_ASSIGN_OR_RETURN(candidates, forecast::SpecsNamed(SplitCommaList(o.candidates), o.season));
  }
  const forecast::CsvSeriesSpec spec{o.csv, o.time_column, o.value_column, o.by, int64_t{o.frequency_seconds} * 1000};
  Report report;
  if (!o.exog.empty()) {
    if (!o.by.empty() || o.frequency_seconds > 0)
      return Status::InvalidArgument("model evaluate: --exog cannot be combined with --by or --frequency");
    MF_ASSIGN_OR_RETURN(const forecast::SeriesWithRegressors data,
                        forecast::ReadCsvWithRegressorsFile(spec, {o.exog}, /*needs_horizon=*/false));
    AddSeries(o.value_column, data.y, candidates, options, &report, data.exog);
    return report;
  }
  MF_ASSIGN_OR_RETURN(const forecast::GroupedSeries groups, forecast::ReadCsvSeriesFile(spec));
  ProgressLine progress("evaluate", stderr, false, "series");
  for (const auto& [group, y] : groups) {
    AddSeries(o.value_column, y, candidates, options, &report);
    progress.Update(report.series, static_cast<int64_t>(groups.size()));
  }
  return report;
}

Result<Report> FromStore(const CommonOptions& common, const ModelEvaluateOptions& o,
                         forecast::EvaluateOptions options) {
  MF_ASSIGN_OR_RETURN(Config config, LoadConfigFor(common));
  const ForecastConfig& f = config.forecast;
  MF_ASSIGN_OR_RETURN(
      const std::vector<forecast::ModelSpec> candidates,
      forecast::SpecsNamed(o.candidates.empty() ? f.candidates : SplitCommaList(o.candidates), f.season));
  options.select_origins = f.origins;
  options.select_horizon = f.horizon;
  if (o.persistence_margin == 0) options.persistence_margin = f.persistence_margin;
  const std::string dir = DataDir(common, config);
  if (config.store_backend == "sqlite" && !std::filesystem::exists(dir + "/store.db"))
    return Status::NotFound("model evaluate: no store at " + dir + "/store.db (run the pipeline first)");
  MF_ASSIGN_OR_RETURN(auto store, OpenStore(config, dir));
  MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> cities, store->LatestWeather());
  if (cities.empty()) return Status::InvalidArgument("model evaluate: the store has no observations yet");
  const bool uses_forecast =
      std::any_of(candidates.begin(), candidates.end(), [](const auto& c) { return forecast::NeedsRegressor(c.kind); });
  const int64_t step_ms = int64_t{f.step_minutes} * 60'000;
  Report report;
  ProgressLine progress("evaluate", stderr, false, "series");
  const int64_t total = static_cast<int64_t>(cities.size() * std::size(forecast::kForecastVariables));
  for (const WeatherRow& city : cities) {
    MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> rows,
                        store->QueryWeather(city.city_name, Timestamp(), city.time.PlusMillis(1)));
    std::vector<ServiceForecast> service;
    if (uses_forecast) {
      MF_ASSIGN_OR_RETURN(service, store->QueryServiceForecasts(city.city_name, Timestamp(), city.time.PlusMillis(1)));
    }
    for (const auto& [variable, field] : forecast::kForecastVariables) {
      const forecast::RegularSeries series = forecast::SeriesOf(rows, field, step_ms, f.max_gap_steps);
      // The weather service's forecast over the series, for nwp and nwp-arima (forecast/service_regressor.h).
      const forecast::Regressors exog =
          forecast::ServiceColumnsFor(forecast::ServiceRegressor(service, variable), series.times, step_ms, 0)
              .over_series;
      AddSeries(variable, series.values, candidates, options, &report, exog);
      progress.Update(report.series, total);
    }
  }
  return report;
}

Json ReportJson(const Report& r) {
  Json rows = Json::array();
  Json variables = Json::object();
  for (const auto& [variable, e] : r.by_variable) {
    variables[variable] = {{"origins", e.origins}, {"chosen", e.chosen}};
    for (const auto& [model, horizons] : e.by) {
      for (const auto& [h, s] : horizons) {
        rows.push_back({{"variable", variable},
                        {"model", model},
                        {"horizon", h},
                        {"count", s.count()},
                        {"rmse", s.rmse()},
                        {"mae", s.mae()},
                        {"bias", s.bias()},
                        {"persistence_rmse", s.persistence_rmse() ? Json(*s.persistence_rmse()) : Json()},
                        {"skill", s.skill() ? Json(*s.skill()) : Json()}});
      }
    }
  }
  return {{"series", r.series}, {"skipped", r.skipped}, {"variables", variables}, {"rows", rows}};
}

void PrintRows(const std::string& model, const std::map<int, forecast::ErrorStats>& horizons) {
  for (const auto& [h, stats] : horizons) {
    char skill[16] = "       -";
    if (stats.skill()) std::snprintf(skill, sizeof skill, "%+8.3f", *stats.skill());
    std::printf("  %-12s %7d %7lld %12.4f %12.4f %s\n", model.c_str(), h, static_cast<long long>(stats.count()),
                stats.rmse(), stats.mae(), skill);
  }
}

void PrintVariable(const std::string& variable, const forecast::Evaluation& e) {
  std::cout << "\n" << variable << ": " << e.origins << " origins; the rule chose";
  for (const auto& [name, n] : e.chosen) std::cout << " " << name << " " << n << "x";
  std::printf("\n  %-12s %7s %7s %12s %12s %8s\n", "model", "horizon", "count", "RMSE", "MAE", "skill");
  PrintRows(forecast::kSelectionName, e.by.at(forecast::kSelectionName));
  for (const auto& [model, horizons] : e.by) {
    if (model != forecast::kSelectionName) PrintRows(model, horizons);
  }
}

void PrintReport(const Report& r, const forecast::EvaluateOptions& o) {
  std::cout << r.series << " series (" << r.skipped << " too short to evaluate); origins " << o.origins
            << " per series, the longest horizon apart; the rule: lowest RMSE over " << o.select_origins
            << " backtest windows of " << o.select_horizon << " steps before each origin";
  if (o.persistence_margin < 1) std::cout << ", persistence kept unless beaten by " << o.persistence_margin << "x";
  std::cout << "\nskill = 1 - RMSE / RMSE of persistence (the value at the origin): above 0 beats it\n";
  for (const auto& [variable, e] : r.by_variable) PrintVariable(variable, e);
}

Status ModelEvaluateCommand(const CommonOptions& common, const ModelEvaluateOptions& o) {
  const bool from_csv = !o.csv.empty();
  if (from_csv && !common.data_dir.empty())
    return Status::InvalidArgument("model evaluate: give either --csv or --data-dir, not both");
  if (from_csv && (o.time_column.empty() || o.value_column.empty()))
    return Status::InvalidArgument("model evaluate: --csv needs --time-column and --value-column");
  forecast::EvaluateOptions options;
  MF_ASSIGN_OR_RETURN(options.horizons, ParseHorizons(o.horizons));
  options.origins = o.origins;
  options.select_origins = o.select_origins;
  options.select_horizon = o.select_horizon;
  options.persistence_margin = o.persistence_margin > 0 ? o.persistence_margin : 1.0;
  Report report;
  if (from_csv) {
    MF_ASSIGN_OR_RETURN(report, FromCsv(o, options));
  } else {
    MF_ASSIGN_OR_RETURN(report, FromStore(common, o, options));
  }
  if (report.by_variable.empty()) {
    return Status::InvalidArgument("model evaluate: all " + std::to_string(report.series) +
                                   " series are too short for the origins and horizons asked");
  }
  if (o.json) {
    std::cout << ReportJson(report).dump(2) << "\n";
  } else {
    PrintReport(report, options);
  }
  return Status::OK();
}

}  // namespace

void RegisterModelEvaluate(CLI::App& model_cmd, CommandTable& table) {
  auto common = table.NewCommon();
  auto o = std::make_shared<ModelEvaluateOptions>();
  auto* cmd = model_cmd.add_subcommand(
      "evaluate",
      "Score the candidate models and the selection rule by nested rolling origins, per horizon, with skill "
      "against persistence: on one CSV column, or on every city and variable of a data dir");
  AddCommonOptions(*cmd, *common);
  cmd->add_option("--csv", o->csv, "CSV file with a header row (instead of a data dir)");
  cmd->add_option("--time-column", o->time_column, "With --csv: the column ordering the rows");
  cmd->add_option("--value-column", o->value_column, "With --csv: the column to forecast");
  cmd->add_option("--by", o->by, "With --csv: one series per value of this column, scores pooled");
  cmd->add_option("--exog", o->exog,
                  "With --csv: the column holding the weather service's forecast of the value (issued before "
                  "each row's time), for the candidates nwp and nwp-arima");
  cmd->add_option("--frequency", o->frequency_seconds, "With --csv: resample as model fit does")
      ->check(CLI::Range(1, 366 * 86400));
  cmd->add_option("--season", o->season, "With --csv: period s >= 2, adds seasonal naive and SARIMA")
      ->check(CLI::Range(0, 366));
  cmd->add_option("--candidates", o->candidates,
                  "Models, comma-separated (default: the config's forecast.candidates; with --csv all that apply)");
  cmd->add_option("--horizons", o->horizons, "Steps ahead to score, comma-separated (default: 1,6,24)");
  cmd->add_option("--origins", o->origins, "Origins per series, the longest horizon apart (default: 5)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--select-origins", o->select_origins,
                  "With --csv: the rule's backtest windows before each origin (default: 3; a data dir uses "
                  "forecast.origins)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--select-horizon", o->select_horizon,
                  "With --csv: steps per backtest window (default: 6; a data dir uses forecast.horizon)")
      ->check(CLI::Range(1, 10000));
  cmd->add_option("--persistence-margin", o->persistence_margin,
                  "The rule keeps persistence (naive) unless the best candidate's backtest RMSE is at most this "
                  "times naive's (default: forecast.persistence_margin of the config, 1 with --csv)")
      ->check(CLI::Range(0.01, 1.0));
  cmd->add_flag("--json", o->json, "One JSON object: series, per variable the rule's choices, and rows");
  table.Add(cmd, [common, o] { return ModelEvaluateCommand(*common, *o); });
}

}  // namespace meteoflow
