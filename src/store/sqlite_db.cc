#include "store/sqlite_db.h"

#include <chrono>
#include <cstring>
#include <thread>

namespace meteoflow {
namespace {

// SQLite's message, and the operating system's reason when a file operation failed ("disk I/O
// error" alone does not say that the disk is full).
std::string ErrorOf(sqlite3* db) {
  std::string message = sqlite3_errmsg(db);
  const int primary = sqlite3_errcode(db);
  const int os_error = sqlite3_system_errno(db);
  if (os_error != 0 && (primary == SQLITE_IOERR || primary == SQLITE_FULL || primary == SQLITE_CANTOPEN)) {
    message += std::string(" (") + std::strerror(os_error) + ")";
  }
  return message;
}

}  // namespace

SqlValue SqlTime(const std::optional<Timestamp>& t) { return t ? SqlValue(t->ToFixedString()) : SqlValue(); }

std::optional<Timestamp> ParseSqlTime(const std::string& text) {
  if (text.empty()) return std::nullopt;
  auto t = Timestamp::Parse(text);
  return t.ok() ? std::optional<Timestamp>(*t) : std::nullopt;
}

void SqlStatement::Bind(int index, const SqlValue& value) {
  if (std::holds_alternative<int64_t>(value)) {
    sqlite3_bind_int64(stmt_, index, std::get<int64_t>(value));
  } else if (std::holds_alternative<double>(value)) {
    sqlite3_bind_double(stmt_, index, std::get<double>(value));
  } else if (std::holds_alternative<std::string>(value)) {
    const auto& s = std::get<std::string>(value);
    sqlite3_bind_text(stmt_, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_null(stmt_, index);
  }
}

void SqlStatement::BindOptional(int index, const std::optional<double>& value) {
  if (value) {
    sqlite3_bind_double(stmt_, index, *value);
  } else {
    sqlite3_bind_null(stmt_, index);
  }
}

Result<bool> SqlStatement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Status::IOError("sqlite " + file_ + ": " + ErrorOf(db_));
}

Status SqlStatement::Run() {
  for (;;) {
    auto row = Step();
    if (!row.ok()) {
      Reset();
      return row.status();
    }
    if (!*row) break;
  }
  Reset();
  return Status::OK();
}

void SqlStatement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

SqlValue SqlStatement::Column(int i) const {
  switch (sqlite3_column_type(stmt_, i)) {
    case SQLITE_INTEGER:
      return static_cast<int64_t>(sqlite3_column_int64(stmt_, i));
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt_, i);
    case SQLITE_NULL:
      return std::monostate{};
    default:
      return ColumnText(i);
  }
}

std::optional<double> SqlStatement::ColumnDouble(int i) const {
  if (sqlite3_column_type(stmt_, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_double(stmt_, i);
}

std::string SqlStatement::ColumnText(int i) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))) : std::string();
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  const int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db ? ErrorOf(db) : "out of memory";
    sqlite3_close(db);
    return Status::IOError("sqlite " + path + ": open: " + msg);
  }
  sqlite3_busy_timeout(db, 10'000);
  auto out = std::unique_ptr<SqliteDb>(new SqliteDb(db, path));
  if (!read_only) {
    // Switching to WAL needs the file to itself for a moment; another process opening the same
    // database at once gets SQLITE_BUSY without the busy handler, so wait and try again.
    Status wal;
    for (int attempt = 0; attempt < 200; ++attempt) {
      wal = out->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
      if (wal.ok() || sqlite3_errcode(db) != SQLITE_BUSY) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    MF_RETURN_IF_ERROR(wal);
  }
  return out;
}

Status SqliteDb::ExecSchema(const std::string& sql) {
  MF_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));  // takes the write lock first: the busy handler applies
  Status s = Exec(sql);
  if (!s.ok()) {
    (void)Exec("ROLLBACK");
    return s;
  }
  return Exec("COMMIT");
}

SqliteDb::~SqliteDb() { sqlite3_close(db_); }

Status SqliteDb::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = ErrorOf(db_);  // sqlite3_exec's own message, with the OS reason
    sqlite3_free(err);
    return Status::IOError("sqlite " + path_ + ": " + msg);
  }
  return Status::OK();
}

Result<std::unique_ptr<SqlStatement>> SqliteDb::Prepare(const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return Status::InvalidArgument("sqlite " + path_ + ": " + ErrorOf(db_));
  }
  if (!stmt) return Status::InvalidArgument("sqlite " + path_ + ": empty statement");
  return std::make_unique<SqlStatement>(db_, stmt, path_);
}

}  // namespace meteoflow
