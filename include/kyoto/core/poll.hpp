// poll_result<T>: the answer of one poll, Rust's Poll<T>.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

namespace kyoto {

/// The "not yet" answer of a poll; converts to any poll_result.
///   if (!ready_) return kyoto::pending;
struct pending_t {
  explicit constexpr pending_t() = default;
};
inline constexpr pending_t pending{};

/// Either ready with a value or pending.
///   poll_result<int> p = poll_result<int>::ready(7);   // or: return 7;
template <class T>
class [[nodiscard]] poll_result {
 public:
  using value_type = T;

  constexpr poll_result(pending_t) noexcept {}
  template <class U = T>
  requires std::is_constructible_v<T, U&&> &&
           (!std::is_same_v<std::remove_cvref_t<U>, poll_result>) &&
           (!std::is_same_v<std::remove_cvref_t<U>, pending_t>)
  constexpr poll_result(U&& v) : value_(std::in_place, std::forward<U>(v)) {}

  static constexpr poll_result ready(T v) { return poll_result(std::move(v)); }

  constexpr bool is_ready() const noexcept { return value_.has_value(); }
  constexpr bool is_pending() const noexcept { return !value_.has_value(); }

  constexpr T& value() & { return *value_; }
  constexpr const T& value() const& { return *value_; }
  constexpr T&& value() && { return std::move(*value_); }

 private:
  std::optional<T> value_;
};

template <>
class [[nodiscard]] poll_result<void> {
 public:
  using value_type = void;

  constexpr poll_result(pending_t) noexcept {}
  static constexpr poll_result ready() noexcept { return poll_result(true); }

  constexpr bool is_ready() const noexcept { return ready_; }
  constexpr bool is_pending() const noexcept { return !ready_; }
  constexpr void value() const noexcept {}

 private:
  constexpr explicit poll_result(bool r) noexcept : ready_(r) {}
  bool ready_ = false;
};

}  // namespace kyoto
