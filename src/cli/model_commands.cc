// `meteoflow model fit`: fits one model (ARIMA, SARIMA, an AICc order search, or a baseline) to
// one column of a CSV file and prints the estimates and a forecast (text, or JSON with --json).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli/commands.h"
#include "core/parallel.h"
#include "core/time.h"
#include "forecast/model_json.h"
#include "forecast/models/arima.h"
#include "forecast/models/backtest.h"
#include "forecast/models/baselines.h"
#include "forecast/models/csv_series.h"
#include "forecast/models/model.h"
#include "forecast/models/series.h"

namespace meteoflow {
namespace {

using forecast::GroupedSeries;
using forecast::SeriesWithRegressors;

forecast::CsvSeriesSpec CsvSpecFor(const ModelFitOptions& o) {
  return {o.csv, o.time_column, o.value_column, o.by, int64_t{o.frequency_seconds} * 1000};
}

Result<std::vector<double>> ReadSeries(const ModelFitOptions& o) {
  MF_ASSIGN_OR_RETURN(GroupedSeries groups, forecast::ReadCsvSeriesFile(CsvSpecFor(o)));
  return std::move(groups.front().second);
}

Result<SeriesWithRegressors> ReadWithRegressors(const ModelFitOptions& o) {
  if (!o.by.empty() || o.frequency_seconds > 0) {
    return Status::InvalidArgument("model fit: --exog cannot be combined with --by or --frequency");
  }
  return forecast::ReadCsvWithRegressorsFile(CsvSpecFor(o), SplitCommaList(o.exog));
}

Result<std::vector<int>> ParseInts(const std::string& text, size_t count, const char* what) {
  std::vector<int> out;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    try {
      size_t used = 0;
      out.push_back(std::stoi(part, &used));
      if (used != part.size()) throw std::invalid_argument(part);
    } catch (const std::exception&) {
      return Status::InvalidArgument(std::string(what) + " '" + text + "': expected " + std::to_string(count) +
                                     " integers");
    }
  }
  if (out.size() != count)
    return Status::InvalidArgument(std::string(what) + " '" + text + "': expected " + std::to_string(count) +
                                   " integers");
  return out;
}

}  // namespace

