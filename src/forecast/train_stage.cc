#include "forecast/train_stage.h"

#include <optional>

#include "core/parallel.h"
#include "forecast/model_json.h"
#include "forecast/models/backtest.h"
#include "forecast/service_regressor.h"
#include "forecast/store_series.h"

namespace meteoflow {
namespace {

using forecast::RegularSeries;

struct Job {
  std::string city, variable;
  RegularSeries series;
  forecast::Regressors exog;  // the weather service's forecast over the series, when the candidates use it
  std::optional<forecast::RegistryEntry> entry;  // set when a model was chosen and fitted
};

// Backtests the candidates on the job's series and fits the best one that fits the whole series.
void Train(const std::vector<forecast::ModelSpec>& candidates, const ForecastConfig& config, Timestamp logical,
           Job* job) {
  const std::vector<double>& y = job->series.values;
  std::map<std::string, forecast::FittedModel> last_fits;
  Result<std::vector<forecast::BacktestScore>> scores =
      forecast::Backtest(y, candidates, config.origins, config.horizon, job->exog, &last_fits);
  if (!scores.ok()) return;
  for (const std::string& name : forecast::ChoiceOrder(*scores, config.persistence_margin)) {
    auto spec = std::find_if(candidates.begin(), candidates.end(), [&](const auto& c) { return c.name == name; });
    const auto warm = last_fits.find(name);
    Result<forecast::FittedModel> fit =
        forecast::FitModel(*spec, y, job->exog, warm == last_fits.end() ? nullptr : &warm->second);
    if (!fit.ok()) continue;
    forecast::RegistryEntry e;
    e.city_name = job->city;
    e.variable = job->variable;
    e.model = spec->name;
    e.describe = fit->Describe();
    e.fitted = forecast::ToJson(*fit);
    e.metrics = forecast::ScoresJson(*scores);
    e.train_from = job->series.first_step;
    e.train_to = job->series.last_step;
    e.step_ms = job->series.step_ms;
    e.observations = static_cast<int64_t>(y.size());
    e.fingerprint = forecast::Fingerprint(y, config.candidates);
    e.created_at = logical;
    job->entry = std::move(e);
    return;
  }
}

}  // namespace

Result<TrainStats> TrainStage::Run(Timestamp logical_time) {
  MF_ASSIGN_OR_RETURN(const std::vector<forecast::ModelSpec> candidates,
                      forecast::SpecsNamed(config_.candidates, config_.season));
  const int64_t step_ms = int64_t{config_.step_minutes} * 60'000;
  const Timestamp from = logical_time.PlusMillis(-int64_t{config_.window_days} * 86'400'000);
  const bool uses_forecast =
      std::any_of(candidates.begin(), candidates.end(), [](const auto& c) { return forecast::NeedsRegressor(c.kind); });
  TrainStats stats;
  MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> latest, store_.LatestWeather());
  std::vector<Job> jobs;
  for (const WeatherRow& city : latest) {
    MF_ASSIGN_OR_RETURN(const std::vector<WeatherRow> rows, store_.QueryWeather(city.city_name, from, logical_time));
    std::vector<ServiceForecast> service;
    if (uses_forecast) {
      MF_ASSIGN_OR_RETURN(service, store_.QueryServiceForecasts(city.city_name, from, logical_time));
    }
    for (const auto& [variable, field] : forecast::kForecastVariables) {
      RegularSeries series = forecast::SeriesOf(rows, field, step_ms, config_.max_gap_steps);
      if (series.values.empty()) continue;
      ++stats.series;
      if (series.values.size() < static_cast<size_t>(config_.min_observations)) {
        ++stats.too_short;
        continue;
      }
      forecast::Regressors exog =
          forecast::ServiceColumnsFor(forecast::ServiceRegressor(service, variable), series.times, step_ms, 0)
              .over_series;
      jobs.push_back({city.city_name, variable, std::move(series), std::move(exog), std::nullopt});
    }
  }
  ParallelFor(jobs.size(), [&](size_t i) { Train(candidates, config_, logical_time, &jobs[i]); });
  std::vector<forecast::RegistryEntry> entries;
  for (Job& job : jobs) {
    if (!job.entry) {
      ++stats.failed;
      continue;
    }
    ++stats.chosen[job.entry->model];
    entries.push_back(std::move(*job.entry));
  }
  MF_ASSIGN_OR_RETURN(const std::vector<forecast::Registered> registered, registry_.Register(entries));
  stats.trained = static_cast<int64_t>(registered.size());
  for (const auto& r : registered) stats.new_versions += r.created ? 1 : 0;
  return stats;
}

}  // namespace meteoflow
