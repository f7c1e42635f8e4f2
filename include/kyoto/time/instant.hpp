// instant: a point on the runtime's monotonic clock.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <limits>

#include "kyoto/detail/time/timer_entry.hpp"

namespace kyoto {

namespace detail {
/// d in nanoseconds, clamped to what an int64 holds (a sleep of 3,000
/// years is "forever", not an overflow).
template <class Rep, class Period>
constexpr std::int64_t saturating_ns(std::chrono::duration<Rep, Period> d) noexcept {
  using src = std::chrono::duration<Rep, Period>;
  constexpr auto hi = std::chrono::duration_cast<src>(std::chrono::nanoseconds::max());
  constexpr auto lo = std::chrono::duration_cast<src>(std::chrono::nanoseconds::min());
  if (d >= hi) return INT64_MAX;
  if (d <= lo) return INT64_MIN;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
}
constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}
}  // namespace detail

/// A monotonic time point (Tokio's Instant). Inside a runtime it follows
/// the runtime's clock, which tests can pause and advance; elsewhere it is
/// std::chrono::steady_clock.
///   auto start = kyoto::instant::now();
///   co_await kyoto::sleep(10ms);
///   auto took = start.elapsed();
class instant {
 public:
  using duration = std::chrono::nanoseconds;

  instant() noexcept = default;
  static instant now() noexcept {
    if (auto* d = detail::current_time_driver_or_null()) {
      return instant(detail::time_origin_ns(*d) + detail::time_now_ns(*d));
    }
    return from_steady(std::chrono::steady_clock::now());
  }
  static instant from_steady(std::chrono::steady_clock::time_point tp) noexcept {
    return instant(std::chrono::duration_cast<duration>(tp.time_since_epoch()).count());
  }
  std::chrono::steady_clock::time_point to_steady() const noexcept {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(duration(ns_)));
  }

  /// Time since this instant (zero if it is in the future).
  duration elapsed() const noexcept { return now().saturating_duration_since(*this); }
  duration saturating_duration_since(instant earlier) const noexcept {
    return ns_ > earlier.ns_ ? duration(ns_ - earlier.ns_) : duration(0);
  }

  template <class Rep, class Period>
  instant operator+(std::chrono::duration<Rep, Period> d) const noexcept {
    return instant(detail::saturating_add(ns_, detail::saturating_ns(d)));
  }
  template <class Rep, class Period>
  instant operator-(std::chrono::duration<Rep, Period> d) const noexcept {
    std::int64_t n = detail::saturating_ns(d);
    return instant(detail::saturating_add(ns_, n == INT64_MIN ? INT64_MAX : -n));
  }
  template <class Rep, class Period>
  instant& operator+=(std::chrono::duration<Rep, Period> d) noexcept {
    return *this = *this + d;
  }
  duration operator-(instant other) const noexcept { return duration(ns_ - other.ns_); }
  auto operator<=>(const instant&) const noexcept = default;

  std::int64_t nanoseconds_since_epoch() const noexcept { return ns_; }

 private:
  explicit instant(std::int64_t ns) noexcept : ns_(ns) {}
  std::int64_t ns_ = 0;
};

}  // namespace kyoto
