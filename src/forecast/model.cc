#include "forecast/model.h"

#include <cmath>

#include "forecast/unit_root.h"

namespace meteoflow::forecast {
namespace {

using nlohmann::json;

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

json OrderJson(const ArimaOrder& o) {
  return {{"p", o.p}, {"d", o.d}, {"q", o.q}, {"P", o.P}, {"D", o.D}, {"Q", o.Q}, {"s", o.s}, {"constant", o.constant}};
}

ArimaOrder OrderFrom(const json& j) {
  ArimaOrder o = Order(j.at("p"), j.at("d"), j.at("q"), j.at("P"), j.at("D"), j.at("Q"), j.at("s"));
  o.constant = j.at("constant");
  return o;
}

// Non-finite numbers are written as null (JSON has no infinity) and read back as `if_null`.
json Number(double v) { return std::isfinite(v) ? json(v) : json(); }
double NumberAt(const json& j, const char* key, double if_null) {
  const json& v = j.at(key);
  return v.is_null() ? if_null : v.get<double>();
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

json ToJson(const FittedModel& m) {
  json out = {{"spec", m.spec.name},
              {"season", m.spec.season},
              {"order", OrderJson(m.spec.order)},
              {"describe", m.Describe()},
              {"linear_trend", m.spec.linear_trend}};
  switch (m.spec.kind) {
    case ModelKind::kBaseline:
      out["baseline"] = {{"drift", m.baseline.drift},
                         {"sigma2", m.baseline.sigma2},
                         {"nobs", m.baseline.nobs},
                         {"loglik", Number(m.baseline.loglik)}};
      break;
    case ModelKind::kArima:
    case ModelKind::kAutoArima:
      out["arima"] = {{"order", OrderJson(m.arima.order)},
                      {"ar", m.arima.ar},
                      {"ma", m.arima.ma},
                      {"seasonal_ar", m.arima.seasonal_ar},
                      {"seasonal_ma", m.arima.seasonal_ma},
                      {"mean", m.arima.mean},
                      {"beta", m.arima.beta},
                      {"sigma2", m.arima.sigma2},
                      {"loglik", m.arima.loglik},
                      {"aicc", Number(m.arima.aicc)},
                      {"nobs", m.arima.nobs}};
      break;
    case ModelKind::kBoostedLags:
      out["boosted"] = {{"lags", m.boosted.options.lags},
                        {"rounds", m.boosted.options.rounds},
                        {"max_depth", m.boosted.options.max_depth},
                        {"learning_rate", m.boosted.options.learning_rate},
                        {"sigma2", m.boosted.sigma2},
                        {"nobs", m.boosted.nobs},
                        {"booster", m.boosted.booster}};
      break;
  }
  return out;
}

Result<FittedModel> FittedModelFromJson(const json& j) {
  try {
    MF_ASSIGN_OR_RETURN(ModelSpec spec, SpecNamed(j.at("spec").get<std::string>(), j.at("season").get<int>()));
    spec.order = OrderFrom(j.at("order"));
    spec.linear_trend = j.value("linear_trend", false);
    FittedModel m;
    m.spec = spec;
    switch (spec.kind) {
      case ModelKind::kBaseline: {
        const json& b = j.at("baseline");
        m.baseline.kind = spec.baseline;
        m.baseline.season = spec.season;
        m.baseline.drift = b.at("drift");
        m.baseline.sigma2 = b.at("sigma2");
        m.baseline.nobs = b.at("nobs");
        m.baseline.loglik = NumberAt(b, "loglik", INFINITY);  // a perfect fit: zero residual variance
        break;
      }
      case ModelKind::kArima:
      case ModelKind::kAutoArima: {
        const json& a = j.at("arima");
        m.arima.order = OrderFrom(a.at("order"));
        m.arima.ar = a.at("ar").get<std::vector<double>>();
        m.arima.ma = a.at("ma").get<std::vector<double>>();
        m.arima.seasonal_ar = a.at("seasonal_ar").get<std::vector<double>>();
        m.arima.seasonal_ma = a.at("seasonal_ma").get<std::vector<double>>();
        if (m.arima.ar.size() != static_cast<size_t>(m.arima.order.p) ||
            m.arima.ma.size() != static_cast<size_t>(m.arima.order.q) ||
            m.arima.seasonal_ar.size() != static_cast<size_t>(m.arima.order.P) ||
            m.arima.seasonal_ma.size() != static_cast<size_t>(m.arima.order.Q)) {
          return Status::InvalidArgument("fitted model: arima coefficients do not match the order");
        }
        m.arima.mean = a.at("mean");
        m.arima.beta = a.value("beta", std::vector<double>{});
        m.arima.sigma2 = a.at("sigma2");
        m.arima.loglik = a.at("loglik");
        m.arima.aicc = NumberAt(a, "aicc", INFINITY);  // too few observations for the correction
        m.arima.nobs = a.at("nobs");
        break;
      }
      case ModelKind::kBoostedLags: {
        const json& b = j.at("boosted");
        m.boosted.options.lags = b.at("lags");
        m.boosted.options.rounds = b.at("rounds");
        m.boosted.options.max_depth = b.at("max_depth");
        m.boosted.options.learning_rate = b.at("learning_rate");
        m.boosted.sigma2 = b.at("sigma2");
        m.boosted.nobs = b.at("nobs");
        m.boosted.booster = b.at("booster").get<std::string>();
        break;
      }
    }
    return m;
  } catch (const json::exception& e) {
    return Status::InvalidArgument(std::string("fitted model JSON: ") + e.what());
  }
}

}  // namespace meteoflow::forecast
