#include "forecast/models/model.h"

#include <cmath>

#include "forecast/models/unit_root.h"

namespace meteoflow::forecast {
namespace {

ArimaOrder Order(int p, int d, int q, int P, int D, int Q, int s) {
  ArimaOrder o;
  o.p = p, o.d = d, o.q = q, o.P = P, o.D = D, o.Q = Q, o.s = s;
  return o;
}

const char* BaselineName(BaselineKind kind) {
  switch (kind) {
    case BaselineKind::kNaive:
      return "naive";
    case BaselineKind::kSeasonalNaive:
      return "snaive";
    case BaselineKind::kDrift:
      return "drift";
  }
  return "naive";
}

// The linear trend's regressor over `n` steps from time index `first`, or none.
Regressors TrendRegressor(const ModelSpec& spec, size_t first, size_t n) {
  if (!spec.linear_trend) return {};
  std::vector<double> t(n);
  for (size_t i = 0; i < n; ++i) t[i] = static_cast<double>(first + i);
  return {t};
}

}  // namespace

Result<ModelSpec> SpecNamed(const std::string& name, int season) {
  ModelSpec spec;
  spec.name = name;
  spec.season = season;
  if (name == "naive" || name == "drift" || name == "snaive") {
    spec.baseline = name == "naive"   ? BaselineKind::kNaive
                    : name == "drift" ? BaselineKind::kDrift
                                      : BaselineKind::kSeasonalNaive;
    if (name == "snaive" && season < 2) return Status::InvalidArgument("model snaive needs a seasonal period s >= 2");
    return spec;
  }
  if (name == "arima" || name == "sarima") {
    spec.kind = ModelKind::kArima;
    spec.order = name == "arima" ? Order(1, 1, 1, 0, 0, 0, 0) : Order(1, 1, 1, 1, 1, 1, season);
    if (name == "sarima" && season < 2) return Status::InvalidArgument("model sarima needs a seasonal period s >= 2");
    return spec;
  }
  if (name == "auto") {
    spec.kind = ModelKind::kAutoArima;
    spec.order = Order(0, 1, 0, 0, 0, 0, 0);
    spec.choose_d = true;
    return spec;
  }
  if (name == "xgb") {
    spec.kind = ModelKind::kBoostedLags;
    return spec;
  }
  return Status::InvalidArgument("unknown model '" + name +
                                 "' (known: naive, snaive, drift, arima, sarima, auto, xgb)");
}

std::string FittedModel::Describe() const {
  switch (spec.kind) {
    case ModelKind::kBaseline:
      return BaselineName(spec.baseline);
    case ModelKind::kArima:
    case ModelKind::kAutoArima:
      return arima.order.ToString();
    case ModelKind::kBoostedLags:
      return "boosted lags(" + std::to_string(boosted.options.lags) + ")";
  }
  return spec.name;
}

double FittedModel::sigma2() const {
  switch (spec.kind) {
    case ModelKind::kBaseline:
      return baseline.sigma2;
    case ModelKind::kArima:
    case ModelKind::kAutoArima:
      return arima.sigma2;
    case ModelKind::kBoostedLags:
      return boosted.sigma2;
  }
  return 0;
}

Result<FittedModel> FitModel(const ModelSpec& spec, const std::vector<double>& y) {
  FittedModel out;
  out.spec = spec;
  switch (spec.kind) {
    case ModelKind::kBaseline: {
      MF_ASSIGN_OR_RETURN(out.baseline, FitBaseline(y, spec.baseline, spec.season));
      break;
    }
    case ModelKind::kArima: {
      MF_ASSIGN_OR_RETURN(out.arima, FitArima(y, spec.order, TrendRegressor(spec, 1, y.size())));
      break;
    }
    case ModelKind::kAutoArima: {
      ArimaOrder base = spec.order;
      if (spec.choose_d) base.d = ChooseDifferencing(y).d;
      MF_ASSIGN_OR_RETURN(out.arima, AutoArima(y, base));
      break;
    }
    case ModelKind::kBoostedLags: {
      MF_ASSIGN_OR_RETURN(out.boosted, FitBoostedLags(y, spec.boosted));
      break;
    }
  }
  return out;
}

Result<ArimaForecast> ForecastModel(const FittedModel& model, const std::vector<double>& y, int horizon, double level) {
  switch (model.spec.kind) {
    case ModelKind::kBaseline:
      return ForecastBaseline(model.baseline, y, horizon, level);
    case ModelKind::kArima:
    case ModelKind::kAutoArima:
      return ForecastArima(y, model.arima, horizon, level, TrendRegressor(model.spec, 1, y.size()),
                           TrendRegressor(model.spec, y.size() + 1, static_cast<size_t>(horizon)));
    case ModelKind::kBoostedLags:
      return ForecastBoostedLags(model.boosted, y, horizon, level);
  }
  return Status::Internal("unknown model kind");
}

}  // namespace meteoflow::forecast
