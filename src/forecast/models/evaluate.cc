#include "forecast/models/evaluate.h"

#include <algorithm>
#include <cmath>

#include "core/parallel.h"
#include "forecast/models/backtest.h"

namespace meteoflow::forecast {
namespace {

// What happened at one origin: every candidate's forecast (absent when it could not be fitted)
// and the rule's choice (empty: the rule could not choose, the origin is not scored).
struct OriginResult {
  std::string chosen;
  std::map<std::string, std::vector<double>> forecasts;
};

OriginResult AtOrigin(const std::vector<double>& y, const Regressors& exog, size_t origin,
                      const std::vector<ModelSpec>& candidates, const EvaluateOptions& options, int longest) {
  OriginResult r;
  const std::vector<double> train(y.begin(), y.begin() + static_cast<ptrdiff_t>(origin));
  const Regressors seen = SliceRegressors(exog, 0, origin);
  const Regressors ahead = SliceRegressors(exog, origin, origin + static_cast<size_t>(longest));
  Result<std::vector<BacktestScore>> scores =
      Backtest(train, candidates, options.select_origins, options.select_horizon, seen);
  if (!scores.ok()) return r;
  for (const ModelSpec& c : candidates) {
    Result<FittedModel> fit = FitModel(c, train, seen);
    Result<ArimaForecast> fc = fit.ok() ? ForecastModel(*fit, train, longest, 0.95, seen, ahead) : fit.status();
    if (!fc.ok() || fc->mean.size() != static_cast<size_t>(longest) ||
        !std::all_of(fc->mean.begin(), fc->mean.end(), [](double v) { return std::isfinite(v); })) {
      continue;
    }
    r.forecasts[c.name] = fc->mean;
  }
  for (const std::string& name : ChoiceOrder(*scores, options.persistence_margin)) {
    if (r.forecasts.count(name)) {
      r.chosen = name;
      break;
    }
  }
  return r;
}

Status Check(const std::vector<double>& y, const std::vector<ModelSpec>& candidates, const EvaluateOptions& o,
             const Regressors& exog) {
  if (candidates.empty()) return Status::InvalidArgument("evaluate: no candidate models");
  for (const auto& column : exog) {
    if (column.size() != y.size()) {
      return Status::InvalidArgument("evaluate: a regressor has " + std::to_string(column.size()) + " values for " +
                                     std::to_string(y.size()) + " observations");
    }
  }
  if (o.horizons.empty()) return Status::InvalidArgument("evaluate: no horizons");
  for (int h : o.horizons) {
    if (h < 1) return Status::InvalidArgument("evaluate: horizon " + std::to_string(h) + " is not >= 1");
  }
  if (o.origins < 1) return Status::InvalidArgument("evaluate: origins must be >= 1");
  const int longest = *std::max_element(o.horizons.begin(), o.horizons.end());
  if (y.size() <= static_cast<size_t>(longest)) {
    return Status::InvalidArgument("evaluate: " + std::to_string(y.size()) + " observations leave nothing before a " +
                                   std::to_string(longest) + "-step window");
  }
  return Status::OK();
}

}  // namespace

void Evaluation::Merge(const Evaluation& other) {
  origins += other.origins;
  for (const auto& [name, n] : other.chosen) chosen[name] += n;
  for (const auto& [name, horizons] : other.by) {
    for (const auto& [h, stats] : horizons) by[name][h].Merge(stats);
  }
}

Result<Evaluation> Evaluate(const std::vector<double>& y, const std::vector<ModelSpec>& candidates,
                            const EvaluateOptions& options, const Regressors& exog) {
  MF_RETURN_IF_ERROR(Check(y, candidates, options, exog));
  const int longest = *std::max_element(options.horizons.begin(), options.horizons.end());
  std::vector<size_t> origins;
  for (int k = 0; k < options.origins; ++k) {
    const int64_t origin = static_cast<int64_t>(y.size()) - int64_t{longest} * (k + 1);
    if (origin >= 1) origins.push_back(static_cast<size_t>(origin));
  }
  std::vector<OriginResult> results(origins.size());
  ParallelFor(origins.size(),
              [&](size_t i) { results[i] = AtOrigin(y, exog, origins[i], candidates, options, longest); });
  Evaluation e;
  for (size_t i = 0; i < origins.size(); ++i) {
    const OriginResult& r = results[i];
    if (r.chosen.empty()) continue;
    ++e.origins;
    ++e.chosen[r.chosen];
    const size_t o = origins[i];
    for (int h : options.horizons) {
      const double actual = y[o + static_cast<size_t>(h) - 1];
      const double persistence_error = actual - y[o - 1];
      for (const auto& [name, fc] : r.forecasts) {
        e.by[name][h].Add(actual - fc[static_cast<size_t>(h) - 1], persistence_error);
      }
      e.by[kSelectionName][h].Add(actual - r.forecasts.at(r.chosen)[static_cast<size_t>(h) - 1], persistence_error);
    }
  }
  if (e.origins == 0) {
    return Status::InvalidArgument("evaluate: " + std::to_string(y.size()) +
                                   " observations are too few: no origin leaves enough data for the selection's "
                                   "backtest (" +
                                   std::to_string(options.select_origins) + " windows of " +
                                   std::to_string(options.select_horizon) + " steps) and a fitted candidate");
  }
  return e;
}

}  // namespace meteoflow::forecast
