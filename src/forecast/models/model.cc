#include "forecast/models/model.h"

#include <cmath>

#include "forecast/models/normal.h"
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

// nwp and nwp-arima take exactly one regressor, the forecast, `n` values long and finite.
Status CheckForecastRegressor(const ModelSpec& spec, const Regressors& x, size_t n, const char* over) {
  if (x.size() != 1) {
    return Status::InvalidArgument("model " + spec.name +
                                   " needs the weather service's forecast as its one regressor (got " +
                                   std::to_string(x.size()) + ")");
  }
  if (x[0].size() != n) {
    return Status::InvalidArgument("model " + spec.name + ": the forecast has " + std::to_string(x[0].size()) +
                                   " values over " + over + ", expected " + std::to_string(n));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[0][i]))
      return Status::InvalidArgument("model " + spec.name + ": forecast value " + std::to_string(i) + " is not finite");
  }
  return Status::OK();
}

// The part of a series the nwp models use: from just after the forecast's last missing
// (non-finite) value on -- it is missing where no forecast had been collected yet.
struct CoveredSeries {
  std::vector<double> y;
  Regressors exog;
};

Result<CoveredSeries> Covered(const ModelSpec& spec, const std::vector<double>& y, const Regressors& exog) {
  if (exog.size() != 1 || exog[0].size() != y.size()) return CheckForecastRegressor(spec, exog, y.size(), "the series");
  size_t from = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(exog[0][i])) from = i + 1;
  }
  CoveredSeries out;
  out.y.assign(y.begin() + static_cast<ptrdiff_t>(from), y.end());
  out.exog = {std::vector<double>(exog[0].begin() + static_cast<ptrdiff_t>(from), exog[0].end())};
  if (out.y.empty()) {
    return Status::InvalidArgument("model " + spec.name +
                                   ": the weather service's forecast is missing at the "
                                   "series' last step");
  }
  return out;
}

Result<NwpFit> FitNwp(const std::vector<double>& y, const std::vector<double>& forecast) {
  if (y.size() < 2) return Status::InvalidArgument("model nwp: too few observations to score the forecast on");
  NwpFit fit;
  double sum = 0, sq = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) return Status::InvalidArgument("value " + std::to_string(i) + " is not finite");
    const double e = y[i] - forecast[i];
    sum += e;
    sq += e * e;
  }
  fit.nobs = static_cast<int>(y.size());
  fit.bias = sum / fit.nobs;
  fit.sigma2 = sq / fit.nobs;
  return fit;
}

// The forecast as it is; its interval from its own mean squared error (the service's errors do not
// accumulate along the horizon as a random walk's do).
Result<ArimaForecast> ForecastNwp(const NwpFit& fit, const std::vector<double>& future, double level) {
  if (!(level > 0 && level < 1)) return Status::InvalidArgument("interval level must be in (0, 1)");
  const double half = TwoSidedNormalQuantile(level) * std::sqrt(fit.sigma2);
  ArimaForecast out;
  for (double v : future) {
    out.mean.push_back(v);
    out.lower.push_back(v - half);
    out.upper.push_back(v + half);
  }
  return out;
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
    spec.order.start = DiffuseStart::kApproximate;  // forecast better on the seed series' holdouts
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
  if (name == "nwp") {
    spec.kind = ModelKind::kNwp;
    return spec;
  }
  if (name == "nwp-arima") {
    spec.kind = ModelKind::kNwpArima;
    spec.order = Order(1, 0, 0, 0, 0, 0, 0);
    spec.order.constant = true;
    return spec;
  }
  return Status::InvalidArgument("unknown model '" + name +
                                 "' (known: naive, snaive, drift, arima, sarima, auto, xgb, nwp, nwp-arima)");
}

