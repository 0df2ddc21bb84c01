#include "forecast/models/error_stats.h"

#include <cmath>

namespace meteoflow::forecast {

void ErrorStats::Add(double error, std::optional<double> persistence_error) {
  ++count_;
  abs_ += std::fabs(error);
  sq_ += error * error;
  sum_ += error;
  if (persistence_error) {
    ++paired_;
    paired_sq_ += error * error;
    persistence_sq_ += *persistence_error * *persistence_error;
  }
}

void ErrorStats::Merge(const ErrorStats& other) {
  count_ += other.count_;
  paired_ += other.paired_;
  abs_ += other.abs_;
  sq_ += other.sq_;
  sum_ += other.sum_;
  paired_sq_ += other.paired_sq_;
  persistence_sq_ += other.persistence_sq_;
}

double ErrorStats::mae() const { return count_ ? abs_ / static_cast<double>(count_) : NAN; }
double ErrorStats::rmse() const { return count_ ? std::sqrt(sq_ / static_cast<double>(count_)) : NAN; }
double ErrorStats::bias() const { return count_ ? sum_ / static_cast<double>(count_) : NAN; }

std::optional<double> ErrorStats::persistence_rmse() const {
  if (paired_ == 0) return std::nullopt;
  return std::sqrt(persistence_sq_ / static_cast<double>(paired_));
}

std::optional<double> ErrorStats::skill() const {
  if (paired_ == 0 || persistence_sq_ == 0) return std::nullopt;
  return 1 - std::sqrt(paired_sq_ / persistence_sq_);
}

}  // namespace meteoflow::forecast
