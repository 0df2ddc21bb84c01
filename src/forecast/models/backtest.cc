#include "forecast/models/backtest.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace meteoflow::forecast {

std::vector<ModelSpec> DefaultCandidates(int season, bool with_forecast) {
  std::vector<std::string> names = {"naive", "drift", "arima", "auto", "xgb"};
  if (season >= 2) {
    names.push_back("snaive");
    names.push_back("sarima");
  }
  if (with_forecast) {
    names.push_back("nwp");
    names.push_back("nwp-arima");
  }
  std::vector<ModelSpec> out;
  for (const std::string& name : names) out.push_back(*SpecNamed(name, season));
  return out;
}

std::vector<std::string> ChoiceOrder(const std::vector<BacktestScore>& scores, double persistence_margin) {
  std::vector<const BacktestScore*> scored;
  for (const BacktestScore& s : scores) {
    if (s.scored > 0) scored.push_back(&s);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto* a, const auto* b) { return a->rmse < b->rmse; });
  const auto naive = std::find_if(scored.begin(), scored.end(), [](const auto* s) { return s->name == "naive"; });
  if (naive != scored.end() && naive != scored.begin() && scored.front()->rmse > persistence_margin * (*naive)->rmse) {
    std::rotate(scored.begin(), naive, naive + 1);
  }
  std::vector<std::string> out;
  for (const BacktestScore* s : scored) out.push_back(s->name);
  return out;
}

Regressors SliceRegressors(const Regressors& x, size_t from, size_t to) {
  Regressors out;
  for (const auto& column : x) {
    const size_t end = std::min(to, column.size()), begin = std::min(from, end);
    out.emplace_back(column.begin() + static_cast<ptrdiff_t>(begin), column.begin() + static_cast<ptrdiff_t>(end));
  }
  return out;
}

Result<std::vector<BacktestScore>> Backtest(const std::vector<double>& y, const std::vector<ModelSpec>& candidates,
                                            int origins, int horizon, const Regressors& exog,
                                            std::map<std::string, FittedModel>* last_fits) {
  if (origins < 1 || horizon < 1) return Status::InvalidArgument("backtest: origins and horizon must be >= 1");
  for (const auto& column : exog) {
    if (column.size() != y.size()) {
      return Status::InvalidArgument("backtest: a regressor has " + std::to_string(column.size()) + " values for " +
                                     std::to_string(y.size()) + " observations");
    }
  }
  const size_t held_out = static_cast<size_t>(origins) * static_cast<size_t>(horizon);
  if (y.size() < held_out + 3) {
    return Status::InvalidArgument("backtest: " + std::to_string(y.size()) + " observations are too few for " +
                                   std::to_string(origins) + " origins of " + std::to_string(horizon) + " steps");
  }
  std::vector<BacktestScore> scores;
  for (const ModelSpec& c : candidates) {
    BacktestScore s;
    s.name = c.name;
    double sq = 0, abs = 0, pct = 0;
    int pct_n = 0, inside = 0;
    std::optional<FittedModel> previous;
    for (int k = origins - 1; k >= 0; --k) {
      const size_t origin = y.size() - static_cast<size_t>(horizon) * static_cast<size_t>(k + 1);
      const std::vector<double> train(y.begin(), y.begin() + static_cast<ptrdiff_t>(origin));
      const Regressors seen = SliceRegressors(exog, 0, origin);
      const Regressors ahead = SliceRegressors(exog, origin, origin + static_cast<size_t>(horizon));
      Result<FittedModel> fit = FitModel(c, train, seen, previous ? &*previous : nullptr);
      Result<ArimaForecast> fc = fit.ok() ? ForecastModel(*fit, train, horizon, 0.95, seen, ahead) : fit.status();
      if (fit.ok()) previous = std::move(fit).value();
      if (!fc.ok()) {
        ++s.failures;
        continue;
      }
      for (int h = 0; h < horizon; ++h) {
        const double actual = y[origin + static_cast<size_t>(h)], e = actual - fc->mean[static_cast<size_t>(h)];
        sq += e * e;
        abs += std::abs(e);
        if (actual != 0) {
          pct += std::abs(e / actual);
          ++pct_n;
        }
        inside += actual >= fc->lower[static_cast<size_t>(h)] && actual <= fc->upper[static_cast<size_t>(h)];
        ++s.scored;
      }
    }
    if (last_fits && previous) (*last_fits)[c.name] = std::move(*previous);
    if (s.scored > 0) {
      s.rmse = std::sqrt(sq / s.scored);
      s.mae = abs / s.scored;
      s.mape = pct_n ? 100 * pct / pct_n : NAN;
      s.coverage = static_cast<double>(inside) / s.scored;
    }
    scores.push_back(std::move(s));
  }
  std::stable_sort(scores.begin(), scores.end(), [](const BacktestScore& a, const BacktestScore& b) {
    if ((a.scored > 0) != (b.scored > 0)) return a.scored > 0;
    return a.rmse < b.rmse;
  });
  return scores;
}

}  // namespace meteoflow::forecast