Result<std::vector<ModelSpec>> SpecsNamed(const std::vector<std::string>& names, int season) {
  std::vector<ModelSpec> out;
  for (const std::string& name : names) {
    MF_ASSIGN_OR_RETURN(ModelSpec spec, SpecNamed(name, season));
    out.push_back(std::move(spec));
  }
  return out;
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
    case ModelKind::kNwp:
      return "weather service forecast";
    case ModelKind::kNwpArima:
      return "forecast regression, " + arima.order.ToString() + " errors";
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
    case ModelKind::kNwp:
      return nwp.sigma2;
    case ModelKind::kNwpArima:
      return arima.sigma2;
  }
  return 0;
}

bool NeedsRegressor(ModelKind kind) { return kind == ModelKind::kNwp || kind == ModelKind::kNwpArima; }

Result<FittedModel> FitModel(const ModelSpec& spec, const std::vector<double>& y, const Regressors& exog,
                             const FittedModel* warm) {
  constexpr int kAutoMaxOrder = 3;  // AutoArima's default: p and q up to 3
  FittedModel out;
  out.spec = spec;
  if (warm && warm->spec.kind != spec.kind) warm = nullptr;
  const ArimaModel* warm_arima = warm ? &warm->arima : nullptr;
  switch (spec.kind) {
    case ModelKind::kBaseline: {
      MF_ASSIGN_OR_RETURN(out.baseline, FitBaseline(y, spec.baseline, spec.season));
      break;
    }
    case ModelKind::kArima: {
      MF_ASSIGN_OR_RETURN(out.arima, FitArima(y, spec.order, TrendRegressor(spec, 1, y.size()), warm_arima));
      break;
    }
    case ModelKind::kAutoArima: {
      ArimaOrder base = spec.order;
      if (spec.choose_d) base.d = ChooseDifferencing(y).d;
      if (warm) out.searched = warm->searched;
      MF_ASSIGN_OR_RETURN(out.arima, AutoArima(y, base, kAutoMaxOrder, /*stepwise=*/true, &out.searched));
      break;
    }
    case ModelKind::kBoostedLags: {
      MF_ASSIGN_OR_RETURN(out.boosted, FitBoostedLags(y, spec.boosted));
      break;
    }
    case ModelKind::kNwp:
    case ModelKind::kNwpArima: {
      MF_ASSIGN_OR_RETURN(const CoveredSeries covered, Covered(spec, y, exog));
      if (spec.kind == ModelKind::kNwp) {
        MF_ASSIGN_OR_RETURN(out.nwp, FitNwp(covered.y, covered.exog[0]));
      } else {
        MF_ASSIGN_OR_RETURN(out.arima, FitArima(covered.y, spec.order, covered.exog, warm_arima));
      }
      break;
    }
  }
  return out;
}

Result<ArimaForecast> ForecastModel(const FittedModel& model, const std::vector<double>& y, int horizon, double level,
                                    const Regressors& exog, const Regressors& future) {
  switch (model.spec.kind) {
    case ModelKind::kBaseline:
      return ForecastBaseline(model.baseline, y, horizon, level);
    case ModelKind::kArima:
    case ModelKind::kAutoArima:
      return ForecastArima(y, model.arima, horizon, level, TrendRegressor(model.spec, 1, y.size()),
                           TrendRegressor(model.spec, y.size() + 1, static_cast<size_t>(horizon)));
    case ModelKind::kBoostedLags:
      return ForecastBoostedLags(model.boosted, y, horizon, level);
    case ModelKind::kNwp:
    case ModelKind::kNwpArima: {
      MF_ASSIGN_OR_RETURN(const CoveredSeries covered, Covered(model.spec, y, exog));
      MF_RETURN_IF_ERROR(CheckForecastRegressor(model.spec, future, static_cast<size_t>(horizon), "the horizon"));
      if (model.spec.kind == ModelKind::kNwp) return ForecastNwp(model.nwp, future[0], level);
      return ForecastArima(covered.y, model.arima, horizon, level, covered.exog, future);
    }
  }
  return Status::Internal("unknown model kind");
}

}  // namespace meteoflow::forecast
