// `meteoflow model fit`: fits one model (ARIMA, SARIMA, an AICc order search, or a baseline) to
// one column of a CSV file and prints the estimates and a forecast (text, or JSON with --json).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "core/time.h"
#include "forecast/arima.h"
#include "forecast/backtest.h"
#include "forecast/baselines.h"

namespace meteoflow {
namespace {

// Splits one CSV record (RFC 4180 quoting; no newlines inside fields).
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else if (c != '\r') {
      out.back() += c;
    }
  }
  return out;
}

// Steps of `frequency_ms` from the first observation's step: each step's value is the mean of its
// observations; steps without any are interpolated linearly between their neighbours.
std::vector<double> Resample(const std::vector<std::pair<Timestamp, double>>& points, int64_t frequency_ms) {
  const int64_t origin = points.front().first.FloorTo(frequency_ms).millis();
  const size_t steps = static_cast<size_t>((points.back().first.millis() - origin) / frequency_ms) + 1;
  std::vector<double> sum(steps, 0.0);
  std::vector<int> count(steps, 0);
  for (const auto& [t, v] : points) {
    const size_t step = static_cast<size_t>((t.millis() - origin) / frequency_ms);
    sum[step] += v;
    ++count[step];
  }
  std::vector<double> y(steps);
  size_t last = 0;  // the last step with observations (step 0 always has one)
  for (size_t i = 0; i < steps; ++i) {
    if (count[i] == 0) continue;
    y[i] = sum[i] / count[i];
    for (size_t gap = last + 1; gap < i; ++gap) {
      y[gap] = y[last] + (y[i] - y[last]) * static_cast<double>(gap - last) / static_cast<double>(i - last);
    }
    last = i;
  }
  return y;
}

