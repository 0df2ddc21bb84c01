// `meteoflow model fit`: fits one model (ARIMA, SARIMA, an AICc order search, or a baseline) to
// one column of a CSV file and prints the estimates and a forecast (text, or JSON with --json).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "forecast/arima.h"
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

// The value column in time order (the time column's text sorts as time: ISO 8601).
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
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty()) continue;
    const std::vector<std::string> f = SplitCsv(line);
    const std::string where = o.csv + ":" + std::to_string(line_no);
    if (f.size() != header.size())
      return Status::InvalidArgument(where + ": " + std::to_string(f.size()) + " fields, header has " +
                                     std::to_string(header.size()));
    double v = 0;
    size_t used = 0;
    try {
      v = std::stod(f[value_col], &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != f[value_col].size() || !std::isfinite(v)) {
      return Status::InvalidArgument(where + ": '" + f[value_col] + "' in column '" + o.value_column +
                                     "' is not a number");
    }
    rows.emplace_back(f[time_col], v);
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
