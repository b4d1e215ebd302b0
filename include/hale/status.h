// Status and StatusOr<T>: expected failures as values (shaped like leveldb's status.h and
// abseil's StatusOr; std::expected needs C++23). Exceptions stay at the boundaries. Both are
// [[nodiscard]]: a failure dropped on the floor is a compiler warning.
//
// A failure has a code, so a caller can tell "what you gave me is wrong" from "there is no such
// thing" from "the system would not" without reading the message, and a message for people.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace hale {

enum class StatusCode {
  kOk,
  kInvalid,      // the input is wrong: a config value, a request, a file that is not what it should be
  kNotFound,     // what was asked for does not exist: a file, a zone, a name
  kUnavailable,  // the system would not: an I/O error, a full disk, no memory, a refused spawn
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(StatusCode::kInvalid, std::move(message)); }
  static Status error(StatusCode code, std::string message) { return Status(code, std::move(message)); }
  static Status not_found(std::string message) { return Status(StatusCode::kNotFound, std::move(message)); }
  static Status unavailable(std::string message) { return Status(StatusCode::kUnavailable, std::move(message)); }
  bool is_ok() const { return !message_.has_value(); }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return message_ ? code_ : StatusCode::kOk; }
  const std::string& message() const {
    static const std::string kEmpty;
    return message_ ? *message_ : kEmpty;
  }

 private:
  Status(StatusCode code, std::string message)
      : code_(code == StatusCode::kOk ? StatusCode::kInvalid : code), message_(std::move(message)) {}
  StatusCode code_ = StatusCode::kOk;
  std::optional<std::string> message_;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {}   // NOLINT: must not be ok
  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace hale
