#include "forecast/models/boosted_lags.h"

#include <xgboost/c_api.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "forecast/models/normal.h"

namespace meteoflow::forecast {
namespace {

Status XgbError(const char* what) {
  return Status::Internal(std::string("xgboost: ") + what + ": " + XGBGetLastError());
}

struct MatrixDeleter {
  void operator()(void* m) const { XGDMatrixFree(m); }
};
struct BoosterDeleter {
  void operator()(void* b) const { XGBoosterFree(b); }
};
using Matrix = std::unique_ptr<void, MatrixDeleter>;
using Booster = std::unique_ptr<void, BoosterDeleter>;

Result<Matrix> MakeMatrix(const std::vector<float>& features, size_t rows, size_t columns) {
  DMatrixHandle handle = nullptr;
  // One thread: the caller parallelises over series, and OpenMP workers per tiny matrix cost more than they save.
  if (XGDMatrixCreateFromMat_omp(features.data(), rows, columns, NAN, &handle, 1) != 0) {
    return XgbError("creating a matrix");
  }
  return Matrix(handle);
}

Result<Booster> MakeBooster(DMatrixHandle train) {
  BoosterHandle handle = nullptr;
  if (XGBoosterCreate(&train, train ? 1 : 0, &handle) != 0) return XgbError("creating a booster");
  Booster booster(handle);
  if (XGBoosterSetParam(handle, "nthread", "1") != 0) return XgbError("setting nthread");
  return booster;
}

std::vector<double> Changes(const std::vector<double>& y) {
  std::vector<double> d;
  for (size_t t = 1; t < y.size(); ++t) d.push_back(y[t] - y[t - 1]);
  return d;
}

// One row per predictable change: the `lags` changes before it, newest first.
void LagRows(const std::vector<double>& d, size_t lags, std::vector<float>* features, std::vector<float>* labels) {
  for (size_t t = lags; t < d.size(); ++t) {
    for (size_t k = 1; k <= lags; ++k) features->push_back(static_cast<float>(d[t - k]));
    labels->push_back(static_cast<float>(d[t]));
  }
}

Result<std::vector<float>> Predict(BoosterHandle booster, const std::vector<float>& features, size_t lags) {
  const size_t rows = features.size() / lags;
  MF_ASSIGN_OR_RETURN(Matrix m, MakeMatrix(features, rows, lags));
  bst_ulong len = 0;
  const float* out = nullptr;
  if (XGBoosterPredict(booster, m.get(), 0, 0, 0, &len, &out) != 0) return XgbError("predicting");
  if (len != rows)
    return Status::Internal("xgboost: predicted " + std::to_string(len) + " values for " + std::to_string(rows) +
                            " rows");
  return std::vector<float>(out, out + len);
}

Status CheckSeries(const std::vector<double>& y, int lags) {
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) return Status::InvalidArgument("value " + std::to_string(i) + " is not finite");
  }
  if (y.size() < 2 * static_cast<size_t>(lags) + 3) {
    return Status::InvalidArgument(std::to_string(y.size()) + " observations are too few for a boosted model of " +
                                   std::to_string(lags) + " lags");
  }
  return Status::OK();
}

}  // namespace

