// JSON forms of the forecasting library's results: a fitted model (what the registry stores and
// `model fit --json` prints) and backtest scores. Kept apart from forecast/models/, which has no
// JSON dependency.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "core/status.h"
#include "forecast/models/backtest.h"
#include "forecast/models/model.h"

namespace meteoflow::forecast {

// Every field needed to forecast again without refitting; non-finite numbers are written as null.
nlohmann::json ToJson(const FittedModel& model);
// The model ToJson wrote; a missing key, a wrong type or coefficients that do not match the
// order are InvalidArgument.
Result<FittedModel> FittedModelFromJson(const nlohmann::json& json);

// The scores as a JSON array of {model, scored, failures, rmse, mae, mape (null without any
// non-zero actual), coverage}: what `model backtest --json` prints and the registry keeps.
nlohmann::ordered_json ScoresJson(const std::vector<BacktestScore>& scores);

}  // namespace meteoflow::forecast