namespace {

using Json = nlohmann::ordered_json;

Json ForecastJson(const forecast::ArimaForecast& fc) {
  return {{"mean", fc.mean}, {"lower", fc.lower}, {"upper", fc.upper}};
}

Json Finite(double v) { return std::isfinite(v) ? Json(v) : Json(); }

// The estimates of one fit in the shape `model fit --json` prints (statsmodels' parameter names
// for ARIMA).
Json FitJson(const forecast::FittedModel& m, const forecast::ArimaForecast& fc,
             const std::vector<std::string>& exog_names = {}) {
  Json params = Json::object();
  double loglik = NAN, aic = NAN, aicc = NAN;
  int nobs = 0;
  switch (m.spec.kind) {
    case forecast::ModelKind::kBaseline: {
      if (m.spec.baseline == forecast::BaselineKind::kDrift) params["drift"] = m.baseline.drift;
      if (m.spec.baseline == forecast::BaselineKind::kSeasonalNaive) params["season"] = m.baseline.season;
      // No estimated parameters but sigma2 (and the drift): AIC counts those.
      const double k = 1 + (m.spec.baseline == forecast::BaselineKind::kDrift ? 1 : 0);
      loglik = m.baseline.loglik;
      nobs = m.baseline.nobs;
      aic = -2 * loglik + 2 * k;
      aicc = nobs - k - 1 > 0 ? aic + 2 * k * (k + 1) / (nobs - k - 1) : NAN;
      break;
    }
    case forecast::ModelKind::kNwp: {
      params["bias"] = m.nwp.bias;  // mean of actual - forecast over the series
      nobs = m.nwp.nobs;
      break;
    }
    case forecast::ModelKind::kArima:
    case forecast::ModelKind::kAutoArima:
    case forecast::ModelKind::kNwpArima: {
      const forecast::ArimaModel& a = m.arima;
      const int s = a.order.s;
      if (a.order.constant) params["const"] = a.mean;
      for (size_t i = 0; i < a.ar.size(); ++i) params["ar.L" + std::to_string(i + 1)] = a.ar[i];
      for (size_t i = 0; i < a.ma.size(); ++i) params["ma.L" + std::to_string(i + 1)] = a.ma[i];
      for (size_t i = 0; i < a.seasonal_ar.size(); ++i)
        params["ar.S.L" + std::to_string((i + 1) * s)] = a.seasonal_ar[i];
      for (size_t i = 0; i < a.seasonal_ma.size(); ++i)
        params["ma.S.L" + std::to_string((i + 1) * s)] = a.seasonal_ma[i];
      for (size_t i = 0; i < a.beta.size(); ++i) {
        params[i < exog_names.size() ? exog_names[i]
               : m.spec.linear_trend ? "trend"
                                     : "x" + std::to_string(i + 1)] = a.beta[i];
      }
      loglik = a.loglik, aic = a.aic, aicc = a.aicc, nobs = a.nobs;
      break;
    }
    case forecast::ModelKind::kBoostedLags: {
      const forecast::BoostedLagOptions& b = m.boosted.options;
      params = {{"lags", b.lags}, {"rounds", b.rounds}, {"max_depth", b.max_depth}, {"learning_rate", b.learning_rate}};
      nobs = m.boosted.nobs;  // trees have no likelihood: loglik and AIC stay null
      break;
    }
  }
  Json out = {{"model", m.Describe()}, {"params", params},     {"sigma2", m.sigma2()}, {"loglik", Finite(loglik)},
              {"aic", Finite(aic)},    {"aicc", Finite(aicc)}, {"nobs", nobs}};
  if (m.spec.kind == forecast::ModelKind::kArima || m.spec.kind == forecast::ModelKind::kAutoArima ||
      m.spec.kind == forecast::ModelKind::kNwpArima) {
    out["converged"] = m.arima.converged;
    out["start"] = m.arima.order.start == forecast::DiffuseStart::kApproximate ? "approximate" : "exact";
    if (m.spec.kind == forecast::ModelKind::kArima && m.arima.order.q != m.spec.order.q) {
      out["requested"] = m.spec.order.ToString();  // the MA part was at the invertibility edge (arima.h)
    }
  }
  out["forecast"] = ForecastJson(fc);
  return out;
}

void PrintFit(const Json& fit, size_t observations) {
  std::cout << fit["model"].get<std::string>() << " on " << observations << " observations (" << fit["nobs"]
            << " in the fit)\n";
  if (fit.contains("requested")) {
    std::cout << "  (" << fit["requested"].get<std::string>()
              << " was asked for: its MA estimate sat at the invertibility edge, which the data cannot identify)\n";
  }
  for (const auto& [name, value] : fit["params"].items()) std::cout << "  " << name << " = " << value << "\n";
  for (const char* key : {"sigma2", "loglik", "aic", "aicc"}) std::cout << "  " << key << " = " << fit[key] << "\n";
  std::cout << "forecast (95 % interval):\n";
  const Json& fc = fit["forecast"];
  for (size_t h = 0; h < fc["mean"].size(); ++h) {
    std::cout << "  +" << h + 1 << "  " << fc["mean"][h] << "  [" << fc["lower"][h] << ", " << fc["upper"][h] << "]\n";
  }
}

Result<forecast::ModelSpec> SpecFor(const ModelFitOptions& o) {
  static const char* kModels[] = {"arima", "sarima", "auto", "xgb", "naive", "snaive", "drift", "nwp", "nwp-arima"};
  if (std::find(std::begin(kModels), std::end(kModels), o.model) == std::end(kModels)) {
    return Status::InvalidArgument("model fit: --model " + o.model +
                                   " is not available (available: arima, sarima, auto, xgb, naive, snaive, drift, "
                                   "nwp, nwp-arima)");
  }
  if (o.model == "nwp" || o.model == "nwp-arima") {
    if (o.exog.find(',') != std::string::npos || o.exog.empty())
      return Status::InvalidArgument("model fit: --model " + o.model + " takes the forecast column as --exog COLUMN");
    return forecast::SpecNamed(o.model, 0);
  }
  forecast::ArimaOrder order;
  MF_ASSIGN_OR_RETURN(const std::vector<int> pdq, ParseInts(o.order.empty() ? "1,1,1" : o.order, 3, "--order"));
  order.p = pdq[0], order.d = pdq[1], order.q = pdq[2];
  if (!o.seasonal.empty()) {
    MF_ASSIGN_OR_RETURN(const std::vector<int> seasonal, ParseInts(o.seasonal, 4, "--seasonal"));
    order.P = seasonal[0], order.D = seasonal[1], order.Q = seasonal[2], order.s = seasonal[3];
  }
  // Trends as statsmodels' ARIMA has them: "c" a constant of the differenced series (a drift when
  // d + D = 1); "t" with d + D = 1 the same drift, without differencing a linear time trend;
  // "ct" (no differencing) both.
  const int differences = order.d + order.D;
  if (o.trend != "n" && o.trend != "c" && o.trend != "t" && o.trend != "ct") {
    return Status::InvalidArgument("model fit: --trend must be n, c, t or ct");
  }
  if ((o.trend == "t" && differences > 1) || (o.trend == "ct" && differences > 0)) {
    return Status::InvalidArgument("model fit: --trend " + o.trend + " is removed by the differencing (d + D = " +
                                   std::to_string(differences) + "); use " + (differences == 1 ? "t (a drift)" : "n"));
  }
  order.constant = o.trend == "c" || o.trend == "ct" || (o.trend == "t" && differences == 1);
  if (o.start != "exact" && o.start != "approximate") {
    return Status::InvalidArgument("model fit: --start must be exact or approximate");
  }
  order.start = o.start == "approximate" && o.model != "auto" ? forecast::DiffuseStart::kApproximate
                                                              : forecast::DiffuseStart::kExact;
  const bool linear_trend = differences == 0 && (o.trend == "t" || o.trend == "ct");
  if (linear_trend && o.model == "auto") {
    return Status::InvalidArgument("model fit: --trend " + o.trend + " works with arima and sarima");
  }
  if (o.model == "arima" || o.model == "sarima" || o.model == "auto") {
    forecast::ModelSpec spec;
    spec.name = o.model;
    spec.kind = o.model == "auto" ? forecast::ModelKind::kAutoArima : forecast::ModelKind::kArima;
    spec.order = order;
    spec.choose_d = o.model == "auto" && o.order.empty();  // no --order: d by KPSS tests
    spec.linear_trend = linear_trend;
    return spec;
  }
  return forecast::SpecNamed(o.model, order.s);
}

}  // namespace

