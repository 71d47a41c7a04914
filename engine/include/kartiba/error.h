// kartiba::Error — the one error type of the engine.
//
// Every failure that crosses the engine's API is an Error value; exceptions never do.
// Codes map one-to-one onto SPEC.md's error codes and their HTTP statuses.
// Thread-safety: a plain value type.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kartiba {

enum class ErrorCode {
  invalid,       // 400: the request is malformed or breaks a rule of the domain
  unauthorized,  // 401: no token, or a token that is not valid
  forbidden,     // 403: a valid token without the right to do this
  not_found,     // 404: no such plan, entity, revision or path
  conflict,      // 409: the plan changed under the sender (stale base) or the state forbids it
  too_large,     // 413: body, frame or field over its limit
  rate_limited,  // 429: too many commands from one token
  unavailable,   // 503: storage failed, or too busy; nothing was applied
  internal,      // 500: a bug in the server stopped the command; nothing was applied
};

std::string_view to_string(ErrorCode code);
int http_status(ErrorCode code);

class [[nodiscard]] Error {
 public:
  Error(ErrorCode code, std::string message, std::string path = {}, std::string details_json = {})
      : code_(code), message_(std::move(message)), path_(std::move(path)),
        details_json_(std::move(details_json)) {}

  static Error invalid(std::string message, std::string path = {}) {
    return {ErrorCode::invalid, std::move(message), std::move(path)};
  }
  static Error not_found(std::string message, std::string path = {}) {
    return {ErrorCode::not_found, std::move(message), std::move(path)};
  }
  static Error conflict(std::string message, std::string path = {}, std::string details = {}) {
    return {ErrorCode::conflict, std::move(message), std::move(path), std::move(details)};
  }
  static Error unavailable(std::string message) { return {ErrorCode::unavailable, std::move(message)}; }
  static Error internal(std::string message) { return {ErrorCode::internal, std::move(message)}; }
  static Error forbidden(std::string message) { return {ErrorCode::forbidden, std::move(message)}; }
  static Error unauthorized(std::string message) { return {ErrorCode::unauthorized, std::move(message)}; }
  static Error too_large(std::string message, std::string path = {}) {
    return {ErrorCode::too_large, std::move(message), std::move(path)};
  }

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // A JSON pointer into the request (e.g. "/data/start/local"), empty where none applies.
  const std::string& path() const { return path_; }
  // Extra JSON object text merged into the error body (a conflict's current state and the
  // events in the way), empty when there is none.
  const std::string& details_json() const { return details_json_; }

  Error with_path_prefix(std::string_view prefix) const {
    return {code_, message_, std::string(prefix) + path_, details_json_};
  }
  // {"error":{"code":…,"message":…,"path":…,…details}} as SPEC.md describes.
  std::string to_json() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::string path_;
  std::string details_json_;
};

// A value or an Error. Small on purpose: std::expected is C++23.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// The outcome of an action with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}
  static Status ok_status() { return {}; }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_{ErrorCode::invalid, {}};
  bool ok_ = true;
};

}  // namespace kartiba
