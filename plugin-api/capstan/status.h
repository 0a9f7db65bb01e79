#pragma once
// Status and Result<T>: expected failures are values, not exceptions.
// A Status carries a code a program can branch on and a message a user can act on.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace capstan {

enum class Code : std::uint8_t {
  kOk = 0,
  kNotFound,            // the object or thing does not exist
  kAlreadyExists,       // create of a name that exists
  kConflict,            // a precondition (revision, uid) did not hold
  kInvalidArgument,     // malformed input; the message says what and where
  kGone,                // a revision below the compaction window
  kTooLarge,            // an object over the size limit
  kResourceExhausted,   // the store's map is full, a backlog is exceeded
  kUnavailable,         // a peer or component is not there (yet)
  kFailedPrecondition,  // the system is not in a state that allows this
  kAborted,             // the operation was cancelled or cut off
  kDeadlineExceeded,    // a timeout or watchdog fired
  kInternal,            // a bug, or a plugin that threw
  kUnimplemented,       // not done by this component (the caller may do it another way)
};

std::string_view codeName(Code code);

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status okStatus() { return {}; }
  static Status notFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status alreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status conflict(std::string m) { return {Code::kConflict, std::move(m)}; }
  static Status invalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status gone(std::string m) { return {Code::kGone, std::move(m)}; }
  static Status tooLarge(std::string m) { return {Code::kTooLarge, std::move(m)}; }
  static Status resourceExhausted(std::string m) { return {Code::kResourceExhausted, std::move(m)}; }
  static Status unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status failedPrecondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
  static Status aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
  static Status deadlineExceeded(std::string m) { return {Code::kDeadlineExceeded, std::move(m)}; }
  static Status internal(std::string m) { return {Code::kInternal, std::move(m)}; }
  static Status unimplemented(std::string m) { return {Code::kUnimplemented, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "NotFound: pods/default/x not found", or "OK".
  std::string toString() const;

  // Prefix the message with where it happened: "loading plugin foo.so: " + message.
  Status withContext(std::string_view where) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline std::string_view codeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "NotFound";
    case Code::kAlreadyExists: return "AlreadyExists";
    case Code::kConflict: return "Conflict";
    case Code::kInvalidArgument: return "InvalidArgument";
    case Code::kGone: return "Gone";
    case Code::kTooLarge: return "TooLarge";
    case Code::kResourceExhausted: return "ResourceExhausted";
    case Code::kUnavailable: return "Unavailable";
    case Code::kFailedPrecondition: return "FailedPrecondition";
    case Code::kAborted: return "Aborted";
    case Code::kDeadlineExceeded: return "DeadlineExceeded";
    case Code::kInternal: return "Internal";
    case Code::kUnimplemented: return "Unimplemented";
  }
  return "Unknown";
}

inline std::string Status::toString() const {
  if (ok()) return "OK";
  std::string s(codeName(code_));
  s += ": ";
  s += message_;
  return s;
}

inline Status Status::withContext(std::string_view where) const {
  if (ok()) return *this;
  std::string m(where);
  m += ": ";
  m += message_;
  return {code_, std::move(m)};
}

// Result<T>: a T, or the Status that says why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<1>(v_);
  }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace capstan