Status ModelBacktestCommand(const ModelBacktestOptions& o) {
  std::vector<double> y;
  forecast::Regressors exog;  // with --exog: the weather service's forecast beside the values
  std::vector<forecast::ModelSpec> candidates = forecast::DefaultCandidates(o.season, !o.series.exog.empty());
  if (o.series.exog.empty()) {
    MF_ASSIGN_OR_RETURN(y, ReadSeries(o.series));
  } else {
    if (o.series.exog.find(',') != std::string::npos || o.series.frequency_seconds > 0) {
      return Status::InvalidArgument("model backtest: --exog takes one forecast column and no --frequency");
    }
    MF_ASSIGN_OR_RETURN(SeriesWithRegressors data,
                        forecast::ReadCsvWithRegressorsFile(CsvSpecFor(o.series), {o.series.exog}, false));
    y = std::move(data.y);
    exog = std::move(data.exog);
  }
  if (!o.candidates.empty()) {
    MF_ASSIGN_OR_RETURN(candidates, forecast::SpecsNamed(SplitCommaList(o.candidates), o.season));
  }
  MF_ASSIGN_OR_RETURN(const std::vector<forecast::BacktestScore> scores,
                      forecast::Backtest(y, candidates, o.origins, o.series.horizon, exog));
  if (o.series.json) {
    std::cout << forecast::ScoresJson(scores).dump(2) << "\n";
    return Status::OK();
  }
  std::cout << y.size() << " observations, " << o.origins << " origins x " << o.series.horizon
            << " steps; best first\n";
  std::printf("%-28s %8s %12s %12s %9s %9s %8s\n", "model", "scored", "RMSE", "MAE", "MAPE %", "cover95", "failed");
  for (const auto& s : scores) {
    std::printf("%-28s %8d %12.4f %12.4f %9.2f %9.2f %8d\n", s.name.c_str(), s.scored, s.rmse, s.mae, s.mape,
                s.coverage, s.failures);
  }
  return Status::OK();
}

