// Status and Result<T>: the one error model of meteoflow.
//
// Every function that can fail at a module boundary returns a Status (no value) or a
// Result<T> (a value or a Status). Messages say what failed and where, e.g.
// "config: locations[3].latitude: 123.4 is outside [-90, 90]". Exceptions are caught at the
// edges (CLI, HTTP handlers) and turned into these.
//
// Thread-safety: values; copy freely, no shared state.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace meteoflow {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kIOError,
  kCorruption,
  kUnavailable,
  kCancelled,
  kInternal,
  kPermissionDenied,  // credentials missing, wrong or not allowed
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string msg) { return {StatusCode::kInvalidArgument, std::move(msg)}; }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status IOError(std::string msg) { return {StatusCode::kIOError, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {StatusCode::kPermissionDenied, std::move(msg)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<code name>: <message>", or "OK".
  std::string ToString() const;
  // The same status with "context: " put in front of the message.
  Status WithContext(const std::string& context) const;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace meteoflow

#define MF_CONCAT_INNER(a, b) a##b
#define MF_CONCAT(a, b) MF_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function when `expr` is not OK.
#define MF_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::meteoflow::Status mf_status_ = (expr); \
    if (!mf_status_.ok()) return mf_status_; \
  } while (0)

#define MF_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()

// `lhs = value of expr`, or return its Status from the enclosing function.
#define MF_ASSIGN_OR_RETURN(lhs, expr) MF_ASSIGN_OR_RETURN_IMPL(MF_CONCAT(mf_result_, __LINE__), lhs, expr)
