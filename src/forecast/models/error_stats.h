// ErrorStats: running accuracy of a set of forecasts -- count, MAE, RMSE, bias -- and their skill
// against persistence ("no change since the issue time"): 1 - RMSE / RMSE_persistence, positive
// when the forecasts beat it, scored only over the forecasts whose persistence error is known.
// The dashboard's error views and `meteoflow model evaluate` report these.
//
// Thread-safety: a value; not synchronised.
#pragma once

#include <cstdint>
#include <optional>

namespace meteoflow::forecast {

class ErrorStats {
 public:
  // `error` = actual - forecast; `persistence_error` = actual - the value at the issue time.
  void Add(double error, std::optional<double> persistence_error = std::nullopt);
  // Pools `other`'s forecasts into these.
  void Merge(const ErrorStats& other);

  int64_t count() const { return count_; }
  double mae() const;
  double rmse() const;
  double bias() const;  // mean of actual - forecast
  // RMSE of persistence and the skill over the forecasts with a persistence error; nullopt when
  // there are none or persistence was exact.
  std::optional<double> persistence_rmse() const;
  std::optional<double> skill() const;

 private:
  int64_t count_ = 0, paired_ = 0;
  double abs_ = 0, sq_ = 0, sum_ = 0;
  double paired_sq_ = 0, persistence_sq_ = 0;  // over the forecasts with a persistence error
};

}  // namespace meteoflow::forecast