// The fit and forecast of one regression: ARIMA with regressors (plus the trend), or nwp and
// nwp-arima on the weather service's forecast.
Result<std::pair<forecast::FittedModel, forecast::ArimaForecast>> FitRegression(const forecast::ModelSpec& spec,
                                                                                SeriesWithRegressors& data) {
  const int horizon = static_cast<int>(data.future[0].size());
  forecast::FittedModel fit;
  if (forecast::NeedsRegressor(spec.kind)) {
    MF_ASSIGN_OR_RETURN(fit, forecast::FitModel(spec, data.y, data.exog));
    MF_ASSIGN_OR_RETURN(auto fc, forecast::ForecastModel(fit, data.y, horizon, 0.95, data.exog, data.future));
    return std::pair{std::move(fit), std::move(fc)};
  }
  if (spec.linear_trend) {  // the time trend as one more regressor, t = 1, 2, ...
    std::vector<double> past(data.y.size()), future(data.future[0].size());
    for (size_t i = 0; i < past.size(); ++i) past[i] = static_cast<double>(i + 1);
    for (size_t i = 0; i < future.size(); ++i) future[i] = static_cast<double>(past.size() + i + 1);
    data.exog.push_back(std::move(past));
    data.future.push_back(std::move(future));
    data.names.push_back("trend");
  }
  fit.spec = spec;
  MF_ASSIGN_OR_RETURN(fit.arima, forecast::FitArima(data.y, spec.order, data.exog));
  MF_ASSIGN_OR_RETURN(auto fc, forecast::ForecastArima(data.y, fit.arima, horizon, 0.95, data.exog, data.future));
  return std::pair{std::move(fit), std::move(fc)};
}

// model fit --exog: one regression with ARIMA errors, or the weather service's forecast models.
Status FitWithRegressors(const ModelFitOptions& o, const forecast::ModelSpec& spec) {
  if (spec.kind != forecast::ModelKind::kArima && !forecast::NeedsRegressor(spec.kind)) {
    return Status::InvalidArgument("model fit: --exog works with --model arima, sarima, nwp or nwp-arima");
  }
  MF_ASSIGN_OR_RETURN(SeriesWithRegressors data, ReadWithRegressors(o));
  MF_ASSIGN_OR_RETURN(const auto fitted, FitRegression(spec, data));
  const Json out = FitJson(fitted.first, fitted.second, data.names);
  if (o.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    PrintFit(out, data.y.size());
  }
  return Status::OK();
}

Status ModelFitCommand(const ModelFitOptions& o) {
  MF_ASSIGN_OR_RETURN(const forecast::ModelSpec spec, SpecFor(o));
  if (!o.exog.empty()) return FitWithRegressors(o, spec);
  MF_ASSIGN_OR_RETURN(const GroupedSeries groups, forecast::ReadCsvSeriesFile(CsvSpecFor(o)));
  // Fit every series first (in parallel with --jobs), then print in input order.
  std::vector<std::optional<Result<forecast::FittedModel>>> fits(groups.size());
  std::vector<std::optional<Result<forecast::ArimaForecast>>> forecasts(groups.size());
  ParallelFor(
      groups.size(),
      [&](size_t i) {
        const std::vector<double>& y = groups[i].second;
        fits[i] = forecast::FitModel(spec, y);
        forecasts[i] = fits[i]->ok() ? forecast::ForecastModel(**fits[i], y, o.horizon)
                                     : Result<forecast::ArimaForecast>(fits[i]->status());
      },
      static_cast<size_t>(o.jobs));
  size_t failed = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    const auto& [group, y] = groups[i];
    const Result<forecast::ArimaForecast>& fc = *forecasts[i];
    if (o.by.empty()) {
      MF_RETURN_IF_ERROR(fc.status());
      const Json out = FitJson(**fits[i], *fc);
      if (o.json) {
        std::cout << out.dump(2) << "\n";
      } else {
        PrintFit(out, y.size());
      }
      return Status::OK();
    }
    // One line (or block) per group; a group that cannot be fitted says why and the rest go on.
    Json out = {{"series", group}};
    if (fc.ok()) {
      out.update(FitJson(**fits[i], *fc));
    } else {
      ++failed;
      out["error"] = fc.status().message();
    }
    if (o.json) {
      std::cout << out.dump() << "\n";
    } else if (fc.ok()) {
      std::cout << "== " << o.by << " = " << group << "\n";
      PrintFit(out, y.size());
    } else {
      std::cout << "== " << o.by << " = " << group << ": " << fc.status().message() << "\n";
    }
  }
  if (failed) {
    return Status::InvalidArgument("model fit: " + std::to_string(failed) + " of " + std::to_string(groups.size()) +
                                   " series could not be fitted");
  }
  return Status::OK();
}