Result<BoostedLagModel> FitBoostedLags(const std::vector<double>& y, const BoostedLagOptions& options) {
  if (options.lags < 1 || options.lags > 64 || options.rounds < 1 || options.rounds > 5000 || options.max_depth < 1 ||
      options.max_depth > 12 || !(options.learning_rate > 0 && options.learning_rate <= 1)) {
    return Status::InvalidArgument(
        "boosted lags: lags in [1, 64], rounds in [1, 5000], depth in [1, 12], "
        "learning rate in (0, 1]");
  }
  MF_RETURN_IF_ERROR(CheckSeries(y, options.lags));
  const size_t lags = static_cast<size_t>(options.lags);
  std::vector<float> features, labels;
  LagRows(Changes(y), lags, &features, &labels);
  MF_ASSIGN_OR_RETURN(Matrix train, MakeMatrix(features, labels.size(), lags));
  if (XGDMatrixSetFloatInfo(train.get(), "label", labels.data(), labels.size()) != 0) return XgbError("setting labels");
  MF_ASSIGN_OR_RETURN(Booster booster, MakeBooster(train.get()));
  // Trees start from the mean change (XGBoost's default start, 0.5, would bias short fits).
  double mean_change = 0;
  for (float l : labels) mean_change += l;
  mean_change /= static_cast<double>(labels.size());
  char base_score[32];
  std::snprintf(base_score, sizeof base_score, "%.9g", mean_change);
  const std::pair<const char*, std::string> params[] = {{"base_score", base_score},
                                                        {"objective", "reg:squarederror"},
                                                        {"max_depth", std::to_string(options.max_depth)},
                                                        {"eta", std::to_string(options.learning_rate)},
                                                        {"seed", "0"},
                                                        {"verbosity", "0"}};
  for (const auto& [key, value] : params) {
    if (XGBoosterSetParam(booster.get(), key, value.c_str()) != 0) return XgbError(key);
  }
  for (int round = 0; round < options.rounds; ++round) {
    if (XGBoosterUpdateOneIter(booster.get(), round, train.get()) != 0) return XgbError("training");
  }
  MF_ASSIGN_OR_RETURN(const std::vector<float> fitted, Predict(booster.get(), features, lags));
  BoostedLagModel model;
  model.options = options;
  model.nobs = static_cast<int>(labels.size());
  double sum2 = 0;
  for (size_t i = 0; i < labels.size(); ++i) sum2 += std::pow(double{labels[i]} - fitted[i], 2);
  model.sigma2 = sum2 / static_cast<double>(labels.size());
  model.trained = std::shared_ptr<void>(booster.release(), BoosterDeleter());
  return model;
}

std::string BoosterText(const BoostedLagModel& model) {
  if (!model.booster.empty() || !model.trained) return model.booster;
  bst_ulong len = 0;
  const char* text = nullptr;
  if (XGBoosterSaveModelToBuffer(model.trained.get(), "{\"format\": \"json\"}", &len, &text) != 0) return "";
  return std::string(text, len);
}

Result<ArimaForecast> ForecastBoostedLags(const BoostedLagModel& model, const std::vector<double>& y, int horizon,
                                          double level) {
  if (horizon < 1 || horizon > 10000) return Status::InvalidArgument("horizon must be in [1, 10000]");
  if (!(level > 0 && level < 1)) return Status::InvalidArgument("interval level must be in (0, 1)");
  const size_t lags = static_cast<size_t>(model.options.lags);
  if (lags < 1 || y.size() < lags + 1) return Status::InvalidArgument("too few observations to forecast from");
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) return Status::InvalidArgument("value " + std::to_string(i) + " is not finite");
  }
  Booster loaded;
  BoosterHandle booster = model.trained.get();
  if (!booster) {
    MF_ASSIGN_OR_RETURN(loaded, MakeBooster(nullptr));
    if (XGBoosterLoadModelFromBuffer(loaded.get(), model.booster.data(), model.booster.size()) != 0) {
      return XgbError("loading the model");
    }
    booster = loaded.get();
  }
  std::vector<double> d = Changes(y);
  double level_now = y.back();
  const double z = TwoSidedNormalQuantile(level), sigma = std::sqrt(model.sigma2);
  ArimaForecast out;
  for (int h = 1; h <= horizon; ++h) {
    std::vector<float> row;
    for (size_t k = 1; k <= lags; ++k) row.push_back(static_cast<float>(d[d.size() - k]));
    MF_ASSIGN_OR_RETURN(const std::vector<float> next, Predict(booster, row, lags));
    d.push_back(next[0]);
    level_now += next[0];
    const double half = z * sigma * std::sqrt(static_cast<double>(h));
    out.mean.push_back(level_now);
    out.lower.push_back(level_now - half);
    out.upper.push_back(level_now + half);
  }
  return out;
}

}  // namespace meteoflow::forecast
