// ModelRegistry: the versioned record of the models the train stage chose, one line of history
// per (city, variable), in its own SQLite file (<data_dir>/models.db, WAL).
//
// Each version keeps the fitted model (FittedModel JSON: parameters, sigma2, the XGBoost
// booster), the backtest metrics of every candidate, the training window (first and last step),
// the number of observations and a fingerprint of the training data and candidate set.
// Register is idempotent: when the newest version has the same fingerprint and model, no new
// version is made and that version is returned, so re-running a train run changes nothing.
//
// Errors: SQLite failures name the file; a stored model that no longer parses is reported by
// the caller that decodes it (FittedModelFromJson).
//
// Thread-safety: calls are serialised by an internal mutex; several processes may share the
// file (versions are assigned inside one write transaction).
#pragma once

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "store/sqlite_db.h"

namespace meteoflow::forecast {

struct RegistryEntry {
  std::string city_name, variable;
  int64_t version = 0;             // 1, 2, ... per (city, variable), assigned by Register
  std::string model;               // the chosen candidate's spec name, e.g. "sarima"
  std::string describe;            // what was fitted, e.g. "ARIMA(1,1,1)(1,1,1,12)"
  nlohmann::json fitted;           // ToJson(FittedModel)
  nlohmann::json metrics;          // the backtest scores of every candidate, best first
  Timestamp train_from, train_to;  // first and last step of the training series
  int64_t step_ms = 0;
  int64_t observations = 0;
  std::string fingerprint;
  Timestamp created_at;  // the train run's logical date
};

struct Registered {
  int64_t version = 0;
  bool created = false;  // false: the newest version already had this data and model
};

class ModelRegistry {
 public:
  static Result<std::unique_ptr<ModelRegistry>> Open(const std::string& path);

  // Records every entry in one transaction (all or none); returns the version each was recorded
  // as (new, or the newest one when unchanged).
  Result<std::vector<Registered>> Register(const std::vector<RegistryEntry>& entries);
  // The newest version for (city, variable), if any.
  Result<std::optional<RegistryEntry>> Latest(const std::string& city_name, const std::string& variable);
  // Every version, ordered by city, variable, version; only the newest per pair when latest_only.
  Result<std::vector<RegistryEntry>> List(bool latest_only);

 private:
  explicit ModelRegistry(std::unique_ptr<SqliteDb> db) : db_(std::move(db)) {}
  Result<Registered> RegisterOne(const RegistryEntry& entry);  // inside the caller's transaction
  Result<std::vector<RegistryEntry>> Query(const std::string& where, const std::vector<SqlValue>& args);

  std::mutex mu_;
  std::unique_ptr<SqliteDb> db_;
};

// A hex fingerprint (64-bit FNV-1a) of a training series and the candidate names.
std::string Fingerprint(const std::vector<double>& values, const std::vector<std::string>& candidates);

}  // namespace meteoflow::forecast