// The value column in time order. Without a frequency, rows are taken as they are (sorted by the
// time column's text, which sorts as time for ISO 8601) and every value must be a number. With
// one, times must parse as UTC timestamps (or dates), blank values are skipped, and the series is
// resampled (see Resample).
Result<std::vector<double>> ReadSeries(const ModelFitOptions& o) {
  std::ifstream in(o.csv);
  if (!in) return Status::NotFound("model fit: cannot open " + o.csv);
  std::string line;
  if (!std::getline(in, line)) return Status::InvalidArgument(o.csv + ": empty file");
  const std::vector<std::string> header = SplitCsv(line);
  auto column = [&](const std::string& name) -> Result<size_t> {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) return Status::InvalidArgument(o.csv + ": no column '" + name + "'");
    return static_cast<size_t>(it - header.begin());
  };
  MF_ASSIGN_OR_RETURN(const size_t time_col, column(o.time_column));
  MF_ASSIGN_OR_RETURN(const size_t value_col, column(o.value_column));
  std::vector<std::pair<std::string, double>> rows;
  std::vector<std::pair<Timestamp, double>> points;
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty()) continue;
    const std::vector<std::string> f = SplitCsv(line);
    const std::string where = o.csv + ":" + std::to_string(line_no);
    if (f.size() != header.size()) {
      return Status::InvalidArgument(where + ": " + std::to_string(f.size()) + " fields, header has " +
                                     std::to_string(header.size()));
    }
    const std::string& cell = f[value_col];
    if (cell.empty() && o.frequency_seconds > 0) continue;  // missing: the resampling fills it
    double v = 0;
    size_t used = 0;
    try {
      v = std::stod(cell, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != cell.size() || !std::isfinite(v)) {
      return Status::InvalidArgument(where + ": '" + cell + "' in column '" + o.value_column + "' is not a number");
    }
    if (o.frequency_seconds == 0) {
      rows.emplace_back(f[time_col], v);
      continue;
    }
    const std::string text = f[time_col].size() == 10 ? f[time_col] + "T00:00:00Z" : f[time_col];
    auto t = Timestamp::Parse(text);
    if (!t.ok()) return Status::InvalidArgument(where + ": " + t.status().message());
    points.emplace_back(*t, v);
  }
  if (o.frequency_seconds > 0) {
    if (points.empty()) return Status::InvalidArgument(o.csv + ": no values in column '" + o.value_column + "'");
    std::stable_sort(points.begin(), points.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const int64_t frequency_ms = int64_t{o.frequency_seconds} * 1000;
    if ((points.back().first.millis() - points.front().first.millis()) / frequency_ms > 10'000'000) {
      return Status::InvalidArgument(o.csv + ": more than 10 million steps of " + std::to_string(o.frequency_seconds) +
                                     " s between the first and last time");
    }
    return Resample(points, frequency_ms);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<double> y;
  for (const auto& [t, v] : rows) y.push_back(v);
  return y;
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

nlohmann::ordered_json ForecastJson(const forecast::ArimaForecast& fc) {
  return {{"mean", fc.mean}, {"lower", fc.lower}, {"upper", fc.upper}};
}

void PrintForecast(const forecast::ArimaForecast& fc) {
  std::cout << "forecast (95 % interval):\n";
  for (size_t h = 0; h < fc.mean.size(); ++h) {
    std::cout << "  +" << h + 1 << "  " << fc.mean[h] << "  [" << fc.lower[h] << ", " << fc.upper[h] << "]\n";
  }
}

Status PrintBaseline(const ModelFitOptions& o, const std::vector<double>& y, int season) {
  const forecast::BaselineKind kind = o.model == "naive"    ? forecast::BaselineKind::kNaive
                                      : o.model == "snaive" ? forecast::BaselineKind::kSeasonalNaive
                                                            : forecast::BaselineKind::kDrift;
  MF_ASSIGN_OR_RETURN(forecast::BaselineFit fit, forecast::FitBaseline(y, kind, season, o.horizon));
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  if (kind == forecast::BaselineKind::kDrift) params["drift"] = fit.drift;
  if (kind == forecast::BaselineKind::kSeasonalNaive) params["season"] = season;
  // No estimated parameters but sigma2 (and the drift): AIC counts those.
  const double k = 1 + (kind == forecast::BaselineKind::kDrift ? 1 : 0);
  const double aic = -2 * fit.loglik + 2 * k;
  const double aicc = fit.nobs - k - 1 > 0 ? aic + 2 * k * (k + 1) / (fit.nobs - k - 1) : INFINITY;
  if (o.json) {
    nlohmann::ordered_json out = {
        {"model", o.model}, {"params", params}, {"sigma2", fit.sigma2}, {"loglik", fit.loglik},
        {"aic", aic},       {"aicc", aicc},     {"nobs", fit.nobs},     {"forecast", ForecastJson(fit.forecast)}};
    std::cout << out.dump(2) << "\n";
    return Status::OK();
  }
  std::cout << o.model << " on " << y.size() << " observations\n  sigma2 = " << fit.sigma2
            << "\n  loglik = " << fit.loglik << "\n  aic = " << aic << "\n  aicc = " << aicc << "\n";
  for (const auto& [name, value] : params.items()) std::cout << "  " << name << " = " << value << "\n";
  PrintForecast(fit.forecast);
  return Status::OK();
}

}  // namespace

Status ModelBacktestCommand(const ModelBacktestOptions& o) {
  MF_ASSIGN_OR_RETURN(const std::vector<double> y, ReadSeries(o.series));
  MF_ASSIGN_OR_RETURN(const std::vector<forecast::BacktestScore> scores,
                      forecast::Backtest(y, forecast::DefaultCandidates(o.season), o.origins, o.series.horizon));
  if (o.series.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& s : scores) {
      out.push_back({{"model", s.name},
                     {"scored", s.scored},
                     {"failures", s.failures},
                     {"rmse", s.rmse},
                     {"mae", s.mae},
                     {"mape", std::isfinite(s.mape) ? nlohmann::ordered_json(s.mape) : nlohmann::ordered_json()},
                     {"coverage", s.coverage}});
    }
    std::cout << out.dump(2) << "\n";
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

Status ModelFitCommand(const ModelFitOptions& o) {
  static const char* kModels[] = {"arima", "sarima", "auto", "naive", "snaive", "drift"};
  if (std::find(std::begin(kModels), std::end(kModels), o.model) == std::end(kModels)) {
    return Status::InvalidArgument("model fit: --model " + o.model +
                                   " is not available (available: arima, sarima, auto, naive, snaive, drift)");
  }
  forecast::ArimaOrder order;
  MF_ASSIGN_OR_RETURN(const std::vector<int> pdq, ParseInts(o.order, 3, "--order"));
  order.p = pdq[0], order.d = pdq[1], order.q = pdq[2];
  if (!o.seasonal.empty()) {
    MF_ASSIGN_OR_RETURN(const std::vector<int> seasonal, ParseInts(o.seasonal, 4, "--seasonal"));
    order.P = seasonal[0], order.D = seasonal[1], order.Q = seasonal[2], order.s = seasonal[3];
  }
  if (o.trend != "n" && o.trend != "c") return Status::InvalidArgument("model fit: --trend must be n or c");
  order.constant = o.trend == "c";
  MF_ASSIGN_OR_RETURN(const std::vector<double> y, ReadSeries(o));
  if (o.model == "naive" || o.model == "snaive" || o.model == "drift") return PrintBaseline(o, y, order.s);
  forecast::ArimaModel m;
  if (o.model == "auto") {
    MF_ASSIGN_OR_RETURN(m, forecast::AutoArima(y, order));
  } else {
    MF_ASSIGN_OR_RETURN(m, forecast::FitArima(y, order));
  }
  MF_ASSIGN_OR_RETURN(forecast::ArimaForecast fc, forecast::ForecastArima(y, m, o.horizon));
  const int s = m.order.s;
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  if (m.order.constant) params["const"] = m.mean;
  for (size_t i = 0; i < m.ar.size(); ++i) params["ar.L" + std::to_string(i + 1)] = m.ar[i];
  for (size_t i = 0; i < m.ma.size(); ++i) params["ma.L" + std::to_string(i + 1)] = m.ma[i];
  for (size_t i = 0; i < m.seasonal_ar.size(); ++i) params["ar.S.L" + std::to_string((i + 1) * s)] = m.seasonal_ar[i];
  for (size_t i = 0; i < m.seasonal_ma.size(); ++i) params["ma.S.L" + std::to_string((i + 1) * s)] = m.seasonal_ma[i];
  if (o.json) {
    nlohmann::ordered_json out = {{"model", m.order.ToString()},
                                  {"params", params},
                                  {"sigma2", m.sigma2},
                                  {"loglik", m.loglik},
                                  {"aic", m.aic},
                                  {"aicc", m.aicc},
                                  {"nobs", m.nobs},
                                  {"converged", m.converged},
                                  {"forecast", ForecastJson(fc)}};
    std::cout << out.dump(2) << "\n";
    return Status::OK();
  }
  std::cout << m.order.ToString() << " on " << y.size() << " observations (" << m.nobs << " after differencing)\n";
  for (const auto& [name, value] : params.items()) std::cout << "  " << name << " = " << value.get<double>() << "\n";
  std::cout << "  sigma2 = " << m.sigma2 << "\n  loglik = " << m.loglik << "\n  aic = " << m.aic
            << "\n  aicc = " << m.aicc << "\n";
  PrintForecast(fc);
  return Status::OK();
}

}  // namespace meteoflow
