#include "forecast/predict_stage.h"

#include <cmath>
#include <cstdlib>
#include <optional>
#include <tuple>

#include "forecast/model_json.h"
#include "forecast/models/model.h"
#include "forecast/store_series.h"

namespace meteoflow {
namespace {

constexpr double kZ80 = 1.2815515655446004;  // standard normal quantiles of 0.90 and 0.975
constexpr double kZ95 = 1.959963984540054;

void SetInterval(Prediction* p, double sigma) {
  if (!std::isfinite(sigma) || sigma < 0) return;
  p->lower80 = p->value - kZ80 * sigma;
  p->upper80 = p->value + kZ80 * sigma;
  p->lower95 = p->value - kZ95 * sigma;
  p->upper95 = p->value + kZ95 * sigma;
}

// The persistence forecast's one-step error scale: the root mean square of the series' steps
// (each step is what "last value" would have missed by). NaN with fewer than two steps.
double PersistenceSigma(const forecast::RegularSeries& series) {
  double sum = 0;
  int n = 0;
  for (size_t i = 1; i < series.values.size(); ++i) {
    const double step = series.values[i] - series.values[i - 1];
    if (!std::isfinite(step)) continue;
    sum += step * step;
    ++n;
  }
  return n < 2 ? std::nan("") : std::sqrt(sum / n);
}

// The model's interval at `level` for the first step, if it gives a finite one.
std::optional<std::pair<double, double>> IntervalAt(const forecast::FittedModel& model, const std::vector<double>& y,
                                                    double level) {
  auto fc = forecast::ForecastModel(model, y, 1, level);
  if (!fc.ok() || fc->lower.empty() || fc->upper.empty() || !std::isfinite(fc->lower[0]) ||
      !std::isfinite(fc->upper[0])) {
    return std::nullopt;
  }
  return std::pair{fc->lower[0], fc->upper[0]};
}

}  // namespace

Result<std::vector<PredictionError>> PredictStage::Score(const std::string& city, Timestamp latest) {
  MF_ASSIGN_OR_RETURN(const std::vector<Prediction> predictions, store_.QueryPredictions(city));
  std::vector<PredictionError> out;
  if (predictions.empty()) return out;
  const Timestamp from = predictions.front().target_time.PlusMillis(-kMatchWindowMs);
  MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> rows,
                      store_.QueryWeather(city, from, latest.PlusMillis(kMatchWindowMs + 1)));
  for (const Prediction& p : predictions) {
    const std::optional<WeatherField> field = forecast::ForecastField(p.variable);
    if (!field || p.target_time.PlusMillis(-kMatchWindowMs) > latest) continue;
    const WeatherRow* nearest = nullptr;
    int64_t best = kMatchWindowMs + 1;
    for (const WeatherRow& r : rows) {
      const int64_t gap = std::llabs(r.time.millis() - p.target_time.millis());
      if (gap < best && r.at(*field)) {
        best = gap;
        nearest = &r;
      }
    }
    if (nearest)
      out.push_back({city, p.variable, p.target_time, p.model, p.value, *nearest->at(*field), nearest->time});
  }
  return out;
}

Result<std::optional<Prediction>> PredictStage::FromRegistry(const WeatherRow& latest, const std::string& variable,
                                                             const std::vector<WeatherRow>& rows, PredictStats* stats) {
  MF_ASSIGN_OR_RETURN(const std::optional<forecast::RegistryEntry> entry,
                      registry_->Latest(latest.city_name, variable));
  if (!entry) return std::optional<Prediction>();
  const forecast::RegularSeries series =
      forecast::SeriesOf(rows, *forecast::ForecastField(variable), step_ms(), config_.max_gap_steps);
  Result<forecast::FittedModel> model = forecast::FittedModelFromJson(entry->fitted);
  Result<forecast::ArimaForecast> fc =
      model.ok() ? forecast::ForecastModel(*model, series.values, 1) : Result<forecast::ArimaForecast>(model.status());
  if (!fc.ok() || !std::isfinite(fc->mean[0])) {
    ++stats->fallbacks;
    return std::optional<Prediction>();
  }
  ++stats->from_registry;
  Prediction p = Predicted(latest, variable, fc->mean[0], entry->describe);
  const auto i80 = IntervalAt(*model, series.values, 0.80), i95 = IntervalAt(*model, series.values, 0.95);
  if (i80 && i95) {
    std::tie(p.lower80, p.upper80) = *i80;
    std::tie(p.lower95, p.upper95) = *i95;
  }
  return std::optional<Prediction>(std::move(p));
}

Prediction PredictStage::Predicted(const WeatherRow& latest, const std::string& variable, double value,
                                   const std::string& model) const {
  Prediction p;
  p.city_name = latest.city_name;
  p.variable = variable;
  p.target_time = latest.time.PlusMillis(step_ms());
  p.value = value;
  p.model = model;
  return p;
}

Result<PredictStats> PredictStage::Run(Timestamp logical_time) {
  PredictStats stats;
  MF_ASSIGN_OR_RETURN(auto latest, store_.LatestWeather());
  std::vector<Prediction> out;
  std::vector<PredictionError> errors;
  for (const auto& row : latest) {
    ++stats.cities;
    MF_ASSIGN_OR_RETURN(std::vector<PredictionError> scored, Score(row.city_name, row.time));
    errors.insert(errors.end(), scored.begin(), scored.end());
    const Timestamp from = row.time.PlusMillis(-int64_t{config_.window_days} * 86'400'000);
    MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> rows,
                        store_.QueryWeather(row.city_name, from, row.time.PlusMillis(1)));
    for (const auto& [variable, field] : forecast::kForecastVariables) {
      const auto& value = row.at(field);
      if (!value) continue;
      std::optional<Prediction> p;
      if (registry_) {
        MF_ASSIGN_OR_RETURN(p, FromRegistry(row, variable, rows, &stats));
      }
      if (!p) {
        p = Predicted(row, variable, *value, kBaselineName);
        SetInterval(&*p, PersistenceSigma(forecast::SeriesOf(rows, field, step_ms(), config_.max_gap_steps)));
      }
      p->created_at = logical_time;
      out.push_back(std::move(*p));
    }
  }
  MF_RETURN_IF_ERROR(store_.UpsertPredictionErrors(errors));
  MF_RETURN_IF_ERROR(store_.UpsertPredictions(out));
  stats.predictions = static_cast<int64_t>(out.size());
  stats.scored = static_cast<int64_t>(errors.size());
  return stats;
}

}  // namespace meteoflow