void RegisterModelCommands(CLI::App& app, CommandTable& table) {
  auto fit = std::make_shared<ModelFitOptions>();
  auto* model_cmd = app.add_subcommand("model", "Fit forecasting models");
  model_cmd->require_subcommand(1);
  auto* model_fit = model_cmd->add_subcommand("fit", "Fit one model to one CSV column; print estimates and a forecast");
  model_fit->add_option("--csv", fit->csv, "CSV file with a header row")->required();
  model_fit->add_option("--time-column", fit->time_column, "Column ordering the rows (ISO 8601 text)")->required();
  model_fit->add_option("--value-column", fit->value_column, "Column to model")->required();
  model_fit->add_option("--model", fit->model,
                        "arima, sarima, auto (order search by AICc at the given d and season), xgb (boosted "
                        "lag model), naive, snaive (season from --seasonal), drift, nwp (the weather service's "
                        "forecast in --exog) or nwp-arima (regression on it with ARIMA(1,0,0) errors) (default: "
                        "arima)");
  model_fit->add_option("--order", fit->order,
                        "p,d,q (default: 1,1,1; with --model auto, d is chosen by KPSS tests unless given)");
  model_fit->add_option("--seasonal", fit->seasonal, "P,D,Q,s");
  model_fit->add_option("--trend", fit->trend,
                        "n (none), c (a constant: the differenced series' mean, a drift when d = 1), t (a "
                        "linear trend: without differencing a time regressor, with d + D = 1 the drift) or ct "
                        "(constant and linear trend, without differencing)");
  model_fit->add_option("--start", fit->start,
                        "How the likelihood starts the integrated states (d + D > 0): exact (the exact "
                        "likelihood of the differenced series) or approximate (statsmodels' default: an "
                        "approximate diffuse prior, variance 1e6) (default: approximate; --model auto searches "
                        "with exact)");
  model_fit->add_option("--horizon", fit->horizon, "Steps to forecast (default: 6)")->check(CLI::Range(1, 10000));
  model_fit
      ->add_option("--frequency", fit->frequency_seconds,
                   "Resample to steps of this many seconds: mean per step, gaps interpolated linearly, "
                   "blank values skipped (default: use the rows as they are)")
      ->check(CLI::Range(1, 366 * 86400));
  model_fit->add_option("--by", fit->by,
                        "Fit one series per value of this column (in order of first appearance); with --json, "
                        "one JSON object per line with its value as \"series\"");
  model_fit->add_option("--exog", fit->exog,
                        "Regressor columns, comma-separated (arima, sarima): a regression with ARIMA errors. "
                        "Rows after the last value, with the value column empty, give the regressors over the "
                        "horizon (their count is the horizon)");
  model_fit->add_option("--jobs", fit->jobs, "With --by: series fitted at once (default: one per core)")
      ->check(CLI::Range(1, 1024));
  model_fit->add_flag("--json", fit->json, "One JSON object: model, params, sigma2, loglik, aic, aicc, forecast");

  auto backtest = std::make_shared<ModelBacktestOptions>();
  table.Add(model_fit, [fit] { return ModelFitCommand(*fit); });

  auto* model_backtest =
      model_cmd->add_subcommand("backtest", "Score the candidate models by rolling-origin backtests on one CSV column");
  model_backtest->add_option("--csv", backtest->series.csv, "CSV file with a header row")->required();
  model_backtest->add_option("--time-column", backtest->series.time_column, "Column ordering the rows")->required();
  model_backtest->add_option("--value-column", backtest->series.value_column, "Column to model")->required();
  model_backtest->add_option("--season", backtest->season, "Period s >= 2: adds seasonal naive and SARIMA")
      ->check(CLI::Range(0, 366));
  model_backtest->add_option("--origins", backtest->origins, "Forecast origins (default: 5)")
      ->check(CLI::Range(1, 1000));
  model_backtest->add_option("--horizon", backtest->series.horizon, "Steps scored after each origin (default: 6)")
      ->check(CLI::Range(1, 10000));
  model_backtest->add_option("--frequency", backtest->series.frequency_seconds, "Resample as model fit does")
      ->check(CLI::Range(1, 366 * 86400));
  model_backtest->add_option("--candidates", backtest->candidates,
                             "Models to compare, comma-separated (naive, snaive, drift, arima, sarima, auto, xgb; "
                             "default: all that apply). The original pipeline's rule is --candidates arima,sarima "
                             "--season 12 --origins 1");
  model_backtest->add_option("--exog", backtest->series.exog,
                             "The column holding the weather service's forecast of the value (issued before each "
                             "row's time): adds the candidates nwp and nwp-arima");
  model_backtest->add_flag("--json", backtest->series.json, "A JSON array, best first");

  table.Add(model_backtest, [backtest] { return ModelBacktestCommand(*backtest); });
  RegisterModelEvaluate(*model_cmd, table);
}

}  // namespace meteoflow
