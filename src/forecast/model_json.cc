#include "forecast/model_json.h"

#include <cmath>

namespace meteoflow::forecast {
namespace {

using nlohmann::json;

ArimaOrder Order(int p, int d, int q, int P, int D, int Q, int s) {
  ArimaOrder o;
  o.p = p, o.d = d, o.q = q, o.P = P, o.D = D, o.Q = Q, o.s = s;
  return o;
}

json OrderJson(const ArimaOrder& o) {
  return {{"p", o.p},
          {"d", o.d},
          {"q", o.q},
          {"P", o.P},
          {"D", o.D},
          {"Q", o.Q},
          {"s", o.s},
          {"constant", o.constant},
          {"start", o.start == DiffuseStart::kApproximate ? "approximate" : "exact"}};
}

Result<ArimaOrder> OrderFrom(const json& j) {
  ArimaOrder o = Order(j.at("p"), j.at("d"), j.at("q"), j.at("P"), j.at("D"), j.at("Q"), j.at("s"));
  o.constant = j.at("constant");
  // Registries written before the choice existed used the exact start.
  const std::string start = j.value("start", std::string("exact"));
  if (start != "exact" && start != "approximate") {
    return Status::InvalidArgument("fitted model: order start '" + start + "' is not exact or approximate");
  }
  o.start = start == "approximate" ? DiffuseStart::kApproximate : DiffuseStart::kExact;
  return o;
}

// Non-finite numbers are written as null (JSON has no infinity) and read back as `if_null`.
json Number(double v) { return std::isfinite(v) ? json(v) : json(); }
double NumberAt(const json& j, const char* key, double if_null) {
  const json& v = j.at(key);
  return v.is_null() ? if_null : v.get<double>();
}

}  // namespace

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
    case ModelKind::kNwp:
      out["nwp"] = {{"bias", m.nwp.bias}, {"sigma2", m.nwp.sigma2}, {"nobs", m.nwp.nobs}};
      break;
    case ModelKind::kArima:
    case ModelKind::kAutoArima:
    case ModelKind::kNwpArima:
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
                        {"booster", BoosterText(m.boosted)}};
      break;
  }
  return out;
}

Result<FittedModel> FittedModelFromJson(const json& j) {
  try {
    MF_ASSIGN_OR_RETURN(ModelSpec spec, SpecNamed(j.at("spec").get<std::string>(), j.at("season").get<int>()));
    MF_ASSIGN_OR_RETURN(spec.order, OrderFrom(j.at("order")));
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
      case ModelKind::kNwp: {
        const json& n = j.at("nwp");
        m.nwp.bias = n.at("bias");
        m.nwp.sigma2 = n.at("sigma2");
        m.nwp.nobs = n.at("nobs");
        break;
      }
      case ModelKind::kArima:
      case ModelKind::kAutoArima:
      case ModelKind::kNwpArima: {
        const json& a = j.at("arima");
        MF_ASSIGN_OR_RETURN(m.arima.order, OrderFrom(a.at("order")));
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

nlohmann::ordered_json ScoresJson(const std::vector<BacktestScore>& scores) {
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
  return out;
}

}  // namespace meteoflow::forecast
