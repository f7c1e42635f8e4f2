// join_error: why a spawned task produced no value.
#pragma once

#include <exception>

namespace kyoto {

/// The task was aborted (or its runtime shut down), or it threw.
///   auto r = co_await handle;
///   if (!r && r.error().is_panic()) std::rethrow_exception(r.error().exception());
class join_error {
 public:
  join_error() noexcept = default;
  static join_error cancelled() noexcept { return join_error(nullptr); }
  static join_error panic(std::exception_ptr e) noexcept { return join_error(std::move(e)); }

  bool is_cancelled() const noexcept { return !error_; }
  bool is_panic() const noexcept { return static_cast<bool>(error_); }
  /// What the task threw (null when it was cancelled).
  const std::exception_ptr& exception() const noexcept { return error_; }

 private:
  explicit join_error(std::exception_ptr e) noexcept : error_(std::move(e)) {}
  std::exception_ptr error_;
};

}  // namespace kyoto
