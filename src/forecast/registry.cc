#include "forecast/registry.h"

#include <cstdio>
#include <cstring>

namespace meteoflow::forecast {
namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS model_versions (city_name TEXT NOT NULL, variable TEXT NOT NULL, "
    "version INTEGER NOT NULL, model TEXT NOT NULL, describe TEXT NOT NULL, fitted TEXT NOT NULL, "
    "metrics TEXT NOT NULL, train_from TEXT NOT NULL, train_to TEXT NOT NULL, step_ms INTEGER NOT NULL, "
    "observations INTEGER NOT NULL, fingerprint TEXT NOT NULL, created_at TEXT NOT NULL, "
    "PRIMARY KEY (city_name, variable, version)) WITHOUT ROWID;\n";

constexpr const char* kColumns =
    "city_name, variable, version, model, describe, fitted, metrics, train_from, train_to, step_ms, observations, "
    "fingerprint, created_at";

constexpr const char* kNewestOfPair =
    "WHERE city_name = ?1 AND variable = ?2 AND version = (SELECT max(version) FROM model_versions WHERE "
    "city_name = ?1 AND variable = ?2)";

void Mix(uint64_t* h, const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    *h ^= p[i];
    *h *= 1099511628211ull;
  }
}

}  // namespace

std::string Fingerprint(const std::vector<double>& values, const std::vector<std::string>& candidates) {
  uint64_t h = 1469598103934665603ull;
  for (double v : values) Mix(&h, &v, sizeof v);
  for (const std::string& c : candidates) Mix(&h, c.c_str(), c.size() + 1);
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

Result<std::unique_ptr<ModelRegistry>> ModelRegistry::Open(const std::string& path) {
  MF_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path));
  MF_RETURN_IF_ERROR(db->ExecSchema(kSchema));
  return std::unique_ptr<ModelRegistry>(new ModelRegistry(std::move(db)));
}

Result<std::vector<RegistryEntry>> ModelRegistry::Query(const std::string& where, const std::vector<SqlValue>& args) {
  MF_ASSIGN_OR_RETURN(auto stmt, db_->Prepare(std::string("SELECT ") + kColumns + " FROM model_versions " + where +
                                              " ORDER BY city_name, variable, version"));
  for (size_t i = 0; i < args.size(); ++i) stmt->Bind(static_cast<int>(i + 1), args[i]);
  std::vector<RegistryEntry> out;
  while (true) {
    MF_ASSIGN_OR_RETURN(bool row, stmt->Step());
    if (!row) break;
    RegistryEntry e;
    e.city_name = stmt->ColumnText(0);
    e.variable = stmt->ColumnText(1);
    e.version = stmt->ColumnInt(2);
    e.model = stmt->ColumnText(3);
    e.describe = stmt->ColumnText(4);
    e.fitted = nlohmann::json::parse(stmt->ColumnText(5), nullptr, false);
    e.metrics = nlohmann::json::parse(stmt->ColumnText(6), nullptr, false);
    e.train_from = ParseSqlTime(stmt->ColumnText(7)).value_or(Timestamp());
    e.train_to = ParseSqlTime(stmt->ColumnText(8)).value_or(Timestamp());
    e.step_ms = stmt->ColumnInt(9);
    e.observations = stmt->ColumnInt(10);
    e.fingerprint = stmt->ColumnText(11);
    e.created_at = ParseSqlTime(stmt->ColumnText(12)).value_or(Timestamp());
    out.push_back(std::move(e));
  }
  return out;
}

Result<Registered> ModelRegistry::RegisterOne(const RegistryEntry& entry) {
  MF_ASSIGN_OR_RETURN(auto newest, Query(kNewestOfPair, {entry.city_name, entry.variable}));
  if (!newest.empty() && newest[0].fingerprint == entry.fingerprint && newest[0].model == entry.model) {
    return Registered{newest[0].version, false};
  }
  const int64_t version = newest.empty() ? 1 : newest[0].version + 1;
  MF_ASSIGN_OR_RETURN(auto insert, db_->Prepare(std::string("INSERT INTO model_versions (") + kColumns +
                                                ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  const SqlValue values[] = {entry.city_name,
                             entry.variable,
                             version,
                             entry.model,
                             entry.describe,
                             entry.fitted.dump(),
                             entry.metrics.dump(),
                             SqlTime(entry.train_from),
                             SqlTime(entry.train_to),
                             entry.step_ms,
                             entry.observations,
                             entry.fingerprint,
                             SqlTime(entry.created_at)};
  for (size_t i = 0; i < std::size(values); ++i) insert->Bind(static_cast<int>(i + 1), values[i]);
  MF_RETURN_IF_ERROR(insert->Run());
  return Registered{version, true};
}

Result<std::vector<Registered>> ModelRegistry::Register(const std::vector<RegistryEntry>& entries) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_RETURN_IF_ERROR(db_->Exec("BEGIN IMMEDIATE"));
  std::vector<Registered> versions;
  for (const RegistryEntry& entry : entries) {
    Result<Registered> version = RegisterOne(entry);
    if (!version.ok()) {
      (void)db_->Exec("ROLLBACK");
      return version.status();
    }
    versions.push_back(*version);
  }
  MF_RETURN_IF_ERROR(db_->Exec("COMMIT"));
  return versions;
}

Result<std::optional<RegistryEntry>> ModelRegistry::Latest(const std::string& city_name, const std::string& variable) {
  std::lock_guard<std::mutex> lock(mu_);
  MF_ASSIGN_OR_RETURN(auto rows, Query(kNewestOfPair, {city_name, variable}));
  if (rows.empty()) return std::optional<RegistryEntry>();
  return std::optional<RegistryEntry>(std::move(rows.back()));
}

Result<std::vector<RegistryEntry>> ModelRegistry::List(bool latest_only) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!latest_only) return Query("", {});
  return Query(
      "AS m WHERE version = (SELECT max(version) FROM model_versions AS n WHERE n.city_name = m.city_name "
      "AND n.variable = m.variable)",
      {});
}

}  // namespace meteoflow::forecast
