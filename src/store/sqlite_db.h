// SqliteDb: a thin RAII wrapper over one SQLite connection with prepared statements and
// Status errors ("sqlite <file>: <what>: <sqlite message>").
//
// Opened in WAL mode with synchronous=FULL, so a committed transaction survives a crash.
// Thread-safety: one connection; callers serialise (SqliteStore holds a mutex).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace meteoflow {

using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

// A time as stored in meteoflow's SQLite files (Timestamp::ToFixedString), NULL when absent.
SqlValue SqlTime(const std::optional<Timestamp>& t);
// The reverse: empty text (NULL) or unparseable text gives nullopt.
std::optional<Timestamp> ParseSqlTime(const std::string& text);

class SqlStatement {
 public:
  SqlStatement(sqlite3* db, sqlite3_stmt* stmt, std::string file) : db_(db), stmt_(stmt), file_(std::move(file)) {}
  ~SqlStatement() { sqlite3_finalize(stmt_); }
  SqlStatement(const SqlStatement&) = delete;
  SqlStatement& operator=(const SqlStatement&) = delete;

  void Bind(int index, const SqlValue& value);
  void BindOptional(int index, const std::optional<double>& value);
  // Steps once: true when a row is available, false when done.
  Result<bool> Step();
  Status Run();  // steps to completion and resets for reuse
  void Reset();
  int ColumnCount() const { return sqlite3_column_count(stmt_); }
  std::string ColumnName(int i) const { return sqlite3_column_name(stmt_, i); }
  SqlValue Column(int i) const;
  std::optional<double> ColumnDouble(int i) const;
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  std::string ColumnText(int i) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string file_;
};

class SqliteDb {
 public:
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, bool read_only = false);
  ~SqliteDb();

  Status Exec(const std::string& sql);
  // Runs schema statements in one write transaction (safe when processes open the file at once).
  Status ExecSchema(const std::string& sql);
  Result<std::unique_ptr<SqlStatement>> Prepare(const std::string& sql);
  const std::string& path() const { return path_; }

 private:
  SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

}  // namespace meteoflow
